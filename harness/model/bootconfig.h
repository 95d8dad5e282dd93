/* SPDX-License-Identifier: MIT */
/* Boot configuration: which boot loader and initramfs tool this host uses,
 * the kernel command line its boot loader configuration will pass next
 * boot (and every place that line is written), the kernel build
 * configuration, and the timestamps that tell a stale initramfs.  Filled by
 * host/bootconfig.c from below the config root. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "model/conffile.h"
#include "model/host.h"

enum gd_bootloader {
        GD_BOOTLOADER_UNKNOWN,
        GD_BOOTLOADER_GRUB,            /* /etc/default/grub (+ grub.d) -> update-grub / grub-mkconfig / grub2-mkconfig */
        GD_BOOTLOADER_PROXMOX_BOOT,    /* /etc/kernel/proxmox-boot-uuids -> proxmox-boot-tool refresh */
        GD_BOOTLOADER_SYSTEMD_BOOT,    /* /etc/kernel/cmdline, loader entries -> kernel-install / bootctl */
        GD_BOOTLOADER_KERNELSTUB,      /* Pop!_OS: /etc/kernelstub/configuration, kernelstub -a / -d */
        _GD_BOOTLOADER_MAX,
};

enum gd_initramfs_tool {
        GD_INITRAMFS_UNKNOWN,
        GD_INITRAMFS_TOOLS,            /* Debian/Ubuntu/Proxmox: update-initramfs -u -k all */
        GD_INITRAMFS_DRACUT,           /* Fedora/RHEL/openSUSE: dracut -f --regenerate-all */
        GD_INITRAMFS_MKINITCPIO,       /* Arch: mkinitcpio -P */
        GD_INITRAMFS_BOOSTER,          /* Arch: /usr/lib/booster/regenerate_images */
        _GD_INITRAMFS_MAX,
};

/* "grub", "initramfs-tools", ... as the plan's questions and options name them. */
const char *gd_bootloader_name(enum gd_bootloader b);
const char *gd_initramfs_tool_name(enum gd_initramfs_tool t);
enum gd_bootloader gd_bootloader_from_name(const char *s);
enum gd_initramfs_tool gd_initramfs_tool_from_name(const char *s);

struct gd_kconfig_entry {
        char *name;                    /* CONFIG_VFIO_PCI */
        char *value;                   /* "y", "m", "\"string\"", or "n" for "# ... is not set" */
};

/* One place the next boot's command line is written: a GRUB assignment
 * (of /etc/default/grub or a grub.d/NAME.cfg), or the line of
 * /etc/kernel/cmdline.  A plan edits these statements in place. */
struct gd_cmdline_origin {
        char *path;                    /* as the host names it */
        unsigned line;                 /* 1-based first line of the statement */
        char *text;                    /* the statement as written (may span lines) */
        char *var;                     /* GRUB_CMDLINE_LINUX(_DEFAULT); NULL for /etc/kernel/cmdline */
        bool last;                     /* the last assignment of var: the one that counts */
};

struct gd_bootconfig {
        enum gd_bootloader bootloader;
        enum gd_initramfs_tool initramfs_tool;
        /* The initramfs tools found installed (1u << enum gd_initramfs_tool);
         * more than one and nothing to tell which built the initramfs
         * leaves initramfs_tool unknown, and the plan asks among these. */
        unsigned initramfs_tools_found;
        char *grub_mkconfig;           /* the command this distro uses: update-grub, grub2-mkconfig -o ... */
        tri_t driverctl;               /* /usr/sbin/driverctl (or /usr/bin) is installed */

        /* The flags the boot loader configuration will pass next boot, and
         * where they are written (file and line), for drift and remedies.
         * next_cmdline_source/line name the statement a person edits to add
         * a flag (for GRUB the last assignment of GRUB_CMDLINE_LINUX_DEFAULT,
         * in whichever file it is). */
        struct gd_cmdline next_cmdline;
        char *next_cmdline_source;     /* /etc/default/grub, a grub.d file, /etc/kernel/cmdline, kernelstub's file */
        unsigned next_cmdline_line;
        int next_cmdline_state;        /* 0, or -errno */
        struct gd_cmdline_origin *origins;
        size_t n_origins;

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

        /* The files read: GRUB's, /etc/kernel/cmdline, kernelstub's, the
         * initramfs tools' module lists. */
        struct gd_conffiles files;
};

struct gd_bootconfig *gd_bootconfig_free(struct gd_bootconfig *b);

/* The value of a kernel config option: "y", "m", "n" (explicitly not set),
 * or NULL when the config could not be read or does not mention it. */
const char *gd_kconfig_get(const struct gd_bootconfig *b, const char *name);
