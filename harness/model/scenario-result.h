/* SPDX-License-Identifier: MIT */
/* The outcome of one replayed scenario: plain data that replay/ fills and
 * report/replay-report.c renders (TAP, JUnit). */
#pragma once

#include <stdbool.h>

/* The outcome of one scenario. */
struct gd_scenario_result {
        char *name;             /* the scenario's name, or its path when unparsed */
        char *path;
        bool ok;
        bool error;             /* could not run (bad scenario, base, testbed) */
        bool bad_input;         /* with error: the scenario or its base bundle is malformed */
        char *message;          /* one line; NULL when ok */
        char *expected;         /* multi-line text, NULL when not compared */
        char *actual;
        char *diff;             /* "- expected" / "+ actual" lines */
        char *log;              /* stderr of the replayed explain, may be NULL */
        char *slot_base;        /* gd_scenario_run_in(): the base whose testbed the slot holds
                                 * after the run; NULL: unknown, to be cleared */
        double seconds;
};

void gd_scenario_result_clear(struct gd_scenario_result *r);
