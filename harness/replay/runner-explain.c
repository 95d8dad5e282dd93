/* SPDX-License-Identifier: MIT */
/* Running explain inside a scenario's testbed: as a program under
 * umockdev's preload (gd_testbed_run_fd()), or, when this process was
 * started with the preload, in this process with UMOCKDEV_DIR pointed at
 * the testbed (README, Design: "Replay keeps a testbed per worker"). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/macro.h"
#include "base/strv.h"
#include "config.h"
#include "replay/runner-internal.h"
#include "replay/scenario.h"
#include "replay/testbed.h"

/* Cap on what the replayed explain may print. */
#define EXPLAIN_OUTPUT_MAX (16u * 1024u * 1024u)

int gd_testbed_run_fd(const struct gd_testbed *t, const char *self, char *const argv[], int out_fd, int err_fd) {
        _cleanup_strv_free_ char **env = NULL;
        int r, status;
        pid_t pid;

        r = gd_testbed_exec_env(t, &env);
        if (r < 0)
                return r;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);

                if (null >= 0)
                        (void) dup2(null, STDIN_FILENO);
                (void) dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
                (void) dup2(err_fd >= 0 ? err_fd : null, STDERR_FILENO);
                execve(self, argv, env);
                dprintf(STDERR_FILENO, "cannot run %s: %s\n", self, strerror(errno));
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return status;
}

/* The whole content of a memfd, NUL-terminated. */
static int memfd_slurp(int fd, char **ret) {
        struct stat st;
        char *buf;
        ssize_t n;

        if (fstat(fd, &st) < 0)
                return -errno;
        if ((size_t) st.st_size > EXPLAIN_OUTPUT_MAX)
                return -EFBIG;
        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        n = pread(fd, buf, (size_t) st.st_size, 0);
        if (n < 0) {
                free(buf);
                return -errno;
        }
        buf[n] = '\0';
        *ret = buf;
        return 0;
}

static int (*explain_here)(void);

bool gd_scenario_explain_in_process(int (*explain_json)(void)) {
        /* RTLD_NOLOAD: only asks whether the library is in the process. */
        void *h = dlopen(UMOCKDEV_PRELOAD, RTLD_LAZY | RTLD_NOLOAD);

        if (!h)
                return false;
        dlclose(h);
        explain_here = explain_json;
        return explain_here != NULL;
}

/* Moves fd onto target, returning a copy of target's old descriptor. */
static int redirect(int fd, int target) {
        int saved = fcntl(target, F_DUPFD_CLOEXEC, 3);

        if (saved < 0 || dup2(fd, target) < 0) {
                int r = -errno;
                if (saved >= 0)
                        close(saved);
                return r;
        }
        return saved;
}

/* explain in this process, in the testbed: what the exec below does, less
 * the exec, the dynamic loading and libpci's pci.ids parse. */
static int run_explain_here(const struct gd_testbed *t, int out, int err, int *ret_status) {
        int saved_out, saved_err, code, cwd;

        fflush(NULL);
        saved_out = redirect(out, STDOUT_FILENO);
        if (saved_out < 0)
                return saved_out;
        saved_err = redirect(err, STDERR_FILENO);
        if (saved_err < 0) {
                (void) dup2(saved_out, STDOUT_FILENO);
                close(saved_out);
                return saved_err;
        }
        /* The preload prefixes UMOCKDEV_DIR to every /sys path; "." from
         * inside the testbed makes each lookup start there, instead of
         * walking the whole /proc/self/root/dev/shm/... prefix every time
         * (path walks were most of a scenario's time). */
        cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cwd < 0 || chdir(gd_testbed_root(t)) < 0 || setenv("UMOCKDEV_DIR", ".", 1) < 0 ||
            setenv("GPUDIAG_CONFIG_ROOT", gd_testbed_config_root(t), 1) < 0 || setenv("GPUDIAG_REPLAY", "1", 1) < 0 ||
            (gd_testbed_origin(t) && setenv("GPUDIAG_BUNDLE_ORIGIN", gd_testbed_origin(t), 1) < 0))
                code = 3;
        else
                code = explain_here();
        fflush(NULL);
        if (cwd >= 0) {
                if (fchdir(cwd) < 0)
                        code = 3;
                close(cwd);
        }
        /* Paths under /sys and /dev are this host's again. */
        unsetenv("UMOCKDEV_DIR");
        unsetenv("GPUDIAG_CONFIG_ROOT");
        unsetenv("GPUDIAG_REPLAY");
        unsetenv("GPUDIAG_BUNDLE_ORIGIN");
        (void) dup2(saved_out, STDOUT_FILENO);
        (void) dup2(saved_err, STDERR_FILENO);
        close(saved_out);
        close(saved_err);
        *ret_status = W_EXITCODE(code & 0xff, 0);
        return 0;
}

/* stdout and stderr go to memory files, so neither can fill a pipe while
 * we wait. */
int runner_run_explain(const struct gd_testbed *t, const char *self, char **ret_out, char **ret_err, int *ret_status) {
        char *argv[] = { (char *) "gpudiag", (char *) "explain", (char *) "--format", (char *) "json", NULL };
        _cleanup_close_ int out = memfd_create("explain-out", MFD_CLOEXEC);
        _cleanup_close_ int err = memfd_create("explain-err", MFD_CLOEXEC);
        _cleanup_free_ char *o = NULL;
        int status, r;

        if (out < 0 || err < 0)
                return -errno;
        if (explain_here) {
                r = run_explain_here(t, out, err, &status);
                if (r < 0)
                        return r;
        } else {
                status = gd_testbed_run_fd(t, self, argv, out, err);
                if (status < 0)
                        return status;
        }
        if ((r = memfd_slurp(out, &o)) < 0 || (r = memfd_slurp(err, ret_err)) < 0)
                return r;
        *ret_out = TAKE_PTR(o);
        *ret_status = status;
        return 0;
}
