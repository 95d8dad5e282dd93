/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "base/macro.h"

static const char *const kind_names[_GD_ACT_MAX] = {
        [GD_ACT_FIRMWARE] = "firmware",
        [GD_ACT_MOVE_CARD] = "move-card",
        [GD_ACT_MANUAL] = "manual",
        [GD_ACT_CMDLINE_ADD] = "cmdline-add",
        [GD_ACT_CMDLINE_REMOVE] = "cmdline-remove",
        [GD_ACT_VFIO_IDS] = "vfio-ids",
        [GD_ACT_VFIO_IDS_DROP] = "vfio-ids-drop",
        [GD_ACT_SOFTDEP] = "softdep",
        [GD_ACT_BLACKLIST] = "blacklist",
        [GD_ACT_MODULE_LOAD] = "module-load",
        [GD_ACT_OPTION_REMOVE] = "option-remove",
        [GD_ACT_LINE_REMOVE] = "line-remove",
        [GD_ACT_FILE_LINE] = "file-line",
        [GD_ACT_INITRAMFS_MODULE] = "initramfs-module",
        [GD_ACT_INITRAMFS_REBUILD] = "initramfs-rebuild",
        [GD_ACT_BOOTLOADER_REFRESH] = "bootloader-refresh",
        [GD_ACT_REBOOT] = "reboot",
        [GD_ACT_BIND_NOW] = "bind-now",
        [GD_ACT_DRIVER_OVERRIDE] = "driver-override",
        [GD_ACT_LINE_REPLACE] = "line-replace",
        [GD_ACT_LINE_INSERT] = "line-insert",
};

const char *gd_action_kind_name(enum gd_action_kind k) {
        return (unsigned) k < _GD_ACT_MAX ? kind_names[k] : "?";
}

bool gd_action_needs_person(enum gd_action_kind k) {
        return k == GD_ACT_FIRMWARE || k == GD_ACT_MOVE_CARD || k == GD_ACT_MANUAL;
}

void gd_action_clear(struct gd_action *a) {
        free(a->arg);
        free(a->path);
        free(a->old_text);
        free(a->text);
        *a = (struct gd_action) {};
}

static int dup_or_null(const char *s, char **ret) {
        *ret = NULL;
        if (!s)
                return 0;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int gd_action_copy(const struct gd_action *a, struct gd_action *ret) {
        struct gd_action c = { .kind = a->kind, .line = a->line };

        if (dup_or_null(a->arg, &c.arg) < 0 || dup_or_null(a->path, &c.path) < 0 ||
            dup_or_null(a->old_text, &c.old_text) < 0 || dup_or_null(a->text, &c.text) < 0) {
                gd_action_clear(&c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}
