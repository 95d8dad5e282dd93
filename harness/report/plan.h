/* SPDX-License-Identifier: MIT */
/* The plan (plan/plan.h) for people (text), for programs (JSON, schema in
 * doc/plan-json.md) and as a shell script to review and run (sh). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "plan/plan.h"

struct gd_plan_meta {
        const char *source;    /* "this host", or the bundle's name */
        const char *origin;    /* the bundle's metadata.origin, or NULL */
        bool color;
};

void gd_report_plan_text(FILE *out, const struct gd_plan *p, const struct gd_plan_meta *m);
int gd_report_plan_json(FILE *out, const struct gd_plan *p, const struct gd_plan_meta *m);
/* A script with set -eu; refuses to run while the plan has questions.
 * 0, -EINVAL for a plan with conflicts (no script is written), -EIO. */
int gd_report_plan_sh(FILE *out, const struct gd_plan *p, const struct gd_plan_meta *m);

/* One step as text (apply shows each before asking). */
void gd_report_plan_step(FILE *out, const struct gd_plan_step *s, size_t number, bool color);
/* argv as a shell command line. */
void gd_report_argv(FILE *out, char * const *argv);
