/* SPDX-License-Identifier: MIT */
/* Shared between the scenario loader's files; not part of the API. */
#pragma once

#include <libfyaml.h>

#include <stdint.h>

#include "base/macro.h"
#include "bundle/yaml-doc.h"
#include "bundle/yaml-node.h"
#include "replay/scenario.h"

struct sc_ctx {
        const char *path;       /* the scenario file, for messages */
        char **error;           /* may be NULL */
};

/* Lines, nulls and type names: bundle/yaml-node.h, as the bundle reader has them. */
/* Sets *c->error to "PATH:LINE: key: message" and returns -EINVAL. */
int sc_fail(struct sc_ctx *c, int line, const char *key, const char *fmt, ...) _printf_(4, 5);

/* Typed values; "what" names the key in messages. */
int sc_get_string(struct sc_ctx *c, struct fy_node *key, struct fy_node *n, const char *what, bool allow_empty,
                  char **ret, size_t *ret_len);
int sc_get_int(struct sc_ctx *c, struct fy_node *key, struct fy_node *n, const char *what, int64_t min, int64_t *ret);
int sc_get_bool(struct sc_ctx *c, struct fy_node *key, struct fy_node *n, const char *what, bool *ret);
/* A dddd:bb:dd.f address, returned in lower case. */
int sc_get_address(struct sc_ctx *c, struct fy_node *key, struct fy_node *n, const char *what, char **ret);
/* A path a bundle may hold (gd_bundle_path_allowed()). */
int sc_get_path(struct sc_ctx *c, struct fy_node *key, struct fy_node *n, const char *what, char **ret);
/* Checks that mapping n has only keys from allowed (NULL-terminated) and
 * returns each key and value at the key's index, NULL when absent. */
int sc_map_fields(struct sc_ctx *c, struct fy_node *key, struct fy_node *n, const char *what,
                  const char *const *allowed, struct fy_node **keys, struct fy_node **vals);
/* -EINVAL "missing" when v is NULL. */
int sc_require(struct sc_ctx *c, struct fy_node *parent_key, struct fy_node *map, struct fy_node *v, const char *what);

/* scenario-expect.c: fills s->verdicts, s->findings, s->absent. */
int sc_parse_expect(struct sc_ctx *c, struct gd_scenario *s, struct fy_node *key, struct fy_node *n);
