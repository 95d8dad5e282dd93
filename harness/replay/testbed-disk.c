/* SPDX-License-Identifier: MIT */
/* Writing below a testbed's directory without ever leaving it: the
 * directory is built from a bundle, whose recorded links could point
 * anywhere, so every path is checked (or opened with RESOLVE_BENEATH). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
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
                .mode = flags & O_CREAT ? 0644 : 0,     /* openat2() refuses a mode it would not use */
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

/* pwrite(), which umockdev's preload does not wrap (its write() blocks and
 * restores all signals around a check for an emulated device). */
static int write_all_at(int fd, const char *p, size_t len) {
        off_t off = 0;

        while (len > 0) {
                ssize_t n = pwrite(fd, p, len, off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                off += n;
                len -= (size_t) n;
        }
        return 0;
}

/* The umask, read once (umask() can only be read by setting it). */
static mode_t current_umask(void) {
        static mode_t mask;
        static bool known;

        if (!known) {
                mask = umask(022);
                umask(mask);
                known = true;
        }
        return mask;
}

/* Creates the file name in dir with content, mode and mtime (< 0: leave
 * it).  A file there already (a recorded sysfs attribute written twice, a
 * scenario's change) is replaced by a new one, never written in place: it
 * may be a hard link of others (the cursor's pool, below).  A link or a
 * directory there is an error, as O_NOFOLLOW or O_TRUNC made it. */
static int create_at(int dir, const char *name, const void *content, size_t len, mode_t mode, int64_t mtime,
                     mode_t mask) {
        const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
        _cleanup_close_ int fd = openat(dir, name, flags, mode);
        int r;

        if (fd < 0 && errno == EEXIST) {
                struct stat st;

                if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (S_ISLNK(st.st_mode))
                        return -ELOOP;
                if (S_ISDIR(st.st_mode))
                        return -EISDIR;
                if (unlinkat(dir, name, 0) < 0 && errno != ENOENT)
                        return -errno;
                fd = openat(dir, name, flags, mode);
        }
        if (fd < 0)
                return -errno;
        r = write_all_at(fd, content, len);
        if (r < 0)
                return r;
        /* The mode as created, unless the umask took bits of it. */
        if ((mode & mask) != 0 && fchmod(fd, mode) < 0)
                return -errno;
        if (mtime >= 0) {
                struct timespec ts[2] = { { .tv_sec = (time_t) mtime }, { .tv_sec = (time_t) mtime } };
                if (futimens(fd, ts) < 0)
                        return -errno;
        }
        return 0;
}

/* The directory that holds path, opened (O_PATH) without leaving root. */
static int open_parent(const char *root, const char *path, const char **ret_name) {
        _cleanup_free_ char *dir = strdup(path);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        const int flags = O_PATH | O_DIRECTORY;
        int fd, r;

        if (!dir)
                return -ENOMEM;
        if (!slash || !slash[1])
                return -EINVAL;
        *ret_name = path + (slash - dir) + 1;
        *slash = '\0';
        if (!*dir) {
                fd = open(root, flags | O_CLOEXEC);
                return fd < 0 ? -errno : fd;
        }
        /* Most files go into a directory that exists: one openat2() instead
         * of a mkdir and lstat per path component. */
        fd = open_beneath(root, dir, flags);
        if (fd == -ENOENT) {
                r = testbed_mkdir(root, dir);
                if (r < 0)
                        return r;
                fd = open_beneath(root, dir, flags);
        }
        if (fd == -ENOSYS || fd == -EPERM || fd == -EAGAIN) {
                /* The portable way: mkdir -p with the checks of
                 * testbed_mkdir(), which sees where a link leads. */
                _cleanup_free_ char *full = path_join(root, dir);

                if (!full)
                        return -ENOMEM;
                r = testbed_mkdir(root, dir);
                if (r < 0)
                        return r;
                fd = open(full, flags | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
        }
        return fd;
}

int testbed_write_file(const char *root, const char *path, const void *content, size_t len, mode_t mode,
                       int64_t mtime) {
        const char *name = NULL;
        _cleanup_close_ int dir = open_parent(root, path, &name);

        if (dir < 0)
                return dir;
        return create_at(dir, name, content, len, mode, mtime, current_umask());
}

/* ---- the cursor ----------------------------------------------------------- */

/* The pool of a fresh testbed: one file per distinct content of the
 * attributes (mode 0644, no mtime), of which every attribute is a hard
 * link.  A 4,096-function host has 123,300 attribute files with 8,647
 * distinct contents ("0x8086\n" thousands of times); a link costs about
 * half of creating and writing a file, and removing one (no inode to free)
 * half of removing a file.  The pool directory goes when the writing ends:
 * the testbed holds exactly the tree.  Files are never written in place
 * (create_at() replaces), so a link never changes another. */
#define POOL_NAME ".gd-pool"

int tb_cursor_init(struct tb_cursor *c, const char *root, bool pool) {
        *c = (struct tb_cursor) { .umask = current_umask(), .pool = -1 };
        c->root = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (c->root < 0)
                return -errno;
        /* Without the pool, files are written one by one. */
        if (pool && mkdirat(c->root, POOL_NAME, 0700) == 0)
                c->pool = openat(c->root, POOL_NAME, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return 0;
}

void tb_cursor_done(struct tb_cursor *c) {
        while (c->depth > 0)
                close(c->fd[--c->depth]);
        if (c->pool >= 0) {
                for (size_t k = 1; k < c->n_pooled; k++) {
                        char name[32];

                        if (!c->pooled[k])
                                continue;
                        snprintf(name, sizeof(name), "%zu", k);
                        (void) unlinkat(c->pool, name, 0);
                }
                close(c->pool);
                (void) unlinkat(c->root, POOL_NAME, AT_REMOVEDIR);
                c->pool = -1;
        }
        free(c->pooled);
        c->pooled = NULL;
        c->n_pooled = 0;
        if (c->root >= 0)
                close(c->root);
        c->root = -1;
}

static int cursor_dir(const struct tb_cursor *c) {
        return c->depth > 0 ? c->fd[c->depth - 1] : c->root;
}

/* Moves the cursor to the directory path[0..len).  1 when a directory on
 * the way is not one the cursor may enter: a link (O_NOFOLLOW), or missing. */
static int cursor_move(struct tb_cursor *c, const char *path, size_t len) {
        /* Up to the deepest open directory that holds path. */
        while (c->depth > 0) {
                size_t e = c->end[c->depth - 1];

                if (e <= len && memcmp(c->path, path, e) == 0 && (e == len || path[e] == '/'))
                        break;
                close(c->fd[--c->depth]);
        }
        c->len = c->depth > 0 ? c->end[c->depth - 1] : 0;
        /* Down, one component at a time, never through a link. */
        while (c->len < len) {
                size_t start = c->len + 1, e = start;
                char name[NAME_MAX + 1];
                int fd;

                while (e < len && path[e] != '/')
                        e++;
                if (c->depth == TB_CURSOR_DEPTH || e - start > NAME_MAX || e == start)
                        return 1;
                memcpy(name, path + start, e - start);
                name[e - start] = '\0';
                fd = openat(cursor_dir(c), name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return errno == ENOMEM ? -ENOMEM : 1;
                memcpy(c->path + c->len, path + c->len, e - c->len);
                c->fd[c->depth] = fd;
                c->end[c->depth++] = e;
                c->len = e;
        }
        return 0;
}

/* An attribute as a link of its content's file in the pool (named by the
 * content's number in the tree, made when first needed). */
static int link_from_pool(struct tb_cursor *c, int dir, const char *name, const struct tb_entry *x) {
        char pooled[32];
        int r;

        snprintf(pooled, sizeof(pooled), "%" PRIu32, x->content);
        if (x->content >= c->n_pooled || !c->pooled[x->content]) {
                if (x->content >= c->n_pooled) {
                        size_t n = (size_t) x->content * 2 + 64;
                        bool *np = realloc(c->pooled, n * sizeof(*np));

                        if (!np)
                                return -ENOMEM;
                        memset(np + c->n_pooled, 0, (n - c->n_pooled) * sizeof(*np));
                        c->pooled = np;
                        c->n_pooled = n;
                }
                r = create_at(c->pool, pooled, x->data, x->len, x->mode, -1, c->umask);
                if (r < 0)
                        return r;
                c->pooled[x->content] = true;
        }
        if (linkat(c->pool, pooled, dir, name, 0) == 0)
                return 0;
        if (errno != EEXIST)
                return -errno;
        /* Something is there: replaced as create_at() replaces. */
        return create_at(dir, name, x->data, x->len, x->mode, x->mtime, c->umask);
}

int tb_cursor_create(struct tb_cursor *c, const struct tb_entry *x) {
        const char *slash = strrchr(x->path, '/');
        const char *name;
        struct stat st;
        int dir, r;

        if (!slash || !slash[1] || strlen(x->path) >= sizeof(c->path))
                return 1;
        r = cursor_move(c, x->path, (size_t) (slash - x->path));
        if (r != 0)
                return r;
        dir = cursor_dir(c);
        name = slash + 1;

        switch (x->type) {
        case TB_DIR:
                if (mkdirat(dir, name, 0755) == 0)
                        return 0;
                if (errno != EEXIST)
                        return -errno;
                if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                /* A link there: testbed_mkdir() sees where it leads. */
                return S_ISDIR(st.st_mode) ? 0 : S_ISLNK(st.st_mode) ? 1 : -ENOTDIR;
        case TB_FILE:
                if (c->pool >= 0 && x->content > 0 && x->mode == 0644 && x->mtime < 0)
                        return link_from_pool(c, dir, name, x);
                return create_at(dir, name, x->data, x->len, x->mode, x->mtime, c->umask);
        case TB_LINK:
                return symlinkat(x->data, dir, name) < 0 ? -errno : 0;
        }
        return -EINVAL;
}

int gd_testbed_remove_dir(const char *dir, bool keep_dir) {
        /* The remover a signal handler uses too: never follows a link. */
        return rm_rf_signal_safe(dir, keep_dir);
}
