/* SPDX-License-Identifier: MIT */
/* Checks of the umockdev-record text in a bundle.
 *
 * umockdev_testbed_add_from_string() builds file names from the text
 * (Path.build_filename(root, devpath, attribute)) without rejecting '..', and
 * calls error() -- which aborts the process -- when a device or a class or bus
 * link already exists.  A bundle comes from another machine or from pasted
 * text, so these are refused here, with a line, before umockdev sees them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/duplicates.h"
#include "base/strv.h"
#include "base/string-util.h"
#include "bundle/bundle-internal.h"

/* A relative path without empty, '.' or '..' components. */
static bool relative_safe(const char *s, size_t n) {
        size_t i = 0;

        if (n == 0 || s[0] == '/')
                return false;
        while (i < n) {
                size_t j = i;

                while (j < n && s[j] != '/')
                        j++;
                if (j == i || (j - i == 1 && s[i] == '.') || (j - i == 2 && s[i] == '.' && s[i + 1] == '.'))
                        return false;
                i = j + 1;
                if (j + 1 == n)
                        return false;   /* trailing slash */
        }
        return true;
}

static bool hex_even(const char *s, size_t n) {
        if (n % 2)
                return false;
        for (size_t i = 0; i < n; i++)
                if (unhexchar(s[i]) < 0)
                        return false;
        return true;
}

/* Names that must be unique, with the line of each, checked in
 * O(n log n) once all are known (base/duplicates.h). */
struct names {
        struct dup_item *v;
        int *lines;
        size_t n, cap;
};

static void names_clear(struct names *l) {
        for (size_t i = 0; i < l->n; i++)
                free((char *) l->v[i].key);
        free(l->v);
        free(l->lines);
        *l = (struct names) {};
}

/* Takes name. */
static int names_add(struct names *l, char *name, int line) {
        if (!name)
                return -ENOMEM;
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 64;
                struct dup_item *nv = reallocarray(l->v, cap, sizeof(*nv));
                int *nl = nv ? reallocarray(l->lines, cap, sizeof(*nl)) : NULL;

                if (nv)
                        l->v = nv;
                if (!nl) {
                        free(name);
                        return -ENOMEM;
                }
                l->lines = nl;
                l->cap = cap;
        }
        l->v[l->n] = (struct dup_item) { .key = name, .index = l->n };
        l->lines[l->n++] = line;
        return 0;
}

/* The first name given twice: true with its second line. */
static bool names_repeat(struct names *l, const char **ret_name, int *ret_line) {
        size_t a, z;

        if (!dup_find_first(l->v, l->n, &a, &z))
                return false;
        for (size_t i = 0; i < l->n; i++)
                if (l->v[i].index == z)
                        *ret_name = l->v[i].key;
        *ret_line = l->lines[z];
        return true;
}

struct record_state {
        struct names devpaths;  /* P: of every record */
        struct names links;     /* "subsystem/basename" of every record */
        struct names keys;      /* "A:name" etc. of the current record */
        char *devpath;
        int devpath_line;       /* its P: line */
        char *subsystem;
        unsigned identity;      /* pci_identity bits of the current record */
};

/* libpci 3.9 (Debian 12) reads these three of every device and gives up on
 * the whole bus when one is missing (pciutils lib/sysfs.c sysfs_scan():
 * sysfs_get_value() calls a->error()); the reader then could not read the
 * host at all.  A record without them is malformed, said here with its
 * line. */
static const char *const pci_identity[] = { "vendor", "device", "class" };

static void record_state_done(struct record_state *s) {
        names_clear(&s->devpaths);
        names_clear(&s->links);
        names_clear(&s->keys);
        free(s->devpath);
        free(s->subsystem);
}

static int end_record(struct record_state *s, int line, char **ret_error) {
        const char *base, *name;
        int at;

        if (!s->devpath)
                return 0;
        if (!s->subsystem)
                return bundle_fail(ret_error, s->devpath_line, "umockdev: device %s has no 'E: SUBSYSTEM=' line",
                                   s->devpath);
        if (names_repeat(&s->keys, &name, &at))
                return bundle_fail(ret_error, at, "umockdev: attribute '%s' of %s is recorded twice", name,
                                   s->devpath);
        for (size_t i = 0; streq(s->subsystem, "pci") && i < ELEMENTSOF(pci_identity); i++)
                if (!(s->identity & 1u << i))
                        return bundle_fail(ret_error, s->devpath_line, "umockdev: PCI device %s has no '%s' attribute "
                                           "(libpci reads vendor, device and class of every device)", s->devpath,
                                           pci_identity[i]);
        s->identity = 0;
        base = strrchr(s->devpath, '/') + 1;
        {
                char *link = NULL;

                if (asprintf(&link, "%s/%s", s->subsystem, base) < 0)
                        return -ENOMEM;
                if (names_add(&s->links, link, line) < 0)
                        return -ENOMEM;
        }
        names_clear(&s->keys);
        s->devpath = mfree_str(s->devpath);
        s->subsystem = mfree_str(s->subsystem);
        return 0;
}

/* After the last record: devices and bus or class names each once. */
static int end_text(struct record_state *s, char **ret_error) {
        const char *name;
        int at;

        if (names_repeat(&s->devpaths, &name, &at))
                return bundle_fail(ret_error, at, "umockdev: device %s is recorded twice", name);
        if (names_repeat(&s->links, &name, &at)) {
                const char *slash = strchr(name, '/');
                return bundle_fail(ret_error, at, "umockdev: two %.*s devices are named %s", (int) (slash - name),
                                   name, slash + 1);
        }
        return 0;
}

