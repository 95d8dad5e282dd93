/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The length of the well-formed UTF-8 sequence at s (1-4 bytes, of at most
 * left), or 0 when the bytes there are not one (a stray continuation byte,
 * an overlong form, a surrogate, past U+10FFFF, cut short).  NUL is a
 * sequence of one byte, as in UTF-8. */
size_t utf8_sequence_length(const char *s, size_t left);

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing past U+10FFFF).  Otherwise *ret_bad is the offset of the first
 * bad byte.  YAML documents must be Unicode; checking before libfyaml sees
 * them also keeps it out of a loop it enters on a '%' directive followed by
 * bytes that are not UTF-8 (libfyaml 0.7.12, found by fuzzing). */
bool utf8_valid(const char *s, size_t len, size_t *ret_bad);

/* s[0..len) with every byte that is not part of well-formed UTF-8 written
 * as the four characters \xNN, NUL-terminated, its length in *ret_len; NULL
 * when out of memory.  For text that must be Unicode (YAML, JSON) but comes
 * from anywhere (a pasted log, a sysfs attribute). */
char *utf8_escape_invalid(const char *s, size_t len, size_t *ret_len);
