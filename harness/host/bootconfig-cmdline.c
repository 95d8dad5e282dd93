/* SPDX-License-Identifier: MIT */
/* The kernel command line the boot loader configuration will pass next
 * boot, and every statement that writes it:
 *
 *  - /etc/kernel/cmdline (systemd-boot's kernel-install, proxmox-boot-tool):
 *    one line;
 *  - GRUB: /etc/default/grub, then /etc/default/grub.d/NAME.cfg in glob order,
 *    one shell environment (grub-default.c); the line is
 *    "${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT}" (GRUB's
 *    util/grub.d/10_linux.in linux_entry), so a grub.d file that assigns
 *    GRUB_CMDLINE_LINUX_DEFAULT (Ubuntu's cloud images:
 *    50-cloudimg-settings.cfg) overrides /etc/default/grub;
 *  - kernelstub (Pop!_OS): "kernel_options" of "user" in
 *    /etc/kernelstub/configuration, a JSON file kernelstub rewrites itself
 *    (kernelstub -a / -d), so it has no line to edit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/io.h"
#include "base/macro.h"
#include "base/strv.h"
#include "bootconfig-internal.h"
#include "bootconfig.h"
#include "cmdline.h"

static int take_cmdline(struct gd_bootconfig *b, const char *args, const char *written, const char *src,
                        unsigned line) {
        struct gd_cmdline c = {};
        int r;

        r = gd_cmdline_parse(args, &c);
        if (r < 0)
                return r;
        free(c.raw);
        c.raw = strdup(written);
        b->next_cmdline_source = strdup(src);
        if (!c.raw || !b->next_cmdline_source) {
                gd_cmdline_clear(&c);
                return -ENOMEM;
        }
        b->next_cmdline = c;
        b->next_cmdline_line = line;
        return 0;
}

static int add_origin(struct gd_bootconfig *b, const char *path, unsigned line, const char *text,
                      const char *var, bool last) {
        struct gd_cmdline_origin *o = reallocarray(b->origins, b->n_origins + 1, sizeof(*o));

        if (!o)
                return -ENOMEM;
        b->origins = o;
        o = &o[b->n_origins];
        *o = (struct gd_cmdline_origin) { .line = line, .last = last };
        o->path = strdup(path);
        o->text = strdup(text);
        o->var = var ? strdup(var) : NULL;
        if (!o->path || !o->text || (var && !o->var)) {
                free(o->path);
                free(o->text);
                free(o->var);
                return -ENOMEM;
        }
        b->n_origins++;
        return 0;
}

/* ---- kernelstub ---------------------------------------------------------- */

/* A JSON string at p (which points at '"'): its content in *ret, the
 * position after it returned; NULL when malformed.  Only the escapes
 * kernel options need (\" \\ \/); others are kept as written. */
static const char *json_string(const char *p, char **ret) {
        size_t n = 0;
        char *s;

        if (*p != '"')
                return NULL;
        s = malloc(strlen(p));
        if (!s)
                return NULL;
        for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '/'))
                        p++;
                if (!*p)
                        break;
                s[n++] = *p;
        }
        if (*p != '"') {
                free(s);
                return NULL;
        }
        s[n] = '\0';
        *ret = s;
        return p + 1;
}

static const char *skip_blank(const char *p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
        return p;
}

/* The "kernel_options" array after from: its strings joined with spaces. */
static int options_after(const char *from, char **ret) {
        const char *p = strstr(from, "\"kernel_options\"");
        _cleanup_free_ char *joined = NULL;
        size_t len = 0;

        if (!p)
                return -ENOENT;
        p = skip_blank(p + strlen("\"kernel_options\""));
        if (*p != ':')
                return -EINVAL;
        p = skip_blank(p + 1);
        if (*p != '[')
                return -EINVAL;
        joined = strdup("");
        if (!joined)
                return -ENOMEM;
        for (p = skip_blank(p + 1); *p != ']';) {
                _cleanup_free_ char *word = NULL;
                char *grown;

                p = json_string(p, &word);
                if (!p)
                        return -EINVAL;
                grown = realloc(joined, len + strlen(word) + 2);
                if (!grown)
                        return -ENOMEM;
                joined = grown;
                len += (size_t) sprintf(joined + len, "%s%s", len ? " " : "", word);
                p = skip_blank(p);
                if (*p == ',') {
                        p = skip_blank(p + 1);
                        if (*p != '"')
                                return -EINVAL;    /* JSON has no trailing comma */
                } else if (*p != ']')
                        return -EINVAL;
        }
        *ret = TAKE_PTR(joined);
        return 0;
}

