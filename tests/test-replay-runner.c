/* SPDX-License-Identifier: MIT */
/* Scenario runner: loading, faults, comparison, and the replay command.
 * Fixtures: fixtures/scenarios/runner/ (one passing, one wrong, four
 * malformed) and fixtures/scenarios/faults/<kind>.yaml (one per fault). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "replay/scenario.h"
#include "replay/testbed.h"
#include "testbed-run.h"

static char *src_path(const char *rel) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        char *p;

        cr_assert(asprintf(&p, "%s/%s", src && *src ? src : ".", rel) >= 0);
        return p;
}

static const char *gpudiag(void) {
        const char *g = getenv("GPUDIAG");
        cr_assert(g && *g, "$GPUDIAG (the built program) is not set");
        return g;
}

static size_t count(const char *hay, const char *needle) {
        size_t n = 0;
        for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

/* ---- running one scenario ---- */

Test(runner, scenario_whose_expectation_holds_passes) {
        _cleanup_free_ char *path = src_path("fixtures/scenarios/runner/gpu-removed-reports-no-gpu.yaml");
        struct gd_scenario_result r;

        cr_assert_eq(gd_scenario_run(path, gpudiag(), &r), 0);
        cr_expect(r.ok, "%s\n%s", r.message, r.diff);
        cr_expect_str_eq(r.name, "gpu-removed-reports-no-gpu");
        gd_scenario_result_clear(&r);
}

Test(runner, wrong_expectation_fails_with_a_readable_diff) {
        _cleanup_free_ char *path = src_path("fixtures/scenarios/runner/wrong-expectation.yaml");
        struct gd_scenario_result r;

        cr_assert_eq(gd_scenario_run(path, gpudiag(), &r), 0);
        cr_assert_not(r.ok);
        cr_assert_not(r.error, "a mismatch is a failure, not an error: %s", r.message);
        cr_expect(strstr(r.message, "no GPU at 0000:01:00.0 (line 10)"), "%s", r.message);
        cr_expect(strstr(r.message, "and 1 more"), "%s", r.message);
        cr_expect(strstr(r.diff, "- verdict 0000:01:00.0: ready\n"), "%s", r.diff);
        cr_expect(strstr(r.diff, "+ verdict 0000:01:00.0: (no GPU at this address)\n"), "%s", r.diff);
        cr_expect(strstr(r.diff, "+ finding gpu.none\n"), "%s", r.diff);
        cr_expect(strstr(r.expected, "absent:\n  - gpu.none\n"), "%s", r.expected);
        cr_expect(strstr(r.actual, "  - gpu.none\n"), "%s", r.actual);
        gd_scenario_result_clear(&r);
}

/* Parameters are copied into Criterion's worker processes: keep them as
 * arrays, not pointers. */
struct malformed {
        char file[64];
        char where[64];         /* "file:line: key: " the message must contain */
        char what[64];
};

ParameterizedTestParameters(runner, malformed_scenario_fails_naming_file_and_line) {
        static struct malformed cases[] = {
                { "bad-yaml.yaml", "bad-yaml.yaml:7: YAML: ", "flow sequence" },
                { "unknown-fault.yaml", "unknown-fault.yaml:6: faults: ", "unknown fault 'driver-bind'" },
                { "missing-base.yaml", "missing-base.yaml:3: base: ", "no bundle 'no-such-host.yaml'" },
                { "address-not-in-base.yaml", "address-not-in-base.yaml:6: faults: bind: ",
                  "device 0000:05:00.0 is not in the base bundle" },
        };
        return cr_make_param_array(struct malformed, cases, ELEMENTSOF(cases));
}

ParameterizedTest(struct malformed *m, runner, malformed_scenario_fails_naming_file_and_line) {
        _cleanup_free_ char *rel = NULL, *path = NULL;
        struct gd_scenario_result r;

        cr_assert(asprintf(&rel, "fixtures/scenarios/runner/%s", m->file) >= 0);
        path = src_path(rel);
        cr_assert_eq(gd_scenario_run(path, gpudiag(), &r), 0);
        cr_assert_not(r.ok);
        cr_assert(r.error);
        cr_expect(strstr(r.message, m->where) && strstr(r.message, path) == r.message, "%s", r.message);
        cr_expect(strstr(r.message, m->what), "%s", r.message);
        gd_scenario_result_clear(&r);
}

