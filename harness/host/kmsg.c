/* SPDX-License-Identifier: MIT */
/* The kernel log reader: the records of /dev/kmsg (or of a file of lines)
 * through the I/O seam (base/io.h, gd_io_kmsg()), parsed by the pure record
 * parser (model/kmsg.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/macro.h"
#include "kmsg.h"
#include "model/kmsg.h"

/* What is being read: the records so far, and which ones to keep. */
struct reading {
        struct gd_kmsg k;
        size_t cap;
        bool signals_only;
};

static void reading_clear(struct reading *rd) {
        gd_kmsg_clear(&rd->k);
}

/* Bytes that are all printable ASCII (0x20..0x7e), and with newline also
 * '\n', sixteen at a time (GCC's and clang's vector extensions: SSE2 on
 * x86-64, NEON on arm64, plain code elsewhere): a byte plus one, as a
 * signed byte, is above 32 exactly for 0x20..0x7e (0x7f and 0x80..0xff wrap
 * to negative, 0x00..0x1f become 1..32).  The last sixteen bytes are
 * checked as one piece, overlapping the one before.  Eight bytes at a time
 * as integers was a third of explain on a 100,000-record log. */
typedef signed char bytes16 __attribute__((vector_size(16)));
typedef uint64_t words2 __attribute__((vector_size(16)));

static bool all_set(bytes16 v) {
        words2 w;

        memcpy(&w, &v, 16);
        return (w[0] & w[1]) == UINT64_MAX;
}

static bytes16 printable16(const char *s, bool newline) {
        bytes16 x, ok;

        memcpy(&x, s, 16);
        ok = (bytes16) (x + 1 > 32);
        return newline ? ok | (bytes16) (x == '\n') : ok;
}

/* A record: the test ends at the first bad piece. */
static bool printable(const char *s, size_t len) {
        if (len < 16) {
                for (size_t i = 0; i < len; i++)
                        if ((unsigned char) s[i] < 0x20 || (unsigned char) s[i] > 0x7e)
                                return false;
                return true;
        }
        for (size_t i = 0; i + 16 < len; i += 16)
                if (!all_set(printable16(s + i, false)))
                        return false;
        return all_set(printable16(s + len - 16, false));
}

/* A block of lines, nearly always good: one test at the end. */
static bool printable_lines(const char *s, size_t len) {
        bytes16 ok;

        if (len < 16) {
                for (size_t i = 0; i < len; i++)
                        if (((unsigned char) s[i] < 0x20 || (unsigned char) s[i] > 0x7e) && s[i] != '\n')
                                return false;
                return true;
        }
        ok = printable16(s + len - 16, true);
        for (size_t i = 0; i + 16 < len; i += 16)
                ok &= printable16(s + i, true);
        return all_set(ok);
}

static int add_record(const char *line, size_t len, void *userdata) {
        struct reading *rd = userdata;
        struct gd_kmsg *k = &rd->k;
        struct gd_kmsg_record rec;
        int r;

        /* A printable ASCII line is its own text past the prefix, so one
         * without a signal gives a text without one: it is counted, not
         * parsed (escaping 100,000 such records was most of explain on a
         * small host).  Any other byte is escaped as \xNN, whose hex digits
         * can start a signal ("\x8c" + "an't reserve"; found by fuzz-kmsg):
         * such lines are parsed. */
        if (rd->signals_only && printable(line, len) && gd_kmsg_signals_in(line, len) == 0) {
                k->n_read++;
                return 0;
        }
        r = gd_kmsg_parse_record(line, len, (unsigned) k->n_read + 1, &rec);
        if (r == -ENOMSG)
                return 0;
        if (r < 0)
                return r;
        k->n_read++;
        if (rd->signals_only && rec.signals == 0) {
                free(rec.text);
                return 0;
        }
        if (k->n_records == rd->cap) {
                size_t ncap = rd->cap ? rd->cap * 2 : 256;
                struct gd_kmsg_record *nr = reallocarray(k->records, ncap, sizeof(*nr));
                if (!nr) {
                        free(rec.text);
                        return -ENOMEM;
                }
                k->records = nr;
                rd->cap = ncap;
        }
        k->records[k->n_records++] = rec;
        return 0;
}

/* A block of whole records, none of which add_record() would keep: the
 * test above, for all of them at once (no signal spans a line). */
static bool quiet(const char *block, size_t len, void *userdata) {
        const struct reading *rd = userdata;

        return rd->signals_only && printable_lines(block, len) && gd_kmsg_signals_in(block, len) == 0;
}

static void skipped(size_t n, void *userdata) {
        struct reading *rd = userdata;

        rd->k.n_read += n;
}

int gd_kmsg_read(const char *path, bool signals_only, struct gd_kmsg *ret) {
        static const struct gd_kmsg_reader reader = { .record = add_record, .quiet = quiet, .skipped = skipped };
        _cleanup_(reading_clear) struct reading rd = { .signals_only = signals_only };
        int r;

        if (!path || !ret)
                return -EINVAL;
        rd.k.source = strdup(path);
        if (!rd.k.source)
                return -ENOMEM;
        r = gd_io_kmsg_read(path, &gd_kmsg_limits, &reader, &rd);
        if (r < 0)
                return r;
        *ret = rd.k;
        rd.k = (struct gd_kmsg) {};
        return 0;
}
