/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/macro.h"
#include "host/kmsg.h"
#include "model/kmsg.h"

static char *fixture_path(const char *name) {
        const char *srcdir = getenv("GPUDIAG_SRCDIR");
        char *path;

        cr_assert_not_null(srcdir, "GPUDIAG_SRCDIR is not set");
        cr_assert_geq(asprintf(&path, "%s/fixtures/kmsg/%s", srcdir, name), 0);
        return path;
}

static void read_fixture(const char *name, struct gd_kmsg *k) {
        _cleanup_free_ char *path = fixture_path(name);
        int r = gd_kmsg_read(path, false, k);

        cr_assert_eq(r, 0, "%s: %s", path, strerror(-r));
        cr_assert_str_eq(k->source, path);
}

/* Parses a literal line; for the tests of one line format each. */
static struct gd_kmsg_record parse(const char *line) {
        struct gd_kmsg_record rec = {};

        cr_assert_eq(gd_kmsg_parse_record(line, strlen(line), 7, &rec), 0, "%s", line);
        cr_assert_eq(rec.line, 7);
        return rec;
}

static void assert_record(const struct gd_kmsg *k, size_t i, int level, uint64_t usec, const char *text) {
        cr_assert_lt(i, k->n_records);
        cr_assert_eq(k->records[i].line, i + 1);
        cr_assert_eq(k->records[i].level, level, "record %zu", i);
        cr_assert_eq(k->records[i].usec, usec, "record %zu", i);
        cr_assert_str_eq(k->records[i].text, text);
}

/* A file in the temporary directory, removed by the caller. */
static char *temp_file(void) {
        const char *tmp = getenv("TMPDIR");
        char *path;
        int fd;

        cr_assert_geq(asprintf(&path, "%s/gpudiag-kmsg-XXXXXX", tmp ? tmp : "/tmp"), 0);
        fd = mkstemp(path);
        cr_assert_geq(fd, 0);
        close(fd);
        return path;
}

static void write_file(const char *path, const char *data, size_t len) {
        FILE *f = fopen(path, "we");

        cr_assert_not_null(f);
        cr_assert_eq(fwrite(data, 1, len, f), len);
        cr_assert_eq(fclose(f), 0);
}

Test(kmsg, kmsg_record_gives_level_timestamp_and_text) {
        struct gd_kmsg_record rec = parse("4,245,38211,-;DMAR: IOMMU enabled\n");

        cr_assert_eq(rec.level, 4);
        cr_assert_eq(rec.usec, 38211);
        cr_assert_str_eq(rec.text, "DMAR: IOMMU enabled");
        free(rec.text);
}

Test(kmsg, facility_bits_are_not_part_of_the_level) {
        /* 30 = LOG_DAEMON (3) << 3 | LOG_INFO (6). */
        struct gd_kmsg_record rec = parse("30,340,5690716,-;udevd[80]: starting version 181");

        cr_assert_eq(rec.level, 6);
        cr_assert_str_eq(rec.text, "udevd[80]: starting version 181");
        free(rec.text);
}

Test(kmsg, unknown_header_fields_are_ignored) {
        struct gd_kmsg_record rec = parse("6,1203,1023456,-,caller=T1;DMAR: on; really");

        cr_assert_eq(rec.level, 6);
        cr_assert_eq(rec.usec, 1023456);
        cr_assert_str_eq(rec.text, "DMAR: on; really");
        free(rec.text);
}

Test(kmsg, continuation_lines_are_not_records) {
        struct gd_kmsg_record rec = { .line = 99, .level = 5 };
        _cleanup_(gd_kmsg_clear) struct gd_kmsg k = {};

        cr_assert_eq(gd_kmsg_parse_record(" SUBSYSTEM=pci\n", 15, 1, &rec), -ENOMSG);
        cr_assert_eq(gd_kmsg_parse_record(" DEVICE=+pci:0000:01:00.0", 25, 1, &rec), -ENOMSG);
        cr_assert_eq(gd_kmsg_parse_record("\r\n", 2, 1, &rec), -ENOMSG);
        cr_assert_eq(rec.line, 99);
        cr_assert_eq(rec.level, 5);
        cr_assert_null(rec.text);

        /* And they do not count as records when reading. */
        read_fixture("intel-dmar-records.kmsg", &k);
        cr_assert_eq(k.n_records, 9);
        assert_record(&k, 7, 6, 1023456, "DMAR: Intel(R) Virtualization Technology for Directed I/O");
}

