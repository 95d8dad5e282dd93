/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/macro.h"
#include "base/strv.h"
#include "base/utf8.h"
#include "emit-internal.h"

static int output(struct fy_emitter *fye, enum fy_emitter_write_type type, const char *str, int len, void *userdata) {
        struct gd_emit *e = userdata;
        (void) fye;
        (void) type;
        if (len > 0 && fwrite(str, 1, (size_t) len, e->sink) != (size_t) len)
                e->failed = true;
        return len;
}

static void ev(struct gd_emit *e, struct fy_event *fyev) {
        if (!fyev || fy_emit_event(e->fye, fyev) != 0)
                e->failed = true;
}

struct gd_emit *gd_emit_new(FILE *out, enum gd_emit_mode mode) {
        struct gd_emit *e = calloc(1, sizeof(*e));
        struct fy_emitter_cfg cfg = { 0 };

        if (!e)
                return NULL;
        e->out = out;
        e->mode = mode;
        e->sink = out;
        if (mode == GD_EMIT_YAML) {
                uint8_t nonce[12];

                /* Random, so that no text on a host can pose as a marker. */
                if (getrandom(nonce, sizeof(nonce), GRND_NONBLOCK) != (ssize_t) sizeof(nonce)) {
                        uint64_t t = (uint64_t) time(NULL) ^ ((uint64_t) getpid() << 32) ^ (uint64_t) (uintptr_t) e;
                        memcpy(nonce, &t, sizeof(t));
                        memset(nonce + sizeof(t), 0x5a, sizeof(nonce) - sizeof(t));
                }
                snprintf(e->marker, sizeof(e->marker), "\x01gd-text-");
                for (size_t i = 0; i < sizeof(nonce); i++)
                        snprintf(e->marker + strlen(e->marker), 3, "%02x", nonce[i]);
                strcat(e->marker, "-");
                e->sink = open_memstream(&e->buf, &e->buf_len);
                if (!e->sink) {
                        free(e);
                        return NULL;
                }
        }
        cfg.flags = FYECF_WIDTH_INF | FYECF_INDENT_2 |
                    (mode == GD_EMIT_JSON ? FYECF_MODE_JSON : FYECF_MODE_FLOW_ONELINE);
        cfg.output = output;
        cfg.userdata = e;
        e->fye = fy_emitter_create(&cfg);
        if (!e->fye) {
                if (e->sink != out)
                        fclose(e->sink);
                free(e->buf);
                free(e);
                return NULL;
        }
        ev(e, fy_emit_event_create(e->fye, FYET_STREAM_START));
        ev(e, fy_emit_event_create(e->fye, FYET_DOCUMENT_START, mode == GD_EMIT_JSON, NULL, NULL));
        return e;
}

/* Held sequences.  A long list of paths (an import's `unreadable:`,
 * 160,000 of them for 80,000 pasted devices) went through the flow step,
 * was parsed back and written again, item by item: most of writing the
 * bundle.  A sequence that is a mapping's value and holds only strings
 * that double quotes hold as they are (simple_string()) is held back as
 * its "- " lines and written where its marker is, as literal blocks are;
 * libfyaml's pretty mode writes such a string in double quotes as it was
 * (tests/test-emit.c compares the two ways).  Any other item ends the
 * holding: the events held back are emitted, and the sequence goes the
 * usual way. */
static bool simple_string(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];

                if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
                        return false;
        }
        return true;
}

/* A node is written where the tracking says: a mapping's key and value
 * take turns. */
static void placed(struct gd_emit *e) {
        if (e->depth > 0 && e->depth <= GD_EMIT_TRACK_DEPTH && e->at[e->depth - 1].map)
                e->at[e->depth - 1].value_next = !e->at[e->depth - 1].value_next;
}

static void opened(struct gd_emit *e, bool map) {
        placed(e);
        e->nodes++;
        if (++e->depth > e->max_depth)
                e->max_depth = e->depth;
        if (e->depth <= GD_EMIT_TRACK_DEPTH)
                e->at[e->depth - 1].map = map, e->at[e->depth - 1].value_next = false;
}

static void items_free(struct gd_emit *e) {
        for (size_t i = 0; i < e->n_items; i++)
                free(e->items[i]);
        e->n_items = 0;
}

static void event_scalar(struct gd_emit *e, enum fy_scalar_style st, const char *s, size_t len) {
        ev(e, fy_emit_event_create(e->fye, FYET_SCALAR, st, s, len, NULL, NULL));
}

