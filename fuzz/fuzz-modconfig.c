/* SPDX-License-Identifier: MIT */
/* The pure boot-configuration parsers: /etc/default/grub
 * (gd_grub_default_parse), kernel .config (gd_kconfig_parse), /proc/iomem
 * (gd_iomem_parse), /etc/os-release (gd_os_release_grub_mkconfig) and
 * kernelstub's configuration (gd_kernelstub_options_parse).  The first byte
 * picks the parser, so one corpus serves them all. */
#include <errno.h>

#include "fuzz.h"
#include "host/bootconfig.h"
#include "host/iomem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s;
        int r;

        if (size < 1 || size > FUZZ_MAX_INPUT)
                return 0;
        s = fuzz_strndup(data + 1, size - 1);
        switch (data[0] % 4) {
        case 0: {
                struct gd_grub_default g = { 0 };
                r = gd_grub_default_parse(s, &g);
                /* -E2BIG: a self-referencing value grew past its cap. */
                fuzz_assert(r == 0 || r == -ENOMEM || r == -E2BIG);
                if (r == 0) {
                        fuzz_assert(!g.cmdline_linux == !g.line_linux);
                        fuzz_assert(!g.cmdline_linux_default == !g.line_default);
                        gd_grub_default_clear(&g);
                }
                break;
        }
        case 1: {
                struct gd_kconfig_entry *e = NULL;
                size_t n = 0;
                r = gd_kconfig_parse(s, &e, &n);
                fuzz_assert(r == 0 || r == -EINVAL || r == -ENOMEM);
                for (size_t i = 0; r == 0 && i < n; i++) {
                        fuzz_assert(e[i].name && e[i].value);
                        free(e[i].name);
                        free(e[i].value);
                }
                free(e);
                break;
        }
        case 2: {
                struct gd_iomem_range *ranges = NULL;
                size_t n = 0;
                r = gd_iomem_parse(s, &ranges, &n);
                fuzz_assert(r == 0 || r == -EINVAL || r == -EFBIG || r == -ENOMEM);
                for (size_t i = 0; r == 0 && i < n; i++) {
                        fuzz_assert(ranges[i].start <= ranges[i].end && ranges[i].name);
                        free(ranges[i].name);
                }
                fuzz_assert(r != 0 || n > 0 || !ranges);
                free(ranges);
                break;
        }
        default: {
                char *o = NULL;
                (void) gd_os_release_grub_mkconfig(s);
                /* kernelstub's JSON (Pop!_OS): the same text as another parser's input. */
                r = gd_kernelstub_options_parse(s, &o);
                fuzz_assert(r == 0 || r == -EINVAL || r == -ENOENT || r == -ENOMEM);
                fuzz_assert((r == 0) == (o != NULL));
                free(o);
                break;
        }
        }
        free(s);
        return 0;
}
