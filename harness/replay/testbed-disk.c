/* SPDX-License-Identifier: MIT */
/* Writing below a testbed's directory without ever leaving it: the
 * directory is built from a bundle, whose recorded links could point
 * anywhere, so every path is checked (or opened with RESOLVE_BENEATH). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#else
#undef SYS_openat2
#endif

#include "base/cleanup-on-signal.h"
#include "base/fileio.h"
#include "base/macro.h"
#include "replay/testbed-internal.h"
#include "replay/testbed.h"

/* mkdir -p of root+path, never through a link that leaves root.  A
 * component that mkdir() made, or that lstat() shows to be a directory, is
 * a plain directory under its parent; only a symbolic link needs realpath()
 * to see where it leads.  (realpath() on every component cost 15,000
 * readlink calls per scenario, most of a replay's system time.) */
int testbed_mkdir(const char *root, const char *path) {
        _cleanup_free_ char *full = path_join(root, path);
        size_t rootlen = strlen(root);
        char real[PATH_MAX], real_root[PATH_MAX];

        if (!full)
                return -ENOMEM;
        for (char *s = full + rootlen + 1; ; s++) {
                bool last = *s == '\0';
                struct stat st;

                if (*s != '/' && !last)
                        continue;
                *s = '\0';
                if (mkdir(full, 0755) < 0) {
                        if (errno != EEXIST)
                                return -errno;
                        if (lstat(full, &st) < 0)
                                return -errno;
                        if (S_ISLNK(st.st_mode)) {
                                size_t n;

                                if (!realpath(full, real) || !realpath(root, real_root))
                                        return -errno;
                                n = strlen(real_root);
                                if (strncmp(real, real_root, n) != 0 || (real[n] != '/' && real[n] != '\0'))
                                        return -ELOOP;
                        } else if (!S_ISDIR(st.st_mode))
                                return -ENOTDIR;
                }
                if (last)
                        break;
                *s = '/';
        }
        return 0;
}

/* Opens root+path with flags, refusing a resolution that leaves root, in
 * one call: openat2() with RESOLVE_BENEATH (Linux 5.6) follows the links
 * inside the testbed and fails with EXDEV on one that leads out.  -ENOSYS
 * (or -EPERM from a seccomp filter) where the kernel lacks it. */
static int open_beneath(const char *root, const char *path, int flags) {
#ifdef SYS_openat2
        _cleanup_close_ int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .mode = 0644,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
        };
        long fd;

        if (dfd < 0)
                return -errno;
        while (*path == '/')
                path++;
        /* EAGAIN: a rename or mount anywhere on the machine raced with a
         * ".." of the path (the testbed's relative links), and the kernel
         * could not prove the walk stayed below root; openat2(2) says to
         * retry.  Seen in CI-like runs with a fuzzer renaming files. */
        for (unsigned tries = 0; ; tries++) {
                fd = syscall(SYS_openat2, dfd, path, &how, sizeof(how));
                if (fd >= 0 || errno != EAGAIN || tries >= 64)
                        break;
        }
        if (fd < 0)
                return errno == EXDEV ? -ELOOP : -errno;
        return (int) fd;
#else
        (void) root, (void) path, (void) flags;
        return -ENOSYS;
#endif
}

/* mkdir -p of the directory that will hold path, with the checks of
 * testbed_mkdir(). */
static int mkdir_parent(const char *root, const char *path) {
        _cleanup_free_ char *dir = strdup(path);
        char *slash = dir ? strrchr(dir, '/') : NULL;

        if (!dir)
                return -ENOMEM;
        if (!slash || slash == dir)
                return 0;
        *slash = '\0';
        return testbed_mkdir(root, dir);
}

/* The portable way: mkdir -p with the checks of testbed_mkdir(), then open
 * without following a link in the last component. */
static int open_checked(const char *root, const char *path, int flags) {
        _cleanup_free_ char *full = path_join(root, path);
        int fd, r;

        if (!full)
                return -ENOMEM;
        r = mkdir_parent(root, path);
        if (r < 0)
                return r;
        fd = open(full, flags | O_CLOEXEC, 0644);
        return fd < 0 ? -errno : fd;
}

int testbed_write_file(const char *root, const char *path, const void *content, size_t len, mode_t mode,
                       int64_t mtime) {
        /* A recorded sysfs attribute may be there already: replace it. */
        const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW;
        _cleanup_close_ int fd = -1;
        const char *p = content;
        int r;

        /* Most files go into a directory that exists: one openat2() instead
         * of a mkdir and lstat per path component. */
        fd = open_beneath(root, path, flags);
        if (fd == -ENOENT) {
                r = mkdir_parent(root, path);
                if (r < 0)
                        return r;
                fd = open_beneath(root, path, flags);
        }
        if (fd == -ENOSYS || fd == -EPERM || fd == -EAGAIN)
                fd = open_checked(root, path, flags);
        if (fd < 0)
                return fd;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t) n;
        }
        if (fchmod(fd, mode) < 0)
                return -errno;
        if (mtime >= 0) {
                struct timespec ts[2] = { { .tv_sec = (time_t) mtime }, { .tv_sec = (time_t) mtime } };
                if (futimens(fd, ts) < 0)
                        return -errno;
        }
        return 0;
}

int gd_testbed_remove_dir(const char *dir, bool keep_dir) {
        /* The remover a signal handler uses too: never follows a link. */
        return rm_rf_signal_safe(dir, keep_dir);
}
