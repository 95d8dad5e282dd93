/* SPDX-License-Identifier: MIT */
/* Comparing what the replayed `explain --format json` said with what a
 * scenario expects: a verdict per GPU address, findings that must appear
 * (with at least the given subjects) and findings that must not.  The
 * result carries the expected and actual views and a "-"/"+" diff, so a
 * failing scenario reads like a test failure, not like a JSON dump. */
#include <errno.h>
#include <libfyaml.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/strv.h"
#include "replay/runner-internal.h"

static struct fy_node *lookup(struct fy_node *map, const char *key) {
        return map && fy_node_is_mapping(map) ? fy_node_mapping_lookup_by_string(map, key, FY_NT) : NULL;
}

static const char *scalar(struct fy_node *map, const char *key) {
        struct fy_node *n = lookup(map, key);
        return n && fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL;
}

static bool finding_has_subject(struct fy_node *f, const char *subject) {
        struct fy_node *subs = lookup(f, "subjects"), *x;
        void *it = NULL;

        while (subs && fy_node_is_sequence(subs) && (x = fy_node_sequence_iterate(subs, &it)))
                if (fy_node_is_scalar(x) && strcasecmp(fy_node_get_scalar0(x), subject) == 0)
                        return true;
        return false;
}

/* Does f have every subject of e? */
static bool finding_matches(struct fy_node *f, const struct gd_expect_finding *e) {
        if (!streq(scalar(f, "id"), e->id))
                return false;
        for (size_t i = 0; e->subjects[i]; i++)
                if (!finding_has_subject(f, e->subjects[i]))
                        return false;
        return true;
}

static void print_subjects(FILE *o, char **subjects) {
        fputs(" [", o);
        for (size_t i = 0; subjects[i]; i++)
                fprintf(o, "%s%s", i ? ", " : "", subjects[i]);
        fputc(']', o);
}

static void print_actual_finding(FILE *o, const char *prefix, struct fy_node *f) {
        struct fy_node *subs = lookup(f, "subjects"), *x;
        void *it = NULL;
        bool first = true;

        fprintf(o, "%s%s", prefix, scalar(f, "id") ? scalar(f, "id") : "?");
        while (subs && fy_node_is_sequence(subs) && (x = fy_node_sequence_iterate(subs, &it))) {
                fprintf(o, "%s%s", first ? " [" : ", ", fy_node_is_scalar(x) ? fy_node_get_scalar0(x) : "?");
                first = false;
        }
        if (!first)
                fputc(']', o);
        fputc('\n', o);
}

static void print_expected(FILE *o, const struct gd_scenario *s) {
        if (s->role)
                fprintf(o, "role: %s\n", s->role);
        if (s->n_verdicts) {
                fputs("verdict:\n", o);
                for (size_t i = 0; i < s->n_verdicts; i++)
                        fprintf(o, "  %s: %s\n", s->verdicts[i].address, s->verdicts[i].verdict);
        }
        if (s->n_findings) {
                fputs("findings:\n", o);
                for (size_t i = 0; i < s->n_findings; i++) {
                        fprintf(o, "  - %s", s->findings[i].id);
                        if (s->findings[i].subjects[0])
                                print_subjects(o, s->findings[i].subjects);
                        fputc('\n', o);
                }
        }
        if (s->absent[0]) {
                fputs("absent:\n", o);
                for (size_t i = 0; s->absent[i]; i++)
                        fprintf(o, "  - %s\n", s->absent[i]);
        }
}

static void print_actual(FILE *o, struct fy_node *host, struct fy_node *gpus, struct fy_node *findings) {
        struct fy_node *x;
        void *it = NULL;
        bool any = false;

        if (host && scalar(host, "role"))
                fprintf(o, "role: %s\n", scalar(host, "role"));
        fputs("verdict:", o);
        while (gpus && (x = fy_node_sequence_iterate(gpus, &it))) {
                fprintf(o, "\n  %s: %s", scalar(x, "address") ? scalar(x, "address") : "?",
                        scalar(x, "verdict") ? scalar(x, "verdict") : "?");
                any = true;
        }
        fputs(any ? "\n" : " {}   # no GPU\n", o);
        it = NULL;
        any = false;
        fputs("findings:", o);
        while (findings && (x = fy_node_sequence_iterate(findings, &it))) {
                if (!any)
                        fputc('\n', o);
                print_actual_finding(o, "  - ", x);
                any = true;
        }
        if (!any)
                fputs(" []\n", o);
}

struct problems {
        FILE *diff;
        char *first;
        size_t n;
};

_printf_(2, 3)
static void problem(struct problems *p, const char *fmt, ...) {
        va_list ap;

        p->n++;
        if (p->first)
                return;
        va_start(ap, fmt);
        if (vasprintf(&p->first, fmt, ap) < 0)
                p->first = NULL;
        va_end(ap);
}

