/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/macro.h"
#include "base/strv.h"
#include "base/utf8.h"
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

/* True when YAML's literal block style holds s exactly: printable text
 * (tabs allowed), no carriage return, no line starting with a space or tab
 * (that would need an indentation indicator) and a final newline ("|" clips
 * to one, "|+" keeps several). */
static bool literal_safe(const char *s, size_t len) {
        if (len < 2 || s[len - 1] != '\n' || s[0] == ' ' || s[0] == '\t' || s[0] == '\n' ||
            !memchr(s, '\n', len - 1))
                return false;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];
                if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
                        return false;
                /* A tab or space right after a newline would be read as
                 * indentation of the block. */
                if (i > 0 && s[i - 1] == '\n' && (c == ' ' || c == '\t'))
                        return false;
        }
        return true;
}

/* Keeps text (taken) for write_with_blocks(): a literal block, or a held
 * sequence's lines (seq).  Returns its index, or -ENOMEM. */
static int hold(struct gd_emit *e, char *text, bool seq) {
        if (!text)
                return -ENOMEM;
        if (e->n_texts + 2 > e->texts_cap) {
                size_t cap = e->texts_cap ? e->texts_cap * 2 : 8;
                char **t = e->n_texts < INT_MAX ? realloc(e->texts, cap * sizeof(char *)) : NULL;
                bool *k = t ? realloc(e->texts_seq, cap * sizeof(bool)) : NULL;

                if (t)
                        e->texts = t;
                if (!k) {
                        free(text);
                        return -ENOMEM;
                }
                e->texts_seq = k;
                e->texts_cap = cap;
        }
        e->texts_seq[e->n_texts] = seq;
        e->texts[e->n_texts++] = text;
        e->texts[e->n_texts] = NULL;
        return (int) (e->n_texts - 1);
}

/* libfyaml's pretty emitter keeps a scalar's literal style but will not
 * choose it for text holding ": " or "#" (a umockdev recording, a kernel
 * log), and writing a literal block of megabytes through it is most of
 * collect (it reads the block back byte by byte as UTF-8, then writes it
 * so).  A value to be a literal block becomes a plain marker scalar,
 * "gd-text-<nonce>-<index>", in the document; the emitted document is then
 * written with each marker replaced by its block (literal_block()).  Every
 * data string is double-quoted, so a plain scalar with this run's nonce can
 * only be a marker. */
static struct fy_node *marker_node(struct gd_emit *e, struct fy_document *doc, char *text) {
        char ref[64];
        int idx = hold(e, text, false);

        if (idx < 0)
                return NULL;
        snprintf(ref, sizeof(ref), "%s%d", e->marker + 1, idx);
        return fy_node_create_scalar_copy(doc, ref, strlen(ref));
}

/* The text a marker scalar stands for, or NULL. */
static const char *held_text(const struct gd_emit *e, const char *s, size_t len) {
        size_t ml = strlen(e->marker), idx = 0;

        if (len <= ml || memcmp(s, e->marker, ml) != 0)
                return NULL;
        for (size_t i = ml; i < len; i++) {
                if (s[i] < '0' || s[i] > '9' || idx > SIZE_MAX / 10 - 10)
                        return NULL;
                idx = idx * 10 + (size_t) (s[i] - '0');
        }
        return idx < e->n_texts ? e->texts[idx] : NULL;
}

static void literalize(struct gd_emit *e, struct fy_document *doc, struct fy_node *node) {
        struct fy_node_pair *pair;
        struct fy_node *item;
        void *iter = NULL;

        if (fy_node_is_mapping(node)) {
                while ((pair = fy_node_mapping_iterate(node, &iter))) {
                        struct fy_node *v = fy_node_pair_value(pair), *lit = NULL;
                        const char *str, *held;
                        char *text = NULL;
                        size_t len;

                        if (!v)
                                continue;
                        if (!fy_node_is_scalar(v)) {
                                literalize(e, doc, v);
                                continue;
                        }
                        str = fy_node_get_scalar(v, &len);
                        held = str ? held_text(e, str, len) : NULL;
                        if (held) {
                                /* Placed: its marker keeps the index. */
                                lit = fy_node_create_scalar_copy(doc, str + 1, len - 1);
                                if (!lit || fy_node_pair_set_value(pair, lit) != 0)
                                        e->failed = true;
                                e->texts_placed++;
                        } else if (str && fy_node_get_style(v) == FYNS_DOUBLE_QUOTED && literal_safe(str, len)) {
                                text = strndup(str, len);
                                lit = text ? marker_node(e, doc, text) : NULL;
                                if (!lit || fy_node_pair_set_value(pair, lit) != 0)
                                        e->failed = true;
                        }
                }
        } else if (fy_node_is_sequence(node)) {
                while ((item = fy_node_sequence_iterate(node, &iter)))
                        if (!fy_node_is_scalar(item))
                                literalize(e, doc, item);
        }
}

