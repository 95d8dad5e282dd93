/* SPDX-License-Identifier: MIT */
/* Running one scenario: base bundle + faults -> umockdev testbed -> this
 * program's `explain --format json` under the preload -> compare with the
 * scenario's expectations.  The diagnosis comes from the same reader and
 * checks as on a live host (README, "Design": one reader). */
#include <errno.h>
#include <libfyaml.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "base/strv.h"
#include "config.h"
#include "replay/runner-internal.h"
#include "replay/scenario.h"
#include "replay/testbed.h"

static bool is_file(const char *p) {
        struct stat st;
        return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *p) {
        struct stat st;
        return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int gd_scenario_find_base(const struct gd_scenario *s, char **ret_path) {
        _cleanup_free_ char *dir = NULL, *cand = NULL;
        char *slash;

        if (s->base[0] == '/') {
                if (!is_file(s->base))
                        return -ENOENT;
                *ret_path = strdup(s->base);
                return *ret_path ? 0 : -ENOMEM;
        }
        dir = strdup(s->path);
        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (slash)
                *slash = '\0';
        else {
                free(dir);
                dir = strdup(".");
                if (!dir)
                        return -ENOMEM;
        }
        if (asprintf(&cand, "%s/%s", dir, s->base) < 0)
                return -ENOMEM;
        if (is_file(cand)) {
                *ret_path = TAKE_PTR(cand);
                return 0;
        }

        /* Walk up to the source tree that holds sysfs-snapshots/. */
        {
                char real[PATH_MAX];

                if (!realpath(dir, real))
                        return -ENOENT;
                for (;;) {
                        _cleanup_free_ char *snap = NULL;

                        if (asprintf(&snap, "%s/sysfs-snapshots", real[1] ? real : "") < 0)
                                return -ENOMEM;
                        if (is_dir(snap)) {
                                free(cand);
                                if (asprintf(&cand, "%s/%s", snap, s->base) < 0) {
                                        cand = NULL;
                                        return -ENOMEM;
                                }
                                if (is_file(cand)) {
                                        *ret_path = TAKE_PTR(cand);
                                        return 0;
                                }
                                return -ENOENT;
                        }
                        slash = strrchr(real, '/');
                        if (!slash || slash == real)
                                return -ENOENT;
                        *slash = '\0';
                }
        }
}

/* A one-entry cache of the last base bundle: scenarios of one directory
 * mostly share their base, and a worker runs many of them. */
static struct {
        char *path;
        struct gd_bundle *b;
        struct gd_testbed_tree *tree;   /* of b, made on first use */
        char *tree_error;
        int tree_r;
} base_cache;

static int load_base(const char *path, struct gd_bundle **ret, char **ret_error) {
        int r;

        if (!base_cache.b || !streq(base_cache.path, path)) {
                struct gd_bundle *b = NULL;
                char *p;

                r = gd_bundle_load(path, &b, ret_error);
                if (r < 0)
                        return r;
                p = strdup(path);
                if (!p) {
                        gd_bundle_free(b);
                        return -ENOMEM;
                }
                gd_bundle_free(base_cache.b);
                free(base_cache.path);
                gd_testbed_tree_free(base_cache.tree);
                free(base_cache.tree_error);
                base_cache.b = b;
                base_cache.path = p;
                base_cache.tree = NULL;
                base_cache.tree_error = NULL;
                base_cache.tree_r = 0;
        }
        return runner_bundle_dup(base_cache.b, ret);
}

/* The cached base's testbed tree; made once, in the parent when
 * gd_scenario_prepare_base() runs there, so that every scenario shares it. */
static const struct gd_testbed_tree *base_tree(char **ret_error) {
        if (!base_cache.tree && base_cache.tree_r == 0 && base_cache.b)
                base_cache.tree_r = gd_testbed_tree_new(base_cache.b, &base_cache.tree, &base_cache.tree_error);
        if (!base_cache.tree && ret_error && base_cache.tree_error)
                *ret_error = strdup(base_cache.tree_error);
        return base_cache.tree;
}

_printf_(3, 4)
static int set_error(struct gd_scenario_result *res, const char *log, const char *fmt, ...) {
        va_list ap;
        int r;

        res->ok = false;
        res->error = true;
        free(res->message);
        va_start(ap, fmt);
        r = vasprintf(&res->message, fmt, ap);
        va_end(ap);
        if (r < 0) {
                res->message = NULL;
                return -ENOMEM;
        }
        if (log && *log) {
                free(res->log);
                res->log = strdup(log);
        }
        return 0;
}

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* The slot's directory as the faulted bundle b's testbed; *ret_tree is b's
 * tree, for switching back. */
static int slot_enter(const struct gd_replay_slot *slot, const char *base, const struct gd_bundle *b,
                      struct gd_testbed_tree **ret_tree, struct gd_testbed **ret_tb, char **ret_error) {
        const struct gd_testbed_tree *from = NULL;
        int r;

        r = gd_testbed_tree_new(b, ret_tree, ret_error);
        if (r < 0)
                return r;
        if (slot->base && streq(slot->base, base))
                from = base_tree(NULL);
        if (!from && (r = gd_testbed_remove_dir(slot->dir, true)) < 0)
                return r;
        r = gd_testbed_switch(slot->dir, from, *ret_tree);
        if (r < 0)
                return r;
        *ret_tb = gd_testbed_at(slot->dir);
        if (!*ret_tb || gd_testbed_set_origin(*ret_tb, b->metadata.origin) < 0)
                return -ENOMEM;
        return 0;
}

/* The links and files the testbed left out, first in the scenario's log. */
static int log_testbed_warnings(char * const *warnings, char **log) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *f;

        if (!*warnings)
                return 0;
        f = open_memstream(&text, &len);
        if (!f)
                return -ENOMEM;
        for (char * const *w = warnings; *w; w++)
                fprintf(f, "testbed: warning: %s\n", *w);
        if (*log)
                fputs(*log, f);
        if (fclose(f) != 0)
                return -ENOMEM;
        free(*log);
        *log = TAKE_PTR(text);
        return 0;
}

