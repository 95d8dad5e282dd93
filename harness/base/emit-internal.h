/* SPDX-License-Identifier: MIT */
/* The emitter's state, shared by emit.c (events, scalars, held sequences)
 * and emit-pretty.c (YAML's second step). */
#pragma once

#include <libfyaml.h>
#include <stdbool.h>
#include <stdio.h>

#include "emit.h"

/* YAML goes through two steps.  libfyaml 0.7.12's event emitter writes a
 * block sequence of mappings as broken flow text ("findings: [ id: x ...")
 * (pantoniou/libfyaml#58), so in YAML mode the events are emitted as
 * one-line flow YAML into memory, which is correct, then parsed back into
 * a document and written by the document emitter in pretty block mode,
 * which keeps each scalar's quoting.  Multi-line strings become literal
 * blocks: the document holds a marker for each, and the block is written
 * where the marker is (see literal_block()). */
#define GD_EMIT_TRACK_DEPTH 32

struct gd_emit {
        struct fy_emitter *fye;
        FILE *out;             /* the caller's stream */
        FILE *sink;            /* where events go: out, or the memory buffer */
        char *buf;             /* YAML mode: the flow text */
        size_t buf_len;
        /* YAML mode: multi-line texts held back from the flow step (a
         * recording, a kernel log: megabytes that would be escaped, then
         * parsed back); the flow text carries marker + index instead. */
        char **texts;
        size_t n_texts, texts_cap, texts_placed;
        /* YAML mode: which of texts are held sequences (see
         * held_seq_end()), by index; grows with texts. */
        bool *texts_seq;
        char marker[40];
        /* YAML mode: where the next node goes, to know a sequence that is
         * a mapping's value; past the depth held sequences are off. */
        struct {
                bool map;
                bool value_next;
        } at[GD_EMIT_TRACK_DEPTH];
        unsigned depth;
        /* YAML mode: the items of the sequence being held, while every
         * one is a plain string (simple_string()). */
        char **items;
        size_t n_items, items_cap;
        bool holding;
        /* The document's nodes and deepest nesting, as a parser of the
         * output counts them (gd_emit_nodes()). */
        size_t nodes;
        unsigned max_depth;
        enum gd_emit_mode mode;
        bool failed;
};

/* True when YAML's literal block style holds s exactly (emit-pretty.c). */
bool emit_literal_safe(const char *s, size_t len);
/* Keeps text (taken) for the second step: a literal block, or a held
 * sequence's lines (seq).  Returns its index, or -ENOMEM. */
int emit_hold(struct gd_emit *e, char *text, bool seq);
/* YAML mode's second step: the flow text parsed back and written to the
 * caller's stream in pretty block mode, with the held texts in place. */
void emit_reemit_pretty(struct gd_emit *e);
