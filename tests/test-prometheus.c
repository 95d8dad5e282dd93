/* SPDX-License-Identifier: MIT */
/* explain --format prometheus: text that node_exporter's textfile collector
 * and Prometheus accept (checked here against the exposition format's
 * grammar, and by promtool when installed), saying what the JSON says. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "base/macro.h"
#include "base/utf8.h"
#include "report/escape.h"
#include "run-program.h"
#include "testbed-run.h"

/* ---- The text format, after prometheus.io/docs/instrumenting/exposition_formats
 * ("Text format details") and the parser it describes. ---- */

#define MAX_SAMPLES 4096

struct sample {
        char name[128];
        char labels[512];      /* the label set as written, escapes kept */
        double value;
};

struct exposition {
        struct sample s[MAX_SAMPLES];
        size_t n;
};

static char prom_error[4096];

static bool is_name_char(char c, bool first, bool colon) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
               (!first && c >= '0' && c <= '9');
}

/* Metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*. */
static size_t name_len(const char *p, bool colon) {
        size_t n = 0;
        while (p[n] && is_name_char(p[n], n == 0, colon))
                n++;
        return n;
}

#define FAIL(...) do { snprintf(prom_error, sizeof(prom_error), __VA_ARGS__); return false; } while (0)

static bool parse_labels(const char **pp, char *out, size_t size, unsigned line) {
        const char *p = *pp, *start = p;
        char names[16][64];
        size_t n_names = 0;

        p++; /* '{' */
        while (*p != '}') {
                size_t n = name_len(p, false);
                if (n == 0 || n >= 64)
                        FAIL("line %u: bad label name at '%.20s'", line, p);
                for (size_t i = 0; i < n_names; i++)
                        if (strlen(names[i]) == n && strncmp(names[i], p, n) == 0)
                                FAIL("line %u: label %.*s twice", line, (int) n, p);
                if (n_names < 16)
                        snprintf(names[n_names++], 64, "%.*s", (int) n, p);
                p += n;
                if (p[0] != '=' || p[1] != '"')
                        FAIL("line %u: expected =\" after a label name", line);
                p += 2;
                while (*p != '"') {
                        if (*p == '\0' || *p == '\n')
                                FAIL("line %u: unterminated label value", line);
                        if (*p == '\\') {
                                if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
                                        FAIL("line %u: escape \\%c in a label value", line, p[1]);
                                p++;
                        }
                        p++;
                }
                p++;
                if (*p == ',')
                        p++;
                else if (*p != '}')
                        FAIL("line %u: expected , or } after a label value", line);
        }
        p++;
        snprintf(out, size, "%.*s", (int) (p - start), start);
        *pp = p;
        return true;
}

static bool parse_value(const char *p, const char **end, double *ret) {
        char *e;

        if (startswith(p, "+Inf") || startswith(p, "-Inf") || startswith(p, "NaN")) {
                *ret = 0;
                *end = p + (p[0] == 'N' ? 3 : 4);
                return true;
        }
        *ret = strtod(p, &e);
        *end = e;
        return e != p;
}

/* Checks text against the grammar and the rules a scrape enforces: HELP and
 * TYPE at most once per family and before its samples, a family's samples
 * together, no label set twice.  Fills x; false with prom_error set. */
