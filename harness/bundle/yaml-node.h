/* SPDX-License-Identifier: MIT */
/* Questions about one libfyaml node that every reader of our YAML files
 * (bundles, scenarios) asks the same way. */
#pragma once

#include <libfyaml.h>
#include <stdbool.h>

/* The line to blame for a value: its own, else its key's. */
int bundle_value_line(struct fy_node *key, struct fy_node *value);
/* A null as the YAML 1.2 core schema has it: absent, ~, null, Null, NULL,
 * or an empty plain scalar. */
bool bundle_is_null(struct fy_node *n);
/* "null", "a scalar", "a sequence", "a mapping", for messages. */
const char *bundle_type_name(struct fy_node *n);
