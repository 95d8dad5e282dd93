/* SPDX-License-Identifier: MIT */
/* The I/O seam (io.h): files, attributes, links, directories, stat.  The
 * kernel log is in io-kmsg.c, the recorder in io-record.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/io-internal.h"
#include "base/macro.h"
#include "base/strv.h"

static const struct gd_io_cap_info caps[_GD_CAP_MAX] = {
        [GD_CAP_ATTR]          = { GD_ATTR_MAX,          "64 KiB" },
        [GD_CAP_CONFIG_SPACE]  = { 4096,                 "4 KiB" },
        [GD_CAP_TEXT]          = { GD_TEXT_FILE_MAX,     "4 MiB" },
        [GD_CAP_VM_CONFIG]     = { 1024u * 1024u,        "1 MiB" },
        [GD_CAP_MODULES_ALIAS] = { 64u * 1024u * 1024u,  "64 MiB" },
};

const struct gd_kmsg_limits gd_kmsg_limits = {
        .records = 10000000u,
        .bytes = 256u * 1024u * 1024u,
        .line = 1024u * 1024u,
        .name = "10,000,000 records or 256 MiB",
        .line_name = "1 MiB",
};

const struct gd_io_cap_info *gd_io_cap(enum gd_io_cap cap) {
        return (unsigned) cap < _GD_CAP_MAX ? &caps[cap] : &caps[GD_CAP_ATTR];
}

int io_marker_errno(const char *buf, size_t len) {
        if (len == strlen(GD_ABSENT_MARKER) && memcmp(buf, GD_ABSENT_MARKER, len) == 0)
                return -ENOENT;
        if (len == strlen(GD_UNREADABLE_MARKER) && memcmp(buf, GD_UNREADABLE_MARKER, len) == 0)
                return -EACCES;
        return 0;
}

const char *io_logical_path(const char *path) {
        const char *root = gd_config_root();
        size_t n = strlen(root);

        if (n > 1 && strncmp(path, root, n) == 0 && path[n] == '/')
                return path + n;
        return path;
}

/* A copy of what the recording holds for logical, or 0 when it holds
 * nothing (then the file is read). */
static int recorded_read(const char *logical, size_t max, char **ret, size_t *ret_len, int *ret_r) {
        const char *content;
        size_t len;
        int error;
        char *copy;

        if (!io_recording || io_record_lookup(logical, &error, &content, &len) <= 0)
                return 0;
        if (error < 0)
                *ret_r = error;
        else if (len > max)
                *ret_r = -EFBIG;
        else if (!(copy = malloc(len + 1)))
                *ret_r = -ENOMEM;
        else {
                memcpy(copy, content, len);
                copy[len] = '\0';
                *ret = copy;
                if (ret_len)
                        *ret_len = len;
                *ret_r = 0;
        }
        return 1;
}

/* attr: a sysfs attribute, whose show() hands out the whole value in the
 * first read (kernfs seq_file, at most a page), as does a regular file of a
 * replay testbed; so a read shorter than asked is the end, and saves the
 * read that would return 0.  /proc files are not read this way: a seq_file
 * there may return one record per read.
 *
 * pread() at the bytes read so far, which sysfs, procfs (seq_file keeps its
 * place by the offset) and regular files serve as read() does: umockdev's
 * preload wraps read() to check for an emulated device on every call, and
 * blocks and restores all signals around that check, two system calls per
 * read of every attribute of a replayed host.  A pipe or a character device
 * (ESPIPE) is read with read(). */
