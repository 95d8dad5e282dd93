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

        /* initramfs-tools reads /etc/initramfs-tools/modules (not /etc/modules);
         * dracut force_drivers= loads them early (dracut.conf(5)); mkinitcpio
         * MODULES=() loads them in order (mkinitcpio.conf(5)). */
        if (tool == GD_INITRAMFS_TOOLS || tool == GD_INITRAMFS_UNKNOWN)
                gd_finding_remedy_append(x, "%sadd the lines vfio, vfio_iommu_type1, vfio_pci to "
                                            "/etc/initramfs-tools/modules", tool ? "In the initramfs: " :
                                            "In the initramfs (initramfs-tools): ");
        if (tool == GD_INITRAMFS_DRACUT || tool == GD_INITRAMFS_UNKNOWN)
                gd_finding_remedy_append(x, "%swrite force_drivers+=\" vfio vfio_iommu_type1 vfio_pci \" to "
                                            "/etc/dracut.conf.d/vfio.conf", tool ? "In the initramfs: " :
                                            "(dracut): ");
        if (tool == GD_INITRAMFS_MKINITCPIO || tool == GD_INITRAMFS_UNKNOWN)
                gd_finding_remedy_append(x, "%sput vfio_pci vfio vfio_iommu_type1 first in MODULES=() in "
                                            "/etc/mkinitcpio.conf", tool ? "In the initramfs: " : "(mkinitcpio): ");
        gd_remedy_apply_initramfs(x, h);
}
