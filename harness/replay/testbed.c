/* SPDX-License-Identifier: MIT */
/* The testbed's life: its directory, the recording, the environment for
 * programs run inside it (umockdev's preload library), and removal. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "base/cleanup-on-signal.h"
#include "base/fileio.h"
#include "base/strv.h"
#include "replay/testbed-internal.h"
#include "replay/testbed.h"

struct gd_testbed {
        char *root;             /* $UMOCKDEV_DIR for programs run inside */
        char *config_root;
        bool keep;              /* gd_testbed_at(): the directory is not ours */
        char **warnings;        /* strv: what the bundle had that the testbed left out */
        char *origin;           /* the bundle's metadata.origin, NULL when it has none */
};

const char *gd_testbed_origin(const struct gd_testbed *t) {
        return t->origin;
}

int gd_testbed_set_origin(struct gd_testbed *t, const char *origin) {
        char *o = NULL;

        if (origin && !(o = strdup(origin)))
                return -ENOMEM;
        free(t->origin);
        t->origin = o;
        return 0;
}

const char *gd_testbed_root(const struct gd_testbed *t) {
        return t->root;
}

const char *gd_testbed_config_root(const struct gd_testbed *t) {
        return t->config_root;
}

struct gd_testbed *gd_testbed_free(struct gd_testbed *t) {
        if (!t)
                return NULL;
        if (t->root && !t->keep) {
                (void) gd_testbed_remove_dir(t->root, false);
                signal_cleanup_remove_dir(t->root);
        }
        free(t->root);
        free(t->config_root);
        free(t->origin);
        strv_free(t->warnings);
        free(t);
        return NULL;
}

char * const *gd_testbed_warnings(const struct gd_testbed *t) {
        static char *const none[] = { NULL };
        return t && t->warnings ? t->warnings : none;
}

int gd_testbed_build(const struct gd_bundle *b, struct gd_testbed **ret, char **ret_error) {
        _cleanup_(gd_testbed_tree_freep) struct gd_testbed_tree *tree = NULL;
        int r;

        if (ret_error)
                *ret_error = NULL;
        /* The whole testbed as data first: its links are checked there,
         * before anything is written (testbed-links.c). */
        r = gd_testbed_tree_new(b, &tree, ret_error);
        if (r < 0)
                return r;
        r = gd_testbed_build_tree(tree, ret, ret_error);
        if (r < 0)
                return r;
        if (gd_testbed_set_origin(*ret, b->metadata.origin) < 0) {
                *ret = gd_testbed_free(*ret);
                return -ENOMEM;
        }
        return 0;
}

int gd_testbed_build_tree(const struct gd_testbed_tree *tree, struct gd_testbed **ret, char **ret_error) {
        _cleanup_testbed_ struct gd_testbed *t = NULL;
        _cleanup_free_ char *tmpl = NULL;
        const char *tmp = getenv("TMPDIR");
        char real[PATH_MAX];
        int r;

        if (ret_error)
                *ret_error = NULL;
        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        for (char * const *w = gd_testbed_tree_warnings(tree); *w; w++)
                if (strv_push_dup(&t->warnings, *w) < 0)
                        return -ENOMEM;
        if (!tmp || !*tmp)
                /* About a 4 KiB block per entry, and room to spare. */
                tmp = gd_testbed_default_dir((64ull << 20) + 4096ull * gd_testbed_tree_size(tree));
        /* The pid in the name: a run killed with SIGKILL leaves its testbed,
         * and the next run removes it once that process is gone. */
        (void) signal_cleanup_sweep(tmp, "gpudiag-testbed-");
        if (asprintf(&tmpl, "%s/gpudiag-testbed-%d-XXXXXX", tmp, (int) getpid()) < 0)
                return -ENOMEM;
        if (!mkdtemp(tmpl))
                return -errno;
        /* The root keeps the spelling TMPDIR gave, when absolute: the
         * replay runner reaches tmpfs as /proc/self/root/dev/shm, a path
         * umockdev's preload leaves alone (cli/replay.c).  Writes below it
         * are checked against leaving it (testbed-fill.c). */
        if (tmpl[0] == '/')
                snprintf(real, sizeof(real), "%s", tmpl);
        else if (!realpath(tmpl, real)) {
                r = -errno;
                (void) rmdir(tmpl);
                return r;
        }
        t->root = strdup(real);
        if (t->root && signal_cleanup_add_dir(t->root) < 0) {
                (void) rmdir(real);
                return -ENOSPC;
        }
        /* umockdev's preload checks every /dev path a program opens against
         * the testbed and tries its ioctl socket on it: the configuration
         * files of a testbed in /dev/shm are read by a path outside /dev.
         * Not the root itself: the preload prefixes it to every /sys path,
         * and /proc/self/root makes each of those walks cost more. */
        if (startswith(real, "/dev/") && access("/proc/self/root/dev", X_OK) == 0) {
                char *proc_root = NULL;

                if (asprintf(&proc_root, "/proc/self/root%s", real) < 0)
                        return -ENOMEM;
                t->config_root = path_join(proc_root, "config");
                free(proc_root);
        } else
                t->config_root = path_join(real, "config");
        if (!t->root || !t->config_root)
                return -ENOMEM;
        r = gd_testbed_switch(real, NULL, tree);
        if (r < 0) {
                if (ret_error && asprintf(ret_error, "testbed: cannot write %s: %s", real,
                                          r == -ELOOP ? "a recorded link leads out of the testbed" : strerror(-r)) < 0)
                        *ret_error = NULL;
                return r == -ENOMEM ? r : -EINVAL;
        }

        *ret = TAKE_PTR(t);
        return 0;
}

/* tmpfs when TMPDIR does not say: a testbed is thousands of small files,
 * and on a disk-backed /tmp creating them took 200-350 us each (a
 * 4,096-function bundle: two minutes instead of seconds).  But only when
 * the testbed fits: a container's /dev/shm is often 64 MiB. */
const char *gd_testbed_default_dir(uint64_t need) {
        struct statvfs sv;

        if (access("/dev/shm", W_OK | X_OK) != 0 || statvfs("/dev/shm", &sv) != 0 ||
            (uint64_t) sv.f_bavail * sv.f_frsize < need)
                return "/tmp";
        return "/dev/shm";
}

struct gd_testbed *gd_testbed_at(const char *dir) {
        struct gd_testbed *t = calloc(1, sizeof(*t));

        if (!t)
                return NULL;
        t->keep = true;
        t->root = strdup(dir);
        t->config_root = path_join(dir, "config");
        if (!t->root || !t->config_root)
                return gd_testbed_free(t);
        return t;
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
                    env_is(*e, "GPUDIAG_REPLAY") || (t->origin && env_is(*e, "GPUDIAG_BUNDLE_ORIGIN")))
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
            (r = env_push(&l, "GPUDIAG_REPLAY", "1")) < 0 ||
            (t->origin && (r = env_push(&l, "GPUDIAG_BUNDLE_ORIGIN", t->origin)) < 0))
                return r;

        *ret_envp = TAKE_PTR(l);
        return 0;
}
