/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/io-record.h"
#include "base/hostpaths.h"
#include "base/macro.h"
#include "iomem.h"

static void ranges_free(struct gd_iomem_range *r, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(r[i].name);
        free(r);
}

/* At most 16 hex digits, as %llx prints a 64-bit value. */
static int parse_hex64(const char *s, size_t len, uint64_t *ret) {
        uint64_t v = 0;

        if (len == 0 || len > 16)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                unsigned d;

                if (c >= '0' && c <= '9')
                        d = (unsigned) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        d = (unsigned) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        d = (unsigned) (c - 'A' + 10);
                else
                        return -EINVAL;
                v = v << 4 | d;
        }
        *ret = v;
        return 0;
}

static size_t hex_span(const char *s, size_t len) {
        size_t i = 0;

        while (i < len && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                           (s[i] >= 'A' && s[i] <= 'F')))
                i++;
        return i;
}

/* One line without its newline: "<2*depth spaces><start>-<end> : <name>". */
static int parse_line(const char *s, size_t len, unsigned lineno, struct gd_iomem_range *ret) {
        size_t sp = 0, a, b, p;
        uint64_t start, end;
        char *name;

        while (sp < len && s[sp] == ' ')
                sp++;
        if (sp % 2 != 0)
                return -EINVAL;
        p = sp;
        a = hex_span(s + p, len - p);
        if (parse_hex64(s + p, a, &start) < 0)
                return -EINVAL;
        p += a;
        if (p >= len || s[p] != '-')
                return -EINVAL;
        p++;
        b = hex_span(s + p, len - p);
        if (parse_hex64(s + p, b, &end) < 0)
                return -EINVAL;
        p += b;
        if (start > end)
                return -EINVAL;
        /* " : name", or " :" alone for a resource with an empty name. */
        if (len - p >= 3 && memcmp(s + p, " : ", 3) == 0)
                p += 3;
        else if (len - p == 2 && memcmp(s + p, " :", 2) == 0)
                p += 2;
        else
                return -EINVAL;
        name = strndup(s + p, len - p);
        if (!name)
                return -ENOMEM;
        ret->start = start;
        ret->end = end;
        ret->depth = (unsigned) (sp / 2);
        ret->name = name;
        ret->line = lineno;
        return 0;
}

int gd_iomem_parse(const char *text, struct gd_iomem_range **ret, size_t *n) {
        struct gd_iomem_range *r = NULL;
        size_t nr = 0, cap = 0;
        unsigned lineno = 0;
        const char *line = text;

        while (line && *line) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t) (nl - line) : strlen(line);
                int k;

                if (++lineno > GD_IOMEM_MAX_LINES) {
                        ranges_free(r, nr);
                        return -EFBIG;
                }
                if (len > 0 && line[len - 1] == '\r')
                        len--;
                if (len > 0) {
                        if (nr == cap) {
                                size_t ncap = cap ? cap * 2 : 64;
                                struct gd_iomem_range *nr_ = realloc(r, ncap * sizeof(*r));
                                if (!nr_) {
                                        ranges_free(r, nr);
                                        return -ENOMEM;
                                }
                                r = nr_;
                                cap = ncap;
                        }
                        k = parse_line(line, len, lineno, &r[nr]);
                        if (k < 0) {
                                ranges_free(r, nr);
                                return k;
                        }
                        nr++;
                }
                line = nl ? nl + 1 : NULL;
        }
        if (nr == 0) {
                free(r);
                r = NULL;
        }
        *ret = r;
        *n = nr;
        return 0;
}

bool gd_iomem_addresses_hidden(const struct gd_iomem_range *r, size_t n) {
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (r[i].start != 0 || r[i].end != 0)
                        return false;
        return true;
}

int gd_iomem_read(struct gd_host *h) {
        _cleanup_free_ char *text = NULL;
        struct gd_iomem_range *r = NULL;
        size_t n = 0;
        int k;

        k = gd_io_read(gd_hostpath(GD_PROC_IOMEM)->path, GD_CAP_TEXT, &text, NULL);
        if (k < 0)
                return h->iomem_state = k;
        k = gd_iomem_parse(text, &r, &n);
        if (k < 0)
                return h->iomem_state = k;
        h->iomem = r;
        h->n_iomem = n;
        if (n == 0)
                return h->iomem_state = -ENODATA;
        /* kernel/resource.c r_show(): without CAP_SYS_ADMIN every address
         * reads 0, which must read as "unknown", never as "no overlap"; a
         * bundle says so rather than keep the zeros. */
        if (gd_iomem_addresses_hidden(r, n)) {
                gd_io_record_error(gd_hostpath(GD_PROC_IOMEM)->path, -EACCES);
                return h->iomem_state = -EACCES;
        }
        return h->iomem_state = 0;
}
