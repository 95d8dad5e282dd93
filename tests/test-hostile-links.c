/* SPDX-License-Identifier: MIT */
/* A bundle's links never lead the reader out of its testbed.
 *
 * fixtures/hostile/links.yaml records, on the GPU, links in every shape a
 * stranger could use to reach this machine's files: ".." after a link
 * (the text cancels, the kernel does not), absolute targets, chains, a
 * link below another link, a group link, and loops.  A canary directory
 * outside the testbed holds the secrets; none of its bytes may reach the
 * output, each link that leads out is named by its bundle line, and the
 * kernel's own walk (openat2 RESOLVE_BENEATH) finds no link in the written
 * testbed that leaves it. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#endif

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "hostile.h"
#include "replay/testbed.h"
#include "testbed-run.h"

#define SECRET "CANARY-7e1f-SECRET"
#define GROUP_TYPE "CANARY-7e1f-TYPE"

static char *canary, *scratch, *bundle_path;

/* The canary outside any testbed, and the bundle that points at it. */
static void setup(void) {
        _cleanup_free_ char *tmpl = src_path("fixtures/hostile/links.yaml"), *text = NULL, *bundle = NULL;
        _cleanup_free_ char *group = NULL, *devices = NULL;

        canary = scratch_dir("canary");
        scratch = scratch_dir("links");
        free(spew(canary, "secret", SECRET "\n", strlen(SECRET) + 1));
        group = path_join(canary, "group");
        devices = path_join(group, "devices");
        cr_assert_eq(mkdir(group, 0755), 0);
        cr_assert_eq(mkdir(devices, 0755), 0);
        free(spew(group, "type", GROUP_TYPE "\n", strlen(GROUP_TYPE) + 1));
        free(spew(devices, "0000:66:00.0", "", 0));
        text = slurp(tmpl, NULL);
        bundle = substitute(text, canary);
        bundle_path = spew(scratch, "links.yaml", bundle, strlen(bundle));
}

static void teardown(void) {
        scratch_remove(canary);
        scratch_remove(scratch);
        free(canary);
        free(scratch);
        free(bundle_path);
}

TestSuite(hostile_links, .init = setup, .fini = teardown, .timeout = 60);

