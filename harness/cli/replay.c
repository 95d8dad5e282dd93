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
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "base/strv.h"
#include "cli.h"
#include "host/pci.h"
#include "config.h"
#if HAVE_REPLAY
#include "cli/replay-report.h"
#include "bundle/yaml-doc.h"
#include "replay/scenario.h"
#include "replay/testbed.h"
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
               "2 usage error.\n", cli_program());
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

/* ---- one child process per scenario ---- */

/* A scenario that runs longer than this is killed and reported (--timeout). */
static double scenario_timeout_s = 120.0;

struct child {
        pid_t pid;              /* 0: free slot */
        int fd;                 /* its result pipe */
        size_t index;
        double deadline;
        char *dir;              /* the slot's testbed directory */
        char *base;             /* the base bundle it holds; NULL: unknown */
};

/* The running children, for the SIGINT/SIGTERM handler: each scenario runs
 * in a process group of its own (its testbed helper and explain too), and
 * none may outlive gpudiag replay. */
static struct child *running_children;
static size_t n_running_children;

static void on_signal(int sig) {
        for (size_t k = 0; k < n_running_children; k++)
                if (running_children[k].pid > 0)
                        (void) kill(-running_children[k].pid, SIGKILL);
        signal(sig, SIG_DFL);
        raise(sig);
}

static double now(void);

