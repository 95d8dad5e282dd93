/* SPDX-License-Identifier: MIT */
/* YAML output writes multi-line texts as literal blocks where the document
 * emitter left a marker (base/emit.c): whatever the depth of the key, a
 * sequence entry or several final newlines, the text reads back as it was. */
#include <criterion/criterion.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/macro.h"
#include "base/emit.h"
#include "bundle/yaml-doc.h"

static const char *const texts[] = {
        "two\nlines\n",
        "P: /devices/pci0000:00/0000:00:01.0\nE: SUBSYSTEM=pci\nA: vendor=0x8086\\n\n\n",
        "6,1,0,-;DMAR: on # not a comment\n6,2,0,-;key: value\n",
        "with\n\nempty lines\n\n\n",
        "a\ttab inside\n",
};

/* The scalar at keys[0], keys[1], ... (a number: a sequence index). */
static const char *value(struct fy_document *doc, const char *const *keys, size_t *len) {
        struct fy_node *n = fy_document_root(doc);

        for (size_t i = 0; keys[i] && n; i++)
                n = fy_node_is_sequence(n) ? fy_node_sequence_get_by_index(n, atoi(keys[i])) :
                                             fy_node_mapping_lookup_by_string(n, keys[i], FY_NT);
        cr_assert_not_null(n, "%s missing", keys[0]);
        return fy_node_get_scalar(n, len);
}

Test(emit, literal_blocks_read_back_as_the_texts_at_any_depth) {
        _cleanup_free_ char *out = NULL;
        struct fy_document *doc;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);
        struct gd_emit *e = gd_emit_new(f, GD_EMIT_YAML);

        gd_emit_map_begin(e);
        gd_emit_key(e, "top");
        gd_emit_text(e, texts[1], strlen(texts[1]));
        gd_emit_key(e, "files");
        gd_emit_map_begin(e);
        gd_emit_key(e, "/dev/kmsg");
        gd_emit_text(e, texts[2], strlen(texts[2]));
        gd_emit_key(e, "/etc/x.conf");
        gd_emit_map_begin(e);
        gd_emit_key(e, "content");
        gd_emit_text(e, texts[3], strlen(texts[3]));
        gd_emit_kv_int(e, "mtime", 5);
        gd_emit_map_end(e);
        gd_emit_map_end(e);
        gd_emit_key(e, "findings");
        gd_emit_seq_begin(e);
        gd_emit_map_begin(e);
        gd_emit_key(e, "summary");
        gd_emit_str(e, texts[0]);
        gd_emit_kv_str(e, "tab", texts[4]);
        gd_emit_map_end(e);
        gd_emit_seq_end(e);
        gd_emit_map_end(e);
        cr_assert_eq(gd_emit_finish(e), 0);
        gd_emit_free(e);
        cr_assert_eq(fclose(f), 0);

        cr_assert_not_null(strstr(out, "top: |+\n  P: /devices"), "%s", out);
        doc = fy_document_build_from_string(NULL, out, size);
        cr_assert_not_null(doc, "%s", out);
        {
                static const struct { const char *keys[4]; size_t text; } want[] = {
                        { { "top" }, 1 }, { { "files", "/dev/kmsg" }, 2 }, { { "files", "/etc/x.conf", "content" }, 3 },
                        { { "findings", "0", "summary" }, 0 }, { { "findings", "0", "tab" }, 4 },
                };
                for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                        size_t len;
                        const char *v = value(doc, want[i].keys, &len);

                        cr_assert_eq(len, strlen(texts[want[i].text]), "%s:\n%s", want[i].keys[0], out);
                        cr_assert(memcmp(v, texts[want[i].text], len) == 0, "%s:\n%s", want[i].keys[0], out);
                }
        }
        fy_document_destroy(doc);
}

/* Strings a held sequence writes itself (base/emit.c: simple_string()),
 * among them every character YAML gives a meaning to somewhere. */
static const char *const simple[] = {
        "/sys/bus/pci/devices/0000:01:00.0/driver", "", " lead", "trail ", "a: b", "# x", "- x", "null", "123",
        "'q'", "x, y", "[x]", "{x}", "&a", "*a", "!t", "%x", "@x", "`x`", "|", ">", "? x", "---", "...", "~",
};

/* A document of sequences of simple strings wherever a mapping's value
 * can be: at the top, in a nested mapping, in a mapping that is a
 * sequence entry, and one that turns out not to be simple. */
