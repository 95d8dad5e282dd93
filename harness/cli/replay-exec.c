/* SPDX-License-Identifier: MIT */
/* --bundle: rebuild the host in a umockdev testbed and run this same command
 * inside it, under umockdev's preload library, as umockdev-wrapper does.
 * The command then reads the testbed with the unchanged live reader: there
 * is no second parser for bundles (README, "Design"). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup-on-signal.h"
#include "bundle/bundle.h"
#include "cli.h"
#include "report/progress.h"
#include "config.h"
#if HAVE_REPLAY
#include "replay/testbed.h"
#endif

static int saved_argc;
static char **saved_argv;

void cli_save_argv(int argc, char **argv) {
        saved_argc = argc;
        saved_argv = argv;
}

bool cli_inside_replay(void) {
        const char *tb = getenv("GPUDIAG_REPLAY");
        const char *dir = getenv("UMOCKDEV_DIR");
        /* Both are set by gd_testbed_exec_env(); UMOCKDEV_DIR alone could
         * be a user's own umockdev session. */
        return tb && *tb && dir && *dir;
}

int cli_load_bundle(const char *path, struct gd_bundle **ret) {
        _cleanup_free_ char *err = NULL;
        int r = gd_bundle_load(path, ret, &err);

        if (r < 0) {
                if (err)
                        cli_error("%s: %s", path, err);
                else
                        cli_error("%s: %s", path, strerror(-r));
        }
        return r;
}

#if HAVE_REPLAY
/* Runs argv_exec (this program) in the testbed tb, which it removes. */
static int run_in(struct gd_testbed *tb, const char *bundle_path, char **argv_exec, struct gd_progress **progress) {
        _cleanup_(gd_testbed_freep) struct gd_testbed *owned = tb;
        char **envp = NULL;
        char self[PATH_MAX];
        ssize_t n;
        pid_t pid;
        int r, status;

        n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n < 0) {
                cli_error("cannot find this program's path: %s", strerror(errno));
                return GD_EXIT_HOST;
        }
        self[n] = '\0';
        for (char * const *w = gd_testbed_warnings(tb); *w; w++)
                cli_warning("%s: %s", bundle_path, *w);
        r = gd_testbed_exec_env(tb, &envp);
        if (r < 0) {
                cli_error("cannot prepare the replay environment: %s", strerror(-r));
                return GD_EXIT_HOST;
        }

        *progress = gd_progress_end(*progress);
        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0) {
                r = -errno;
                for (char **e = envp; *e; e++)
                        free(*e);
                free(envp);
                cli_error("fork: %s", strerror(-r));
                return GD_EXIT_HOST;
        }
        if (pid == 0) {
                execve(self, argv_exec, envp);
                cli_error("cannot run %s under umockdev: %s", self, strerror(errno));
                _exit(GD_EXIT_HOST);
        }
        /* A signal now kills it, then removes the testbed (base/cleanup-on-signal.h). */
        (void) signal_cleanup_add_child(pid, false);
        for (char **e = envp; *e; e++)
                free(*e);
        free(envp);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        cli_error("waitpid: %s", strerror(errno));
                        signal_cleanup_remove_child(pid);
                        return GD_EXIT_HOST;
                }
        signal_cleanup_remove_child(pid);
        /* The testbed is removed by the cleanup attribute on every path. */
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        /* `gpudiag groups --bundle F | head -1`: the reader went away, as
         * for `lspci | head -1`; main() ends by the same signal, quietly. */
        if (WTERMSIG(status) == SIGPIPE)
                return GD_EXIT_SIGPIPE;
        cli_error("replayed command died with signal %d", WTERMSIG(status));
        return GD_EXIT_HOST;
}

