/* SPDX-License-Identifier: MIT */
/* What gpudiag plan and gpudiag apply share: their options and the plan
 * they make of this host. */
#pragma once

#include "cli.h"
#include "plan/plan.h"

struct cli_plan_opts {
        struct gd_host_opts host;      /* -s, --bundle, --root, --color */
        enum gd_format format;
        struct gd_plan_answers answers;
        /* apply only */
        bool yes;
        const char *journal;
        int commands;                  /* 1 run, 0 skip, -1 the default (run when the root is /) */
        bool unbind_console;
};

/* Parses the options (apply's too when is_apply).  Returns -1 to go on,
 * else the exit code (after --help or a usage error). */
int cli_plan_parse(const char *cmd, int argc, char **argv, struct cli_plan_opts *o, void (*usage_fn)(void),
                   bool is_apply);
/* Reads the host, picks the cards, runs the checks and builds the plan.
 * Returns -1 with *ret_h and *ret filled, else the exit code after saying
 * why not. */
int cli_plan_make(const struct cli_plan_opts *o, struct gd_host **ret_h, struct gd_plan *ret);