Test(kmsg, null_arguments_are_einval) {
        struct gd_kmsg_record rec = {};
        struct gd_kmsg k = {};

        cr_assert_eq(gd_kmsg_parse_record(NULL, 0, 1, &rec), -EINVAL);
        cr_assert_eq(gd_kmsg_parse_record("x", 1, 1, NULL), -EINVAL);
        cr_assert_eq(gd_kmsg_read(NULL, false, &k), -EINVAL);
        cr_assert_null(k.source);
}

Test(kmsg, dmesg_timestamp_becomes_microseconds) {
        struct gd_kmsg_record a = parse("[    1.234567] pci 0000:00:02.0: vgaarb: VGA device added");
        struct gd_kmsg_record b = parse("[  12.3] short fraction");

        cr_assert_eq(a.level, -1);
        cr_assert_eq(a.usec, 1234567);
        cr_assert_str_eq(a.text, "pci 0000:00:02.0: vgaarb: VGA device added");
        cr_assert_eq(b.usec, 12300000);
        cr_assert_str_eq(b.text, "short fraction");
        free(a.text);
        free(b.text);
}

Test(kmsg, dmesg_raw_prefix_gives_the_level) {
        struct gd_kmsg_record a = parse("<3>[    2.000001] vfio-pci 0000:01:00.0: BAR 1: can't reserve");
        struct gd_kmsg_record b = parse("<12>[drm] no timestamp (dmesg -r -t)");

        cr_assert_eq(a.level, 3);
        cr_assert_eq(a.usec, 2000001);
        cr_assert_str_eq(a.text, "vfio-pci 0000:01:00.0: BAR 1: can't reserve");
        cr_assert_eq(b.level, 4);
        cr_assert_eq(b.usec, 0);
        cr_assert_str_eq(b.text, "[drm] no timestamp (dmesg -r -t)");
        free(a.text);
        free(b.text);
}

Test(kmsg, dmesg_T_lines_drop_the_wall_clock_stamp) {
        _cleanup_(gd_kmsg_clear) struct gd_kmsg k = {};

        read_fixture("dmesg-T-amd-vi.txt", &k);
        cr_assert_eq(k.n_records, 4);
        assert_record(&k, 1, -1, 0, "AMD-Vi: Interrupt remapping enabled");
        assert_record(&k, 2, -1, 0, "pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40");
        /* A bracketed word is no timestamp: the line stays whole. */
        assert_record(&k, 3, -1, 0, "[drm] this line has no timestamp and stays whole");
}

Test(kmsg, journal_lines_keep_the_text_after_kernel) {
        _cleanup_(gd_kmsg_clear) struct gd_kmsg k = {};

        read_fixture("journalctl-k-vfio.txt", &k);
        cr_assert_eq(k.n_records, 4);
        assert_record(&k, 0, -1, 0, "Linux version 6.8.12-4-pve (build@proxmox) #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4");
        assert_record(&k, 1, -1, 3141592, "vfio-pci 0000:01:00.0: vgaarb: deactivate vga console");
        assert_record(&k, 2, -1, 0, "VFIO - User Level meta-driver version: 0.3");
        assert_record(&k, 3, -1, 0, "vfio-pci 0000:01:00.1: enabling device (0000 -> 0002)");
}

Test(kmsg, other_lines_are_text_without_level) {
        struct gd_kmsg_record rec = parse("vfio-pci: probe of 0000:01:00.0 failed with error -22");

        cr_assert_eq(rec.level, -1);
        cr_assert_eq(rec.usec, 0);
        cr_assert_str_eq(rec.text, "vfio-pci: probe of 0000:01:00.0 failed with error -22");
        free(rec.text);
}