static bool prom_check(const char *text, struct exposition *x) {
        char typed[64][128], helped[64][128], current[128] = "", done[64][128];
        size_t n_typed = 0, n_helped = 0, n_done = 0;
        unsigned line = 0;
        size_t len = strlen(text);

        x->n = 0;
        if (!utf8_valid(text, len, NULL))
                FAIL("not UTF-8");
        if (len == 0 || text[len - 1] != '\n')
                FAIL("the last line does not end with a line feed");
        for (const char *p = text; *p; ) {
                const char *nl = strchr(p, '\n');
                char buf[2048];

                line++;
                snprintf(buf, sizeof(buf), "%.*s", (int) (nl - p), p);
                p = nl + 1;
                if (buf[0] == '\0')
                        continue;
                if (startswith(buf, "# HELP ") || startswith(buf, "# TYPE ")) {
                        bool help = buf[2] == 'H';
                        const char *q = buf + 7;
                        size_t n = name_len(q, true);
                        char name[128];

                        if (n == 0 || (q[n] != ' ' && q[n] != '\0') || n >= sizeof(name))
                                FAIL("line %u: bad metric name in %s", line, buf);
                        snprintf(name, sizeof(name), "%.*s", (int) n, q);
                        for (size_t i = 0; i < x->n; i++)
                                if (streq(x->s[i].name, name))
                                        FAIL("line %u: %s after samples of %s", line, help ? "HELP" : "TYPE", name);
                        for (size_t i = 0; i < (help ? n_helped : n_typed); i++)
                                if (streq(help ? helped[i] : typed[i], name))
                                        FAIL("line %u: second %s for %s", line, help ? "HELP" : "TYPE", name);
                        if (help) {
                                for (const char *d = q + n; *d; d++)
                                        if (*d == '\\' && d[1] != '\\' && d[1] != 'n')
                                                FAIL("line %u: escape \\%c in HELP", line, d[1]);
                                        else if (*d == '\\')
                                                d++;
                                snprintf(helped[n_helped++ % 64], 128, "%s", name);
                        } else {
                                const char *t = q + n + 1;
                                if (!streq(t, "counter") && !streq(t, "gauge") && !streq(t, "histogram") &&
                                    !streq(t, "summary") && !streq(t, "untyped"))
                                        FAIL("line %u: unknown type '%s'", line, t);
                                snprintf(typed[n_typed++ % 64], 128, "%s", name);
                        }
                        continue;
                }
                if (buf[0] == '#')
                        continue;

                {
                        struct sample *s;
                        const char *q = buf, *end;
                        size_t n = name_len(q, true);

                        if (x->n >= MAX_SAMPLES)
                                FAIL("more than %d samples", MAX_SAMPLES);
                        s = &x->s[x->n];
                        memset(s, 0, sizeof(*s));
                        if (n == 0 || n >= sizeof(s->name))
                                FAIL("line %u: bad metric name in '%s'", line, buf);
                        snprintf(s->name, sizeof(s->name), "%.*s", (int) n, q);
                        q += n;
                        if (*q == '{' && !parse_labels(&q, s->labels, sizeof(s->labels), line))
                                return false;
                        if (*q != ' ')
                                FAIL("line %u: no space before the value", line);
                        while (*q == ' ')
                                q++;
                        if (!parse_value(q, &end, &s->value))
                                FAIL("line %u: bad value '%s'", line, q);
                        q = end;
                        if (*q == ' ') {
                                while (*q == ' ')
                                        q++;
                                strtoll(q, (char **) &end, 10);
                                if (end == q)
                                        FAIL("line %u: bad timestamp '%s'", line, q);
                                q = end;
                        }
                        if (*q)
                                FAIL("line %u: trailing '%s'", line, q);
                        if (!streq(current, s->name)) {
                                for (size_t i = 0; i < n_done; i++)
                                        if (streq(done[i], s->name))
                                                FAIL("line %u: samples of %s are not together", line, s->name);
                                if (*current && n_done < 64)
                                        snprintf(done[n_done++], 128, "%s", current);
                                snprintf(current, sizeof(current), "%s", s->name);
                        }
                        for (size_t i = 0; i < x->n; i++)
                                if (streq(x->s[i].name, s->name) && streq(x->s[i].labels, s->labels))
                                        FAIL("line %u: %s%s twice", line, s->name, s->labels);
                        x->n++;
                }
        }
        return true;
}

/* promtool check metrics (Debian package prometheus) reads stdin; exit 0
 * when it found nothing to complain about, problems and lint on stderr. */
static void promtool_accepts(const char *text, bool expect_ok) {
        _cleanup_free_ char *path = write_temp(text, ".prom"), *out = NULL, *err = NULL;
        char *argv[] = { (char *) "promtool", (char *) "check", (char *) "metrics", NULL };
        int status;

        require_tool("promtool", "prometheus");
        cr_assert_eq(run_program(argv, path, &out, &err, &status), 0);
        unlink(path);
        if (expect_ok)
                cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "promtool: %s%s\n---\n%s", out, err, text);
        else
                cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0, "promtool accepted:\n%s", text);
}

/* ---- What the JSON says, as the samples it must give. ---- */

static const char *scalar(struct fy_node *n, const char *path, char *buf, size_t size) {
        struct fy_node *v = fy_node_by_path(n, path, FY_NT, FYNWF_DONT_FOLLOW);
        size_t len = 0;
        const char *s = v && fy_node_is_scalar(v) ? fy_node_get_scalar(v, &len) : NULL;

        snprintf(buf, size, "%.*s", s ? (int) len : 0, s ? s : "");
        return buf;
}

static const struct sample *find_sample(const struct exposition *x, const char *name, const char *labels) {
        for (size_t i = 0; i < x->n; i++)
                if (streq(x->s[i].name, name) && streq(x->s[i].labels, labels))
                        return &x->s[i];
        return NULL;
}

