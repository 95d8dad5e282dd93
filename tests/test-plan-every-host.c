/* SPDX-License-Identifier: MIT */
/* gpudiag plan on every host the repository has: every snapshot of
 * sysfs-snapshots/ (imported/ included) and every scenario's faulted
 * bundle, planned for the cards gpudiag picks and for each GPU by -s.  Each
 * plan (--format json) is checked from the outside, against the host as
 * `gpudiag groups --format json` lists it and the files of its testbed:
 *
 *  - the plan does not contradict itself: no conflicts reported;
 *  - the steps follow the guide's order (firmware, kernel command line,
 *    vfio-pci and modules, initramfs, boot loader, reboot, verify, VM),
 *    and each comes once: one edit per file, one run per command;
 *  - every edit is exact: its diff applies with patch(1) to the file as the
 *    testbed holds it (a new file: one that does not exist);
 *  - no kernel argument is both added and removed, and no key gets two
 *    values (other than those the kernel takes several times);
 *  - no edit takes a device off vfio-pci: a vendor:device that an edited
 *    file's vfio-pci ids= lists, of a device on vfio-pci now, is still
 *    listed after the edit;
 *  - no blacklist of a module that a device outside the planned cards uses;
 *  - nothing is bound to vfio-pci that is not a function of a planned card;
 *  - every step waiting for an answer names a question the plan asks;
 *  - the document has every key of doc/plan-json.md, of its type.
 * These rules are written here from the issue, not taken from the planner. */
#include <criterion/criterion.h>
#include <libfyaml.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/macro.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "replay/scenario.h"
#include "replay/testbed.h"
#include "testbed-run.h"

static char tmpdir[] = "/tmp/gd-test-plan-XXXXXX";

static void setup(void) {
        cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void) {
        char *argv[] = { (char *) "/bin/rm", (char *) "-rf", tmpdir, NULL };
        _cleanup_free_ char *out = NULL;

        (void) program_run(argv, NULL, NULL, &out, NULL, NULL);
}

TestSuite(plan_every_host, .init = setup, .fini = teardown, .timeout = 900);

/* The guide's order (issue 17): what to read first, firmware, moving a card,
 * kernel command line, vfio-pci binding and modules, initramfs, boot
 * loader, reboot (or binding now), verify, and the VM configuration. */
static const char *const guide_order[] = {
        "prepare", "firmware", "hardware", "cmdline", "modules", "initramfs", "bootloader", "reboot", "now",
        "verify", "vm",
};

/* Keys the kernel takes more than once (video= per driver, console= per device). */
static const char *const repeatable_keys[] = { "video", "console", "initcall_blacklist", "earlycon" };

/* Drivers whose module has another name (struct pci_driver .name). */
static const struct {
        const char *driver, *module;
} driver_modules[] = {
        { "xhci_hcd", "xhci_pci" },
        { "nvidia-gpu", "i2c_nvidia_gpu" },
};

struct dev {
        char *address, *id, *driver;   /* id: "10de:1e07" */
        bool display;
};

struct host {
        struct dev *devs;
        size_t n;
        const char *config_root;
};

static void host_clear(struct host *h) {
        for (size_t i = 0; i < h->n; i++) {
                free(h->devs[i].address);
                free(h->devs[i].id);
                free(h->devs[i].driver);
        }
        free(h->devs);
}

static const char *scalar(struct fy_node *map, const char *key) {
        struct fy_node *v = fy_node_mapping_lookup_by_string(map, key, FY_NT);
        const char *s;

        if (!v || !fy_node_is_scalar(v))
                return NULL;
        s = fy_node_get_scalar0(v);
        if (fy_node_get_style(v) == FYNS_PLAIN && streq(s, "null"))
                return NULL;
        return s;
}

static char *scalar_dup(struct fy_node *map, const char *key) {
        struct fy_node *v = fy_node_mapping_lookup_by_string(map, key, FY_NT);
        size_t len;
        const char *s;

        if (!v || !fy_node_is_scalar(v))
                return NULL;
        s = fy_node_get_scalar(v, &len);
        if (fy_node_get_style(v) == FYNS_PLAIN && len == 4 && strncmp(s, "null", 4) == 0)
                return NULL;
        return strndup(s, len);
}