static int check_line(struct record_state *s, const char *l, size_t n, int line, char **ret_error) {
        const char *eq, *val;
        size_t klen;
        char type;

        if (n < 3 || l[1] != ':' || l[2] != ' ' || !strchr("PEAHLNS", l[0]))
                return bundle_fail(ret_error, line, "umockdev: malformed line '%.*s'", (int) (n > 60 ? 60 : n), l);
        type = l[0];
        l += 3;
        n -= 3;

        if (type == 'P') {
                _cleanup_free_ char *p = NULL;

                if (s->devpath)
                        return bundle_fail(ret_error, line, "umockdev: second P: line in the record of %s "
                                           "(records are separated by an empty line)", s->devpath);
                if (n <= 9 || strncmp(l, "/devices/", 9) != 0 || !relative_safe(l + 1, n - 1))
                        return bundle_fail(ret_error, line,
                                           "umockdev: device path '%.*s' is not a clean /devices/... path",
                                           (int) n, l);
                p = strndup(l, n);
                if (!p || names_add(&s->devpaths, strdup(p), line) < 0)
                        return -ENOMEM;
                s->devpath = TAKE_PTR(p);
                s->devpath_line = line;
                return 0;
        }
        if (!s->devpath)
                return bundle_fail(ret_error, line, "umockdev: a record must start with a 'P: /devices/...' line");
        if (type == 'S')
                return relative_safe(l, n) ? 0 :
                        bundle_fail(ret_error, line, "umockdev: device link '%.*s' is not a clean relative path",
                                    (int) n, l);

        eq = memchr(l, '=', n);
        klen = eq ? (size_t) (eq - l) : n;
        val = eq ? eq + 1 : NULL;
        if (type != 'N' && !eq)
                return bundle_fail(ret_error, line, "umockdev: %c: line without '='", type);
        if (type == 'E') {
                if (klen == 9 && memcmp(l, "SUBSYSTEM", 9) == 0) {
                        size_t vlen = n - klen - 1;

                        if (s->subsystem)
                                return bundle_fail(ret_error, line, "umockdev: device %s has two SUBSYSTEM lines",
                                                   s->devpath);
                        if (!relative_safe(val, vlen) || memchr(val, '/', vlen))
                                return bundle_fail(ret_error, line, "umockdev: subsystem '%.*s' is not a name",
                                                   (int) vlen, val);
                        s->subsystem = strndup(val, vlen);
                        if (!s->subsystem)
                                return -ENOMEM;
                }
                return 0;
        }
        if (!relative_safe(l, klen))
                return bundle_fail(ret_error, line, "umockdev: %c: name '%.*s' is not a clean relative path",
                                   type, (int) klen, l);
        if (type == 'H' && !hex_even(val, n - klen - 1))
                return bundle_fail(ret_error, line, "umockdev: H: %.*s is not an even number of hex digits",
                                   (int) klen, l);
        if (type == 'N' && val && !hex_even(val, n - klen - 1))
                return bundle_fail(ret_error, line, "umockdev: N: %.*s content is not hex", (int) klen, l);
        /* A, H and L write the same file name: one of them only. */
        if (type != 'N' && names_add(&s->keys, strndup(l, klen), line) < 0)
                return -ENOMEM;
        for (size_t i = 0; (type == 'A' || type == 'H') && i < ELEMENTSOF(pci_identity); i++)
                if (klen == strlen(pci_identity[i]) && memcmp(l, pci_identity[i], klen) == 0)
                        s->identity |= 1u << i;
        return 0;
}

struct record_checker {
        struct record_state s;
};

struct record_checker *record_checker_new(void) {
        return calloc(1, sizeof(struct record_checker));
}

void record_checker_free(struct record_checker *c) {
        if (!c)
                return;
        record_state_done(&c->s);
        free(c);
}

int record_checker_line(struct record_checker *c, const char *l, size_t n, int line, char **ret_error) {
        return n == 0 ? end_record(&c->s, line, ret_error) : check_line(&c->s, l, n, line, ret_error);
}

int record_checker_end(struct record_checker *c, int last_line, char **ret_error) {
        int r = end_record(&c->s, last_line, ret_error);

        return r < 0 ? r : end_text(&c->s, ret_error);
}

int bundle_check_record(const char *text, size_t len, int first_line, char **ret_error) {
        struct record_checker *c;
        const char *p = text, *end = text + len;
        int lineno = 0, r = 0;

        /* umockdev wants the text to start with a P: line, not a blank one. */
        if (len > 0 && text[0] == '\n')
                return bundle_fail(ret_error, first_line, "umockdev: text starts with an empty line");

        c = record_checker_new();
        if (!c)
                return -ENOMEM;
        while (p < end && r >= 0) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);

                r = record_checker_line(c, p, n, first_line > 0 ? first_line + lineno : 0, ret_error);
                lineno++;
                p = nl ? nl + 1 : end;
        }
        if (r >= 0)
                r = record_checker_end(c, first_line > 0 ? first_line + lineno - 1 : 0, ret_error);
        record_checker_free(c);
        return r;
}
