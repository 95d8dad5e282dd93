/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

bool utf8_valid(const char *str, size_t len, size_t *ret_bad) {
        const unsigned char *s = (const unsigned char *) str;

        for (size_t i = 0; i < len; ) {
                unsigned c = s[i], n, cp;

                if (c < 0x80) {
                        i++;
                        continue;
                }
                if (c >= 0xc2 && c <= 0xdf)
                        n = 1, cp = c & 0x1f;
                else if (c >= 0xe0 && c <= 0xef)
                        n = 2, cp = c & 0x0f;
                else if (c >= 0xf0 && c <= 0xf4)
                        n = 3, cp = c & 0x07;
                else
                        goto bad;
                for (unsigned k = 1; k <= n; k++) {
                        if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
                                goto bad;
                        cp = cp << 6 | (s[i + k] & 0x3f);
                }
                if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
                    (cp >= 0xd800 && cp <= 0xdfff))
                        goto bad;
                i += n + 1;
                continue;
bad:
                if (ret_bad)
                        *ret_bad = i;
                return false;
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