static char **scalar_seq(struct fy_node *map, const char *key) {
        struct fy_node *seq = fy_node_mapping_lookup_by_string(map, key, FY_NT), *it;
        void *iter = NULL;
        char **out = NULL;

        if (!seq || !fy_node_is_sequence(seq))
                return NULL;
        while ((it = fy_node_sequence_iterate(seq, &iter))) {
                size_t len;
                const char *s = fy_node_get_scalar(it, &len);
                cr_assert_eq(strv_consume(&out, strndup(s, len)), 0);
        }
        return out;
}

static void read_host(const struct gd_testbed *t, struct host *h) {
        char *argv[] = { (char *) gpudiag_binary(), (char *) "groups", (char *) "--format", (char *) "json", NULL };
        _cleanup_free_ char *out = NULL;
        struct fy_document *doc;
        struct fy_node *devs, *d;
        void *iter = NULL;
        int status;

        cr_assert_eq(testbed_run(t, argv, &out, NULL, &status), 0);
        doc = fy_document_build_from_string(NULL, out, FY_NT);
        cr_assert_not_null(doc, "groups --format json is not JSON");
        devs = fy_node_by_path(fy_document_root(doc), "/devices", FY_NT, FYNWF_DONT_FOLLOW);
        cr_assert_not_null(devs);
        while ((d = fy_node_sequence_iterate(devs, &iter))) {
                struct dev *g = reallocarray(h->devs, h->n + 1, sizeof(*g));
                const char *cls = scalar(d, "class");
                cr_assert_not_null(g);
                h->devs = g;
                g = &g[h->n++];
                g->address = scalar_dup(d, "address");
                cr_assert_geq(asprintf(&g->id, "%.4s:%.4s", scalar(d, "vendor"), scalar(d, "device")), 0);
                g->driver = scalar_dup(d, "driver");
                g->display = cls && cls[0] == '0' && cls[1] == '3';
        }
        fy_document_destroy(doc);
        h->config_root = gd_testbed_config_root(t);
}

/* ---- the rules --------------------------------------------------------- */

struct check {
        const char *what;      /* the host and -s, for messages */
        char ***failures;
        char **targets;        /* slots "0000:01:00" of the planned cards */
        char **added, **removed;
        char **edited, **commands;
};

static void fail(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct check *c, const char *fmt, ...) {
        char *msg = NULL, *full = NULL;
        va_list ap;

        va_start(ap, fmt);
        cr_assert_geq(vasprintf(&msg, fmt, ap), 0);
        va_end(ap);
        cr_assert_geq(asprintf(&full, "%s: %s", c->what, msg), 0);
        free(msg);
        if (!strv_contains(*c->failures, full))
                cr_assert_eq(strv_consume(c->failures, full), 0);
        else
                free(full);
}

static bool key_eq(const char *a, const char *b, size_t n) {
        for (size_t i = 0; i < n; i++) {
                char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
                if (x != y)
                        return false;
        }
        return true;
}

static size_t key_len(const char *w) {
        return strcspn(w, "=");
}

static bool in_target(const struct check *c, const char *address) {
        for (size_t i = 0; c->targets && c->targets[i]; i++)
                if (strncmp(address, c->targets[i], strlen(c->targets[i])) == 0)
                        return true;
        return false;
}

/* The words of the '-' or '+' lines of a diff (sign), split as the shell
 * would split a GRUB assignment's value. */
static char **diff_words(const char *diff, char sign) {
        char **out = NULL;

        for (const char *l = diff; l && *l;) {
                const char *nl = strchr(l, '\n');
                size_t len = nl ? (size_t) (nl - l) : strlen(l);
                if (len > 0 && l[0] == sign && !(len >= 3 && l[1] == sign && l[2] == sign)) {
                        _cleanup_free_ char *line = strndup(l + 1, len - 1);
                        char *save = NULL;
                        for (char *w = strtok_r(line, " \t\"'", &save); w; w = strtok_r(NULL, " \t\"'", &save))
                                if (!startswith(w, "GRUB_CMDLINE") && !strv_contains(out, w))
                                        cr_assert_eq(strv_push_dup(&out, w), 0);
                }
                l = nl ? nl + 1 : NULL;
        }
        return out;
}

/* vendor:device of every vfio-pci ids= in text: options lines and
 * vfio-pci.ids= words. */
