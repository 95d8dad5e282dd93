/* SPDX-License-Identifier: MIT */
/* Boot configuration: which boot loader and initramfs tool this host uses,
 * the kernel command line its boot loader configuration will pass next
 * boot, the kernel build configuration, and the timestamps that tell a
 * stale initramfs.  Filled by host/bootconfig.c from below the config root. */
#pragma once

#include <stdint.h>

#include "model/host.h"

enum gd_bootloader {
        GD_BOOTLOADER_UNKNOWN,
        GD_BOOTLOADER_GRUB,            /* /etc/default/grub -> update-grub / grub-mkconfig / grub2-mkconfig */
        GD_BOOTLOADER_PROXMOX_BOOT,    /* /etc/kernel/cmdline + /etc/kernel/proxmox-boot-uuids -> proxmox-boot-tool refresh */
        GD_BOOTLOADER_SYSTEMD_BOOT,    /* /etc/kernel/cmdline, loader entries -> kernel-install / bootctl */
        GD_BOOTLOADER_KERNELSTUB,      /* Pop!_OS: kernelstub -a */
};

enum gd_initramfs_tool {
        GD_INITRAMFS_UNKNOWN,
        GD_INITRAMFS_TOOLS,            /* Debian/Ubuntu/Proxmox: update-initramfs -u -k all */
        GD_INITRAMFS_DRACUT,           /* Fedora/RHEL/openSUSE: dracut -f --regenerate-all */
        GD_INITRAMFS_MKINITCPIO,       /* Arch: mkinitcpio -P */
};

struct gd_kconfig_entry {
        char *name;                    /* CONFIG_VFIO_PCI */
        char *value;                   /* "y", "m", "\"string\"", or "n" for "# ... is not set" */
};

struct gd_bootconfig {
        enum gd_bootloader bootloader;
        enum gd_initramfs_tool initramfs_tool;
        char *grub_mkconfig;           /* the command this distro uses: update-grub, grub2-mkconfig -o ... */

        /* The flags the boot loader configuration will pass next boot, and
         * where they are written (file and line), for drift and remedies. */
        struct gd_cmdline next_cmdline;
        char *next_cmdline_source;     /* /etc/default/grub or /etc/kernel/cmdline */
        unsigned next_cmdline_line;
        int next_cmdline_state;        /* 0, or -errno */

        /* Kernel build configuration from /boot/config-<release> or /proc/config.gz. */
        struct gd_kconfig_entry *kconfig;
        size_t n_kconfig;
        char *kconfig_source;
        int kconfig_state;

        /* Staleness: the initramfs of the running kernel and the newest module
         * configuration file that belongs in it. */
        char *initramfs_path;
        int64_t initramfs_mtime;       /* -1 unknown */
        char *newest_modconf_path;
        int64_t newest_modconf_mtime;  /* -1 unknown */
};

struct gd_bootconfig *gd_bootconfig_free(struct gd_bootconfig *b);

/* The value of a kernel config option: "y", "m", "n" (explicitly not set),
 * or NULL when the config could not be read or does not mention it. */
const char *gd_kconfig_get(const struct gd_bootconfig *b, const char *name);
