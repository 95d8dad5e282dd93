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

/* The whole regular file at path as a read-only private mapping of its
 * pages (*ret_len bytes; an empty file is "" and no mapping), at most max
 * bytes; as input_read_regular() otherwise.  The pages count as resident
 * only while touched, and madvise(MADV_DONTNEED) gives them back (they are
 * read again from the page cache when touched again): a 51 MB bundle need
 * not be resident beside what is made of it.  input_unmap() ends it. */
int input_map_regular(const char *path, size_t max, const char **ret, size_t *ret_len);
void input_unmap(const char *p, size_t len);

/* What kind of file path is, for a message: "a FIFO", "a character
 * device", "a block device", "a socket", "a directory", "a regular file",
 * or NULL when stat() fails. */
const char *input_file_kind(const char *path);