static char **ids_in(const char *text) {
        char **out = NULL;

        for (const char *l = text; l && *l;) {
                const char *nl = strchr(l, '\n');
                _cleanup_free_ char *line = strndup(l, nl ? (size_t) (nl - l) : strlen(l));
                const char *p = NULL;
                bool options = startswith(line, "options vfio-pci ") || startswith(line, "options vfio_pci ");

                if (options)
                        p = strstr(line, " ids=") ? strstr(line, " ids=") + 5 : NULL;
                else if (strstr(line, "vfio-pci.ids=") || strstr(line, "vfio_pci.ids="))
                        p = (strstr(line, "vfio-pci.ids=") ? strstr(line, "vfio-pci.ids=") : strstr(line, "vfio_pci.ids="))
                            + strlen("vfio-pci.ids=");
                while (p && *p && !strchr(" \t\"'", *p)) {
                        size_t n = strcspn(p, ", \t\"'");
                        char id[10];
                        if (n >= 9) {
                                snprintf(id, sizeof(id), "%.9s", p);
                                for (char *q = id; *q; q++)
                                        *q = (char) (*q >= 'A' && *q <= 'F' ? *q - 'A' + 'a' : *q);
                                if (!strv_contains(out, id))
                                        cr_assert_eq(strv_push_dup(&out, id), 0);
                        }
                        p += n;
                        if (*p == ',')
                                p++;
                }
                l = nl ? nl + 1 : NULL;
        }
        return out;
}

static char *read_file(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t size = 0;

        if (!f)
                return NULL;
        {
                FILE *m = open_memstream(&buf, &size);
                char chunk[4096];
                size_t n;
                while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                        fwrite(chunk, 1, n, m);
                fclose(m);
        }
        fclose(f);
        return buf;
}

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        cr_assert_not_null(f, "%s", path);
        fputs(text, f);
        cr_assert_eq(fclose(f), 0);
}

