/* SPDX-License-Identifier: MIT */
/* Fuzzed bundles, replayed: each input that loads as a bundle becomes a
 * testbed (switched into one directory, as replay's slots are), and the
 * host is read from it in this process, under umockdev's preload, as
 * `explain --bundle` reads it.  fuzz/access-shim.c, preloaded with
 * umockdev's, aborts on any file the reader opens, lists, stats or reads as
 * a link outside the testbed: that is the promise (a bundle's links
 * resolve inside it, replay/testbed-links.c), and libFuzzer keeps any
 * bundle that breaks it.  The target re-executes itself with the two
 * preloads when they are missing. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup-on-signal.h"
#include "base/fileio.h"
#include "base/hostpaths.h"
#include "bundle/bundle.h"
#include "bundle/yaml-doc.h"
#include "checks/check.h"
#include "config.h"
#include "host/host-read.h"
#include "host/pci.h"
#include "replay/testbed.h"
#include "fuzz.h"

#define SHIM "libfuzz-access-shim.so"

static char root[PATH_MAX];
static struct gd_testbed_tree *current;

/* LD_PRELOAD: the shim next to this program, then umockdev's preload. */
static void reexec_with_preloads(char **argv) {
        const char *preload = getenv("LD_PRELOAD"), *asan = getenv("ASAN_OPTIONS");
        char self[PATH_MAX], want[PATH_MAX * 2], *slash, *opts = NULL;
        ssize_t n;

        if (preload && strstr(preload, SHIM))
                return;
        n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        fuzz_assert(n > 0);
        self[n] = '\0';
        slash = strrchr(self, '/');
        fuzz_assert(slash);
        *slash = '\0';
        snprintf(want, sizeof(want), "%s/%s:%s", self, SHIM, UMOCKDEV_PRELOAD);
        *slash = '/';
        fuzz_assert(setenv("LD_PRELOAD", want, 1) == 0);
        /* The preloads come before libasan in the link order. */
        fuzz_assert(asprintf(&opts, "%s%sverify_asan_link_order=0", asan ? asan : "", asan && *asan ? ":" : "") >= 0);
        fuzz_assert(setenv("ASAN_OPTIONS", opts, 1) == 0);
        execv(self, argv);
        fprintf(stderr, "fuzz-testbed: cannot re-execute with %s: %s\n", want, strerror(errno));
        abort();
}

/* As fuzz.h's FUZZ_YAML targets: in place, replayed under the sandbox by
 * make fuzz. */
static void remove_root(void) {
        (void) gd_testbed_remove_dir(root, false);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
        const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

        (void) argc;
        reexec_with_preloads(*argv);
        if (!getenv("GPUDIAG_FUZZ_SANDBOX"))
                gd_yaml_parse_in_place();
        /* One testbed per fuzzing process, removed at exit; those of
         * processes that crashed go at the next start. */
        (void) signal_cleanup_sweep(tmp, "gpudiag-fuzz-");
        snprintf(root, sizeof(root), "%s/gpudiag-fuzz-%d-testbed", tmp, (int) getpid());
        (void) gd_testbed_remove_dir(root, false);
        fuzz_assert(mkdir(root, 0755) == 0);
        fuzz_assert(atexit(remove_root) == 0);
        fuzz_assert(setenv("GPUDIAG_FUZZ_ALLOW", root, 1) == 0);
        /* pci.ids and udev's hwdb once, before the shim is armed. */
        gd_pci_names_load();
        return 0;
}

static void read_host(void) {
        _cleanup_free_ char *config = path_join(root, "config");
        struct gd_host *h = NULL;
        struct gd_targets t = {};
        struct gd_findings f = {};
        int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

        fuzz_assert(cwd >= 0 && config);
        fuzz_assert(chdir(root) == 0);
        gd_config_root_set(config);
        fuzz_assert(setenv("UMOCKDEV_DIR", ".", 1) == 0);
        fuzz_assert(setenv("GPUDIAG_FUZZ_ARMED", "1", 1) == 0);
        if (gd_host_read(GD_READ_ALL | GD_READ_EVERY_DEVICE, &h) == 0 && gd_targets_find(h, NULL, &t) == 0) {
                gd_checks_run(h, &t, &f);
                gd_findings_clear(&f);
                gd_targets_clear(&t);
        }
        unsetenv("GPUDIAG_FUZZ_ARMED");
        unsetenv("UMOCKDEV_DIR");
        gd_host_free(h);
        gd_config_root_set(NULL);
        fuzz_assert(fchdir(cwd) == 0);
        close(cwd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct gd_bundle *b = NULL;
        struct gd_testbed_tree *tree = NULL;
        char *error = NULL;

        if (size > FUZZ_MAX_INPUT)
                return 0;
        if (gd_bundle_load_data(data, size, &b, &error) < 0) {
                free(error);
                return 0;
        }
        if (gd_testbed_tree_new(b, &tree, &error) == 0) {
                /* The slot way: write only what differs from the last one. */
                if (gd_testbed_switch(root, current, tree) < 0) {
                        fuzz_assert(gd_testbed_remove_dir(root, true) == 0);
                        gd_testbed_tree_free(current);
                        current = NULL;
                        if (gd_testbed_switch(root, NULL, tree) < 0) {
                                gd_testbed_remove_dir(root, true);
                                gd_testbed_tree_free(tree);
                                tree = NULL;
                        }
                }
                if (tree) {
                        gd_testbed_tree_free(current);
                        current = tree;
                        read_host();
                }
        }
        free(error);
        gd_bundle_free(b);
        return 0;
}
