/* SPDX-License-Identifier: MIT */
/* explain --format prometheus: the text exposition format, for
 * node_exporter's textfile collector (a *.prom file in its directory).
 *
 * The rules followed (prometheus.io/docs/instrumenting/exposition_formats,
 * "Text format details"; prometheus.io/docs/practices/naming):
 * - one "# HELP" and one "# TYPE" line per family, before its samples, and
 *   a family's samples together; the last line ends with a newline;
 * - names are snake_case with the application prefix gpudiag_, the unit
 *   spelled out in base units at the end (_seconds), no _total on gauges;
 * - label values escape \ " and newline, and only those; HELP text escapes
 *   \ and newline;
 * - no two samples of a family with the same labels: node_exporter refuses
 *   a file that has them, so repeated findings are counted in one sample. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "explain.h"

struct finding_sample {
        const char *id, *severity, *address;
        unsigned count;
};

static void family(FILE *out, const char *name, const char *help) {
        /* HELP texts are our own constants: no \ or newline to escape. */
        fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static int add_sample(struct finding_sample **s, size_t *n, const char *id, const char *sev, const char *addr) {
        struct finding_sample *ns;

        for (size_t i = 0; i < *n; i++)
                if (streq((*s)[i].id, id) && streq((*s)[i].severity, sev) && streq((*s)[i].address, addr)) {
                        (*s)[i].count++;
                        return 0;
                }
        ns = realloc(*s, (*n + 1) * sizeof(**s));
        if (!ns)
                return -ENOMEM;
        *s = ns;
        ns[(*n)++] = (struct finding_sample) { .id = id, .severity = sev, .address = addr, .count = 1 };
        return 0;
}

int gd_report_explain_prometheus(FILE *out, const struct gd_targets *t, const struct gd_findings *f,
                                 long long collected) {
        _cleanup_free_ struct finding_sample *samples = NULL;
        size_t n = 0;

        for (size_t i = 0; i < f->n; i++) {
                const struct gd_finding *x = &f->items[i];
                const char *sev = gd_severity_to_string(x->severity);

                size_t addresses = 0;

                /* Subjects are PCI addresses or "group:N" (model/finding.h);
                 * a group's finding also names its devices. */
                for (size_t j = 0; x->subjects && x->subjects[j]; j++) {
                        if (startswith(x->subjects[j], "group:"))
                                continue;
                        if (add_sample(&samples, &n, x->id, sev, x->subjects[j]) < 0)
                                return -ENOMEM;
                        addresses++;
                }
                if (addresses == 0 && add_sample(&samples, &n, x->id, sev, "") < 0)
                        return -ENOMEM;
        }

        if (t->n > 0) {
                family(out, "gpudiag_gpu_ready",
                       "1 when gpudiag explain finds the GPU ready to pass through to a VM, else 0; "
                       "verdict is ready, not-ready or unknown.");
                for (size_t i = 0; i < t->n; i++) {
                        const struct gd_pci_dev *g = t->items[i].gpu;
                        enum gd_verdict v = gd_verdict_for(&t->items[i], f);

                        fputs("gpudiag_gpu_ready{address=\"", out);
                        gd_put_prom_label(out, g->address);
                        /* Empty label values: an imported device whose IDs
                         * the paste did not show. */
                        if (g->ids_unknown)
                                fprintf(out, "\",vendor=\"\",device=\"\",verdict=\"%s\"} %d\n",
                                        gd_verdict_to_string(v), v == GD_VERDICT_READY);
                        else
                                fprintf(out, "\",vendor=\"%04x\",device=\"%04x\",verdict=\"%s\"} %d\n", g->vendor,
                                        g->device, gd_verdict_to_string(v), v == GD_VERDICT_READY);
                }
        }
        if (n > 0) {
                family(out, "gpudiag_finding",
                       "Findings of gpudiag explain by id, severity and the PCI address they name "
                       "(empty for the whole host); the value counts them.");
                for (size_t i = 0; i < n; i++) {
                        fputs("gpudiag_finding{id=\"", out);
                        gd_put_prom_label(out, samples[i].id);
                        fputs("\",severity=\"", out);
                        gd_put_prom_label(out, samples[i].severity);
                        fputs("\",address=\"", out);
                        gd_put_prom_label(out, samples[i].address);
                        fprintf(out, "\"} %u\n", samples[i].count);
                }
        }
        if (collected >= 0) {
                family(out, "gpudiag_collect_timestamp_seconds",
                       "When the facts behind these metrics were read, in seconds since the epoch: "
                       "the run for this host, the bundle's creation for --bundle.");
                fprintf(out, "gpudiag_collect_timestamp_seconds %lld\n", collected);
        }
        return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}
