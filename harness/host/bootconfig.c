/* SPDX-License-Identifier: MIT */
/* Boot configuration: which boot loader and initramfs tool this host uses,
 * what the boot loader will pass next boot, the kernel build configuration,
 * and the mtimes that tell a stale initramfs.
 *
 * next_cmdline: args are what the kernel will get from the boot loader
 * configuration (for GRUB: GRUB_CMDLINE_LINUX then GRUB_CMDLINE_LINUX_DEFAULT,
 * the order /etc/grub.d/10_linux writes them into the "linux" line);
 * raw is the line as written in next_cmdline_source at next_cmdline_line,
 * the line a person edits (for GRUB the last assignment of
 * GRUB_CMDLINE_LINUX_DEFAULT, else of GRUB_CMDLINE_LINUX), so that
 * evidence and remedies can quote it.
 *
 * The /etc/default/grub evaluator is in grub-default.c, the kernel .config
 * reader and parser in kconfig.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/io.h"
#include "base/hostpaths.h"
#include "base/macro.h"
#include "base/strv.h"
#include "bootconfig-internal.h"
#include "bootconfig.h"

/* ---- /etc/os-release -------------------------------------------------------- */

/* The unquoted value of KEY= in os-release text, in buf. */
static bool os_release_value(const char *text, const char *key, char *buf, size_t size) {
        size_t klen = strlen(key);

        for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
                const char *v, *e;
                size_t n = 0;

                if (strncmp(p, key, klen) != 0 || p[klen] != '=')
                        continue;
                v = p + klen + 1;
                e = strchr(v, '\n');
                if (!e)
                        e = v + strlen(v);
                for (; v < e && n + 1 < size; v++)
                        if (*v != '"' && *v != '\'')
                                buf[n++] = *v;
                buf[n] = '\0';
                return true;
        }
        return false;
}

static const char *grub_mkconfig_for(const char *id, size_t len) {
        static const struct {
                const char *id, *cmd;
        } table[] = {
                { "debian",    "update-grub" },
                { "ubuntu",    "update-grub" },
                { "fedora",    "grub2-mkconfig -o /boot/grub2/grub.cfg" },
                { "rhel",      "grub2-mkconfig -o /boot/grub2/grub.cfg" },
                { "centos",    "grub2-mkconfig -o /boot/grub2/grub.cfg" },
                { "rocky",     "grub2-mkconfig -o /boot/grub2/grub.cfg" },
                { "almalinux", "grub2-mkconfig -o /boot/grub2/grub.cfg" },
                { "suse",      "grub2-mkconfig -o /boot/grub2/grub.cfg" },
                { "opensuse",  "grub2-mkconfig -o /boot/grub2/grub.cfg" },
                { "arch",      "grub-mkconfig -o /boot/grub/grub.cfg" },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strlen(table[i].id) == len && strncmp(table[i].id, id, len) == 0)
                        return table[i].cmd;
        return NULL;
}

const char *gd_os_release_grub_mkconfig(const char *text) {
        char buf[256];
        const char *cmd;

        if (!text)
                return NULL;
        if (os_release_value(text, "ID", buf, sizeof(buf)) &&
            (cmd = grub_mkconfig_for(buf, strlen(buf))))
                return cmd;
        /* opensuse-leap, opensuse-tumbleweed */
        if (startswith(buf, "opensuse"))
                return grub_mkconfig_for("opensuse", 8);
        if (os_release_value(text, "ID_LIKE", buf, sizeof(buf))) {
                for (char *w = buf; *w;) {
                        size_t n = strcspn(w, " \t");
                        if (n && (cmd = grub_mkconfig_for(w, n)))
                                return cmd;
                        w += n;
                        w += strspn(w, " \t");
                }
        }
        return NULL;
}

/* ---- the reader ------------------------------------------------------------- */

static bool config_exists(enum gd_configpath p, const char *sub) {
        _cleanup_free_ char *path = gd_config_path_join(p, sub);
        return path && gd_io_stat(path, NULL) == 0;
}

int bootconfig_read_config(enum gd_configpath p, const char *sub, char **ret) {
        _cleanup_free_ char *path = gd_config_path_join(p, sub);
        if (!path)
                return -ENOMEM;
        return gd_io_read(path, GD_CAP_TEXT, ret, NULL);
}

int bootconfig_read_keep(struct gd_bootconfig *b, enum gd_configpath p, const char *sub, char **ret) {
        _cleanup_free_ char *text = NULL, *host = NULL;
        int r = bootconfig_read_config(p, sub, &text);

        if (r == -ENOMEM)
                return r;
        host = sub ? path_join(gd_configpath(p), sub) : strdup(gd_configpath(p));
        if (!host || gd_conffiles_keep(&b->files, host, text, r) < 0)
                return -ENOMEM;
        if (r == 0 && ret)
                *ret = TAKE_PTR(text);
        return r;
}

