/* SPDX-License-Identifier: MIT */
/* The kernel log through the I/O seam (io.h, gd_io_kmsg()). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/io-internal.h"
#include "base/macro.h"

/* One /dev/kmsg record is at most 8 KiB (CONSOLE_EXT_LOG_MAX); a read()
 * with a smaller buffer than the record fails with EINVAL. */
#define KMSG_READ_SIZE (16u * 1024u)

size_t gd_kmsg_record_length(const char *line, size_t len) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                len--;
        return len == 0 || line[0] == ' ' ? 0 : len;
}

/* The newest records that fit the caps, for the recording: a queue of
 * record lengths over one buffer, older records dropped from the front. */
struct newest {
        char *buf;
        size_t start, len, cap;        /* kept bytes are buf[start..len) */
        size_t *lengths;               /* of each kept record, with its '\n' */
        size_t first, n, n_cap;        /* kept records are lengths[first..n) */
        size_t dropped;
};

static void newest_done(struct newest *w) {
        free(w->buf);
        free(w->lengths);
}

static int newest_add(struct newest *w, const struct gd_kmsg_limits *limits, const char *s, size_t len) {
        while (w->n > w->first && (w->n - w->first + 1 > limits->records ||
                                   w->len - w->start + len + 1 > limits->bytes)) {
                w->start += w->lengths[w->first++];
                w->dropped++;
        }
        /* Move the kept part to the front once the dropped part is half. */
        if (w->start > 0 && w->start >= w->cap / 2) {
                memmove(w->buf, w->buf + w->start, w->len - w->start);
                w->len -= w->start;
                w->start = 0;
                memmove(w->lengths, w->lengths + w->first, (w->n - w->first) * sizeof(*w->lengths));
                w->n -= w->first;
                w->first = 0;
        }
        if (w->len + len + 2 > w->cap) {
                size_t ncap = w->cap ? w->cap : 64 * 1024;
                char *nb;

                while (w->len + len + 2 > ncap)
                        ncap *= 2;
                nb = realloc(w->buf, ncap);
                if (!nb)
                        return -ENOMEM;
                w->buf = nb;
                w->cap = ncap;
        }
        if (w->n == w->n_cap) {
                size_t ncap = w->n_cap ? w->n_cap * 2 : 1024;
                size_t *nl = reallocarray(w->lengths, ncap, sizeof(*nl));

                if (!nl)
                        return -ENOMEM;
                w->lengths = nl;
                w->n_cap = ncap;
        }
        memcpy(w->buf + w->len, s, len);
        w->buf[w->len + len] = '\n';
        w->len += len + 1;
        w->lengths[w->n++] = len + 1;
        return 0;
}

struct kmsg_read {
        const struct gd_kmsg_limits *limits;
        const struct gd_kmsg_reader *reader;
        void *userdata;
        struct newest *newest;         /* record mode */
        size_t records, bytes;
        int reader_error;              /* the callback's, or -EFBIG past a cap */
        char *held;                    /* the first record, until it is clear it is no marker */
        size_t held_len;
        bool first_done;
};

static int deliver(struct kmsg_read *k, const char *s, size_t len) {
        if (k->newest && newest_add(k->newest, k->limits, s, len) < 0)
                return -ENOMEM;
        if (k->reader_error < 0)
                return 0;
        k->records++;
        k->bytes += len + 1;
        if (k->records > k->limits->records || k->bytes > k->limits->bytes) {
                k->reader_error = -EFBIG;
                return 0;
        }
        k->reader_error = k->reader->record(s, len, k->userdata);
        return 0;
}

/* A testbed's marker is one line, the whole file: the first record is held
 * until a second one comes, or the end. */
static int add_line(struct kmsg_read *k, const char *line, size_t len) {
        size_t n = gd_kmsg_record_length(line, len);
        int r;

        if (n == 0)
                return 0;
        if (!k->first_done) {
                k->first_done = true;
                k->held = malloc(n + 2);
                if (!k->held)
                        return -ENOMEM;
                memcpy(k->held, line, n);
                k->held[n] = k->held[n + 1] = '\0';
                k->held_len = n;
                return 0;
        }
        if (k->held) {
                r = deliver(k, k->held, k->held_len);
                k->held = mfree_str(k->held);
                if (r < 0)
                        return r;
        }
        return deliver(k, line, n);
}