struct bad_text {
        char yaml[160];
        char error[64];
};

/* Loader errors that need no base at all, written to a temporary file. */
ParameterizedTestParameters(scenario, invalid_content_is_an_error_naming_line_and_key) {
        static struct bad_text cases[] = {
                { "name: x\nbase: b.yaml\nexpect: {absent: [gpu.none]}\ncolour: red\n", ":4: scenario: unknown key 'colour'" },
                { "name: x\nbase: b.yaml\nfaults:\n  - bind: 0000:01:00.0\nexpect: {absent: [gpu.none]}\n",
                  ":4: faults: bind: must be a mapping" },
                { "name: x\nbase: b.yaml\nfaults:\n  - bind: {device: 1:0.0, driver: x}\nexpect: {absent: [gpu.none]}\n",
                  ":4: device: '1:0.0' is not a PCI address" },
                { "name: x\nbase: b.yaml\nfaults:\n  - group-move: {device: 0000:01:00.0, group: one}\nexpect: {absent: [gpu.none]}\n",
                  ":4: group: must be an integer" },
                { "name: x\nbase: b.yaml\nexpect:\n  findings:\n    - id: group.nonsense\n", ":5: expect: findings: id: 'group.nonsense'" },
                { "name: x\nbase: b.yaml\nexpect:\n  verdict: {0000:01:00.0: fine}\n", ":4: expect: verdict: 'fine'" },
                { "name: Bad_Name\nbase: b.yaml\nexpect: {absent: [gpu.none]}\n", ":1: name: 'Bad_Name'" },
                { "name: x\nbase: b.yaml\nfaults:\n  - acpi-hide: MADT\nexpect: {absent: [gpu.none]}\n",
                  ":4: faults: acpi-hide: must be DMAR or IVRS" },
                { "name: x\nbase: b.yaml\nfaults:\n  - file-write: {path: /home/u/x, content: y}\nexpect: {absent: [gpu.none]}\n",
                  ":4: path: '/home/u/x' must be absolute" },
                { "name: x\nbase: b.yaml\n", ": expect: missing" },
        };
        return cr_make_param_array(struct bad_text, cases, ELEMENTSOF(cases));
}

ParameterizedTest(struct bad_text *c, scenario, invalid_content_is_an_error_naming_line_and_key) {
        char path[] = "/tmp/gpudiag-scenario-XXXXXX";
        _cleanup_free_ char *error = NULL;
        struct gd_scenario *s = NULL;
        int fd = mkstemp(path);

        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, c->yaml, strlen(c->yaml)), (ssize_t) strlen(c->yaml));
        close(fd);
        cr_expect_eq(gd_scenario_load(path, &s, &error), -EINVAL);
        unlink(path);
        cr_assert_not_null(error);
        cr_expect(strstr(error, path) == error, "%s", error);
        cr_expect(strstr(error, c->error), "expected '%s' in: %s", c->error, error);
        gd_scenario_free(s);
}

/* ---- every fault kind changes what a replayed host shows ---- */

enum probe {
        PROBE_CAT,       /* a /sys or /proc path, read through the preload (/dev files sit below the config root) */
        PROBE_CONFIG,    /* below the config root (/etc ... and /dev): "mtime=N\n" + content */
        PROBE_GROUPS,    /* gpudiag groups */
        PROBE_EXPLAIN,   /* gpudiag explain --format json */
};

struct fault_case {
        char kind[24];
        enum probe probe;
        char arg[64];
        char needle[80];
        bool present;    /* after the fault; the base shows the opposite */
};