int cli_run_in_testbed(struct gd_bundle **b, struct gd_testbed_tree **tree, const char *bundle_path, char **argv_exec,
                       struct gd_progress **progress) {
        _cleanup_(gd_testbed_freep) struct gd_testbed *tb = NULL;
        _cleanup_free_ char *err = NULL;
        int r;

        r = gd_testbed_build_tree(*tree, &tb, &err);
        if (r < 0) {
                cli_error("%s: cannot build the replay testbed: %s", bundle_path, err ? err : strerror(-r));
                return GD_EXIT_USAGE;
        }
        /* An imported host is partial evidence (host/host-read.c): the
         * command inside gets the bundle's origin from the testbed. */
        if (gd_testbed_set_origin(tb, (*b)->metadata.origin) < 0) {
                cli_error("%s", strerror(ENOMEM));
                return GD_EXIT_HOST;
        }
        /* Written: neither is needed again, and the command started below
         * would begin life with their pages (a fork copies the process). */
        *tree = (gd_testbed_tree_free(*tree), NULL);
        *b = gd_bundle_free(*b);
        return run_in(TAKE_PTR(tb), bundle_path, argv_exec, progress);
}

int cli_run_in_testbed_of(const struct gd_bundle *b, const char *bundle_path, char **argv_exec,
                          struct gd_progress **progress) {
        struct gd_testbed *tb = NULL;
        _cleanup_free_ char *err = NULL;
        int r;

        r = gd_testbed_build(b, &tb, &err);
        if (r < 0) {
                cli_error("%s: cannot build the replay testbed: %s", bundle_path, err ? err : strerror(-r));
                return GD_EXIT_USAGE;
        }
        return run_in(tb, bundle_path, argv_exec, progress);
}

/* The bundle's records go into the testbed's tree as they are read (the
 * recording of a 4,096-function host is 40 MB of text, never whole in
 * memory); a record the tree refuses is said after the bundle is checked,
 * as when the testbed was built from a loaded bundle. */
struct tree_sink {
        struct gd_testbed_tree *tree;
        int r;
        char *error;
};

static int add_record(const char *text, size_t len, int line, void *userdata, char **ret_error) {
        struct tree_sink *s = userdata;

        (void) ret_error;
        if (s->r < 0)
                return 0;
        s->r = gd_testbed_tree_add_record(s->tree, text, len, line, &s->error);
        return s->r == -ENOMEM ? s->r : 0;
}

static int load_into_tree(const char *path, struct gd_bundle **ret_b, struct gd_testbed_tree **ret_tree) {
        _cleanup_(gd_testbed_tree_freep) struct gd_testbed_tree *tree = gd_testbed_tree_begin();
        struct tree_sink sink = { .tree = tree };
        const struct gd_bundle_records records = { .record = add_record, .userdata = &sink };
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_free_ char *err = NULL;
        int r;

        if (!tree) {
                cli_error("%s: %s", path, strerror(ENOMEM));
                return -ENOMEM;
        }
        r = gd_bundle_load_records(path, &records, &b, &err);
        if (r < 0) {
                free(sink.error);
                cli_error("%s: %s", path, err ? err : strerror(-r));
                return r;
        }
        r = sink.r < 0 ? sink.r : gd_testbed_tree_end(tree, b, &sink.error);
        if (r < 0) {
                cli_error("%s: cannot build the replay testbed: %s", path, sink.error ? sink.error : strerror(-r));
                free(sink.error);
                return r;
        }
        *ret_b = TAKE_PTR(b);
        *ret_tree = TAKE_PTR(tree);
        return 0;
}
#endif

#if HAVE_REPLAY
/* Once per replay run: the same command again, with umockdev's preload
 * library loaded from the start.  With UMOCKDEV_DIR unset the library
 * passes every call through (its trap_path() reads the variable on each
 * call), so the runner works as before; a scenario's process then sets it
 * around an in-process explain (replay/runner.c), instead of executing
 * gpudiag once per scenario.  Returns only when it did not exec. */
