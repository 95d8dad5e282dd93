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
};

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
void gd_yaml_clear(struct gd_yaml *y);

/* For a process that is itself thrown away when it dies (a replay
 * scenario's child, whose death the runner reports): parse in place, not
 * in a sandbox child first (see parser_survives()). */
void gd_yaml_parse_in_place(void);

/* The 1-based line where a node starts, 0 when unknown.  libfyaml 0.7 has
 * no start mark for collections: a mapping's is its first key's, a
 * sequence's its first item's. */
int gd_yaml_node_line(struct fy_node *n);
