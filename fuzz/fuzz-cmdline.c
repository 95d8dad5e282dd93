/* SPDX-License-Identifier: MIT */
/* gd_cmdline_parse(): 0 or -ENOMEM on any string; every argument has a
 * non-NULL key; parsing is deterministic.  (A key may hold spaces: a '"'
 * anywhere starts quoting, as in the kernel's next_arg().) */
#include <errno.h>

#include "fuzz.h"
#include "host/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct gd_cmdline a = { 0 }, b = { 0 };
        char *s;
        int r;

        if (size > FUZZ_MAX_INPUT)
                return 0;
        s = fuzz_strndup(data, size);
        r = gd_cmdline_parse(s, &a);
        fuzz_assert(r == 0 || r == -ENOMEM);
        if (r == 0) {
                fuzz_assert(gd_cmdline_parse(s, &b) == 0);
                fuzz_assert(a.n_args == b.n_args);
                for (size_t i = 0; i < a.n_args; i++) {
                        fuzz_assert(a.args[i].key);
                        fuzz_assert(strcmp(a.args[i].key, b.args[i].key) == 0);
                }
                gd_cmdline_clear(&a);
                gd_cmdline_clear(&b);
        }
        fuzz_assert(gd_cmdline_parse(NULL, &a) == -EINVAL);
        free(s);
        return 0;
}