/* The file after patch(1) applied the diff; NULL when it does not apply. */
static char *patched(const char *before, const char *diff) {
        _cleanup_free_ char *orig = NULL, *d = NULL, *out = NULL, *stdout_ = NULL, *err = NULL;
        char *argv[10];
        int status;

        cr_assert_geq(asprintf(&orig, "%s/orig", tmpdir), 0);
        cr_assert_geq(asprintf(&d, "%s/diff", tmpdir), 0);
        cr_assert_geq(asprintf(&out, "%s/out", tmpdir), 0);
        write_file(orig, before ? before : "");
        write_file(d, diff);
        unlink(out);
        argv[0] = (char *) "/usr/bin/patch";
        argv[1] = (char *) "--batch";
        argv[2] = (char *) "--silent";
        argv[3] = (char *) "--no-backup-if-mismatch";
        argv[4] = (char *) "-o";
        argv[5] = out;
        argv[6] = orig;
        argv[7] = (char *) "-i";
        argv[8] = d;
        argv[9] = NULL;
        cr_assert_eq(program_run(argv, NULL, NULL, &stdout_, &err, &status), 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return NULL;
        return read_file(out);
}

static bool cmdline_file(const char *path) {
        return streq(path, "/etc/default/grub") || startswith(path, "/etc/default/grub.d/") ||
               streq(path, "/etc/kernel/cmdline");
}

static void check_edit(struct check *c, const struct host *h, struct fy_node *step) {
        const char *path = scalar(step, "path"), *diff = scalar(step, "diff"), *creates = scalar(step, "creates");
        _cleanup_free_ char *real = NULL, *before = NULL, *after = NULL;
        _cleanup_strv_free_ char **old_ids = NULL, **new_ids = NULL;

        if (!path || !diff) {
                fail(c, "an edit step without a path or a diff");
                return;
        }
        if (strv_contains(c->edited, path))
                fail(c, "%s is edited by two steps", path);
        cr_assert_eq(strv_push_dup(&c->edited, path), 0);
        cr_assert_geq(asprintf(&real, "%s%s", h->config_root, path), 0);
        before = read_file(real);
        if (streq(creates, "true") && before)
                fail(c, "%s is created, but it exists", path);
        if (!streq(creates, "true") && !before)
                fail(c, "%s is edited, but it does not exist", path);
        after = patched(before, diff);
        if (!after) {
                fail(c, "the diff of %s does not apply with patch", path);
                return;
        }
        if (before && *before && !*after)
                fail(c, "%s is emptied", path);

        if (cmdline_file(path)) {
                _cleanup_strv_free_ char **minus = diff_words(diff, '-'), **plus = diff_words(diff, '+');
                for (size_t i = 0; plus && plus[i]; i++)
                        if (!strv_contains(minus, plus[i]))
                                cr_assert_eq(strv_push_dup(&c->added, plus[i]), 0);
                for (size_t i = 0; minus && minus[i]; i++)
                        if (!strv_contains(plus, minus[i]))
                                cr_assert_eq(strv_push_dup(&c->removed, minus[i]), 0);
        }

        /* No device on vfio-pci now loses its ID from the list. */
        old_ids = ids_in(before);
        new_ids = ids_in(after);
        for (size_t i = 0; i < h->n; i++)
                if (streq(h->devs[i].driver, "vfio-pci") && strv_contains(old_ids, h->devs[i].id) &&
                    !strv_contains(new_ids, h->devs[i].id))
                        fail(c, "%s drops %s (%s, on vfio-pci now) from vfio-pci ids=", path, h->devs[i].id,
                             h->devs[i].address);

        /* No blacklist of a module a device outside the planned cards uses. */
        {
                _cleanup_strv_free_ char **plus = NULL;
                for (const char *l = diff; l && *l;) {
                        const char *nl = strchr(l, '\n');
                        if (startswith(l, "+blacklist ")) {
                                _cleanup_free_ char *mod = strndup(l + 11, strcspn(l + 11, " \t\n"));
                                for (size_t i = 0; i < h->n; i++) {
                                        const struct dev *d = &h->devs[i];
                                        const char *m = d->driver;
                                        for (size_t k = 0; m && k < ELEMENTSOF(driver_modules); k++)
                                                if (streq(m, driver_modules[k].driver))
                                                        m = driver_modules[k].module;
                                        if (m && strlen(m) == strlen(mod) && key_eq(m, mod, strlen(m)) &&
                                            !in_target(c, d->address))
                                                fail(c, "blacklist %s, but %s uses it and is not planned for", mod,
                                                     d->address);
                                }
                        }
                        l = nl ? nl + 1 : NULL;
                }
        }
}

static void check_command(struct check *c, struct fy_node *step) {
        _cleanup_strv_free_ char **argv = scalar_seq(step, "argv");
        _cleanup_free_ char *joined = NULL;
        size_t len = 0;
        FILE *f;

        if (!argv) {
                if (!scalar(step, "question"))
                        fail(c, "a command step without argv and without a question");
                return;
        }
        f = open_memstream(&joined, &len);
        for (size_t i = 0; argv[i]; i++)
                fprintf(f, "%s%s", i ? " " : "", argv[i]);
        fclose(f);
        if (strv_contains(c->commands, joined))
                fail(c, "'%s' runs twice", joined);
        cr_assert_eq(strv_push_dup(&c->commands, joined), 0);
        if (streq(argv[0], "kernelstub") && argv[1] && argv[2])
                cr_assert_eq(strv_push_dup(streq(argv[1], "-a") ? &c->added : &c->removed, argv[2]), 0);
        /* Anything bound to vfio-pci belongs to a planned card. */
        for (size_t i = 0; argv[i]; i++) {
                const char *p = argv[i];
                unsigned d, b, s, fn;
                while ((p = strpbrk(p, "0123456789abcdef"))) {
                        if (sscanf(p, "%4x:%2x:%2x.%1x", &d, &b, &s, &fn) == 4 && strlen(p) >= 12 && p[4] == ':') {
                                _cleanup_free_ char *addr = strndup(p, 12);
                                if (!in_target(c, addr))
                                        fail(c, "'%s' names %s, not a function of a planned card", joined, addr);
                                p += 12;
                        } else
                                p++;
                }
        }
}

static void check_words(struct check *c) {
        for (size_t i = 0; c->added && c->added[i]; i++) {
                const char *w = c->added[i];
                bool rep = false;

                if (strv_contains(c->removed, w))
                        fail(c, "the kernel command line gets %s added and removed", w);
                for (size_t k = 0; k < ELEMENTSOF(repeatable_keys); k++)
                        rep |= key_len(w) == strlen(repeatable_keys[k]) && key_eq(w, repeatable_keys[k], key_len(w));
                for (size_t j = i + 1; !rep && c->added[j]; j++)
                        if (key_len(w) == key_len(c->added[j]) && key_eq(w, c->added[j], key_len(w)) && strchr(w, '='))
                                fail(c, "the kernel command line gets %s and %s", w, c->added[j]);
        }
}

/* ---- doc/plan-json.md -------------------------------------------------- */

enum type { T_STR, T_STR_NULL, T_BOOL, T_BOOL_NULL, T_INT, T_STRS, T_STRS_NULL, T_OBJS };

struct key {
        const char *name;
        enum type type;
};

static const struct key plan_keys[] = {
        { "format", T_STR }, { "source", T_STR }, { "origin", T_STR_NULL }, { "targets", T_STRS },
        { "bootloader", T_STR }, { "initramfs_tool", T_STR }, { "questions", T_OBJS }, { "steps", T_OBJS },
        { "needs_reboot", T_BOOL }, { "conflicts", T_STRS }, { "notes", T_STRS },
};
static const struct key question_keys[] = {
        { "id", T_STR }, { "option", T_STR }, { "text", T_STR }, { "choices", T_STRS },
};
static const struct key step_keys[] = {
        { "number", T_INT }, { "phase", T_STR }, { "kind", T_STR }, { "title", T_STR }, { "needs_person", T_BOOL },
        { "question", T_STR_NULL }, { "reasons", T_STRS }, { "text", T_STR_NULL }, { "note", T_STR_NULL },
        { "path", T_STR_NULL }, { "creates", T_BOOL_NULL }, { "changes", T_STRS }, { "diff", T_STR_NULL },
        { "argv", T_STRS_NULL }, { "touches", T_STRS }, { "undo_argv", T_STRS_NULL }, { "expect", T_STR_NULL },
};

static bool is_null(struct fy_node *v) {
        return fy_node_is_scalar(v) && fy_node_get_style(v) == FYNS_PLAIN && streq(fy_node_get_scalar0(v), "null");
}

static bool of_type(struct fy_node *v, enum type t) {
        struct fy_node *it;
        void *iter = NULL;

        if ((t == T_STR_NULL || t == T_BOOL_NULL || t == T_STRS_NULL) && is_null(v))
                return true;
        switch (t) {
        case T_STR:
        case T_STR_NULL:
                return fy_node_is_scalar(v) && fy_node_get_style(v) == FYNS_DOUBLE_QUOTED;
        case T_BOOL:
        case T_BOOL_NULL:
                return fy_node_is_scalar(v) && fy_node_get_style(v) == FYNS_PLAIN &&
                       (streq(fy_node_get_scalar0(v), "true") || streq(fy_node_get_scalar0(v), "false"));
        case T_INT:
                return fy_node_is_scalar(v) && fy_node_get_style(v) == FYNS_PLAIN &&
                       strspn(fy_node_get_scalar0(v), "0123456789") == strlen(fy_node_get_scalar0(v));
        case T_STRS:
        case T_STRS_NULL:
                if (!fy_node_is_sequence(v))
                        return false;
                while ((it = fy_node_sequence_iterate(v, &iter)))
                        if (!of_type(it, T_STR))
                                return false;
                return true;
        case T_OBJS:
                if (!fy_node_is_sequence(v))
                        return false;
                while ((it = fy_node_sequence_iterate(v, &iter)))
                        if (!fy_node_is_mapping(it))
                                return false;
                return true;
        }
        return false;
}

static void check_keys(struct check *c, struct fy_node *map, const struct key *keys, size_t n, const char *where) {
        if (fy_node_mapping_item_count(map) != (int) n)
                fail(c, "%s has %d keys, doc/plan-json.md %zu", where, fy_node_mapping_item_count(map), n);
        for (size_t i = 0; i < n; i++) {
                struct fy_node *v = fy_node_mapping_lookup_by_string(map, keys[i].name, FY_NT);
                if (!v)
                        fail(c, "%s has no '%s'", where, keys[i].name);
                else if (!of_type(v, keys[i].type))
                        fail(c, "%s: '%s' is not of the type doc/plan-json.md gives", where, keys[i].name);
        }
}

static void check_plan(const struct host *h, const char *json, const char *what, char ***failures) {
        struct fy_document *doc = fy_document_build_from_string(NULL, json, FY_NT);
        struct fy_node *root, *steps, *step, *questions, *q;
        _cleanup_strv_free_ char **conflicts = NULL, **targets = NULL, **question_ids = NULL;
        struct check c = { .what = what, .failures = failures };
        void *iter = NULL;
        size_t last = 0;

        cr_assert_not_null(doc, "%s: plan --format json is not JSON", what);
        root = fy_document_root(doc);
        cr_assert_str_eq(scalar(root, "format"), "gpudiag-plan/1");
        check_keys(&c, root, plan_keys, ELEMENTSOF(plan_keys), "the plan");
        conflicts = scalar_seq(root, "conflicts");
        for (size_t i = 0; conflicts && conflicts[i]; i++)
                fail(&c, "conflict: %s", conflicts[i]);
        targets = scalar_seq(root, "targets");
        for (size_t i = 0; targets && targets[i]; i++)
                cr_assert_eq(strv_consume(&c.targets, strndup(targets[i], 10)), 0);

        questions = fy_node_mapping_lookup_by_string(root, "questions", FY_NT);
        while ((q = fy_node_sequence_iterate(questions, &iter))) {
                check_keys(&c, q, question_keys, ELEMENTSOF(question_keys), "a question");
                cr_assert_eq(strv_push_dup(&question_ids, scalar(q, "id")), 0);
        }

        steps = fy_node_mapping_lookup_by_string(root, "steps", FY_NT);
        cr_assert_not_null(steps, "%s: no steps", what);
        iter = NULL;
        while ((step = fy_node_sequence_iterate(steps, &iter))) {
                const char *phase = scalar(step, "phase"), *kind = scalar(step, "kind");
                const char *question = scalar(step, "question");
                size_t at = ELEMENTSOF(guide_order);

                check_keys(&c, step, step_keys, ELEMENTSOF(step_keys), "a step");
                for (size_t k = 0; k < ELEMENTSOF(guide_order); k++)
                        if (streq(phase, guide_order[k]))
                                at = k;
                if (at == ELEMENTSOF(guide_order))
                        fail(&c, "a step of unknown phase '%s'", phase ? phase : "(none)");
                else if (at < last)
                        fail(&c, "step '%s' (%s) comes after a %s step", scalar(step, "title"), phase, guide_order[last]);
                else
                        last = at;
                if (question && !strv_contains(question_ids, question))
                        fail(&c, "step '%s' waits for question '%s', which the plan does not ask",
                             scalar(step, "title"), question);
                if (question)
                        continue;
                if (streq(kind, "edit"))
                        check_edit(&c, h, step);
                else if (streq(kind, "command"))
                        check_command(&c, step);
        }
        check_words(&c);
        strv_free(c.targets);
        strv_free(c.added);
        strv_free(c.removed);
        strv_free(c.edited);
        strv_free(c.commands);
        fy_document_destroy(doc);
}

static void plan_and_check(const struct gd_testbed *t, const struct host *h, const char *name, const char *slot,
                           char ***failures, size_t *n_plans) {
        char *argv[] = { (char *) gpudiag_binary(), (char *) "plan", (char *) "--format", (char *) "json",
                         (char *) (slot ? "-s" : NULL), (char *) slot, NULL };
        _cleanup_free_ char *out = NULL, *err = NULL, *what = NULL;
        int status;

        cr_assert_geq(asprintf(&what, "%s%s%s", name, slot ? " -s " : "", slot ? slot : ""), 0);
        cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) > 2) {
                char *m = NULL;
                cr_assert_geq(asprintf(&m, "%s: plan failed (%d): %s", what, status, err), 0);
                cr_assert_eq(strv_consume(failures, m), 0);
                return;
        }
        check_plan(h, out, what, failures);
        (*n_plans)++;
}

