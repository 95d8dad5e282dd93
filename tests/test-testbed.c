/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "config.h"
#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "replay/scenario.h"
#include "replay/testbed.h"
#include "testbed-run.h"

static struct gd_testbed *build(const char *fixture, struct gd_bundle **ret_bundle) {
        _cleanup_free_ char *path = fixture_bundle_path(fixture), *error = NULL;
        struct gd_bundle *b = NULL;
        struct gd_testbed *t = NULL;
        int r;

        r = gd_bundle_load(path, &b, &error);
        cr_assert_eq(r, 0, "%s: %s", fixture, error ? error : strerror(-r));
        r = gd_testbed_build(b, &t, &error);
        cr_assert_eq(r, 0, "%s: %s", fixture, error ? error : strerror(-r));
        if (ret_bundle)
                *ret_bundle = b;
        else
                gd_bundle_free(b);
        return t;
}

static bool contains_line(const char *text, const char *line) {
        size_t n = strlen(line);

        for (const char *p = text; (p = strstr(p, line)); p += n)
                if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

Test(testbed, real_lspci_sees_both_recorded_devices_with_their_drivers) {
        _cleanup_testbed_ struct gd_testbed *t = build("minimal.yaml", NULL);
        _cleanup_free_ char *out = NULL, *err = NULL;
        char *argv[] = { (char *) LSPCI_PATH, (char *) "-nnk", (char *) "-D", NULL };
        int status;

        cr_assert_neq(LSPCI_PATH[0], '\0', "lspci was not found at configure time");
        cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "lspci failed: %s", err);

        cr_assert_not_null(strstr(out, "0000:00:01.0 PCI bridge [0604]: "), "%s", out);
        cr_assert_not_null(strstr(out, "[8086:1901] (rev 07)"), "%s", out);
        cr_assert_not_null(strstr(out, "0000:01:00.0 VGA compatible controller [0300]: "), "%s", out);
        cr_assert_not_null(strstr(out, "[10de:2204] (rev a1)"), "%s", out);
        cr_assert(contains_line(out, "\tKernel driver in use: pcieport"), "%s", out);
        cr_assert(contains_line(out, "\tKernel driver in use: vfio-pci"), "%s", out);
        /* Only the recorded devices: nothing of this machine's bus. */
        for (const char *p = out; (p = strchr(p, '\n')) && p[1]; p++)
                cr_assert(p[1] == '\t' || startswith(p + 1, "0000:00:01.0 ") || startswith(p + 1, "0000:01:00.0 "),
                          "unexpected device line in:\n%s", out);
}

Test(testbed, proc_files_come_from_the_bundle_and_missing_ones_read_as_absent) {
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_testbed_ struct gd_testbed *t = build("minimal.yaml", &b);
        _cleanup_free_ char *cmdline = NULL, *iomem = NULL, *config = NULL, *kmsg = NULL;

        cr_assert_eq(testbed_cat(t, "/proc/cmdline", &cmdline), 0);
        cr_assert_str_eq(cmdline, gd_bundle_file(b, "/proc/cmdline")->content);

        /* Not in the bundle: the marker, never this machine's memory map. */
        cr_assert_eq(testbed_cat(t, "/proc/iomem", &iomem), 0);
        cr_assert_str_eq(iomem, GD_ABSENT_MARKER);

        cr_assert_eq(testbed_cat(t, "/proc/config.gz", &config), 0);
        cr_assert_str_eq(config, GD_UNREADABLE_MARKER);

        /* /dev files sit below the config root, where the reader looks for
         * them (gd_hostpath_resolve): umockdev's preload would treat a testbed
         * /dev file as an emulated device node. */
        {
                _cleanup_free_ char *kmsg_path = path_join(gd_testbed_config_root(t), "dev/kmsg");
                cr_assert_eq(read_file_capped(kmsg_path, GD_TEXT_FILE_MAX, &kmsg, NULL), 0);
        }
        cr_assert_str_eq(kmsg, "6,812,1204311,-;pci 0000:01:00.0: Adding to iommu group 1\n");
}

