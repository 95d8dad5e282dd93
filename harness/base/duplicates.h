/* SPDX-License-Identifier: MIT */
/* Finding repeated keys in O(n log n): a bundle names tens of thousands of
 * devices, groups and paths, and checking each against all the others
 * (strv_contains() in a loop) took 86 s for 120,000 groups. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct dup_item {
        const char *key;        /* borrowed */
        size_t index;           /* the item's place in the input */
};

/* Sorts items and finds, of all pairs with equal keys, the one whose
 * second item comes first in the input: what a check item by item would
 * have reported.  True with the two indexes (*ret_first < *ret_second). */
bool dup_find_first(struct dup_item *items, size_t n, size_t *ret_first, size_t *ret_second);
