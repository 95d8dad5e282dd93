/* SPDX-License-Identifier: MIT */
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
