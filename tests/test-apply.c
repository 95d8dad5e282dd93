/* SPDX-License-Identifier: MIT */
/* gpudiag apply and gpudiag undo, run inside the testbeds of
 * fixtures/plan/ (GPUDIAG_CONFIG_ROOT is the testbed's /etc), with the
 * commands the plan runs (update-initramfs, update-grub, driverctl) on a
 * PATH of fake tools that only log their arguments: the external world's
 * stand-ins, never gpudiag's own code.  What apply writes is checked
 * against the plan's diffs applied by patch(1); undo must leave every file
 * below the config root byte for byte, and mode for mode, as it was.
 * The script of plan --format sh, run on a copy of the files, must write
 * what apply writes. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/apply.h"
#include "base/hostpaths.h"
#include "base/strv.h"
#include "plan-fixture.h"
#include "testbed-run.h"

static char tmpdir[] = "/tmp/gd-test-apply-XXXXXX";

/* Each prints its name and arguments to $GPUDIAG_FAKE_LOG. */
static const char *const fake_tools[] = {
        "update-initramfs", "update-grub", "grub-mkconfig", "dracut", "mkinitcpio", "proxmox-boot-tool",
        "kernel-install", "kernelstub", "driverctl",
};

static void setup(void) {
        _cleanup_free_ char *bin = NULL;

        cr_assert_not_null(mkdtemp(tmpdir));
        cr_assert_geq(asprintf(&bin, "%s/bin", tmpdir), 0);
        cr_assert_eq(mkdir(bin, 0755), 0);
        for (size_t i = 0; i < ELEMENTSOF(fake_tools); i++) {
                _cleanup_free_ char *p = NULL;
                FILE *f;
                cr_assert_geq(asprintf(&p, "%s/%s", bin, fake_tools[i]), 0);
                f = fopen(p, "we");
                cr_assert_not_null(f);
                fprintf(f, "#!/bin/sh\necho \"%s $*\" >> \"$GPUDIAG_FAKE_LOG\"\n", fake_tools[i]);
                cr_assert_eq(fclose(f), 0);
                cr_assert_eq(chmod(p, 0755), 0);
        }
        /* The testbeds below /tmp, not /dev/shm: umockdev's preload
         * treats files below /dev as device nodes. */
        setenv("TMPDIR", tmpdir, 1);
}

static void teardown(void) {
        char *argv[] = { (char *) "/bin/rm", (char *) "-rf", tmpdir, NULL };
        _cleanup_free_ char *out = NULL;

        (void) program_run(argv, NULL, NULL, &out, NULL, NULL);
}

TestSuite(apply, .init = setup, .fini = teardown, .timeout = 120);

/* ---- the file tree below a root --------------------------------------------- */

struct tree {
        char **paths;          /* relative, sorted */
        char **contents;
        mode_t *modes;
        size_t n;
};

static char *slurp(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t size = 0;
        FILE *m;
        char chunk[4096];
        size_t n;

        if (!f)
                return NULL;
        m = open_memstream(&buf, &size);
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                fwrite(chunk, 1, n, m);
        fclose(m);
        fclose(f);
        return buf;
}

static void walk(const char *root, const char *rel, struct tree *t, const char *skip) {
        _cleanup_free_ char *dir = NULL;
        struct dirent **names = NULL;
        int n;

        cr_assert_geq(asprintf(&dir, "%s%s", root, rel), 0);
        n = scandir(dir, &names, NULL, alphasort);
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *sub = NULL, *full = NULL;
                struct stat st;

                if (names[i]->d_name[0] == '.' && (!names[i]->d_name[1] || !strcmp(names[i]->d_name, ".."))) {
                        free(names[i]);
                        continue;
                }
                cr_assert_geq(asprintf(&sub, "%s/%s", rel, names[i]->d_name), 0);
                cr_assert_geq(asprintf(&full, "%s%s", root, sub), 0);
                free(names[i]);
                if (skip && startswith(sub, skip))
                        continue;
                cr_assert_eq(lstat(full, &st), 0, "%s", full);
                if (S_ISDIR(st.st_mode)) {
                        walk(root, sub, t, skip);
                        continue;
                }
                t->paths = reallocarray(t->paths, t->n + 2, sizeof(char *));
                t->contents = reallocarray(t->contents, t->n + 1, sizeof(char *));
                t->modes = reallocarray(t->modes, t->n + 1, sizeof(mode_t));
                cr_assert(t->paths && t->contents && t->modes);
                t->paths[t->n] = TAKE_PTR(sub);
                t->paths[t->n + 1] = NULL;
                t->contents[t->n] = slurp(full);
                t->modes[t->n] = st.st_mode;
                t->n++;
        }
        free(names);
}

