/* SPDX-License-Identifier: MIT */
/* TAP and JUnit output of gpudiag replay. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/macro.h"
#include "base/escape.h"
#include "base/strv.h"
#include "report/replay-report.h"

struct replay_report {
        FILE *out;
        size_t n;
        bool verbose;
        size_t passed, failed, bad_input;
        char **names;           /* name=path of every scenario seen so far */
};

struct replay_report *replay_report_new(FILE *out, size_t n, bool verbose) {
        struct replay_report *rep = calloc(1, sizeof(*rep));

        if (!rep)
                return NULL;
        *rep = (struct replay_report) { .out = out, .n = n, .verbose = verbose };
        rep->names = calloc(1, sizeof(char *));
        if (!rep->names) {
                free(rep);
                return NULL;
        }
        fprintf(out, "TAP version 13\n1..%zu%s\n", n, n == 0 ? " # SKIP no scenarios found" : "");
        fflush(out);
        return rep;
}

void replay_report_free(struct replay_report *rep) {
        if (!rep)
                return;
        strv_free(rep->names);
        free(rep);
}

/* A double-quoted YAML scalar, control characters from a scenario or a
 * bundle escaped (base/escape.h). */
static void yaml_quoted(FILE *o, const char *s) {
        escape_fputs_quoted(s ? s : "", o);
}

/* key: | and the text indented below it. */
static void yaml_block(FILE *o, const char *key, const char *text) {
        if (!text || !*text)
                return;
        fprintf(o, "  %s: |\n", key);
        for (const char *p = text; *p;) {
                size_t len = strcspn(p, "\n");

                _cleanup_free_ char *line = strndup(p, len);

                fputs("    ", o);
                escape_fputs(line ? line : "?", o);
                fputc('\n', o);
                p += len + (p[len] == '\n');
        }
}

/* TAP descriptions end at a '#' (a directive) and at a newline. */
static void tap_description(FILE *o, const char *s) {
        _cleanup_free_ char *e = escape_control(s ? s : "");

        for (const char *p = e ? e : "?"; *p; p++)
                fputc(*p == '#' ? '_' : *p, o);
}

void replay_report_result(struct replay_report *rep, size_t index, struct gd_scenario_result *r) {
        FILE *o = rep->out;

        if (r->name && !streq(r->name, r->path)) {
                size_t len = strlen(r->name);
                for (size_t i = 0; rep->names[i]; i++)
                        if (strncmp(rep->names[i], r->name, len) == 0 && rep->names[i][len] == '=') {
                                char *msg = NULL;
                                if (asprintf(&msg, "%s: name '%s' is already used by %s", r->path, r->name,
                                             rep->names[i] + len + 1) >= 0) {
                                        free(r->message);
                                        r->message = msg;
                                }
                                r->ok = false;
                                r->error = true;
                                r->bad_input = true;
                                break;
                        }
                {
                        char *entry = NULL;
                        if (asprintf(&entry, "%s=%s", r->name, r->path) >= 0)
                                (void) strv_consume(&rep->names, entry);
                }
        }

        if (r->ok)
                rep->passed++;
        else
                rep->failed++;
        rep->bad_input += r->bad_input;
        fprintf(o, "%sok %zu - ", r->ok ? "" : "not ", index + 1);
        tap_description(o, r->name ? r->name : r->path);
        fputc('\n', o);
        if (r->ok && !rep->verbose)
                return;
        fputs("  ---\n", o);
        if (!r->ok) {
                fputs("  message: ", o);
                yaml_quoted(o, r->message ? r->message : "failed");
                fputc('\n', o);
        }
        fputs("  file: ", o);
        yaml_quoted(o, r->path);
        fputc('\n', o);
        if (!r->ok || rep->verbose) {
                yaml_block(o, "expected", r->expected);
                yaml_block(o, "actual", r->actual);
                yaml_block(o, "diff", r->diff);
        }
        if (!r->ok || rep->verbose)
                yaml_block(o, "log", r->log);
        fprintf(o, "  duration_ms: %.1f\n", r->seconds * 1000.0);
        fputs("  ...\n", o);
}

int replay_report_finish(struct replay_report *rep, double seconds) {
        fprintf(rep->out, "# %zu scenarios: %zu passed, %zu failed, in %.2f s (%.1f scenarios/s)\n", rep->n,
                rep->passed, rep->failed, seconds, seconds > 0 ? (double) rep->n / seconds : 0.0);
        if (rep->bad_input > 0)
                fprintf(rep->out, "# %zu scenario%s or base bundle%s malformed (exit status 2)\n", rep->bad_input,
                        rep->bad_input == 1 ? "" : "s", rep->bad_input == 1 ? " is" : "s are");
        fflush(rep->out);
        /* Bad input is status 2, as for every command (gpudiag(1)). */
        return rep->bad_input > 0 ? 2 : rep->failed == 0 ? 0 : 1;
}

/* XML 1.0 text: escape the five, drop what XML cannot carry at all. */
static void xml_text(FILE *o, const char *s) {
        for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++)
                switch (*p) {
                case '&':  fputs("&amp;", o); break;
                case '<':  fputs("&lt;", o); break;
                case '>':  fputs("&gt;", o); break;
                case '"':  fputs("&quot;", o); break;
                case '\'': fputs("&apos;", o); break;
                case '\t': case '\n': case '\r': fputc(*p, o); break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                fprintf(o, "\\x%02x", *p);
                        else
                                fputc(*p, o);
                }
}

int replay_report_junit(FILE *o, const struct gd_scenario_result *results, size_t n) {
        size_t failures = 0, errors = 0;
        double total = 0;
        for (size_t i = 0; i < n; i++) {
                total += results[i].seconds;
                if (!results[i].ok)
                        (results[i].error ? errors++ : failures++);
        }
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", o);
        fprintf(o, "<testsuites tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", n, failures, errors,
                total);
        fprintf(o, "  <testsuite name=\"gpudiag-replay\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
                n, failures, errors, total);
        for (size_t i = 0; i < n; i++) {
                const struct gd_scenario_result *r = &results[i];

                fputs("    <testcase classname=\"gpudiag.replay\" name=\"", o);
                xml_text(o, r->name ? r->name : r->path);
                fputs("\" file=\"", o);
                xml_text(o, r->path);
                fprintf(o, "\" time=\"%.3f\"", r->seconds);
                if (r->ok) {
                        fputs("/>\n", o);
                        continue;
                }
                fprintf(o, ">\n      <%s message=\"", r->error ? "error" : "failure");
                xml_text(o, r->message);
                fprintf(o, "\" type=\"%s\">", r->error ? "scenario-error" : "mismatch");
                if (r->expected) {
                        fputs("expected:\n", o);
                        xml_text(o, r->expected);
                        fputs("actual:\n", o);
                        xml_text(o, r->actual);
                        fputs("diff:\n", o);
                        xml_text(o, r->diff);
                } else
                        xml_text(o, r->message);
                fprintf(o, "</%s>\n", r->error ? "error" : "failure");
                if (r->log && *r->log) {
                        fputs("      <system-err>", o);
                        xml_text(o, r->log);
                        fputs("</system-err>\n", o);
                }
                fputs("    </testcase>\n", o);
        }
        fputs("  </testsuite>\n</testsuites>\n", o);
        return ferror(o) ? -EIO : 0;
}
