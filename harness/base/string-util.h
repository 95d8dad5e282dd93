/* SPDX-License-Identifier: MIT */
/* Small string look-ups that several layers need, written once. */
#pragma once

#include <stdbool.h>

/* True when word is one of the words of s, words being the runs between
 * the bytes of separators (and the ends of s): "flr bus" has the word
 * "bus", "flr af_flr" does not have "af".  Empty words never match. */
bool string_has_word(const char *s, const char *word, const char *separators);