static struct tree tree_of(const char *root, const char *skip) {
        struct tree t = {};
        walk(root, "", &t, skip);
        return t;
}

static void tree_clear(struct tree *t) {
        for (size_t i = 0; i < t->n; i++)
                free(t->contents[i]);
        strv_free(t->paths);
        free(t->contents);
        free(t->modes);
}

static const char *tree_get(const struct tree *t, const char *path) {
        for (size_t i = 0; i < t->n; i++)
                if (streq(t->paths[i], path))
                        return t->contents[i] ? t->contents[i] : "";
        return NULL;
}

/* Every file the same, with the same mode; none more, none less. */
static void assert_same_tree(const struct tree *a, const struct tree *b, const char *what) {
        for (size_t i = 0; i < a->n; i++) {
                const char *other = tree_get(b, a->paths[i]);
                cr_assert_not_null(other, "%s: %s is gone", what, a->paths[i]);
                cr_assert_str_eq(other, a->contents[i] ? a->contents[i] : "", "%s: %s differs", what, a->paths[i]);
                for (size_t j = 0; j < b->n; j++)
                        if (streq(b->paths[j], a->paths[i]))
                                cr_assert_eq(b->modes[j], a->modes[i], "%s: the mode of %s", what, a->paths[i]);
        }
        for (size_t i = 0; i < b->n; i++)
                cr_assert_not_null(tree_get(a, b->paths[i]), "%s: %s is left over", what, b->paths[i]);
}

/* ---- running ----------------------------------------------------------------- */

