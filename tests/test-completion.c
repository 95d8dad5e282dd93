/* SPDX-License-Identifier: MIT */
/* bash and zsh completion: `meson install` puts both files where the
 * shells look, and the installed files offer the commands, each command's
 * --format values, this host's PCI addresses for -s and files for --bundle,
 * as a person pressing TAB would see (bash through bash-completion, zsh in
 * a pseudo-terminal: tests/completion/). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "run-program.h"

static char destdir[] = "/tmp/gd-install-XXXXXX";
static char *bash_file, *zsh_dir;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st; (void) flag; (void) ftw;
        return remove(path);
}

/* meson install --destdir, once for the suite, with the build's prefix. */
static void install_once(void) {
        const char *build = getenv("GPUDIAG_BUILDDIR");
        char *argv[] = { (char *) "meson", (char *) "install", (char *) "-C", (char *) build, (char *) "--no-rebuild",
                         (char *) "--quiet", (char *) "--destdir", destdir, NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        int status;

        cr_assert_not_null(build, "GPUDIAG_BUILDDIR is not set (run through meson test)");
        cr_assert_not_null(mkdtemp(destdir));
        cr_assert_eq(run_program(argv, NULL, &out, &err, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "meson install: %s%s", out, err);
}

static void teardown(void) {
        if (destdir[sizeof(destdir) - 2] != 'X')
                nftw(destdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(bash_file);
        free(zsh_dir);
}

/* The installed file whose path ends in suffix, found by walking destdir. */
static char *found;
static const char *wanted;
static int find_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st; (void) ftw;
        if (flag == FTW_F && endswith(path, wanted) && !found)
                found = strdup(path);
        return 0;
}

static char *installed(const char *suffix) {
        found = NULL;
        wanted = suffix;
        nftw(destdir, find_entry, 16, FTW_PHYS);
        return found;
}

static void setup(void) {
        install_once();
        bash_file = installed("/bash-completion/completions/gpudiag");
        zsh_dir = installed("/_gpudiag");
        if (zsh_dir)
                *strrchr(zsh_dir, '/') = '\0';
}

/* Splits at sep, dropping empty pieces. */
static char **split(const char *s, char sep) {
        char **l = NULL;

        for (const char *p = s; p && *p; ) {
                const char *e = strchr(p, sep);
                size_t len = e ? (size_t) (e - p) : strlen(p);
                if (len > 0)
                        cr_assert_geq(strv_consume(&l, strndup(p, len)), 0);
                p = e ? e + 1 : NULL;
        }
        return l;
}

TestSuite(completion, .init = setup, .fini = teardown);

Test(completion, meson_install_puts_the_files_where_the_shells_look) {
        cr_assert_not_null(bash_file, "no bash completion below %s", destdir);
        cr_assert_not_null(zsh_dir, "no _gpudiag below %s", destdir);
        /* bash-completion loads completions/<command> on first use of the
         * command; zsh reads vendor-completions (Debian, /usr) or
         * site-functions (/usr/local) from its default fpath. */
        cr_assert(endswith(bash_file, "/share/bash-completion/completions/gpudiag"), "%s", bash_file);
        cr_assert(endswith(zsh_dir, "/share/zsh/vendor-completions") || endswith(zsh_dir, "/share/zsh/site-functions"),
                  "%s", zsh_dir);
}

/* Candidates for a command line; words split at spaces, a trailing space
 * starts a new, empty word. */
static char **complete(const char *shell, const char *line) {
        _cleanup_free_ char *script = NULL, *out = NULL, *err = NULL;
        char *argv[64];
        size_t n = 0;
        int status;
        _cleanup_strv_free_ char **words = NULL;

        if (streq(shell, "bash")) {
                require_tool("bash", "bash");
                cr_assert(access("/usr/share/bash-completion/bash_completion", R_OK) == 0,
                          "bash-completion is not installed (make check installs it)");
                script = source_path("tests/completion/complete.bash");
                argv[n++] = (char *) "bash";
                argv[n++] = script;
                argv[n++] = bash_file;
                words = split(line, ' ');
                for (size_t i = 0; words && words[i] && n < 60; i++)
                        argv[n++] = words[i];
                if (endswith(line, " "))
                        argv[n++] = (char *) "";
        } else {
                require_tool("zsh", "zsh");
                script = source_path("tests/completion/complete.zsh");
                argv[n++] = (char *) "zsh";
                argv[n++] = (char *) "-f";
                argv[n++] = script;
                argv[n++] = zsh_dir;
                argv[n++] = (char *) line;
        }
        argv[n] = NULL;
        cr_assert_eq(run_program(argv, NULL, &out, &err, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s '%s': %d %s", shell, line, status, err);
        return split(out, '\n');
}

static bool has(char **list, const char *want) {
        for (size_t i = 0; list && list[i]; i++)
                if (streq(list[i], want) || (want[0] == '/' ? false : endswith(list[i], want)))
                        return true;
        return false;
}

static void assert_offers_exactly(const char *shell, const char *line, const char *const *want, size_t n) {
        _cleanup_strv_free_ char **got = complete(shell, line);

        for (size_t i = 0; i < n; i++)
                cr_assert(has(got, want[i]), "%s '%s': %s not offered", shell, line, want[i]);
        cr_assert_eq(strv_length(got), n, "%s '%s': %zu candidates, expected %zu", shell, line, strv_length(got), n);
}

static const char *const shells[] = { "bash", "zsh" };

Test(completion, commands_are_offered_first) {
        for (size_t s = 0; s < ELEMENTSOF(shells); s++) {
                _cleanup_strv_free_ char **got = complete(shells[s], "gpudiag ");
                const char *cmds[] = { "explain", "groups", "collect", "import", "replay", "report", "plan", "apply",
                                       "undo" };

                for (size_t i = 0; i < ELEMENTSOF(cmds); i++)
                        cr_assert(has(got, cmds[i]), "%s: %s not offered", shells[s], cmds[i]);
        }
}

Test(completion, each_command_offers_its_own_formats) {
        static const char *const explain[] = { "text", "json", "prometheus" };
        static const char *const groups[] = { "text", "json", "dot" };
        static const char *const plan[] = { "text", "json", "sh" };

        for (size_t s = 0; s < ELEMENTSOF(shells); s++) {
                assert_offers_exactly(shells[s], "gpudiag explain --format ", explain, ELEMENTSOF(explain));
                assert_offers_exactly(shells[s], "gpudiag groups -f ", groups, ELEMENTSOF(groups));
                assert_offers_exactly(shells[s], "gpudiag plan --format ", plan, ELEMENTSOF(plan));
        }
}

Test(completion, plan_answers_are_offered_as_the_plan_takes_them) {
        static const char *const tools[] = { "initramfs-tools", "dracut", "mkinitcpio", "booster" };
        static const char *const loaders[] = { "update-grub", "grub2-mkconfig", "grub-mkconfig", "systemd-boot",
                                               "proxmox-boot-tool", "kernelstub" };

        for (size_t s = 0; s < ELEMENTSOF(shells); s++) {
                _cleanup_strv_free_ char **got = complete(shells[s], "gpudiag apply --");
                assert_offers_exactly(shells[s], "gpudiag plan --initramfs-tool ", tools, ELEMENTSOF(tools));
                assert_offers_exactly(shells[s], "gpudiag apply --bootloader ", loaders, ELEMENTSOF(loaders));
                cr_assert(has(got, "--yes") && has(got, "--journal") && has(got, "--unbind-console"), "%s", shells[s]);
        }
}

Test(completion, report_options_are_offered) {
        for (size_t s = 0; s < ELEMENTSOF(shells); s++) {
                _cleanup_strv_free_ char **got = complete(shells[s], "gpudiag report --");
                cr_assert(has(got, "--output") && has(got, "--slot") && has(got, "--bundle"), "%s", shells[s]);
        }
}

Test(completion, groups_offers_the_prediction_and_the_override_words) {
        static const char *const words[] = { "downstream", "multifunction", "downstream,multifunction" };

        for (size_t s = 0; s < ELEMENTSOF(shells); s++) {
                _cleanup_strv_free_ char **got = complete(shells[s], "gpudiag groups --");
                cr_assert(has(got, "--predict") && has(got, "--acs-override") && has(got, "--move"), "%s",
                          shells[s]);
        }
        assert_offers_exactly("bash", "gpudiag groups --predict --acs-override ", words, ELEMENTSOF(words));
        assert_offers_exactly("zsh", "gpudiag groups --predict --acs-override=", words, ELEMENTSOF(words));
}

Test(completion, slot_offers_the_addresses_of_this_host) {
        _cleanup_strv_free_ char **want = NULL;
        DIR *d = opendir("/sys/bus/pci/devices");
        struct dirent *e;

        cr_assert_not_null(d);
        while ((e = readdir(d)))
                if (e->d_name[0] != '.')
                        cr_assert_geq(strv_push_dup(&want, e->d_name), 0);
        closedir(d);
        for (size_t s = 0; s < ELEMENTSOF(shells); s++)
                assert_offers_exactly(shells[s], "gpudiag explain -s ", (const char *const *) want, strv_length(want));
}

Test(completion, bundle_completes_file_names) {
        char dir[] = "/tmp/gd-compl-XXXXXX", line[256], path[128];
        static const char *const names[] = { "host.yaml", "host.yaml.gz" };

        cr_assert_not_null(mkdtemp(dir));
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                FILE *f;
                snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                f = fopen(path, "w");
                cr_assert_not_null(f);
                fclose(f);
        }
        snprintf(line, sizeof(line), "gpudiag explain --bundle %s/ho", dir);
        for (size_t s = 0; s < ELEMENTSOF(shells); s++) {
                _cleanup_strv_free_ char **got = complete(shells[s], line);
                for (size_t i = 0; i < ELEMENTSOF(names); i++)
                        cr_assert(has(got, names[i]), "%s: %s not offered for '%s'", shells[s], names[i], line);
        }
        nftw(dir, rm_entry, 4, FTW_DEPTH | FTW_PHYS);
}
