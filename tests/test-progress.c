/* SPDX-License-Identifier: MIT */
/* The progress line: drawn on stderr when it is a terminal, erased before
 * anything else is written there, and never written into a pipe, onto a
 * dumb terminal, or for work quicker than a second.  The commands run on a
 * pseudo-terminal (forkpty) as a person's shell would run them;
 * GPUDIAG_PROGRESS_DELAY_MS=0 makes the line appear however quick the work. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/macro.h"
#include "run-program.h"
#include "testbed-run.h"

#define ERASE "\r\033[K"

/* Runs gpudiag ARGS on a new pseudo-terminal with TERM=term and the delay
 * set (NULL: unset); stdout goes to stdout_path when given.  Returns what
 * the terminal showed; *ret_status as waitpid() gives it. */
static char *run_on_pty(char *const args[], const char *term, const char *delay, const char *stdout_path,
                        int *ret_status) {
        char *argv[32] = { (char *) gpudiag_binary() }, *buf = NULL;
        size_t n = 1, len = 0;
        int master, status;
        pid_t pid;

        for (; args[n - 1] && n < ELEMENTSOF(argv) - 1; n++)
                argv[n] = args[n - 1];
        argv[n] = NULL;
        pid = forkpty(&master, NULL, NULL, NULL);
        cr_assert_geq(pid, 0, "forkpty: %s", strerror(errno));
        if (pid == 0) {
                if (stdout_path) {
                        int fd = open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
                        if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
                                _exit(127);
                }
                setenv("TERM", term, 1);
                if (delay)
                        setenv("GPUDIAG_PROGRESS_DELAY_MS", delay, 1);
                else
                        unsetenv("GPUDIAG_PROGRESS_DELAY_MS");
                execv(argv[0], argv);
                _exit(127);
        }
        for (;;) {
                char chunk[4096];
                ssize_t r = read(master, chunk, sizeof(chunk));
                char *nb;

                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;  /* EIO once the child closed its side */
                nb = realloc(buf, len + (size_t) r + 1);
                cr_assert_not_null(nb);
                buf = nb;
                memcpy(buf + len, chunk, (size_t) r);
                len += (size_t) r;
                buf[len] = '\0';
        }
        close(master);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        *ret_status = status;
        return buf ? buf : strdup("");
}

static char *import_args_out;

static char *const *import_args(void) {
        static char *args[8];
        static char in[512], out[] = "/tmp/gd-progress-XXXXXX.yaml";
        const char *src = getenv("GPUDIAG_SRCDIR");
        int fd;

        snprintf(in, sizeof(in), "%s/fixtures/import/lspci-nnv.txt", src && *src ? src : ".");
        fd = mkstemps(out, 5);
        cr_assert(fd >= 0);
        close(fd);
        import_args_out = out;
        /* -q: no summary after the bundle is written, only the progress
         * line is looked at. */
        args[0] = (char *) "import";
        args[1] = (char *) "-q";
        args[2] = in;
        args[3] = (char *) "-o";
        args[4] = out;
        args[5] = NULL;
        return args;
}

Test(progress, import_shows_a_line_on_a_terminal_and_erases_it) {
        int status;
        _cleanup_free_ char *tty = run_on_pty(import_args(), "xterm", "0", NULL, &status);

        unlink(import_args_out);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", tty);
        cr_assert_not_null(strstr(tty, ERASE "gpudiag import: "), "no progress line: %s", tty);
        cr_assert_not_null(strstr(tty, "lspci-nnv.txt"));
        /* The terminal is left clean: the last thing written erases it. */
        cr_assert(endswith(tty, ERASE), "the line was not erased: %s", tty);
}