static char **env_with_fakes(const char *log) {
        char **env = NULL;
        char *path = NULL, *l = NULL;

        cr_assert_geq(asprintf(&path, "PATH=%s/bin:%s", tmpdir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin"), 0);
        cr_assert_geq(asprintf(&l, "GPUDIAG_FAKE_LOG=%s", log), 0);
        cr_assert_eq(strv_consume(&env, path), 0);
        cr_assert_eq(strv_consume(&env, l), 0);
        return env;
}

static char *patch_file(const char *before, const char *diff) {
        _cleanup_free_ char *orig = NULL, *d = NULL, *out = NULL, *o = NULL, *e = NULL;
        FILE *f;
        int status;

        cr_assert_geq(asprintf(&orig, "%s/orig", tmpdir), 0);
        cr_assert_geq(asprintf(&d, "%s/diff", tmpdir), 0);
        cr_assert_geq(asprintf(&out, "%s/out", tmpdir), 0);
        cr_assert_not_null(f = fopen(orig, "we"));
        fputs(before ? before : "", f);
        fclose(f);
        cr_assert_not_null(f = fopen(d, "we"));
        fputs(diff, f);
        fclose(f);
        {
                char *argv[] = { (char *) "/usr/bin/patch", (char *) "--batch", (char *) "--silent", (char *) "-o", out,
                                 orig, (char *) "-i", d, NULL };
                cr_assert_eq(program_run(argv, NULL, NULL, &o, &e, &status), 0);
        }
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "patch: %s", e);
        return slurp(out);
}

static char *journal_dir(void) {
        char *j = NULL;
        cr_assert_geq(asprintf(&j, "%s/journal", tmpdir), 0);
        return j;
}

Test(apply, apply_writes_the_plan_and_undo_restores_every_file) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("igpu-beside-nvidia-in-vfio-conf");
        const char *root = gd_testbed_config_root(t);
        _cleanup_free_ char *log = NULL, *journal = journal_dir(), *logged = NULL;
        _cleanup_strv_free_ char **env = NULL;
        struct tree before, after, restored;
        struct run plan, ap, un, again;
        struct fy_document *d;
        struct fy_node *steps, *s;
        void *iter = NULL;
        size_t edits = 0;

        cr_assert_geq(asprintf(&log, "%s/fake.log", tmpdir), 0);
        env = env_with_fakes(log);
        before = tree_of(root, "/var/lib/gpudiag");
        plan = plan_run_in(t, env, "plan", "-s", "00:02.0", "--format", "json", NULL);
        d = plan_json_doc(&plan);

        ap = plan_run_in(t, env, "apply", "-s", "00:02.0", "--yes", "--commands", "run", "--journal", journal, NULL);
        cr_assert_eq(ap.code, 0, "apply: %s\n%s", ap.out, ap.err);
        cr_assert(strstr(ap.out, "Done."), "%s", ap.out);

        /* Each edited file is what patch makes of it with the plan's diff. */
        after = tree_of(root, "/var/lib/gpudiag");
        steps = fy_node_mapping_lookup_by_string(fy_document_root(d), "steps", FY_NT);
        while ((s = fy_node_sequence_iterate(steps, &iter))) {
                _cleanup_free_ char *expected = NULL;
                const char *path = node_str(s, "path");
                if (!streq(node_str(s, "kind"), "edit"))
                        continue;
                expected = patch_file(tree_get(&before, path), node_str(s, "diff"));
                cr_assert_not_null(tree_get(&after, path), "%s was not written", path);
                cr_assert_str_eq(tree_get(&after, path), expected, "%s is not what the plan shows", path);
                edits++;
        }
        cr_assert_geq(edits, 3);
        cr_assert(strstr(tree_get(&after, "/etc/modprobe.d/vfio.conf"),
                         "options vfio-pci ids=10de:1e07,10de:10f7,10de:1ad6,10de:1ad7,8086:3e98 disable_vga=1\n"));
        logged = slurp(log);
        cr_assert_str_eq(logged, "update-initramfs -u -k all\nupdate-grub \n", "the commands ran: %s", logged);

        un = plan_run_in(t, env, "undo", "--yes", "--commands", "run", "--journal", journal, NULL);
        cr_assert_eq(un.code, 0, "undo: %s\n%s", un.out, un.err);
        restored = tree_of(root, "/var/lib/gpudiag");
        assert_same_tree(&before, &restored, "after undo");
        free(logged);
        logged = slurp(log);
        cr_assert_str_eq(logged, "update-initramfs -u -k all\nupdate-grub \nupdate-initramfs -u -k all\nupdate-grub \n",
                         "undo rebuilds from the restored files: %s", logged);

        again = plan_run_in(t, env, "undo", "--yes", "--journal", journal, NULL);
        cr_assert_eq(again.code, 2, "a second undo: %s", again.err);

        run_clear(&plan);
        run_clear(&ap);
        run_clear(&un);
        run_clear(&again);
        tree_clear(&before);
        tree_clear(&after);
        tree_clear(&restored);
        fy_document_destroy(d);
}

