/* SPDX-License-Identifier: MIT */
/* Shared between faults.c and faults-umockdev.c; not part of the API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

#include "base/macro.h"
#include "bundle/bundle.h"

/* One device of a umockdev recording: "P: /devices/..." and its lines. */
struct urec {
        char *path;             /* the whole "P: ..." line */
        char **lines;           /* strv, never NULL */
};

struct urecs {
        char **preamble;        /* lines before the first P:, may be NULL */
        struct urec *v;
        size_t n;
};

int urecs_parse(const char *text, struct urecs *ret);
char *urecs_format(const struct urecs *u);
void urecs_clear(struct urecs *u);
static inline void urecs_clearp(struct urecs *u) { urecs_clear(u); }
/* By address (the last component of the path), case-insensitive. */
struct urec *urecs_find(struct urecs *u, const char *address);

/* Sets "A: name=value" (a newline appended unless value ends in one), or
 * rewrites "H: name=" as hex when the attribute is binary. */
int urec_attr_set(struct urec *r, const char *name, const char *value, size_t len);
/* False when there was no such attribute. */
bool urec_attr_remove(struct urec *r, const char *name);
/* "L: driver=<../ per path component>bus/<subsystem>/drivers/<driver>" and
 * "E: DRIVER=<driver>". */
int urec_bind(struct urec *r, const char *driver);
/* False when the device had no driver link. */
bool urec_unbind(struct urec *r);
/* Removes the device and every device below it; their addresses are
 * appended to *ret_removed.  -ENOENT when address is not recorded. */
int urecs_remove_tree(struct urecs *u, const char *address, char ***ret_removed);
/* Cuts every "H: config=" to max_hex hex digits. */
int urecs_cut_config(struct urecs *u, size_t max_hex);

/* faults-files.c.  faults_fail() sets *ret_error and returns -EINVAL. */
int faults_fail(char **ret_error, const char *fmt, ...) _printf_(2, 3);
struct gd_bundle_file *faults_file_find(struct gd_bundle *b, const char *path);
bool faults_unreadable_remove(struct gd_bundle *b, const char *path);
bool faults_file_remove(struct gd_bundle *b, const char *path);
/* Sets the content (copied) and drops the path from "unreadable"; mtime
 * -1 means not given, < -1 keeps the file's old mtime. */
int faults_file_set(struct gd_bundle *b, const char *path, const char *content, size_t len, int64_t mtime);
int faults_file_make_unreadable(struct gd_bundle *b, const char *path);
/* Adds or removes a flag ("KEY" removes every KEY and KEY=...). */
int faults_cmdline_file_edit(struct gd_bundle *b, const char *path, const char *flag, bool add, char **ret_error);
int faults_bootcfg_edit(struct gd_bundle *b, const char *flag, bool add, char **ret_error);
int faults_kmsg_drop(struct gd_bundle *b, const char *text, char **ret_error);
int faults_kmsg_add(struct gd_bundle *b, const char *text, char **ret_error);
