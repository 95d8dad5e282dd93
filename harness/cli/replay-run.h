/* SPDX-License-Identifier: MIT */
/* Shared by replay.c (options, report) and replay-run.c (the children). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "replay/scenario.h"

struct replay_report;

struct run {
        char **paths;
        size_t n;
        struct gd_scenario_result *results;
        bool *done;
        size_t printed;
        struct replay_report *report;
        char **bases;           /* each scenario's base bundle, NULL when not found */
        struct gd_progress *progress; /* report/progress.h; NULL when not shown */
};

/* A scenario that runs longer than this is killed and reported (--timeout). */
extern double replay_timeout_s;

double replay_now(void);

/* `explain --format json` as a function, for the scenarios' processes. */
int replay_explain_json(void);

/* Runs every scenario of run, jobs at a time; returns 0 or -errno. */
int replay_run_all(struct run *run, const char *self, size_t jobs);

/* Prints the results that are done, in order. */
void replay_flush_done(struct run *run);