/* The sequence held so far goes the usual way. */
static void held_seq_flush(struct gd_emit *e) {
        if (!e->holding)
                return;
        e->holding = false;
        ev(e, fy_emit_event_create(e->fye, FYET_SEQUENCE_START, FYNS_ANY, NULL, NULL));
        for (size_t i = 0; i < e->n_items; i++)
                event_scalar(e, FYSS_DOUBLE_QUOTED, e->items[i], FY_NT);
        items_free(e);
}

static bool held_seq_add(struct gd_emit *e, const char *s, size_t len) {
        if (!e->holding || !simple_string(s, len))
                return false;
        if (e->n_items == e->items_cap) {
                size_t cap = e->items_cap ? e->items_cap * 2 : 64;
                char **n = realloc(e->items, cap * sizeof(char *));

                if (!n)
                        return false;   /* the usual way, which says ENOMEM */
                e->items = n;
                e->items_cap = cap;
        }
        e->items[e->n_items] = strndup(s, len);
        if (!e->items[e->n_items])
                return false;
        e->n_items++;
        return true;
}

/* The held items as '- "item"' lines, in the document as a marker. */
static void held_seq_end(struct gd_emit *e) {
        _cleanup_free_ char *lines = NULL;
        size_t size = 0;
        char ref[64];
        FILE *f;
        int idx;

        e->holding = false;
        f = open_memstream(&lines, &size);
        if (!f) {
                e->failed = true;
                items_free(e);
                return;
        }
        for (size_t i = 0; i < e->n_items; i++) {
                fputs("- \"", f);
                fputs(e->items[i], f);
                fputs("\"\n", f);
        }
        items_free(e);
        if (fclose(f) != 0) {
                e->failed = true;
                return;
        }
        idx = emit_hold(e, TAKE_PTR(lines), true);
        if (idx < 0) {
                e->failed = true;
                return;
        }
        snprintf(ref, sizeof(ref), "%s%d", e->marker, idx);
        event_scalar(e, FYSS_DOUBLE_QUOTED, ref, strlen(ref));
}

int gd_emit_finish(struct gd_emit *e) {
        held_seq_flush(e);
        ev(e, fy_emit_event_create(e->fye, FYET_DOCUMENT_END, true));
        ev(e, fy_emit_event_create(e->fye, FYET_STREAM_END));
        if (e->mode == GD_EMIT_YAML && e->sink)
                emit_reemit_pretty(e);
        if (fflush(e->out) != 0)
                e->failed = true;
        return e->failed ? -EIO : 0;
}

size_t gd_emit_nodes(const struct gd_emit *e, unsigned *ret_depth) {
        if (ret_depth)
                *ret_depth = e->max_depth;
        return e->nodes;
}

void gd_emit_free(struct gd_emit *e) {
        if (!e)
                return;
        fy_emitter_destroy(e->fye);
        if (e->sink && e->sink != e->out)
                fclose(e->sink);
        free(e->buf);
        strv_free(e->texts);
        free(e->texts_seq);
        items_free(e);
        free(e->items);
        free(e);
}

void gd_emit_map_begin(struct gd_emit *e) {
        held_seq_flush(e);
        opened(e, true);
        ev(e, fy_emit_event_create(e->fye, FYET_MAPPING_START, FYNS_ANY, NULL, NULL));
}
void gd_emit_map_end(struct gd_emit *e) {
        held_seq_flush(e);
        e->depth -= e->depth > 0;
        ev(e, fy_emit_event_create(e->fye, FYET_MAPPING_END));
}
void gd_emit_seq_begin(struct gd_emit *e) {
        bool value = e->depth > 0 && e->depth <= GD_EMIT_TRACK_DEPTH && e->at[e->depth - 1].map &&
                     e->at[e->depth - 1].value_next;

        held_seq_flush(e);
        opened(e, false);
        if (e->mode == GD_EMIT_YAML && value && e->depth <= GD_EMIT_TRACK_DEPTH) {
                e->holding = true;      /* SEQUENCE_START waits */
                return;
        }
        ev(e, fy_emit_event_create(e->fye, FYET_SEQUENCE_START, FYNS_ANY, NULL, NULL));
}
void gd_emit_flow_seq_begin(struct gd_emit *e) {
        gd_emit_seq_begin(e);
}
void gd_emit_seq_end(struct gd_emit *e) {
        e->depth -= e->depth > 0;
        if (e->holding && e->n_items > 0) {
                held_seq_end(e);
                return;
        }
        held_seq_flush(e);
        ev(e, fy_emit_event_create(e->fye, FYET_SEQUENCE_END));
}

