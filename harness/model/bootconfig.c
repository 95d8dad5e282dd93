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
        for (size_t i = 0; i < b->n_origins; i++) {
                free(b->origins[i].path);
                free(b->origins[i].text);
                free(b->origins[i].var);
        }
        free(b->origins);
        for (size_t i = 0; i < b->n_kconfig; i++) {
                free(b->kconfig[i].name);
                free(b->kconfig[i].value);
        }
        free(b->kconfig);
        free(b->kconfig_source);
        free(b->initramfs_path);
        free(b->newest_modconf_path);
        gd_conffiles_clear(&b->files);
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

static const char *const bootloader_names[_GD_BOOTLOADER_MAX] = {
        [GD_BOOTLOADER_UNKNOWN] = "unknown",
        [GD_BOOTLOADER_GRUB] = "grub",
        [GD_BOOTLOADER_PROXMOX_BOOT] = "proxmox-boot-tool",
        [GD_BOOTLOADER_SYSTEMD_BOOT] = "systemd-boot",
        [GD_BOOTLOADER_KERNELSTUB] = "kernelstub",
};

static const char *const initramfs_names[_GD_INITRAMFS_MAX] = {
        [GD_INITRAMFS_UNKNOWN] = "unknown",
        [GD_INITRAMFS_TOOLS] = "initramfs-tools",
        [GD_INITRAMFS_DRACUT] = "dracut",
        [GD_INITRAMFS_MKINITCPIO] = "mkinitcpio",
        [GD_INITRAMFS_BOOSTER] = "booster",
};

const char *gd_bootloader_name(enum gd_bootloader b) {
        return (unsigned) b < _GD_BOOTLOADER_MAX ? bootloader_names[b] : "unknown";
}

const char *gd_initramfs_tool_name(enum gd_initramfs_tool t) {
        return (unsigned) t < _GD_INITRAMFS_MAX ? initramfs_names[t] : "unknown";
}

enum gd_bootloader gd_bootloader_from_name(const char *s) {
        for (unsigned i = 1; s && i < _GD_BOOTLOADER_MAX; i++)
                if (strcmp(bootloader_names[i], s) == 0)
                        return (enum gd_bootloader) i;
        return GD_BOOTLOADER_UNKNOWN;
}

enum gd_initramfs_tool gd_initramfs_tool_from_name(const char *s) {
        for (unsigned i = 1; s && i < _GD_INITRAMFS_MAX; i++)
                if (strcmp(initramfs_names[i], s) == 0)
                        return (enum gd_initramfs_tool) i;
        return GD_INITRAMFS_UNKNOWN;
}
