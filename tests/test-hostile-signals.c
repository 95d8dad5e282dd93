/* SPDX-License-Identifier: MIT */
/* Ctrl-C, SIGTERM or a closed terminal leave no testbed, replay directory
 * or child process behind, and a later run removes what a SIGKILL left.
 *
 * The signal is sent while the directory exists for sure: the test stops
 * gpudiag (SIGSTOP) as soon as the directory appears in its TMPDIR, sends
 * the signal, and lets it go on (SIGCONT), so the handler runs with the
 * testbed half written or the scenarios running. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "hostile.h"
#include "testbed-run.h"

static char *scratch, *tmpdir;

static void setup(void) {
        scratch = scratch_dir("signals");
        tmpdir = path_join(scratch, "tmp");
        cr_assert_eq(mkdir(tmpdir, 0755), 0);
        /* Orphans come back to this process, so none can hide. */
        cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
}

static void teardown(void) {
        scratch_remove(scratch);
        free(scratch);
        free(tmpdir);
}

TestSuite(hostile_signals, .init = setup, .fini = teardown, .timeout = 120);

/* A host of n devices, each in its own group: its testbed takes a while
 * to write. */
static char *big_bundle(size_t n) {
        char *text = NULL, *path;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        cr_assert_not_null(f);
        fputs("format: gpudiag-bundle/1\numockdev: |\n", f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "  P: /devices/pci0000:%02zx/0000:%02zx:%02zx.0\n  E: SUBSYSTEM=pci\n  A: vendor=0x10de\\n\n"
                        "  A: device=0x2204\\n\n  A: class=0x030000\\n\n  A: irq=16\\n\n"
                        "  A: resource=0x00000000de000000 0x00000000deffffff 0x0000000000040200\\n\n\n",
                        i >> 5, i >> 5, i & 0x1f);
        fputs("iommu_groups:\n", f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "  - {group: %zu, devices: [0000:%02zx:%02zx.0]}\n", i, i >> 5, i & 0x1f);
        cr_assert_eq(fclose(f), 0);
        path = spew(scratch, "big.yaml", text, len);
        free(text);
        return path;
}

/* The entries of tmpdir whose name starts with prefix. */
static size_t entries(const char *prefix) {
        _cleanup_closedir_ DIR *d = opendir(tmpdir);
        struct dirent *de;
        size_t n = 0;

        cr_assert_not_null(d);
        while ((de = readdir(d)))
                n += startswith(de->d_name, prefix);
        return n;
}

static pid_t start(const char *const *args) {
        char *argv[16] = { (char *) gpudiag_binary() }, *env_tmp = NULL;
        char **env = NULL;
        size_t n_env = 0;
        posix_spawnattr_t attr;
        posix_spawn_file_actions_t fa;
        sigset_t none, fatal;
        pid_t pid;

        for (size_t i = 0; args[i]; i++)
                argv[i + 1] = (char *) args[i];
        for (char **e = environ; *e; e++)
                n_env++;
        env = calloc(n_env + 2, sizeof(char *));
        cr_assert_not_null(env);
        n_env = 0;
        for (char **e = environ; *e; e++)
                if (!startswith(*e, "TMPDIR="))
                        env[n_env++] = *e;
        cr_assert(asprintf(&env_tmp, "TMPDIR=%s", tmpdir) >= 0);
        env[n_env] = env_tmp;
        /* As a shell starts a foreground command: default actions, nothing
         * blocked (a background job of a script would ignore SIGINT). */
        sigemptyset(&none);
        sigemptyset(&fatal);
        sigaddset(&fatal, SIGINT);
        sigaddset(&fatal, SIGTERM);
        sigaddset(&fatal, SIGHUP);
        posix_spawnattr_init(&attr);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
        posix_spawnattr_setsigdefault(&attr, &fatal);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        cr_assert_eq(posix_spawn(&pid, argv[0], &fa, &attr, argv, env), 0);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        free(env_tmp);
        free(env);
        return pid;
}

/* Stops pid as soon as pattern (a glob below tmpdir) matches. */
static void stop_when_there(pid_t pid, const char *pattern) {
        struct timespec ms = { .tv_nsec = 1000000 };
        _cleanup_free_ char *full = path_join(tmpdir, pattern);

        for (int i = 0; i < 60000; i++) {
                glob_t g;
                bool there = glob(full, GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;

                globfree(&g);
                if (there) {
                        cr_assert_eq(kill(pid, SIGSTOP), 0);
                        return;
                }
                cr_assert_eq(waitpid(pid, NULL, WNOHANG), 0, "gpudiag ended before it made %s", pattern);
                nanosleep(&ms, NULL);
        }
        cr_assert_fail("no %s in %s", pattern, tmpdir);
}

/* Sends sig to the stopped pid, lets it run, and checks that it died of
 * sig with nothing left: no entry, no child. */
static void signal_and_check(pid_t pid, int sig, const char *prefix) {
        struct timespec settle = { .tv_nsec = 200000000 };
        int status;
        pid_t other;

        cr_assert_eq(kill(pid, sig), 0);
        cr_assert_eq(kill(pid, SIGCONT), 0);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == sig, "gpudiag did not die of signal %d (status 0x%x)",
                  sig, status);
        cr_assert_eq(entries(prefix), 0, "%s* is left in %s after signal %d", prefix, tmpdir, sig);
        nanosleep(&settle, NULL);
        while ((other = waitpid(-1, &status, WNOHANG)) > 0)
                ;
        cr_assert(other < 0 && errno == ECHILD, "a child of gpudiag outlived it (signal %d)", sig);
}