static size_t count_named(const struct exposition *x, const char *name) {
        size_t n = 0;
        for (size_t i = 0; i < x->n; i++)
                n += streq(x->s[i].name, name);
        return n;
}

static void assert_agrees_with_json(const char *bundle, const struct exposition *x) {
        char *args[] = { (char *) "explain", (char *) "--bundle", (char *) bundle, (char *) "--format",
                         (char *) "json", NULL };
        _cleanup_free_ char *json = NULL, *err = NULL;
        struct fy_document *doc;
        struct fy_node *gpus, *findings, *it;
        void *iter = NULL;
        size_t n_gpus = 0, n_finding_samples = 0;
        int rc = run_gpudiag_args(args, &json, &err);

        cr_assert(rc == 0 || rc == 1, "%s: explain --format json exit %d: %s", bundle, rc, err);
        doc = fy_document_build_from_string(NULL, json, FY_NT);
        cr_assert_not_null(doc);
        gpus = fy_node_by_path(fy_document_root(doc), "/gpus", FY_NT, FYNWF_DONT_FOLLOW);
        while ((it = fy_node_sequence_iterate(gpus, &iter))) {
                char a[32], v[16], d[16], verdict[32], labels[256];
                const struct sample *s;

                snprintf(labels, sizeof(labels), "{address=\"%s\",vendor=\"%s\",device=\"%s\",verdict=\"%s\"}",
                         scalar(it, "address", a, sizeof(a)), scalar(it, "vendor", v, sizeof(v)),
                         scalar(it, "device", d, sizeof(d)), scalar(it, "verdict", verdict, sizeof(verdict)));
                s = find_sample(x, "gpudiag_gpu_ready", labels);
                cr_assert_not_null(s, "%s: no gpudiag_gpu_ready%s", bundle, labels);
                cr_assert_eq(s->value, streq(verdict, "ready") ? 1.0 : 0.0, "%s: %s", bundle, labels);
                n_gpus++;
        }
        cr_assert_eq(count_named(x, "gpudiag_gpu_ready"), n_gpus, "%s", bundle);

        findings = fy_node_by_path(fy_document_root(doc), "/findings", FY_NT, FYNWF_DONT_FOLLOW);
        iter = NULL;
        while ((it = fy_node_sequence_iterate(findings, &iter))) {
                struct fy_node *subjects = fy_node_by_path(it, "subjects", FY_NT, FYNWF_DONT_FOLLOW), *sub;
                char id[64], sev[16], labels[256], addr[64];
                void *si = NULL;
                size_t addresses = 0;

                scalar(it, "id", id, sizeof(id));
                scalar(it, "severity", sev, sizeof(sev));
                while ((sub = fy_node_sequence_iterate(subjects, &si))) {
                        size_t len;
                        const char *s = fy_node_get_scalar(sub, &len);

                        snprintf(addr, sizeof(addr), "%.*s", (int) len, s);
                        if (startswith(addr, "group:"))
                                continue;
                        snprintf(labels, sizeof(labels), "{id=\"%s\",severity=\"%s\",address=\"%s\"}", id, sev, addr);
                        cr_assert_not_null(find_sample(x, "gpudiag_finding", labels), "%s: no gpudiag_finding%s",
                                           bundle, labels);
                        addresses++;
                }
                if (addresses == 0) {
                        snprintf(labels, sizeof(labels), "{id=\"%s\",severity=\"%s\",address=\"\"}", id, sev);
                        cr_assert_not_null(find_sample(x, "gpudiag_finding", labels), "%s: no gpudiag_finding%s",
                                           bundle, labels);
                }
                n_finding_samples += addresses ? addresses : 1;
        }
        /* Every finding has its samples; the counts add up to the findings. */
        {
                double total = 0;
                for (size_t i = 0; i < x->n; i++)
                        if (streq(x->s[i].name, "gpudiag_finding"))
                                total += x->s[i].value;
                cr_assert_eq(total, (double) n_finding_samples, "%s: finding counts", bundle);
        }
        fy_document_destroy(doc);
}