static void check_bundle(const struct gd_bundle *b, const char *name, char ***failures, size_t *n_plans) {
        _cleanup_testbed_ struct gd_testbed *t = NULL;
        _cleanup_free_ char *error = NULL;
        struct host h = {};
        int r;

        r = gd_testbed_build(b, &t, &error);
        cr_assert_eq(r, 0, "%s: testbed: %s", name, error ? error : strerror(-r));
        read_host(t, &h);
        plan_and_check(t, &h, name, NULL, failures, n_plans);
        for (size_t i = 0; i < h.n; i++)
                if (h.devs[i].display)
                        plan_and_check(t, &h, name, h.devs[i].address, failures, n_plans);
        host_clear(&h);
}

static char *joined(char **l) {
        char *s = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&s, &size);

        for (size_t i = 0; l && l[i]; i++)
                fprintf(f, "\n  %s", l[i]);
        fclose(f);
        return s;
}

Test(plan_every_host, every_snapshot_gets_one_ordered_plan_without_contradictions) {
        _cleanup_strv_free_ char **bundles = NULL, **failures = NULL;
        _cleanup_free_ char *list = NULL;
        size_t n_plans = 0;

        test_find_yaml("sysfs-snapshots", false, &bundles);
        test_find_yaml("sysfs-snapshots/imported", false, &bundles);
        cr_assert_geq(strv_length(bundles), 30, "the snapshots were not found");
        for (size_t i = 0; bundles[i]; i++) {
                _cleanup_bundle_ struct gd_bundle *b = NULL;
                _cleanup_free_ char *error = NULL;

                cr_assert_eq(gd_bundle_load(bundles[i], &b, &error), 0, "%s: %s", bundles[i], error);
                check_bundle(b, strrchr(bundles[i], '/') + 1, &failures, &n_plans);
        }
        list = joined(failures);
        cr_assert_null(failures, "%zu problems in %zu plans of %zu snapshots:%s", strv_length(failures), n_plans,
                       strv_length(bundles), list);
        cr_log_info("%zu plans of %zu snapshots checked", n_plans, strv_length(bundles));
}

