/* SPDX-License-Identifier: MIT */
/* Shared between runner.c and runner-expect.c; not part of the API. */
#pragma once

#include "bundle/bundle.h"
#include "replay/scenario.h"

/* A deep copy, so one loaded base serves many scenarios. */
int runner_bundle_dup(const struct gd_bundle *b, struct gd_bundle **ret);

/* Compares explain's JSON with the scenario's expectations and fills
 * res (ok, message, expected, actual, diff).  Returns 0 or -ENOMEM. */
int runner_compare(const struct gd_scenario *s, const char *json, struct gd_scenario_result *res);
