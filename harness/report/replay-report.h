/* SPDX-License-Identifier: MIT */
/* gpudiag replay's output: TAP version 13 on stdout as results arrive (in
 * order), and JUnit XML at the end. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "model/scenario-result.h"

struct replay_report;

struct replay_report *replay_report_new(FILE *out, size_t n, bool verbose);
/* Prints "ok N - name" or "not ok N - name" and its diagnostic block;
 * index is 0-based and results must come in order.  A second scenario with
 * an already used name is turned into a failure here. */
void replay_report_result(struct replay_report *rep, size_t index, struct gd_scenario_result *r);
/* Prints the summary comment; returns the exit code (0 all passed, 1 not). */
int replay_report_finish(struct replay_report *rep, double seconds);
/* Writes JUnit XML of the results to o; returns 0 or -EIO. */
int replay_report_junit(FILE *o, const struct gd_scenario_result *results, size_t n);
void replay_report_free(struct replay_report *rep);