Test(kmsg, non_utf8_bytes_are_escaped) {
        _cleanup_(gd_kmsg_clear) struct gd_kmsg k = {};

        read_fixture("dmesg-non-utf8.txt", &k);
        cr_assert_eq(k.n_records, 1);
        /* 0xff 0xfe are no UTF-8, 0x01 is a control byte; "é" is valid. */
        assert_record(&k, 0, -1, 4500000,
                      "nouveau 0000:01:00.0: bios: OEM string \\xff\\xfeNV\\x01 caf\xc3\xa9");
}

Test(kmsg, overlong_and_truncated_utf8_are_escaped) {
        struct gd_kmsg_record rec = {};
        const char line[] = "a\xc0\xaf" "b\xed\xa0\x80" "c\0d\xe2\x82";

        cr_assert_eq(gd_kmsg_parse_record(line, sizeof(line) - 1, 1, &rec), 0);
        cr_assert_str_eq(rec.text, "a\\xc0\\xafb\\xed\\xa0\\x80c\\x00d\\xe2\\x82");
        free(rec.text);
}

Test(kmsg, kernel_escapes_are_not_escaped_again) {
        struct gd_kmsg_record rec = parse("6,9,10,-;name=\"a\\x0ab\" path C:\\x5cdir");

        cr_assert_str_eq(rec.text, "name=\"a\\x0ab\" path C:\\x5cdir");
        free(rec.text);
}

Test(kmsg, crlf_line_endings_are_stripped) {
        _cleanup_(gd_kmsg_clear) struct gd_kmsg k = {};

        read_fixture("dmesg-crlf.txt", &k);
        cr_assert_eq(k.n_records, 2);
        assert_record(&k, 0, -1, 0, "Linux version 6.1.0-27-amd64");
        assert_record(&k, 1, -1, 812000, "DMAR: IOMMU enabled");
}

Test(kmsg, plain_file_of_records_reads_like_dev_kmsg) {
        _cleanup_(gd_kmsg_clear) struct gd_kmsg k = {};

        read_fixture("intel-dmar-records.kmsg", &k);
        cr_assert_eq(k.n_records, 9);
        assert_record(&k, 1, 6, 0, "Command line: BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve "
                      "root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt");
        assert_record(&k, 3, 4, 38211, "DMAR: IOMMU enabled");
        assert_record(&k, 6, 6, 412077, "pci 0000:01:00.0: [10de:2204] type 00 class 0x030000 PCIe Legacy Endpoint");
        assert_record(&k, 8, 3, 5034567, "vfio-pci 0000:01:00.0: BAR 1: can't reserve "
                      "[mem 0x6000000000-0x67ffffffff 64bit pref]");
}

Test(kmsg, find_returns_the_first_record_with_the_signal_from_start) {
        _cleanup_(gd_kmsg_clear) struct gd_kmsg k = {};

        read_fixture("intel-dmar-records.kmsg", &k);
        cr_assert_eq(gd_kmsg_find(&k, GD_KMSG_ACPI_DMAR, NULL, 0), &k.records[2]);
        cr_assert_eq(gd_kmsg_find(&k, GD_KMSG_DMAR_HOST_WIDTH, NULL, 0), &k.records[4]);
        cr_assert_eq(gd_kmsg_find(&k, GD_KMSG_VTD_ENABLED, NULL, 5), &k.records[7]);
        cr_assert_null(gd_kmsg_find(&k, GD_KMSG_VTD_ENABLED, NULL, 8));
        cr_assert_null(gd_kmsg_find(&k, GD_KMSG_AMDVI_FOUND, NULL, 0));
        cr_assert_null(gd_kmsg_find(&k, GD_KMSG_ACPI_DMAR, NULL, 1000));
        cr_assert_null(gd_kmsg_find(NULL, GD_KMSG_ACPI_DMAR, NULL, 0));
        cr_assert_null(gd_kmsg_find(&k, _GD_KMSG_SIGNAL_MAX, NULL, 0));
}