static void compare(const struct gd_scenario *s, struct fy_node *host, struct fy_node *gpus, struct fy_node *findings,
                    struct problems *p) {
        struct fy_node *x;
        void *it;

        if (s->role) {
                const char *got = host ? scalar(host, "role") : NULL;
                if (!streq(got, s->role)) {
                        fprintf(p->diff, "- role: %s\n+ role: %s\n", s->role, got ? got : "(none)");
                        problem(p, "role is %s, expected %s (line %d)", got ? got : "(none)", s->role, s->role_line);
                }
        }

        for (size_t i = 0; i < s->n_verdicts; i++) {
                const struct gd_expect_verdict *e = &s->verdicts[i];
                const char *got = NULL;

                it = NULL;
                while (gpus && (x = fy_node_sequence_iterate(gpus, &it)))
                        if (scalar(x, "address") && strcasecmp(scalar(x, "address"), e->address) == 0)
                                got = scalar(x, "verdict");
                if (streq(got, e->verdict))
                        continue;
                fprintf(p->diff, "- verdict %s: %s\n+ verdict %s: %s\n", e->address, e->verdict, e->address,
                        got ? got : "(no GPU at this address)");
                if (got)
                        problem(p, "verdict of %s is %s, expected %s (line %d)", e->address, got, e->verdict, e->line);
                else
                        problem(p, "explain found no GPU at %s (line %d)", e->address, e->line);
        }

        for (size_t i = 0; i < s->n_findings; i++) {
                const struct gd_expect_finding *e = &s->findings[i];
                bool found = false, same_id = false;

                it = NULL;
                while (findings && !found && (x = fy_node_sequence_iterate(findings, &it))) {
                        found = finding_matches(x, e);
                        same_id = same_id || streq(scalar(x, "id"), e->id);
                }
                if (found)
                        continue;
                fprintf(p->diff, "- finding %s", e->id);
                if (e->subjects[0])
                        print_subjects(p->diff, e->subjects);
                fputc('\n', p->diff);
                if (same_id) {
                        it = NULL;
                        while ((x = fy_node_sequence_iterate(findings, &it)))
                                if (streq(scalar(x, "id"), e->id))
                                        print_actual_finding(p->diff, "+ finding ", x);
                        problem(p, "finding %s appeared, but not with the expected subjects (line %d)", e->id,
                                e->line);
                } else
                        problem(p, "finding %s did not appear (line %d)", e->id, e->line);
        }

        for (size_t i = 0; s->absent[i]; i++) {
                bool seen = false;

                it = NULL;
                while (findings && (x = fy_node_sequence_iterate(findings, &it)))
                        if (streq(scalar(x, "id"), s->absent[i])) {
                                print_actual_finding(p->diff, "+ finding ", x);
                                seen = true;
                        }
                if (seen)
                        problem(p, "finding %s appeared, but the scenario lists it as absent (line %d)", s->absent[i],
                                s->absent_lines[i]);
        }
}

static char *memstream_finish(FILE *f, char **buf) {
        if (!f)
                return NULL;
        if (fclose(f) != 0) {
                free(*buf);
                *buf = NULL;
        }
        return *buf;
}

int runner_compare(const struct gd_scenario *s, const char *json, struct gd_scenario_result *res) {
        struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_JSON_FORCE };
        struct fy_document *doc = fy_document_build_from_string(&cfg, json, FY_NT);
        struct fy_node *root, *gpus, *findings, *host;
        struct problems p = { 0 };
        char *ebuf = NULL, *abuf = NULL, *dbuf = NULL;
        size_t elen, alen, dlen;
        FILE *e, *a;

        root = doc ? fy_document_root(doc) : NULL;
        gpus = lookup(root, "gpus");
        findings = lookup(root, "findings");
        host = lookup(root, "host");
        if (!gpus || !fy_node_is_sequence(gpus) || !findings || !fy_node_is_sequence(findings)) {
                fy_document_destroy(doc);
                res->ok = false;
                res->error = true;
                free(res->log);
                res->log = strndup(json, 4096);
                return asprintf(&res->message, "%s: the replayed explain did not print the expected JSON "
                                "(no gpus/findings arrays)", s->path) < 0 ? -ENOMEM : 0;
        }

        e = open_memstream(&ebuf, &elen);
        a = open_memstream(&abuf, &alen);
        p.diff = open_memstream(&dbuf, &dlen);
        if (!e || !a || !p.diff) {
                memstream_finish(e, &ebuf);
                memstream_finish(a, &abuf);
                memstream_finish(p.diff, &dbuf);
                free(ebuf);
                free(abuf);
                free(dbuf);
                fy_document_destroy(doc);
                return -ENOMEM;
        }
        print_expected(e, s);
        print_actual(a, host, gpus, findings);
        compare(s, host, gpus, findings, &p);
        fy_document_destroy(doc);

        res->expected = memstream_finish(e, &ebuf);
        res->actual = memstream_finish(a, &abuf);
        res->diff = memstream_finish(p.diff, &dbuf);
        if (!res->expected || !res->actual || !res->diff) {
                free(p.first);
                return -ENOMEM;
        }
        res->ok = p.n == 0;
        if (p.n == 0) {
                free(p.first);
                return 0;
        }
        if (p.n == 1) {
                res->message = p.first;
                return res->message ? 0 : -ENOMEM;
        }
        if (asprintf(&res->message, "%s; and %zu more", p.first ? p.first : "mismatch", p.n - 1) < 0)
                res->message = NULL;
        free(p.first);
        return res->message ? 0 : -ENOMEM;
}
