/* SPDX-License-Identifier: MIT */
/* Test helpers for gpudiag plan, apply and undo: the hosts of
 * fixtures/plan/ (scenarios whose faults write the files a plan edits) as
 * testbeds, gpudiag run inside them, and look-ups in plan --format json. */
#pragma once

#include <libfyaml.h>
#include <stdbool.h>

#include "replay/testbed.h"

/* The testbed of fixtures/plan/<name>.yaml (its faults applied). */
struct gd_testbed *plan_testbed(const char *name);

struct run {
        char *out, *err;
        int status;
        int code;              /* the exit status, -1 when killed */
};

/* gpudiag with the arguments (NULL-terminated) inside t; env_extra
 * ("NAME=value", NULL-terminated, may be NULL) added to or replacing the
 * testbed's environment. */
struct run plan_run_in(const struct gd_testbed *t, char * const *env_extra, const char *first, ...)
        __attribute__((sentinel));
void run_clear(struct run *r);

struct fy_document *plan_json_doc(const struct run *r);
const char *node_str(struct fy_node *map, const char *key);
/* The first step whose key is value ("path", "/etc/default/grub"). */
struct fy_node *plan_step(struct fy_document *d, const char *key, const char *value);
/* The step whose argv, joined with spaces, is argv_joined. */
struct fy_node *plan_command(struct fy_document *d, const char *argv_joined);
/* argv joined with spaces; newly allocated, NULL without argv. */
char *step_argv(struct fy_node *step);
/* True when the step's diff has exactly this line ("+options vfio-pci ..."). */
bool diff_has_line(struct fy_node *step, const char *line);
/* The length of the top-level sequence key ("questions"). */
size_t plan_count(struct fy_document *d, const char *key);
/* Item index of the top-level sequence key. */
struct fy_node *plan_item(struct fy_document *d, const char *key, size_t index);