Test(progress, nothing_goes_into_a_pipe) {
        char *const *args = import_args();
        char *argv[8] = { (char *) gpudiag_binary() };
        _cleanup_free_ char *out = NULL, *err = NULL;
        int status;

        for (size_t i = 0; args[i]; i++)
                argv[i + 1] = args[i];
        setenv("GPUDIAG_PROGRESS_DELAY_MS", "0", 1);
        setenv("TERM", "xterm", 1);
        cr_assert_eq(run_program(argv, NULL, &out, &err, &status), 0);
        unsetenv("GPUDIAG_PROGRESS_DELAY_MS");
        unlink(import_args_out);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", err);
        cr_assert_str_empty(err, "stderr is a pipe, yet: %s", err);
}

Test(progress, a_dumb_terminal_gets_no_line) {
        int status;
        _cleanup_free_ char *tty = run_on_pty(import_args(), "dumb", "0", NULL, &status);

        unlink(import_args_out);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", tty);
        cr_assert_null(strstr(tty, "gpudiag import:"), "%s", tty);
}

Test(progress, work_quicker_than_a_second_shows_nothing) {
        int status;
        /* The default delay: importing a 60-line paste takes milliseconds. */
        _cleanup_free_ char *tty = run_on_pty(import_args(), "xterm", NULL, NULL, &status);

        unlink(import_args_out);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", tty);
        cr_assert_str_empty(tty, "%s", tty);
}

Test(progress, a_bundle_loads_with_a_line_erased_before_the_report) {
        _cleanup_free_ char *bundle = snapshot_path("synthetic-nvidia-tu102-isolated.yaml");
        char *args[] = { (char *) "explain", (char *) "--bundle", bundle, NULL };
        int status;
        _cleanup_free_ char *tty = run_on_pty(args, "xterm", "0", NULL, &status);
        const char *line = strstr(tty, "gpudiag explain: loading the bundle");
        const char *report = strstr(tty, "0000:00:02.0  [8086:3e98]");

        cr_assert(WIFEXITED(status), "%s", tty);
        cr_assert_not_null(line, "%s", tty);
        cr_assert_not_null(report, "%s", tty);
        /* Erased before the command inside the testbed printed its report. */
        cr_assert_not_null(strstr(line, ERASE), "%s", tty);
        cr_assert_lt(strstr(line, ERASE), report, "%s", tty);
}

Test(progress, replay_counts_scenarios_when_its_results_go_to_a_file) {
        _cleanup_free_ char *dir = source_path("scenarios/iommu"), *tap = NULL;
        char out[] = "/tmp/gd-progress-tap-XXXXXX";
        char *args[] = { (char *) "replay", dir, NULL };
        char want[64];
        int status, fd = mkstemp(out);
        unsigned plan = 0;
        _cleanup_free_ char *tty = NULL;
        FILE *f;

        cr_assert(fd >= 0);
        close(fd);
        tty = run_on_pty(args, "xterm", "0", out, &status);
        f = fopen(out, "r");
        cr_assert_not_null(f);
        cr_assert_eq(fscanf(f, "TAP version 13\n1..%u", &plan), 1, "no TAP plan in %s", out);
        fclose(f);
        unlink(out);
        cr_assert_gt(plan, 0);
        snprintf(want, sizeof(want), "/%u scenarios", plan);
        cr_assert_not_null(strstr(tty, "gpudiag replay: running scenarios, "), "%s", tty);
        cr_assert_not_null(strstr(tty, want), "no '%s' in: %s", want, tty);
        cr_assert(endswith(tty, ERASE), "%s", tty);
        (void) tap;
}

Test(progress, collect_shows_what_it_is_doing) {
        char out[] = "/tmp/gd-progress-collect-XXXXXX.yaml";
        char *args[] = { (char *) "collect", (char *) "-q", (char *) "-o", out, NULL };
        int status, fd = mkstemps(out, 5);
        _cleanup_free_ char *tty = NULL;

        cr_assert(fd >= 0);
        close(fd);
        unlink(out);
        tty = run_on_pty(args, "xterm", "0", NULL, &status);
        unlink(out);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", tty);
        cr_assert_not_null(strstr(tty, "gpudiag collect: "), "%s", tty);
        cr_assert(endswith(tty, ERASE), "%s", tty);
}
