/* SPDX-License-Identifier: MIT */
/* The I/O seam (base/io.h) and its record mode (base/io-record.h), which
 * is what gpudiag collect writes: every access and its answer is kept, by
 * the path the host knows; the kernel log keeps its newest records within
 * the reader's caps and says how many older ones it dropped. */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/io.h"
#include "base/io-record.h"
#include "base/macro.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "bundle/redact.h"

static char dir[] = "/tmp/gd-test-io-XXXXXX";

static void setup(void) {
        cr_assert_not_null(mkdtemp(dir));
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void teardown(void) {
        gd_config_root_set(NULL);
        (void) nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(io, .init = setup, .fini = teardown);

/* dir/name with content (NULL: a directory); returns the path. */
static char *put(const char *name, const char *content) {
        char *path;
        FILE *f;

        cr_assert_geq(asprintf(&path, "%s/%s", dir, name), 0);
        for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                (void) mkdir(path, 0755);
                *s = '/';
        }
        if (!content) {
                cr_assert_eq(mkdir(path, 0755), 0, "%s: %m", path);
                return path;
        }
        f = fopen(path, "w");
        cr_assert_not_null(f, "%s: %m", path);
        fputs(content, f);
        cr_assert_eq(fclose(f), 0);
        return path;
}

static struct gd_io_recording *stop(void) {
        struct gd_io_recording *rec = NULL;

        cr_assert_eq(gd_io_record_stop(&rec), 0);
        return rec;
}

/* A bundle records at least one PCI device (bundle-validate.c refuses an
 * empty umockdev: libpci finds no bus without one), so the bundle tests
 * below also record what the reader reads of one real device of this
 * machine: its link and the three attributes libpci needs. */
static void record_one_pci_device(void) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *dev = NULL, *target = NULL;
        static const char *const attrs[] = { "vendor", "device", "class" };

        if (gd_io_list("/sys/bus/pci/devices", 0, &names) < 0 || !names || !names[0])
                cr_skip_test("this machine lists no PCI device to record");
        dev = path_join("/sys/bus/pci/devices", names[0]);
        cr_assert_not_null(dev);
        cr_assert_eq(gd_io_readlink(dev, &target), 0);
        for (size_t i = 0; i < ELEMENTSOF(attrs); i++) {
                _cleanup_free_ char *v = NULL;
                cr_assert_eq(gd_io_read_attr(dev, attrs[i], &v), 0);
        }
}

Test(io, a_read_past_its_cap_is_too_big_and_markers_read_as_errors) {
        _cleanup_free_ char *big = NULL, *absent = put("absent", GD_ABSENT_MARKER), *unread = put("unread", GD_UNREADABLE_MARKER);
        _cleanup_free_ char *attr = put("device/vendor", "0x10de\n"), *text = NULL, *v = NULL, *blob = malloc(70000);
        _cleanup_free_ char *devdir = NULL;

        memset(blob, 'a', 69999);
        blob[69999] = '\0';
        big = put("big", blob);
        cr_assert_eq(gd_io_read(big, GD_CAP_ATTR, &text, NULL), -EFBIG);
        cr_assert_eq(gd_io_read(big, GD_CAP_TEXT, &text, NULL), 0);
        cr_assert_eq(strlen(text), 69999);
        cr_assert_eq(gd_io_read(absent, GD_CAP_TEXT, &v, NULL), -ENOENT);
        cr_assert_eq(gd_io_read(unread, GD_CAP_TEXT, &v, NULL), -EACCES);
        cr_assert_geq(asprintf(&devdir, "%s/device", dir), 0);
        cr_assert_eq(gd_io_read_attr(devdir, "vendor", &v), 0);
        cr_assert_str_eq(v, "0x10de");
        cr_assert_str_eq(gd_io_cap(GD_CAP_ATTR)->name, "64 KiB");
        cr_assert_eq(gd_io_cap(GD_CAP_CONFIG_SPACE)->bytes, 4096);
}

