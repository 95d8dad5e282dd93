/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "hostpaths.h"
#include "macro.h"

static const struct gd_hostpath_info hostpaths[_GD_HOSTPATH_MAX] = {
        [GD_PROC_CMDLINE]   = { "/proc/cmdline", "kernel command line", false },
        [GD_PROC_OSRELEASE] = { "/proc/sys/kernel/osrelease", "kernel release", false },
        [GD_PROC_CPUINFO]   = { "/proc/cpuinfo", "CPU vendor and flags", false },
        [GD_PROC_MODULES]   = { "/proc/modules", "loaded modules", false },
        /* Non-root readers see every address as 0 since Linux 4.x. */
        [GD_PROC_IOMEM]     = { "/proc/iomem", "memory map (boot framebuffers)", true },
        [GD_PROC_CONFIG_GZ] = { "/proc/config.gz", "kernel build configuration", false },
        /* Readable by non-root unless kernel.dmesg_restrict=1. */
        [GD_DEV_KMSG]       = { "/dev/kmsg", "kernel log", true },
        [GD_PROC_INTERRUPTS] = { "/proc/interrupts", "interrupt chips (remapping)", false },
        [GD_PROC_XEN_CAPABILITIES] = { "/proc/xen/capabilities", "Xen control domain or guest", false },
        [GD_PROC_HOSTNAME]  = { "/proc/sys/kernel/hostname", "node name (Proxmox resource mappings)", false },
        [GD_PROC_NVIDIA_VERSION] = { "/proc/driver/nvidia/version", "NVIDIA driver loaded", false },
        [GD_PROC_NVIDIA_GPUS] = { "/proc/driver/nvidia/gpus", "GPUs the NVIDIA driver probed", false },
};

static const char *const configpaths[_GD_CONFIGPATH_MAX] = {
        [GD_ETC_MODPROBE_D]        = "/etc/modprobe.d",
        [GD_ETC_MODULES]           = "/etc/modules",
        [GD_ETC_MODULES_LOAD_D]    = "/etc/modules-load.d",
        [GD_ETC_DEFAULT_GRUB]      = "/etc/default/grub",
        [GD_ETC_KERNEL_CMDLINE]    = "/etc/kernel/cmdline",
        [GD_ETC_INITRAMFS_MODULES] = "/etc/initramfs-tools/modules",
        [GD_ETC_MKINITCPIO_CONF]   = "/etc/mkinitcpio.conf",
        [GD_ETC_DRACUT_CONF_D]     = "/etc/dracut.conf.d",
        [GD_USR_LIB_MODPROBE_D]    = "/usr/lib/modprobe.d",
        [GD_BOOT]                  = "/boot",
        [GD_LIB_MODULES]           = "/lib/modules",
        [GD_ETC_KERNEL_PROXMOX_BOOT_UUIDS] = "/etc/kernel/proxmox-boot-uuids",
        [GD_ETC_OS_RELEASE]        = "/etc/os-release",
        [GD_USR_SBIN]              = "/usr/sbin",
        [GD_ETC_PVE_QEMU_SERVER]   = "/etc/pve/qemu-server",
        [GD_ETC_LIBVIRT_QEMU]      = "/etc/libvirt/qemu",
        [GD_ETC_PVE_MAPPING_PCI]   = "/etc/pve/mapping/pci.cfg",
        [GD_USR_BIN]               = "/usr/bin",
        [GD_ETC_DOCKER_DAEMON_JSON] = "/etc/docker/daemon.json",
        [GD_ETC_CONTAINERD_CONFIG] = "/etc/containerd/config.toml",
        [GD_ETC_NVIDIA_CONTAINER_RUNTIME] = "/etc/nvidia-container-runtime",
        [GD_ETC_CDI]               = "/etc/cdi",
        [GD_ETC_DEFAULT_GRUB_D]    = "/etc/default/grub.d",
        [GD_ETC_KERNELSTUB_CONF]   = "/etc/kernelstub/configuration",
        [GD_ETC_BOOSTER_YAML]      = "/etc/booster.yaml",
        [GD_ETC_DRACUT_CONF]       = "/etc/dracut.conf",
        [GD_VAR_LIB_GPUDIAG_JOURNAL] = "/var/lib/gpudiag/journal",
        [GD_VAR_LOG_LIBVIRT_QEMU]  = "/var/log/libvirt/qemu",
};

static char *config_root;

const struct gd_hostpath_info *gd_hostpath(enum gd_hostpath p) {
        return (unsigned) p < _GD_HOSTPATH_MAX ? &hostpaths[p] : NULL;
}

const char *gd_configpath(enum gd_configpath p) {
        return (unsigned) p < _GD_CONFIGPATH_MAX ? configpaths[p] : NULL;
}

void gd_config_root_set(const char *root) {
        free(config_root);
        config_root = (root && *root && strcmp(root, "/") != 0) ? strdup(root) : NULL;
}

const char *gd_config_root(void) {
        return config_root ? config_root : "/";
}

char *gd_config_path_join(enum gd_configpath p, const char *sub) {
        _cleanup_free_ char *base = NULL;

        base = config_root ? path_join(config_root, configpaths[p]) : strdup(configpaths[p]);
        if (!base || !sub)
                return TAKE_PTR(base);
        return path_join(base, sub);
}

const char *gd_config_path_strip(const char *path) {
        size_t n = config_root ? strlen(config_root) : 0;

        if (n && path && strncmp(path, config_root, n) == 0 && path[n] == '/')
                return path + n;
        return path;
}

char *gd_hostpath_resolve(enum gd_hostpath p) {
        const char *path = hostpaths[p].path;

        if (config_root && startswith(path, "/dev/"))
                return path_join(config_root, path);
        return strdup(path);
}

char *gd_dev_path_resolve(const char *path) {
        if (!startswith(path, "/dev/") || strstr(path, "/../"))
                return NULL;
        return config_root ? path_join(config_root, path) : strdup(path);
}