static char *probe(const struct gd_testbed *t, const struct fault_case *c) {
        char *out = NULL;

        switch (c->probe) {
        case PROBE_CAT:
                if (testbed_cat(t, c->arg, &out) < 0) {
                        free(out);      /* cat's output, set also when it failed */
                        return strdup("(missing)");
                }
                return out;
        case PROBE_CONFIG: {
                _cleanup_free_ char *full = NULL, *content = NULL;
                struct stat st;

                cr_assert(asprintf(&full, "%s%s", gd_testbed_config_root(t), c->arg) >= 0);
                if (stat(full, &st) < 0 || read_file_capped(full, GD_TEXT_FILE_MAX, &content, NULL) < 0)
                        return strdup("(missing)");
                cr_assert(asprintf(&out, "mtime=%lld\n%s", (long long) st.st_mtime, content) >= 0);
                return out;
        }
        case PROBE_GROUPS:
        case PROBE_EXPLAIN: {
                char *argv[] = { (char *) gpudiag(), (char *) (c->probe == PROBE_GROUPS ? "groups" : "explain"),
                                 (char *) "--format", (char *) (c->probe == PROBE_GROUPS ? "text" : "json"), NULL };
                _cleanup_free_ char *err = NULL;
                int status;

                cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
                cr_assert(WIFEXITED(status) && WEXITSTATUS(status) <= 1, "%s failed: %s", argv[1], err);
                return out;
        }
        }
        return NULL;
}

ParameterizedTestParameters(faults, every_kind_changes_what_the_replayed_host_shows) {
        static struct fault_case cases[] = {
                { "cmdline-add", PROBE_CAT, "/proc/cmdline", "intel_iommu=on iommu=pt iommu=off\n", true },
                { "cmdline-remove", PROBE_CAT, "/proc/cmdline", "intel_iommu", false },
                { "bootcfg-add", PROBE_CONFIG, "/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\"\n", true },
                { "bootcfg-remove", PROBE_CONFIG, "/etc/kernel/cmdline", "\nroot=ZFS=rpool/ROOT/pve-1 intel_iommu=on\n", true },
                { "attr-set", PROBE_CAT, "/sys/bus/pci/devices/0000:01:00.0/reset_method", "flr bus\n", true },
                { "attr-remove", PROBE_CAT, "/sys/bus/pci/devices/0000:01:00.0/boot_vga", "(missing)", true },
                { "bind", PROBE_GROUPS, "", "[10de:2204] (rev a1) (driver: nouveau)", true },
                { "unbind", PROBE_GROUPS, "", "(driver: vfio-pci)", false },
                { "override", PROBE_CAT, "/sys/bus/pci/devices/0000:01:00.0/driver_override", "vfio-pci\n", true },
                { "device-remove", PROBE_CAT, "/sys/bus/pci/devices/0000:01:00.0/vendor", "(missing)", true },
                { "group-move", PROBE_GROUPS, "", "IOMMU Group 7 (DMA):\n\t0000:01:00.0", true },
                { "group-merge", PROBE_GROUPS, "", "IOMMU Group 1 ", false },
                { "group-split", PROBE_GROUPS, "", "IOMMU Group 2 (DMA):\n\t0000:01:00.0", true },
                { "groups-clear", PROBE_EXPLAIN, "", "\"iommu_groups\": 0", true },
                { "kmsg-drop", PROBE_CONFIG, "/dev/kmsg", "Adding to iommu group", false },
                { "kmsg-add", PROBE_CONFIG, "/dev/kmsg", "\n6,813,1204312,-;DMAR: IOMMU enabled\n", true },
                { "file-write", PROBE_CONFIG, "/etc/modprobe.d/vfio.conf", "mtime=1732600000\noptions vfio-pci ids=10de:1e07\n", true },
                { "file-remove", PROBE_CONFIG, "/etc/modprobe.d/vfio.conf", "(missing)", true },
                { "file-touch", PROBE_CONFIG, "/etc/modprobe.d/vfio.conf", "mtime=1700000000\n", true },
                { "acpi-hide", PROBE_CAT, "/sys/firmware/acpi/tables/DMAR", "(missing)", true },
                { "non-root", PROBE_CAT, "/proc/iomem", GD_UNREADABLE_MARKER, true },
        };
        return cr_make_param_array(struct fault_case, cases, ELEMENTSOF(cases));
}

