/* SPDX-License-Identifier: MIT */
/* Provenance of module configuration: which modprobe.d file and line (or the
 * kernel command line) an item libkmod returned came from.  We list and scan
 * the same files in the same order as libkmod; nothing here decides what the
 * configuration *means* from that scan. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/io.h"
#include "base/hostpaths.h"
#include "base/strv.h"
#include "host/modules-internal.h"

static const char proc_cmdline_path[] = "/proc/cmdline";

/* kmod's underscores(): '-' → '_' outside [...]. */
static void modname_normalize(char *s) {
        bool bracket = false;
        for (; *s; s++) {
                if (*s == '[')
                        bracket = true;
                else if (*s == ']')
                        bracket = false;
                else if (*s == '-' && !bracket)
                        *s = '_';
        }
}

/* Collapses runs of blanks to one space and trims, in place. */
char *collapse(char *s) {
        char *w = s;
        bool sp = false;
        for (char *r = s; *r; r++) {
                if (isspace((unsigned char) *r)) {
                        sp = w != s;
                        continue;
                }
                if (sp)
                        *w++ = ' ';
                sp = false;
                *w++ = *r;
        }
        *w = '\0';
        return s;
}

/* ---- provenance: the config files and their lines ---------------------- */

struct conf_line {
        char *cmd, *module, *rest; /* module normalised, rest collapsed */
        struct gd_source source;
        bool used;
};

void provenance_clear(struct provenance *p) {
        for (size_t i = 0; i < p->n_lines; i++) {
                free(p->lines[i].cmd);
                free(p->lines[i].module);
                free(p->lines[i].rest);
        }
        free(p->lines);
        free(p->cmdline);
}

/* Adds the *.conf / *.alias files of dir to files, sorted by name, a name
 * already present (from an earlier directory) ignored: kmod's
 * conf_files_insert_sorted() and conf_files_filter_out(). */
int list_conf_dir(const char *dir, const char *const *suffixes, char ***files) {
        _cleanup_strv_free_ char **names = NULL;
        int r = gd_io_list(dir, GD_IO_LIST_NO_DIRS, &names);

        if (r < 0)
                return r == -ENOENT || r == -ENOTDIR ? 0 : r;
        for (size_t i = 0; names[i]; i++) {
                const char *name = names[i];
                size_t len = strlen(name);
                bool ok = false, dup = false;

                if (name[0] == '.')
                        continue;
                for (const char *const *s = suffixes; *s; s++) {
                        size_t sl = strlen(*s);
                        if (len > sl && strcmp(name + len - sl, *s) == 0)
                                ok = true;
                }
                if (!ok)
                        continue;
                for (char **f = *files; f && *f; f++)
                        if (strcmp(strrchr(*f, '/') + 1, name) == 0)
                                dup = true;
                if (dup)
                        continue;
                if (strv_consume(files, path_join(dir, name)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int cmp_basename(const void *a, const void *b) {
        return strcmp(strrchr(*(char * const *) a, '/') + 1, strrchr(*(char * const *) b, '/') + 1);
}

/* Splits text into logical lines (a trailing backslash continues the line, as
 * kmod's freadline_wrapped()) and calls fn with the first line's number. */
int for_each_line(char *text, int (*fn)(char *line, unsigned lineno, void *data), void *data) {
        unsigned lineno = 0;
        char *p = text;

        while (*p) {
                char *start = p, *w = p;
                unsigned first = ++lineno;
                int r;

                for (;;) {
                        char *nl = strchrnul(p, '\n');
                        size_t n = (size_t) (nl - p);
                        bool cont = n > 0 && p[n - 1] == '\\';

                        memmove(w, p, cont ? n - 1 : n);
                        w += cont ? n - 1 : n;
                        p = *nl ? nl + 1 : nl;
                        if (!cont || !*p)
                                break;
                        lineno++;
                }
                *w = '\0';
                r = fn(start, first, data);
                if (r < 0)
                        return r;
        }
        return 0;
}

struct scan_ctx {
        struct provenance *prov;
        const char *path;
};

static int scan_conf_line(char *line, unsigned lineno, void *data) {
        struct scan_ctx *s = data;
        struct conf_line *cl;
        char *save = NULL, *cmd, *mod, *rest;

        if (line[0] == '#')
                return 0;
        cmd = strtok_r(line, "\t ", &save);
        if (!cmd)
                return 0;
        mod = strtok_r(NULL, "\t ", &save);
        rest = strtok_r(NULL, "", &save);
        cl = GROW(s->prov->lines, s->prov->n_lines);
        if (!cl)
                return -ENOMEM;
        cl->cmd = strdup(cmd);
        cl->module = strdup(mod ? mod : "");
        cl->rest = strdup(rest ? rest : "");
        if (!cl->cmd || !cl->module || !cl->rest)
                return -ENOMEM;
        modname_normalize(cl->module);
        collapse(cl->rest);
        cl->source = (struct gd_source) { s->path, lineno };
        return 0;
}

int provenance_load(struct provenance *p, char * const *files, struct gd_conffiles *keep) {
        for (size_t i = 0; files && files[i]; i++) {
                _cleanup_free_ char *text = NULL;
                struct scan_ctx s = { p, files[i] };
                int r;

                r = gd_io_read(files[i], GD_CAP_TEXT, &text, NULL);
                if (gd_conffiles_keep(keep, gd_config_path_strip(files[i]), text, r) < 0)
                        return -ENOMEM;
                if (r < 0)
                        continue;
                r = for_each_line(text, scan_conf_line, &s);
                if (r < 0)
                        return r;
        }
        (void) gd_io_read(gd_hostpath(GD_PROC_CMDLINE)->path, GD_CAP_ATTR, &p->cmdline, NULL);
        return 0;
}

/* Is there a command line token libkmod would have read this item from:
 * "modprobe.blacklist=a,b" for a blacklist, "<module>.<param>=" otherwise? */
static bool cmdline_has(const struct provenance *p, const char *cmd, const char *module) {
        _cleanup_free_ char *copy = p->cmdline ? strdup(p->cmdline) : NULL;
        char *save = NULL;

        if (!copy)
                return false;
        for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
                char *dot = strchr(t, '.');
                if (streq(cmd, "blacklist") && startswith(t, "modprobe.blacklist=")) {
                        char *s2 = NULL;
                        for (char *m = strtok_r(t + strlen("modprobe.blacklist="), ",", &s2); m;
                             m = strtok_r(NULL, ",", &s2))
                                if (gd_modname_eq(m, module))
                                        return true;
                } else if (streq(cmd, "options") && dot) {
                        *dot = '\0';
                        if (gd_modname_eq(t, module))
                                return true;
                }
        }
        return false;
}

/* The first unused line with this command and module (and this value, when
 * one with it exists); else the command line; else unknown. */
struct gd_source provenance_find(struct provenance *p, const char *cmd, const char *module,
                           const char *value) {
        _cleanup_free_ char *v = value ? strdup(value) : NULL;
        struct conf_line *best = NULL;

        if (v)
                collapse(v);
        for (size_t i = 0; i < p->n_lines; i++) {
                struct conf_line *cl = &p->lines[i];
                if (cl->used || !streq(cl->cmd, cmd) || !streq(cl->module, module))
                        continue;
                if (!v || streq(cl->rest, v)) {
                        best = cl;
                        break;
                }
                if (!best)
                        best = cl;
        }
        if (best) {
                best->used = true;
                return best->source;
        }
        if (cmdline_has(p, cmd, module))
                return (struct gd_source) { proc_cmdline_path, 0 };
        return (struct gd_source) { NULL, 0 };
}