/* The text after the signal narrows the search, never widens it. */
Test(kmsg, find_narrows_by_the_text_after_the_signal) {
        _cleanup_(gd_kmsg_clear) struct gd_kmsg k = {};

        read_fixture("intel-dmar-records.kmsg", &k);
        cr_assert_eq(gd_kmsg_find(&k, GD_KMSG_CANT_RESERVE, " [mem 0x6000000000", 0), &k.records[8]);
        cr_assert_null(gd_kmsg_find(&k, GD_KMSG_CANT_RESERVE, "BAR 1", 0), "text before the signal matched");
        cr_assert_eq(gd_kmsg_find(&k, GD_KMSG_DMAR_HOST_WIDTH, "39", 0), &k.records[4]);
        cr_assert_null(gd_kmsg_find(&k, GD_KMSG_DMAR_HOST_WIDTH, "48", 0));
}

Test(kmsg, absent_marker_means_unknown) {
        _cleanup_free_ char *path = fixture_path("absent-marker.kmsg");
        struct gd_kmsg k = { .n_records = 42 };

        cr_assert_eq(gd_kmsg_read(path, false, &k), -ENOENT);
        cr_assert_eq(k.n_records, 42);
        cr_assert_null(k.source);
}

Test(kmsg, unreadable_marker_means_access_denied) {
        _cleanup_free_ char *path = fixture_path("unreadable-marker.kmsg");
        struct gd_kmsg k = {};

        cr_assert_eq(gd_kmsg_read(path, false, &k), -EACCES);
        cr_assert_null(k.source);
}

Test(kmsg, missing_file_is_enoent) {
        struct gd_kmsg k = {};

        cr_assert_eq(gd_kmsg_read("/nonexistent/gpudiag/kmsg", false, &k), -ENOENT);
        cr_assert_null(k.source);
}

Test(kmsg, lines_cut_by_the_read_buffer_are_joined) {
        _cleanup_free_ char *path = temp_file();
        _cleanup_(gd_kmsg_clear) struct gd_kmsg k = {};
        _cleanup_free_ char *data = NULL;
        size_t len = 0, n = 3000;
        FILE *f = open_memstream(&data, &len);

        /* About 60 bytes a line: many lines straddle the 16 KiB reads. */
        for (size_t i = 0; i < n; i++)
                fprintf(f, "6,%zu,%zu,-;pci 0000:%02zx:00.0: line number %zu\n", i, i * 10, i % 256, i);
        fprintf(f, "[    9.000000] last line, no newline");
        cr_assert_eq(fclose(f), 0);
        write_file(path, data, len);

        cr_assert_eq(gd_kmsg_read(path, false, &k), 0);
        unlink(path);
        cr_assert_eq(k.n_records, n + 1);
        for (size_t i = 0; i < n; i++) {
                char want[64];
                snprintf(want, sizeof(want), "pci 0000:%02zx:00.0: line number %zu", i % 256, i);
                assert_record(&k, i, 6, i * 10, want);
        }
        assert_record(&k, n, -1, 9000000, "last line, no newline");
}

/* With signals_only, as explain reads, only the count grows: the cap is on
 * the records read, not the ones kept. */
Test(kmsg, more_than_ten_million_records_is_too_big) {
        _cleanup_free_ char *path = temp_file();
        size_t n = 10000001;
        _cleanup_free_ char *data = malloc(n * 2);
        struct gd_kmsg k = {};

        for (size_t i = 0; i < n; i++)
                memcpy(data + i * 2, "x\n", 2);
        write_file(path, data, n * 2);

        cr_assert_eq(gd_kmsg_read(path, true, &k), -EFBIG);
        unlink(path);
        cr_assert_eq(k.n_records, 0);
        cr_assert_null(k.records);
}

/* -EMSGSIZE, not -EFBIG: the message names the record limit, not the
 * log's (10,000,000 records or 256 MiB). */
Test(kmsg, line_longer_than_a_mebibyte_is_a_record_too_big) {
        _cleanup_free_ char *path = temp_file();
        size_t n = 1024 * 1024 + 1;
        _cleanup_free_ char *data = malloc(n);
        struct gd_kmsg k = {};

        memset(data, 'a', n);
        write_file(path, data, n);
        cr_assert_eq(gd_kmsg_read(path, false, &k), -EMSGSIZE);
        unlink(path);
        cr_assert_null(k.source);
}

