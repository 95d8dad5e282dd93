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
 * evidence and remedies can quote it. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/macro.h"
#include "base/strv.h"
#include "bootconfig.h"
#include "cmdline.h"

/* ---- /etc/default/grub ---------------------------------------------------- */

struct shvar {
        char *name, *value;
};

struct shenv {
        struct shvar *v;
        size_t n;
};

static void shenv_clear(struct shenv *e) {
        for (size_t i = 0; i < e->n; i++) {
                free(e->v[i].name);
                free(e->v[i].value);
        }
        free(e->v);
        e->v = NULL;
        e->n = 0;
}

static const char *shenv_get(const struct shenv *e, const char *name, size_t len) {
        for (size_t i = e->n; i-- > 0;)
                if (strlen(e->v[i].name) == len && memcmp(e->v[i].name, name, len) == 0)
                        return e->v[i].value;
        return NULL;
}

static int shenv_set(struct shenv *e, const char *name, size_t len, const char *value) {
        struct shvar *v;

        for (size_t i = 0; i < e->n; i++)
                if (strlen(e->v[i].name) == len && memcmp(e->v[i].name, name, len) == 0) {
                        char *nv = strdup(value);
                        if (!nv)
                                return -ENOMEM;
                        free(e->v[i].value);
                        e->v[i].value = nv;
                        return 0;
                }
        v = reallocarray(e->v, e->n + 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        e->v = v;
        v[e->n].name = strndup(name, len);
        v[e->n].value = strdup(value);
        if (!v[e->n].name || !v[e->n].value) {
                free(v[e->n].name);
                free(v[e->n].value);
                return -ENOMEM;
        }
        e->n++;
        return 0;
}

/* A growing string. */
struct sbuf {
        char *s;
        size_t len, cap;
        bool oom;
};

static void sbuf_add(struct sbuf *b, const char *s, size_t n) {
        if (b->oom)
                return;
        if (b->len + n + 1 > b->cap) {
                size_t cap = (b->len + n + 1) * 2;
                char *ns = realloc(b->s, cap);
                if (!ns) {
                        b->oom = true;
                        return;
                }
                b->s = ns;
                b->cap = cap;
        }
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
}

static bool is_name_start(char c) {
        return c == '_' || isalpha((unsigned char) c);
}

static bool is_name_char(char c) {
        return c == '_' || isalnum((unsigned char) c);
}

/* Expands $NAME or ${NAME} at *p (which points at '$'). */
static const char *expand(const char *p, const struct shenv *env, struct sbuf *out) {
        const char *name, *val;
        size_t len = 0;

        if (p[1] == '{') {
                name = p + 2;
                while (is_name_char(name[len]))
                        len++;
                /* ${NAME:-x} and friends are not used in this file in practice:
                 * take the name, drop the rest up to '}'. */
                const char *close = strchr(name, '}');
                if (len == 0 || !close) {
                        sbuf_add(out, "$", 1);
                        return p + 1;
                }
                val = shenv_get(env, name, len);
                if (val)
                        sbuf_add(out, val, strlen(val));
                return close + 1;
        }
        if (!is_name_start(p[1])) {
                sbuf_add(out, "$", 1);
                return p + 1;
        }
        name = p + 1;
        while (is_name_char(name[len]))
                len++;
        val = shenv_get(env, name, len);
        if (val)
                sbuf_add(out, val, strlen(val));
        return name + len;
}

/* One shell word: quotes removed, variables expanded.  Stops at an
 * unquoted blank, newline or ';'.  *line counts newlines inside quotes. */
static const char *parse_word(const char *p, const struct shenv *env, unsigned *line, struct sbuf *out) {
        sbuf_add(out, "", 0);
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != ';') {
                if (*p == '\'') {
                        const char *e = strchr(p + 1, '\'');
                        if (!e)
                                e = p + strlen(p);
                        for (const char *q = p + 1; q < e; q++)
                                if (*q == '\n')
                                        (*line)++;
                        sbuf_add(out, p + 1, (size_t) (e - p - 1));
                        p = *e ? e + 1 : e;
                } else if (*p == '"') {
                        p++;
                        while (*p && *p != '"') {
                                if (*p == '\\' && p[1] && strchr("$`\"\\\n", p[1])) {
                                        if (p[1] == '\n')
                                                (*line)++;
                                        else
                                                sbuf_add(out, p + 1, 1);
                                        p += 2;
                                } else if (*p == '$') {
                                        p = expand(p, env, out);
                                } else {
                                        if (*p == '\n')
                                                (*line)++;
                                        sbuf_add(out, p, 1);
                                        p++;
                                }
                        }
                        if (*p == '"')
                                p++;
                } else if (*p == '`') {
                        /* A command substitution: kept as written, never run. */
                        const char *e = strchr(p + 1, '`');
                        e = e ? e + 1 : p + strlen(p);
                        sbuf_add(out, p, (size_t) (e - p));
                        p = e;
                } else if (*p == '\\' && p[1]) {
                        if (p[1] == '\n')
                                (*line)++;
                        else
                                sbuf_add(out, p + 1, 1);
                        p += 2;
                } else if (*p == '$') {
                        p = expand(p, env, out);
                } else {
                        sbuf_add(out, p, 1);
                        p++;
                }
        }
        return p;
}