static void scenario_family(const char *family) {
        _cleanup_strv_free_ char **scenarios = NULL, **failures = NULL;
        _cleanup_free_ char *dir = NULL, *list = NULL;
        size_t n_plans = 0;

        cr_assert_geq(asprintf(&dir, "scenarios/%s", family), 0);
        test_find_yaml(dir, true, &scenarios);
        cr_assert_not_null(scenarios, "no scenario in %s", dir);
        for (size_t i = 0; scenarios[i]; i++) {
                _cleanup_(gd_scenario_freep) struct gd_scenario *s = NULL;
                _cleanup_bundle_ struct gd_bundle *b = NULL;
                _cleanup_free_ char *error = NULL, *base = NULL;

                cr_assert_eq(gd_scenario_load(scenarios[i], &s, &error), 0, "%s: %s", scenarios[i], error);
                cr_assert_eq(gd_scenario_find_base(s, &base), 0, "%s: base", scenarios[i]);
                cr_assert_eq(gd_bundle_load(base, &b, &error), 0, "%s: %s", base, error);
                cr_assert_eq(gd_scenario_apply(s, b, &error), 0, "%s: %s", scenarios[i], error);
                check_bundle(b, strstr(scenarios[i], "scenarios/"), &failures, &n_plans);
        }
        list = joined(failures);
        cr_assert_null(failures, "%zu problems in %zu plans of the %s scenarios:%s", strv_length(failures), n_plans,
                       family, list);
        cr_log_info("%zu plans of the %zu %s scenarios checked", n_plans, strv_length(scenarios), family);
}

