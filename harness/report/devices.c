/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "devices.h"

void gd_device_format_line(const struct gd_pci_dev *d, char *buf, size_t size) {
        char rev[16] = "", name[512];

        /* lspci prints the revision only when it is not zero (lspci.c
         * show_terse()); an unknown one is not printed at all, where lspci
         * would print the 0xff of a failed config read (host/pci.c). */
        if (d->revision_known && d->revision)
                snprintf(rev, sizeof(rev), " (rev %02x)", d->revision);
        gd_pci_format_name(d, true, name, sizeof(name));
        /* A class pci.ids lacks is "Class [xxxx]" (lib/names.c format_name()). */
        if (d->class_unknown)
                snprintf(buf, size, "%s Class unknown: %s%s", d->address, name, rev);
        else
                snprintf(buf, size, "%s %s [%04x]: %s%s",
                         d->address, d->class_name ? d->class_name : "Class",
                         d->class_code >> 8, name, rev);
}

void gd_device_emit(struct gd_emit *e, const struct gd_pci_dev *d) {
        char name[512];

        gd_pci_format_name(d, false, name, sizeof(name));
        gd_emit_map_begin(e);
        gd_emit_kv_str(e, "address", d->address);
        /* null: what an imported paste did not show (model/host.h). */
        if (d->class_unknown) {
                gd_emit_key(e, "class");
                gd_emit_null(e);
        } else
                gd_emit_kv_hex4(e, "class", d->class_code >> 8);
        gd_emit_kv_str(e, "class_name", d->class_unknown ? NULL : d->class_name);
        if (d->ids_unknown) {
                static const char *const keys[] = { "vendor", "device", "subsystem_vendor", "subsystem_device" };
                for (size_t i = 0; i < 4; i++) {
                        gd_emit_key(e, keys[i]);
                        gd_emit_null(e);
                }
        } else {
                gd_emit_kv_hex4(e, "vendor", d->vendor);
                gd_emit_kv_hex4(e, "device", d->device);
                gd_emit_kv_hex4(e, "subsystem_vendor", d->subsys_vendor);
                gd_emit_kv_hex4(e, "subsystem_device", d->subsys_device);
        }
        gd_emit_key(e, "revision");
        if (d->revision_known && !d->ids_unknown)
                gd_emit_int(e, d->revision);
        else
                gd_emit_null(e);
        gd_emit_kv_str(e, "name", name);
        gd_emit_key(e, "driver");
        if (d->driver_known == TRI_YES)
                gd_emit_str(e, d->driver);
        else
                gd_emit_null(e);
        gd_emit_kv_bool(e, "driver_known", d->driver_known == TRI_YES);
        gd_emit_kv_str(e, "driver_override", d->driver_override);
        gd_emit_key(e, "iommu_group");
        if (d->iommu_group == GD_GROUP_NONE)
                gd_emit_null(e);
        else
                gd_emit_int(e, d->iommu_group);
        gd_emit_kv_str(e, "parent", d->parent);
        gd_emit_kv_tri(e, "boot_vga", d->boot_vga);
        gd_emit_kv_str(e, "reset_method", d->reset_method);
        gd_emit_kv_str(e, "power_state", d->power_state);
        gd_emit_kv_tri(e, "flr", d->caps.flr);
        gd_emit_kv_tri(e, "acs", d->caps.acs);
        gd_emit_map_end(e);
}
