/* SPDX-License-Identifier: MIT */
/* gpudiag replay: run fault-injection scenarios (doc/scenario-format.md)
 * against bundles and print TAP (and, with --junit, JUnit XML).
 *
 * Each scenario runs in a umockdev testbed with this program's own
 * `explain --format json` (replay/runner.c), in a child process of its own
 * that sends its result back over a pipe.  With -j N, N children run at
 * once; the parent prints results in file order as they become ready. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/cleanup-on-signal.h"
#include "base/input-file.h"
#include "base/strv.h"
#include "cli.h"
#include "host/pci.h"
#include "config.h"
#if HAVE_REPLAY
#include "report/replay-report.h"
#include "cli/replay-run.h"
#include "replay/scenario.h"
#include "replay/testbed.h"
#include "report/progress.h"
#endif

static void usage(void) {
        printf("Usage: %s replay [OPTIONS] PATH...\n\n"
               "Run fault-injection scenarios: each rebuilds a host from a bundle in a umockdev\n"
               "testbed, applies its faults, runs 'explain' there and checks the verdicts and\n"
               "findings it expects.  A PATH is a scenario file or a directory searched for\n"
               "*.yaml (recursively, in sorted order).  Prints TAP version 13.\n\n"
               "  -j, --jobs N        run N scenarios in parallel (default 1)\n"
               "      --junit FILE    also write JUnit XML to FILE\n"
               "      --timeout S     fail a scenario that runs longer than S seconds (default 120)\n"
               "  -v, --verbose       details for passing scenarios too\n"
               "  -h, --help          show this help\n\n"
               "Exit status: 0 every scenario passed, 1 a scenario failed or could not run,\n"
               "2 usage error, or a scenario or its base bundle is malformed.\n", cli_program());
}

#if HAVE_REPLAY

static bool is_scenario_name(const char *n) {
        size_t l = strlen(n);
        return n[0] != '.' && ((l > 5 && streq(n + l - 5, ".yaml")) || (l > 4 && streq(n + l - 4, ".yml")));
}

static int scan(const char *path, char ***list) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        struct stat st;

        if (stat(path, &st) < 0)
                return -errno;
        /* A FIFO named here would block the scenario's open(). */
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
                return -EINVAL;
        if (!S_ISDIR(st.st_mode))
                return strv_push_dup(list, path);
        d = opendir(path);
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                _cleanup_free_ char *p = NULL;
                int r;

                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&p, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", de->d_name) < 0)
                        return -ENOMEM;
                if (stat(p, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode))
                        r = scan(p, list);
                else if (S_ISREG(st.st_mode) && is_scenario_name(de->d_name))
                        r = strv_consume(list, TAKE_PTR(p));
                else
                        r = 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int cmd_replay(int argc, char **argv) {
        static const struct option longopts[] = {
                { "jobs",    required_argument, NULL, 'j' },
                { "junit",   required_argument, NULL, 'J' },
                { "timeout", required_argument, NULL, 'T' },
                { "verbose", no_argument,       NULL, 'v' },
                { "help",    no_argument,       NULL, 'h' },
                {}
        };
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_free_ bool *done = NULL;
        _cleanup_free_ char *run_tmp = NULL;
        const char *junit = NULL;
        struct replay_report *report = NULL;
        struct gd_scenario_result *results;
        struct run run;
        bool verbose = false;
        long jobs = 1;
        char self[PATH_MAX], *end;
        ssize_t n;
        double t0;
        int c, r, rc;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+j:vh", longopts, NULL)) != -1) {
                switch (c) {
                case 'j':
                        errno = 0;
                        jobs = strtol(optarg, &end, 10);
                        if (errno || *end || jobs < 1 || jobs > 256) {
                                cli_error("replay: -j needs a number from 1 to 256, not '%s'", optarg);
                                return GD_EXIT_USAGE;
                        }
                        break;
                case 'J': junit = optarg; break;
                case 'T':
                        errno = 0;
                        replay_timeout_s = strtod(optarg, &end);
                        if (errno || *end || !(replay_timeout_s > 0 && replay_timeout_s <= 86400)) {
                                cli_error("replay: --timeout needs a number of seconds above 0, not '%s'", optarg);
                                return GD_EXIT_USAGE;
                        }
                        break;
                case 'v': verbose = true; break;
                case 'h': usage(); return GD_EXIT_OK;
                default:
                        cli_error("replay: unknown or incomplete option '%s' (see '%s replay --help')",
                                  argv[optind - 1], cli_program());
                        return GD_EXIT_USAGE;
                }
        }
        if (optind >= argc) {
                cli_error("replay: no scenario file or directory given (see '%s replay --help')", cli_program());
                return GD_EXIT_USAGE;
        }
        paths = calloc(1, sizeof(char *));
        if (!paths)
                return GD_EXIT_HOST;
        for (int i = optind; i < argc; i++) {
                char **part = calloc(1, sizeof(char *));

                if (!part)
                        return GD_EXIT_HOST;
                r = scan(argv[i], &part);
                if (r < 0) {
                        const char *kind = r == -EINVAL ? input_file_kind(argv[i]) : NULL;

                        strv_free(part);
                        if (kind)
                                cli_error("replay: %s: %s, not a scenario file or directory", argv[i], kind);
                        else
                                cli_error("replay: %s: %s", argv[i], strerror(-r));
                        return GD_EXIT_USAGE;
                }
                qsort(part, strv_length(part), sizeof(char *), cmp_str);
                for (size_t k = 0; part[k]; k++)
                        if (strv_consume(&paths, TAKE_PTR(part[k])) < 0) {
                                strv_free(part);
                                return GD_EXIT_HOST;
                        }
                strv_free(part);
        }

        n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n < 0) {
                cli_error("cannot find this program's path: %s", strerror(errno));
                return GD_EXIT_HOST;
        }
        self[n] = '\0';

        /* Scenarios run explain in their own process when the preload is
         * there from the start: a fifth of the time of an exec per scenario
         * (no dynamic loading, no pci.ids parse, no preload start-up). */
        if (!getenv(GD_PRELOADED_ENV))
                cli_reexec_with_preload();
        else
                unsetenv(GD_PRELOADED_ENV);
        if (gd_scenario_explain_in_process(replay_explain_json))
                gd_pci_names_load();

        run = (struct run) { .paths = paths, .n = strv_length(paths) };
        results = calloc(run.n + 1, sizeof(*results));
        done = calloc(run.n + 1, sizeof(bool));
        if (!results || !done) {
                free(results);
                return GD_EXIT_HOST;
        }
        report = replay_report_new(stdout, run.n, verbose);
        if (!report) {
                free(results);
                return GD_EXIT_HOST;
        }
        run.results = results;
        run.done = done;
        run.report = report;

        /* Every scenario creates and removes a testbed of a few hundred small
         * files; on a disk-backed /tmp that file churn costs more than the
         * diagnosis, so prefer tmpfs unless the caller chose a TMPDIR.  The
         * testbeds go into a directory of this run, removed at the end, so
         * that a killed scenario leaves nothing behind. */
        {
                const char *tmp = getenv("TMPDIR");

                /* One testbed per -j slot, a few MiB each.  This process
                 * has umockdev's preload loaded (see above), which checks every
                 * /dev path it sees: reach /dev/shm by a path outside /dev. */
                if (!tmp || !*tmp) {
                        tmp = gd_testbed_default_dir(32ull << 20);
                        if (streq(tmp, "/dev/shm") && access("/proc/self/root/dev/shm", W_OK | X_OK) == 0)
                                tmp = "/proc/self/root/dev/shm";
                }
                (void) signal_cleanup_sweep(tmp, "gpudiag-replay-");
                if (asprintf(&run_tmp, "%s/gpudiag-replay-%d-XXXXXX", tmp, (int) getpid()) < 0 || !mkdtemp(run_tmp) ||
                    signal_cleanup_add_dir(run_tmp) < 0) {
                        cli_error("replay: cannot create a directory in %s: %s", tmp, strerror(errno));
                        replay_report_free(report);
                        free(results);
                        return GD_EXIT_HOST;
                }
                setenv("TMPDIR", run_tmp, 1);
        }
        signal(SIGPIPE, SIG_IGN);
        t0 = replay_now();
        /* The TAP lines are progress enough on a terminal; the line is for
         * a run whose results go to a file or a pipe. */
        if (!isatty(STDOUT_FILENO)) {
                run.progress = gd_progress_begin("replay", "running scenarios");
                gd_progress_count(run.progress, 0, run.n, "scenarios");
        }
        r = run.n > 0 ? replay_run_all(&run, self, (size_t) jobs < run.n ? (size_t) jobs : run.n) : 0;
        run.progress = gd_progress_end(run.progress);
        for (size_t i = 0; run.bases && i < run.n; i++)
                free(run.bases[i]);
        free(run.bases);
        if (r < 0) {
                /* Whatever did not finish is a failure, never a silent pass. */
                for (size_t i = 0; i < run.n; i++)
                        if (!run.done[i]) {
                                results[i] = (struct gd_scenario_result) {
                                        .error = true, .message = strdup("not run: the replay runner failed") };
                                run.done[i] = true;
                        }
                replay_flush_done(&run);
                cli_error("replay: %s", strerror(-r));
        }
        (void) gd_testbed_remove_dir(run_tmp, false);
        signal_cleanup_remove_dir(run_tmp);
        rc = replay_report_finish(report, replay_now() - t0);
        if (junit) {
                FILE *jf = fopen(junit, "we");
                int jr = jf ? replay_report_junit(jf, results, run.n) : -errno;

                if (jf && fclose(jf) != 0 && jr == 0)
                        jr = -errno;
                if (jr < 0) {
                        cli_error("replay: cannot write %s: %s", junit, strerror(-jr));
                        rc = GD_EXIT_USAGE;
                }
        }
        replay_report_free(report);
        for (size_t i = 0; i < run.n; i++)
                gd_scenario_result_clear(&results[i]);
        free(results);
        return rc;
}

#else

int cmd_replay(int argc, char **argv) {
        for (int i = 1; i < argc; i++)
                if (streq(argv[i], "-h") || streq(argv[i], "--help")) {
                        usage();
                        return GD_EXIT_OK;
                }
        cli_error("replay needs umockdev, and this gpudiag was built without it");
        return GD_EXIT_USAGE;
}

#endif
