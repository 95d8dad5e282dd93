/* SPDX-License-Identifier: MIT */
/* gpudiag replay's output: TAP version 13 on stdout as results arrive (in
 * order), a JUnit XML file at the end, and the wire format that carries a
 * result from a worker process to the parent. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "replay/scenario.h"

struct replay_report;

struct replay_report *replay_report_new(FILE *out, size_t n, bool verbose);
/* Prints "ok N - name" or "not ok N - name" and its diagnostic block;
 * index is 0-based and results must come in order.  A second scenario with
 * an already used name is turned into a failure here. */
void replay_report_result(struct replay_report *rep, size_t index, struct gd_scenario_result *r);
/* Prints the summary comment; returns the exit code (0 all passed, 1 not). */
int replay_report_finish(struct replay_report *rep, double seconds);
/* Writes JUnit XML; -1 with errno on failure. */
int replay_report_junit(const struct replay_report *rep, const char *path, const struct gd_scenario_result *results,
                        size_t n);
void replay_report_free(struct replay_report *rep);

/* A result as bytes and back. */
char *replay_result_serialize(const struct gd_scenario_result *r, size_t *ret_len);
int replay_result_deserialize(const char *blob, size_t len, struct gd_scenario_result *ret);
