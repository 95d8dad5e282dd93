/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/strv.h"
#include "bundle/bundle.h"
#include "plan-fixture.h"
#include "replay/scenario.h"
#include "testbed-run.h"

struct gd_testbed *plan_testbed(const char *name) {
        _cleanup_(gd_scenario_freep) struct gd_scenario *s = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_free_ char *path = NULL, *error = NULL, *base = NULL;
        const char *src = getenv("GPUDIAG_SRCDIR");
        struct gd_testbed *t = NULL;
        int r;

        cr_assert_geq(asprintf(&path, "%s/fixtures/plan/%s.yaml", src && *src ? src : ".", name), 0);
        cr_assert_eq(gd_scenario_load(path, &s, &error), 0, "%s: %s", path, error);
        cr_assert_eq(gd_scenario_find_base(s, &base), 0, "%s: base", path);
        cr_assert_eq(gd_bundle_load(base, &b, &error), 0, "%s: %s", base, error);
        cr_assert_eq(gd_scenario_apply(s, b, &error), 0, "%s: %s", path, error);
        r = gd_testbed_build(b, &t, &error);
        cr_assert_eq(r, 0, "%s: testbed: %s", name, error ? error : strerror(-r));
        return t;
}

struct run plan_run_in(const struct gd_testbed *t, char * const *env_extra, const char *first, ...) {
        _cleanup_strv_free_ char **argv = NULL, **env = NULL;
        struct run out = {};
        va_list ap;

        cr_assert_eq(strv_push_dup(&argv, gpudiag_binary()), 0);
        va_start(ap, first);
        for (const char *a = first; a; a = va_arg(ap, const char *))
                cr_assert_eq(strv_push_dup(&argv, a), 0);
        va_end(ap);
        cr_assert_eq(gd_testbed_exec_env(t, &env), 0);
        for (size_t i = 0; env_extra && env_extra[i]; i++) {
                size_t klen = strcspn(env_extra[i], "=");
                for (size_t j = 0; env[j]; j++)
                        if (strncmp(env[j], env_extra[i], klen + 1) == 0) {
                                free(env[j]);
                                env[j] = strdup(env_extra[i]);
                                goto next;
                        }
                cr_assert_eq(strv_push_dup(&env, env_extra[i]), 0);
        next:;
        }
        cr_assert_eq(program_run(argv, env, NULL, &out.out, &out.err, &out.status), 0);
        out.code = WIFEXITED(out.status) ? WEXITSTATUS(out.status) : -1;
        return out;
}

void run_clear(struct run *r) {
        free(r->out);
        free(r->err);
}

struct fy_document *plan_json_doc(const struct run *r) {
        /* libfyaml keeps pointing into the string: the document gets a copy of its own. */
        char *copy = strdup(r->out);
        struct fy_document *d = copy ? fy_document_build_from_malloc_string(NULL, copy, FY_NT) : NULL;

        cr_assert_not_null(d, "not JSON: %s\n%s", r->out, r->err);
        return d;
}

const char *node_str(struct fy_node *map, const char *key) {
        struct fy_node *v = fy_node_mapping_lookup_by_string(map, key, FY_NT);
        const char *s;

        if (!v || !fy_node_is_scalar(v))
                return NULL;
        s = fy_node_get_scalar0(v);
        return fy_node_get_style(v) == FYNS_PLAIN && streq(s, "null") ? NULL : s;
}

struct fy_node *plan_item(struct fy_document *d, const char *key, size_t index) {
        struct fy_node *n = fy_node_mapping_lookup_by_string(fy_document_root(d), key, FY_NT);
        return n && fy_node_is_sequence(n) ? fy_node_sequence_get_by_index(n, (int) index) : NULL;
}

struct fy_node *plan_step(struct fy_document *d, const char *key, const char *value) {
        struct fy_node *steps = fy_node_mapping_lookup_by_string(fy_document_root(d), "steps", FY_NT), *s;
        void *iter = NULL;

        while ((s = fy_node_sequence_iterate(steps, &iter)))
                if (streq(node_str(s, key), value))
                        return s;
        return NULL;
}

char *step_argv(struct fy_node *step) {
        struct fy_node *seq = fy_node_mapping_lookup_by_string(step, "argv", FY_NT), *w;
        void *iter = NULL;
        char *out = NULL;
        size_t len = 0;
        FILE *f;

        if (!seq || !fy_node_is_sequence(seq))
                return NULL;
        f = open_memstream(&out, &len);
        while ((w = fy_node_sequence_iterate(seq, &iter)))
                fprintf(f, "%s%s", len ? " " : "", fy_node_get_scalar0(w)), fflush(f);
        fclose(f);
        return out;
}

struct fy_node *plan_command(struct fy_document *d, const char *argv_joined) {
        struct fy_node *steps = fy_node_mapping_lookup_by_string(fy_document_root(d), "steps", FY_NT), *s;
        void *iter = NULL;

        while ((s = fy_node_sequence_iterate(steps, &iter))) {
                _cleanup_free_ char *a = step_argv(s);
                if (streq(a, argv_joined))
                        return s;
        }
        return NULL;
}

bool diff_has_line(struct fy_node *step, const char *line) {
        const char *diff = step ? node_str(step, "diff") : NULL;
        size_t n = strlen(line);

        for (const char *l = diff; l && *l;) {
                const char *nl = strchr(l, '\n');
                size_t len = nl ? (size_t) (nl - l) : strlen(l);
                if (len == n && strncmp(l, line, n) == 0)
                        return true;
                l = nl ? nl + 1 : NULL;
        }
        return false;
}

size_t plan_count(struct fy_document *d, const char *key) {
        struct fy_node *n = fy_node_mapping_lookup_by_string(fy_document_root(d), key, FY_NT);
        return n && fy_node_is_sequence(n) ? (size_t) fy_node_sequence_item_count(n) : 0;
}
