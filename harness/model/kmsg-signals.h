/* SPDX-License-Identifier: MIT */
/* The kernel log records gpudiag looks at.
 *
 * A busy host's log holds 100,000 records and more, nearly all of them about
 * other things.  The reader (host/kmsg.c) keeps only the records whose text
 * contains one of these signals, which bounds the model's memory by what
 * matters, not by the log's length; every pattern a check searches for
 * must contain a signal, so that a kept record is all a check can miss.
 * kfind() asserts that of each pattern it is given. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

extern const char *const gd_kmsg_signals[];

/* True when text contains a signal: the reader keeps the record. */
bool gd_kmsg_has_signal(const char *text);

/* The same for raw bytes (a log line before parsing). */
bool gd_kmsg_has_signal_n(const char *s, size_t len);

/* True when every text containing pattern contains a signal, i.e. some
 * signal is a substring of pattern. */
bool gd_kmsg_signal_covers(const char *pattern);