/* Whether the reading goes on: in record mode to the end, else until the
 * reader is done. */
static bool more(const struct kmsg_read *k) {
        return k->newest || k->reader_error == 0;
}

/* After the last line: one that did not end in a newline, and the held
 * first record, which is a marker when it was the whole file. */
static int finish(struct kmsg_read *k, const char *rest, size_t rest_len, size_t total) {
        int r;

        /* A file need not end in a newline. */
        if (rest_len > 0 && more(k)) {
                r = add_line(k, rest, rest_len);
                if (r < 0)
                        return r;
        }
        if (k->held) {
                _cleanup_free_ char *held = TAKE_PTR(k->held);

                /* The whole file was this one line: a marker?  (held has
                 * room for its '\n'.) */
                if (total == k->held_len + 1) {
                        held[k->held_len] = '\n';
                        r = io_marker_errno(held, k->held_len + 1);
                        if (r < 0)
                                return r;
                }
                r = deliver(k, held, k->held_len);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The whole lines of block[0..len) when the reader calls them quiet, and
 * each is a record within the caps: counted, not handed over one by one
 * (a 100,000-record log: 40 M instructions down to 20 M).  Otherwise false,
 * and the lines go one by one, where the caps and the rules of
 * gd_kmsg_record_length() decide as always. */
static bool pass_quiet(struct kmsg_read *k, const char *block, size_t len) {
        size_t n = 0;

        if (!k->reader->quiet || k->newest || k->held || !k->first_done || k->reader_error != 0 || len == 0)
                return false;
        if (k->records >= k->limits->records || len > k->limits->bytes - k->bytes)
                return false;
        for (const char *p = block, *end = block + len; p < end; ) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));

                /* block ends in a newline; an empty line, a dictionary line
                 * or one past the line cap is not counted here. */
                if (nl == p || *p == ' ' || (size_t) (nl - p) > k->limits->line)
                        return false;
                n++;
                p = nl + 1;
        }
        if (n > k->limits->records - k->records || !k->reader->quiet(block, len, k->userdata))
                return false;
        k->records += n;
        k->bytes += len;
        if (k->reader->skipped)
                k->reader->skipped(n, k->userdata);
        return true;
}

/* Quiet blocks are asked about in pieces of this size, so that one record
 * the reader keeps costs only its piece the per-record path. */
#define QUIET_BLOCK (16u * 1024u)

/* Every whole line of buf[0..len) to add_line(); *ret_used: the bytes
 * before the first line that did not end. */
static int add_lines(struct kmsg_read *k, const char *buf, size_t len, size_t *ret_used) {
        size_t start = 0;

        while (more(k) && start < len) {
                size_t piece = len - start < QUIET_BLOCK ? len - start : QUIET_BLOCK;
                const char *last = memrchr(buf + start, '\n', piece), *stop;

                if (last && pass_quiet(k, buf + start, (size_t) (last - (buf + start)) + 1)) {
                        start = (size_t) (last - buf) + 1;
                        continue;
                }
                /* This piece's lines one by one (or, with no line end in
                 * it, the one line that starts it). */
                stop = last ? last + 1 : buf + len;
                while (more(k) && buf + start < stop) {
                        const char *nl = memchr(buf + start, '\n', (size_t) (stop - (buf + start)));
                        int r;

                        if (!nl) {
                                *ret_used = start;
                                return 0;
                        }
                        if ((size_t) (nl - (buf + start)) > k->limits->line)
                                return -EMSGSIZE;       /* one record, not the whole log, is too long */
                        r = add_line(k, buf + start, (size_t) (nl - (buf + start)));
                        if (r < 0)
                                return r;
                        start = (size_t) (nl - buf) + 1;
                }
        }
        *ret_used = start;
        return 0;
}

/* A regular file (a replay testbed's log) through a window of the page
 * cache: no copy of 10 MB of log into a buffer (on the machine that
 * measured it, pread() of 10 MB took 7.7 ms and a mapping 2.6 ms), and no
 * read() for umockdev's preload to wrap (it blocks and restores all
 * signals around its device emulation check on every read).  The window
 * keeps the resident part small; it starts at the page of the first line
 * not yet read. */
