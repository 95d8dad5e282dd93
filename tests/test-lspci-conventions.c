/* SPDX-License-Identifier: MIT */
/* Where gpudiag speaks like lspci it behaves like lspci: -s takes every
 * form lspci -s takes, for explain as for groups, and a reader that closes
 * the pipe ends gpudiag as it ends lspci (SIGPIPE, nothing on stderr), also
 * when the command runs again inside a bundle's testbed. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <libfyaml.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "config.h"
#include "run-program.h"
#include "testbed-run.h"

/* The addresses of the GPUs explain --format json reports, comma-separated. */
static int explain_gpus(const char *bundle, const char *slot, char *buf, size_t size, char **ret_err) {
        char *args[] = { (char *) "explain", (char *) "--bundle", (char *) bundle, (char *) "--format", (char *) "json",
                         (char *) "-s", (char *) slot, NULL };
        _cleanup_free_ char *out = NULL;
        int rc = run_gpudiag_args(args, &out, ret_err);
        struct fy_document *doc;
        struct fy_node *it;
        void *iter = NULL;

        buf[0] = '\0';
        if (rc >= 2)
                return rc;
        doc = fy_document_build_from_string(NULL, out, FY_NT);
        cr_assert_not_null(doc, "%s", out);
        while ((it = fy_node_sequence_iterate(fy_node_by_path(fy_document_root(doc), "/gpus", FY_NT,
                                                               FYNWF_DONT_FOLLOW), &iter))) {
                size_t len;
                const char *a = fy_node_get_scalar(fy_node_by_path(it, "address", FY_NT, FYNWF_DONT_FOLLOW), &len);
                snprintf(buf + strlen(buf), size - strlen(buf), "%s%.*s", *buf ? "," : "", (int) len, a);
        }
        fy_document_destroy(doc);
        return rc;
}

struct slot_case { char slot[24]; char gpus[64]; };

/* synthetic-nvidia-tu102-isolated: the TU102 at 0000:01:00.0-3, the iGPU at
 * 0000:00:02.0.  Each form is one lspci(8) documents for -s:
 * [[[[<domain>]:]<bus>]:][<device>][.[<func>]], hex, fields may be left out. */
static struct slot_case slot_cases[] = {
        { "0000:01:00.0", "0000:01:00.0" },
        { "01:00.0", "0000:01:00.0" },
        { "1:0.1", "0000:01:00.0" },     /* a non-display function names its card */
        { "01:00", "0000:01:00.0" },
        { "1:0", "0000:01:00.0" },
        { "0:1:0.3", "0000:01:00.0" },
        { "00:02.0", "0000:00:02.0" },
        { "0:2", "0000:00:02.0" },
        { "2.0", "0000:00:02.0" },       /* no bus: any bus */
        { ".0", "0000:00:02.0,0000:01:00.0" },
        { "*:*.0", "0000:00:02.0,0000:01:00.0" },
};

ParameterizedTestParameters(slot, explain_takes_every_form_lspci_takes) {
        return cr_make_param_array(struct slot_case, slot_cases, ELEMENTSOF(slot_cases));
}

ParameterizedTest(struct slot_case *c, slot, explain_takes_every_form_lspci_takes) {
        _cleanup_free_ char *bundle = snapshot_path("synthetic-nvidia-tu102-isolated.yaml"), *err = NULL;
        char got[256];
        int rc = explain_gpus(bundle, c->slot, got, sizeof(got), &err);

        cr_assert(rc == 0 || rc == 1, "-s %s: exit %d: %s", c->slot, rc, err);
        cr_assert_str_eq(got, c->gpus, "-s %s", c->slot);
}

Test(slot, explain_matches_the_devices_lspci_matches) {
        /* The same -s, given to lspci on the same testbed: every card
         * explain reports has a function lspci lists. */
        _cleanup_free_ char *path = snapshot_path("synthetic-nvidia-tu102-isolated.yaml");
        _cleanup_testbed_ struct gd_testbed *t = testbed_from_file(path);

        for (size_t i = 0; i < ELEMENTSOF(slot_cases); i++) {
                char *largv[] = { (char *) LSPCI_PATH, (char *) "-D", (char *) "-s", slot_cases[i].slot, NULL };
                _cleanup_free_ char *out = NULL;
                int status;

                cr_assert_eq(testbed_run(t, largv, &out, NULL, &status), 0);
                cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "lspci -s %s", slot_cases[i].slot);
                for (const char *g = slot_cases[i].gpus; *g; g += strcspn(g, ",") + (g[strcspn(g, ",")] ? 1 : 0)) {
                        char slot_prefix[16];
                        snprintf(slot_prefix, sizeof(slot_prefix), "%.10s", g);   /* dddd:bb:ss. */
                        cr_assert_not_null(strstr(out, slot_prefix), "lspci -s %s lists no function of %s:\n%s",
                                           slot_cases[i].slot, slot_prefix, out);
                }
        }
}

