/* SPDX-License-Identifier: MIT */
/* predict-accuracy [-v] [--acs-override=SPEC] DUMP...: how well the IOMMU group predictor
 * (harness/predict/) agrees with the real groups of whole `lspci -vvnn`
 * dumps (sysfs-snapshots/lspci-vv/).
 *
 * Each dump goes the way a user's paste goes: `gpudiag import` (in
 * process) makes a bundle, replay makes its umockdev testbed, and this
 * program runs itself inside it (--inside) to read the host with the one
 * reader.  There the predictor gets the host without the groups (not
 * even which devices the IOMMU left without one: those are only left out
 * of the comparison), and its partition is compared with the real one: as the kernel would program
 * ACS once the IOMMU is on ("derived", what a user with the IOMMU off
 * gets), with ACSCtl as the dump shows it ("shown"), and, for information,
 * under the proposed switch rework ("rework", not in a released kernel:
 * where it differs it says how the rework would change the groups).
 *
 * One line per dump: NAME key=value ...; with -v the devices placed wrongly
 * and the reasons the predictor gave; then the totals.  --acs-override
 * predicts as if pcie_acs_override=SPEC had been on the command line (to
 * test whether an override kernel explains a dump).  The kernel release
 * comes from the dump's "# kernel:" line.  Exit status 0, or 1 when a dump
 * could not be imported or replayed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "host/host-read.h"
#include "import/import.h"
#include "predict/predict.h"
#include "replay/testbed.h"

#define DUMP_MAX (8u << 20)
#define OUT_MAX (4u << 20)

static void print_diff(const struct gd_host *h, const struct gd_prediction *p, const struct gd_group_diff *d) {
        for (size_t k = 0; k < d->n_devs; k++) {
                const struct gd_group_diff_dev *x = &d->devs[k];

                printf("    %s (group %d):", h->devs[x->dev].address, h->devs[x->dev].iommu_group);
                for (char **s = x->missing; s && *s; s++)
                        printf(" -%s", *s);
                for (char **s = x->extra; s && *s; s++)
                        printf(" +%s", *s);
                printf("\n");
                for (size_t m = 0; m < p->n_merges; m++)
                        if (p->merges[m].dev == x->dev)
                                printf("      predicted: %s\n", p->merges[m].reason);
        }
        for (char **s = p->unknowns; s && *s; s++)
                printf("    unknown: %s\n", *s);
}

/* "exact", "differs" or "none" for the display functions with a group. */
static const char *gpu_state(const struct gd_host *h, const struct gd_group_diff *d) {
        bool any = false, wrong = false;

        for (size_t i = 0; i < h->n_devs; i++) {
                if (!gd_pci_is_display(&h->devs[i]) || h->devs[i].iommu_group == GD_GROUP_NONE)
                        continue;
                any = true;
                wrong = wrong || !gd_group_diff_dev_exact(d, i);
        }
        return !any ? "none" : wrong ? "differs" : "exact";
}

static int inside(const char *kernel, const char *override, bool verbose) {
        _cleanup_host_ struct gd_host *h = NULL;
        static const enum gd_acs_ctrl_source modes[] = { GD_ACS_CTRL_KERNEL, GD_ACS_CTRL_SHOWN, GD_ACS_CTRL_KERNEL };
        static const enum gd_predict_rules rules[] = { GD_RULES_CLASSIC, GD_RULES_CLASSIC, GD_RULES_SWITCH_REWORK };
        static const char *const mode_names[] = { "derived", "shown", "rework" };
        int r = gd_host_read(GD_READ_PCI | GD_READ_IOMMU | GD_READ_KERNEL | GD_READ_PLATFORM | GD_READ_EVERY_DEVICE,
                             &h);

        if (r < 0) {
                fprintf(stderr, "cannot read the testbed: %s\n", strerror(-r));
                return 1;
        }
        for (size_t m = 0; m < ELEMENTSOF(modes); m++) {
                _cleanup_prediction_ struct gd_prediction *p = NULL;
                _cleanup_group_diff_ struct gd_group_diff *d = NULL;
                _cleanup_free_ char *error = NULL;
                struct gd_predict_options o;
                size_t uncertain = 0;

                gd_predict_options_from_host(h, &o);
                o.acs_ctrl = modes[m];
                o.rules = rules[m];
                if (override)
                        o.acs_override = override;
                o.ungrouped_untranslated = false;       /* nothing of the real groups */
                if (kernel && sscanf(kernel, "%u.%u", &o.kernel_major, &o.kernel_minor) != 2)
                        o.kernel_major = o.kernel_minor = 0;
                r = gd_predict_groups(h, &o, &p, &error);
                if (r < 0 || gd_prediction_diff(h, p, &d) < 0) {
                        fprintf(stderr, "prediction failed: %s\n", error ? error : strerror(-r));
                        return 1;
                }
                for (size_t g = 0; g < p->n_groups; g++)
                        uncertain += p->groups[g].uncertain;
                if (m == 0)
                        printf("devices=%zu compared=%zu real-groups=%zu", h->n_devs, d->n_compared, d->n_real_groups);
                printf(" %s=%s,%zu/%zu,gpu-%s,uncertain-%zu", mode_names[m],
                       d->n_compared > 0 && d->n_devs == 0 ? "exact" : "differs", d->n_exact_groups,
                       d->n_real_groups, gpu_state(h, d), uncertain);
                if (verbose && d->n_devs > 0 && rules[m] == GD_RULES_CLASSIC) {
                        printf("\n  %s:\n", mode_names[m]);
                        print_diff(h, p, d);
                }
        }
        printf("\n");
        return 0;
}

