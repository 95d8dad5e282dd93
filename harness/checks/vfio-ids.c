/* SPDX-License-Identifier: MIT */
/* The pure vfio-pci ids= helpers of vfio-ids.h: parsing and matching ids,
 * the ids in effect (command line or modprobe.d), and the small shared
 * pieces of the vfio family's findings (device names, kernel versions,
 * the initramfs remedy). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hostpaths.h"
#include "base/strv.h"
#include "model/bootconfig.h"
#include "model/modconfig.h"
#include "remedy.h"
#include "vfio-ids.h"


bool gd_driver_is_vfio(const char *driver) {
        return streq(driver, "vfio-pci") || streq(driver, "pci-stub");
}

/* The variant drivers of drivers/vfio/pci/ (one directory each, Makefile
 * obj-$(CONFIG_..._VFIO_PCI)); each registers a pci_driver named
 * KBUILD_MODNAME with .driver_managed_dma = true and is built on
 * vfio_pci_core (nvgrace-gpu/main.c: nvgrace_gpu_vfio_pci_driver). */
static const char *const vfio_pci_variants[] = {
        "mlx5_vfio_pci", "hisi_acc_vfio_pci", "pds_vfio_pci", "nvgrace_gpu_vfio_pci", "virtio_vfio_pci",
        "qat_vfio_pci", "xe_vfio_pci", "ism_vfio_pci",
};

bool gd_driver_is_vfio_class(const struct gd_host *h, const char *driver) {
        const struct gd_sys_module *core;

        if (!driver)
                return false;
        if (gd_driver_is_vfio(driver))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(vfio_pci_variants); i++)
                if (gd_modname_eq(driver, vfio_pci_variants[i]))
                        return true;
        core = h ? gd_host_sys_module(h, "vfio_pci_core") : NULL;
        for (size_t i = 0; core && core->holders_state == 0 && core->holders && core->holders[i]; i++)
                if (gd_modname_eq(core->holders[i], driver))
                        return true;
        return false;
}

bool gd_vfio_id_matches(const struct gd_vfio_id *id, const struct gd_pci_dev *d) {
        /* An imported device whose IDs the paste did not show matches no
         * ID: callers treat it as unknown (vfio.c). */
        if (!id->valid || d->ids_unknown)
                return false;
        return (id->vendor == PCI_ANY_ID || id->vendor == d->vendor) &&
               (id->device == PCI_ANY_ID || id->device == d->device) &&
               (id->subvendor == PCI_ANY_ID || (d->has_subsys && id->subvendor == d->subsys_vendor)) &&
               (id->subdevice == PCI_ANY_ID || (d->has_subsys && id->subdevice == d->subsys_device)) &&
               ((id->class_code ^ d->class_code) & id->class_mask) == 0;
}

tri_t gd_vfio_pci_builtin(const struct gd_host *h) {
        const char *v = gd_kconfig_get(h->bootconfig, "CONFIG_VFIO_PCI");
        if (!v)
                return TRI_UNKNOWN;
        return streq(v, "y") ? TRI_YES : TRI_NO;
}

static int ids_from_cmdline(const struct gd_host *h, struct gd_vfio_ids *ids) {
        const struct gd_source src = { gd_hostpath(GD_PROC_CMDLINE)->path, 0 };
        /* parse_args() (kernel/params.c) compares names with parameq(), so
         * vfio-pci.ids= and vfio_pci.ids= are one parameter; gd_cmdline_find
         * does the same. */
        const struct gd_cmdline_arg *a = gd_cmdline_find_last(&h->cmdline, "vfio_pci.ids");
        if (!a || !a->value)
                return 0;
        return gd_vfio_ids_parse(a->value, &src, &ids->items, &ids->n);
}

int gd_vfio_ids_effective(const struct gd_host *h, struct gd_vfio_ids *ret) {
        const struct gd_modconfig *m = h->modconfig;
        struct gd_vfio_ids ids = { .builtin = gd_vfio_pci_builtin(h) };
        int r = 0;

        if (ids.builtin == TRI_YES || !m || m->ctx_state < 0)
                r = ids_from_cmdline(h, &ids);
        else
                for (size_t i = 0; r >= 0 && i < m->n_vfio_ids; i++) {
                        const struct gd_vfio_id *v = &m->vfio_ids[i];
                        struct gd_vfio_id *grown;

                        if (!v->effective)
                                continue;
                        grown = realloc(ids.items, (ids.n + 1) * sizeof(*grown));
                        if (!grown) {
                                r = -ENOMEM;
                                break;
                        }
                        ids.items = grown;
                        grown[ids.n] = *v;
                        grown[ids.n].text = strdup(v->text);
                        if (!grown[ids.n].text) {
                                r = -ENOMEM;
                                break;
                        }
                        ids.n++;
                }
        if (r < 0) {
                gd_vfio_ids_clear(&ids);
                return r;
        }
        *ret = ids;
        return 0;
}

void gd_vfio_ids_clear(struct gd_vfio_ids *ids) {
        gd_vfio_ids_free(ids->items, ids->n);
        ids->items = NULL;
        ids->n = 0;
}

const struct gd_vfio_id *gd_vfio_ids_match(const struct gd_vfio_ids *ids, const struct gd_pci_dev *d) {
        for (size_t i = 0; ids && i < ids->n; i++)
                if (gd_vfio_id_matches(&ids->items[i], d))
                        return &ids->items[i];
        return NULL;
}

