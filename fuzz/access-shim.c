/* SPDX-License-Identifier: MIT */
/* An LD_PRELOAD library for fuzz-testbed, loaded before umockdev's preload
 * (which calls libc through dlopen("libc.so.6"), so a library after it
 * would see nothing): it sees every open, listing, stat and readlink the
 * reader makes, lets umockdev do it, and resolves what was reached as the
 * kernel did (the real path of the descriptor, from /proc/self/fd; for the
 * calls without one, the path as umockdev redirects it: /sys always into
 * $UMOCKDEV_DIR, /dev and /proc when the testbed has the file).  It aborts
 * the process when that lies outside the testbed while GPUDIAG_FUZZ_ARMED
 * is set: libFuzzer then keeps the bundle that did it.  What a process may read besides (shared
 * libraries, pci.ids, udev's hwdb, its own /proc/self) is listed below;
 * everything else of this machine, /sys /proc /dev /etc /boot /home /tmp
 * and the rest, is off limits.  No seccomp, no strace: a shim, as the
 * issue asked. */
/* The plain and the 64-bit names are wrapped each: without the build's
 * _FILE_OFFSET_BITS=64, which would make open() open64() here. */
#undef _FILE_OFFSET_BITS
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Read-only data any program on the replaying machine may read. */
static const char *const allowed[] = {
        "/usr/share/", "/usr/lib/x86_64-linux-gnu/", "/lib/x86_64-linux-gnu/", "/usr/lib/locale/",
        "/etc/ld.so.cache", "/etc/udev/hwdb.bin", "/usr/lib/udev/hwdb.bin", "/dev/null", "/dev/urandom",
        "/proc/self/", "/etc/localtime",
};

static bool under(const char *path, const char *dir) {
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0' || dir[n - 1] == '/');
}

static void check_real(const char *call, const char *path, const char *real) {
        const char *root = getenv("GPUDIAG_FUZZ_ALLOW");
        char self[32];

        if (!getenv("GPUDIAG_FUZZ_ARMED") || !root || !*root)
                return;
        if (under(real, root))
                return;
        for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
                if (under(real, allowed[i]))
                        return;
        snprintf(self, sizeof(self), "/proc/%d/", (int) getpid());
        if (under(real, self))
                return;
        fprintf(stderr, "fuzz-access-shim: %s(\"%s\") reaches %s, outside the testbed %s\n", call, path, real, root);
        abort();
}

static void check_fd(const char *call, const char *path, int fd) {
        char link[64], real[PATH_MAX];
        ssize_t n;

        if (fd < 0)
                return;
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        n = readlink(link, real, sizeof(real) - 1);
        if (n < 0)
                return;
        real[n] = '\0';
        check_real(call, path, real);
}