static int write_all(int fd, const void *p, size_t n) {
        const char *c = p;

        while (n > 0) {
                ssize_t k = write(fd, c, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                c += k;
                n -= (size_t) k;
        }
        return 0;
}

static int read_all(int fd, void *p, size_t n) {
        char *c = p;

        while (n > 0) {
                ssize_t k = read(fd, c, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EPIPE;
                c += k;
                n -= (size_t) k;
        }
        return 0;
}

/* What `gpudiag explain --format json` does, called in the scenario's own
 * process (replay/runner.c run_explain_here()). */
static int explain_json(void) {
        char *argv[] = { (char *) "explain", (char *) "--format", (char *) "json", NULL };

        return cmd_explain(3, argv);
}

__attribute__((noreturn)) static void child_main(int fd, const char *path, const char *self,
                                                 const struct gd_replay_slot *slot) {
        struct gd_scenario_result r;
        _cleanup_free_ char *blob = NULL;
        size_t len;

        /* This process is the sandbox: a parser crash here is reported by
         * the parent as this scenario's failure. */
        gd_yaml_parse_in_place();
        if (gd_scenario_run_in(path, self, slot, &r) < 0) {
                gd_scenario_result_clear(&r);
                r = (struct gd_scenario_result) { .path = strdup(path), .name = strdup(path), .error = true,
                                                  .message = strdup("out of memory") };
        }
        blob = replay_result_serialize(&r, &len);
        if (!blob || write_all(fd, &len, sizeof(len)) < 0 || write_all(fd, blob, len) < 0)
                _exit(3);
        _exit(0);
}

/* Each scenario runs in a fresh child of this process, which starts no
 * threads: a scenario that hangs or crashes (GLib, umockdev, a fork in the
 * testbed code) costs only itself, and nothing a testbed leaves in its
 * process piles up.  The base bundle is loaded here first, so children
 * share one parsed copy. */
static int child_start(struct child *c, const struct child *all, size_t n_all, size_t index, char **paths,
                       const char *base,
                       const char *self) {
        int p[2];

        gd_scenario_prepare_base(base);
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        fflush(NULL);
        c->pid = fork();
        if (c->pid < 0) {
                int r = -errno;
                close(p[0]);
                close(p[1]);
                c->pid = 0;
                return r;
        }
        if (c->pid == 0) {
                (void) setpgid(0, 0);
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                signal(SIGINT, SIG_DFL);
                signal(SIGTERM, SIG_DFL);
                for (size_t k = 0; k < n_all; k++)
                        if (all[k].pid > 0)
                                close(all[k].fd);
                close(p[0]);
                child_main(p[1], paths[index], self, &(struct gd_replay_slot) { .dir = c->dir, .base = c->base });
        }
        (void) setpgid(c->pid, c->pid);
        close(p[1]);
        c->fd = p[0];
        c->index = index;
        c->deadline = now() + scenario_timeout_s;
        return 0;
}

/* Collects the child's result (or blames it for dying) and frees the slot. */
static void child_finish(struct child *c, struct gd_scenario_result *ret, bool timed_out) {
        _cleanup_free_ char *blob = NULL;
        size_t len = 0;
        int status = 0, r = -ETIMEDOUT;

        if (timed_out)
                (void) kill(-c->pid, SIGKILL);
        else if ((r = read_all(c->fd, &len, sizeof(len))) == 0) {
                if (len > (size_t) 64 * 1024 * 1024 || !(blob = malloc(len)))
                        r = -ENOMEM;
                else if ((r = read_all(c->fd, blob, len)) == 0)
                        r = replay_result_deserialize(blob, len, ret);
        }
        close(c->fd);
        while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r < 0) {
                char msg[128];

                if (timed_out)
                        snprintf(msg, sizeof(msg), "timed out after %.0f s", scenario_timeout_s);
                else if (WIFSIGNALED(status))
                        snprintf(msg, sizeof(msg), "the scenario's process died with signal %d", WTERMSIG(status));
                else
                        snprintf(msg, sizeof(msg), "the scenario's process sent no result (%s)", strerror(-r));
                *ret = (struct gd_scenario_result) { .error = true, .message = strdup(msg),
                                                     .seconds = timed_out ? scenario_timeout_s : 0 };
        }
        /* The slot holds the base again only if the scenario said so. */
        free(c->base);
        c->base = r == 0 && ret->slot_base ? strdup(ret->slot_base) : NULL;
        c->pid = 0;
        c->fd = -1;
}

/* ---- running ---- */

struct run {
        char **paths;
        size_t n;
        struct gd_scenario_result *results;
        bool *done;
        size_t printed;
        struct replay_report *report;
        char **bases;           /* each scenario's base bundle, NULL when not found */
};

static void flush_done(struct run *run) {
        while (run->printed < run->n && run->done[run->printed]) {
                struct gd_scenario_result *r = &run->results[run->printed];

                if (!r->path)
                        r->path = strdup(run->paths[run->printed]);
                if (!r->name)
                        r->name = strdup(run->paths[run->printed]);
                replay_report_result(run->report, run->printed, r);
                run->printed++;
        }
        fflush(stdout);
}

/* Scenarios of one base run one after another, so that a slot switches its
 * testbed by a scenario's few changes, not from one base to another. */
struct ordered {
        char *base;
        size_t index;
};

static int cmp_ordered(const void *a, const void *b) {
        const struct ordered *x = a, *y = b;
        int c = strcmp(x->base ? x->base : "", y->base ? y->base : "");

        return c ? c : (x->index > y->index) - (x->index < y->index);
}

static size_t *run_order(struct run *run) {
        struct ordered *o = calloc(run->n + 1, sizeof(*o));
        size_t *order = calloc(run->n + 1, sizeof(*order));

        run->bases = calloc(run->n + 1, sizeof(char *));
        if (!o || !order || !run->bases) {
                free(o);
                free(order);
                return NULL;
        }
        for (size_t i = 0; i < run->n; i++) {
                run->bases[i] = gd_scenario_base_path(run->paths[i]);
                o[i] = (struct ordered) { .base = run->bases[i], .index = i };
        }
        qsort(o, run->n, sizeof(*o), cmp_ordered);
        for (size_t i = 0; i < run->n; i++)
                order[i] = o[i].index;
        free(o);
        return order;
}

static void slots_free(struct child *c, size_t jobs) {
        for (size_t k = 0; c && k < jobs; k++) {
                free(c[k].dir);
                free(c[k].base);
        }
}

static int run_all(struct run *run, const char *self, size_t jobs) {
        _cleanup_free_ struct child *c = calloc(jobs, sizeof(*c));
        _cleanup_free_ struct pollfd *pfd = calloc(jobs, sizeof(*pfd));
        _cleanup_free_ size_t *order = run_order(run);
        const char *tmp = getenv("TMPDIR");
        size_t next = 0, running = 0;
        int r = 0;

        if (!c || !pfd || !order)
                return -ENOMEM;
        /* One testbed directory per slot, in this run's directory. */
        for (size_t k = 0; k < jobs; k++) {
                if (asprintf(&c[k].dir, "%s/slot-%zu", tmp && *tmp ? tmp : "/tmp", k) < 0) {
                        c[k].dir = NULL;
                        slots_free(c, jobs);
                        return -ENOMEM;
                }
                if (mkdir(c[k].dir, 0755) < 0 && errno != EEXIST) {
                        r = -errno;
                        slots_free(c, jobs);
                        return r;
                }
        }
        running_children = c;
        n_running_children = jobs;
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        while (next < run->n || running > 0) {
                double t = now(), first = t + scenario_timeout_s;

                for (size_t k = 0; k < jobs && next < run->n && r == 0; k++)
                        if (c[k].pid == 0) {
                                r = child_start(&c[k], c, jobs, order[next], run->paths,
                                                run->bases[order[next]], self);
                                if (r == 0) {
                                        next++;
                                        running++;
                                }
                        }
                if (running == 0)
                        break;
                for (size_t k = 0; k < jobs; k++) {
                        pfd[k] = (struct pollfd) { .fd = c[k].pid > 0 ? c[k].fd : -1, .events = POLLIN };
                        if (c[k].pid > 0 && c[k].deadline < first)
                                first = c[k].deadline;
                }
                if (poll(pfd, jobs, first > t ? (int) ((first - t) * 1000) + 1 : 0) < 0 && errno != EINTR) {
                        r = -errno;
                        break;
                }
                t = now();
                for (size_t k = 0; k < jobs; k++) {
                        bool ready = c[k].pid > 0 && (pfd[k].revents & (POLLIN | POLLHUP | POLLERR));
                        bool late = c[k].pid > 0 && !ready && t >= c[k].deadline;

                        if (!ready && !late)
                                continue;
                        child_finish(&c[k], &run->results[c[k].index], late);
                        run->done[c[k].index] = true;
                        running--;
                }
                flush_done(run);
                if (r < 0 && running == 0)
                        break;
        }
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        n_running_children = 0;
        running_children = NULL;
        slots_free(c, jobs);
        return r;
}

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
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
                        scenario_timeout_s = strtod(optarg, &end);
                        if (errno || *end || !(scenario_timeout_s > 0 && scenario_timeout_s <= 86400)) {
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
                        strv_free(part);
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
        if (gd_scenario_explain_in_process(explain_json))
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

                /* One testbed per -j slot, a few MiB each. */
                if (!tmp || !*tmp)
                        tmp = gd_testbed_default_dir(32ull << 20);
                if (asprintf(&run_tmp, "%s/gpudiag-replay-XXXXXX", tmp) < 0 || !mkdtemp(run_tmp)) {
                        cli_error("replay: cannot create a directory in %s: %s", tmp, strerror(errno));
                        replay_report_free(report);
                        free(results);
                        return GD_EXIT_HOST;
                }
                setenv("TMPDIR", run_tmp, 1);
        }
        signal(SIGPIPE, SIG_IGN);
        t0 = now();
        r = run.n > 0 ? run_all(&run, self, (size_t) jobs < run.n ? (size_t) jobs : run.n) : 0;
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
                flush_done(&run);
                cli_error("replay: %s", strerror(-r));
        }
        (void) gd_testbed_remove_dir(run_tmp, false);
        rc = replay_report_finish(report, now() - t0);
        if (junit && replay_report_junit(report, junit, results, run.n) < 0) {
                cli_error("replay: cannot write %s: %s", junit, strerror(errno));
                rc = GD_EXIT_USAGE;
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
