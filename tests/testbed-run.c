/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "testbed-run.h"

char *fixture_bundle_path(const char *name) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        char *p;

        if (asprintf(&p, "%s/fixtures/bundles/%s", src && *src ? src : ".", name) < 0)
                return NULL;
        return p;
}

extern char **environ;

struct sink {
        int fd;
        char *buf;
        size_t len;
};

static int sink_read(struct sink *s) {
        char chunk[4096];
        ssize_t n = read(s->fd, chunk, sizeof(chunk));
        char *nb;

        if (n < 0)
                return errno == EINTR ? 1 : -errno;
        if (n == 0)
                return 0;
        nb = realloc(s->buf, s->len + (size_t) n + 1);
        if (!nb)
                return -ENOMEM;
        s->buf = nb;
        memcpy(s->buf + s->len, chunk, (size_t) n);
        s->len += (size_t) n;
        s->buf[s->len] = '\0';
        return 1;
}

int testbed_run(const struct gd_testbed *t, char *const argv[], char **ret_out, char **ret_err,
                int *ret_status) {
        _cleanup_strv_free_ char **env = NULL;
        int r;

        r = gd_testbed_exec_env(t, &env);
        if (r < 0)
                return r;
        return program_run(argv, env, "/dev/null", ret_out, ret_err, ret_status);
}

static long last_maxrss_kb;

long program_last_maxrss_kb(void) {
        return last_maxrss_kb;
}

int program_run(char *const argv[], char *const envp[], const char *stdin_path, char **ret_out, char **ret_err,
                int *ret_status) {
        posix_spawn_file_actions_t fa;
        struct sink sinks[2] = { { .fd = -1 }, { .fd = -1 } };
        int out[2], err[2], r, status;
        pid_t pid;

        if (pipe2(out, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(err, O_CLOEXEC) < 0) {
                r = -errno;
                close(out[0]);
                close(out[1]);
                return r;
        }

        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, stdin_path ? stdin_path : "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
        r = -posix_spawn(&pid, argv[0], &fa, NULL, argv, envp ? envp : environ);
        posix_spawn_file_actions_destroy(&fa);
        close(out[1]);
        close(err[1]);
        if (r < 0) {
                close(out[0]);
                close(err[0]);
                return r;
        }

        sinks[0].fd = out[0];
        sinks[1].fd = err[0];
        while (sinks[0].fd >= 0 || sinks[1].fd >= 0) {
                struct pollfd p[2] = { { .fd = sinks[0].fd, .events = POLLIN }, { .fd = sinks[1].fd, .events = POLLIN } };

                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                for (int i = 0; i < 2; i++) {
                        if (sinks[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        if (sink_read(&sinks[i]) <= 0) {
                                close(sinks[i].fd);
                                sinks[i].fd = -1;
                        }
                }
        }
        for (;;) {
                struct rusage ru;

                if (wait4(pid, &status, 0, &ru) >= 0) {
                        last_maxrss_kb = ru.ru_maxrss;
                        break;
                }
                if (errno != EINTR)
                        return -errno;
        }

        for (int i = 0; i < 2; i++)
                if (!sinks[i].buf)
                        sinks[i].buf = strdup("");
        *ret_out = sinks[0].buf;
        if (ret_err)
                *ret_err = sinks[1].buf;
        else
                free(sinks[1].buf);
        if (ret_status)
                *ret_status = status;
        return 0;
}

int testbed_cat(const struct gd_testbed *t, const char *path, char **ret_out) {
        char *argv[] = { (char *) "/bin/cat", (char *) path, NULL };
        int status, r;

        r = testbed_run(t, argv, ret_out, NULL, &status);
        if (r < 0)
                return r;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -EIO;
        return 0;
}

char *snapshot_path(const char *name) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        char *p;

        if (asprintf(&p, "%s/sysfs-snapshots/%s", src && *src ? src : ".", name) < 0)
                return NULL;
        return p;
}

const char *gpudiag_binary(void) {
        const char *g = getenv("GPUDIAG");
        return g && *g ? g : "./gpudiag";
}

static const char *srcdir(void) {
        const char *s = getenv("GPUDIAG_SRCDIR");
        return s && *s ? s : ".";
}

/* The *.yaml files of dir (relative to the source tree), sorted, appended
 * to *list as absolute paths; with recurse, of its subdirectories too. */
void test_find_yaml(const char *dir, bool recurse, char ***list) {
        _cleanup_free_ char *full = NULL;
        struct dirent **names = NULL;
        int n;

        cr_assert_geq(asprintf(&full, "%s/%s", srcdir(), dir), 0);
        n = scandir(full, &names, NULL, alphasort);
        cr_assert_geq(n, 0, "%s cannot be listed", full);
        for (int i = 0; i < n; i++) {
                const char *name = names[i]->d_name;
                size_t len = strlen(name);
                _cleanup_free_ char *sub = NULL;

                if (name[0] != '.' && len > 5 && streq(name + len - 5, ".yaml")) {
                        char *path;
                        cr_assert_geq(asprintf(&path, "%s/%s", full, name), 0);
                        cr_assert_eq(strv_consume(list, path), 0);
                } else if (recurse && name[0] != '.' && names[i]->d_type == DT_DIR) {
                        cr_assert_geq(asprintf(&sub, "%s/%s", dir, name), 0);
                        test_find_yaml(sub, true, list);
                }
                free(names[i]);
        }
        free(names);
}
