/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "strv.h"

int gd_marker_errno(const char *buf, size_t len) {
        if (len == strlen(GD_ABSENT_MARKER) && memcmp(buf, GD_ABSENT_MARKER, len) == 0)
                return -ENOENT;
        if (len == strlen(GD_UNREADABLE_MARKER) && memcmp(buf, GD_UNREADABLE_MARKER, len) == 0)
                return -EACCES;
        return 0;
}

/* attr: a sysfs attribute, whose show() hands out the whole value in the
 * first read (kernfs seq_file, at most a page), as does a regular file of a
 * replay testbed; so a read shorter than asked is the end, and saves the
 * read that would return 0.  /proc files are not read this way: a seq_file
 * there may return one record per read. */
static int read_capped(const char *path, size_t max, bool attr, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 4096;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;

        buf = malloc(cap + 1);
        if (!buf)
                return -ENOMEM;

        /* sysfs and procfs report st_size 4096 or 0, so read until EOF. */
        for (;;) {
                ssize_t n;

                if (len == cap) {
                        char *nb;
                        if (cap > max)
                                return -EFBIG;
                        cap *= 2;
                        nb = realloc(buf, cap + 1);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                }
                n = read(fd, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len > max)
                        return -EFBIG;
                if (attr && len < cap)
                        break;
        }
        buf[len] = '\0';

        r = gd_marker_errno(buf, len);
        if (r < 0)
                return r;

        /* Give back the unused part of the read buffer: sysfs attributes are
         * a few bytes and a host keeps tens of thousands of them (4 KiB each
         * made 66 of the 70 MB of `groups` on a 4,096-function host). */
        if (cap - len > 64) {
                char *nb = realloc(buf, len + 1);
                if (nb)
                        buf = nb;
        }

        if (ret_len)
                *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

int read_file_capped(const char *path, size_t max, char **ret, size_t *ret_len) {
        return read_capped(path, max, false, ret, ret_len);
}

int read_attr(const char *dir, const char *attr, char **ret) {
        _cleanup_free_ char *p = path_join(dir, attr);
        char *v = NULL;
        size_t len = 0;
        int r;

        if (!p)
                return -ENOMEM;
        r = read_capped(p, GD_ATTR_MAX, true, &v, &len);
        if (r < 0)
                return r;
        while (len > 0 && (v[len - 1] == '\n' || v[len - 1] == ' '))
                v[--len] = '\0';
        *ret = v;
        return 0;
}

int read_link_basename(const char *dir, const char *name, char **ret) {
        _cleanup_free_ char *p = path_join(dir, name);
        char target[PATH_MAX];
        ssize_t n;
        const char *base;

        if (!p)
                return -ENOMEM;
        n = readlink(p, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        base = strrchr(target, '/');
        base = base ? base + 1 : target;
        if (!*base)
                return -EINVAL;
        *ret = strdup(base);
        return *ret ? 0 : -ENOMEM;
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
        _cleanup_closedir_ DIR *d = opendir(dir);
        _cleanup_strv_free_ char **l = NULL;
        struct dirent *de;

        *ret = NULL;
        if (!d)
                return -errno;
        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (keep && !keep(de->d_name))
                        continue;
                if (strv_length(l) >= DIR_LIST_MAX)
                        return -E2BIG;
                if (strv_push_dup(&l, de->d_name) < 0)
                        return -ENOMEM;
        }
        strv_sort(l);
        *ret = TAKE_PTR(l);
        return 0;
}
