/* SPDX-License-Identifier: MIT */
/* YAML mode's second step (see emit-internal.h): the flow text parsed
 * back, written in pretty block mode, and the texts and sequences held
 * back from the flow step written where their markers are. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/macro.h"
#include "emit-internal.h"

/* True when YAML's literal block style holds s exactly: printable text
 * (tabs allowed), no carriage return, no line starting with a space or tab
 * (that would need an indentation indicator) and a final newline ("|" clips
 * to one, "|+" keeps several). */
bool emit_literal_safe(const char *s, size_t len) {
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
int emit_hold(struct gd_emit *e, char *text, bool seq) {
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
        int idx = emit_hold(e, text, false);

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
                        } else if (str && fy_node_get_style(v) == FYNS_DOUBLE_QUOTED && emit_literal_safe(str, len)) {
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
 * one final newline; emit_literal_safe() holds), its lines indented two more
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

void emit_reemit_pretty(struct gd_emit *e) {
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

