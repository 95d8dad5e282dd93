/* SPDX-License-Identifier: MIT */
/* gd_bundle_load_data(): YAML, every format rule, the umockdev recording
 * checks and gzip.  Returns 0 or a negative errno; on failure *ret is NULL
 * and there is an error message for -EINVAL; on success every promise of
 * bundle.h holds (paths allowed, addresses valid, strvs never NULL). */
#include <errno.h>

#include "bundle/bundle.h"
#define FUZZ_YAML
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct gd_bundle *b = NULL;
        char *error = NULL;
        int r;

        if (size > FUZZ_MAX_INPUT)
                return 0;
        r = gd_bundle_load_data(data, size, &b, &error);
        if (r < 0) {
                fuzz_assert(!b);
                fuzz_assert(r != -EINVAL || error);
                free(error);
                return 0;
        }
        fuzz_assert(b);
        fuzz_assert(b->metadata.redacted && b->unreadable);
        for (size_t i = 0; i < b->n_files; i++) {
                fuzz_assert(gd_bundle_path_allowed(b->files[i].path));
                fuzz_assert(b->files[i].content);
                fuzz_assert(gd_bundle_file(b, b->files[i].path));
        }
        for (char **p = b->unreadable; *p; p++)
                fuzz_assert(gd_bundle_path_allowed(*p));
        for (size_t i = 0; i < b->n_groups; i++) {
                fuzz_assert(b->groups[i].id >= 0 && b->groups[i].devices);
                for (char **d = b->groups[i].devices; *d; d++)
                        fuzz_assert(gd_pci_address_valid(*d));
        }
        gd_bundle_free(b);
        free(error);
        return 0;
}
