/* SPDX-License-Identifier: MIT */
/* Between the seam (io.c, io-kmsg.c, fileio.c) and its recorder
 * (io-record.c); not part of the API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base/io.h"

/* True in record mode. */
extern bool io_recording;

/* The path the host knows: the config root taken off. */
const char *io_logical_path(const char *path);

/* The recorded answer to a read of logical: 1 with *ret_error, and when it
 * is 0 *ret_content and *ret_len (the recording's, not a copy); 0 when
 * nothing is recorded for it. */
int io_record_lookup(const char *logical, int *ret_error, const char **ret_content, size_t *ret_len);

void io_record_content(const char *logical, int error, const char *content, size_t len);
/* Takes content; dropped: older kernel log records left out. */
void io_record_content_take(const char *logical, int error, char *content, size_t len, size_t dropped);
void io_record_link(const char *logical, int error, const char *target);
void io_record_list(const char *logical, int error, char * const *names);
void io_record_stat(const char *logical, int error, const struct gd_io_stat *st);

/* The raw, bounded read every read of the seam ends in (recorded in record
 * mode).  attr: a sysfs attribute, whose show() hands out the whole value
 * in the first read. */
int io_read(const char *path, size_t max, bool attr, char **ret, size_t *ret_len);

/* -ENOENT / -EACCES when buf is a testbed's marker, else 0. */
int io_marker_errno(const char *buf, size_t len);