Test(kmsg, reads_real_dev_kmsg_without_blocking, .timeout = 30) {
        _cleanup_(gd_kmsg_clear) struct gd_kmsg k = {};
        int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

        if (fd < 0)
                cr_skip_test("/dev/kmsg cannot be opened here: %s", strerror(errno));
        close(fd);

        cr_assert_eq(gd_kmsg_read("/dev/kmsg", false, &k), 0);
        cr_assert_str_eq(k.source, "/dev/kmsg");
        cr_assert_gt(k.n_records, 0);
        for (size_t i = 0; i < k.n_records; i++) {
                cr_assert_eq(k.records[i].line, i + 1);
                cr_assert(k.records[i].level >= 0 && k.records[i].level <= 7,
                          "record %zu: level %d", i, k.records[i].level);
                cr_assert_not_null(k.records[i].text);
                /* The kernel escapes every byte outside ' '..'~' itself. */
                for (const char *c = k.records[i].text; *c; c++)
                        cr_assert(*c >= ' ' && *c <= '~', "record %zu has byte 0x%02x", i, (unsigned char) *c);
        }
}

/* explain keeps only the records a check can look at (model/kmsg-signals.h):
 * "Command line:", "DMAR: IOMMU enabled" (no proof of anything, see
 * checks/iommu.c) and the "pci ... class" record go; the boot, ACPI table,
 * DMAR parser, VT-d and BAR records stay, with the number each has in the
 * whole log. */
Test(kmsg, signals_only_keeps_check_records_with_their_numbers) {
        _cleanup_free_ char *path = fixture_path("intel-dmar-records.kmsg");
        _cleanup_(gd_kmsg_clear) struct gd_kmsg all = {}, kept = {};
        static const unsigned want[] = { 1, 3, 5, 8, 9 };

        cr_assert_eq(gd_kmsg_read(path, false, &all), 0);
        cr_assert_eq(gd_kmsg_read(path, true, &kept), 0);
        cr_assert_eq(all.n_read, all.n_records);
        cr_assert_eq(kept.n_read, all.n_records);
        cr_assert_eq(kept.n_records, ELEMENTSOF(want));
        for (size_t j = 0; j < ELEMENTSOF(want); j++) {
                cr_assert_eq(kept.records[j].line, want[j]);
                cr_assert_str_eq(kept.records[j].text, all.records[want[j] - 1].text);
                cr_assert_neq(kept.records[j].signals, 0);
        }
        for (size_t i = 0; i < all.n_records; i++)
                cr_assert_eq(all.records[i].signals != 0, gd_kmsg_has_signal(all.records[i].text), "%s",
                             all.records[i].text);
}

/* explain's reader passes over whole blocks of records that hold no
 * signal and only counts them (base/io-kmsg.c, pass_quiet()): on a long log
 * with signals, control bytes, UTF-8, empty lines, dictionary lines and CR
 * line ends scattered through it, it keeps exactly the records, with the
 * same numbers and texts, that reading every record and keeping those with
 * a signal keeps. */
