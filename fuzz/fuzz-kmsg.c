/* SPDX-License-Identifier: MIT */
/* gd_kmsg_parse_record() on every line of the input: returns 0, -ENOMSG,
 * -EINVAL or -ENOMEM; on success the text is valid UTF-8 without control
 * bytes (they are escaped as \xNN) and the level is -1..7. */
#include <errno.h>

#include "fuzz.h"
#include "host/kmsg.h"

static bool clean_text(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *s = (const char *) data, *end = s + size;
        unsigned lineno = 0;

        if (size > FUZZ_MAX_INPUT)
                return 0;
        /* Once with the whole buffer as one "line" (NULs and \n inside). */
        for (int whole = 1; whole >= 0; whole--)
                for (const char *p = s; p <= end; ) {
                        const char *nl = whole ? end : memchr(p, '\n', (size_t) (end - p));
                        size_t len = (size_t) ((nl ? nl : end) - p);
                        struct gd_kmsg_record r = { .line = 4242 };
                        int ret = gd_kmsg_parse_record(p, len, ++lineno, &r);

                        fuzz_assert(ret == 0 || ret == -ENOMSG || ret == -EINVAL || ret == -ENOMEM);
                        if (ret == 0) {
                                fuzz_assert(r.text);
                                fuzz_assert(r.level >= -1 && r.level <= 7);
                                fuzz_assert(clean_text(r.text));
                                free(r.text);
                        } else
                                fuzz_assert(r.line == 4242 && !r.text);       /* untouched */
                        if (!nl)
                                break;
                        p = nl + 1;
                }
        return 0;
}
