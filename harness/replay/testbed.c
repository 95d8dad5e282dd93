/* SPDX-License-Identifier: MIT */
/* The testbed's life: umockdev's object and directory, the recording, the
 * environment for programs run inside it, and removal. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <umockdev.h>

#include "config.h"
#include "base/fileio.h"
#include "base/strv.h"
#include "replay/testbed-internal.h"
#include "replay/testbed.h"

struct gd_testbed {
        UMockdevTestbed *tb;
        char *root;
        char *config_root;
        char *saved_umockdev_dir;       /* $UMOCKDEV_DIR before umockdev set it */
        bool had_umockdev_dir;
};

const char *gd_testbed_root(const struct gd_testbed *t) {
        return t->root;
}

const char *gd_testbed_config_root(const struct gd_testbed *t) {
        return t->config_root;
}

static void restore_umockdev_dir(const struct gd_testbed *t) {
        if (t->had_umockdev_dir)
                setenv("UMOCKDEV_DIR", t->saved_umockdev_dir, 1);
        else
                unsetenv("UMOCKDEV_DIR");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        if (ftw->level == 0)
                return 0;       /* the root itself: umockdev removes it */
        if (flag == FTW_DP || flag == FTW_D)
                (void) rmdir(path);
        else
                (void) unlink(path);
        return 0;
}

static void remove_tree_contents(const char *root) {
        (void) nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool dir_is_empty(const char *path) {
        _cleanup_closedir_ DIR *d = opendir(path);
        struct dirent *de;

        if (!d)
                return false;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        return false;
        return true;
}

struct gd_testbed *gd_testbed_free(struct gd_testbed *t) {
        if (!t)
                return NULL;

        if (t->root) {
                remove_tree_contents(t->root);
                /* umockdev's destructor removes the root and aborts the
                 * process when it cannot: hand it an empty directory. */
                if (t->tb && !dir_is_empty(t->root)) {
                        _cleanup_free_ char *aside = NULL;

                        if (asprintf(&aside, "%s.stale", t->root) >= 0 && rename(t->root, aside) >= 0)
                                (void) mkdir(t->root, 0700);
                }
        }
        if (t->tb) {
                g_object_unref(t->tb);
                restore_umockdev_dir(t);
        }
        if (t->root)
                (void) rmdir(t->root);   /* when there was no umockdev object */

        free(t->root);
        free(t->config_root);
        free(t->saved_umockdev_dir);
        free(t);
        return NULL;
}

/* umockdev_testbed_add_from_string() calls error() (abort) on some malformed
 * recordings, and bundles come from other machines.  Run it in a child: it
 * only writes files into the shared testbed directory. */
static int add_recording(UMockdevTestbed *tb, const char *text, char **ret_error) {
        char buf[4096];
        size_t len = 0;
        int pipefd[2], status;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        fflush(NULL);
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(pipefd[0]);
                close(pipefd[1]);
                return r;
        }
        if (pid == 0) {
                struct rlimit no_core = { 0, 0 };
                GError *error = NULL;

                (void) setrlimit(RLIMIT_CORE, &no_core);
                (void) dup2(pipefd[1], STDERR_FILENO);
                if (!umockdev_testbed_add_from_string(tb, text, &error)) {
                        dprintf(STDERR_FILENO, "%s\n", error ? error->message : "failed");
                        _exit(1);
                }
                _exit(0);
        }

        close(pipefd[1]);
        for (;;) {
                char chunk[512];
                ssize_t n = read(pipefd[0], chunk, sizeof(chunk));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                /* Keep the start; read the rest so the child never blocks. */
                if (len < sizeof(buf) - 1) {
                        size_t k = (size_t) n < sizeof(buf) - 1 - len ? (size_t) n : sizeof(buf) - 1 - len;
                        memcpy(buf + len, chunk, k);
                        len += k;
                }
        }
        close(pipefd[0]);
        buf[len] = '\0';
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;

        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;

        /* The last line umockdev (or GLib's error()) wrote. */
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
                buf[--len] = '\0';
        {
                const char *last = strrchr(buf, '\n');
                last = last ? last + 1 : buf;
                if (ret_error && asprintf(ret_error, "umockdev: %s the recording%s%s",
                                          WIFSIGNALED(status) ? "aborted on" : "refused",
                                          *last ? ": " : "", last) < 0)
                        *ret_error = NULL;
        }
        return -EINVAL;
}

int gd_testbed_build(const struct gd_bundle *b, struct gd_testbed **ret, char **ret_error) {
        _cleanup_testbed_ struct gd_testbed *t = NULL;
        const char *old;
        char real[PATH_MAX];
        int r;

        if (ret_error)
                *ret_error = NULL;
        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        old = getenv("UMOCKDEV_DIR");
        if (old) {
                t->had_umockdev_dir = true;
                t->saved_umockdev_dir = strdup(old);
                if (!t->saved_umockdev_dir)
                        return -ENOMEM;
        }

        /* Sets $UMOCKDEV_DIR of this process; put it back. */
        t->tb = umockdev_testbed_new();
        restore_umockdev_dir(t);
        if (!t->tb)
                return -ENOMEM;
        t->root = umockdev_testbed_get_root_dir(t->tb);
        if (!t->root)
                return -ENOMEM;
        /* testbed_fill() checks that nothing leaves the real path. */
        if (!realpath(t->root, real))
                return -errno;
        t->config_root = path_join(real, "config");
        if (!t->config_root)
                return -ENOMEM;
        if (mkdir(t->config_root, 0755) < 0)
                return -errno;

        if (b->umockdev && *b->umockdev) {
                r = add_recording(t->tb, b->umockdev, ret_error);
                if (r < 0)
                        return r;
        }

        r = testbed_fill(real, b, ret_error);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(t);
        return 0;
}

static bool env_is(const char *entry, const char *name) {
        size_t n = strlen(name);
        return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

static int env_push(char ***l, const char *name, const char *value) {
        char *e;

        if (asprintf(&e, "%s=%s", name, value) < 0)
                return -ENOMEM;
        return strv_consume(l, e);
}

int gd_testbed_exec_env(const struct gd_testbed *t, char ***ret_envp) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *preload = NULL;
        const char *old_preload = NULL;
        int r;

        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (char **e = environ; e && *e; e++) {
                if (env_is(*e, "LD_PRELOAD")) {
                        old_preload = *e + strlen("LD_PRELOAD=");
                        continue;
                }
                if (env_is(*e, "UMOCKDEV_DIR") || env_is(*e, "GPUDIAG_CONFIG_ROOT") ||
                    env_is(*e, "GPUDIAG_REPLAY"))
                        continue;
                r = strv_push_dup(&l, *e);
                if (r < 0)
                        return r;
        }

        if (old_preload && *old_preload && !startswith(old_preload, UMOCKDEV_PRELOAD)) {
                if (asprintf(&preload, "%s:%s", UMOCKDEV_PRELOAD, old_preload) < 0)
                        return -ENOMEM;
        } else if (old_preload && *old_preload)
                preload = strdup(old_preload);
        else
                preload = strdup(UMOCKDEV_PRELOAD);
        if (!preload)
                return -ENOMEM;

        if ((r = env_push(&l, "UMOCKDEV_DIR", t->root)) < 0 ||
            (r = env_push(&l, "LD_PRELOAD", preload)) < 0 ||
            (r = env_push(&l, "GPUDIAG_CONFIG_ROOT", t->config_root)) < 0 ||
            (r = env_push(&l, "GPUDIAG_REPLAY", "1")) < 0)
                return r;

        *ret_envp = TAKE_PTR(l);
        return 0;
}