void cli_reexec_with_preload(void) {
        const char *old = getenv("LD_PRELOAD");
        _cleanup_free_ char *preload = NULL;
        char self[PATH_MAX];
        ssize_t n;

        /* A user's own umockdev session would trap our testbed writes. */
        if (getenv(GD_PRELOADED_ENV) || getenv("UMOCKDEV_DIR") || !saved_argv)
                return;
        n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n < 0)
                return;
        self[n] = '\0';
        if (old && *old ? asprintf(&preload, "%s:%s", UMOCKDEV_PRELOAD, old) < 0
                        : !(preload = strdup(UMOCKDEV_PRELOAD)))
                return;
        if (setenv("LD_PRELOAD", preload, 1) < 0 || setenv(GD_PRELOADED_ENV, "1", 1) < 0)
                return;
        fflush(NULL);
        execv(self, saved_argv);
        /* Not fatal: scenarios then run explain as a program each. */
        if (old)
                setenv("LD_PRELOAD", old, 1);
        else
                unsetenv("LD_PRELOAD");
}
#endif

/* The bundle's name and metadata for the command run inside its testbed
 * (report's header, prometheus' collect timestamp).  Set on every replay
 * and read only inside one, so a user's own variables never pass for them.
 * MAX_ARG_STRLEN (128 KiB) caps one environment string; the source text is
 * cut well below it. */
#define BUNDLE_ENV_PREFIX "GPUDIAG_BUNDLE_"
#define BUNDLE_ENV_MAX 4096

static const char *const bundle_env_keys[] = { "NAME", "CREATED", "ORIGIN", "SOURCE" };

static void bundle_env_set(const char *key, const char *value) {
        char name[64], cut[BUNDLE_ENV_MAX + 1];

        snprintf(name, sizeof(name), BUNDLE_ENV_PREFIX "%s", key);
        if (!value) {
                unsetenv(name);
                return;
        }
        snprintf(cut, sizeof(cut), "%s", value);
        setenv(name, cut, 1);
}

static void bundle_env_export(const struct gd_bundle *b, const char *path) {
        const char *base = strrchr(path, '/');

        bundle_env_set("NAME", base ? base + 1 : path);
        bundle_env_set("CREATED", b->metadata.created);
        bundle_env_set("ORIGIN", b->metadata.origin);
        bundle_env_set("SOURCE", b->metadata.source);
}

const char *cli_bundle_info(const char *key) {
        char name[64];
        const char *v;

        if (!cli_inside_replay())
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(bundle_env_keys); i++)
                if (streq(key, bundle_env_keys[i])) {
                        snprintf(name, sizeof(name), BUNDLE_ENV_PREFIX "%s", key);
                        v = getenv(name);
                        return v && *v ? v : NULL;
                }
        return NULL;
}

long long cli_bundle_created(void) {
        const char *s = cli_bundle_info("CREATED");
        struct tm tm = { 0 };
        const char *end;

        if (!s)
                return -1;
        end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (!end || *end)
                return -1;
        return (long long) timegm(&tm);
}

int cli_replay_if_bundle(const struct gd_host_opts *o, int argc, char **argv) {
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_progress_ struct gd_progress *progress = NULL;
#if HAVE_REPLAY
        _cleanup_(gd_testbed_tree_freep) struct gd_testbed_tree *tree = NULL;
#endif

        (void) argc;
        (void) argv;
        if (!o->bundle || cli_inside_replay())
                return -1;
#if HAVE_REPLAY
        /* A large bundle takes seconds to load and lay out; the line is
         * erased before the command inside the testbed writes anything. */
        progress = gd_progress_begin(saved_argc > 1 ? saved_argv[1] : "replay", "loading the bundle");
        if (load_into_tree(o->bundle, &b, &tree) < 0)
                return GD_EXIT_USAGE;
        bundle_env_export(b, o->bundle);
        gd_progress_step(progress, "building the testbed");
        return cli_run_in_testbed(&b, &tree, o->bundle, saved_argv, &progress);
#else
        cli_error("--bundle needs replay support, and this gpudiag was built without umockdev");
        return GD_EXIT_USAGE;
#endif
}
