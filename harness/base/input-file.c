/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input-file.h"
#include "macro.h"

static int regular_or_errno(mode_t mode) {
        if (S_ISREG(mode))
                return 0;
        return S_ISDIR(mode) ? -EISDIR : -EINVAL;
}

int input_open_regular(const char *path) {
        struct stat st;
        int fd, r;

        if (stat(path, &st) < 0)
                return -errno;
        r = regular_or_errno(st.st_mode);
        if (r < 0)
                return r;
        /* O_NONBLOCK: should a FIFO take the file's place between stat()
         * and open(), open() still returns at once, and fstat() says so. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || (r = regular_or_errno(st.st_mode)) < 0) {
                r = r < 0 ? r : -errno;
                close(fd);
                return r;
        }
        if (fcntl(fd, F_SETFL, 0) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

int input_read_regular(const char *path, size_t max, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = input_open_regular(path);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 64 * 1024;
        struct stat st;

        if (fd < 0)
                return fd;
        if (fstat(fd, &st) == 0 && (size_t) st.st_size > max)
                return -EFBIG;
        if (fstat(fd, &st) == 0 && (size_t) st.st_size + 1 > cap)
                cap = (size_t) st.st_size + 1;
        buf = malloc(cap + 1);
        if (!buf)
                return -ENOMEM;
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
        }
        if (len > max)
                return -EFBIG;
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int input_map_regular(const char *path, size_t max, const char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = input_open_regular(path);
        struct stat st;
        void *p;

        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return -errno;
        if ((uint64_t) st.st_size > max)
                return -EFBIG;
        if (st.st_size == 0) {
                *ret = "";
                *ret_len = 0;
                return 0;
        }
        p = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
                return -errno;
        *ret = p;
        *ret_len = (size_t) st.st_size;
        return 0;
}

void input_unmap(const char *p, size_t len) {
        if (p && len > 0)
                (void) munmap((void *) p, len);
}

const char *input_file_kind(const char *path) {
        struct stat st;

        if (stat(path, &st) < 0)
                return NULL;
        switch (st.st_mode & S_IFMT) {
        case S_IFIFO:  return "a FIFO";
        case S_IFCHR:  return "a character device";
        case S_IFBLK:  return "a block device";
        case S_IFSOCK: return "a socket";
        case S_IFDIR:  return "a directory";
        case S_IFREG:  return "a regular file";
        }
        return "not a regular file";
}
