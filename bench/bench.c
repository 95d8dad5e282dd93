/* SPDX-License-Identifier: MIT */
/* bench GPUDIAG GEN-TOPOLOGY SRCDIR: times lspci -nnk, gpudiag groups,
 * gpudiag explain (and virt-host-validate qemu when installed) inside ONE
 * umockdev testbed per synthetic topology of 64, 512 and 4,096 functions, so
 * that the ratios compare the same sysfs; then gpudiag collect on this
 * machine and gpudiag replay over scenarios/.  Every run is fork/exec/wait4:
 * wall time from CLOCK_MONOTONIC, peak RSS from that child's ru_maxrss.
 *
 * The commands on one testbed run in rounds (each once per round), so that
 * a ratio compares runs made close together; each figure has its CPU time
 * (user + system) beside the wall time.  At the end, the table of issue 13
 * with this run's figures and whether each target was met.
 *
 * Environment: BENCH_RUNS (default 7), BENCH_SIZES (default "64 512 4096"),
 * BENCH_KMSG_LINES (default 100000), BENCH_REPLAY_RUNS (default 3),
 * BENCH_NO_REPLAY (skip replay), BENCH_BASELINE (another gpudiag, run in
 * the same rounds for explain, explain --bundle, collect and replay, and
 * shown as "[before]": a comparison this shared machine's load cannot
 * skew). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "base/strv.h"
#include "bundle/bundle.h"
#include "base/macro.h"
#include "config.h"
#include "replay/testbed.h"

#define MAX_RUNS 50
#define BEFORE "[before]"       /* the figures of BENCH_BASELINE's gpudiag */
#define MAX_SIZES 4
#define VHV "/usr/bin/virt-host-validate"