/* An installed program: Debian keeps update-initramfs, update-grub and
 * driverctl in /usr/sbin; Arch (where /usr/sbin is a link to /usr/bin) and
 * Fedora install dracut, mkinitcpio and booster in /usr/bin, Pop!_OS
 * kernelstub too. */
static bool program_installed(const char *name) {
        return config_exists(GD_USR_SBIN, name) || config_exists(GD_USR_BIN, name);
}

static void detect_bootloader(struct gd_bootconfig *b) {
        /* Pop!_OS boots with systemd-boot entries that kernelstub writes
         * from its own configuration; its /etc/default/grub is unused. */
        if (config_exists(GD_ETC_KERNELSTUB_CONF, NULL))
                b->bootloader = GD_BOOTLOADER_KERNELSTUB;
        /* Proxmox: proxmox-boot-tool keeps the ESPs it manages in this file
         * (pve-kernel-helper), with systemd-boot or GRUB on them. */
        else if (config_exists(GD_ETC_KERNEL_PROXMOX_BOOT_UUIDS, NULL))
                b->bootloader = GD_BOOTLOADER_PROXMOX_BOOT;
        else if (config_exists(GD_ETC_KERNEL_CMDLINE, NULL))
                b->bootloader = GD_BOOTLOADER_SYSTEMD_BOOT;
        else if (config_exists(GD_ETC_DEFAULT_GRUB, NULL))
                b->bootloader = GD_BOOTLOADER_GRUB;
}

static unsigned only_tool(unsigned set) {
        for (unsigned t = GD_INITRAMFS_TOOLS; t < _GD_INITRAMFS_MAX; t++)
                if (set == 1u << t)
                        return t;
        return GD_INITRAMFS_UNKNOWN;
}

/* Which initramfs tool builds this host's initramfs: the one installed;
 * among several, the one whose image the running kernel boots (booster
 * writes booster-<kernel>.img, mkinitcpio initramfs-<kernel>.img); without
 * a program found, the configuration only its tool has. */
static void detect_initramfs(struct gd_bootconfig *b) {
        static const struct {
                enum gd_initramfs_tool tool;
                const char *program;
        } programs[] = {
                { GD_INITRAMFS_TOOLS, "update-initramfs" },
                { GD_INITRAMFS_DRACUT, "dracut" },
                { GD_INITRAMFS_MKINITCPIO, "mkinitcpio" },
                { GD_INITRAMFS_BOOSTER, "booster" },
        };
        unsigned found = 0;

        for (size_t i = 0; i < ELEMENTSOF(programs); i++)
                if (program_installed(programs[i].program))
                        found |= 1u << programs[i].tool;
        if (found == 0) {
                if (config_exists(GD_ETC_DRACUT_CONF_D, NULL))
                        found = 1u << GD_INITRAMFS_DRACUT;
                else if (config_exists(GD_ETC_MKINITCPIO_CONF, NULL))
                        found = 1u << GD_INITRAMFS_MKINITCPIO;
                else if (config_exists(GD_ETC_BOOSTER_YAML, NULL))
                        found = 1u << GD_INITRAMFS_BOOSTER;
        }
        b->initramfs_tools_found = found;
        b->initramfs_tool = only_tool(found);
        if (b->initramfs_tool != GD_INITRAMFS_UNKNOWN || !found || !b->initramfs_path)
                return;
        if ((found & (1u << GD_INITRAMFS_BOOSTER)) && strstr(b->initramfs_path, "/booster-"))
                b->initramfs_tool = GD_INITRAMFS_BOOSTER;
        else if ((found & (1u << GD_INITRAMFS_MKINITCPIO)) && strstr(b->initramfs_path, "/initramfs-linux"))
                b->initramfs_tool = GD_INITRAMFS_MKINITCPIO;
}

/* The files a plan edits to put modules into the initramfs, kept as read. */
static int keep_initramfs_config(struct gd_bootconfig *b) {
        _cleanup_free_ char *dir = gd_config_path_join(GD_ETC_DRACUT_CONF_D, NULL);
        _cleanup_strv_free_ char **names = NULL;
        static const enum gd_configpath files[] = {
                GD_ETC_INITRAMFS_MODULES, GD_ETC_MKINITCPIO_CONF, GD_ETC_BOOSTER_YAML, GD_ETC_DRACUT_CONF,
        };

        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (bootconfig_read_keep(b, files[i], NULL, NULL) == -ENOMEM)
                        return -ENOMEM;
        if (!dir)
                return -ENOMEM;
        if (gd_io_list(dir, GD_IO_LIST_NO_DIRS, &names) < 0)
                return 0;
        for (size_t i = 0; names[i]; i++)
                if (names[i][0] != '.' && endswith(names[i], ".conf") &&
                    bootconfig_read_keep(b, GD_ETC_DRACUT_CONF_D, names[i], NULL) == -ENOMEM)
                        return -ENOMEM;
        return 0;
}

