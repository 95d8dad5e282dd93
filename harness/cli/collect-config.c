/* SPDX-License-Identifier: MIT */
/* gpudiag collect: the configuration below the config root (modprobe.d,
 * modules-load.d, boot loader and initramfs files, the kernel config) and
 * the parts of /lib/modules/<release> that matter for this host. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/strv.h"
#include "collect-internal.h"

#define CONFIG_FILE_MAX (64u * 1024u)
#define MODULES_ALIAS_MAX (64u * 1024u * 1024u)
#define ALIASES_CONF "/usr/lib/modprobe.d/gpudiag-aliases.conf"

/* ---- configuration below the config root ------------------------------- */

static char *config_real(const char *logical) {
        return streq(gd_config_root(), "/") ? strdup(logical) : path_join(gd_config_root(), logical);
}

/* A whole small file with its mtime; past CONFIG_FILE_MAX, the lines that fit. */
static int capture_config_file(struct capture *c, const char *logical) {
        _cleanup_free_ char *real = config_real(logical);
        char *text = NULL;
        size_t len = 0;
        struct stat st;
        int r;

        if (!real)
                return -ENOMEM;
        if (stat(real, &st) < 0)
                return add_error(c, logical, -errno);
        if (!S_ISREG(st.st_mode))
                return 0;
        r = read_file_capped(real, GD_TEXT_FILE_MAX, &text, &len);
        if (r < 0)
                return add_error(c, logical, r);
        if (len > CONFIG_FILE_MAX) {
                char *nl = memrchr(text, '\n', CONFIG_FILE_MAX);
                len = nl ? (size_t) (nl + 1 - text) : CONFIG_FILE_MAX;
                text[len] = '\0';
        }
        return add_file(c, logical, text, len, (int64_t) st.st_mtime);
}

