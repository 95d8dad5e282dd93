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
#include "cmdline.h"

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

static void detect_tools(struct gd_bootconfig *b) {
        _cleanup_free_ char *os = NULL;

        /* Proxmox: proxmox-boot-tool keeps the ESPs it manages in this file
         * (pve-kernel-helper), with systemd-boot or GRUB on them. */
        if (config_exists(GD_ETC_KERNEL_PROXMOX_BOOT_UUIDS, NULL))
                b->bootloader = GD_BOOTLOADER_PROXMOX_BOOT;
        else if (config_exists(GD_ETC_KERNEL_CMDLINE, NULL))
                b->bootloader = GD_BOOTLOADER_SYSTEMD_BOOT;
        else if (config_exists(GD_ETC_DEFAULT_GRUB, NULL))
                b->bootloader = GD_BOOTLOADER_GRUB;
        else if (config_exists(GD_USR_SBIN, "kernelstub"))
                b->bootloader = GD_BOOTLOADER_KERNELSTUB;

        if (bootconfig_read_config(GD_ETC_OS_RELEASE, NULL, &os) == 0) {
                const char *cmd = gd_os_release_grub_mkconfig(os);
                if (cmd)
                        b->grub_mkconfig = strdup(cmd);
        }

        if (config_exists(GD_USR_SBIN, "update-initramfs"))
                b->initramfs_tool = GD_INITRAMFS_TOOLS;
        else if (config_exists(GD_USR_SBIN, "dracut") || config_exists(GD_ETC_DRACUT_CONF_D, NULL))
                b->initramfs_tool = GD_INITRAMFS_DRACUT;
        else if (config_exists(GD_USR_SBIN, "mkinitcpio") || config_exists(GD_ETC_MKINITCPIO_CONF, NULL))
                b->initramfs_tool = GD_INITRAMFS_MKINITCPIO;
}

static int take_cmdline(struct gd_bootconfig *b, const char *args, const char *written,
                        enum gd_configpath src, unsigned line) {
        struct gd_cmdline c = {};
        int r;

        r = gd_cmdline_parse(args, &c);
        if (r < 0)
                return r;
        free(c.raw);
        c.raw = strdup(written);
        b->next_cmdline_source = strdup(gd_configpath(src));
        if (!c.raw || !b->next_cmdline_source) {
                gd_cmdline_clear(&c);
                return -ENOMEM;
        }
        b->next_cmdline = c;
        b->next_cmdline_line = line;
        return 0;
}

static int read_next_cmdline(struct gd_bootconfig *b) {
        _cleanup_free_ char *text = NULL;
        int r;

        /* systemd-boot / proxmox-boot-tool / kernel-install: one line. */
        r = bootconfig_read_config(GD_ETC_KERNEL_CMDLINE, NULL, &text);
        if (r == 0) {
                size_t len = strcspn(text, "\n");
                text[len] = '\0';
                return take_cmdline(b, text, text, GD_ETC_KERNEL_CMDLINE, 1);
        }
        if (r != -ENOENT)
                return r;

        r = bootconfig_read_config(GD_ETC_DEFAULT_GRUB, NULL, &text);
        if (r == 0) {
                _cleanup_(gd_grub_default_clear) struct gd_grub_default g = {};
                _cleanup_free_ char *joined = NULL;
                const char *lnx, *dflt;

                r = gd_grub_default_parse(text, &g);
                if (r < 0)
                        return r;
                lnx = g.cmdline_linux ? g.cmdline_linux : "";
                dflt = g.cmdline_linux_default ? g.cmdline_linux_default : "";
                /* /etc/grub.d/10_linux: linux_entry ... "${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT}" */
                if (asprintf(&joined, "%s %s", lnx, dflt) < 0)
                        return -ENOMEM;
                if (g.line_default)
                        return take_cmdline(b, joined, g.text_default, GD_ETC_DEFAULT_GRUB, g.line_default);
                if (g.line_linux)
                        return take_cmdline(b, joined, g.text_linux, GD_ETC_DEFAULT_GRUB, g.line_linux);
                /* Neither is assigned: the next boot passes no extra flags. */
                return take_cmdline(b, joined, "", GD_ETC_DEFAULT_GRUB, 0);
        }
        return r;
}

static int64_t mtime_of(const char *path) {
        struct gd_io_stat st;
        if (gd_io_stat(path, &st) < 0 || !st.is_reg)
                return -1;
        return st.mtime;
}

static void read_initramfs(struct gd_bootconfig *b, const char *release) {
        char *names[3] = {};

        /* Debian/Ubuntu/Proxmox, Fedora/RHEL (dracut), Arch (named after the
         * kernel package, not the release). */
        if (asprintf(&names[0], "initrd.img-%s", release) < 0)
                names[0] = NULL;
        if (asprintf(&names[1], "initramfs-%s.img", release) < 0)
                names[1] = NULL;
        names[2] = strdup("initramfs-linux.img");

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

        b->next_cmdline_state = read_next_cmdline(b);
        if (b->next_cmdline_state == -ENOMEM)
                return -ENOMEM;

        b->kconfig_state = -ENODATA;
        if (h && h->kernel_release) {
                b->kconfig_state = bootconfig_read_kconfig(b, h->kernel_release);
                if (b->kconfig_state == -ENOMEM)
                        return -ENOMEM;
                read_initramfs(b, h->kernel_release);
        }
        read_modconf_mtimes(b);

        *ret = TAKE_PTR(b);
        return 0;
}