Test(hostile_links, no_byte_of_a_file_outside_the_testbed_reaches_the_output) {
        static const char *const commands[][6] = {
                { "explain", "-v", NULL },
                { "explain", "--format", "json", NULL },
                { "groups", NULL },
                { "groups", "--format", "json", NULL },
                { "groups", "--predict", NULL },
                { "groups", "--predict", "--format", "json", NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
                const char *args[10] = { NULL };
                _cleanup_free_ char *out = NULL, *err = NULL;
                size_t n = 0;
                int rc;

                for (; commands[i][n]; n++)
                        args[n] = commands[i][n];
                args[n++] = "--bundle";
                args[n++] = bundle_path;
                rc = gpudiag_run(args, NULL, NULL, &out, &err);
                cr_assert(rc == 0 || rc == 1, "gpudiag %s: exit %d: %s", args[0], rc, err);
                cr_assert_null(strstr(out, "CANARY-7e1f"), "gpudiag %s printed the canary:\n%s", args[0], out);
                cr_assert_null(strstr(err, "CANARY-7e1f"), "gpudiag %s printed the canary:\n%s", args[0], err);
                cr_assert_null(strstr(out, "0000:66:00.0"), "a group outside the testbed was listed:\n%s", out);
        }
}

/* Every link whose resolution leaves /sys is left out and named by its
 * line; the links that stay inside (up, here) and the loops (which end
 * at the kernel's ELOOP) are kept without a word. */
Test(hostile_links, each_link_that_leads_out_is_named_by_its_bundle_line) {
        _cleanup_free_ char *text = slurp(bundle_path, NULL), *out = NULL, *err = NULL;
        const char *args[] = { "explain", "--bundle", bundle_path, NULL };
        unsigned lineno = 0, named = 0;

        gpudiag_run(args, NULL, NULL, &out, &err);
        for (char *l = text, *nl; *l; l = nl + 1) {
                char tag[32];
                bool leaves, stays;

                nl = strchrnul(l, '\n');
                lineno++;
                if (!*nl)
                        break;
                *nl = '\0';
                if (!startswith(l, "  L: "))
                        continue;
                leaves = strstr(l, canary) || strstr(l, "chain") || strstr(l, "here/");
                stays = strstr(l, "loop") || startswith(l, "  L: up=") || startswith(l, "  L: here=") ||
                        strstr(l, "drivers/");
                cr_assert(leaves != stays, "fixture line %u is neither: %s", lineno, l);
                snprintf(tag, sizeof(tag), "line %u: link ", lineno);
                if (leaves) {
                        cr_assert_not_null(strstr(err, tag), "%s (%s) is not named:\n%s", tag, l, err);
                        named++;
                } else
                        cr_assert_null(strstr(err, tag), "%s (%s) stays inside, yet:\n%s", tag, l, err);
        }
        cr_assert_eq(named, 11, "the fixture plants 11 links that lead out, %u named", named);
        cr_assert_eq(count_of(err, "leads out of /sys"), 10, "%s", err);
        cr_assert_eq(count_of(err, "lies below another link"), 1, "%s", err);
}

#ifdef SYS_openat2
static int sys_fd = -1;
static size_t links_seen, links_out;
static const char *sys_root;

static int check_link(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
        long fd;

        (void) st, (void) ftw;
        if (flag != FTW_SL && flag != FTW_SLN)
                return 0;
        links_seen++;
        fd = syscall(SYS_openat2, sys_fd, path + strlen(sys_root) + 1, &how, sizeof(how));
        if (fd >= 0)
                close((int) fd);
        else if (errno == EXDEV)
                links_out++;
        else
                cr_assert(errno == ENOENT || errno == ELOOP || errno == ENOTDIR || errno == EAGAIN,
                          "%s: %s", path, strerror(errno));
        return 0;
}
#endif

/* The walk of testbed-links.c against the kernel's: every link left in
 * the written directory resolves below its /sys by openat2()'s own rules. */
Test(hostile_links, the_kernel_finds_no_link_in_the_written_testbed_that_leaves_it) {
#ifdef SYS_openat2
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_testbed_ struct gd_testbed *t = NULL;
        _cleanup_free_ char *err = NULL, *sys = NULL;
        size_t n_warnings = 0;

        cr_assert_eq(gd_bundle_load(bundle_path, &b, &err), 0, "%s", err);
        cr_assert_eq(gd_testbed_build(b, &t, &err), 0, "%s", err);
        for (char * const *w = gd_testbed_warnings(t); *w; w++)
                n_warnings++;
        cr_assert_eq(n_warnings, 11);
        sys = path_join(gd_testbed_root(t), "sys");
        sys_root = sys;
        sys_fd = open(sys, O_PATH | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(sys_fd, 0);
        {
                struct open_how probe = { .flags = O_PATH | O_CLOEXEC };
                long fd = syscall(SYS_openat2, sys_fd, ".", &probe, sizeof(probe));
                if (fd < 0 && (errno == ENOSYS || errno == EPERM))
                        cr_skip_test("openat2() is not available here");
                close((int) fd);
        }
        cr_assert_eq(nftw(sys, check_link, 16, FTW_PHYS), 0);
        close(sys_fd);
        cr_assert_gt(links_seen, 10, "only %zu links in the testbed", links_seen);
        cr_assert_eq(links_out, 0, "%zu links of the testbed lead out of it", links_out);
#else
        cr_skip_test("built without <linux/openat2.h>");
#endif
}

/* The other way round: no bundle of sysfs-snapshots/ (collected, imported
 * and synthetic hosts) loses a link, so the rule costs real hosts nothing. */
Test(hostile_links, no_link_of_a_real_or_imported_host_is_left_out, .timeout = 120) {
        static const char *const dirs[] = { "sysfs-snapshots", "sysfs-snapshots/imported" };
        size_t checked = 0;

        for (size_t d = 0; d < ELEMENTSOF(dirs); d++) {
                _cleanup_free_ char *dir = src_path(dirs[d]);
                _cleanup_strv_free_ char **names = NULL;

                cr_assert_eq(dir_list(dir, NULL, &names), 0, "%s", dir);
                for (char **n = names; *n; n++) {
                        _cleanup_free_ char *path = path_join(dir, *n), *err = NULL;
                        _cleanup_bundle_ struct gd_bundle *b = NULL;
                        _cleanup_(gd_testbed_tree_freep) struct gd_testbed_tree *t = NULL;
                        size_t len = strlen(*n);

                        if (len < 5 || (strcmp(*n + len - 5, ".yaml") != 0 && strcmp(*n + len - 3, ".gz") != 0))
                                continue;
                        cr_assert_eq(gd_bundle_load(path, &b, &err), 0, "%s: %s", path, err);
                        cr_assert_eq(gd_testbed_tree_new(b, &t, &err), 0, "%s: %s", path, err);
                        cr_assert_null(gd_testbed_tree_warnings(t)[0], "%s: %s", path, gd_testbed_tree_warnings(t)[0]);
                        checked++;
                }
        }
        cr_assert_gt(checked, 20);
}