Test(testbed, iommu_group_links_and_config_files_are_in_place) {
        _cleanup_testbed_ struct gd_testbed *t = build("minimal.yaml", NULL);
        _cleanup_free_ char *type = NULL, *conf = NULL, *grp = NULL, *member = NULL, *drv = NULL;
        _cleanup_free_ char *type_path = NULL, *conf_path = NULL;
        char real[PATH_MAX];
        struct stat st;

        cr_assert_geq(asprintf(&type_path, "%s/sys/kernel/iommu_groups/1/type", gd_testbed_root(t)), 0);
        cr_assert_eq(read_file_capped(type_path, GD_ATTR_MAX, &type, NULL), 0);
        cr_assert_str_eq(type, "DMA\n");

        cr_assert_geq(asprintf(&grp, "%s/sys/bus/pci/devices/0000:01:00.0/iommu_group", gd_testbed_root(t)), 0);
        cr_assert_not_null(realpath(grp, real), "%s: %m", grp);
        cr_assert(strstr(real, "/sys/kernel/iommu_groups/1") != NULL, "%s", real);

        cr_assert_geq(asprintf(&member, "%s/sys/kernel/iommu_groups/1/devices/0000:00:01.0/config",
                               gd_testbed_root(t)), 0);
        cr_assert_eq(stat(member, &st), 0, "%s: %m", member);
        cr_assert_eq(st.st_size, 64);

        cr_assert_eq(read_link_basename(gd_testbed_root(t), "sys/bus/pci/devices/0000:01:00.0/driver", &drv), 0);
        cr_assert_str_eq(drv, "vfio-pci");

        cr_assert_geq(asprintf(&conf_path, "%s/etc/modprobe.d/vfio.conf", gd_testbed_config_root(t)), 0);
        cr_assert_eq(read_file_capped(conf_path, GD_ATTR_MAX, &conf, NULL), 0);
        cr_assert_str_eq(conf, "options vfio-pci ids=10de:2204\n");
        cr_assert_eq(stat(conf_path, &st), 0);
        cr_assert_eq(st.st_mtime, 1732600000);
}

/* An empty /sys/class/iommu says "no IOMMU unit"; without the directory
 * the reader cannot tell.  Format 2's dirs make the difference replay. */
Test(testbed, listed_empty_directories_exist_and_read_as_empty) {
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_testbed_ struct gd_testbed *with = build("empty-dirs.yaml", &b), *without = NULL;
        _cleanup_free_ char *iommu = NULL, *dracut = NULL, *a = NULL, *c = NULL, *error = NULL;
        char *argv[] = { (char *) gpudiag_binary(), (char *) "explain", (char *) "--format", (char *) "json", NULL };
        struct stat st;
        int status;

        cr_assert_geq(asprintf(&iommu, "%s/sys/class/iommu", gd_testbed_root(with)), 0);
        cr_assert_geq(asprintf(&dracut, "%s/etc/dracut.conf.d", gd_testbed_config_root(with)), 0);
        cr_assert(stat(iommu, &st) == 0 && S_ISDIR(st.st_mode), "%s", iommu);
        cr_assert(stat(dracut, &st) == 0 && S_ISDIR(st.st_mode), "%s", dracut);
        cr_assert_eq(testbed_run(with, argv, &a, NULL, &status), 0);
        cr_assert_not_null(strstr(a, "no IOMMU units"), "%s", a);

        /* The same host without its dirs: the units are unknown. */
        b->dirs[0] = mfree_str(b->dirs[0]);
        free(b->dirs[1]);
        cr_assert_eq(gd_testbed_build(b, &without, &error), 0, "%s", error);
        cr_assert_eq(testbed_run(without, argv, &c, NULL, &status), 0);
        cr_assert_null(strstr(c, "no IOMMU units"), "%s", c);
}

Test(testbed, exec_env_points_the_preload_at_the_testbed) {
        _cleanup_testbed_ struct gd_testbed *t = build("minimal.yaml", NULL);
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *dir = NULL, *root = NULL;

        setenv("LD_PRELOAD", "libfoo.so", 1);
        cr_assert_eq(gd_testbed_exec_env(t, &env), 0);
        unsetenv("LD_PRELOAD");
        cr_assert_geq(asprintf(&dir, "UMOCKDEV_DIR=%s", gd_testbed_root(t)), 0);
        cr_assert_geq(asprintf(&root, "GPUDIAG_CONFIG_ROOT=%s", gd_testbed_config_root(t)), 0);
        cr_assert(strv_contains(env, dir));
        cr_assert(strv_contains(env, root));
        cr_assert(strv_contains(env, "GPUDIAG_REPLAY=1"));
        cr_assert(strv_contains(env, "LD_PRELOAD=" UMOCKDEV_PRELOAD ":libfoo.so"));
        /* Building the testbed leaves this process's environment alone. */
        cr_assert_null(getenv("UMOCKDEV_DIR"));
}

