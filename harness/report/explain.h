/* SPDX-License-Identifier: MIT */
/* The explain report: per-GPU verdicts and findings, as text for people or
 * JSON (schema in doc/explain-json.md). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "checks/check.h"

struct gd_report_opts {
        bool verbose;          /* every evidence line, not the first three */
        bool color;
};

void gd_report_explain_text(FILE *out, const struct gd_host *h, const struct gd_targets *t,
                            const struct gd_findings *f, const struct gd_report_opts *o);
int gd_report_explain_json(FILE *out, const struct gd_host *h, const struct gd_targets *t,
                           const struct gd_findings *f);
/* The Prometheus text exposition format (report/explain-prometheus.c):
 * gpudiag_gpu_ready, gpudiag_finding and, when collected >= 0 (seconds
 * since the epoch), gpudiag_collect_timestamp_seconds.  0 or -EIO/-ENOMEM. */
int gd_report_explain_prometheus(FILE *out, const struct gd_targets *t, const struct gd_findings *f,
                                 long long collected);