Test(slot, a_slot_without_a_gpu_or_a_malformed_one_is_a_usage_error) {
        _cleanup_free_ char *bundle = snapshot_path("synthetic-nvidia-tu102-isolated.yaml");
        const char *bad[] = { "05:00", "1:2:3:4", "100:0", "0:20", "0.8", "xyz" };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *err = NULL;
                char got[256];
                int rc = explain_gpus(bundle, bad[i], got, sizeof(got), &err);

                cr_assert_eq(rc, 2, "-s %s: exit %d", bad[i], rc);
                cr_assert_not_null(strstr(err, bad[i]), "-s %s: the message does not name it: %s", bad[i], err);
        }
}

/* Runs argv with stdout a pipe whose reading end is already closed (the
 * reader went away, as `head` does after its lines); returns the status. */
static int run_into_closed_pipe(char *const argv[], char **ret_err) {
        char err_tmpl[] = "/tmp/gd-pipe-err-XXXXXX";
        int p[2], err_fd = mkstemp(err_tmpl), status;
        posix_spawn_file_actions_t fa;
        size_t len;
        pid_t pid;

        cr_assert(err_fd >= 0);
        cr_assert_eq(pipe(p), 0);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
        posix_spawn_file_actions_addclose(&fa, p[0]);
        close(p[0]);
        cr_assert_eq(posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ), 0);
        posix_spawn_file_actions_destroy(&fa);
        close(p[1]);
        close(err_fd);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert_eq(read_file_capped(err_tmpl, 1 << 20, ret_err, &len), 0);
        unlink(err_tmpl);
        return status;
}

static void assert_ends_like_lspci(char *const argv[]) {
        char *largv[] = { (char *) LSPCI_PATH, NULL };
        _cleanup_free_ char *err = NULL, *lerr = NULL;
        int status = run_into_closed_pipe(argv, &err), lstatus = run_into_closed_pipe(largv, &lerr);

        /* lspci leaves SIGPIPE at its default: the shell sees 141. */
        cr_assert(WIFSIGNALED(lstatus) && WTERMSIG(lstatus) == SIGPIPE, "lspci: status %d", lstatus);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE, "%s %s: status %d, stderr: %s", argv[1],
                  argv[2] ? argv[2] : "", status, err);
        cr_assert_str_empty(err, "%s: %s", argv[1], err);
}

Test(pipe, groups_ends_quietly_when_the_reader_closes_the_pipe) {
        char *argv[] = { (char *) gpudiag_binary(), (char *) "groups", NULL };
        assert_ends_like_lspci(argv);
}

Test(pipe, a_replayed_command_ends_as_quietly_as_a_live_one) {
        _cleanup_free_ char *bundle = snapshot_path("synthetic-amd-x570-navi10-shared.yaml");
        char *groups[] = { (char *) gpudiag_binary(), (char *) "groups", (char *) "--bundle", bundle, NULL };
        char *explain[] = { (char *) gpudiag_binary(), (char *) "explain", (char *) "--bundle", bundle, NULL };
        char *dot[] = { (char *) gpudiag_binary(), (char *) "groups", (char *) "--bundle", bundle, (char *) "--format",
                        (char *) "dot", NULL };

        assert_ends_like_lspci(groups);
        assert_ends_like_lspci(explain);
        assert_ends_like_lspci(dot);
}

Test(revision, a_paste_without_revisions_imports_devices_without_rev_ff) {
        /* The ls-iommu table shows no revisions; lspci on the imported
         * testbed reads 0xff from config space that is not there. */
        _cleanup_free_ char *paste = source_path("fixtures/import/groups-ls-iommu.txt"), *err = NULL, *out = NULL;
        _cleanup_free_ char *lout = NULL, *gerr = NULL;
        char bundle[] = "/tmp/gd-rev-XXXXXX.yaml";
        char *import[] = { (char *) "import", paste, (char *) "-o", bundle, NULL };
        char *groups[] = { (char *) "groups", (char *) "--bundle", bundle, NULL };
        char *largv[] = { (char *) LSPCI_PATH, (char *) "-nn", (char *) "-D", NULL };
        int fd = mkstemps(bundle, 5), status;

        cr_assert(fd >= 0);
        close(fd);
        cr_assert_eq(run_gpudiag_args(import, NULL, &err), 0, "%s", err);
        {
                _cleanup_testbed_ struct gd_testbed *t = testbed_from_file(bundle);
                cr_assert_eq(testbed_run(t, largv, &lout, NULL, &status), 0);
        }
        cr_assert_eq(run_gpudiag_args(groups, &out, &gerr), 0, "%s", gerr);
        unlink(bundle);
        cr_assert_not_null(strstr(lout, "(rev ff)"), "lspci shows revisions the paste had:\n%s", lout);
        cr_assert_null(strstr(out, "(rev ff)"), "%s", out);
        cr_assert_null(strstr(out, "(rev "), "a revision the paste did not show:\n%s", out);
}
