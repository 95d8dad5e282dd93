/* SPDX-License-Identifier: MIT */
/* gpudiag import on pasted text: gd_import_feed() never fails but for
 * -ENOMEM, and whatever gd_import_write() writes must load as a valid
 * bundle: import is only useful when its output can be replayed. */
#include <errno.h>

#include "bundle/bundle.h"
#include "bundle/redact.h"
#define FUZZ_YAML
#include "fuzz.h"
#include "import/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct gd_import *im;
        struct gd_redact *redact = NULL;
        struct gd_bundle *b = NULL;
        char *out = NULL, *error = NULL;
        size_t out_len = 0;
        FILE *f;
        int r;

        if (size < 1 || size > FUZZ_MAX_INPUT)
                return 0;
        im = gd_import_new();
        fuzz_assert(im);
        /* Redacted as gpudiag import does by default: the rewritten text
         * must still make a bundle that loads. */
        fuzz_assert(gd_redact_new(true, &redact) == 0);
        fuzz_assert(gd_redact_learn(redact, (const char *) data + 1, size - 1) == 0);
        /* First byte: the forced kind (0 auto-detects). */
        r = gd_import_feed(im, "fuzz", (const char *) data + 1, size - 1,
                           (enum gd_import_kind) (data[0] % _GD_IMPORT_KIND_MAX));
        fuzz_assert(r == 0 || r == -ENOMEM);
        fuzz_assert(gd_import_warnings(im));
        f = open_memstream(&out, &out_len);
        fuzz_assert(f);
        r = gd_import_write(im, f, "fuzz input", "2026-11-26T15:00:00Z", redact);
        fuzz_assert(fclose(f) == 0);
        if (r == 0) {
                r = gd_bundle_load_data(out, out_len, &b, &error);
                if (r < 0) {
                        fprintf(stderr, "import wrote a bundle that does not load: %s\n", error ? error : "?");
                        fuzz_assert(r == 0);
                }
                gd_bundle_free(b);
        }
        free(error);
        free(out);
        gd_import_free(im);
        gd_redact_free(redact);
        return 0;
}