ParameterizedTest(struct fault_case *c, faults, every_kind_changes_what_the_replayed_host_shows) {
        _cleanup_free_ char *rel = NULL, *path = NULL, *base = NULL, *error = NULL, *before = NULL, *after = NULL;
        _cleanup_scenario_ struct gd_scenario *s = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        struct gd_testbed *t = NULL;
        bool kind_used = false;
        int r;

        cr_assert(asprintf(&rel, "fixtures/scenarios/faults/%s.yaml", c->kind) >= 0);
        path = src_path(rel);
        r = gd_scenario_load(path, &s, &error);
        cr_assert_eq(r, 0, "%s", error);
        for (size_t i = 0; i < s->n_faults; i++)
                kind_used = kind_used || streq(gd_fault_kind_to_string(s->faults[i].kind), c->kind);
        cr_assert(kind_used, "%s does not use the %s fault", path, c->kind);
        cr_assert_eq(gd_scenario_find_base(s, &base), 0);
        r = gd_bundle_load(base, &b, &error);
        cr_assert_eq(r, 0, "%s", error);

        cr_assert_eq(gd_testbed_build(b, &t, &error), 0, "%s", error);
        before = probe(t, c);
        t = gd_testbed_free(t);
        cr_assert_eq(!!strstr(before, c->needle), !c->present, "the base already shows the fault's effect:\n%s", before);

        r = gd_scenario_apply(s, b, &error);
        cr_assert_eq(r, 0, "%s", error);
        cr_assert_eq(gd_testbed_build(b, &t, &error), 0, "%s", error);
        after = probe(t, c);
        t = gd_testbed_free(t);
        cr_expect_eq(!!strstr(after, c->needle), c->present, "%s '%s' after %s:\n%s",
                     c->present ? "no" : "still", c->needle, c->kind, after);
}

Test(faults, every_kind_of_the_format_has_a_fixture) {
        for (int k = 0; k < _GD_FAULT_MAX; k++) {
                _cleanup_free_ char *rel = NULL, *path = NULL;
                struct stat st;

                cr_assert(asprintf(&rel, "fixtures/scenarios/faults/%s.yaml", gd_fault_kind_to_string(k)) >= 0);
                path = src_path(rel);
                cr_expect_eq(stat(path, &st), 0, "no fixture for fault %s", gd_fault_kind_to_string(k));
        }
}

Test(faults, non_root_cuts_config_space_to_64_bytes_and_hides_the_kernel_log) {
        _cleanup_free_ char *path = fixture_bundle_path("minimal.yaml"), *error = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        struct gd_fault f = { .kind = GD_FAULT_NON_ROOT, .enabled = true };
        struct gd_fault grow = { .kind = GD_FAULT_ATTR_SET, .device = (char *) "0000:01:00.0",
                                 .name = (char *) "config", .value_len = 256 };
        char config[256] = { 0x10, 0xde };
        const char *h;

        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s", error);
        grow.value = config;
        cr_assert_eq(gd_fault_apply(b, &grow, &error), 0, "%s", error);
        h = strstr(strstr(b->umockdev, "0000:01:00.0\n"), "H: config=");
        cr_assert_eq(strcspn(h + 10, "\n"), 512u);

        cr_assert_eq(gd_fault_apply(b, &f, &error), 0, "%s", error);
        h = strstr(strstr(b->umockdev, "0000:01:00.0\n"), "H: config=");
        cr_expect_eq(strcspn(h + 10, "\n"), 128u);
        cr_expect(startswith(h + 10, "10DE0000"));
        cr_expect_null(gd_bundle_file(b, "/dev/kmsg"));
        cr_expect(gd_bundle_is_unreadable(b, "/dev/kmsg"));
        cr_expect(gd_bundle_is_unreadable(b, "/proc/iomem"));
        cr_expect_eq(b->metadata.root, TRI_NO);
}

Test(faults, attr_values_are_escaped_as_umockdev_reads_them) {
        _cleanup_free_ char *path = fixture_bundle_path("minimal.yaml"), *error = NULL, *out = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_testbed_ struct gd_testbed *t = NULL;
        struct gd_fault f = { .kind = GD_FAULT_ATTR_SET, .device = (char *) "0000:01:00.0",
                              .name = (char *) "label", .value = (char *) "a\\b\tc\nd", .value_len = 7 };

        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s", error);
        cr_assert_eq(gd_fault_apply(b, &f, &error), 0, "%s", error);
        cr_expect(strstr(b->umockdev, "A: label=a\\\\b\\tc\\nd\\n\n"), "%s", b->umockdev);
        cr_assert_eq(gd_testbed_build(b, &t, &error), 0, "%s", error);
        cr_assert_eq(testbed_cat(t, "/sys/bus/pci/devices/0000:01:00.0/label", &out), 0);
        cr_expect_str_eq(out, "a\\b\tc\nd\n");
}

