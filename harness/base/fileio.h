/* SPDX-License-Identifier: MIT */
/* Bounded file reading.  Nothing in gpudiag reads unbounded input: every
 * read names a cap, and a file past it is an error (-EFBIG), not a silent
 * truncation.  These are the I/O seam's reads (base/io.h) with a byte cap:
 * host/ readers use the seam and its table of caps; anything else may use
 * these.  In collect's record mode both are recorded. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Caps, in bytes.  A sysfs attribute is at most a page; config space is
 * 4 KiB; /proc/iomem of a large server is well under 1 MiB. */
#define GD_ATTR_MAX      (64u * 1024u)
#define GD_TEXT_FILE_MAX (4u * 1024u * 1024u)

/* A replay testbed writes this as the whole content of a /proc or /dev file
 * that the bundle did not contain, because umockdev's preload falls through
 * to the real host's file when a testbed file is missing.  Readers map it to
 * -ENOENT (or -EACCES for the unreadable marker), never to data. */
#define GD_ABSENT_MARKER     "@gpudiag-absent@\n"
#define GD_UNREADABLE_MARKER "@gpudiag-unreadable@\n"

/* -ENOENT when the whole of buf (len bytes) is the absent marker, -EACCES
 * when it is the unreadable marker, else 0: data. */
int gd_marker_errno(const char *buf, size_t len);

/* Reads the whole file (NUL-terminated in *ret) if it is at most max bytes.
 * Returns 0, or -errno (-EFBIG when larger than max). */
int read_file_capped(const char *path, size_t max, char **ret, size_t *ret_len);

/* Reads a one-value sysfs attribute with the trailing newline removed. */
int read_attr(const char *dir, const char *attr, char **ret);

/* The last path component of the target of dir/name (e.g. the driver). */
int read_link_basename(const char *dir, const char *name, char **ret);

/* The names in dir (not "." or ".."; with keep, those it keeps), sorted
 * by strcmp, as a NULL-terminated list.  opendir() and readdir(), never
 * scandir(): glibc's scandir() opens the directory through an internal
 * call that umockdev's preload does not trap, so in a replay testbed it
 * listed this machine's /sys.  -E2BIG past DIR_LIST_MAX names. */
#define DIR_LIST_MAX 1000000
int dir_list(const char *dir, bool (*keep)(const char *name), char ***ret);

/* Joins with exactly one '/' between; returns NULL on ENOMEM. */
char *path_join(const char *a, const char *b);

/* True when the path is absolute and has no "." or ".." component. */
int path_is_safe_absolute(const char *p);