static int run(const char *path, const char *self, const struct gd_replay_slot *slot,
               struct gd_scenario_result *res) {
        _cleanup_scenario_ struct gd_scenario *s = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_testbed_ struct gd_testbed *tb = NULL;
        _cleanup_(gd_testbed_tree_freep) struct gd_testbed_tree *tree = NULL;
        _cleanup_free_ char *err = NULL, *base = NULL, *out = NULL, *log = NULL;
        int r, status;

        r = gd_scenario_load(path, &s, &err);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                res->bad_input = true;
                return set_error(res, NULL, "%s", err ? err : strerror(-r));
        }
        free(res->name);
        res->name = strdup(s->name);
        if (!res->name)
                return -ENOMEM;

        r = gd_scenario_find_base(s, &base);
        if (r == -ENOMEM)
                return r;
        res->bad_input = r < 0;
        if (r < 0)
                return set_error(res, NULL, "%s:%d: base: no bundle '%s' next to the scenario or in sysfs-snapshots/",
                                 path, s->base_line, s->base);
        err = mfree_str(err);
        r = load_base(base, &b, &err);
        if (r == -ENOMEM)
                return r;
        res->bad_input = r < 0;
        if (r < 0)
                return set_error(res, NULL, "%s:%d: base: %s: %s", path, s->base_line, base,
                                 err ? err : strerror(-r));
        err = mfree_str(err);
        r = gd_scenario_apply(s, b, &err);
        if (r == -ENOMEM)
                return r;
        res->bad_input = r < 0;
        if (r < 0)
                return set_error(res, NULL, "%s", err ? err : strerror(-r));

        err = mfree_str(err);
        if (slot && !base_tree(&err)) {
                r = base_cache.tree_r;
                res->bad_input = r == -EINVAL;
                return set_error(res, NULL, "%s: cannot build the testbed from %s: %s", path, base,
                                 err ? err : strerror(-r));
        }
        r = slot ? slot_enter(slot, base, b, &tree, &tb, &err) : gd_testbed_build(b, &tb, &err);
        if (r == -ENOMEM)
                return r;
        res->bad_input = r == -EINVAL;
        if (r < 0)
                return set_error(res, NULL, "%s: cannot build the testbed from %s after the faults: %s", path, base,
                                 err ? err : strerror(-r));

        r = runner_run_explain(tb, self, &out, &log, &status);
        if (r >= 0 && log_testbed_warnings(slot ? gd_testbed_tree_warnings(tree) : gd_testbed_warnings(tb), &log) < 0)
                return -ENOMEM;
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return set_error(res, NULL, "%s: cannot run '%s explain' in the testbed: %s", path, self, strerror(-r));
        if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
                return set_error(res, log, "%s: the replayed 'gpudiag explain --format json' %s %d", path,
                                 WIFEXITED(status) ? "exited with status" : "died with signal",
                                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        if (log && *log)
                res->log = TAKE_PTR(log);
        /* Back to the base, for the next scenario of this slot. */
        if (slot && gd_testbed_switch(slot->dir, tree, base_tree(NULL)) == 0 && !(res->slot_base = strdup(base)))
                return -ENOMEM;
        return runner_compare(s, out, res);
}