#define WINDOW (2u * 1024u * 1024u)

static int read_mapped(int fd, size_t size, struct kmsg_read *k) {
        const size_t page = (size_t) sysconf(_SC_PAGESIZE);
        size_t offset = 0;      /* of the first byte not yet read */
        int r;

        while (offset < size && more(k)) {
                size_t base = offset - offset % page, len = size - base < WINDOW ? size - base : WINDOW, used;
                const char *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, (off_t) base);

                if (map == MAP_FAILED)
                        return -errno;
                r = add_lines(k, map + (offset - base), len - (offset - base), &used);
                offset += used;
                if (r >= 0 && used == 0 && base + len < size)
                        r = -EMSGSIZE;  /* a line longer than the window */
                if (r >= 0 && base + len == size && offset < size && more(k)) {
                        if (size - offset > k->limits->line)
                                r = -EMSGSIZE;
                        else
                                r = finish(k, map + (offset - base), size - offset, size);
                        offset = size;
                        (void) munmap((void *) map, len);
                        return r;
                }
                (void) munmap((void *) map, len);
                if (r < 0)
                        return r;
        }
        return finish(k, NULL, 0, size);
}

static int read_all(const char *path, struct kmsg_read *k) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t pending = 0, bufsize = KMSG_READ_SIZE, total = 0;
        struct stat st;
        int r;

        /* O_NONBLOCK: reading /dev/kmsg past its last record blocks. */
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        /* A window from the page of a line's start holds the longest line allowed. */
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
            k->limits->line + (size_t) sysconf(_SC_PAGESIZE) < WINDOW)
                return read_mapped(fd, (size_t) st.st_size, k);

        buf = malloc(bufsize);
        if (!buf)
                return -ENOMEM;
        while (more(k)) {
                size_t used;
                ssize_t n;

                /* Only a line longer than the buffer makes it grow. */
                if (bufsize - pending < KMSG_READ_SIZE) {
                        char *nb = realloc(buf, bufsize * 2);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        bufsize *= 2;
                }
                n = read(fd, buf + pending, KMSG_READ_SIZE);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        /* Records were overwritten since the last read;
                         * the kernel moved us on to the oldest one left. */
                        if (errno == EPIPE)
                                continue;
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                break;
                        return -errno;
                }
                if (n == 0)
                        break;
                total += (size_t) n;
                pending += (size_t) n;
                r = add_lines(k, buf, pending, &used);
                if (r < 0)
                        return r;
                if (pending - used > k->limits->line)
                        return -EMSGSIZE;       /* one record, not the whole log, is too long */
                memmove(buf, buf + used, pending - used);
                pending -= used;
        }
        return finish(k, buf, pending, total);
}

int gd_io_kmsg_read(const char *path, const struct gd_kmsg_limits *limits, const struct gd_kmsg_reader *reader,
                    void *userdata) {
        _cleanup_(newest_done) struct newest newest = {};
        struct kmsg_read k = {
                .limits = limits ? limits : &gd_kmsg_limits,
                .reader = reader,
                .userdata = userdata,
                .newest = io_recording ? &newest : NULL,
        };
        int r;

        if (!path || !reader || !reader->record)
                return -EINVAL;
        r = read_all(path, &k);
        free(k.held);
        if (io_recording) {
                char *content = NULL;
                size_t len = 0;

                if (r == 0) {
                        len = newest.len - newest.start;
                        content = malloc(len + 1);
                        if (content) {
                                memcpy(content, newest.buf ? newest.buf + newest.start : "", len);
                                content[len] = '\0';
                        }
                }
                io_record_content_take(io_logical_path(path), r == 0 && !content ? -ENOMEM : r, content, len,
                                       newest.dropped);
        }
        return r < 0 ? r : k.reader_error;
}

int gd_io_kmsg(const char *path, const struct gd_kmsg_limits *limits,
               int (*record)(const char *text, size_t len, void *userdata), void *userdata) {
        const struct gd_kmsg_reader reader = { .record = record };

        return gd_io_kmsg_read(path, limits, &reader, userdata);
}