Test(io, a_directory_lists_sorted_and_a_marker_in_its_place_is_unreadable) {
        _cleanup_free_ char *d = put("modprobe.d", NULL), *b = put("modprobe.d/b.conf", ""), *a = put("modprobe.d/a.conf", "");
        _cleanup_free_ char *sub = put("modprobe.d/sub.conf", NULL), *marker = put("groups", GD_UNREADABLE_MARKER);
        _cleanup_strv_free_ char **all = NULL, **files = NULL, **none = NULL;
        _cleanup_free_ char *missing = NULL;

        cr_assert_eq(gd_io_list(d, 0, &all), 0);
        cr_assert_eq(strv_length(all), 3);
        cr_assert_str_eq(all[0], "a.conf");
        cr_assert_str_eq(all[2], "sub.conf");
        cr_assert_eq(gd_io_list(d, GD_IO_LIST_NO_DIRS, &files), 0);
        cr_assert_eq(strv_length(files), 2);
        cr_assert_eq(gd_io_list(marker, 0, &none), -EACCES);
        cr_assert_geq(asprintf(&missing, "%s/nothing", dir), 0);
        cr_assert_eq(gd_io_list(missing, 0, &none), -ENOENT);
        cr_assert_null(none);
}

/* Each kind of access, its answer and its errno, by the host's path: the
 * config root taken off. */
Test(io, record_mode_keeps_every_access_by_the_hosts_path) {
        _cleanup_free_ char *conf = put("etc/modprobe.d/vfio.conf", "options vfio-pci ids=10de:2204\n");
        _cleanup_free_ char *link = NULL, *target = NULL, *v = NULL, *etc = NULL, *gone = NULL;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_recording_ struct gd_io_recording *rec = NULL;
        const struct gd_io_entry *e;
        struct gd_io_stat st;

        cr_assert_geq(asprintf(&link, "%s/etc/modprobe.d/link.conf", dir), 0);
        cr_assert_eq(symlink("vfio.conf", link), 0);
        cr_assert_geq(asprintf(&etc, "%s/etc/modprobe.d", dir), 0);
        cr_assert_geq(asprintf(&gone, "%s/etc/default/grub", dir), 0);
        gd_config_root_set(dir);

        cr_assert_not(gd_io_recording_on());
        cr_assert_eq(gd_io_record_start(), 0);
        cr_assert_eq(gd_io_record_start(), -EBUSY);
        cr_assert(gd_io_recording_on());
        cr_assert_eq(gd_io_read(conf, GD_CAP_TEXT, &v, NULL), 0);
        cr_assert_eq(gd_io_stat(conf, &st), 0);
        cr_assert_eq(gd_io_readlink(link, &target), 0);
        cr_assert_eq(gd_io_list(etc, 0, &names), 0);
        cr_assert_eq(gd_io_read(gone, GD_CAP_TEXT, &v, NULL), -ENOENT);
        rec = stop();
        cr_assert_not(gd_io_recording_on());

        e = gd_io_recording_find(rec, "/etc/modprobe.d/vfio.conf");
        cr_assert_not_null(e, "the config root was not taken off");
        cr_assert(e->has_content && e->content_error == 0);
        cr_assert_str_eq(e->content, "options vfio-pci ids=10de:2204\n");
        cr_assert(e->has_stat && e->is_reg && e->mtime == st.mtime);
        e = gd_io_recording_find(rec, "/etc/modprobe.d/link.conf");
        cr_assert(e && e->has_link && streq(e->target, "vfio.conf"));
        e = gd_io_recording_find(rec, "/etc/modprobe.d");
        cr_assert(e && e->has_list && strv_length(e->names) == 2);
        e = gd_io_recording_find(rec, "/etc/default/grub");
        cr_assert(e && e->has_content && e->content_error == -ENOENT);
        /* Sorted by path. */
        for (size_t i = 1; i < gd_io_recording_size(rec); i++)
                cr_assert_lt(strcmp(gd_io_recording_entry(rec, i - 1)->path, gd_io_recording_entry(rec, i)->path), 0);
}

