/* SPDX-License-Identifier: MIT */
/* Shared between runner.c, runner-explain.c and runner-expect.c; not part
 * of the API. */
#pragma once

#include "bundle/bundle.h"
#include "replay/scenario.h"

/* A deep copy, so one loaded base serves many scenarios. */
int runner_bundle_dup(const struct gd_bundle *b, struct gd_bundle **ret);

/* Compares explain's JSON with the scenario's expectations and fills
 * res (ok, message, expected, actual, diff).  Returns 0 or -ENOMEM. */
int runner_compare(const struct gd_scenario *s, const char *json, struct gd_scenario_result *res);

struct gd_testbed;
/* Runs `explain --format json` in the testbed (runner-explain.c): its
 * stdout, stderr and wait status.  Returns 0 or -errno. */
int runner_run_explain(const struct gd_testbed *t, const char *self, char **ret_out, char **ret_err,
                       int *ret_status);