static void detect_tools(struct gd_bootconfig *b) {
        _cleanup_free_ char *os = NULL;

        detect_bootloader(b);
        if (bootconfig_read_config(GD_ETC_OS_RELEASE, NULL, &os) == 0) {
                const char *cmd = gd_os_release_grub_mkconfig(os);
                if (cmd)
                        b->grub_mkconfig = strdup(cmd);
        }
        b->driverctl = program_installed("driverctl") ? TRI_YES : TRI_NO;
}

static int64_t mtime_of(const char *path) {
        struct gd_io_stat st;
        if (gd_io_stat(path, &st) < 0 || !st.is_reg)
                return -1;
        return st.mtime;
}

static void read_initramfs(struct gd_bootconfig *b, const char *release) {
        char *names[4] = {};

        /* Debian/Ubuntu/Proxmox, Fedora/RHEL (dracut), Arch (named after the
         * kernel package, not the release: mkinitcpio, booster). */
        if (asprintf(&names[0], "initrd.img-%s", release) < 0)
                names[0] = NULL;
        if (asprintf(&names[1], "initramfs-%s.img", release) < 0)
                names[1] = NULL;
        names[2] = strdup("initramfs-linux.img");
        names[3] = strdup("booster-linux.img");

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *path = NULL;
                int64_t m;

                if (!names[i] || b->initramfs_path)
                        continue;
                path = gd_config_path_join(GD_BOOT, names[i]);
                if (!path || (m = mtime_of(path)) < 0)
                        continue;
                if (asprintf(&b->initramfs_path, "%s/%s", gd_configpath(GD_BOOT), names[i]) < 0)
                        b->initramfs_path = NULL;
                else
                        b->initramfs_mtime = m;
        }
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                free(names[i]);
}

static void consider(struct gd_bootconfig *b, enum gd_configpath p, const char *sub) {
        _cleanup_free_ char *path = gd_config_path_join(p, sub);
        int64_t m;

        if (!path)
                return;
        m = mtime_of(path);
        if (m < 0 || m <= b->newest_modconf_mtime)
                return;
        free(b->newest_modconf_path);
        b->newest_modconf_path = NULL;
        if (sub) {
                if (asprintf(&b->newest_modconf_path, "%s/%s", gd_configpath(p), sub) < 0)
                        b->newest_modconf_path = NULL;
        } else
                b->newest_modconf_path = strdup(gd_configpath(p));
        b->newest_modconf_mtime = b->newest_modconf_path ? m : -1;
}

static void consider_dir(struct gd_bootconfig *b, enum gd_configpath p) {
        _cleanup_free_ char *dir = gd_config_path_join(p, NULL);
        _cleanup_strv_free_ char **names = NULL;

        if (!dir || gd_io_list(dir, 0, &names) < 0)
                return;
        for (size_t i = 0; names[i]; i++) {
                size_t n = strlen(names[i]);
                if (names[i][0] == '.' || n < 6 || strcmp(names[i] + n - 5, ".conf") != 0)
                        continue;
                consider(b, p, names[i]);
        }
}

/* The files whose content an initramfs build copies or acts on: modprobe.d
 * options and softdeps, the module lists of initramfs-tools, mkinitcpio
 * and dracut, and the modules-load lists dracut's systemd module copies. */
static void read_modconf_mtimes(struct gd_bootconfig *b) {
        consider_dir(b, GD_ETC_MODPROBE_D);
        consider(b, GD_ETC_MODULES, NULL);
        consider_dir(b, GD_ETC_MODULES_LOAD_D);
        consider(b, GD_ETC_INITRAMFS_MODULES, NULL);
        consider(b, GD_ETC_MKINITCPIO_CONF, NULL);
        consider_dir(b, GD_ETC_DRACUT_CONF_D);
}

static void bootconfig_freep(struct gd_bootconfig **b) {
        gd_bootconfig_free(*b);
}

int gd_bootconfig_read(const struct gd_host *h, struct gd_bootconfig **ret) {
        _cleanup_(bootconfig_freep) struct gd_bootconfig *b = NULL;

        if (!ret)
                return -EINVAL;
        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        b->initramfs_mtime = -1;
        b->newest_modconf_mtime = -1;

        detect_tools(b);

        b->next_cmdline_state = bootconfig_read_next_cmdline(b);
        if (b->next_cmdline_state == -ENOMEM)
                return -ENOMEM;
        if (keep_initramfs_config(b) < 0)
                return -ENOMEM;

        b->kconfig_state = -ENODATA;
        if (h && h->kernel_release) {
                b->kconfig_state = bootconfig_read_kconfig(b, h->kernel_release);
                if (b->kconfig_state == -ENOMEM)
                        return -ENOMEM;
                read_initramfs(b, h->kernel_release);
        }
        detect_initramfs(b);
        read_modconf_mtimes(b);

        *ret = TAKE_PTR(b);
        return 0;
}
