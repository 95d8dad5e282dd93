/* SPDX-License-Identifier: MIT */
/* Structured output (JSON for reports, YAML for bundles) through libfyaml's
 * event emitter, so that every string is emitted with an explicit quoted
 * style.  Building a document of plain scalars is not enough: libfyaml emits
 * a plain "1e07" (an NVIDIA device ID) as the JSON number 1e07. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/macro.h"

enum gd_emit_mode {
        GD_EMIT_JSON,
        GD_EMIT_YAML,
};

struct gd_emit;

/* Writes to out (not closed).  Returns NULL on ENOMEM. */
struct gd_emit *gd_emit_new(FILE *out, enum gd_emit_mode mode);
/* Finishes the document; returns 0 or -EIO when any event failed. */
int gd_emit_finish(struct gd_emit *e);
void gd_emit_free(struct gd_emit *e);
/* The nodes of the document written so far (scalars, keys among them, and
 * collections: what YAML's events for it count) and, through ret_depth
 * (may be NULL), the deepest nesting of collections.  A loader of the
 * output may take these for its own count of them (bundle/yaml-doc.h). */
size_t gd_emit_nodes(const struct gd_emit *e, unsigned *ret_depth);
static inline void gd_emit_freep(struct gd_emit **e) { gd_emit_free(*e); }
#define _cleanup_emit_ __attribute__((cleanup(gd_emit_freep)))

void gd_emit_map_begin(struct gd_emit *e);
void gd_emit_map_end(struct gd_emit *e);
void gd_emit_seq_begin(struct gd_emit *e);
/* A sequence of scalars on one line in YAML ([a, b]); same as seq in JSON. */
void gd_emit_flow_seq_begin(struct gd_emit *e);
void gd_emit_seq_end(struct gd_emit *e);

/* Scalars.  gd_emit_str(NULL) emits null.  gd_emit_text() uses a literal
 * block in YAML for multi-line text (kernel logs, recordings). */
void gd_emit_str(struct gd_emit *e, const char *s);
void gd_emit_strn(struct gd_emit *e, const char *s, size_t len);
void gd_emit_text(struct gd_emit *e, const char *s, size_t len);
void gd_emit_int(struct gd_emit *e, long long v);
void gd_emit_bool(struct gd_emit *e, bool v);
void gd_emit_null(struct gd_emit *e);

/* key: value shorthands inside a mapping. */
void gd_emit_key(struct gd_emit *e, const char *key);
void gd_emit_kv_str(struct gd_emit *e, const char *key, const char *value);
void gd_emit_kv_int(struct gd_emit *e, const char *key, long long value);
void gd_emit_kv_bool(struct gd_emit *e, const char *key, bool value);
void gd_emit_kv_hex4(struct gd_emit *e, const char *key, unsigned value);
/* true, false, or null for TRI_UNKNOWN. */
void gd_emit_kv_tri(struct gd_emit *e, const char *key, tri_t value);
