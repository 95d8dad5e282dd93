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