void gd_grub_default_clear(struct gd_grub_default *g) {
        if (!g)
                return;
        free(g->cmdline_linux);
        free(g->cmdline_linux_default);
        free(g->text_linux);
        free(g->text_default);
        *g = (struct gd_grub_default) {};
}

static int set_dup(char **dst, const char *s, size_t n) {
        char *d = strndup(s, n);
        if (!d)
                return -ENOMEM;
        free(*dst);
        *dst = d;
        return 0;
}

int gd_grub_default_parse(const char *text, struct gd_grub_default *ret) {
        _cleanup_(gd_grub_default_clear) struct gd_grub_default g = {};
        _cleanup_(shenv_clear) struct shenv env = {};
        const char *p = text;
        unsigned line = 1;
        int r;

        if (!text || !ret)
                return -EINVAL;

        while (*p) {
                const char *stmt, *name;
                struct sbuf val = {};
                unsigned stmt_line;
                size_t nlen = 0;

                while (*p == ' ' || *p == '\t' || *p == ';')
                        p++;
                if (*p == '\n') {
                        line++;
                        p++;
                        continue;
                }
                if (*p == '\0')
                        break;
                stmt = p;
                stmt_line = line;
                if (strncmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
                        p += 6;
                        while (*p == ' ' || *p == '\t')
                                p++;
                }
                name = p;
                if (is_name_start(*p))
                        while (is_name_char(name[nlen]))
                                nlen++;
                if (nlen == 0 || name[nlen] != '=') {
                        /* A comment or something we do not evaluate. */
                        const char *nl = strchr(p, '\n');
                        p = nl ? nl : p + strlen(p);
                        continue;
                }
                p = parse_word(name + nlen + 1, &env, &line, &val);
                if (val.oom) {
                        free(val.s);
                        return -ENOMEM;
                }
                r = shenv_set(&env, name, nlen, val.s ? val.s : "");
                if (r >= 0 && nlen == strlen("GRUB_CMDLINE_LINUX") &&
                    memcmp(name, "GRUB_CMDLINE_LINUX", nlen) == 0) {
                        r = set_dup(&g.cmdline_linux, val.s ? val.s : "", val.len);
                        if (r >= 0)
                                r = set_dup(&g.text_linux, stmt, (size_t) (p - stmt));
                        g.line_linux = stmt_line;
                } else if (r >= 0 && nlen == strlen("GRUB_CMDLINE_LINUX_DEFAULT") &&
                           memcmp(name, "GRUB_CMDLINE_LINUX_DEFAULT", nlen) == 0) {
                        r = set_dup(&g.cmdline_linux_default, val.s ? val.s : "", val.len);
                        if (r >= 0)
                                r = set_dup(&g.text_default, stmt, (size_t) (p - stmt));
                        g.line_default = stmt_line;
                }
                free(val.s);
                if (r < 0)
                        return r;
                /* The rest of the line: a comment or further commands. */
                while (*p && *p != '\n' && *p != ';')
                        p++;
        }

        *ret = g;
        g = (struct gd_grub_default) {};
        return 0;
}

/* ---- kernel .config --------------------------------------------------------- */

static void kconfig_free(struct gd_kconfig_entry *e, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(e[i].name);
                free(e[i].value);
        }
        free(e);
}

int gd_kconfig_parse(const char *text, struct gd_kconfig_entry **ret, size_t *ret_n) {
        struct gd_kconfig_entry *e = NULL;
        size_t n = 0, cap = 0;
        const char *p = text;

        if (!text || !ret || !ret_n)
                return -EINVAL;

        while (*p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                const char *name = NULL, *value = NULL;
                size_t name_len = 0, value_len = 0;

                if (len > 0 && p[len - 1] == '\r')
                        len--;
                if (len > 9 && strncmp(p, "# CONFIG_", 9) == 0) {
                        /* "# CONFIG_FOO is not set" */
                        const char *sp = memchr(p + 2, ' ', len - 2);
                        if (sp && (size_t) (p + len - sp) == strlen(" is not set") &&
                            memcmp(sp, " is not set", strlen(" is not set")) == 0) {
                                name = p + 2;
                                name_len = (size_t) (sp - name);
                                value = "n";
                                value_len = 1;
                        }
                } else if (len > 7 && strncmp(p, "CONFIG_", 7) == 0) {
                        const char *eq = memchr(p, '=', len);
                        if (eq) {
                                name = p;
                                name_len = (size_t) (eq - p);
                                value = eq + 1;
                                value_len = (size_t) (p + len - value);
                        }
                }
                if (name) {
                        if (n == cap) {
                                struct gd_kconfig_entry *ne;
                                cap = cap ? cap * 2 : 256;
                                ne = reallocarray(e, cap, sizeof(*ne));
                                if (!ne) {
                                        kconfig_free(e, n);
                                        return -ENOMEM;
                                }
                                e = ne;
                        }
                        e[n].name = strndup(name, name_len);
                        e[n].value = strndup(value, value_len);
                        if (!e[n].name || !e[n].value) {
                                free(e[n].name);
                                free(e[n].value);
                                kconfig_free(e, n);
                                return -ENOMEM;
                        }
                        n++;
                }
                p = nl ? nl + 1 : p + len;
                if (!nl)
                        break;
        }
        *ret = e;
        *ret_n = n;
        return 0;
}

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
        return path && access(path, F_OK) == 0;
}

