/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "utf8.h"

/* Bytes of the well-formed UTF-8 sequence at s, 0 when there is none. */
static size_t sequence(const unsigned char *s) {
        size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3 :
                   s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;

        for (size_t k = 1; k < n; k++)
                if (!s[k])
                        return 0;
        return n > 0 && utf8_valid((const char *) s, n, NULL) ? n : 0;
}

/* What s[0..] becomes: 0 when it is kept (then *ret_n bytes), else the
 * escape is written to buf. */
static size_t one(const unsigned char *s, size_t *ret_n, char buf[8]) {
        size_t n = sequence(s);

        *ret_n = n ? n : 1;
        if (n == 1 && (s[0] >= 0x20 || s[0] == '\t') && s[0] != 0x7f)
                return 0;
        if (n == 2 && s[0] == 0xc2 && s[1] <= 0x9f)
                return (size_t) snprintf(buf, 8, "\\u%04x", s[1]);
        if (n >= 2)
                return 0;
        return (size_t) snprintf(buf, 8, "\\x%02x", s[0]);
}

bool escape_needed(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; p && *p; ) {
                char buf[8];
                size_t n;

                if (one(p, &n, buf))
                        return true;
                p += n;
        }
        return false;
}

static void put(const char *s, FILE *f, bool quoted) {
        for (const unsigned char *p = (const unsigned char *) s; p && *p; ) {
                char buf[8];
                size_t n, e = one(p, &n, buf);

                if (e)
                        fwrite(buf, 1, e, f);
                else if (quoted && (*p == '"' || *p == '\\')) {
                        fputc('\\', f);
                        fputc(*p, f);
                } else if (quoted && *p == '\t')
                        fputs("\\t", f);
                else
                        fwrite(p, 1, n, f);
                p += n;
        }
}

void escape_fputs(const char *s, FILE *f) {
        put(s, f, false);
}

void escape_fputs_quoted(const char *s, FILE *f) {
        fputc('"', f);
        put(s, f, true);
        fputc('"', f);
}

char *escape_control(const char *s) {
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        if (!f)
                return NULL;
        escape_fputs(s, f);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

const char *escape_in(struct escape_pool *p, const char *s) {
        char *e;

        if (!s || !escape_needed(s))
                return s;
        if (p->n == ESCAPE_POOL_MAX || !(e = escape_control(s)))
                return "(text with control characters)";
        p->items[p->n++] = e;
        return e;
}

void escape_pool_clear(struct escape_pool *p) {
        for (size_t i = 0; i < p->n; i++)
                free(p->items[i]);
        p->n = 0;
}