static bool starts(const char *path, const char *dir) {
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* For calls without a descriptor: what the kernel resolves the path to
 * (follow: the last component too), or its directory when it is missing. */
static void check_path(const char *call, int dirfd, const char *path, bool follow) {
        const char *tb = getenv("UMOCKDEV_DIR");
        char redirected[PATH_MAX];
        int saved = errno, fd;

        if (!getenv("GPUDIAG_FUZZ_ARMED"))
                return;
        if (tb && *tb && path[0] == '/' && (starts(path, "/sys") || starts(path, "/dev") || starts(path, "/proc"))) {
                snprintf(redirected, sizeof(redirected), "%s%s", tb, path);
                fd = (int) syscall(SYS_openat, AT_FDCWD, redirected, O_PATH | O_CLOEXEC | O_NOFOLLOW);
                if (fd >= 0) {
                        close(fd);
                        path = redirected;
                } else if (starts(path, "/sys")) {
                        errno = saved;
                        return;         /* missing in the testbed: nothing is reached */
                }
        }
        fd = (int) syscall(SYS_openat, dirfd, path, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
        if (fd < 0) {
                char dir[PATH_MAX];
                const char *slash = strrchr(path, '/');

                if (slash && (size_t) (slash - path) < sizeof(dir)) {
                        memcpy(dir, path, (size_t) (slash - path));
                        dir[slash - path] = '\0';
                        fd = (int) syscall(SYS_openat, dirfd, slash == path ? "/" : dir, O_PATH | O_CLOEXEC);
                } else
                        fd = (int) syscall(SYS_openat, dirfd, ".", O_PATH | O_CLOEXEC);
        }
        if (fd >= 0) {
                check_fd(call, path, fd);
                close(fd);
        }
        errno = saved;
}

#define NEXT(name) static __typeof__(name) *next_##name; \
        if (!next_##name) next_##name = (__typeof__(name) *) dlsym(RTLD_NEXT, #name)

static mode_t mode_of(int flags, va_list ap) {
        return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t) va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...) {
        va_list ap;
        mode_t mode;
        int fd;

        NEXT(open);
        va_start(ap, flags);
        mode = mode_of(flags, ap);
        va_end(ap);
        fd = next_open(path, flags, mode);
        check_fd("open", path, fd);
        return fd;
}

int open64(const char *path, int flags, ...) {
        va_list ap;
        mode_t mode;
        int fd;

        NEXT(open64);
        va_start(ap, flags);
        mode = mode_of(flags, ap);
        va_end(ap);
        fd = next_open64(path, flags, mode);
        check_fd("open64", path, fd);
        return fd;
}

int openat(int dirfd, const char *path, int flags, ...) {
        va_list ap;
        mode_t mode;
        int fd;

        NEXT(openat);
        va_start(ap, flags);
        mode = mode_of(flags, ap);
        va_end(ap);
        fd = next_openat(dirfd, path, flags, mode);
        check_fd("openat", path, fd);
        return fd;
}

int openat64(int dirfd, const char *path, int flags, ...) {
        va_list ap;
        mode_t mode;
        int fd;

        NEXT(openat64);
        va_start(ap, flags);
        mode = mode_of(flags, ap);
        va_end(ap);
        fd = next_openat64(dirfd, path, flags, mode);
        check_fd("openat64", path, fd);
        return fd;
}

FILE *fopen(const char *path, const char *how) {
        FILE *f;

        NEXT(fopen);
        f = next_fopen(path, how);
        if (f)
                check_fd("fopen", path, fileno(f));
        return f;
}

FILE *fopen64(const char *path, const char *how) {
        FILE *f;

        NEXT(fopen64);
        f = next_fopen64(path, how);
        if (f)
                check_fd("fopen64", path, fileno(f));
        return f;
}

DIR *opendir(const char *path) {
        DIR *d;

        NEXT(opendir);
        d = next_opendir(path);
        if (d)
                check_fd("opendir", path, dirfd(d));
        return d;
}

int stat(const char *path, struct stat *st) {
        NEXT(stat);
        check_path("stat", AT_FDCWD, path, true);
        return next_stat(path, st);
}

int lstat(const char *path, struct stat *st) {
        NEXT(lstat);
        check_path("lstat", AT_FDCWD, path, false);
        return next_lstat(path, st);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags) {
        NEXT(fstatat);
        if (!(flags & AT_EMPTY_PATH) || path[0])
                check_path("fstatat", dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW));
        return next_fstatat(dirfd, path, st, flags);
}

int access(const char *path, int how) {
        NEXT(access);
        check_path("access", AT_FDCWD, path, true);
        return next_access(path, how);
}

int faccessat(int dirfd, const char *path, int how, int flags) {
        NEXT(faccessat);
        check_path("faccessat", dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW));
        return next_faccessat(dirfd, path, how, flags);
}

ssize_t readlink(const char *path, char *buf, size_t size) {
        NEXT(readlink);
        /* Our own look at /proc/self/fd: not the reader's. */
        if (strncmp(path, "/proc/self/fd/", 14) != 0)
                check_path("readlink", AT_FDCWD, path, false);
        return next_readlink(path, buf, size);
}

ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t size) {
        NEXT(readlinkat);
        check_path("readlinkat", dirfd, path, false);
        return next_readlinkat(dirfd, path, buf, size);
}
