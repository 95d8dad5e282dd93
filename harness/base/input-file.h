/* SPDX-License-Identifier: MIT */
/* Files a user names as input (a bundle, a scenario, a paste): regular
 * files only, refused before anything can block.  open() of a FIFO waits
 * for a writer (a replay run blocked there with its signals blocked, and
 * only SIGKILL ended it), read() of a character device may never end, and
 * a socket cannot be opened at all; none of them is a bundle. */
#pragma once

#include <stddef.h>

/* Opens path for reading if it is a regular file, following links as
 * open() does.  The type is looked at with stat() first, so a FIFO, device
 * or socket is never opened, and again with fstat() on what was opened.
 * Returns the descriptor, or -errno: -EISDIR for a directory, -EINVAL for
 * any other file that is not regular (input_file_kind() names it). */
int input_open_regular(const char *path);

/* The whole regular file at path, NUL-terminated, at most max bytes;
 * -EFBIG past that, else as input_open_regular() or read(). */
int input_read_regular(const char *path, size_t max, char **ret, size_t *ret_len);

/* What kind of file path is, for a message: "a FIFO", "a character
 * device", "a block device", "a socket", "a directory", "a regular file",
 * or NULL when stat() fails. */
const char *input_file_kind(const char *path);