Test(apply, the_journal_keeps_a_copy_of_every_file_it_touched) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("igpu-beside-nvidia-in-vfio-conf");
        _cleanup_free_ char *journal = journal_dir(), *manifest = NULL;
        _cleanup_strv_free_ char **runs = NULL;
        struct run ap = plan_run_in(t, NULL, "apply", "-s", "00:02.0", "--yes", "--commands", "skip", "--journal",
                                    journal, NULL);
        struct tree files;
        DIR *dir;
        struct dirent *e;

        cr_assert_eq(ap.code, 0, "%s", ap.err);
        cr_assert(strstr(ap.out, "not run (--commands skip): update-initramfs -u -k all"), "%s", ap.out);
        dir = opendir(journal);
        cr_assert_not_null(dir);
        while ((e = readdir(dir)))
                if (e->d_name[0] != '.')
                        cr_assert_eq(strv_push_dup(&runs, e->d_name), 0);
        closedir(dir);
        cr_assert_eq(strv_length(runs), 1);
        cr_assert_geq(asprintf(&manifest, "%s/%s/manifest", journal, runs[0]), 0);
        free(manifest);
        {
                _cleanup_free_ char *p = NULL;
                cr_assert_geq(asprintf(&p, "%s/%s/manifest", journal, runs[0]), 0);
                manifest = slurp(p);
        }
        cr_assert(startswith(manifest, "gpudiag-journal 1\nroot\t"), "%s", manifest);
        cr_assert(strstr(manifest, "\nfile\t/etc/modprobe.d/vfio.conf\t"), "%s", manifest);
        cr_assert(strstr(manifest, "\nfile\t/etc/default/grub\t"), "%s", manifest);
        cr_assert(strstr(manifest, "\nfile\t/etc/initramfs-tools/modules\t"), "%s", manifest);
        cr_assert(strstr(manifest, "\ncomplete\n"), "%s", manifest);
        cr_assert_null(strstr(manifest, "\ncommand\t"), "a skipped command is in the journal");
        {
                _cleanup_free_ char *dirp = NULL;
                cr_assert_geq(asprintf(&dirp, "%s/%s/files", journal, runs[0]), 0);
                files = tree_of(dirp, NULL);
        }
        /* Before and after of each of the three files. */
        cr_assert_eq(files.n, 6);
        tree_clear(&files);
        run_clear(&ap);
}

Test(apply, undo_leaves_a_file_changed_since_apply_unless_forced) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("igpu-beside-nvidia-in-vfio-conf");
        const char *root = gd_testbed_config_root(t);
        _cleanup_free_ char *journal = journal_dir(), *grub = NULL, *now = NULL;
        struct tree before = tree_of(root, "/var/lib/gpudiag"), restored;
        struct run ap, un, forced;
        FILE *f;

        ap = plan_run_in(t, NULL, "apply", "-s", "00:02.0", "--yes", "--commands", "skip", "--journal", journal, NULL);
        cr_assert_eq(ap.code, 0, "%s", ap.err);
        cr_assert_geq(asprintf(&grub, "%s/etc/default/grub", root), 0);
        cr_assert_not_null(f = fopen(grub, "ae"));
        fputs("# edited by hand after apply\n", f);
        fclose(f);
        un = plan_run_in(t, NULL, "undo", "--yes", "--journal", journal, NULL);
        cr_assert_eq(un.code, 2, "%s", un.err);
        cr_assert(strstr(un.err, "changed since gpudiag apply"), "%s", un.err);
        now = slurp(grub);
        cr_assert(strstr(now, "# edited by hand after apply\n"), "undo touched the changed file");
        forced = plan_run_in(t, NULL, "undo", "--yes", "--force", "--journal", journal, NULL);
        cr_assert_eq(forced.code, 0, "%s", forced.err);
        restored = tree_of(root, "/var/lib/gpudiag");
        assert_same_tree(&before, &restored, "after undo --force");
        run_clear(&ap);
        run_clear(&un);
        run_clear(&forced);
        tree_clear(&before);
        tree_clear(&restored);
}