/* One question, one answer: the second read of a path is the first one's. */
Test(io, a_path_read_twice_while_recording_gives_the_recorded_answer) {
        _cleanup_free_ char *path = put("cmdline", "intel_iommu=on\n"), *a = NULL, *b = NULL, *c = NULL;
        _cleanup_recording_ struct gd_io_recording *rec = NULL;

        cr_assert_eq(gd_io_record_start(), 0);
        cr_assert_eq(gd_io_read(path, GD_CAP_ATTR, &a, NULL), 0);
        free(put("cmdline", "intel_iommu=off\n"));
        cr_assert_eq(gd_io_read(path, GD_CAP_TEXT, &b, NULL), 0);
        rec = stop();
        cr_assert_str_eq(b, "intel_iommu=on\n");
        cr_assert_eq(gd_io_read(path, GD_CAP_TEXT, &c, NULL), 0);
        cr_assert_str_eq(c, "intel_iommu=off\n");
}

Test(io, a_reader_says_what_it_used_of_what_it_read) {
        _cleanup_free_ char *cpu = put("cpuinfo", "vendor_id\t: GenuineIntel\n\nvendor_id\t: GenuineIntel\n");
        _cleanup_free_ char *vm = put("101.conf", "cores: 2\n"), *mem = put("iomem", "00000000-00000000 : Reserved\n");
        _cleanup_free_ char *v = NULL;
        _cleanup_recording_ struct gd_io_recording *rec = NULL;
        const struct gd_io_entry *e;

        cr_assert_eq(gd_io_record_start(), 0);
        cr_assert_eq(gd_io_read(cpu, GD_CAP_TEXT, &v, NULL), 0);
        gd_io_record_keep(cpu, v, 25);
        v = mfree_str(v);
        cr_assert_eq(gd_io_read(vm, GD_CAP_TEXT, &v, NULL), 0);
        gd_io_record_drop(vm);
        v = mfree_str(v);
        cr_assert_eq(gd_io_read(mem, GD_CAP_TEXT, &v, NULL), 0);
        gd_io_record_error(mem, -EACCES);
        cr_assert_eq(gd_io_record_add("/usr/lib/modprobe.d/gpudiag-aliases.conf", "alias x y\n", 10, 5), 0);
        rec = stop();

        e = gd_io_recording_find(rec, cpu);
        cr_assert(e && e->length == 25 && streq(e->content, "vendor_id\t: GenuineIntel\n"));
        e = gd_io_recording_find(rec, vm);
        cr_assert(!e || (!e->has_content && !e->has_stat));
        e = gd_io_recording_find(rec, mem);
        cr_assert(e && e->content_error == -EACCES && !e->content);
        e = gd_io_recording_find(rec, "/usr/lib/modprobe.d/gpudiag-aliases.conf");
        cr_assert(e && streq(e->content, "alias x y\n") && e->has_stat && e->mtime == 5);
}

/* ---- the kernel log ------------------------------------------------------------ */

struct seen {
        size_t n;
        char last[64];
};

static int count(const char *text, size_t len, void *userdata) {
        struct seen *s = userdata;

        s->n++;
        snprintf(s->last, sizeof(s->last), "%.*s", (int) len, text);
        return 0;
}

/* n records "6,i,0,-;record i", each with a dictionary line after it, in
 * dir/name. */
static char *log_named(const char *name, size_t n) {
        char *text = NULL, *path;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        for (size_t i = 1; i <= n; i++)
                fprintf(f, "6,%zu,0,-;record %zu\n SUBSYSTEM=pci\n", i, i);
        fclose(f);
        path = put(name, text);
        free(text);
        return path;
}

static char *log_of(size_t n) {
        return log_named("kmsg", n);
}