static void check_bundle(const char *bundle) {
        char *args[] = { (char *) "explain", (char *) "--bundle", (char *) bundle, (char *) "--format",
                         (char *) "prometheus", NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        static struct exposition x;
        int rc = run_gpudiag_args(args, &out, &err);

        cr_assert(rc == 0 || rc == 1, "%s: exit %d: %s", bundle, rc, err);
        cr_assert(prom_check(out, &x), "%s: %s\n---\n%s", bundle, prom_error, out);
        promtool_accepts(out, true);
        assert_agrees_with_json(bundle, &x);
}

Test(prometheus, every_snapshot_gives_text_promtool_accepts_and_the_json_verdicts) {
        const char *dirs[] = { "sysfs-snapshots", "sysfs-snapshots/imported" };
        size_t n = 0;

        for (size_t d = 0; d < ELEMENTSOF(dirs); d++) {
                _cleanup_free_ char *dir = source_path(dirs[d]);
                struct dirent **list = NULL;
                int k = scandir(dir, &list, NULL, alphasort);

                cr_assert_geq(k, 0, "cannot list %s", dir);
                for (int i = 0; i < k; i++) {
                        if (endswith(list[i]->d_name, ".yaml")) {
                                _cleanup_free_ char *p = NULL;
                                cr_assert(asprintf(&p, "%s/%s", dir, list[i]->d_name) >= 0);
                                check_bundle(p);
                                n++;
                        }
                        free(list[i]);
                }
                free(list);
        }
        cr_assert_geq(n, 30, "only %zu snapshots", n);
}

Test(prometheus, collect_timestamp_is_the_bundles_creation_time) {
        _cleanup_free_ char *bundle = fixture_bundle_path("minimal.yaml"), *out = NULL, *err = NULL;
        char *args[] = { (char *) "explain", (char *) "--bundle", bundle, (char *) "--format", (char *) "prometheus", NULL };
        static struct exposition x;
        const struct sample *s;

        run_gpudiag_args(args, &out, &err);
        cr_assert(prom_check(out, &x), "%s\n%s", prom_error, out);
        s = find_sample(&x, "gpudiag_collect_timestamp_seconds", "");
        cr_assert_not_null(s, "%s", out);
        /* metadata.created: 2026-11-26T15:00:00Z */
        cr_assert_eq(s->value, 1795705200.0);
}

Test(prometheus, collect_timestamp_of_this_host_is_the_time_of_the_run) {
        char *args[] = { (char *) "explain", (char *) "--format", (char *) "prometheus", NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        static struct exposition x;
        time_t before = time(NULL), after;
        const struct sample *s;
        int rc = run_gpudiag_args(args, &out, &err);

        after = time(NULL);
        cr_assert(rc == 0 || rc == 1, "exit %d: %s", rc, err);
        cr_assert(prom_check(out, &x), "%s\n%s", prom_error, out);
        promtool_accepts(out, true);
        s = find_sample(&x, "gpudiag_collect_timestamp_seconds", "");
        cr_assert_not_null(s, "%s", out);
        cr_assert(s->value >= (double) before && s->value <= (double) after, "%f not in [%ld, %ld]", s->value,
                  (long) before, (long) after);
}

Test(prometheus, label_values_from_data_are_escaped_as_the_format_requires) {
        /* A value that a bundle could carry: quotes, backslashes, a newline,
         * a byte that is not UTF-8, and a control character. */
        const char *raw = "a\"b\\c\nd\xff" "e\x01" "f \xc3\xa9";
        char *buf = NULL, *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        static struct exposition x;

        gd_put_prom_label(f, raw);
        fclose(f);
        cr_assert_str_eq(buf, "a\\\"b\\\\c\\nd\xef\xbf\xbd" "e\xef\xbf\xbd" "f \xc3\xa9");
        cr_assert(asprintf(&text, "# HELP t_metric A test.\n# TYPE t_metric gauge\nt_metric{v=\"%s\"} 1\n", buf) >= 0);
        cr_assert(prom_check(text, &x), "%s", prom_error);
        promtool_accepts(text, true);
        free(buf);
        free(text);
}

/* The checker above is only worth something if it refuses what a scrape
 * refuses; promtool, when present, agrees with each refusal. */
Test(prometheus, the_grammar_check_refuses_what_prometheus_refuses) {
        static const char *const bad[] = {
                "m{a=\"x\\q\"} 1\n",                                      /* unknown escape */
                "m{a=\"x\"} 1\nm{a=\"x\"} 2\n",                           /* the same series twice */
                "# TYPE m gauge\nm 1\n# TYPE m gauge\n",                  /* a second TYPE */
                "m 1\n# TYPE m gauge\n",                                  /* TYPE after a sample */
                "m{a=\"x} 1\n",                                           /* unterminated value */
                "0m 1\n",                                                 /* bad name */
                "m{a=\"1\"} 1\nn 1\nm{a=\"2\"} 1\n",                      /* a family split */
                "m one\n",                                                /* not a number */
        };
        static struct exposition x;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                cr_assert_not(prom_check(bad[i], &x), "accepted: %s", bad[i]);
                if (tool_available("promtool"))
                        promtool_accepts(bad[i], false);
        }
        cr_assert_not(prom_check("m 1", &x), "accepted a last line without a line feed");
}
