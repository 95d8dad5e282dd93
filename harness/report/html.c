/* SPDX-License-Identifier: MIT */
/* gpudiag report: the page.  Structure and classes are what
 * tests/test-report-html.c reads back from a browser's DOM. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "base/strv.h"
#include "escape.h"
#include "html.h"

/* No script runs and nothing is fetched, whatever the data holds: the
 * escaping keeps markup out, and the policy would stop what slipped by. */
#define CSP "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

static const char css[] =
        "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}"
        "h1{margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}"
        ".meta{color:#555}.meta dt{font-weight:600;float:left;clear:left;width:9em}.meta dd{margin-left:9em}"
        "article.gpu{border:1px solid #ccc;border-left:8px solid #999;border-radius:6px;padding:.5em 1em;margin:1em 0}"
        "article.ready{border-left-color:#2e7d32}article.not-ready{border-left-color:#c62828}"
        "article.unknown{border-left-color:#f9a825}"
        ".verdict{font-weight:700;padding:.1em .5em;border-radius:4px;color:#fff;margin-right:.5em}"
        ".ready .verdict{background:#2e7d32}.not-ready .verdict{background:#c62828}"
        ".unknown .verdict{background:#f9a825;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0}td,th{padding:.15em .7em;text-align:left;"
        "border-bottom:1px solid #eee}code,pre{font:13px/1.4 ui-monospace,monospace}"
        ".finding{border-top:1px solid #eee;padding:.4em 0}.severity{font-weight:700;text-transform:uppercase;"
        "font-size:.8em;margin-right:.5em}.error .severity{color:#c62828}.warning .severity{color:#b26a00}"
        ".info .severity{color:#1565c0}.evidence{margin:.3em 0 .3em 1.5em;padding:0}"
        ".evidence li{white-space:pre-wrap;word-break:break-all}"
        "pre.remedy{background:#f6f8fa;border:1px solid #e1e4e8;border-radius:4px;padding:.5em;"
        "white-space:pre-wrap}.picture{overflow-x:auto;border:1px solid #ddd;border-radius:4px}"
        "svg.topology text{font:12px ui-monospace,monospace}footer{margin-top:3em;color:#777;font-size:.85em}";

static const char *verdict_label(enum gd_verdict v) {
        return v == GD_VERDICT_READY ? "READY" : v == GD_VERDICT_NOT_READY ? "NOT READY" : "UNKNOWN";
}

static void put_text(FILE *out, const char *tag, const char *cls, const char *text) {
        fprintf(out, "<%s class=\"%s\">", tag, cls);
        gd_put_html(out, text);
        fprintf(out, "</%s>", tag);
}

static void finding(FILE *out, const struct gd_finding *x) {
        const char *sev = gd_severity_to_string(x->severity);

        fprintf(out, "<div class=\"finding %s\" data-finding=\"", sev);
        gd_put_html(out, x->id);
        fprintf(out, "\">\n<p><span class=\"severity\">%s</span><code class=\"id\">", sev);
        gd_put_html(out, x->id);
        fputs("</code>: ", out);
        put_text(out, "span", "summary", x->summary);
        fputs("</p>\n", out);
        if (x->n_evidence > 0) {
                fputs("<ol class=\"evidence\">\n", out);
                for (size_t i = 0; i < x->n_evidence; i++) {
                        const struct gd_evidence *ev = &x->evidence[i];

                        fputs("<li><code class=\"source\">", out);
                        gd_put_html(out, ev->source);
                        if (ev->line)
                                fprintf(out, ":%u", ev->line);
                        fputs("</code> ", out);
                        put_text(out, "span", "text", ev->text);
                        fputs("</li>\n", out);
                }
                fputs("</ol>\n", out);
        }
        if (x->remedy) {
                put_text(out, "pre", "remedy", x->remedy);
                fputc('\n', out);
        }
        fputs("</div>\n", out);
}

static bool about_target(const struct gd_finding *x, const struct gd_target *t) {
        for (size_t i = 0; i < t->n_functions; i++)
                if (gd_finding_has_subject(x, t->functions[i]->address))
                        return true;
        return false;
}