static void scalar(struct gd_emit *e, enum fy_scalar_style st, const char *s, size_t len) {
        _cleanup_free_ char *escaped = NULL;
        size_t bad;

        held_seq_flush(e);
        placed(e);
        e->nodes++;

        /* libfyaml takes the bytes as UTF-8: an invalid sequence (a pasted
         * "vfio-pci\xf6\xf4") swallowed the bytes after it and wrote a NUL
         * into the document (found by fuzz-import).  Write such bytes as
         * \xNN text, as the kernel log reader does. */
        if (len != FY_NT && !utf8_valid(s, len, &bad)) {
                escaped = utf8_escape_invalid(s, len, &len);
                if (!escaped) {
                        e->failed = true;
                        return;
                }
                s = escaped;
        }
        event_scalar(e, st, s, len);
}

void gd_emit_strn(struct gd_emit *e, const char *s, size_t len) {
        if (!s) {
                gd_emit_null(e);
                return;
        }
        if (held_seq_add(e, s, len)) {
                e->nodes++;
                return;
        }
        scalar(e, FYSS_DOUBLE_QUOTED, s, len);
}

void gd_emit_str(struct gd_emit *e, const char *s) {
        gd_emit_strn(e, s, s ? strlen(s) : 0);
}

void gd_emit_text(struct gd_emit *e, const char *s, size_t len) {
        /* In YAML mode the pretty re-emission writes multi-line strings as
         * literal blocks where YAML can hold them faithfully; those go
         * straight there, as a marker in the flow step. */
        size_t bad;

        if (e->mode == GD_EMIT_YAML && s && !memchr(s, '\0', len) && utf8_valid(s, len, &bad) &&
            emit_literal_safe(s, len)) {
                char ref[64];
                int idx;

                held_seq_flush(e);
                idx = emit_hold(e, strndup(s, len), false);
                if (idx < 0) {
                        e->failed = true;
                        return;
                }
                snprintf(ref, sizeof(ref), "%s%d", e->marker, idx);
                scalar(e, FYSS_DOUBLE_QUOTED, ref, strlen(ref));
                return;
        }
        gd_emit_strn(e, s, len);
}

void gd_emit_int(struct gd_emit *e, long long v) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%lld", v);
        scalar(e, FYSS_PLAIN, buf, (size_t) n);
}

void gd_emit_bool(struct gd_emit *e, bool v) {
        scalar(e, FYSS_PLAIN, v ? "true" : "false", FY_NT);
}

void gd_emit_null(struct gd_emit *e) {
        scalar(e, FYSS_PLAIN, "null", FY_NT);
}

/* A key YAML reads back as the same string when written plain, also in the
 * flow text of the first step: letters, digits and "_./-", not starting
 * with an indicator.  Anything else (a file name with a comma or a colon,
 * found by fuzzing the importer) is quoted. */
static bool plain_key(const char *key) {
        if (!*key || !(isalnum((unsigned char) key[0]) || key[0] == '_' || key[0] == '/'))
                return false;
        for (const char *p = key; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr("_./-", *p))
                        return false;
        return true;
}

void gd_emit_key(struct gd_emit *e, const char *key) {
        scalar(e, e->mode == GD_EMIT_YAML && plain_key(key) ? FYSS_PLAIN : FYSS_DOUBLE_QUOTED, key, FY_NT);
}

void gd_emit_kv_str(struct gd_emit *e, const char *key, const char *value) {
        gd_emit_key(e, key);
        gd_emit_str(e, value);
}

void gd_emit_kv_int(struct gd_emit *e, const char *key, long long value) {
        gd_emit_key(e, key);
        gd_emit_int(e, value);
}

void gd_emit_kv_bool(struct gd_emit *e, const char *key, bool value) {
        gd_emit_key(e, key);
        gd_emit_bool(e, value);
}

void gd_emit_kv_hex4(struct gd_emit *e, const char *key, unsigned value) {
        char buf[8];
        snprintf(buf, sizeof(buf), "%04x", value & 0xffff);
        gd_emit_kv_str(e, key, buf);
}

void gd_emit_kv_tri(struct gd_emit *e, const char *key, tri_t value) {
        gd_emit_key(e, key);
        if (value == TRI_UNKNOWN)
                gd_emit_null(e);
        else
                gd_emit_bool(e, value == TRI_YES);
}
