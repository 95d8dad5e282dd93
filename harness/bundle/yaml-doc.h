/* SPDX-License-Identifier: MIT */
/* One YAML document from untrusted text, as the bundle reader and the
 * scenario loader both need it: UTF-8 checked before libfyaml sees the text
 * (it loops on a '%' directive followed by bytes that are not UTF-8),
 * duplicate keys refused, exactly one document, and the line of whatever is
 * wrong. */
#pragma once

#include <libfyaml.h>
#include <stddef.h>

enum gd_yaml_problem {
        GD_YAML_OK,
        GD_YAML_NOT_UTF8,      /* *ret_msg: "byte 0xNN at offset N" */
        GD_YAML_SYNTAX,        /* *ret_msg: libfyaml's message */
        GD_YAML_EMPTY,         /* no document */
        GD_YAML_EXTRA_DOC,     /* a second document; *ret_line is its line */
        GD_YAML_TOO_MANY_NODES, /* *ret_msg says how many are allowed; *ret_line where it went past */
        GD_YAML_TOO_DEEP,      /* collections nested deeper than GD_YAML_MAX_DEPTH; *ret_line */
};

/* Memory and time follow the size of the text, checked on libfyaml's
 * events before it builds a document: its document costs about 330 bytes
 * a node (1,000,000 one-character sequence items took 334 MB), so a text
 * of len bytes may hold (GD_YAML_NODE_BUDGET + 2 len) / GD_YAML_NODE_BYTES
 * nodes; with the text itself and what is made of it, a bundle stays
 * within 64 MiB + 4 times its size.  A 4,096-function host with 100,000
 * kernel log records is 51 MB and 32,423 nodes (allowed: 370,000).
 * Nesting: bundles and scenarios are 5 deep; libfyaml stops at 64, but
 * only after it has spent memory on every '[' (8 M of them: 2.7 GB). */
#define GD_YAML_NODE_BUDGET (24u * 1024u * 1024u)
#define GD_YAML_NODE_BYTES  384u
#define GD_YAML_MAX_DEPTH   32u
size_t gd_yaml_max_nodes(size_t len);
/* The nodes and the deepest nesting of the text, counted on libfyaml's
 * events as the loaders count them before a document is built; -E2BIG
 * when the count stopped at the limits.  A malformed text is counted up
 * to where the parser stops. */
int gd_yaml_count_nodes(const char *text, size_t len, size_t *ret_nodes, unsigned *ret_depth);

struct gd_yaml {
        struct fy_diag *diag;
        struct fy_parser *fyp;
        struct fy_document *doc;   /* the document, valid until gd_yaml_clear() */
};

/* Parses text (which must outlive y->doc: libfyaml points into it).
 * Returns 0; -ENOMEM; or -EINVAL with *ret_problem, *ret_line (0 when
 * unknown) and *ret_msg (may be NULL) describing the problem. */
int gd_yaml_load(struct gd_yaml *y, const char *text, size_t len, enum gd_yaml_problem *ret_problem,
                 int *ret_line, char **ret_msg);
/* The same for a text that is a private mapping of a file (mapped): the
 * pages the checks before the parse read are given back before it. */
int gd_yaml_load_mapped(struct gd_yaml *y, const char *text, size_t len, bool mapped,
                        enum gd_yaml_problem *ret_problem, int *ret_line, char **ret_msg);
/* The same for text gpudiag wrote itself through base/emit.h (an import's
 * bundle, checked before it is written), with the nodes and depth its
 * emitter counted (gd_emit_nodes()): parsed in place, without a counting
 * pass of its own while those are within the limits; past them refused as
 * gd_yaml_load() refuses any text. */
struct gd_yaml_counted {
        size_t nodes;
        unsigned depth;
};
int gd_yaml_load_counted(struct gd_yaml *y, const char *text, size_t len, const struct gd_yaml_counted *counted,
                         enum gd_yaml_problem *ret_problem, int *ret_line, char **ret_msg);
void gd_yaml_clear(struct gd_yaml *y);

/* For a process that is itself thrown away when it dies (a replay
 * scenario's child, whose death the runner reports): parse in place, not
 * in a sandbox child first (see parser_survives()). */
void gd_yaml_parse_in_place(void);

/* The 1-based line where a node starts, 0 when unknown.  libfyaml 0.7 has
 * no start mark for collections: a mapping's is its first key's, a
 * sequence's its first item's. */
int gd_yaml_node_line(struct fy_node *n);