Test(io, the_kernel_log_is_read_to_its_cap_and_then_too_big) {
        _cleanup_free_ char *path = log_of(10);
        struct gd_kmsg_limits four = { .records = 4, .bytes = 1 << 20, .line = 1 << 20 };
        struct seen s = {};

        cr_assert_eq(gd_io_kmsg(path, &gd_kmsg_limits, count, &s), 0);
        cr_assert_eq(s.n, 10, "dictionary lines are no records");
        s = (struct seen) {};
        cr_assert_eq(gd_io_kmsg(path, &four, count, &s), -EFBIG);
        cr_assert_eq(s.n, 4);
        cr_assert_str_eq(s.last, "6,4,0,-;record 4");
}

/* Past a cap the reader stops (-EFBIG, the log unknown), but collect keeps
 * the newest records, the ones that matter (VM start, "can't reserve",
 * D3cold come late), and counts the older ones it dropped. */
Test(io, recording_a_log_past_its_cap_keeps_the_newest_records) {
        _cleanup_free_ char *path = log_of(10);
        _cleanup_recording_ struct gd_io_recording *rec = NULL;
        struct gd_kmsg_limits four = { .records = 4, .bytes = 1 << 20, .line = 1 << 20 };
        struct gd_kmsg_limits bytes = { .records = 100, .bytes = 3 * 18, .line = 1 << 20 };
        const struct gd_io_entry *e;
        struct seen s = {};

        cr_assert_eq(gd_io_record_start(), 0);
        cr_assert_eq(gd_io_kmsg(path, &four, count, &s), -EFBIG);
        rec = stop();
        cr_assert_eq(s.n, 4, "the reader read on past its cap");
        e = gd_io_recording_find(rec, path);
        cr_assert(e && e->has_content && e->content_error == 0);
        cr_assert_str_eq(e->content, "6,7,0,-;record 7\n6,8,0,-;record 8\n6,9,0,-;record 9\n6,10,0,-;record 10\n");
        cr_assert_eq(e->kmsg_dropped, 6);
        rec = gd_io_recording_free(rec);

        /* 17 or 18 bytes a record: the newest that fit 54 bytes. */
        cr_assert_eq(gd_io_record_start(), 0);
        s = (struct seen) {};
        cr_assert_eq(gd_io_kmsg(path, &bytes, count, &s), -EFBIG);
        rec = stop();
        e = gd_io_recording_find(rec, path);
        cr_assert_str_eq(e->content, "6,8,0,-;record 8\n6,9,0,-;record 9\n6,10,0,-;record 10\n");
        cr_assert_eq(e->kmsg_dropped, 7);
}

Test(io, a_log_within_its_caps_is_recorded_whole_without_dictionary_lines) {
        _cleanup_free_ char *path = log_of(3), *absent = put("absent-kmsg", GD_ABSENT_MARKER);
        _cleanup_recording_ struct gd_io_recording *rec = NULL;
        const struct gd_io_entry *e;
        struct seen s = {};

        cr_assert_eq(gd_io_record_start(), 0);
        cr_assert_eq(gd_io_kmsg(path, &gd_kmsg_limits, count, &s), 0);
        cr_assert_eq(gd_io_kmsg(absent, &gd_kmsg_limits, count, &s), -ENOENT);
        rec = stop();
        cr_assert_eq(s.n, 3, "the marker was read as a record");
        e = gd_io_recording_find(rec, path);
        cr_assert_str_eq(e->content, "6,1,0,-;record 1\n6,2,0,-;record 2\n6,3,0,-;record 3\n");
        cr_assert_eq(e->kmsg_dropped, 0);
        e = gd_io_recording_find(rec, absent);
        cr_assert(e && e->content_error == -ENOENT);
}

/* The bundle written from such a recording holds the newest records and
 * says in its source that older ones were dropped. */