/* The first word after "# kernel: " in the dump's header. */
static char *dump_kernel(const char *text) {
        const char *p = strstr(text, "\n# kernel: ");

        if (!p)
                return NULL;
        p += strlen("\n# kernel: ");
        return strndup(p, strcspn(p, " \n"));
}

static int import_to(const char *path, const char *text, size_t len, const char *bundle) {
        _cleanup_import_ struct gd_import *im = gd_import_new();
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        if (!im)
                return -ENOMEM;
        r = gd_import_feed(im, path, text, len, GD_IMPORT_AUTO);
        if (r < 0)
                return r;
        if (gd_import_n_devices(im) == 0)
                return -EINVAL;
        f = fopen(bundle, "we");
        if (!f)
                return -errno;
        return gd_import_write(im, f, path, "1970-01-01T00:00:00Z", NULL);
}

static int run_inside(const struct gd_testbed *t, const char *self, const char *kernel, const char *override,
                      bool verbose, char **ret) {
        _cleanup_strv_free_ char **env = NULL;
        char *argv[] = { (char *) self, (char *) "--inside", (char *) (kernel ? kernel : "-"),
                         (char *) (override ? override : "-"), verbose ? (char *) "-v" : NULL, NULL };
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        int fds[2], status, r;
        pid_t pid;

        r = gd_testbed_exec_env(t, &env);
        if (r < 0)
                return r;
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                dup2(fds[1], STDOUT_FILENO);
                execve(self, argv, env);
                _exit(127);
        }
        close(fds[1]);
        out = malloc(OUT_MAX + 1);
        for (ssize_t n; out && len < OUT_MAX && (n = read(fds[0], out + len, OUT_MAX - len)) != 0;)
                if (n > 0)
                        len += (size_t) n;
                else if (errno != EINTR)
                        break;
        close(fds[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (!out)
                return -ENOMEM;
        out[len] = '\0';
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -EIO;
        *ret = TAKE_PTR(out);
        return 0;
}

static int one_dump(const char *self, const char *path, const char *override, bool verbose, char **ret) {
        _cleanup_free_ char *text = NULL, *kernel = NULL, *error = NULL, *bundle = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_testbed_ struct gd_testbed *t = NULL;
        const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        size_t len;
        int fd, r;

        r = read_file_capped(path, DUMP_MAX, &text, &len);
        if (r < 0)
                return r;
        kernel = dump_kernel(text);
        if (asprintf(&bundle, "%s/predict-accuracy-XXXXXX", tmp) < 0)
                return -ENOMEM;
        fd = mkstemp(bundle);
        if (fd < 0)
                return -errno;
        close(fd);
        r = import_to(path, text, len, bundle);
        if (r == 0)
                r = gd_bundle_load(bundle, &b, &error);
        (void) unlink(bundle);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", path, error ? error : strerror(-r));
                return r;
        }
        r = gd_testbed_build(b, &t, &error);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", path, error ? error : strerror(-r));
                return r;
        }
        return run_inside(t, self, kernel, override, verbose, ret);
}

int main(int argc, char **argv) {
        _cleanup_free_ char *self = realpath("/proc/self/exe", NULL);
        size_t n = 0, exact[2] = { 0 }, gpus = 0, gpu_exact = 0;
        const char *override = NULL;
        bool verbose = false;
        int status = 0, first = 1;

        if (argc >= 4 && streq(argv[1], "--inside"))
                return inside(streq(argv[2], "-") ? NULL : argv[2], streq(argv[3], "-") ? NULL : argv[3],
                              argc > 4 && streq(argv[4], "-v"));
        for (; first < argc && argv[first][0] == '-'; first++)
                if (streq(argv[first], "-v"))
                        verbose = true;
                else if (startswith(argv[first], "--acs-override="))
                        override = argv[first] + strlen("--acs-override=");
                else {
                        fprintf(stderr, "predict-accuracy: unknown option %s\n", argv[first]);
                        return 2;
                }
        if (!self) {
                fprintf(stderr, "predict-accuracy: cannot find itself\n");
                return 1;
        }
        for (int k = first; k < argc; k++) {
                _cleanup_free_ char *out = NULL;
                const char *name = strrchr(argv[k], '/') ? strrchr(argv[k], '/') + 1 : argv[k];
                const char *g;
                int r = one_dump(self, argv[k], override, verbose, &out);

                if (r < 0) {
                        printf("%s error=%s\n", name, strerror(-r));
                        status = 1;
                        continue;
                }
                printf("%s %s", name, out);
                n++;
                exact[0] += strstr(out, " derived=exact") != NULL;
                exact[1] += strstr(out, " shown=exact") != NULL;
                g = strstr(out, " derived=");
                if (g && !strstr(g, ",gpu-none,")) {
                        gpus++;
                        gpu_exact += strstr(g, ",gpu-exact,") != NULL;
                }
        }
        if (n > 0)
                printf("total: %zu dumps; exact partition: derived %zu (%.0f%%), shown %zu (%.0f%%); "
                       "GPU group exact (derived): %zu of %zu dumps with a GPU\n", n, exact[0], 100.0 * (double) exact[0] / (double) n,
                       exact[1], 100.0 * (double) exact[1] / (double) n, gpu_exact, gpus);
        return status;
}
