/* SPDX-License-Identifier: MIT */
/* Checks of the umockdev-record text in a bundle.
 *
 * umockdev_testbed_add_from_string() builds file names from the text
 * (Path.build_filename(root, devpath, attribute)) without rejecting '..', and
 * calls error() -- which aborts the process -- when a device or a class or bus
 * link already exists.  A bundle comes from another machine or from pasted
 * text, so these are refused here, with a line, before umockdev sees them. */
#include <errno.h>
#include <string.h>

#include "base/strv.h"
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
                if (!strchr("0123456789ABCDEFabcdef", s[i]))
                        return false;
        return true;
}

struct record_state {
        char **devpaths;        /* P: of every record so far */
        char **links;           /* "subsystem/basename" of every record so far */
        char **keys;            /* "A:name" etc. of the current record */
        char *devpath;
        char *subsystem;
};

static void record_state_done(struct record_state *s) {
        strv_free(s->devpaths);
        strv_free(s->links);
        strv_free(s->keys);
        free(s->devpath);
        free(s->subsystem);
}

static int end_record(struct record_state *s, int line, char **ret_error) {
        _cleanup_free_ char *link = NULL;
        const char *base;

        if (!s->devpath)
                return 0;
        if (!s->subsystem)
                return bundle_fail(ret_error, line, "umockdev: device %s has no 'E: SUBSYSTEM=' line", s->devpath);
        base = strrchr(s->devpath, '/') + 1;
        if (asprintf(&link, "%s/%s", s->subsystem, base) < 0)
                return -ENOMEM;
        if (strv_contains(s->links, link))
                return bundle_fail(ret_error, line, "umockdev: two %s devices are named %s", s->subsystem, base);
        if (strv_consume(&s->links, TAKE_PTR(link)) < 0)
                return -ENOMEM;
        s->keys = strv_free(s->keys);
        s->devpath = mfree_str(s->devpath);
        s->subsystem = mfree_str(s->subsystem);
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
                if (!p)
                        return -ENOMEM;
                if (strv_contains(s->devpaths, p))
                        return bundle_fail(ret_error, line, "umockdev: device %s is recorded twice", p);
                if (strv_push_dup(&s->devpaths, p) < 0)
                        return -ENOMEM;
                s->devpath = TAKE_PTR(p);
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
        if (type != 'N') {
                /* A, H and L write the same file name: one of them only. */
                _cleanup_free_ char *k = strndup(l, klen);

                if (!k)
                        return -ENOMEM;
                if (strv_contains(s->keys, k))
                        return bundle_fail(ret_error, line, "umockdev: attribute '%s' of %s is recorded twice",
                                           k, s->devpath);
                if (strv_consume(&s->keys, TAKE_PTR(k)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int bundle_check_record(const char *text, size_t len, int first_line, char **ret_error) {
        struct record_state s = {};
        const char *p = text, *end = text + len;
        int lineno = 0, r = 0;

        /* umockdev wants the text to start with a P: line, not a blank one. */
        if (len > 0 && text[0] == '\n')
                return bundle_fail(ret_error, first_line, "umockdev: text starts with an empty line");

        while (p < end && r >= 0) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);
                int line = first_line > 0 ? first_line + lineno : 0;

                if (n == 0)
                        r = end_record(&s, line, ret_error);
                else
                        r = check_line(&s, p, n, line, ret_error);
                lineno++;
                p = nl ? nl + 1 : end;
        }
        if (r >= 0)
                r = end_record(&s, first_line > 0 ? first_line + lineno - 1 : 0, ret_error);
        record_state_done(&s);
        return r;
}