/* Presence (and mtime) only: an initramfs image, a tool in /usr/sbin. */
static int capture_presence(struct capture *c, const char *logical, bool with_mtime) {
        _cleanup_free_ char *real = config_real(logical);
        struct stat st;

        if (!real)
                return -ENOMEM;
        if (stat(real, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        return add_file(c, logical, NULL, 0, with_mtime ? (int64_t) st.st_mtime : -1);
}

static int capture_conf_dir(struct capture *c, const char *logical_dir) {
        _cleanup_free_ char *real = config_real(logical_dir);
        _cleanup_strv_free_ char **names = NULL;
        int r;

        if (!real)
                return -ENOMEM;
        r = dir_list(real, NULL, &names);
        if (r < 0)
                return add_error(c, logical_dir, r);
        for (size_t i = 0; names[i] && r >= 0; i++) {
                const char *name = names[i];
                size_t len = strlen(name);
                _cleanup_free_ char *logical = NULL;

                if (name[0] != '.' && len > 5 && streq(name + len - 5, ".conf") &&
                    !streq(name, "gpudiag-aliases.conf")) {
                        logical = path_join(logical_dir, name);
                        r = logical ? capture_config_file(c, logical) : -ENOMEM;
                }
        }
        return r;
}

/* VM configs that pass a PCI device through (Proxmox hostpciN, libvirt
 * <hostdev>), whole up to CONFIG_FILE_MAX like any config file; the others
 * say nothing about passthrough and stay home.  MACs (net0: virtio=...,
 * <mac address=.../>) and UUIDs (smbios1: uuid=, vmgenid:, <uuid>) go
 * through the same redaction as every captured file. */
static int capture_vm_dir(struct capture *c, const char *logical_dir, const char *suffix, const char *needle) {
        _cleanup_free_ char *real = config_real(logical_dir);
        _cleanup_strv_free_ char **names = NULL;
        size_t sl = strlen(suffix);
        int r = 0;

        if (!real)
                return -ENOMEM;
        if (dir_list(real, NULL, &names) < 0)
                return 0;               /* not a Proxmox / libvirt host */
        for (size_t i = 0; names[i] && r >= 0; i++) {
                const char *name = names[i];
                size_t len = strlen(name);

                if (name[0] != '.' && len > sl && streq(name + len - sl, suffix)) {
                        _cleanup_free_ char *path = path_join(real, name), *logical = path_join(logical_dir, name);
                        _cleanup_free_ char *text = NULL;

                        if (!path || !logical)
                                r = -ENOMEM;
                        else if (read_file_capped(path, GD_TEXT_FILE_MAX, &text, NULL) >= 0 && strstr(text, needle))
                                r = capture_config_file(c, logical);
                }
        }
        return r;
}

static int capture_kconfig(struct capture *c, const char *release) {
        _cleanup_free_ char *logical = NULL, *real = NULL, *text = NULL;
        char *filtered;
        size_t len;
        struct stat st;
        int r;

        if (asprintf(&logical, "/boot/config-%s", release) < 0 || !(real = config_real(logical)))
                return -ENOMEM;
        if (stat(real, &st) < 0)
                return add_error(c, logical, -errno);
        r = read_file_capped(real, GD_TEXT_FILE_MAX, &text, NULL);
        if (r < 0)
                return add_error(c, logical, r);
        filtered = kconfig_filter(text, &len);
        return filtered ? add_file(c, logical, filtered, len, (int64_t) st.st_mtime) : -ENOMEM;
}

static bool builtin_of_interest(const char *line, size_t n) {
        static const char *const words[] = {
                "vfio", "drivers/gpu/", "drivers/video/", "sound/pci/hda/", "drivers/usb/host/xhci",
                "i2c-nvidia", "typec/ucsi", "drivers/iommu/", "drivers/pci/",
        };
        for (size_t i = 0; i < ELEMENTSOF(words); i++)
                if (memmem(line, n, words[i], strlen(words[i])))
                        return true;
        return false;
}

/* modules.alias is megabytes: keep the "alias" lines whose pattern matches
 * a present device's modalias, as a modprobe.d file that libkmod reads
 * through its config paths on replay (config aliases are honoured before
 * the index, see fixtures/modconfig).  modules.builtin: the lines of the
 * drivers that matter for passthrough. */
static int capture_modules(struct capture *c, const char *release, const struct gd_host *h) {
        _cleanup_free_ char *dir = NULL, *alias_path = NULL, *text = NULL, *builtin = NULL;
        _cleanup_free_ char *out = NULL, *logical = NULL;
        size_t size = 0, len = 0;
        struct stat st;
        FILE *f;
        int r;

        if (asprintf(&dir, "/lib/modules/%s", release) < 0 || !(alias_path = path_join(dir, "modules.alias")))
                return -ENOMEM;
        {
                _cleanup_free_ char *real = config_real(alias_path);
                if (!real)
                        return -ENOMEM;
                r = stat(real, &st) < 0 ? -errno : read_file_capped(real, MODULES_ALIAS_MAX, &text, NULL);
        }
        if (r < 0) {
                r = add_error(c, alias_path, r);
                if (r < 0)
                        return r;
        } else {
                f = open_memstream(&out, &size);
                if (!f)
                        return -ENOMEM;
                fprintf(f, "# gpudiag collect: the lines of %s that match this host's devices\n", alias_path);
                for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                        char pat[512], mod[256];

                        if (!startswith(l, "alias pci:") || sscanf(l, "alias %511s %255s", pat, mod) != 2)
                                continue;
                        for (size_t i = 0; i < h->n_devs; i++)
                                if (h->devs[i].modalias && fnmatch(pat, h->devs[i].modalias, 0) == 0) {
                                        fprintf(f, "alias %s %s\n", pat, mod);
                                        break;
                                }
                }
                if (fclose(f) != 0)
                        return -ENOMEM;
                r = add_file(c, ALIASES_CONF, TAKE_PTR(out), size, (int64_t) st.st_mtime);
                if (r < 0)
                        return r;
        }

        if (!(logical = path_join(dir, "modules.builtin")))
                return -ENOMEM;
        {
                _cleanup_free_ char *real = config_real(logical);
                if (!real)
                        return -ENOMEM;
                r = stat(real, &st) < 0 ? -errno : read_file_capped(real, GD_TEXT_FILE_MAX, &builtin, NULL);
        }
        if (r < 0)
                return add_error(c, logical, r);
        {
                char *w = builtin;
                for (char *p = builtin; *p; ) {
                        char *nl = strchrnul(p, '\n');
                        size_t n = (size_t) (nl - p);
                        if (builtin_of_interest(p, n)) {
                                memmove(w, p, n);
                                w += n;
                                *w++ = '\n';
                        }
                        p = *nl ? nl + 1 : nl;
                }
                *w = '\0';
                len = (size_t) (w - builtin);
        }
        return add_file(c, logical, TAKE_PTR(builtin), len, (int64_t) st.st_mtime);
}

int capture_config(struct capture *c, const struct gd_host *h) {
        static const char *const dirs[] = {
                "/etc/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d", "/etc/modules-load.d", "/etc/dracut.conf.d",
        };
        static const char *const single[] = {
                "/etc/modules", "/etc/default/grub", "/etc/kernel/cmdline", "/etc/kernel/proxmox-boot-uuids",
                "/etc/os-release", "/etc/initramfs-tools/modules", "/etc/mkinitcpio.conf",
        };
        static const char *const tools[] = {
                "update-initramfs", "dracut", "mkinitcpio", "proxmox-boot-tool", "kernelstub",
        };
        const char *release = h->kernel_release;
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(dirs); i++) {
                /* /lib/modprobe.d is /usr/lib/modprobe.d on merged-/usr systems. */
                if (i == 2) {
                        _cleanup_free_ char *a = config_real(dirs[1]), *b = config_real(dirs[2]);
                        _cleanup_free_ char *ra = a ? realpath(a, NULL) : NULL, *rb = b ? realpath(b, NULL) : NULL;
                        if (ra && rb && streq(ra, rb))
                                continue;
                }
                r = capture_conf_dir(c, dirs[i]);
        }
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(single); i++)
                r = capture_config_file(c, single[i]);
        if (r >= 0)
                r = capture_vm_dir(c, "/etc/pve/qemu-server", ".conf", "hostpci");
        if (r >= 0)
                r = capture_vm_dir(c, "/etc/libvirt/qemu", ".xml", "<hostdev");
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(tools); i++) {
                _cleanup_free_ char *p = path_join("/usr/sbin", tools[i]);
                r = p ? capture_presence(c, p, false) : -ENOMEM;
        }
        if (r < 0 || !release || !*release || strchr(release, '/') || streq(release, ".."))
                return r;

        r = capture_kconfig(c, release);
        if (r >= 0) {
                /* Debian/Proxmox, Fedora (dracut), Arch: bootconfig.c's names. */
                for (int i = 0; r >= 0 && i < 3; i++) {
                        _cleanup_free_ char *p = NULL;
                        int k = i == 0 ? asprintf(&p, "/boot/initrd.img-%s", release) :
                                i == 1 ? asprintf(&p, "/boot/initramfs-%s.img", release) :
                                         asprintf(&p, "/boot/initramfs-linux.img");
                        r = k < 0 ? -ENOMEM : capture_presence(c, p, true);
                }
        }
        if (r >= 0)
                r = capture_modules(c, release, h);
        return r;
}