Test(kmsg, passing_over_quiet_blocks_keeps_what_reading_every_record_keeps) {
        static const char *const odd[] = {
                "6,1,1,-;pci 0000:00:02.0: BAR 0: can't reserve [mem 0xe0000000-0xefffffff]\n",
                "6,1,1,-;DMAR: Host address width 46\n",
                "6,1,1,-;control \001 byte\n",
                "6,1,1,-;utf-8 \xc3\xa9t\xc3\xa9\n",
                "6,1,1,-;\x8c" "an't reserve after a raw byte\n",
                "\n",
                " SUBSYSTEM=pci\n",
                "6,1,1,-;crlf line\r\n",
                "6,1,1,-;Adding to iommu group 7\n",
        };
        _cleanup_free_ char *path = temp_file();
        _cleanup_(gd_kmsg_clear) struct gd_kmsg all = {}, kept = {};
        _cleanup_free_ char *data = NULL;
        size_t len = 0, n_kept = 0;
        unsigned seed = 4242;
        FILE *f = open_memstream(&data, &len);

        for (size_t i = 0; i < 200000; i++) {
                if (rand_r(&seed) % 997 == 0)
                        fputs(odd[(size_t) rand_r(&seed) % ELEMENTSOF(odd)], f);
                else
                        fprintf(f, "6,%zu,%zu,-;kvm: vcpu %zu: requested %zu ns lapic timer period limited\n",
                                i, i * 7, i % 64, i * 13);
        }
        cr_assert_eq(fclose(f), 0);
        write_file(path, data, len);

        cr_assert_eq(gd_kmsg_read(path, false, &all), 0);
        cr_assert_eq(gd_kmsg_read(path, true, &kept), 0);
        unlink(path);
        cr_assert_eq(kept.n_read, all.n_read);
        for (size_t i = 0; i < all.n_records; i++) {
                if (all.records[i].signals == 0)
                        continue;
                cr_assert_lt(n_kept, kept.n_records);
                cr_assert_eq(kept.records[n_kept].line, all.records[i].line);
                cr_assert_str_eq(kept.records[n_kept].text, all.records[i].text);
                cr_assert_eq(kept.records[n_kept].signals, all.records[i].signals);
                n_kept++;
        }
        cr_assert_eq(n_kept, kept.n_records);
        cr_assert_gt(n_kept, 50);
}

/* A record is marked with every row of the table its text holds, and with
 * no other: what a check finds by signal is what the text says. */
Test(kmsg, a_record_carries_the_signals_its_text_holds) {
        struct gd_kmsg_record rec = parse("6,1,2,-;DMAR-IR: Enabled IRQ remapping in x2apic mode; "
                                          "pci 0000:01:00.0: BAR 1: can't reserve [mem]");

        cr_assert_eq(rec.signals, (1ull << GD_KMSG_DMAR_IR_ENABLED) | (1ull << GD_KMSG_CANT_RESERVE));
        free(rec.text);
        for (int s = 0; s < _GD_KMSG_SIGNAL_MAX; s++) {
                const char *text = gd_kmsg_signal(s)->text;
                uint64_t in = gd_kmsg_signals_in(text, strlen(text));

                cr_assert_not_null(gd_kmsg_signal(s)->source);
                cr_assert(in & (1ull << s), "signal %d (%s) does not find itself", s, text);
        }
        cr_assert_eq(gd_kmsg_signals_in("DMAR: IOMMU enabled", 19), 0);
        cr_assert_null(gd_kmsg_signal(_GD_KMSG_SIGNAL_MAX));
        cr_assert_not(gd_kmsg_has_signal(NULL));
}

/* The search skips most of a line; it finds what a plain substring search
 * of every signal finds, in lines made of the signals' own bytes, cut and
 * joined at random (a fixed seed: the same lines every run), short ones
 * and texts of kilobytes (searched as four windows at once). */
Test(kmsg, the_signal_search_finds_what_a_substring_search_finds) {
        unsigned seed = 12345;

        for (int round = 0; round < 24000; round++) {
                char line[4200];
                size_t len = 0, target = round < 20000 ? 160 : 256 + (size_t) rand_r(&seed) % 3800;
                uint64_t want = 0;

                while (len < target) {
                        const char *t = gd_kmsg_signal((enum gd_kmsg_signal) (rand_r(&seed) % _GD_KMSG_SIGNAL_MAX))->text;
                        size_t from = (size_t) rand_r(&seed) % strlen(t), n = 1 + (size_t) rand_r(&seed) % strlen(t);

                        if (rand_r(&seed) % 4 == 0)
                                from = 0, n = strlen(t);
                        n = n > strlen(t) - from ? strlen(t) - from : n;
                        memcpy(line + len, t + from, n);
                        len += n;
                        if (rand_r(&seed) % 3 == 0)
                                line[len++] = " :x"[rand_r(&seed) % 3];
                }
                line[len] = '\0';
                for (int s = 0; s < _GD_KMSG_SIGNAL_MAX; s++)
                        if (strstr(line, gd_kmsg_signal(s)->text))
                                want |= 1ull << s;
                cr_assert_eq(gd_kmsg_signals_in(line, len), want, "'%s'", line);
        }
}