Test(hostile_signals, int_term_and_hup_during_explain_bundle_remove_the_testbed) {
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
        _cleanup_free_ char *bundle = big_bundle(3000);

        for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
                const char *args[] = { "explain", "--bundle", bundle, NULL };
                pid_t pid = start(args);

                stop_when_there(pid, "gpudiag-testbed-*/sys/devices");
                signal_and_check(pid, sigs[i], "gpudiag-testbed-");
        }
}

/* Scenarios of one base, enough for the run to last: stopped while they
 * run, the replay directory with its slots goes, and so do the scenario
 * processes. */
Test(hostile_signals, int_term_and_hup_during_replay_remove_the_run_directory_and_its_children) {
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
        _cleanup_free_ char *scen_dir = path_join(scratch, "scenarios"), *base = NULL;

        base = src_path("fixtures/bundles/minimal.yaml");
        cr_assert_eq(mkdir(scen_dir, 0755), 0);
        for (int i = 0; i < 40; i++) {
                _cleanup_free_ char *name = NULL, *text = NULL;

                cr_assert(asprintf(&name, "s%02d.yaml", i) >= 0);
                cr_assert(asprintf(&text, "name: s%02d\nbase: %s\nfaults:\n  - device-remove: 0000:01:00.0\n"
                                   "expect:\n  findings:\n    - id: gpu.none\n", i, base) >= 0);
                free(spew(scen_dir, name, text, strlen(text)));
        }
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
                const char *args[] = { "replay", "-j", "2", scen_dir, NULL };
                pid_t pid = start(args);

                /* A scenario's process has written a slot's testbed. */
                stop_when_there(pid, "gpudiag-replay-*/slot-*/sys/devices");
                signal_and_check(pid, sigs[i], "gpudiag-replay-");
        }
}

/* What a SIGKILL left: the next run removes the directories whose process
 * is gone, and leaves those of a process still running. */
Test(hostile_signals, a_later_run_removes_what_a_killed_one_left_and_only_that) {
        _cleanup_free_ char *dead_tb = NULL, *dead_rp = NULL, *live_tb = NULL, *sub = NULL, *bundle = NULL;
        const char *args[] = { "groups", "--bundle", NULL, NULL };
        pid_t dead = fork();
        int status;

        cr_assert_geq(dead, 0);
        if (dead == 0)
                _exit(0);
        cr_assert_eq(waitpid(dead, &status, 0), dead);
        cr_assert(asprintf(&dead_tb, "%s/gpudiag-testbed-%d-AbCdEf", tmpdir, (int) dead) >= 0);
        cr_assert(asprintf(&dead_rp, "%s/gpudiag-replay-%d-AbCdEf", tmpdir, (int) dead) >= 0);
        cr_assert(asprintf(&live_tb, "%s/gpudiag-testbed-%d-LiVeOn", tmpdir, (int) getpid()) >= 0);
        cr_assert(asprintf(&sub, "%s/sys/devices", dead_tb) >= 0);
        cr_assert_eq(mkdir(dead_tb, 0755), 0);
        cr_assert_eq(mkdir(dead_rp, 0755), 0);
        cr_assert_eq(mkdir(live_tb, 0755), 0);
        {
                _cleanup_free_ char *sys = path_join(dead_tb, "sys");
                cr_assert_eq(mkdir(sys, 0755) == 0 || errno == EEXIST, true);
                cr_assert_eq(mkdir(sub, 0755) == 0 || errno == EEXIST, true);
                free(spew(sub, "vendor", "0x10de\n", 7));
                free(spew(dead_rp, "leftover", "x", 1));
        }
        bundle = src_path("fixtures/bundles/minimal.yaml");
        args[2] = bundle;
        {
                char *env[] = { NULL, NULL };
                _cleanup_free_ char *e = NULL;

                cr_assert(asprintf(&e, "TMPDIR=%s", tmpdir) >= 0);
                env[0] = e;
                cr_assert_eq(gpudiag_run(args, NULL, env, NULL, NULL), 0);
        }
        cr_assert_neq(access(dead_tb, F_OK), 0, "the testbed of a dead process was left");
        cr_assert_eq(access(live_tb, F_OK), 0, "the testbed of a live process was removed");
        cr_assert_eq(access(dead_rp, F_OK), 0, "explain swept replay directories");
        {
                _cleanup_free_ char *scen = src_path("fixtures/scenarios/runner/gpu-removed-reports-no-gpu.yaml");
                const char *rargs[] = { "replay", scen, NULL };
                char *env[] = { NULL, NULL };
                _cleanup_free_ char *e = NULL;

                cr_assert(asprintf(&e, "TMPDIR=%s", tmpdir) >= 0);
                env[0] = e;
                cr_assert_eq(gpudiag_run(rargs, NULL, env, NULL, NULL), 0);
        }
        cr_assert_neq(access(dead_rp, F_OK), 0, "the replay directory of a dead process was left");
        cr_assert_eq(access(live_tb, F_OK), 0);
}
