/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "bootconfig.h"

struct gd_bootconfig *gd_bootconfig_free(struct gd_bootconfig *b) {
        if (!b)
                return NULL;
        free(b->grub_mkconfig);
        gd_cmdline_clear(&b->next_cmdline);
        free(b->next_cmdline_source);
        for (size_t i = 0; i < b->n_kconfig; i++) {
                free(b->kconfig[i].name);
                free(b->kconfig[i].value);
        }
        free(b->kconfig);
        free(b->kconfig_source);
        free(b->initramfs_path);
        free(b->newest_modconf_path);
        free(b);
        return NULL;
}

const char *gd_kconfig_get(const struct gd_bootconfig *b, const char *name) {
        if (!b)
                return NULL;
        for (size_t i = 0; i < b->n_kconfig; i++)
                if (strcmp(b->kconfig[i].name, name) == 0)
                        return b->kconfig[i].value;
        return NULL;
}
