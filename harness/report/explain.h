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