Test(apply, apply_refuses_a_bundle) {
        _cleanup_free_ char *bundle = snapshot_path("synthetic-nvidia-tu102-isolated.yaml");
        char *argv[] = { (char *) gpudiag_binary(), (char *) "apply", (char *) "--bundle", bundle, (char *) "--yes",
                         NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        int status;

        cr_assert_eq(program_run(argv, NULL, NULL, &out, &err, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 2, "%s", err);
        cr_assert(strstr(err, "never runs on a bundle"), "%s", err);
}

Test(apply, apply_with_open_questions_changes_nothing) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("tu102-as-generated");
        const char *root = gd_testbed_config_root(t);
        _cleanup_free_ char *journal = journal_dir();
        struct tree before = tree_of(root, NULL), after;
        struct run ap = plan_run_in(t, NULL, "apply", "-s", "00:02.0", "--yes", "--journal", journal, NULL);

        cr_assert_eq(ap.code, 2, "%s", ap.err);
        cr_assert(strstr(ap.err, "answer the plan's questions first (--initramfs-tool, --bootloader)"), "%s", ap.err);
        after = tree_of(root, NULL);
        assert_same_tree(&before, &after, "apply with questions");
        cr_assert_neq(access(journal, F_OK), 0, "a journal was created");
        run_clear(&ap);
        tree_clear(&before);
        tree_clear(&after);
}

Test(apply, the_console_device_is_bound_only_when_asked_to) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("igpu-configured-not-rebooted");
        _cleanup_free_ char *log = NULL, *journal = journal_dir(), *logged = NULL;
        _cleanup_strv_free_ char **env = NULL;
        struct run quiet, asked, un;

        cr_assert_geq(asprintf(&log, "%s/fake.log", tmpdir), 0);
        env = env_with_fakes(log);
        quiet = plan_run_in(t, env, "apply", "-s", "00:02.0", "--yes", "--commands", "run", "--journal", journal, NULL);
        cr_assert_eq(quiet.code, 0, "%s", quiet.err);
        cr_assert(strstr(quiet.out, "drives the host console"), "%s", quiet.out);
        cr_assert(strstr(quiet.out, "left out (host console): Bind 0000:00:02.0"), "%s", quiet.out);
        cr_assert_eq(access(log, F_OK), -1, "a command ran");

        asked = plan_run_in(t, env, "apply", "-s", "00:02.0", "--yes", "--unbind-console", "--commands", "run",
                            "--journal", journal, NULL);
        cr_assert_eq(asked.code, 0, "%s", asked.err);
        logged = slurp(log);
        cr_assert_str_eq(logged, "driverctl set-override 0000:00:02.0 vfio-pci\n");

        un = plan_run_in(t, env, "undo", "--yes", "--commands", "run", "--journal", journal, NULL);
        cr_assert_eq(un.code, 0, "%s", un.err);
        free(logged);
        logged = slurp(log);
        cr_assert_str_eq(logged, "driverctl set-override 0000:00:02.0 vfio-pci\ndriverctl unset-override 0000:00:02.0\n");
        run_clear(&quiet);
        run_clear(&asked);
        run_clear(&un);
}