struct figure {
        const char *name;
        unsigned size;
        unsigned runs;
        double t[MAX_RUNS];
        double cpu[MAX_RUNS];          /* user + system seconds of the run */
        long rss_kb[MAX_RUNS];
        int status;             /* last exit status */
        bool ok;
};

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Runs argv with env (NULL: environ), stdout to out_path (NULL: /dev/null). */
static int run_once(char *const argv[], char *const env[], const char *out_path, double *ret_t, double *ret_cpu,
                    long *ret_rss, int *ret_status) {
        extern char **environ;
        posix_spawn_file_actions_t fa;
        struct rusage ru;
        int status, r;
        double t0;
        pid_t pid;

        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path ? out_path : "/dev/null",
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        t0 = now();
        r = posix_spawn(&pid, argv[0], &fa, NULL, argv, env ? env : environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                return -r;
        while (wait4(pid, &status, 0, &ru) < 0)
                if (errno != EINTR)
                        return -errno;
        *ret_t = now() - t0;
        if (ret_cpu)
                *ret_cpu = (double) ru.ru_utime.tv_sec + (double) ru.ru_utime.tv_usec / 1e6 +
                           (double) ru.ru_stime.tv_sec + (double) ru.ru_stime.tv_usec / 1e6;
        *ret_rss = ru.ru_maxrss;
        *ret_status = status;
        return 0;
}

/* ok_max: the highest exit status that is a result, not a failure. */
static void measure(struct figure *f, const char *name, unsigned size, unsigned runs, char *const argv[],
                    char *const env[], int ok_max) {
        *f = (struct figure) { .name = name, .size = size, .ok = true };
        for (unsigned i = 0; i < runs && i < MAX_RUNS; i++) {
                int status = 0;
                if (run_once(argv, env, NULL, &f->t[i], &f->cpu[i], &f->rss_kb[i], &status) < 0) {
                        f->ok = false;
                        f->status = 127;        /* could not be started */
                        return;
                }
                if (!WIFEXITED(status) || WEXITSTATUS(status) > ok_max) {
                        f->ok = false;
                        f->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                        return;
                }
                f->runs++;
        }
}

struct command {
        const char *name;
        char **argv;
        int ok_max;
        bool enabled;
        const char *out;        /* stdout to this file (NULL: /dev/null) */
};

/* Runs each enabled command once per round for runs rounds; fills one
 * figure per enabled command.  Returns how many. */
static size_t measure_rounds(struct figure *f, const struct command *cmds, size_t n, unsigned size, unsigned runs,
                             char *const env[]) {
        size_t k = 0;

        for (size_t c = 0; c < n; c++)
                if (cmds[c].enabled)
                        f[k++] = (struct figure) { .name = cmds[c].name, .size = size, .ok = true };
        for (unsigned i = 0; i < runs && i < MAX_RUNS; i++)
                for (size_t c = 0, j = 0; c < n; c++) {
                        struct figure *x;
                        int status = 0;

                        if (!cmds[c].enabled)
                                continue;
                        x = &f[j++];
                        if (!x->ok)
                                continue;
                        if (run_once(cmds[c].argv, env, cmds[c].out, &x->t[x->runs], &x->cpu[x->runs],
                                     &x->rss_kb[x->runs], &status) < 0) {
                                x->ok = false;
                                x->status = 127;
                                continue;
                        }
                        if (!WIFEXITED(status) || WEXITSTATUS(status) > cmds[c].ok_max) {
                                x->ok = false;
                                x->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                                continue;
                        }
                        x->runs++;
                }
        return k;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static double median_of(const double *v, unsigned n) {
        double s[MAX_RUNS];
        memcpy(s, v, n * sizeof(double));
        qsort(s, n, sizeof(double), cmp_double);
        return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double median(const struct figure *f) {
        return median_of(f->t, f->runs);
}

/* The CPU time of a run, user and system: what the machine's other load
 * changes least (wall time on this shared 2-core machine varied 5x within
 * an hour; CPU time within tens of percent). */
static double median_cpu(const struct figure *f) {
        return median_of(f->cpu, f->runs);
}

static double tmin(const struct figure *f) {
        double m = f->t[0];
        for (unsigned i = 1; i < f->runs; i++) m = f->t[i] < m ? f->t[i] : m;
        return m;
}

static double tmax(const struct figure *f) {
        double m = f->t[0];
        for (unsigned i = 1; i < f->runs; i++) m = f->t[i] > m ? f->t[i] : m;
        return m;
}

static long rss_max(const struct figure *f) {
        long m = 0;
        for (unsigned i = 0; i < f->runs; i++) m = f->rss_kb[i] > m ? f->rss_kb[i] : m;
        return m;
}

static const struct figure *find(const struct figure *fs, size_t n, const char *name, unsigned size) {
        for (size_t i = 0; i < n; i++)
                if (fs[i].size == size && streq(fs[i].name, name) && fs[i].ok && fs[i].runs > 0)
                        return &fs[i];
        return NULL;
}

static void print_figure(const struct figure *all, size_t n, const struct figure *f) {
        const struct figure *base = find(all, n, "lspci -nnk", f->size);
        const struct figure *f512 = find(all, n, f->name, 512), *f4096 = find(all, n, f->name, 4096);
        char ratio[32] = "-", growth[32] = "-", cpu_ratio[32] = "-";

        if (!f->ok) {
                printf("%5u  %-22s FAILED (exit status %d)\n", f->size, f->name, f->status);
                return;
        }
        if (base && base != f) {
                snprintf(ratio, sizeof(ratio), "%.2fx", median(f) / median(base));
                snprintf(cpu_ratio, sizeof(cpu_ratio), "%.2fx", median_cpu(f) / median_cpu(base));
        }
        if (f512 && f4096 && f->size == 4096)
                snprintf(growth, sizeof(growth), "%.1fx", median(f4096) / median(f512));
        printf("%5u  %-22s median %8.4f s  min %8.4f  max %8.4f  runs %2u  vs lspci %-7s  cpu %7.4f s (%s)  "
               "rss %6.1f MB  growth 512->4096 %s\n",
               f->size, f->name, median(f), tmin(f), tmax(f), f->runs, ratio, median_cpu(f), cpu_ratio,
               (double) rss_max(f) / 1024.0, growth);
}

/* The testbed is built and held by a child, so that this process never holds
 * a bundle: a spawned child's ru_maxrss includes the RSS of the process it was
 * spawned from (exec records the old mm's high-water mark).  The child writes
 * "LOAD BUILD\n" then the environment, NUL-separated, and keeps the testbed
 * until *ret_ctl is closed.  Returns its pid or -errno. */
static pid_t testbed_helper(const char *path, char ***ret_env, int *ret_ctl, double *ret_load, double *ret_build,
                            char **ret_error) {
        int data[2], ctl[2];
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;
        char **env = NULL;
        pid_t pid;

        fflush(stdout);
        if (pipe2(data, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(ctl, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                _cleanup_free_ char *error = NULL;
                _cleanup_strv_free_ char **e = NULL;
                struct gd_bundle *b = NULL;
                struct gd_testbed *t = NULL;
                struct gd_testbed_tree *tree = gd_testbed_tree_begin();
                const struct gd_bundle_records sink = { .record = gd_testbed_tree_record_sink, .userdata = tree };
                double t0 = now(), t_load, t_build;
                FILE *f;
                char c;

                close(data[0]);
                close(ctl[1]);
                f = fdopen(data[1], "w");
                if (!f || !tree)
                        _exit(1);
                /* As explain --bundle does it (cli/replay-exec.c): the
                 * records go into the tree as the bundle is read. */
                if (gd_bundle_load_records(path, &sink, &b, &error) < 0 || gd_testbed_tree_end(tree, b, &error) < 0) {
                        fprintf(f, "error bundle: %s", error ? error : "?");
                        _exit(1);
                }
                t_load = now() - t0;
                t0 = now();
                if (gd_testbed_build_tree(tree, &t, &error) < 0 || gd_testbed_exec_env(t, &e) < 0) {
                        fprintf(f, "error testbed: %s", error ? error : "?");
                        _exit(1);
                }
                t_build = now() - t0;
                gd_testbed_tree_free(tree);
                gd_bundle_free(b);
                fprintf(f, "%f %f\n", t_load, t_build);
                for (char **p = e; *p; p++)
                        fwrite(*p, 1, strlen(*p) + 1, f);
                fclose(f);
                while (read(ctl[0], &c, 1) > 0 || errno == EINTR)
                        ;
                gd_testbed_free(t);
                _exit(0);
        }
        close(data[1]);
        close(ctl[0]);
        for (;;) {
                ssize_t n;
                if (len + 4096 > cap) {
                        char *nb = realloc(buf, cap = cap * 2 + 8192);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                }
                n = read(data[0], buf + len, cap - len - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t) n;
        }
        close(data[0]);
        if (!buf || len == 0 || startswith(buf, "error")) {
                if (buf && len) {
                        buf[len] = '\0';
                        *ret_error = strdup(buf);
                }
                close(ctl[1]);
                waitpid(pid, NULL, 0);
                return -EINVAL;
        }
        buf[len] = '\0';
        if (sscanf(buf, "%lf %lf", ret_load, ret_build) != 2)
                return -EINVAL;
        for (char *p = strchr(buf, '\n') + 1; p < buf + len; p += strlen(p) + 1)
                if (strv_push_dup(&env, p) < 0)
                        return -ENOMEM;
        *ret_env = env;
        *ret_ctl = ctl[1];
        return pid;
}

static int gen_bundle(const char *gen, unsigned size, const char *kmsg_lines, const char *path) {
        char nbuf[16];
        char *argv[] = { (char *) gen, nbuf, (char *) path, (char *) kmsg_lines, NULL };
        double t;
        long rss;
        int status, r;

        snprintf(nbuf, sizeof(nbuf), "%u", size);
        r = run_once(argv, NULL, NULL, &t, NULL, &rss, &status);
        if (r < 0)
                return r;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/* The table of issue 13 ("Performance"), read off the figures above: each
 * row with its figure, its target and whether this run met it.  Wall times
 * are medians; the CPU column is the same runs' user + system time. */
static const struct figure *find_replay(const struct figure *fs, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(fs[i].name, name) && fs[i].ok && fs[i].runs > 0 && fs[i].size > 0)
                        return &fs[i];
        return NULL;
}

static void summary_of(const struct figure *fs, size_t n, bool before) {
        const char *tag = before ? " " BEFORE : "";
        char name[64];
        const struct figure *l64 = find(fs, n, "lspci -nnk", 64), *l4k = find(fs, n, "lspci -nnk", 4096);
        const struct figure *e64, *e4k, *b4k, *c200, *rep;

#define FIND(var, what, size) do {                                       \
                snprintf(name, sizeof(name), "%s%s", what, tag);          \
                var = find(fs, n, name, size);                            \
        } while (0)
        FIND(e64, "gpudiag explain", 64);
        FIND(e4k, "gpudiag explain", 4096);
        FIND(b4k, "explain --bundle", 4096);
        FIND(c200, "gpudiag collect", 200);
#undef FIND
        snprintf(name, sizeof(name), "gpudiag replay -j 2%s", tag);
        rep = find_replay(fs, n, name);

#define ROW(what, ok, target, ...) do {                                                        \
                char now_[160], label_[64];                                                     \
                snprintf(now_, sizeof(now_), __VA_ARGS__);                                      \
                snprintf(label_, sizeof(label_), "%s%s", what, tag);                            \
                printf("%-46s  %-56s  %-20s  %s\n", label_, now_, target, ok ? "yes" : "no");   \
        } while (0)
        if (l64 && e64)
                ROW("explain vs lspci -nnk, 64 devices", median(e64) / median(l64) <= 1.3, "<= 1.3x",
                    "%.2fx (%.4f s vs %.4f s; cpu %.2fx)", median(e64) / median(l64), median(e64), median(l64),
                    median_cpu(e64) / median_cpu(l64));
        if (l4k && e4k)
                ROW("explain vs lspci -nnk, 4,096 devices", median(e4k) / median(l4k) <= 1.0, "<= 1.0x",
                    "%.2fx (%.3f s vs %.3f s; cpu %.2fx)", median(e4k) / median(l4k), median(e4k), median(l4k),
                    median_cpu(e4k) / median_cpu(l4k));
        if (b4k)
                ROW("explain --bundle, 4,096 devices", median(b4k) <= 2.0 && rss_max(b4k) <= 64 * 1024,
                    "<= 2 s, <= 64 MB", "%.2f s (%.2f-%.2f), %.1f MB, cpu %.2f s", median(b4k), tmin(b4k), tmax(b4k),
                    (double) rss_max(b4k) / 1024.0, median_cpu(b4k));
        if (rep)
                ROW("replay -j 2, scenarios/s", rep->size / median(rep) >= 200, ">= 200 scenarios/s",
                    "%.1f/s (%u in %.2f s, %.2f-%.2f), cpu %.2f s", rep->size / median(rep), rep->size, median(rep),
                    tmin(rep), tmax(rep), median_cpu(rep));
        if (c200)
                ROW("collect, 200 functions", median(c200) <= 0.3, "<= 0.3 s", "%.3f s (%.3f-%.3f), %.1f MB, cpu %.3f s",
                    median(c200), tmin(c200), tmax(c200), (double) rss_max(c200) / 1024.0, median_cpu(c200));
#undef ROW
}

/* The table of issue 13 ("Performance"), read off the figures above: each
 * row with its figure, its target and whether this run met it; with
 * BENCH_BASELINE, the same rows for that gpudiag, measured in the same
 * rounds.  Wall times are medians; the CPU figures are the same runs'
 * user + system time. */
static void summary(const struct figure *fs, size_t n, bool with_before) {
        printf("\nIssue 13, Performance (this run; wall medians, min-max; CPU: user + system)\n");
        printf("%-46s  %-56s  %-20s  %s\n", "measure", "now", "must reach", "met");
        summary_of(fs, n, false);
        if (with_before)
                summary_of(fs, n, true);
}

int main(int argc, char **argv) {
        static struct figure figs[96];
        const char *runs_s = getenv("BENCH_RUNS"), *sizes_s = getenv("BENCH_SIZES");
        const char *kmsg_lines = getenv("BENCH_KMSG_LINES");
        unsigned runs = runs_s ? (unsigned) atoi(runs_s) : 7, sizes[MAX_SIZES], n_sizes = 0;
        char tmpdir[] = "/tmp/gpudiag-bench-XXXXXX";
        const char *baseline = getenv("BENCH_BASELINE");
        size_t nf = 0;
        bool have_vhv = access(VHV, X_OK) == 0;

        if (argc != 4) {
                fprintf(stderr, "usage: %s GPUDIAG GEN-TOPOLOGY SRCDIR\n", argv[0]);
                return 2;
        }
        if (runs < 1 || runs > MAX_RUNS)
                runs = 7;
        if (!kmsg_lines)
                kmsg_lines = "100000";
        for (char *s = (char *) (sizes_s ? sizes_s : "64 512 4096"), *end; n_sizes < MAX_SIZES; s = end) {
                unsigned long v = strtoul(s, &end, 10);
                if (end == s)
                        break;
                sizes[n_sizes++] = (unsigned) v;
        }
        if (!mkdtemp(tmpdir)) {
                perror("mkdtemp");
                return 1;
        }
        if (!*LSPCI_PATH)
                printf("note: lspci is not installed; ratios are not available\n");
        if (!have_vhv)
                printf("note: virt-host-validate is not installed (package libvirt-clients): not timed\n");
        if (baseline && access(baseline, X_OK) < 0) {
                printf("note: BENCH_BASELINE=%s cannot be run: no before figures\n", baseline);
                baseline = NULL;
        }
        if (baseline)
                printf("note: " BEFORE " is %s, run in the same rounds\n", baseline);

        for (unsigned s = 0; s < n_sizes; s++) {
                _cleanup_free_ char *path = NULL, *error = NULL;
                _cleanup_strv_free_ char **env = NULL;
                struct stat st;
                double t0, t_load = 0, t_build = 0;
                int r, ctl = -1;
                pid_t helper;

                if (asprintf(&path, "%s/topology-%u.yaml", tmpdir, sizes[s]) < 0)
                        return 1;
                t0 = now();
                r = gen_bundle(argv[2], sizes[s], kmsg_lines, path);
                if (r < 0 || stat(path, &st) < 0) {
                        printf("%5u  generating the bundle failed\n", sizes[s]);
                        continue;
                }
                printf("%5u  bundle %.1f MB, %s kmsg records, generated in %.2f s\n", sizes[s],
                       (double) st.st_size / 1e6, kmsg_lines, now() - t0);
                helper = testbed_helper(path, &env, &ctl, &t_load, &t_build, &error);
                if (helper < 0) {
                        printf("%5u  testbed does not build: %s\n", sizes[s], error ? error : strerror((int) -helper));
                        continue;
                }
                printf("%5u  bundle load %.3f s, testbed build %.3f s (paid by every --bundle run)\n", sizes[s],
                       t_load, t_build);
                fflush(stdout);
                /* Every command once per round, round after round: the ratios
                 * compare runs made close together on this shared machine. */
                {
                        char *lspci[] = { (char *) LSPCI_PATH, (char *) "-nnk", NULL };
                        char *groups[] = { argv[1], (char *) "groups", NULL };
                        char *explain[] = { argv[1], (char *) "explain", NULL };
                        char *json[] = { argv[1], (char *) "explain", (char *) "--json", NULL };
                        char *vhv[] = { (char *) VHV, (char *) "qemu", NULL };
                        char *explain_b[] = { (char *) baseline, (char *) "explain", NULL };
                        const struct command cmds[] = {
                                { "lspci -nnk", lspci, 0, *LSPCI_PATH != '\0' },
                                { "gpudiag groups", groups, 1, true },
                                { "gpudiag explain", explain, 1, true },
                                { "gpudiag explain --json", json, 1, true },
                                { "virt-host-validate qemu", vhv, 255, have_vhv },
                                { "gpudiag explain " BEFORE, explain_b, 1, baseline != NULL },
                        };

                        nf += measure_rounds(&figs[nf], cmds, ELEMENTSOF(cmds), sizes[s], runs, env);
                }
                {
                        char *a[] = { argv[1], (char *) "explain", (char *) "--bundle", path, NULL };
                        char *b[] = { (char *) baseline, (char *) "explain", (char *) "--bundle", path, NULL };
                        const struct command cmds[] = {
                                { "explain --bundle", a, 1, true },
                                { "explain --bundle " BEFORE, b, 1, baseline != NULL },
                        };

                        nf += measure_rounds(&figs[nf], cmds, ELEMENTSOF(cmds), sizes[s],
                                             sizes[s] > 512 ? 3 : runs < 5 ? runs : 5, NULL);
                }
                close(ctl);                             /* the helper removes the testbed */
                while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
                        ;
                unlink(path);
        }

        printf("\n");
        for (size_t i = 0; i < nf; i++)
                print_figure(figs, nf, &figs[i]);

        /* gpudiag collect on this machine, without a testbed. */
        {
                _cleanup_free_ char *out = NULL;
                char *help[] = { argv[1], (char *) "collect", (char *) "--help", NULL };
                double t;
                long rss;
                int status;

                if (asprintf(&out, "%s/collect.yaml", tmpdir) < 0)
                        return 1;
                if (run_once(help, NULL, NULL, &t, NULL, &rss, &status) == 0 && WIFEXITED(status) &&
                    WEXITSTATUS(status) == 0) {
                        char *a[] = { argv[1], (char *) "collect", (char *) "-q", (char *) "-o", out, NULL };
                        struct figure f;
                        unsigned n_dev = 0;
                        _cleanup_closedir_ DIR *d = opendir("/sys/bus/pci/devices");
                        for (struct dirent *de; d && (de = readdir(d)); )
                                n_dev += de->d_name[0] != '.';
                        measure(&f, "gpudiag collect", n_dev, runs, a, NULL, 0);
                        if (f.ok)
                                printf("%5u  %-22s median %8.4f s  min %8.4f  max %8.4f  runs %2u  cpu %7.4f s  "
                                       "rss %6.1f MB  (this machine: %u PCI functions)\n", n_dev, f.name, median(&f),
                                       tmin(&f), tmax(&f), f.runs, median_cpu(&f), (double) rss_max(&f) / 1024.0, n_dev);
                        else
                                printf("%5u  gpudiag collect FAILED (exit status %d)\n", n_dev, f.status);
                        unlink(out);
                } else
                        printf("note: gpudiag has no collect command yet: not timed\n");
        }

        /* The collect goal is for a 200-function host, which this
         * machine is not: collect inside a testbed of one (with a boot-sized
         * log of 5,000 records), under the preload like everything above. */
        {
                _cleanup_free_ char *path = NULL, *out = NULL, *error = NULL;
                _cleanup_strv_free_ char **env = NULL;
                double t_load = 0, t_build = 0;
                int ctl = -1;
                pid_t helper;

                if (asprintf(&path, "%s/topology-200.yaml", tmpdir) < 0 || asprintf(&out, "%s/collect-200.yaml", tmpdir) < 0)
                        return 1;
                if (gen_bundle(argv[2], 200, "5000", path) == 0 &&
                    (helper = testbed_helper(path, &env, &ctl, &t_load, &t_build, &error)) > 0) {
                        char *a[] = { argv[1], (char *) "collect", (char *) "-q", (char *) "-o", out, NULL };
                        char *b[] = { (char *) baseline, (char *) "collect", (char *) "-q", (char *) "-o", out, NULL };
                        const struct command cmds[] = {
                                { "gpudiag collect", a, 0, true },
                                { "gpudiag collect " BEFORE, b, 0, baseline != NULL },
                        };
                        size_t k = measure_rounds(&figs[nf], cmds, ELEMENTSOF(cmds), 200, runs, env);

                        for (size_t i = nf; i < nf + k; i++) {
                                const struct figure *f = &figs[i];

                                if (f->ok)
                                        printf("%5u  %-22s median %8.4f s  min %8.4f  max %8.4f  runs %2u  cpu %7.4f s  "
                                               "rss %6.1f MB  (testbed: 200 functions, 5,000 log records)\n", 200u,
                                               f->name, median(f), tmin(f), tmax(f), f->runs, median_cpu(f),
                                               (double) rss_max(f) / 1024.0);
                                else
                                        printf("%5u  %s FAILED in the testbed (exit status %d)\n", 200u, f->name,
                                               f->status);
                        }
                        nf += k;
                        close(ctl);
                        while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
                                ;
                } else
                        printf("  200  testbed for collect does not build: %s\n", error ? error : "?");
                unlink(path);
                unlink(out);
        }

        /* Scenario replay throughput, BENCH_REPLAY_RUNS times (default 3). */
        if (!getenv("BENCH_NO_REPLAY")) {
                _cleanup_free_ char *scen = NULL, *out = NULL, *out_b = NULL;
                const char *rr = getenv("BENCH_REPLAY_RUNS");
                unsigned replay_runs = rr && atoi(rr) > 0 && atoi(rr) <= MAX_RUNS ? (unsigned) atoi(rr) : 3;

                if (asprintf(&scen, "%s/scenarios", argv[3]) < 0 || asprintf(&out, "%s/replay.tap", tmpdir) < 0 ||
                    asprintf(&out_b, "%s/replay-before.tap", tmpdir) < 0)
                        return 1;
                {
                        char *a[] = { argv[1], (char *) "replay", (char *) "-j", (char *) "2", scen, NULL };
                        char *b[] = { (char *) baseline, (char *) "replay", (char *) "-j", (char *) "2", scen, NULL };
                        const struct command cmds[] = {
                                { "gpudiag replay -j 2", a, 1, true, out },
                                { "gpudiag replay -j 2 " BEFORE, b, 1, baseline != NULL, out_b },
                        };
                        size_t k = measure_rounds(&figs[nf], cmds, ELEMENTSOF(cmds), 0, replay_runs, NULL);

                        for (size_t i = nf; i < nf + k; i++) {
                                struct figure *f = &figs[i];
                                _cleanup_fclose_ FILE *tap = fopen(i == nf ? out : out_b, "re");
                                char line[512];
                                unsigned n = 0;

                                while (tap && fgets(line, sizeof(line), tap))
                                        n += startswith(line, "ok ") || startswith(line, "not ok ");
                                f->size = n;
                                if (f->ok && f->runs > 0 && n > 0)
                                        printf("%5s  %-22s %u scenarios: median %.3f s (%.1f scenarios/s), min %.3f  "
                                               "max %.3f  runs %u  cpu %.3f s  rss %.1f MB\n", "-", f->name, n,
                                               median(f), n / median(f), tmin(f), tmax(f), f->runs, median_cpu(f),
                                               (double) rss_max(f) / 1024.0);
                                else
                                        printf("note: %s %s failed (status %d): not timed\n", f->name, scen, f->status);
                        }
                        nf += k;
                }
                unlink(out);
                unlink(out_b);
        }

        summary(figs, nf, baseline != NULL);
        rmdir(tmpdir);
        return 0;
}