static int read_capped(const char *path, size_t max, bool attr, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 4096;
        bool positioned = true;
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
                n = positioned ? pread(fd, buf + len, cap - len, (off_t) len) : read(fd, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == ESPIPE && positioned) {
                                positioned = false;     /* a pipe or a device */
                                continue;
                        }
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

        r = io_marker_errno(buf, len);
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

int io_read(const char *path, size_t max, bool attr, char **ret, size_t *ret_len) {
        const char *logical = io_recording ? io_logical_path(path) : NULL;
        size_t len = 0;
        int r;

        if (logical && recorded_read(logical, max, ret, ret_len, &r))
                return r;
        r = read_capped(path, max, attr, ret, &len);
        if (logical)
                io_record_content(logical, r, r == 0 ? *ret : NULL, len);
        if (r == 0 && ret_len)
                *ret_len = len;
        return r;
}

int gd_io_read(const char *path, enum gd_io_cap cap, char **ret, size_t *ret_len) {
        return io_read(path, gd_io_cap(cap)->bytes, false, ret, ret_len);
}

int gd_io_read_attr(const char *dir, const char *attr, char **ret) {
        _cleanup_free_ char *p = path_join(dir, attr);
        char *v = NULL;
        size_t len = 0;
        int r;

        if (!p)
                return -ENOMEM;
        r = io_read(p, GD_ATTR_MAX, true, &v, &len);
        if (r < 0)
                return r;
        while (len > 0 && (v[len - 1] == '\n' || v[len - 1] == ' '))
                v[--len] = '\0';
        *ret = v;
        return 0;
}

static int read_gz(const char *path, size_t max, char **ret, size_t *ret_len) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 64 * 1024;
        gzFile gz;
        int r;

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
                        if (cap > max) {
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
                if (len > max) {
                        gzclose(gz);
                        return -EFBIG;
                }
        }
        gzclose(gz);
        buf[len] = '\0';
        r = io_marker_errno(buf, len);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

int gd_io_read_gz(const char *path, enum gd_io_cap cap, char **ret, size_t *ret_len) {
        const char *logical = io_recording ? io_logical_path(path) : NULL;
        size_t max = gd_io_cap(cap)->bytes, len = 0;
        int r;

        if (logical && recorded_read(logical, max, ret, ret_len, &r))
                return r;
        r = read_gz(path, max, ret, &len);
        if (logical)
                io_record_content(logical, r, r == 0 ? *ret : NULL, len);
        if (r == 0 && ret_len)
                *ret_len = len;
        return r;
}

int gd_io_readlink(const char *path, char **ret) {
        char target[PATH_MAX];
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        int r = n < 0 ? -errno : 0;

        if (r == 0)
                target[n] = '\0';
        if (io_recording)
                io_record_link(io_logical_path(path), r, r == 0 ? target : NULL);
        if (r < 0)
                return r;
        *ret = strdup(target);
        return *ret ? 0 : -ENOMEM;
}

int gd_io_link_basename(const char *dir, const char *name, char **ret) {
        _cleanup_free_ char *p = path_join(dir, name), *target = NULL;
        const char *base;
        int r;

        if (!p)
                return -ENOMEM;
        r = gd_io_readlink(p, &target);
        if (r < 0)
                return r;
        base = strrchr(target, '/');
        base = base ? base + 1 : target;
        if (!*base)
                return -EINVAL;
        *ret = strdup(base);
        return *ret ? 0 : -ENOMEM;
}

/* A testbed writes a marker file where a directory the bundle could not
 * read (or a paste did not show) would be. */
static int marker_in_place_of_dir(const char *dir) {
        _cleanup_free_ char *content = NULL;
        size_t len = 0;
        int r = read_capped(dir, GD_ATTR_MAX, false, &content, &len);

        return r == -EACCES || r == -ENOENT ? r : -ENOTDIR;
}

static int list(const char *dir, unsigned flags, char ***ret) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;

        if (!d)
                return errno == ENOTDIR ? marker_in_place_of_dir(dir) : -errno;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if ((flags & GD_IO_LIST_NO_DIRS) && de->d_type == DT_DIR)
                        continue;
                if (n >= DIR_LIST_MAX)
                        return -E2BIG;
                /* strv_push_dup() measures the list on every push. */
                if (n + 1 >= cap) {
                        char **nl = reallocarray(l, cap = cap ? cap * 2 : 16, sizeof(char *));
                        if (!nl)
                                return -ENOMEM;
                        l = nl;
                }
                l[n] = strdup(de->d_name);
                if (!l[n])
                        return -ENOMEM;
                l[++n] = NULL;
        }
        if (!l && !(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        strv_sort(l);
        *ret = TAKE_PTR(l);
        return 0;
}

int gd_io_list(const char *dir, unsigned flags, char ***ret) {
        int r;

        *ret = NULL;
        r = list(dir, flags, ret);
        if (io_recording)
                io_record_list(io_logical_path(dir), r, r == 0 ? *ret : NULL);
        return r;
}

int gd_io_stat(const char *path, struct gd_io_stat *ret) {
        struct stat st;
        struct gd_io_stat s = {};
        int r = stat(path, &st) < 0 ? -errno : 0;

        if (r == 0)
                s = (struct gd_io_stat) {
                        .is_dir = S_ISDIR(st.st_mode),
                        .is_reg = S_ISREG(st.st_mode),
                        .is_node = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode),
                        .mtime = (int64_t) st.st_mtime,
                };
        if (io_recording)
                io_record_stat(io_logical_path(path), r, &s);
        if (r == 0 && ret)
                *ret = s;
        return r;
}

bool gd_io_same_file(const char *a, const char *b) {
        struct stat sa, sb;

        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