char *gd_vfio_ids_for_target(const struct gd_target *t) {
        _cleanup_strv_free_ char **seen = NULL;
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        if (!f)
                return NULL;
        for (size_t i = 0; i < t->n_functions; i++) {
                char id[64];
                /* The IDs a paste did not show: where to read them. */
                if (t->functions[i]->ids_unknown)
                        snprintf(id, sizeof(id), "<vendor:device of %s, from lspci -nn -s %s>",
                                 t->functions[i]->address, t->functions[i]->address);
                else
                        snprintf(id, sizeof(id), "%04x:%04x", t->functions[i]->vendor, t->functions[i]->device);
                if (strv_contains(seen, id))
                        continue;
                if (strv_push_dup(&seen, id) < 0) {
                        fclose(f);
                        free(out);
                        return NULL;
                }
                fprintf(f, "%s%s", strv_length(seen) > 1 ? "," : "", id);
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

char *gd_vfio_ids_with(const struct gd_host *h, const char *add) {
        _cleanup_(gd_vfio_ids_clear) struct gd_vfio_ids ids = { 0 };
        struct gd_vfio_id *more = NULL;
        _cleanup_strv_free_ char **list = NULL;
        size_t n_more = 0;
        char *out = NULL;
        size_t len = 0;
        FILE *f;

        if (gd_vfio_ids_effective(h, &ids) < 0 || gd_vfio_ids_parse(add, NULL, &more, &n_more) < 0) {
                gd_vfio_ids_free(more, n_more);
                return NULL;
        }
        for (size_t i = 0; i < ids.n; i++)
                if (!strv_contains(list, ids.items[i].text) && strv_push_dup(&list, ids.items[i].text) < 0)
                        goto fail;
        for (size_t i = 0; i < n_more; i++) {
                bool covered = false;
                for (size_t j = 0; j < ids.n && !covered; j++)
                        covered = ids.items[j].valid && ids.items[j].n_fields == 2 &&
                                  ids.items[j].vendor == more[i].vendor && ids.items[j].device == more[i].device;
                if (!covered && !strv_contains(list, more[i].text) && strv_push_dup(&list, more[i].text) < 0)
                        goto fail;
        }
        gd_vfio_ids_free(more, n_more);
        f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        for (size_t i = 0; list && list[i]; i++)
                fprintf(f, "%s%s", i ? "," : "", list[i]);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
fail:
        gd_vfio_ids_free(more, n_more);
        return NULL;
}

char *gd_describe_dev(const struct gd_pci_dev *d) {
        char *s = NULL, ids[32];
        const char *drv = d->driver_known != TRI_YES ? "driver unknown" : d->driver ? d->driver : "no driver";
        int r;

        gd_pci_format_ids(d, ids, sizeof(ids));
        if (d->class_unknown)
                r = asprintf(&s, "%s (class unknown, %s, %s%s)", d->address, ids,
                             d->driver_known == TRI_YES && d->driver ? "on " : "", drv);
        else if (d->class_name)
                r = asprintf(&s, "%s (%s %s, %s%s)", d->address, d->class_name, ids,
                             d->driver_known == TRI_YES && d->driver ? "on " : "", drv);
        else
                r = asprintf(&s, "%s (class %06x %s, %s%s)", d->address, d->class_code, ids,
                             d->driver_known == TRI_YES && d->driver ? "on " : "", drv);
        return r < 0 ? NULL : s;
}

void gd_remedy_initramfs_vfio(struct gd_finding *x, const struct gd_host *h) {
        enum gd_initramfs_tool tool = h->bootconfig ? h->bootconfig->initramfs_tool : GD_INITRAMFS_UNKNOWN;
        /* mkinitcpio loads MODULES=() in order, vfio_pci first (the Arch
         * wiki's order); the others take the list as a set. */
        static const char *const modules[] = { "vfio_pci", "vfio", "vfio_iommu_type1" };

        for (size_t i = 0; i < ELEMENTSOF(modules); i++)
                gd_finding_act(x, GD_ACT_INITRAMFS_MODULE, modules[i]);
        /* initramfs-tools reads /etc/initramfs-tools/modules (not /etc/modules);
         * dracut force_drivers= loads them early (dracut.conf(5)); mkinitcpio
         * MODULES=() loads them in order (mkinitcpio.conf(5)); booster loads
         * modules_force_load (booster(1)). */
        if (tool == GD_INITRAMFS_TOOLS)
                gd_finding_remedy_append(x, "In the initramfs: add the lines vfio, vfio_iommu_type1, vfio_pci to "
                                            "/etc/initramfs-tools/modules");
        else if (tool == GD_INITRAMFS_DRACUT)
                gd_finding_remedy_append(x, "In the initramfs: write force_drivers+=\" vfio vfio_iommu_type1 "
                                            "vfio_pci \" to /etc/dracut.conf.d/vfio.conf");
        else if (tool == GD_INITRAMFS_MKINITCPIO)
                gd_finding_remedy_append(x, "In the initramfs: put vfio_pci vfio vfio_iommu_type1 first in "
                                            "MODULES=() in /etc/mkinitcpio.conf");
        else if (tool == GD_INITRAMFS_BOOSTER)
                gd_finding_remedy_append(x, "In the initramfs: add vfio_pci,vfio,vfio_iommu_type1 to "
                                            "modules_force_load in /etc/booster.yaml");
        else
                gd_finding_remedy_append(x, "In the initramfs: add vfio_pci, vfio and vfio_iommu_type1 to the "
                                            "initramfs tool's module list (which file depends on the tool, "
                                            "which this host's files do not tell: 'gpudiag plan' asks once).");
        gd_remedy_apply_initramfs(x, h);
}