static void target(FILE *out, const struct gd_target *t, const struct gd_findings *f) {
        enum gd_verdict v = gd_verdict_for(t, f);
        const char *vs = gd_verdict_to_string(v);
        char name[512];
        char **unproven;

        gd_pci_format_name(t->gpu, true, name, sizeof(name));
        fprintf(out, "<article class=\"gpu %s\" data-address=\"%s\" data-verdict=\"%s\">\n"
                     "<h3><span class=\"verdict\">%s</span><code>%s</code> ",
                vs, t->gpu->address, vs, verdict_label(v), t->gpu->address);
        gd_put_html(out, name);
        fputs("</h3>\n<table class=\"functions\"><tr><th>function</th><th>class</th><th>IDs</th><th>driver</th>"
              "<th>IOMMU group</th></tr>\n", out);
        for (size_t i = 0; i < t->n_functions; i++) {
                const struct gd_pci_dev *d = t->functions[i];

                char ids[32];

                gd_pci_format_ids(d, ids, sizeof(ids));
                fprintf(out, "<tr><td><code>%s</code></td><td>", d->address);
                if (d->class_unknown)
                        fputs("class unknown", out);
                else {
                        gd_put_html(out, d->class_name ? d->class_name : "Class");
                        fprintf(out, " [%04x]", d->class_code >> 8);
                }
                fprintf(out, "</td><td>%s</td><td>", ids);
                gd_put_html(out, d->driver_known != TRI_YES ? "unknown" : d->driver ? d->driver : "none");
                if (d->iommu_group == GD_GROUP_NONE)
                        fputs("</td><td>none</td></tr>\n", out);
                else
                        fprintf(out, "</td><td>%d</td></tr>\n", d->iommu_group);
        }
        fputs("</table>\n", out);
        for (size_t k = 0; k < f->n; k++)
                if (about_target(&f->items[k], t))
                        finding(out, &f->items[k]);
        unproven = v != GD_VERDICT_READY ? gd_verdict_unproven(t, f) : NULL;
        if (unproven && unproven[0]) {
                fputs("<p class=\"unproven\">Not proven: ", out);
                for (size_t k = 0; unproven[k]; k++) {
                        fputs(k ? ", " : "", out);
                        gd_put_html(out, unproven[k]);
                }
                fputs("</p>\n", out);
        }
        strv_free(unproven);
        fputs("</article>\n", out);
}

static void meta_row(FILE *out, const char *label, const char *value) {
        if (!value)
                return;
        fprintf(out, "<dt>%s</dt><dd>", label);
        gd_put_html(out, value);
        fputs("</dd>\n", out);
}

static void header(FILE *out, const struct gd_host *h, const struct gd_html_meta *m) {
        char stamp[64] = "";
        time_t now = (time_t) m->generated;
        struct tm tm;

        if (gmtime_r(&now, &tm))
                strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S UTC", &tm);
        fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>gpudiag report: ", CSP);
        gd_put_html(out, m->bundle ? m->bundle : "this host");
        fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>gpudiag report</h1>\n"
                     "<dl class=\"meta\">\n", css);
        meta_row(out, "bundle", m->bundle);
        meta_row(out, "host", m->bundle ? NULL : "this host, read live");
        meta_row(out, "bundle created", m->created);
        meta_row(out, "origin", m->origin);
        meta_row(out, "source", m->source);
        meta_row(out, "kernel", h->kernel_release ? h->kernel_release : "unknown");
        meta_row(out, "system", h->dmi_product_name);
        meta_row(out, "vendor", h->dmi_sys_vendor);
        meta_row(out, "report made", *stamp ? stamp : NULL);
        fputs("</dl>\n</header>\n", out);
}

int gd_report_html(FILE *out, const struct gd_host *h, const struct gd_targets *t, const struct gd_findings *f,
                   const struct gd_html_meta *m) {
        bool host_header = false;
        int r;

        header(out, h, m);
        fputs("<main>\n<section id=\"verdicts\">\n<h2>Verdicts</h2>\n", out);
        if (t->n == 0)
                fputs("<p class=\"no-gpu\">No GPU to pass through on this host.</p>\n", out);
        for (size_t i = 0; i < t->n; i++)
                target(out, &t->items[i], f);
        fputs("</section>\n", out);

        for (size_t k = 0; k < f->n; k++) {
                bool on_target = false;

                for (size_t i = 0; i < t->n && !on_target; i++)
                        on_target = about_target(&f->items[k], &t->items[i]);
                if (on_target)
                        continue;
                if (!host_header)
                        fputs("<section id=\"host\">\n<h2>The whole host</h2>\n", out);
                host_header = true;
                finding(out, &f->items[k]);
        }
        if (host_header)
                fputs("</section>\n", out);

        fprintf(out, "<section id=\"topology\">\n<h2>PCI topology and IOMMU groups</h2>\n"
                     "<p>%zu PCI functions, %zu IOMMU groups%s. Highlighted: the groups that hold a GPU; "
                     "a VM gets a whole group.</p>\n<div class=\"picture\">\n",
                h->n_devs, h->n_groups, h->n_groups == 0 ? " (the IOMMU is not enabled)" : "");
        r = gd_report_topology_svg(out, h);
        if (r < 0)
                return r;
        fprintf(out, "</div>\n</section>\n</main>\n<footer>Made by gpudiag %s. "
                     "Every value from the host or the bundle is shown as text.</footer>\n</body>\n</html>\n",
                m->version);
        return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}