int gd_kernelstub_options_parse(const char *json, char **ret) {
        const char *user;

        if (!json || !ret)
                return -EINVAL;
        /* kernelstub (kernelstub/config.py) uses "user"; "default" is
         * what it falls back to. */
        user = strstr(json, "\"user\"");
        if (user && options_after(user, ret) == 0)
                return 0;
        return options_after(json, ret);
}

static int read_kernelstub(struct gd_bootconfig *b) {
        _cleanup_free_ char *text = NULL, *opts = NULL;
        int r;

        r = bootconfig_read_keep(b, GD_ETC_KERNELSTUB_CONF, NULL, &text);
        if (r < 0)
                return r;
        r = gd_kernelstub_options_parse(text, &opts);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        return take_cmdline(b, opts, opts, gd_configpath(GD_ETC_KERNELSTUB_CONF), 0);
}

/* ---- GRUB ---------------------------------------------------------------- */

static bool is_cfg(const char *name) {
        size_t n = strlen(name);
        return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".cfg") == 0;
}

static int read_grub(struct gd_bootconfig *b) {
        _cleanup_(gd_grub_default_clear) struct gd_grub_default g = {};
        _cleanup_strv_free_ char **names = NULL, **paths = NULL, **texts = NULL;
        _cleanup_free_ char *dir = gd_config_path_join(GD_ETC_DEFAULT_GRUB_D, NULL), *joined = NULL;
        char *text = NULL;
        const char *lnx, *dflt;
        int r;

        if (!dir)
                return -ENOMEM;
        r = bootconfig_read_keep(b, GD_ETC_DEFAULT_GRUB, NULL, &text);
        if (r < 0)
                return r;
        if (strv_consume(&texts, text) < 0 || strv_push_dup(&paths, gd_configpath(GD_ETC_DEFAULT_GRUB)) < 0)
                return -ENOMEM;
        /* grub-mkconfig's "for x in .../grub.d/NAME.cfg": the shell's glob order,
         * which for these names (digits, letters, '-') is strcmp's. */
        if (gd_io_list(dir, GD_IO_LIST_NO_DIRS, &names) >= 0)
                for (size_t i = 0; names[i]; i++) {
                        char *t = NULL;
                        if (!is_cfg(names[i]))
                                continue;
                        r = bootconfig_read_keep(b, GD_ETC_DEFAULT_GRUB_D, names[i], &t);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                continue;
                        if (strv_consume(&texts, t) < 0 ||
                            strv_consume(&paths, path_join(gd_configpath(GD_ETC_DEFAULT_GRUB_D), names[i])) < 0)
                                return -ENOMEM;
                }

        r = gd_grub_default_parse_files((const char *const *) paths, (const char *const *) texts,
                                        strv_length(paths), &g);
        if (r < 0)
                return r;
        for (size_t i = 0; i < g.n_assignments; i++) {
                const struct gd_grub_assignment *a = &g.assignments[i];
                bool last = a->is_default ? a->line == g.line_default && a->path == g.path_default
                                          : a->line == g.line_linux && a->path == g.path_linux;
                r = add_origin(b, a->path, a->line, a->text,
                               a->is_default ? "GRUB_CMDLINE_LINUX_DEFAULT" : "GRUB_CMDLINE_LINUX", last);
                if (r < 0)
                        return r;
        }
        lnx = g.cmdline_linux ? g.cmdline_linux : "";
        dflt = g.cmdline_linux_default ? g.cmdline_linux_default : "";
        /* util/grub.d/10_linux.in: linux_entry ... "${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT}" */
        if (asprintf(&joined, "%s %s", lnx, dflt) < 0)
                return -ENOMEM;
        if (g.line_default)
                return take_cmdline(b, joined, g.text_default, g.path_default, g.line_default);
        if (g.line_linux)
                return take_cmdline(b, joined, g.text_linux, g.path_linux, g.line_linux);
        /* Neither is assigned: the next boot passes no extra flags. */
        return take_cmdline(b, joined, "", gd_configpath(GD_ETC_DEFAULT_GRUB), 0);
}

int bootconfig_read_next_cmdline(struct gd_bootconfig *b) {
        _cleanup_free_ char *text = NULL;
        int r;

        if (b->bootloader == GD_BOOTLOADER_KERNELSTUB)
                return read_kernelstub(b);

        /* systemd-boot / proxmox-boot-tool / kernel-install: one line. */
        r = bootconfig_read_keep(b, GD_ETC_KERNEL_CMDLINE, NULL, &text);
        if (r == 0) {
                size_t len = strcspn(text, "\n");
                text[len] = '\0';
                r = add_origin(b, gd_configpath(GD_ETC_KERNEL_CMDLINE), 1, text, NULL, true);
                if (r < 0)
                        return r;
                return take_cmdline(b, text, text, gd_configpath(GD_ETC_KERNEL_CMDLINE), 1);
        }
        if (r != -ENOENT)
                return r;
        return read_grub(b);
}
