/* SPDX-License-Identifier: MIT */
/* The wire format that carries a scenario's result from the worker process
 * that ran it to the replay command's parent. */
#pragma once

#include <stddef.h>

#include "model/scenario-result.h"

/* A result as bytes and back (-EBADMSG for a blob that is not one). */
char *replay_result_serialize(const struct gd_scenario_result *r, size_t *ret_len);
int replay_result_deserialize(const char *blob, size_t len, struct gd_scenario_result *ret);
