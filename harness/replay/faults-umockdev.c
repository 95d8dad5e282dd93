/* SPDX-License-Identifier: MIT */
/* Faults that edit a bundle's umockdev recording: attributes, driver links,
 * removed devices, config space cut as a non-root collection sees it.
 *
 * The recording is split into records ("P: /devices/..." and its E:/A:/H:/
 * L:/N:/S: lines), edited line by line and joined again.  Attribute values
 * are escaped as umockdev-record does (g_strescape(), bundle/record.c), the inverse of the g_strcompress() that
 * umockdev_testbed_add_from_string() applies to "A:" values. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "bundle/record.h"
#include "base/strv.h"
#include "replay/faults-internal.h"

void urecs_clear(struct urecs *u) {
        for (size_t i = 0; i < u->n; i++) {
                free(u->v[i].path);
                strv_free(u->v[i].lines);
        }
        free(u->v);
        strv_free(u->preamble);
        *u = (struct urecs) { 0 };
}

int urecs_parse(const char *text, struct urecs *ret) {
        struct urecs u = { 0 };
        const char *p = text ? text : "";
        int r = 0;

        while (*p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                char *line = strndup(p, len);

                p += len + (nl ? 1 : 0);
                if (!line) {
                        r = -ENOMEM;
                        break;
                }
                if (len == 0) {
                        free(line);
                        continue;
                }
                if (startswith(line, "P: ")) {
                        struct urec *nv = realloc(u.v, (u.n + 1) * sizeof(*u.v));
                        if (!nv) {
                                free(line);
                                r = -ENOMEM;
                                break;
                        }
                        u.v = nv;
                        u.v[u.n] = (struct urec) { .path = line, .lines = calloc(1, sizeof(char *)) };
                        if (!u.v[u.n++].lines) {
                                r = -ENOMEM;
                                break;
                        }
                        continue;
                }
                r = strv_consume(u.n ? &u.v[u.n - 1].lines : &u.preamble, line);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                urecs_clear(&u);
                return r;
        }
        *ret = u;
        return 0;
}

char *urecs_format(const struct urecs *u) {
        size_t len = 1;
        char *out, *q;

        for (size_t i = 0; u->preamble && u->preamble[i]; i++)
                len += strlen(u->preamble[i]) + 1;
        for (size_t i = 0; i < u->n; i++) {
                len += strlen(u->v[i].path) + 2;
                for (size_t j = 0; u->v[i].lines[j]; j++)
                        len += strlen(u->v[i].lines[j]) + 1;
        }
        out = q = malloc(len);
        if (!out)
                return NULL;
        for (size_t i = 0; u->preamble && u->preamble[i]; i++)
                q = stpcpy(stpcpy(q, u->preamble[i]), "\n");
        for (size_t i = 0; i < u->n; i++) {
                if (i)
                        q = stpcpy(q, "\n");
                q = stpcpy(stpcpy(q, u->v[i].path), "\n");
                for (size_t j = 0; u->v[i].lines[j]; j++)
                        q = stpcpy(stpcpy(q, u->v[i].lines[j]), "\n");
        }
        *q = '\0';
        return out;
}

/* The device address: the last component of the P: path. */
static const char *urec_address(const struct urec *r) {
        const char *s = strrchr(r->path, '/');
        return s ? s + 1 : r->path + 3;
}

struct urec *urecs_find(struct urecs *u, const char *address) {
        for (size_t i = 0; i < u->n; i++)
                if (strcasecmp(urec_address(&u->v[i]), address) == 0)
                        return &u->v[i];
        return NULL;
}

/* Index of the line "T: name=..." (for E:, "E: name=..."), or -1. */
static ssize_t urec_line(const struct urec *r, char type, const char *name) {
        size_t n = strlen(name);

        for (size_t j = 0; r->lines[j]; j++) {
                const char *l = r->lines[j];
                if (l[0] == type && l[1] == ':' && l[2] == ' ' && strncmp(l + 3, name, n) == 0 && l[3 + n] == '=')
                        return (ssize_t) j;
        }
        return -1;
}

static void urec_drop_line(struct urec *r, size_t j) {
        free(r->lines[j]);
        memmove(r->lines + j, r->lines + j + 1, (strv_length(r->lines) - j) * sizeof(char *));
}

/* Replaces line j (or appends when j < 0) with line, taking ownership. */
static int urec_put_line(struct urec *r, ssize_t j, char *line) {
        if (!line)
                return -ENOMEM;
        if (j >= 0) {
                free(r->lines[j]);
                r->lines[j] = line;
                return 0;
        }
        return strv_consume(&r->lines, line);
}

