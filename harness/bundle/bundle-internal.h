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

/* Validates a parsed document and converts it. */
int bundle_from_document(struct fy_document *doc, struct gd_bundle **ret, char **ret_error);

/* Checks umockdev-record text for what would make umockdev write outside
 * its testbed or abort: every record starts with "P: /devices/...", no path
 * or attribute name has a '.' or '..' component, no device, attribute or
 * class link is defined twice.  first_line is the bundle line of the text's
 * first line (0 when unknown). */
int bundle_check_record(const char *text, size_t len, int first_line, char **ret_error);
