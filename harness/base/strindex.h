/* SPDX-License-Identifier: MIT */
/* Strings numbered in the order first seen (1, 2, ...), looked up in O(1):
 * redaction numbers its placeholders this way, and a paste can hold tens of
 * thousands of distinct addresses (a list searched from the start for each
 * was quadratic).  The hash is seeded at random per index, so a paste
 * cannot be made of colliding keys in advance. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct strindex;

/* fold: compare without regard to ASCII case (hex digits, host names). */
struct strindex *strindex_new(bool fold);
struct strindex *strindex_free(struct strindex *x);
static inline void strindex_freep(struct strindex **x) { strindex_free(*x); }

/* The number of s[0..len): found, or added as the next one.  0 on ENOMEM. */
size_t strindex_put(struct strindex *x, const char *s, size_t len);
/* The number of s[0..len), or 0 when it is not there. */
size_t strindex_get(const struct strindex *x, const char *s, size_t len);
size_t strindex_size(const struct strindex *x);
/* The string numbered n (1-based), NUL-terminated; NULL when none. */
const char *strindex_at(const struct strindex *x, size_t n);
