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

/* A record whose bytes are all printable ASCII (0x20..0x7e), eight at a
 * time: a byte below 0x20 or from 0x7f sets the high bit of its lane in
 * (x - 0x20...) | x or in (x ^ 0x7f...) - 0x01...  */
static bool printable(const char *s, size_t len) {
        const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        size_t i = 0;

        for (; i + 8 <= len; i += 8) {
                uint64_t x;

                memcpy(&x, s + i, 8);
                if ((((x - 0x20 * ones) | x) & highs) || (((x ^ 0x7f * ones) - ones) & ~(x ^ 0x7f * ones) & highs))
                        return false;
        }
        for (; i < len; i++)
                if ((unsigned char) s[i] < 0x20 || (unsigned char) s[i] > 0x7e)
                        return false;
        return true;
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

int gd_kmsg_read(const char *path, bool signals_only, struct gd_kmsg *ret) {
        _cleanup_(reading_clear) struct reading rd = { .signals_only = signals_only };
        int r;

        if (!path || !ret)
                return -EINVAL;
        rd.k.source = strdup(path);
        if (!rd.k.source)
                return -ENOMEM;
        r = gd_io_kmsg(path, &gd_kmsg_limits, add_record, &rd);
        if (r < 0)
                return r;
        *ret = rd.k;
        rd.k = (struct gd_kmsg) {};
        return 0;
}
