/* SPDX-License-Identifier: MIT */
/* gd_scenario_load() on a scenario file: 0, or a negative errno with a
 * message naming the file.  The loader takes a path, so the input goes to a
 * memfd and is loaded through /proc/self/fd/N. */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_YAML
#include "fuzz.h"
#include "replay/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static int fd = -1;
        struct gd_scenario *s = NULL;
        char path[64], *error = NULL;
        int r;

        if (size > FUZZ_MAX_INPUT)
                return 0;
        if (fd < 0)
                fd = memfd_create("fuzz-scenario", MFD_CLOEXEC);
        fuzz_assert(fd >= 0);
        fuzz_assert(ftruncate(fd, 0) == 0);
        fuzz_assert(pwrite(fd, data, size, 0) == (ssize_t) size);
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        r = gd_scenario_load(path, &s, &error);
        if (r < 0) {
                fuzz_assert(!s);
                fuzz_assert(r != -EINVAL || error);
        } else {
                fuzz_assert(s);
                gd_scenario_free(s);
        }
        free(error);
        return 0;
}
