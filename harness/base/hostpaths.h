/* SPDX-License-Identifier: MIT */
/* The one table of every /proc, /dev and configuration path the reader opens.
 *
 * umockdev's preload fakes /sys completely, but serves /proc and /dev files
 * from the testbed only when they exist there and otherwise falls through to
 * the real host (umockdev src/libumockdev-preload.c, trap_path()).  /etc and
 * /boot are not redirected at all.  So collect captures each path below,
 * replay writes each one into the testbed (or an absent marker), and the
 * configuration paths are read under an explicit config root.  A reader that
 * opens a /proc, /dev or /etc path not in this table is a bug. */
#pragma once

#include <stdbool.h>

enum gd_hostpath {
        GD_PROC_CMDLINE,
        GD_PROC_OSRELEASE,     /* uname() is not faked by umockdev */
        GD_PROC_CPUINFO,
        GD_PROC_MODULES,       /* libkmod opens it itself */
        GD_PROC_IOMEM,
        GD_PROC_CONFIG_GZ,
        GD_DEV_KMSG,
        GD_PROC_INTERRUPTS,    /* IR-PCI-MSI chips prove interrupt remapping */
        GD_PROC_XEN_CAPABILITIES, /* "control_d" in a Xen dom0 (xenfs) */
        GD_PROC_HOSTNAME,      /* the node name a Proxmox resource mapping is keyed by */
        GD_PROC_NVIDIA_VERSION, /* there whenever nvidia.ko is loaded */
        GD_PROC_NVIDIA_GPUS,   /* a directory: one per GPU nvidia probed */
        _GD_HOSTPATH_MAX,
};

struct gd_hostpath_info {
        const char *path;
        const char *what;
        bool needs_root;       /* readable, or complete, only for root */
};

const struct gd_hostpath_info *gd_hostpath(enum gd_hostpath p);

/* The path to open for a table entry.  /proc paths are opened as they are
 * (the preload serves the testbed's copy).  /dev paths are read below the
 * config root, like /etc: umockdev's preload treats every /dev file in a
 * testbed as an emulated device node and wants the ioctl socket that only a
 * UMockdevTestbed object serves, which replay does not run (see
 * replay/testbed-sysfs.c).  Live, the config root is "/".  Newly allocated. */
char *gd_hostpath_resolve(enum gd_hostpath p);

/* Any /dev path (a device node named at run time, /dev/nvidia0) opened as
 * gd_hostpath_resolve() opens the table's: below the config root.  Newly
 * allocated; NULL for a path outside /dev or on ENOMEM. */
char *gd_dev_path_resolve(const char *path);

/* Configuration read from the host's file system (/etc, /boot, /lib/modules).
 * Not redirected by umockdev, so it is read below a root: "/" live, the
 * bundle's copy on replay. */
enum gd_configpath {
        GD_ETC_MODPROBE_D,
        GD_ETC_MODULES,
        GD_ETC_MODULES_LOAD_D,
        GD_ETC_DEFAULT_GRUB,
        GD_ETC_KERNEL_CMDLINE,
        GD_ETC_INITRAMFS_MODULES,
        GD_ETC_MKINITCPIO_CONF,
        GD_ETC_DRACUT_CONF_D,
        GD_USR_LIB_MODPROBE_D,
        GD_BOOT,               /* config-<release>, initrd.img-<release> */
        GD_LIB_MODULES,        /* modules.alias, modules.builtin */
        GD_ETC_KERNEL_PROXMOX_BOOT_UUIDS,
        GD_ETC_OS_RELEASE,     /* distribution: which grub-mkconfig command */
        GD_USR_SBIN,           /* update-initramfs, dracut, mkinitcpio, proxmox-boot-tool, kernelstub */
        GD_ETC_PVE_QEMU_SERVER, /* Proxmox VE VM configs, <vmid>.conf (this node's, via pmxcfs) */
        GD_ETC_LIBVIRT_QEMU,   /* libvirt persistent domain XML, <name>.xml */
        GD_ETC_PVE_MAPPING_PCI, /* Proxmox VE resource mappings: hostpciN: mapping=NAME */
        GD_USR_BIN,            /* nvidia-ctk, nvidia-container-runtime, dockerd, containerd; dracut, mkinitcpio,
                                * booster, kernelstub (Arch and Fedora keep them here) */
        GD_ETC_DOCKER_DAEMON_JSON, /* the nvidia runtime for Docker */
        GD_ETC_CONTAINERD_CONFIG,  /* the nvidia runtime for containerd */
        GD_ETC_NVIDIA_CONTAINER_RUNTIME, /* the toolkit's own config directory */
        GD_ETC_CDI,            /* Container Device Interface specs (nvidia-ctk cdi generate) */
        GD_ETC_DEFAULT_GRUB_D, /* *.cfg, sourced after /etc/default/grub by grub-mkconfig */
        GD_ETC_KERNELSTUB_CONF, /* Pop!_OS: kernelstub's JSON, "user": {"kernel_options": [...]} */
        GD_ETC_BOOSTER_YAML,   /* booster: modules_force_load */
        GD_ETC_DRACUT_CONF,    /* dracut's main file, before dracut.conf.d */
        GD_VAR_LIB_GPUDIAG_JOURNAL, /* gpudiag apply's journal (written by apply only, never read by the reader) */
        GD_VAR_LOG_LIBVIRT_QEMU, /* libvirt's per-VM log, <name>.log: QEMU's stderr and libvirt's errors */
        _GD_CONFIGPATH_MAX,
};

const char *gd_configpath(enum gd_configpath p);

/* The root below which configuration paths are read.  Set once at start:
 * from --root, or from GPUDIAG_CONFIG_ROOT when replay re-executes us. */
void gd_config_root_set(const char *root);
const char *gd_config_root(void);

/* Returns a newly allocated absolute path of a configuration path under the
 * config root, with sub appended when non-NULL. */
char *gd_config_path_join(enum gd_configpath p, const char *sub);
/* path with the config root taken off ("/etc/..." as the host names it);
 * path itself when it is not below the root.  Points into path. */
const char *gd_config_path_strip(const char *path);
