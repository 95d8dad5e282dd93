/* SPDX-License-Identifier: MIT */
/* gd_kmsg_parse_record() on every line of the input: returns 0, -ENOMSG,
 * -EINVAL or -ENOMEM; on success the text is valid UTF-8 without control
 * bytes (they are escaped as \xNN) and the level is -1..7.  Then the whole
 * input as a log file through gd_kmsg_read(), all records and the signal
 * records only: the kept records are those of the full read that hold a
 * signal, with the same numbers. */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "host/kmsg.h"
#include "model/kmsg.h"

static void read_as_file(const uint8_t *data, size_t size) {
        struct gd_kmsg all = { 0 }, kept = { 0 };
        char path[64];
        int fd = memfd_create("fuzz-kmsg", MFD_CLOEXEC);
        int ra, rk;
        size_t j = 0;

        fuzz_assert(fd >= 0);
        fuzz_assert(write(fd, data, size) == (ssize_t) size);
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        ra = gd_kmsg_read(path, false, &all);
        rk = gd_kmsg_read(path, true, &kept);
        close(fd);
        fuzz_assert(ra == rk);
        fuzz_assert(ra == 0 || ra == -ENOENT || ra == -EACCES || ra == -EFBIG || ra == -EINVAL || ra == -ENOMEM);
        if (ra == 0) {
                fuzz_assert(kept.n_read == all.n_records && all.n_read == all.n_records);
                for (size_t i = 0; i < all.n_records; i++) {
                        if (!gd_kmsg_has_signal(all.records[i].text))
                                continue;
                        fuzz_assert(j < kept.n_records);
                        fuzz_assert(kept.records[j].line == all.records[i].line);
                        fuzz_assert(strcmp(kept.records[j].text, all.records[i].text) == 0);
                        fuzz_assert(kept.records[j].signals == all.records[i].signals);
                        j++;
                }
                fuzz_assert(j == kept.n_records);
        }
        gd_kmsg_clear(&all);
        gd_kmsg_clear(&kept);
}

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
                                fuzz_assert(r.signals == gd_kmsg_signals_in(r.text, strlen(r.text)));
                                free(r.text);
                        } else
                                fuzz_assert(r.line == 4242 && !r.text);       /* untouched */
                        if (!nl)
                                break;
                        p = nl + 1;
                }
        read_as_file(data, size);
        return 0;
}
