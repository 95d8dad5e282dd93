/* SPDX-License-Identifier: MIT */
/* Shared between the bundle reader's files; not part of the API. */
#pragma once

#include <libfyaml.h>

#include "bundle/yaml-doc.h"

#include "base/macro.h"
#include "bundle/bundle.h"
#include "bundle/yaml-node.h"

/* Sets *ret_error (when ret_error is non-NULL) to "line N: <message>", or to
 * the message alone when line <= 0, and returns -EINVAL. */
int bundle_fail(char **ret_error, int line, const char *fmt, ...) _printf_(3, 4);

/* bundle-yaml.c: typed node access.  "what" names the key in messages
 * ("files: mtime"); the line blamed is the value's, else its key's. */
bool bundle_is_plain(struct fy_node *n);
/* Any non-null scalar.  With ret_len NULL, a NUL inside is an error. */
int bundle_get_string(struct fy_node *key, struct fy_node *n, const char *what, char **ret, size_t *ret_len,
                      char **ret_error);
int bundle_get_int(struct fy_node *key, struct fy_node *n, const char *what, int64_t *ret, char **ret_error);
int bundle_get_bool(struct fy_node *key, struct fy_node *n, const char *what, tri_t *ret, char **ret_error);
/* n is a (non-null, non-alias) node of type t. */
int bundle_expect(struct fy_node *key, struct fy_node *n, enum fy_node_type t, const char *what, char **ret_error);
int bundle_new_strv(char ***ret);
int bundle_get_strv(struct fy_node *key, struct fy_node *n, const char *what, char ***ret, char **ret_error);

/* The mapped file the document was parsed from (NULL: none, or not a
 * mapping): bundle_get_string() copies a scalar out of it a piece at a
 * time and gives back the pages behind (bundle_input_release()), so that a
 * 40 MB recording is never resident twice. */
void bundle_input_set(const char *start, size_t len);
/* madvise(MADV_DONTNEED) of the whole pages of the mapping [start, start +
 * len) below upto. */
void bundle_input_release(const char *start, size_t len, const char *upto);

/* A scalar's text in libfyaml's pieces, each to piece() in order, without
 * the copy fy_node_get_scalar() keeps; mapped input goes back behind them.
 * 0, -ENOMEM, or piece()'s error. */
int bundle_scalar_pieces(struct fy_node *n, int (*piece)(const char *p, size_t len, void *userdata), void *userdata);

/* Validates a parsed document and converts it. */
int bundle_from_document(struct fy_document *doc, struct gd_bundle **ret, char **ret_error);
/* The same with the umockdev text to sink, record by record (gd_bundle_load_records()). */
int bundle_from_document_records(struct fy_document *doc, const struct gd_bundle_records *sink,
                                 struct gd_bundle **ret, char **ret_error);

/* Checks umockdev-record text for what would make umockdev write outside
 * its testbed or abort: every record starts with "P: /devices/...", no path
 * or attribute name has a '.' or '..' component, no device, attribute or
 * class link is defined twice.  first_line is the bundle line of the text's
 * first line (0 when unknown). */
int bundle_check_record(const char *text, size_t len, int first_line, char **ret_error);

/* The same, a line at a time (n == 0: an empty line), for a text that is
 * never whole in memory (bundle-validate.c, a streamed recording). */
struct record_checker;
struct record_checker *record_checker_new(void);
void record_checker_free(struct record_checker *c);
int record_checker_line(struct record_checker *c, const char *l, size_t n, int line, char **ret_error);
int record_checker_end(struct record_checker *c, int last_line, char **ret_error);
