/* SPDX-License-Identifier: MIT */
/* gpudiag replay's scheduler: one child process per scenario, -j of them at
 * a time, each with a testbed slot it keeps across the scenarios of one base
 * (README, Design), results collected over a pipe and printed in order. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup-on-signal.h"
#include "base/macro.h"
#include "bundle/yaml-doc.h"
#include "cli.h"
#include "cli/replay-wire.h"
#include "report/replay-report.h"
#include "cli/replay-run.h"
#include "replay/scenario.h"
#include "report/progress.h"

double replay_timeout_s = 120.0;

struct child {
        pid_t pid;              /* 0: free slot */
        int fd;                 /* its result pipe */
        size_t index;
        double deadline;
        char *dir;              /* the slot's testbed directory */
        char *base;             /* the base bundle it holds; NULL: unknown */
        const char *running_base; /* the base of the scenario it runs (run->bases) */
};

/* Each scenario runs in a process group of its own (its testbed helper and
 * explain too), and none may outlive gpudiag replay: SIGINT, SIGTERM and
 * SIGHUP kill the groups and remove the run's directory
 * (base/cleanup-on-signal.h). */


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
int replay_explain_json(void) {
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
                signal(SIGHUP, SIG_DFL);
                for (size_t k = 0; k < n_all; k++)
                        if (all[k].pid > 0)
                                close(all[k].fd);
                close(p[0]);
                child_main(p[1], paths[index], self, &(struct gd_replay_slot) { .dir = c->dir, .base = c->base });
        }
        (void) setpgid(c->pid, c->pid);
        (void) signal_cleanup_add_child(c->pid, true);
        close(p[1]);
        c->fd = p[0];
        c->index = index;
        c->deadline = replay_now() + replay_timeout_s;
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
        signal_cleanup_remove_child(c->pid);
        if (r < 0) {
                char msg[128];

                if (timed_out)
                        snprintf(msg, sizeof(msg), "timed out after %.0f s", replay_timeout_s);
                else if (WIFSIGNALED(status))
                        snprintf(msg, sizeof(msg), "the scenario's process died with signal %d", WTERMSIG(status));
                else
                        snprintf(msg, sizeof(msg), "the scenario's process sent no result (%s)", strerror(-r));
                *ret = (struct gd_scenario_result) { .error = true, .message = strdup(msg),
                                                     .seconds = timed_out ? replay_timeout_s : 0 };
        }
        /* The slot holds the base again only if the scenario said so. */
        free(c->base);
        c->base = r == 0 && ret->slot_base ? strdup(ret->slot_base) : NULL;
        c->pid = 0;
        c->fd = -1;
}

/* ---- running ---- */

