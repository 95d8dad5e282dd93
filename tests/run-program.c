/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "run-program.h"
#include "testbed-run.h"

static char *slurp_fd(int fd) {
        char *buf = NULL;
        size_t len = 0;
        char chunk[65536];
        ssize_t n;

        lseek(fd, 0, SEEK_SET);
        while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
                char *nb = realloc(buf, len + (size_t) n + 1);
                if (!nb)
                        break;
                buf = nb;
                memcpy(buf + len, chunk, (size_t) n);
                len += (size_t) n;
        }
        if (!buf)
                buf = calloc(1, 1);
        else
                buf[len] = '\0';
        return buf;
}

int run_program(char *const argv[], const char *input_path, char **ret_out, char **ret_err, int *ret_status) {
        char out_tmpl[] = "/tmp/gd-run-out-XXXXXX", err_tmpl[] = "/tmp/gd-run-err-XXXXXX";
        int out_fd = mkstemp(out_tmpl), err_fd = mkstemp(err_tmpl), status, r;
        posix_spawn_file_actions_t fa;
        pid_t pid;

        if (out_fd < 0 || err_fd < 0)
                return -errno;
        unlink(out_tmpl);
        unlink(err_tmpl);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, input_path ? input_path : "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
        /* Nothing else of the Criterion worker's: Chromium leaves helper
         * processes behind for a moment, and with the worker's socket
         * to the runner they kept it open past the test's end. */
        posix_spawn_file_actions_addclosefrom_np(&fa, 3);
        r = -posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r == 0) {
                while (waitpid(pid, &status, 0) < 0)
                        if (errno != EINTR) {
                                r = -errno;
                                break;
                        }
        }
        if (r == 0) {
                if (ret_out)
                        *ret_out = slurp_fd(out_fd);
                if (ret_err)
                        *ret_err = slurp_fd(err_fd);
                if (ret_status)
                        *ret_status = status;
        }
        close(out_fd);
        close(err_fd);
        return r;
}

int run_gpudiag_args(char *const args[], char **ret_out, char **ret_err) {
        char *argv[64] = { (char *) gpudiag_binary() };
        size_t n = 1;
        int status;

        for (; args[n - 1] && n < ELEMENTSOF(argv) - 1; n++)
                argv[n] = args[n - 1];
        argv[n] = NULL;
        cr_assert_eq(run_program(argv, NULL, ret_out, ret_err, &status), 0, "cannot run %s", argv[0]);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool tool_available(const char *name) {
        const char *path = getenv("PATH");
        _cleanup_free_ char *copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");

        for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", dir, name) >= 0 && access(p, X_OK) == 0)
                        return true;
        }
        return false;
}

void require_tool(const char *name, const char *package) {
        const char *req = getenv("GPUDIAG_REQUIRE_TEST_TOOLS");

        if (tool_available(name))
                return;
        if (req && streq(req, "1"))
                cr_assert_fail("%s is not installed (Debian package %s; make check installs it)", name, package);
        cr_skip_test("%s is not installed (Debian package %s)", name, package);
}

char *write_temp(const char *text, const char *suffix) {
        char *path = NULL;
        int fd;

        cr_assert(asprintf(&path, "/tmp/gd-test-XXXXXX%s", suffix) >= 0);
        fd = mkstemps(path, (int) strlen(suffix));
        cr_assert(fd >= 0);
        cr_assert_eq(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
        return path;
}

char *source_path(const char *relative) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        char *p;

        cr_assert(asprintf(&p, "%s/%s", src && *src ? src : ".", relative) >= 0);
        return p;
}