void gd_scenario_prepare_base(const char *base) {
        _cleanup_bundle_ struct gd_bundle *b = NULL;

        if (base && load_base(base, &b, NULL) == 0)
                (void) base_tree(NULL);
}

int gd_scenario_run_in(const char *path, const char *self, const struct gd_replay_slot *slot,
                       struct gd_scenario_result *res) {
        double t0 = now();
        int r;

        *res = (struct gd_scenario_result) { 0 };
        res->path = strdup(path);
        res->name = strdup(path);
        if (!res->path || !res->name)
                return -ENOMEM;
        r = run(path, self, slot, res);
        res->seconds = now() - t0;
        return r;
}

int gd_scenario_run(const char *path, const char *self, struct gd_scenario_result *res) {
        return gd_scenario_run_in(path, self, NULL, res);
}

char *gd_scenario_base_path(const char *path) {
        _cleanup_scenario_ struct gd_scenario *s = NULL;
        char *base = NULL;

        if (gd_scenario_load(path, &s, NULL) < 0 || gd_scenario_find_base(s, &base) < 0)
                return NULL;
        return base;
}

static char *dup_or_null(const char *s, bool *oom) {
        char *d;

        if (!s)
                return NULL;
        d = strdup(s);
        if (!d)
                *oom = true;
        return d;
}

static char **strv_dup(char **l, bool *oom) {
        char **d = calloc(strv_length(l) + 1, sizeof(char *));

        if (!d) {
                *oom = true;
                return NULL;
        }
        for (size_t i = 0; l && l[i]; i++)
                if (!(d[i] = strdup(l[i])))
                        *oom = true;
        return d;
}

int runner_bundle_dup(const struct gd_bundle *b, struct gd_bundle **ret) {
        _cleanup_bundle_ struct gd_bundle *d = calloc(1, sizeof(*d));
        bool oom = false;

        if (!d)
                return -ENOMEM;
        d->metadata.tool = dup_or_null(b->metadata.tool, &oom);
        d->metadata.created = dup_or_null(b->metadata.created, &oom);
        d->metadata.kernel = dup_or_null(b->metadata.kernel, &oom);
        d->metadata.origin = dup_or_null(b->metadata.origin, &oom);
        d->metadata.source = dup_or_null(b->metadata.source, &oom);
        d->metadata.root = b->metadata.root;
        d->metadata.redacted = strv_dup(b->metadata.redacted, &oom);
        d->umockdev = dup_or_null(b->umockdev, &oom);
        d->umockdev_line = b->umockdev_line;
        d->has_iommu_groups = b->has_iommu_groups;
        d->lspci = dup_or_null(b->lspci, &oom);
        d->unreadable = strv_dup(b->unreadable, &oom);
        d->dirs = strv_dup(b->dirs, &oom);
        if (b->n_groups) {
                d->groups = calloc(b->n_groups, sizeof(*d->groups));
                if (!d->groups)
                        return -ENOMEM;
                for (; d->n_groups < b->n_groups; d->n_groups++) {
                        const struct gd_bundle_group *g = &b->groups[d->n_groups];
                        d->groups[d->n_groups] = (struct gd_bundle_group) {
                                .id = g->id,
                                .type = dup_or_null(g->type, &oom),
                                .devices = strv_dup(g->devices, &oom),
                        };
                }
        }
        if (b->n_files) {
                d->files = calloc(b->n_files, sizeof(*d->files));
                if (!d->files)
                        return -ENOMEM;
                for (; d->n_files < b->n_files; d->n_files++) {
                        const struct gd_bundle_file *f = &b->files[d->n_files];
                        struct gd_bundle_file *x = &d->files[d->n_files];

                        *x = (struct gd_bundle_file) { .path = dup_or_null(f->path, &oom),
                                                       .length = f->length, .mtime = f->mtime };
                        x->content = malloc(f->length + 1);
                        if (!x->content) {
                                oom = true;
                                continue;
                        }
                        memcpy(x->content, f->content, f->length + 1);
                }
        }
        if (oom)
                return -ENOMEM;
        *ret = TAKE_PTR(d);
        return 0;
}
