/* SPDX-License-Identifier: MIT */
/* The bounded reads of fileio.h are the I/O seam's (io.c), with a byte cap
 * instead of one of the seam's table: a reader that uses them is recorded
 * by collect like one that uses the seam directly. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "io-internal.h"
#include "macro.h"
#include "strv.h"

int gd_marker_errno(const char *buf, size_t len) {
        return io_marker_errno(buf, len);
}

int read_file_capped(const char *path, size_t max, char **ret, size_t *ret_len) {
        return io_read(path, max, false, ret, ret_len);
}

int read_attr(const char *dir, const char *attr, char **ret) {
        return gd_io_read_attr(dir, attr, ret);
}

int read_link_basename(const char *dir, const char *name, char **ret) {
        return gd_io_link_basename(dir, name, ret);
}

char *path_join(const char *a, const char *b) {
        size_t la = strlen(a);
        char *r;

        while (la > 0 && a[la - 1] == '/')
                la--;
        while (*b == '/')
                b++;
        r = malloc(la + 1 + strlen(b) + 1);
        if (!r)
                return NULL;
        memcpy(r, a, la);
        r[la] = '/';
        strcpy(r + la + 1, b);
        return r;
}

int path_is_safe_absolute(const char *p) {
        const char *s;

        if (!p || p[0] != '/')
                return 0;
        for (s = p; *s; ) {
                const char *e;
                size_t n;

                while (*s == '/')
                        s++;
                e = strchrnul(s, '/');
                n = (size_t) (e - s);
                if ((n == 2 && s[0] == '.' && s[1] == '.') || (n == 1 && s[0] == '.'))
                        return 0;
                s = e;
        }
        return 1;
}

int dir_list(const char *dir, bool (*keep)(const char *name), char ***ret) {
        char **l = NULL;
        size_t w = 0;
        int r = gd_io_list(dir, 0, &l);

        *ret = NULL;
        if (r < 0)
                return r;
        for (size_t i = 0; l[i]; i++) {
                if (keep && !keep(l[i]))
                        free(l[i]);
                else
                        l[w++] = l[i];
        }
        l[w] = NULL;
        *ret = l;
        return 0;
}