/* Each line of text (ending in '\n') indented by indent spaces; empty
 * lines stay empty. */
static void indented_lines(FILE *out, const char *text, size_t indent) {
        static const char spaces[64 + 1] = "                                                                ";

        for (const char *p = text; *p; ) {
                const char *nl = strchr(p, '\n');
                size_t n = (size_t) (nl - p);

                for (size_t left = n > 0 ? indent : 0; left > 0; ) {
                        size_t k = left < sizeof(spaces) - 1 ? left : sizeof(spaces) - 1;

                        fwrite(spaces, 1, k, out);
                        left -= k;
                }
                fwrite(p, 1, n + 1, out);
                p = nl + 1;
        }
}

/* The column of the key a line holds, past its indentation and any "- "
 * of sequence entries. */
static size_t key_column(const char *line_start) {
        size_t col = 0;

        while (line_start[col] == ' ' || (line_start[col] == '-' && line_start[col + 1] == ' '))
                col++;
        return col;
}

/* The text as a YAML literal block scalar ("|", or "|+" to keep more than
 * one final newline; literal_safe() holds), its lines indented two more
 * than the key they are the value of, as libfyaml's pretty mode with
 * FYECF_INDENT_2 writes them. */
static void literal_block(FILE *out, const char *line_start, const char *text) {
        size_t len = strlen(text);

        fputs(len >= 2 && text[len - 2] == '\n' ? "|+\n" : "|\n", out);
        indented_lines(out, text, key_column(line_start) + 2);
}

/* Writes yaml to out with every marker value ": gd-text-<nonce>-<i>\n"
 * replaced by its literal block, or by its held sequence (the "- " lines
 * at the key's column, as libfyaml's pretty mode writes a block sequence
 * that is a mapping's value); fails unless each text is placed once. */
static int write_with_blocks(struct gd_emit *e, const char *yaml) {
        const char *marker = e->marker + 1, *p = yaml, *line = yaml;
        size_t ml = strlen(marker), n_texts = e->n_texts, placed = 0;
        _cleanup_free_ bool *seen = calloc(n_texts + 1, sizeof(bool));

        if (!seen)
                return -ENOMEM;
        for (const char *m; (m = strstr(p, marker)); ) {
                const char *d = m + ml;
                size_t idx = 0;

                for (; *d >= '0' && *d <= '9' && idx < SIZE_MAX / 10 - 10; d++)
                        idx = idx * 10 + (size_t) (*d - '0');
                for (const char *q = p; q < m; q++)
                        if (*q == '\n')
                                line = q + 1;
                if (d == m + ml || *d != '\n' || m - yaml < 2 || memcmp(m - 2, ": ", 2) != 0 || idx >= n_texts ||
                    seen[idx])
                        return -EINVAL;
                seen[idx] = true;
                placed++;
                if (e->texts_seq[idx]) {
                        fwrite(p, 1, (size_t) (m - 1 - p), e->out);
                        fputc('\n', e->out);
                        indented_lines(e->out, e->texts[idx], key_column(line));
                } else {
                        fwrite(p, 1, (size_t) (m - p), e->out);
                        literal_block(e->out, line, e->texts[idx]);
                }
                p = line = d + 1;
        }
        fputs(p, e->out);
        return placed == n_texts ? 0 : -EINVAL;
}

static void reemit_pretty(struct gd_emit *e) {
        struct fy_parse_cfg pcfg = { .flags = FYPCF_QUIET };
        struct fy_document *doc;
        size_t held;
        char *yaml = NULL;

        if (fclose(e->sink) != 0)
                e->failed = true;
        e->sink = NULL;
        if (e->failed)
                return;
        held = e->n_texts;
        doc = fy_document_build_from_string(&pcfg, e->buf, e->buf_len);
        if (doc)
                literalize(e, doc, fy_document_root(doc));
        /* Every text held back from the flow step has its marker in the
         * document, and each is written once as a block. */
        if (e->texts_placed != held)
                e->failed = true;
        if (doc && !e->failed)
                yaml = fy_emit_document_to_string(doc, FYECF_MODE_PRETTY | FYECF_WIDTH_INF | FYECF_INDENT_2);
        if (!yaml || write_with_blocks(e, yaml) < 0)
                e->failed = true;
        free(yaml);
        fy_document_destroy(doc);
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
        idx = hold(e, TAKE_PTR(lines), true);
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
                reemit_pretty(e);
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
            literal_safe(s, len)) {
                char ref[64];
                int idx;

                held_seq_flush(e);
                idx = hold(e, strndup(s, len), false);
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
