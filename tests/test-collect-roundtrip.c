/* SPDX-License-Identifier: MIT */
/* collect is the recording of the reader (base/io-record.h), so a bundle
 * collected from a host replays to the same diagnosis, byte for byte:
 *
 *   explain(replay(collect(replay(B)))) == explain(replay(B))   (--format json)
 *
 * for every bundle B in sysfs-snapshots/ (imported/ included), every base a
 * scenario names, and every scenario's faulted bundle (faults make hosts no
 * snapshot is: unreadable files, missing attributes, no groups, non-root).
 * collect runs inside B's testbed, as on a host; --no-redact, because a
 * placeholder is meant to differ from what it replaces. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/macro.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "replay/scenario.h"
#include "replay/testbed.h"
#include "testbed-run.h"

static char tmpdir[] = "/tmp/gd-test-roundtrip-XXXXXX";

static void setup(void) {
        cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void) {
        char *argv[] = { (char *) "/bin/rm", (char *) "-rf", tmpdir, NULL };
        _cleanup_free_ char *out = NULL;
        int status;

        (void) program_run(argv, NULL, NULL, &out, NULL, &status);
}

TestSuite(roundtrip, .init = setup, .fini = teardown, .timeout = 600);

/* What a person sees of one explain run: the JSON and the exit status. */
struct outcome {
        char *json;
        int status;
};

static void outcome_clear(struct outcome *o) {
        free(o->json);
}

static struct outcome explain_in(const struct gd_testbed *t) {
        char *argv[] = { (char *) gpudiag_binary(), (char *) "explain", (char *) "--format", (char *) "json", NULL };
        struct outcome o = {};

        cr_assert_eq(testbed_run(t, argv, &o.json, NULL, &o.status), 0);
        return o;
}

static struct outcome explain_bundle(const char *path) {
        char *argv[] = { (char *) gpudiag_binary(), (char *) "explain", (char *) "--bundle", (char *) path,
                         (char *) "--format", (char *) "json", NULL };
        _cleanup_free_ char *err = NULL;
        struct outcome o = {};

        cr_assert_eq(program_run(argv, NULL, NULL, &o.json, &err, &o.status), 0);
        cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) <= 1, "explain --bundle %s: %s", path, err);
        return o;
}

/* Appends to *failures when explain(replay(collect(replay(b)))) differs
 * from explain(replay(b)); what is the name for messages. */
static void roundtrip(const struct gd_bundle *b, const char *what, char ***failures) {
        _cleanup_testbed_ struct gd_testbed *t = NULL;
        _cleanup_free_ char *error = NULL, *path = NULL, *out = NULL, *err = NULL, *msg = NULL;
        _cleanup_(outcome_clear) struct outcome before = {}, after = {};
        int r, status;

        r = gd_testbed_build(b, &t, &error);
        cr_assert_eq(r, 0, "%s: testbed: %s", what, error ? error : strerror(-r));
        before = explain_in(t);

        cr_assert_geq(asprintf(&path, "%s/collected.yaml", tmpdir), 0);
        {
                char *argv[] = { (char *) gpudiag_binary(), (char *) "collect", (char *) "-q", (char *) "--no-redact",
                                 (char *) "-o", path, NULL };
                cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
        }
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: collect failed: %s", what, err);
        after = explain_bundle(path);
        unlink(path);

        if (before.status != after.status || !streq(before.json, after.json)) {
                cr_assert_geq(asprintf(&msg, "%s: exit %d, after collect %d; JSON %s", what,
                                       WEXITSTATUS(before.status), WEXITSTATUS(after.status),
                                       streq(before.json, after.json) ? "the same" : "differs"), 0);
                cr_log_error("%s\n--- replayed:\n%s\n--- collected and replayed:\n%s", msg, before.json, after.json);
                cr_assert_eq(strv_consume(failures, TAKE_PTR(msg)), 0);
        }
}

static char *joined(char **l) {
        char *s = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&s, &size);

        for (size_t i = 0; l && l[i]; i++)
                fprintf(f, "\n  %s", l[i]);
        fclose(f);
        return s;
}

static void roundtrip_file(const char *path, char ***failures) {
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_free_ char *error = NULL;

        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s: %s", path, error);
        roundtrip(b, path, failures);
}