Test(plan_every_host, boot_scenarios_get_plans_without_contradictions) { scenario_family("boot"); }
Test(plan_every_host, driver_scenarios_get_plans_without_contradictions) { scenario_family("drivers"); }
Test(plan_every_host, framebuffer_scenarios_get_plans_without_contradictions) { scenario_family("framebuffer"); }
Test(plan_every_host, group_scenarios_get_plans_without_contradictions) { scenario_family("groups"); }
Test(plan_every_host, guide_scenarios_get_plans_without_contradictions) { scenario_family("guide"); }
Test(plan_every_host, imported_scenarios_get_plans_without_contradictions) { scenario_family("imported"); }
Test(plan_every_host, iommu_scenarios_get_plans_without_contradictions) { scenario_family("iommu"); }
Test(plan_every_host, kernel_log_scenarios_get_plans_without_contradictions) { scenario_family("logs"); }
Test(plan_every_host, misc_scenarios_get_plans_without_contradictions) { scenario_family("misc"); }
Test(plan_every_host, power_scenarios_get_plans_without_contradictions) { scenario_family("power"); }
Test(plan_every_host, reset_scenarios_get_plans_without_contradictions) { scenario_family("reset"); }
Test(plan_every_host, tool_message_scenarios_get_plans_without_contradictions) { scenario_family("tools"); }
Test(plan_every_host, vfio_scenarios_get_plans_without_contradictions) { scenario_family("vfio"); }
Test(plan_every_host, vm_scenarios_get_plans_without_contradictions) { scenario_family("vm"); }