Test(faults, bind_link_climbs_one_level_per_path_component) {
        _cleanup_free_ char *path = fixture_bundle_path("minimal.yaml"), *error = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        struct gd_fault f = { .kind = GD_FAULT_BIND, .device = (char *) "0000:00:01.0", .driver = (char *) "vfio-pci" };

        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s", error);
        cr_assert_eq(gd_fault_apply(b, &f, &error), 0, "%s", error);
        cr_expect(strstr(b->umockdev, "L: driver=../../../bus/pci/drivers/vfio-pci\n"), "%s", b->umockdev);
        cr_expect(strstr(b->umockdev, "E: DRIVER=vfio-pci\n"), "%s", b->umockdev);
        cr_expect_null(strstr(b->umockdev, "E: DRIVER=pcieport"));
        f.device = (char *) "0000:01:00.0";
        f.driver = (char *) "nouveau";
        cr_assert_eq(gd_fault_apply(b, &f, &error), 0, "%s", error);
        cr_expect(strstr(b->umockdev, "L: driver=../../../../bus/pci/drivers/nouveau\n"), "%s", b->umockdev);
}

Test(faults, a_fault_that_changes_nothing_is_an_error) {
        _cleanup_free_ char *path = fixture_bundle_path("minimal.yaml"), *error = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        struct gd_fault drop = { .kind = GD_FAULT_KMSG_DROP, .text = (char *) "never logged" };
        struct gd_fault rm = { .kind = GD_FAULT_CMDLINE_REMOVE, .text = (char *) "amd_iommu" };
        int64_t groups[] = { 1, 9 };
        struct gd_fault merge = { .kind = GD_FAULT_GROUP_MERGE, .groups = groups, .n_groups = 2 };

        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s", error);
        cr_expect_eq(gd_fault_apply(b, &drop, &error), -EINVAL);
        cr_expect(strstr(error, "no kernel log record contains \"never logged\""), "%s", error);
        cr_expect_eq(gd_fault_apply(b, &rm, &error), -EINVAL);
        cr_expect(strstr(error, "no argument 'amd_iommu'"), "%s", error);
        cr_expect_eq(gd_fault_apply(b, &merge, &error), -EINVAL);
        cr_expect(strstr(error, "no IOMMU group 9"), "%s", error);
}

/* ---- the replay command ---- */