Test(apply, the_sh_script_writes_what_apply_writes) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("igpu-beside-nvidia-in-vfio-conf");
        const char *root = gd_testbed_config_root(t);
        _cleanup_free_ char *log = NULL, *journal = journal_dir(), *copy = NULL, *script = NULL, *logged = NULL;
        _cleanup_strv_free_ char **env = NULL;
        struct tree applied, scripted;
        struct run sh, ap;
        int status;

        cr_assert_geq(asprintf(&log, "%s/fake.log", tmpdir), 0);
        cr_assert_geq(asprintf(&copy, "%s/copy", tmpdir), 0);
        cr_assert_geq(asprintf(&script, "%s/plan.sh", tmpdir), 0);
        env = env_with_fakes(log);
        {
                char *argv[] = { (char *) "/bin/cp", (char *) "-a", (char *) root, copy, NULL };
                _cleanup_free_ char *o = NULL, *e = NULL;
                cr_assert_eq(program_run(argv, NULL, NULL, &o, &e, &status), 0);
                cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", e);
        }
        sh = plan_run_in(t, env, "plan", "-s", "00:02.0", "--format", "sh", NULL);
        cr_assert_eq(sh.code, 1, "%s", sh.err);
        {
                FILE *f = fopen(script, "we");
                cr_assert_not_null(f);
                fputs(sh.out, f);
                fclose(f);
        }
        {
                _cleanup_free_ char *root_env = NULL, *path_env = NULL, *log_env = NULL, *o = NULL, *e = NULL;
                char *argv[] = { (char *) "/bin/sh", script, NULL };
                char *envp[4];
                cr_assert_geq(asprintf(&root_env, "ROOT=%s", copy), 0);
                cr_assert_geq(asprintf(&path_env, "PATH=%s/bin:/usr/bin:/bin", tmpdir), 0);
                cr_assert_geq(asprintf(&log_env, "GPUDIAG_FAKE_LOG=%s", log), 0);
                envp[0] = root_env;
                envp[1] = path_env;
                envp[2] = log_env;
                envp[3] = NULL;
                cr_assert_eq(program_run(argv, envp, NULL, &o, &e, &status), 0);
                cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the script failed: %s\n%s", e, sh.out);
                cr_assert(strstr(e, "these steps are yours:\n6. Reboot the host\n"), "%s", e);
        }
        logged = slurp(log);
        cr_assert_str_eq(logged, "update-initramfs -u -k all\nupdate-grub \n");

        ap = plan_run_in(t, env, "apply", "-s", "00:02.0", "--yes", "--commands", "skip", "--journal", journal, NULL);
        cr_assert_eq(ap.code, 0, "%s", ap.err);
        applied = tree_of(root, "/var/lib/gpudiag");
        scripted = tree_of(copy, "/var/lib/gpudiag");
        assert_same_tree(&applied, &scripted, "the script against apply");
        run_clear(&sh);
        run_clear(&ap);
        tree_clear(&applied);
        tree_clear(&scripted);
}

/* The apply layer itself: a file that changed since the plan was computed
 * is not written, and nothing of it goes into the journal. */
Test(apply, a_file_changed_since_the_plan_is_not_written) {
        _cleanup_free_ char *root = NULL, *etc = NULL, *file = NULL, *journal = journal_dir(), *path = NULL,
                            *now = NULL, *manifest = NULL, *mp = NULL;
        _cleanup_journal_ struct gd_journal *j = NULL;
        struct gd_plan_step s = {
                .phase = GD_PHASE_MODULES, .kind = GD_STEP_EDIT, .path = (char *) "/etc/x.conf",
                .before = (char *) "a\n", .after = (char *) "b\n",
        };
        FILE *f;

        cr_assert_geq(asprintf(&root, "%s/root", tmpdir), 0);
        cr_assert_geq(asprintf(&etc, "%s/etc", root), 0);
        cr_assert_geq(asprintf(&file, "%s/x.conf", etc), 0);
        cr_assert_eq(mkdir(root, 0755), 0);
        cr_assert_eq(mkdir(etc, 0755), 0);
        cr_assert_not_null(f = fopen(file, "we"));
        fputs("c\n", f);
        fclose(f);
        gd_config_root_set(root);
        cr_assert_eq(gd_journal_create(journal, &j, &path), 0);
        cr_assert_eq(gd_apply_step(j, &s, NULL), -ESTALE);
        now = slurp(file);
        cr_assert_str_eq(now, "c\n");
        cr_assert_geq(asprintf(&mp, "%s/manifest", path), 0);
        manifest = slurp(mp);
        cr_assert_null(strstr(manifest, "x.conf"), "%s", manifest);
        gd_config_root_set(NULL);
}

Test(apply, with_format_json_standard_output_is_the_plan_alone) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("igpu-beside-nvidia-in-vfio-conf");
        _cleanup_free_ char *journal = journal_dir();
        struct run ap = plan_run_in(t, NULL, "apply", "-s", "00:02.0", "--yes", "--commands", "skip", "--format", "json",
                                    "--journal", journal, NULL);
        struct fy_document *d;

        cr_assert_eq(ap.code, 0, "%s", ap.err);
        d = plan_json_doc(&ap);
        cr_assert_str_eq(node_str(fy_document_root(d), "format"), "gpudiag-plan/1");
        cr_assert(strstr(ap.err, "Done. gpudiag undo restores"), "%s", ap.err);
        fy_document_destroy(d);
        run_clear(&ap);
}
