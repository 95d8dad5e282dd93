/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

size_t utf8_sequence_length(const char *str, size_t left) {
        const unsigned char *s = (const unsigned char *) str;
        unsigned c, n, cp;

        if (left == 0)
                return 0;
        c = s[0];
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                n = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
                n = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
                n = 3, cp = c & 0x07;
        else
                return 0;
        if (n >= left)
                return 0;
        for (unsigned k = 1; k <= n; k++) {
                if ((s[k] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[k] & 0x3f);
        }
        /* overlong forms, surrogates, past U+10FFFF */
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n + 1;
}

bool utf8_valid(const char *s, size_t len, size_t *ret_bad) {
        for (size_t i = 0; i < len; ) {
                size_t n = utf8_sequence_length(s + i, len - i);

                if (n == 0) {
                        if (ret_bad)
                                *ret_bad = i;
                        return false;
                }
                i += n;
        }
        return true;
}

char *utf8_escape_invalid(const char *s, size_t len, size_t *ret_len) {
        /* At worst every byte becomes four. */
        char *out = len <= (SIZE_MAX - 1) / 4 ? malloc(len * 4 + 1) : NULL;
        size_t o = 0, i = 0;

        if (!out)
                return NULL;
        while (i < len) {
                size_t bad = 0;
                bool ok = utf8_valid(s + i, len - i, &bad);
                size_t good = ok ? len - i : bad;

                memcpy(out + o, s + i, good);
                o += good;
                i += good;
                if (ok)
                        break;
                o += (size_t) snprintf(out + o, 5, "\\x%02x", (unsigned char) s[i]);
                i++;
        }
        out[o] = '\0';
        *ret_len = o;
        return out;
}