Test(testbed, free_removes_the_whole_directory) {
        struct gd_testbed *t = build("minimal.yaml", NULL);
        _cleanup_free_ char *root = strdup(gd_testbed_root(t));
        struct stat st;

        cr_assert_eq(stat(root, &st), 0);
        gd_testbed_free(t);
        cr_assert_eq(stat(root, &st), -1, "%s still exists", root);
        cr_assert_eq(errno, ENOENT);
}

/* One line per entry below dir: path, kind, mode, and the link target or
 * the file's content, sorted: two directories are the same testbed when
 * their listings are equal. */
static void list_entry(const char *dir, const char *rel, char ***lines) {
        _cleanup_free_ char *full = path_join(dir, rel), *content = NULL, *line = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        struct stat st;

        cr_assert_not_null(full);
        cr_assert_eq(lstat(full, &st), 0, "%s", full);
        if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlink(full, target, sizeof(target) - 1);
                cr_assert_gt(n, 0);
                target[n] = '\0';
                cr_assert(asprintf(&line, "%s link %s", rel, target) >= 0);
        } else if (S_ISREG(st.st_mode)) {
                FILE *f;
                size_t len = 0;

                /* Raw bytes: read_file_capped() would turn the markers into
                 * errors.  Unreadable markers are mode 000. */
                (void) chmod(full, 0644);
                f = fopen(full, "re");
                cr_assert_not_null(f, "%s", full);
                content = calloc(1, (size_t) st.st_size + 1);
                cr_assert_not_null(content);
                len = fread(content, 1, (size_t) st.st_size, f);
                cr_assert_eq(len, (size_t) st.st_size, "%s", full);
                fclose(f);
                cr_assert(asprintf(&line, "%s file %o %s", rel, (unsigned) st.st_mode & 07777, content) >= 0);
                (void) chmod(full, st.st_mode & 07777);
        } else {
                cr_assert(S_ISDIR(st.st_mode), "%s", full);
                cr_assert(asprintf(&line, "%s dir", rel) >= 0);
                d = opendir(full);
                cr_assert_not_null(d);
                for (struct dirent *de; (de = readdir(d)); ) {
                        _cleanup_free_ char *sub = NULL;
                        if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                                continue;
                        cr_assert(asprintf(&sub, "%s/%s", rel, de->d_name) >= 0);
                        list_entry(dir, sub, lines);
                }
        }
        cr_assert_eq(strv_consume(lines, TAKE_PTR(line)), 0);
}

static char *listing(const char *dir) {
        _cleanup_strv_free_ char **lines = calloc(1, sizeof(char *));
        char *joined = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&joined, &len);

        cr_assert_not_null(lines);
        cr_assert_not_null(f);
        list_entry(dir, ".", &lines);
        strv_sort(lines);
        for (char **l = lines; *l; l++)
                if (!streq(*l, ". dir"))
                        fprintf(f, "%s\n", *l);
        fclose(f);
        return joined;
}

static char *listing_of_build(const struct gd_bundle *b) {
        _cleanup_testbed_ struct gd_testbed *t = NULL;
        _cleanup_free_ char *err = NULL;

        cr_assert_eq(gd_testbed_build(b, &t, &err), 0, "%s", err);
        return listing(gd_testbed_root(t));
}

static char *make_slot(void) {
        char *dir = strdup("/tmp/gpudiag-slot-test.XXXXXX");

        cr_assert_not_null(dir);
        cr_assert_not_null(mkdtemp(dir));
        return dir;
}

/* The replay runner's slots (testbed-tree.c): a directory switched from
 * nothing to a bundle's tree holds what gd_testbed_build() writes, also for
 * an imported bundle whose unreadable markers are written through the
 * /sys/bus/pci/devices links. */