Test(roundtrip, every_snapshot_explains_the_same_after_collect) {
        _cleanup_strv_free_ char **bundles = NULL, **failures = NULL;
        _cleanup_free_ char *list = NULL;

        test_find_yaml("sysfs-snapshots", false, &bundles);
        test_find_yaml("sysfs-snapshots/imported", false, &bundles);
        cr_assert_geq(strv_length(bundles), 30, "the snapshots were not found");
        for (size_t i = 0; bundles[i]; i++)
                roundtrip_file(bundles[i], &failures);
        list = joined(failures);
        cr_assert_null(failures, "%zu of %zu snapshots explain differently after collect:%s", strv_length(failures),
                       strv_length(bundles), list);
}

/* Every base a scenario names, each once (in sysfs-snapshots/ today, but a
 * scenario may name one beside itself). */
Test(roundtrip, every_scenario_base_explains_the_same_after_collect) {
        _cleanup_strv_free_ char **scenarios = NULL, **bases = NULL, **failures = NULL;
        _cleanup_free_ char *list = NULL;

        test_find_yaml("scenarios", true, &scenarios);
        for (size_t i = 0; scenarios[i]; i++) {
                _cleanup_free_ char *base = gd_scenario_base_path(scenarios[i]);
                char real[PATH_MAX];

                cr_assert_not_null(base, "%s: no base", scenarios[i]);
                cr_assert_not_null(realpath(base, real), "%s: base %s", scenarios[i], base);
                if (!strv_contains(bases, real))
                        cr_assert_eq(strv_push_dup(&bases, real), 0);
        }
        cr_assert_geq(strv_length(bases), 10);
        for (size_t i = 0; bases[i]; i++)
                roundtrip_file(bases[i], &failures);
        list = joined(failures);
        cr_assert_null(failures, "%zu of %zu scenario bases explain differently after collect:%s",
                       strv_length(failures), strv_length(bases), list);
}

/* Each scenario's bundle after its faults, one family per test. */
static void roundtrip_family(const char *family) {
        _cleanup_strv_free_ char **scenarios = NULL, **failures = NULL;
        _cleanup_free_ char *dir = NULL, *list = NULL;

        cr_assert_geq(asprintf(&dir, "scenarios/%s", family), 0);
        test_find_yaml(dir, true, &scenarios);
        cr_assert_not_null(scenarios, "no scenario in %s", dir);
        for (size_t i = 0; scenarios[i]; i++) {
                _cleanup_(gd_scenario_freep) struct gd_scenario *s = NULL;
                _cleanup_bundle_ struct gd_bundle *b = NULL;
                _cleanup_free_ char *error = NULL, *base = NULL;

                cr_assert_eq(gd_scenario_load(scenarios[i], &s, &error), 0, "%s: %s", scenarios[i], error);
                cr_assert_eq(gd_scenario_find_base(s, &base), 0, "%s: base", scenarios[i]);
                cr_assert_eq(gd_bundle_load(base, &b, &error), 0, "%s: %s", base, error);
                cr_assert_eq(gd_scenario_apply(s, b, &error), 0, "%s: %s", scenarios[i], error);
                roundtrip(b, scenarios[i], &failures);
        }
        list = joined(failures);
        cr_assert_null(failures, "%zu of %zu scenarios in %s explain differently after collect:%s",
                       strv_length(failures), strv_length(scenarios), family, list);
}

Test(roundtrip, boot_scenarios_explain_the_same_after_collect) { roundtrip_family("boot"); }
Test(roundtrip, driver_scenarios_explain_the_same_after_collect) { roundtrip_family("drivers"); }
Test(roundtrip, framebuffer_scenarios_explain_the_same_after_collect) { roundtrip_family("framebuffer"); }
Test(roundtrip, group_scenarios_explain_the_same_after_collect) { roundtrip_family("groups"); }
Test(roundtrip, guide_scenarios_explain_the_same_after_collect) { roundtrip_family("guide"); }
Test(roundtrip, imported_scenarios_explain_the_same_after_collect) { roundtrip_family("imported"); }
Test(roundtrip, iommu_scenarios_explain_the_same_after_collect) { roundtrip_family("iommu"); }
Test(roundtrip, misc_scenarios_explain_the_same_after_collect) { roundtrip_family("misc"); }
Test(roundtrip, power_scenarios_explain_the_same_after_collect) { roundtrip_family("power"); }
