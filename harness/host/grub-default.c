/* SPDX-License-Identifier: MIT */
/* /etc/default/grub, evaluated the way grub-mkconfig sources it with sh
 * (bootconfig.h): shell words, quotes and $VAR expansion, assignments only. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/macro.h"
#include "bootconfig.h"

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

/* A growing string.  A value may quote itself ($X "$X $X" ...), which doubles
 * it per line: capped far above any real kernel command line (x86's
 * COMMAND_LINE_SIZE is 2048), so a hostile file cannot make it grow without
 * bound (found by fuzzing). */
#define GRUB_VALUE_MAX (64u * 1024u)

struct sbuf {
        char *s;
        size_t len, cap;
        bool oom;
        bool too_long;
};

static void sbuf_add(struct sbuf *b, const char *s, size_t n) {
        if (b->oom || b->too_long)
                return;
        if (b->len + n > GRUB_VALUE_MAX) {
                b->too_long = true;
                return;
        }
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

/* A backslash and the character after it (p[1] != '\0'): backslash-newline
 * joins lines (counted in *line), any other pair stands for the character.
 * Inside "..." only $ ` " \ and newline are escaped; the caller decides. */
static const char *escaped(const char *p, unsigned *line, struct sbuf *out) {
        if (p[1] == '\n')
                (*line)++;
        else
                sbuf_add(out, p + 1, 1);
        return p + 2;
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
                                        p = escaped(p, line, out);
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
                        p = escaped(p, line, out);
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
        for (size_t i = 0; i < g->n_assignments; i++) {
                free(g->assignments[i].text);
                free(g->assignments[i].value);
        }
        free(g->assignments);
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

static int record(struct gd_grub_default *g, const char *path, unsigned line, const char *stmt, size_t len,
                  bool is_default, const char *value) {
        struct gd_grub_assignment *a = reallocarray(g->assignments, g->n_assignments + 1, sizeof(*a));

        if (!a)
                return -ENOMEM;
        g->assignments = a;
        a = &a[g->n_assignments];
        *a = (struct gd_grub_assignment) { .path = path, .line = line, .is_default = is_default };
        a->text = strndup(stmt, len);
        a->value = strdup(value);
        if (!a->text || !a->value) {
                free(a->text);
                free(a->value);
                return -ENOMEM;
        }
        g->n_assignments++;
        if (is_default) {
                g->line_default = line;
                g->path_default = path;
                if (set_dup(&g->cmdline_linux_default, value, strlen(value)) < 0)
                        return -ENOMEM;
                return set_dup(&g->text_default, stmt, len);
        }
        g->line_linux = line;
        g->path_linux = path;
        if (set_dup(&g->cmdline_linux, value, strlen(value)) < 0)
                return -ENOMEM;
        return set_dup(&g->text_linux, stmt, len);
}

static int parse_one(const char *path, const char *text, struct shenv *env, struct gd_grub_default *g) {
        const char *p = text;
        unsigned line = 1;
        int r;

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
                p = parse_word(name + nlen + 1, env, &line, &val);
                if (val.oom || val.too_long) {
                        free(val.s);
                        return val.oom ? -ENOMEM : -E2BIG;
                }
                r = shenv_set(env, name, nlen, val.s ? val.s : "");
                if (r >= 0 && nlen == strlen("GRUB_CMDLINE_LINUX") &&
                    memcmp(name, "GRUB_CMDLINE_LINUX", nlen) == 0)
                        r = record(g, path, stmt_line, stmt, (size_t) (p - stmt), false, val.s ? val.s : "");
                else if (r >= 0 && nlen == strlen("GRUB_CMDLINE_LINUX_DEFAULT") &&
                         memcmp(name, "GRUB_CMDLINE_LINUX_DEFAULT", nlen) == 0)
                        r = record(g, path, stmt_line, stmt, (size_t) (p - stmt), true, val.s ? val.s : "");
                free(val.s);
                if (r < 0)
                        return r;
                /* The rest of the line: a comment or further commands. */
                while (*p && *p != '\n' && *p != ';')
                        p++;
        }
        return 0;
}

int gd_grub_default_parse_files(const char *const *paths, const char *const *texts, size_t n,
                                struct gd_grub_default *ret) {
        _cleanup_(gd_grub_default_clear) struct gd_grub_default g = {};
        _cleanup_(shenv_clear) struct shenv env = {};
        int r;

        if (!paths || !texts || !ret)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (!texts[i] || !paths[i])
                        return -EINVAL;
                r = parse_one(paths[i], texts[i], &env, &g);
                if (r < 0)
                        return r;
        }
        *ret = g;
        g = (struct gd_grub_default) {};
        return 0;
}

int gd_grub_default_parse(const char *text, struct gd_grub_default *ret) {
        static const char *const path[] = { "/etc/default/grub" };
        const char *texts[] = { text };

        if (!text)
                return -EINVAL;
        return gd_grub_default_parse_files(path, texts, 1, ret);
}