static int read_config(enum gd_configpath p, const char *sub, char **ret) {
        _cleanup_free_ char *path = gd_config_path_join(p, sub);
        if (!path)
                return -ENOMEM;
        return read_file_capped(path, GD_TEXT_FILE_MAX, ret, NULL);
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

        if (read_config(GD_ETC_OS_RELEASE, NULL, &os) == 0) {
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
        r = read_config(GD_ETC_KERNEL_CMDLINE, NULL, &text);
        if (r == 0) {
                size_t len = strcspn(text, "\n");
                text[len] = '\0';
                return take_cmdline(b, text, text, GD_ETC_KERNEL_CMDLINE, 1);
        }
        if (r != -ENOENT)
                return r;

        r = read_config(GD_ETC_DEFAULT_GRUB, NULL, &text);
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

/* /proc/config.gz through zlib; gzread also passes plain text through,
 * which is how a replay testbed's marker arrives. */
static int read_config_gz(char **ret) {
        const char *path = gd_hostpath(GD_PROC_CONFIG_GZ)->path;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 64 * 1024;
        gzFile gz;

        gz = gzopen(path, "rb");
        if (!gz)
                return errno ? -errno : -ENOMEM;
        buf = malloc(cap + 1);
        if (!buf) {
                gzclose(gz);
                return -ENOMEM;
        }
        for (;;) {
                int n;
                if (len == cap) {
                        char *nb;
                        if (cap >= GD_TEXT_FILE_MAX) {
                                gzclose(gz);
                                return -EFBIG;
                        }
                        cap *= 2;
                        nb = realloc(buf, cap + 1);
                        if (!nb) {
                                gzclose(gz);
                                return -ENOMEM;
                        }
                        buf = nb;
                }
                n = gzread(gz, buf + len, (unsigned) (cap - len));
                if (n < 0) {
                        gzclose(gz);
                        return -EIO;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        gzclose(gz);
        buf[len] = '\0';
        if (strcmp(buf, GD_ABSENT_MARKER) == 0)
                return -ENOENT;
        if (strcmp(buf, GD_UNREADABLE_MARKER) == 0)
                return -EACCES;
        *ret = TAKE_PTR(buf);
        return 0;
}

static int read_kconfig(struct gd_bootconfig *b, const char *release) {
        _cleanup_free_ char *sub = NULL, *text = NULL;
        const char *source;
        int r;

        if (asprintf(&sub, "config-%s", release) < 0)
                return -ENOMEM;
        r = read_config(GD_BOOT, sub, &text);
        if (r == 0) {
                source = NULL;
        } else {
                r = read_config_gz(&text);
                if (r < 0)
                        return r;
                source = gd_hostpath(GD_PROC_CONFIG_GZ)->path;
        }
        r = gd_kconfig_parse(text, &b->kconfig, &b->n_kconfig);
        if (r < 0)
                return r;
        if (source)
                b->kconfig_source = strdup(source);
        else if (asprintf(&b->kconfig_source, "%s/%s", gd_configpath(GD_BOOT), sub) < 0)
                b->kconfig_source = NULL;
        return b->kconfig_source ? 0 : -ENOMEM;
}

static int64_t mtime_of(const char *path) {
        struct stat st;
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                return -1;
        return (int64_t) st.st_mtime;
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
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;

        if (!dir || !(d = opendir(dir)))
                return;
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (de->d_name[0] == '.' || n < 6 || strcmp(de->d_name + n - 5, ".conf") != 0)
                        continue;
                consider(b, p, de->d_name);
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
                b->kconfig_state = read_kconfig(b, h->kernel_release);
                if (b->kconfig_state == -ENOMEM)
                        return -ENOMEM;
                read_initramfs(b, h->kernel_release);
        }
        read_modconf_mtimes(b);

        *ret = TAKE_PTR(b);
        return 0;
}