static void emit_sequences(struct gd_emit *e, size_t n) {
        gd_emit_map_begin(e);
        gd_emit_key(e, "top");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < n; i++)
                gd_emit_str(e, simple[i % ELEMENTSOF(simple)]);
        gd_emit_seq_end(e);
        gd_emit_key(e, "metadata");
        gd_emit_map_begin(e);
        gd_emit_kv_str(e, "tool", "x");
        gd_emit_key(e, "redacted");
        gd_emit_flow_seq_begin(e);
        gd_emit_str(e, "mac");
        gd_emit_str(e, "ip");
        gd_emit_seq_end(e);
        gd_emit_key(e, "empty");
        gd_emit_seq_begin(e);
        gd_emit_seq_end(e);
        gd_emit_map_end(e);
        gd_emit_key(e, "groups");
        gd_emit_seq_begin(e);
        for (int g = 0; g < 3; g++) {
                gd_emit_map_begin(e);
                gd_emit_kv_int(e, "group", g);
                gd_emit_key(e, "devices");
                gd_emit_seq_begin(e);
                gd_emit_str(e, "0000:00:01.0");
                gd_emit_str(e, g == 1 ? "quote \" and \\ and \xc3\xa9" : "0000:01:00.0");
                if (g == 2)
                        gd_emit_int(e, 7);
                gd_emit_seq_end(e);
                gd_emit_key(e, "nested");
                gd_emit_seq_begin(e);
                gd_emit_seq_begin(e);
                gd_emit_str(e, "in a sequence, not a mapping");
                gd_emit_seq_end(e);
                gd_emit_seq_end(e);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        gd_emit_key(e, "log");
        gd_emit_text(e, texts[2], strlen(texts[2]));
        gd_emit_map_end(e);
}

static char *emitted(size_t n, size_t *ret_nodes, unsigned *ret_depth) {
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);
        struct gd_emit *e = gd_emit_new(f, GD_EMIT_YAML);

        cr_assert_not_null(e);
        emit_sequences(e, n);
        *ret_nodes = gd_emit_nodes(e, ret_depth);
        cr_assert_eq(gd_emit_finish(e), 0);
        gd_emit_free(e);
        cr_assert_eq(fclose(f), 0);
        return out;
}

/* The same document written the way every sequence went before: libfyaml's
 * flow text of it, parsed and written back by libfyaml in pretty mode. */
static char *flow_then_pretty(size_t n) {
        _cleanup_free_ char *flow = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&flow, &size);
        struct fy_document *doc;
        char *out;

        fputs("--- {top: [", f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s\"%s\"", i ? ", " : "", simple[i % ELEMENTSOF(simple)]);
        fputs("], metadata: {tool: \"x\", redacted: [\"mac\", \"ip\"], empty: []}, groups: [", f);
        for (int g = 0; g < 3; g++)
                fprintf(f, "%s{group: %d, devices: [\"0000:00:01.0\", %s%s], nested: [[\"in a sequence, not a "
                        "mapping\"]]}", g ? ", " : "", g,
                        g == 1 ? "\"quote \\\" and \\\\ and \xc3\xa9\"" : "\"0000:01:00.0\"", g == 2 ? ", 7" : "");
        fputs("], log: X}\n", f);
        cr_assert_eq(fclose(f), 0);
        doc = fy_document_build_from_string(NULL, flow, size);
        cr_assert_not_null(doc, "%s", flow);
        out = fy_emit_document_to_string(doc, FYECF_MODE_PRETTY | FYECF_WIDTH_INF | FYECF_INDENT_2);
        cr_assert_not_null(out);
        fy_document_destroy(doc);
        return out;
}

/* A sequence of simple strings is written by gpudiag, not parsed back and
 * written by libfyaml (most of writing an import of 80,000 devices): byte
 * for byte what libfyaml wrote, for one item, a few and thousands. */
Test(emit, held_sequences_are_written_as_libfyaml_writes_them) {
        static const size_t counts[] = { 1, ELEMENTSOF(simple), 5000 };

        for (size_t c = 0; c < ELEMENTSOF(counts); c++) {
                _cleanup_free_ char *ours = NULL, *theirs = flow_then_pretty(counts[c]);
                char *log;
                size_t nodes;
                unsigned depth;

                ours = emitted(counts[c], &nodes, &depth);
                /* The literal block is the other path (tested above). */
                log = strstr(ours, "\nlog: |\n");
                cr_assert_not_null(log, "%s", ours);
                strcpy(log + 1, "log: X\n");
                cr_assert_str_eq(ours, theirs, "%zu items", counts[c]);
        }
}

/* The nodes the emitter counts are the ones a parser of its output counts
 * (an import's bundle is reloaded without a counting pass of its own while
 * the count is within the limits: bundle/yaml-doc.h). */
Test(emit, node_count_is_what_a_parser_of_the_output_counts) {
        static const size_t counts[] = { 0, 1, 5000 };

        for (size_t c = 0; c < ELEMENTSOF(counts); c++) {
                size_t nodes, parsed;
                unsigned depth, parsed_depth;
                _cleanup_free_ char *out = emitted(counts[c], &nodes, &depth);

                cr_assert_eq(gd_yaml_count_nodes(out, strlen(out), &parsed, &parsed_depth), 0);
                cr_assert_eq(nodes, parsed, "%zu items: %zu counted, %zu parsed", counts[c], nodes, parsed);
                cr_assert_eq(depth, parsed_depth);
                cr_assert_eq(depth, 5u);        /* the root, groups, an entry, nested, the sequence in it */
        }
}