void replay_flush_done(struct run *run) {
        while (run->printed < run->n && run->done[run->printed]) {
                struct gd_scenario_result *r = &run->results[run->printed];

                if (!r->path)
                        r->path = strdup(run->paths[run->printed]);
                if (!r->name)
                        r->name = strdup(run->paths[run->printed]);
                replay_report_result(run->report, run->printed, r);
                run->printed++;
        }
        gd_progress_count(run->progress, run->printed, run->n, "scenarios");
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

/* Each scenario's base bundle, found by a child that parses the scenarios
 * in place, one after another, and sends "index\tbase\n" lines: a
 * scenario comes from a stranger and libfyaml may crash on it
 * (bundle/yaml-doc.c), but one child for all of them instead of one for
 * each (167 forks of this process were a tenth of a replay run).  When
 * the child dies at a scenario, that one has no base here (its own
 * process reports it) and a new child goes on after it. */
static int find_bases(struct run *run) {
        size_t from = 0;

        while (from < run->n) {
                _cleanup_fclose_ FILE *f = NULL;
                char line[PATH_MAX + 32];
                int p[2];
                pid_t pid;

                if (pipe2(p, O_CLOEXEC) < 0)
                        return -errno;
                fflush(NULL);
                pid = fork();
                if (pid < 0) {
                        close(p[0]);
                        close(p[1]);
                        return -errno;
                }
                if (pid == 0) {
                        FILE *out = fdopen(p[1], "w");

                        close(p[0]);
                        if (!out)
                                _exit(1);
                        gd_yaml_parse_in_place();
                        for (size_t i = from; i < run->n; i++) {
                                _cleanup_free_ char *base = gd_scenario_base_path(run->paths[i]);

                                fprintf(out, "%zu\t%s\n", i, base && !strchr(base, '\n') ? base : "");
                                fflush(out);
                        }
                        _exit(0);
                }
                close(p[1]);
                f = fdopen(p[0], "r");
                if (!f) {
                        close(p[0]);
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                        return -ENOMEM;
                }
                while (fgets(line, sizeof(line), f)) {
                        char *tab = strchr(line, '\t'), *nl = strchr(line, '\n'), *end;
                        size_t i = (size_t) strtoull(line, &end, 10);

                        if (!tab || !nl || end != tab || i < from || i >= run->n)
                                break;
                        *nl = '\0';
                        if (tab[1] && !(run->bases[i] = strdup(tab + 1)))
                                return -ENOMEM;
                        from = i + 1;
                }
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                /* Not sent: it died there. */
                if (from < run->n && !run->bases[from])
                        from++;
        }
        return 0;
}

static size_t *run_order(struct run *run) {
        struct ordered *o = calloc(run->n + 1, sizeof(*o));
        size_t *order = calloc(run->n + 1, sizeof(*order));

        run->bases = calloc(run->n + 1, sizeof(char *));
        if (!o || !order || !run->bases || find_bases(run) < 0) {
                free(o);
                free(order);
                return NULL;
        }
        for (size_t i = 0; i < run->n; i++)
                o[i] = (struct ordered) { .base = run->bases[i], .index = i };
        qsort(o, run->n, sizeof(*o), cmp_ordered);
        for (size_t i = 0; i < run->n; i++)
                order[i] = o[i].index;
        free(o);
        return order;
}

/* The next scenario for slot k, by its place in order[] (taken[] marks
 * those started): one of the base the slot holds; else one of a base no
 * other slot is working on; else the first one left.  So a base's testbed
 * is written once, by one slot, where the scenarios allow (a slot that
 * changes bases removes its testbed and writes the next from nothing:
 * with "the next scenario in order", two slots took turns on every base
 * and wrote each twice). */
static size_t pick(const struct run *run, const size_t *order, const bool *taken, const struct child *c,
                   size_t jobs, size_t k) {
        size_t first = SIZE_MAX, unused = SIZE_MAX;

        for (size_t i = 0; i < run->n; i++) {
                const char *base = run->bases[order[i]];
                bool in_use = false;

                if (taken[i])
                        continue;
                if (first == SIZE_MAX)
                        first = i;
                if (base && c[k].base && streq(base, c[k].base))
                        return i;
                for (size_t o = 0; o < jobs && !in_use; o++)
                        in_use = o != k && c[o].pid > 0 && c[o].running_base && base &&
                                 streq(c[o].running_base, base);
                if (!in_use && unused == SIZE_MAX)
                        unused = i;
        }
        return unused != SIZE_MAX ? unused : first;
}

static void slots_free(struct child *c, size_t jobs) {
        for (size_t k = 0; c && k < jobs; k++) {
                free(c[k].dir);
                free(c[k].base);
        }
}

int replay_run_all(struct run *run, const char *self, size_t jobs) {
        _cleanup_free_ struct child *c = calloc(jobs, sizeof(*c));
        _cleanup_free_ struct pollfd *pfd = calloc(jobs, sizeof(*pfd));
        _cleanup_free_ size_t *order = run_order(run);
        _cleanup_free_ bool *taken = calloc(run->n + 1, sizeof(bool));
        const char *tmp = getenv("TMPDIR");
        size_t next = 0, running = 0;
        int r = 0;

        if (!c || !pfd || !order || !taken)
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
        while (next < run->n || running > 0) {
                double t = replay_now(), first = t + replay_timeout_s;

                for (size_t k = 0; k < jobs && next < run->n && r == 0; k++)
                        if (c[k].pid == 0) {
                                size_t i = pick(run, order, taken, c, jobs, k);

                                r = child_start(&c[k], c, jobs, order[i], run->paths, run->bases[order[i]], self);
                                if (r == 0) {
                                        taken[i] = true;
                                        c[k].running_base = run->bases[order[i]];
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
                t = replay_now();
                for (size_t k = 0; k < jobs; k++) {
                        bool ready = c[k].pid > 0 && (pfd[k].revents & (POLLIN | POLLHUP | POLLERR));
                        bool late = c[k].pid > 0 && !ready && t >= c[k].deadline;

                        if (!ready && !late)
                                continue;
                        child_finish(&c[k], &run->results[c[k].index], late);
                        run->done[c[k].index] = true;
                        running--;
                }
                replay_flush_done(run);
                if (r < 0 && running == 0)
                        break;
        }
        slots_free(c, jobs);
        return r;
}

double replay_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}