static char *format_line(const char *fmt, ...) _printf_(1, 2);
static char *format_line(const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

int urec_attr_set(struct urec *r, const char *name, const char *value, size_t len) {
        _cleanup_free_ char *v = NULL;
        ssize_t h = urec_line(r, 'H', name);

        if (h >= 0) {
                /* A binary attribute: keep it binary, as hex. */
                _cleanup_free_ char *hex = malloc(len * 2 + 1);
                if (!hex)
                        return -ENOMEM;
                for (size_t i = 0; i < len; i++)
                        sprintf(hex + 2 * i, "%02X", (unsigned char) value[i]);
                hex[len * 2] = '\0';
                return urec_put_line(r, h, format_line("H: %s=%s", name, hex));
        }
        v = malloc(len + 2);
        if (!v)
                return -ENOMEM;
        memcpy(v, value, len);
        v[len] = '\0';
        /* sysfs attributes end in a newline. */
        if (len == 0 || value[len - 1] != '\n')
                strcat(v, "\n");
        {
                _cleanup_free_ char *esc = NULL;
                size_t esc_len = 0;
                FILE *f = open_memstream(&esc, &esc_len);
                int k;

                if (!f)
                        return -ENOMEM;
                k = gd_record_escape(f, v, strlen(v));
                if (fclose(f) != 0 || k < 0)
                        return -ENOMEM;
                return urec_put_line(r, urec_line(r, 'A', name), format_line("A: %s=%s", name, esc));
        }
}

bool urec_attr_remove(struct urec *r, const char *name) {
        bool found = false;
        ssize_t j;

        while ((j = urec_line(r, 'A', name)) >= 0 || (j = urec_line(r, 'H', name)) >= 0) {
                urec_drop_line(r, (size_t) j);
                found = true;
        }
        return found;
}

static const char *urec_subsystem(const struct urec *r) {
        ssize_t j = urec_line(r, 'E', "SUBSYSTEM");
        return j >= 0 ? r->lines[j] + strlen("E: SUBSYSTEM=") : "pci";
}

int urec_bind(struct urec *r, const char *driver) {
        _cleanup_free_ char *ups = NULL;
        const char *path = r->path + 3;
        size_t depth = 0;
        int k;

        /* One "../" per component of /devices/...: from the device's
         * directory up to /sys, then down to bus/<subsystem>/drivers. */
        for (const char *p = path; *p; p++)
                if (*p == '/' && p[1] && p[1] != '/')
                        depth++;
        ups = calloc(depth * 3 + 1, 1);
        if (!ups)
                return -ENOMEM;
        for (size_t i = 0; i < depth; i++)
                strcat(ups, "../");
        k = urec_put_line(r, urec_line(r, 'L', "driver"),
                          format_line("L: driver=%sbus/%s/drivers/%s", ups, urec_subsystem(r), driver));
        if (k < 0)
                return k;
        return urec_put_line(r, urec_line(r, 'E', "DRIVER"), format_line("E: DRIVER=%s", driver));
}

bool urec_unbind(struct urec *r) {
        ssize_t j;
        bool found = false;

        if ((j = urec_line(r, 'L', "driver")) >= 0) {
                urec_drop_line(r, (size_t) j);
                found = true;
        }
        if ((j = urec_line(r, 'E', "DRIVER")) >= 0)
                urec_drop_line(r, (size_t) j);
        return found;
}

int urecs_remove_tree(struct urecs *u, const char *address, char ***ret_removed) {
        _cleanup_free_ char *top = NULL, *prefix = NULL;
        struct urec *t = urecs_find(u, address);
        size_t w = 0;
        int r = 0;

        if (!t)
                return -ENOENT;
        top = strdup(t->path);
        if (!top || asprintf(&prefix, "%s/", top) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < u->n; i++) {
                struct urec *x = &u->v[i];

                if (streq(x->path, top) || startswith(x->path, prefix)) {
                        if (r >= 0)
                                r = strv_push_dup(ret_removed, urec_address(x));
                        free(x->path);
                        strv_free(x->lines);
                        continue;
                }
                u->v[w++] = *x;
        }
        u->n = w;
        return r;
}

int urecs_cut_config(struct urecs *u, size_t max_hex) {
        for (size_t i = 0; i < u->n; i++) {
                ssize_t j = urec_line(&u->v[i], 'H', "config");
                char *l;

                if (j < 0)
                        continue;
                l = u->v[i].lines[j];
                if (strlen(l) > strlen("H: config=") + max_hex)
                        l[strlen("H: config=") + max_hex] = '\0';
        }
        return 0;
}