Test(io, a_bundle_says_when_its_kernel_log_was_cut_to_the_caps) {
        _cleanup_free_ char *path = NULL, *text = NULL, *error = NULL;
        _cleanup_recording_ struct gd_io_recording *rec = NULL;
        _cleanup_redact_ struct gd_redact *redact = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        struct gd_kmsg_limits four = { .records = 4, .bytes = 1 << 20, .line = 1 << 20 };
        const struct gd_bundle_file *f;
        size_t size = 0;
        struct seen s = {};
        FILE *out;

        /* Below the config root, as the reader reads /dev/kmsg in a testbed. */
        path = log_named("dev/kmsg", 10);
        gd_config_root_set(dir);
        cr_assert_eq(gd_io_record_start(), 0);
        cr_assert_eq(gd_io_kmsg(path, &four, count, &s), -EFBIG);
        record_one_pci_device();
        rec = stop();

        cr_assert_eq(gd_redact_new(false, &redact), 0);
        out = open_memstream(&text, &size);
        cr_assert_eq(gd_bundle_write(out, rec, NULL, 0, NULL, NULL, redact), 0);
        cr_assert_eq(fclose(out), 0);
        cr_assert_eq(gd_bundle_load_data(text, size, &b, &error), 0, "%s", error);
        f = gd_bundle_file(b, "/dev/kmsg");
        cr_assert_not_null(f, "%s", text);
        cr_assert_str_eq(f->content, "6,7,0,-;record 7\n6,8,0,-;record 8\n6,9,0,-;record 9\n6,10,0,-;record 10\n");
        cr_assert_not_null(strstr(b->metadata.source, "the kernel log was longer than gpudiag reads "
                                                      "(10,000,000 records or 256 MiB): its 6 oldest records were dropped"),
                           "%s", b->metadata.source);
}

/* No list of paths decides what collect keeps: whatever a reader reads
 * through the seam is in the bundle, with its mtime when it was stat()ed,
 * and what it could not read is listed as unreadable. */
Test(io, a_file_a_new_reader_reads_is_in_the_bundle_without_a_list) {
        _cleanup_free_ char *conf = put("etc/new-check.conf", "setting=1\n"), *secret = put("etc/secret.conf", "x\n");
        _cleanup_free_ char *v = NULL, *text = NULL, *error = NULL;
        _cleanup_recording_ struct gd_io_recording *rec = NULL;
        _cleanup_redact_ struct gd_redact *redact = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        const struct gd_bundle_file *f;
        struct gd_io_stat st;
        size_t size = 0;
        FILE *out;
        int r;

        cr_assert_eq(chmod(secret, 0), 0);
        gd_config_root_set(dir);
        cr_assert_eq(gd_io_record_start(), 0);
        cr_assert_eq(gd_io_read(conf, GD_CAP_TEXT, &v, NULL), 0);
        cr_assert_eq(gd_io_stat(conf, &st), 0);
        r = gd_io_read(secret, GD_CAP_TEXT, &text, NULL);
        if (r == 0)     /* root reads a mode 000 file: what a user meets instead */
                gd_io_record_error(secret, -EACCES);
        else
                cr_assert_eq(r, -EACCES);
        text = mfree_str(text);
        record_one_pci_device();
        rec = stop();

        cr_assert_eq(gd_redact_new(false, &redact), 0);
        out = open_memstream(&text, &size);
        cr_assert_eq(gd_bundle_write(out, rec, NULL, 0, NULL, NULL, redact), 0);
        cr_assert_eq(fclose(out), 0);
        cr_assert_eq(gd_bundle_load_data(text, size, &b, &error), 0, "%s", error);
        f = gd_bundle_file(b, "/etc/new-check.conf");
        cr_assert_not_null(f, "%s", text);
        cr_assert_str_eq(f->content, "setting=1\n");
        cr_assert_eq(f->mtime, st.mtime);
        cr_assert(gd_bundle_is_unreadable(b, "/etc/secret.conf"), "%s", text);
}
