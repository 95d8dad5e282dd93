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
