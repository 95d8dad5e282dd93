/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "bootconfig.h"
#include "vmconfig.h"
#include "vmlog.h"
#include "host.h"
#include "guestinfo.h"
#include "modconfig.h"

struct gd_host *gd_host_new(void) {
        struct gd_host *h = calloc(1, sizeof(*h));
        if (!h)
                return NULL;
        /* Everything starts unknown (zero) except the errno states, which
         * start as "not read yet". */
        h->pci_state = h->groups_state = h->iommu_units_state = -ENODATA;
        h->cmdline_state = h->modules_state = h->kmsg_state = -ENODATA;
        h->iomem_state = h->interrupts_state = -ENODATA;
        h->xen_capabilities_state = -ENODATA;
        return h;
}

void gd_pci_dev_clear(struct gd_pci_dev *d) {
        free(d->sysfs_path);
        free(d->vendor_name);
        free(d->device_name);
        free(d->class_name);
        free(d->driver);
        free(d->driver_override);
        free(d->modalias);
        free(d->reset_method);
        free(d->power_state);
        free(d->parent);
        strv_free(d->drm);
        memset(d, 0, sizeof(*d));
}

void gd_cmdline_clear(struct gd_cmdline *c) {
        for (size_t i = 0; i < c->n_args; i++) {
                free(c->args[i].key);
                free(c->args[i].value);
        }
        free(c->args);
        free(c->raw);
        strv_free(c->init_args);
        memset(c, 0, sizeof(*c));
}

void gd_kmsg_clear(struct gd_kmsg *k) {
        for (size_t i = 0; i < k->n_records; i++)
                free(k->records[i].text);
        free(k->records);
        free(k->source);
        memset(k, 0, sizeof(*k));
}

struct gd_host *gd_host_free(struct gd_host *h) {
        if (!h)
                return NULL;
        for (size_t i = 0; i < h->n_devs; i++)
                gd_pci_dev_clear(&h->devs[i]);
        free(h->devs);
        for (size_t i = 0; i < h->n_groups; i++) {
                free(h->groups[i].type);
                strv_free(h->groups[i].devices);
        }
        free(h->groups);
        strv_free(h->iommu_units);
        free(h->kernel_release);
        gd_cmdline_clear(&h->cmdline);
        strv_free(h->modules);
        gd_kmsg_clear(&h->kmsg);
        gd_modconfig_free(h->modconfig);
        for (size_t i = 0; i < h->n_iomem; i++)
                free(h->iomem[i].name);
        free(h->iomem);
        free(h->interrupts);
        gd_bootconfig_free(h->bootconfig);
        gd_vmconfig_free(h->vmconfig);
        if (h->vmlog) {
                gd_vmlog_clear(h->vmlog);
                free(h->vmlog);
        }
        free(h->cpu_vendor);
        free(h->dmi_sys_vendor);
        free(h->dmi_product_name);
        free(h->hypervisor_type);
        free(h->xen_capabilities);
        free(h->hostname);
        for (size_t i = 0; i < h->n_sys_modules; i++) {
                free(h->sys_modules[i].name);
                strv_free(h->sys_modules[i].holders);
        }
        free(h->sys_modules);
        for (size_t i = 0; i < h->n_module_params; i++) {
                free(h->module_params[i].module);
                free(h->module_params[i].param);
                free(h->module_params[i].value);
        }
        free(h->module_params);
        gd_guestinfo_free(h->guest);
        free(h);
        return NULL;
}

const struct gd_pci_dev *gd_host_find_dev(const struct gd_host *h, const char *address) {
        for (size_t i = 0; i < h->n_devs; i++)
                if (strcmp(h->devs[i].address, address) == 0)
                        return &h->devs[i];
        return NULL;
}

const struct gd_iommu_group *gd_host_find_group(const struct gd_host *h, int id) {
        for (size_t i = 0; i < h->n_groups; i++)
                if (h->groups[i].id == id)
                        return &h->groups[i];
        return NULL;
}

bool gd_param_eq(const char *a, const char *b) {
        for (; *a && *b; a++, b++) {
                char ca = *a == '-' ? '_' : *a, cb = *b == '-' ? '_' : *b;
                if (ca != cb)
                        return false;
        }
        return *a == *b;
}

const struct gd_sys_module *gd_host_sys_module(const struct gd_host *h, const char *name) {
        for (size_t i = 0; i < h->n_sys_modules; i++)
                if (gd_param_eq(h->sys_modules[i].name, name))
                        return &h->sys_modules[i];
        return NULL;
}

const struct gd_module_param *gd_host_module_param(const struct gd_host *h, const char *module, const char *param) {
        for (size_t i = 0; i < h->n_module_params; i++)
                if (gd_param_eq(h->module_params[i].module, module) && streq(h->module_params[i].param, param))
                        return &h->module_params[i];
        return NULL;
}

const struct gd_cmdline_arg *gd_cmdline_find(const struct gd_cmdline *c, const char *key) {
        for (size_t i = 0; i < c->n_args; i++)
                if (gd_param_eq(c->args[i].key, key))
                        return &c->args[i];
        return NULL;
}

const struct gd_cmdline_arg *gd_cmdline_find_last(const struct gd_cmdline *c, const char *key) {
        for (size_t i = c->n_args; i > 0; i--)
                if (gd_param_eq(c->args[i - 1].key, key))
                        return &c->args[i - 1];
        return NULL;
}

void gd_pci_format_name(const struct gd_pci_dev *d, bool with_ids, char *buf, size_t size) {
        const char *v = d->vendor_name, *n = d->device_name;

        if (d->ids_unknown) {
                snprintf(buf, size, "Device%s", with_ids ? " [IDs unknown]" : " (IDs unknown)");
                return;
        }
        if (with_ids) {
                if (v && n)
                        snprintf(buf, size, "%s %s [%04x:%04x]", v, n, d->vendor, d->device);
                else if (!v)
                        snprintf(buf, size, "Device [%04x:%04x]", d->vendor, d->device);
                else
                        snprintf(buf, size, "%s Device [%04x:%04x]", v, d->vendor, d->device);
        } else if (v && n)
                snprintf(buf, size, "%s %s", v, n);
        else if (!v)
                snprintf(buf, size, "Device %04x:%04x", d->vendor, d->device);
        else
                snprintf(buf, size, "%s Device %04x", v, d->device);
}

void gd_pci_format_ids(const struct gd_pci_dev *d, char *buf, size_t size) {
        if (d->ids_unknown)
                snprintf(buf, size, "IDs unknown");
        else
                snprintf(buf, size, "%04x:%04x", d->vendor, d->device);
}

const char *gd_pci_class_text(const struct gd_pci_dev *d) {
        return d->class_unknown ? "class unknown" : d->class_name ? d->class_name : "";
}

char *gd_pci_attr_source(const struct gd_pci_dev *d, const char *attr) {
        _cleanup_free_ char *dir = path_join("/sys/bus/pci/devices", d->address);
        return dir ? path_join(dir, attr) : NULL;
}

bool gd_kernel_version(const char *release, unsigned *major, unsigned *minor) {
        unsigned a, b;

        if (!release || sscanf(release, "%u.%u", &a, &b) != 2)
                return false;
        *major = a;
        *minor = b;
        return true;
}
