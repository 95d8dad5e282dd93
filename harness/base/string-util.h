/* SPDX-License-Identifier: MIT */
/* Small string look-ups that several layers need, written once. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* True when word is one of the words of s, words being the runs between
 * the bytes of separators (and the ends of s): "flr bus" has the word
 * "bus", "flr af_flr" does not have "af".  Empty words never match. */
bool string_has_word(const char *s, const char *word, const char *separators);

/* The value of a hex digit (either case), or -1.  A switch, not strtoul()
 * on a two-byte string: a 4,096-function host has 16 MB of configuration
 * space as hex, which strtoul() made a fifth of a replay's time. */
int unhexchar(char c);

/* s[0..len) (an even number of hex digits) as bytes into out (len / 2 of
 * them); false, with out undefined, when s is not that. */
bool unhex_into(const char *s, size_t len, void *out);
