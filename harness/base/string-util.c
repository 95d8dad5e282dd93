/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "string-util.h"

bool string_has_word(const char *s, const char *word, const char *separators) {
        size_t wl = word ? strlen(word) : 0;

        if (!s || wl == 0)
                return false;
        for (const char *p = s + strspn(s, separators); *p; p += strspn(p, separators)) {
                size_t n = strcspn(p, separators);
                if (n == wl && memcmp(p, word, wl) == 0)
                        return true;
                p += n;
        }
        return false;
}

int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

bool unhex_into(const char *s, size_t len, void *out) {
        unsigned char *o = out;

        if (len % 2)
                return false;
        for (size_t i = 0; i < len; i += 2) {
                int hi = unhexchar(s[i]), lo = unhexchar(s[i + 1]);

                if (hi < 0 || lo < 0)
                        return false;
                o[i / 2] = (unsigned char) (hi << 4 | lo);
        }
        return true;
}