/* Runs argv with stdout and stderr into one buffer; returns the exit code. */
static int run_replay(char **argv, char **ret_out) {
        posix_spawn_file_actions_t fa;
        char *buf = NULL, chunk[4096];
        size_t len = 0;
        int pipefd[2], status;
        ssize_t n;
        pid_t pid;

        cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
        cr_assert_eq(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);
        while ((n = read(pipefd[0], chunk, sizeof(chunk))) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                cr_assert_gt(n, 0);
                buf = realloc(buf, len + (size_t) n + 1);
                cr_assert_not_null(buf);
                memcpy(buf + len, chunk, (size_t) n);
                len += (size_t) n;
                buf[len] = '\0';
        }
        close(pipefd[0]);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        *ret_out = buf ? buf : strdup("");
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(replay_cli, malformed_scenarios_fail_with_status_2_while_the_others_still_run_in_order) {
        _cleanup_free_ char *dir = src_path("fixtures/scenarios/runner"), *out1 = NULL, *out2 = NULL;
        char *argv1[] = { (char *) gpudiag(), (char *) "replay", dir, NULL };
        char *argv2[] = { (char *) gpudiag(), (char *) "replay", (char *) "-j", (char *) "3", dir, NULL };
        char *tail;

        /* Malformed scenarios make the status 2 (gpudiag(1)), after every
         * scenario ran and was reported. */
        cr_assert_eq(run_replay(argv1, &out1), 2, "%s", out1);
        cr_expect(strstr(out1, "\n# 4 scenarios or base bundles are malformed (exit status 2)\n"), "%s", out1);
        cr_expect(startswith(out1, "TAP version 13\n1..6\n"), "%s", out1);
        cr_expect(strstr(out1, "\nok 3 - gpu-removed-reports-no-gpu\n"), "%s", out1);
        cr_expect_eq(count(out1, "\nnot ok "), 5, "%s", out1);
        cr_expect(strstr(out1, "\nnot ok 6 - wrong-expectation\n  ---\n  message: "), "%s", out1);
        cr_expect(strstr(out1, "  diff: |\n    - verdict 0000:01:00.0: ready\n"), "%s", out1);
        cr_expect(strstr(out1, "unknown-fault.yaml:6: faults: unknown fault 'driver-bind'"), "%s", out1);
        cr_expect(strstr(out1, "\n  ...\n"), "%s", out1);

        /* Parallel: the same report, in the same order (timings aside). */
        cr_assert_eq(run_replay(argv2, &out2), 2, "%s", out2);
        for (char *o = out1; (o = strstr(o, "duration_ms: ")); o++)
                for (o += 13; *o && *o != '\n'; o++)
                        *o = 'x';
        for (char *o = out2; (o = strstr(o, "duration_ms: ")); o++)
                for (o += 13; *o && *o != '\n'; o++)
                        *o = 'x';
        /* Only the summary line (its time) may differ; duration widths may too. */
        tail = strstr(out1, "\n# 6 scenarios: 1 passed, 5 failed");
        cr_assert_not_null(tail, "%s", out1);
        cr_expect_not_null(strstr(out2, "\n# 6 scenarios: 1 passed, 5 failed"), "%s", out2);
        cr_expect_eq(count(out2, "\nnot ok "), 5);
        cr_expect(strstr(out2, "\nok 3 - gpu-removed-reports-no-gpu\nnot ok 4 - missing-base\n"), "%s", out2);
}

Test(replay_cli, junit_report_escapes_and_counts) {
        _cleanup_free_ char *dir = src_path("fixtures/scenarios/runner"), *out = NULL, *xml = NULL;
        char junit[] = "/tmp/gpudiag-junit-XXXXXX";
        int fd = mkstemp(junit);
        char *argv[] = { (char *) gpudiag(), (char *) "replay", (char *) "-j", (char *) "2", (char *) "--junit", junit,
                         dir, NULL };

        cr_assert_geq(fd, 0);
        close(fd);
        cr_assert_eq(run_replay(argv, &out), 2, "%s", out);  /* four are malformed */
        cr_assert_eq(read_file_capped(junit, GD_TEXT_FILE_MAX, &xml, NULL), 0);
        unlink(junit);
        cr_expect(startswith(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), "%s", xml);
        cr_expect(strstr(xml, "tests=\"6\" failures=\"1\" errors=\"4\""), "%s", xml);
        cr_expect_eq(count(xml, "<testcase "), 6, "%s", xml);
        cr_expect(strstr(xml, "unknown fault &apos;driver-bind&apos;"), "%s", xml);
        cr_expect(strstr(xml, "<failure message=\"explain found no GPU"), "%s", xml);
        cr_expect_null(strstr(xml, "'driver-bind'"), "unescaped quote in:\n%s", xml);
}

Test(replay_cli, usage_errors_exit_2_and_an_empty_directory_passes) {
        _cleanup_free_ char *out = NULL, *out2 = NULL, *out3 = NULL;
        char dir[] = "/tmp/gpudiag-empty-XXXXXX";
        char *argv1[] = { (char *) gpudiag(), (char *) "replay", NULL };
        char *argv2[] = { (char *) gpudiag(), (char *) "replay", (char *) "/nonexistent/scenarios", NULL };
        char *argv3[] = { (char *) gpudiag(), (char *) "replay", dir, NULL };

        cr_assert_not_null(mkdtemp(dir));
        cr_expect_eq(run_replay(argv1, &out), 2, "%s", out);
        cr_expect_eq(run_replay(argv2, &out2), 2, "%s", out2);
        cr_expect_eq(run_replay(argv3, &out3), 0, "%s", out3);
        rmdir(dir);
        cr_expect(startswith(out3, "TAP version 13\n1..0 # SKIP"), "%s", out3);
}