Test(testbed, a_tree_written_into_an_empty_slot_is_the_built_testbed) {
        static const char *const bundles[] = { "kvm-guest-6dev.yaml", "imported/x670e-i-rtx3080-raphael.yaml" };

        for (size_t i = 0; i < ELEMENTSOF(bundles); i++) {
                _cleanup_free_ char *path = snapshot_path(bundles[i]), *err = NULL, *want = NULL, *got = NULL;
                _cleanup_free_ char *slot = make_slot();
                _cleanup_bundle_ struct gd_bundle *b = NULL;
                _cleanup_(gd_testbed_tree_freep) struct gd_testbed_tree *tree = NULL;
                _cleanup_testbed_ struct gd_testbed *owner = NULL;

                cr_assert_eq(gd_bundle_load(path, &b, &err), 0, "%s: %s", path, err);
                cr_assert_eq(gd_testbed_tree_new(b, &tree, &err), 0, "%s", err);
                cr_assert_gt(gd_testbed_tree_size(tree), 50);
                cr_assert_eq(gd_testbed_switch(slot, NULL, tree), 0);
                want = listing_of_build(b);
                got = listing(slot);
                cr_assert_str_eq(got, want, "%s", bundles[i]);
                /* gd_testbed_build's own directory, to remove the slot with. */
                owner = gd_testbed_at(slot);
                cr_assert_str_eq(gd_testbed_root(owner), slot);
                (void) gd_testbed_switch(slot, tree, NULL);
                cr_assert_eq(rmdir(slot), 0, "the switch to nothing left entries in %s", slot);
        }
}

/* A scenario's faults change a few entries; switching there and back gives
 * exactly the faulted testbed, then exactly the base again. */
Test(testbed, switching_to_a_faulted_bundle_and_back_writes_each_testbed_exactly) {
        _cleanup_free_ char *scen = NULL, *base_path = NULL, *err = NULL, *slot = make_slot();
        _cleanup_free_ char *want_base = NULL, *want_fault = NULL, *got = NULL;
        _cleanup_bundle_ struct gd_bundle *base = NULL, *faulted = NULL;
        _cleanup_(gd_testbed_tree_freep) struct gd_testbed_tree *tb = NULL, *tf = NULL;
        struct gd_scenario *s = NULL;

        cr_assert(asprintf(&scen, "%s/scenarios/guide/amd-iommu-on-believed-needed.yaml", getenv("GPUDIAG_SRCDIR")) >= 0);
        cr_assert_eq(gd_scenario_load(scen, &s, &err), 0, "%s", err);
        cr_assert_eq(gd_scenario_find_base(s, &base_path), 0);
        cr_assert_eq(gd_bundle_load(base_path, &base, NULL), 0);
        cr_assert_eq(gd_bundle_load(base_path, &faulted, NULL), 0);
        cr_assert_eq(gd_scenario_apply(s, faulted, &err), 0, "%s", err);
        gd_scenario_free(s);

        cr_assert_eq(gd_testbed_tree_new(base, &tb, NULL), 0);
        cr_assert_eq(gd_testbed_tree_new(faulted, &tf, NULL), 0);
        want_base = listing_of_build(base);
        want_fault = listing_of_build(faulted);
        cr_assert_str_neq(want_base, want_fault, "the faults changed nothing");

        cr_assert_eq(gd_testbed_switch(slot, NULL, tb), 0);
        cr_assert_eq(gd_testbed_switch(slot, tb, tf), 0);
        got = listing(slot);
        cr_assert_str_eq(got, want_fault);
        free(got);
        cr_assert_eq(gd_testbed_switch(slot, tf, tb), 0);
        got = listing(slot);
        cr_assert_str_eq(got, want_base);
        cr_assert_eq(gd_testbed_switch(slot, tb, NULL), 0);
        cr_assert_eq(rmdir(slot), 0);
}

/* A tree fed record by record while the bundle loads (explain --bundle:
 * gd_bundle_load_records(), the umockdev text never whole in memory) is
 * the tree of the loaded bundle: the same testbed for every snapshot and
 * fixture, in YAML block style and in JSON (one quoted line), the same
 * warnings, and for a malformed recording the same refusal. */
static char *joined_warnings(const struct gd_testbed_tree *tree) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        cr_assert_not_null(f);
        for (char * const *w = gd_testbed_tree_warnings(tree); *w; w++)
                fprintf(f, "%s\n", *w);
        cr_assert_eq(fclose(f), 0);
        return text;
}

static char *streamed_listing(const char *path, char **ret_warnings, char **ret_error) {
        _cleanup_(gd_testbed_tree_freep) struct gd_testbed_tree *tree = gd_testbed_tree_begin();
        const struct gd_bundle_records sink = { .record = gd_testbed_tree_record_sink, .userdata = tree };
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_free_ char *slot = make_slot();
        char *got;
        int r;

        cr_assert_not_null(tree);
        r = gd_bundle_load_records(path, &sink, &b, ret_error);
        if (r < 0)
                return NULL;
        cr_assert(b->umockdev_streamed && !b->umockdev && b->umockdev_records > 0, "%s", path);
        r = gd_testbed_tree_end(tree, b, ret_error);
        if (r < 0)
                return NULL;
        *ret_warnings = joined_warnings(tree);
        cr_assert_eq(gd_testbed_switch(slot, NULL, tree), 0);
        got = listing(slot);
        cr_assert_eq(gd_testbed_switch(slot, tree, NULL), 0);
        cr_assert_eq(rmdir(slot), 0);
        return got;
}

static char *loaded_listing(const char *path, char **ret_warnings, char **ret_error) {
        _cleanup_(gd_testbed_tree_freep) struct gd_testbed_tree *tree = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_free_ char *slot = make_slot();
        char *got;

        if (gd_bundle_load(path, &b, ret_error) < 0 || gd_testbed_tree_new(b, &tree, ret_error) < 0)
                return NULL;
        *ret_warnings = joined_warnings(tree);
        cr_assert_eq(gd_testbed_switch(slot, NULL, tree), 0);
        got = listing(slot);
        cr_assert_eq(gd_testbed_switch(slot, tree, NULL), 0);
        cr_assert_eq(rmdir(slot), 0);
        return got;
}

static void assert_streamed_is_loaded(const char *path) {
        _cleanup_free_ char *a = NULL, *b = NULL, *wa = NULL, *wb = NULL, *ea = NULL, *eb = NULL;

        a = streamed_listing(path, &wa, &ea);
        b = loaded_listing(path, &wb, &eb);
        if (!b) {
                cr_assert_null(a, "%s: streamed, it loads; loaded, it fails: %s", path, eb);
                cr_assert_str_eq(ea ? ea : "", eb ? eb : "", "%s", path);
                return;
        }
        cr_assert_not_null(a, "%s: loaded, it loads; streamed, it fails: %s", path, ea);
        cr_assert_str_eq(a, b, "%s", path);
        cr_assert_str_eq(wa ? wa : "", wb ? wb : "", "%s", path);
}

Test(testbed, a_tree_fed_record_by_record_is_the_tree_of_the_loaded_bundle) {
        static const char *const snapshots[] = {
                "kvm-guest-6dev.yaml", "h100-firecracker-guest.yaml", "synthetic-amd-x570-navi10-shared.yaml",
                "synthetic-nvidia-tu102-isolated.yaml", "imported/x79-c602-dual-xeon-gtx1070-gtx770.yaml",
                "imported/x670e-i-rtx3080-raphael.yaml",
        };
        static const char *const fixtures[] = {
                "minimal.yaml", "hostile-strings.yaml", "symlink-loop.yaml", "dangling-group-link.yaml",
                "bad-record-dotdot.yaml", "empty-dirs.yaml", "no-iommu-groups.yaml",
        };

        for (size_t i = 0; i < ELEMENTSOF(snapshots); i++) {
                _cleanup_free_ char *path = snapshot_path(snapshots[i]);
                assert_streamed_is_loaded(path);
        }
        for (size_t i = 0; i < ELEMENTSOF(fixtures); i++) {
                _cleanup_free_ char *path = fixture_bundle_path(fixtures[i]);
                assert_streamed_is_loaded(path);
        }
}

/* The recording as one JSON string (the bench's topologies are written so):
 * libfyaml hands it over in pieces cut anywhere, not at line ends. */
Test(testbed, a_recording_in_one_quoted_string_streams_like_a_block) {
        _cleanup_free_ char *src = snapshot_path("synthetic-amd-x570-navi10-shared.yaml"), *json = NULL;
        _cleanup_free_ char *cmd = NULL;
        char dir[] = "/tmp/gpudiag-json-XXXXXX";

        cr_assert_not_null(mkdtemp(dir));
        cr_assert(asprintf(&json, "%s/bundle.json", dir) >= 0);
        cr_assert(asprintf(&cmd, "python3 -c 'import json,sys,yaml; json.dump(yaml.safe_load(open(sys.argv[1])), "
                                 "open(sys.argv[2], \"w\"))' %s %s", src, json) >= 0);
        cr_assert_eq(system(cmd), 0, "%s", cmd);
        assert_streamed_is_loaded(json);
        unlink(json);
        rmdir(dir);
}
