/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "duplicates.h"

static int cmp_item(const void *a, const void *b) {
        const struct dup_item *x = a, *y = b;
        int c = strcmp(x->key, y->key);

        return c ? c : (x->index > y->index) - (x->index < y->index);
}

bool dup_find_first(struct dup_item *items, size_t n, size_t *ret_first, size_t *ret_second) {
        bool found = false;

        if (n < 2)
                return false;
        qsort(items, n, sizeof(*items), cmp_item);
        /* In each run of equal keys the first two indexes are the earliest
         * repeat of that key; the earliest over all runs is the answer. */
        for (size_t i = 0; i + 1 < n; i++) {
                if (strcmp(items[i].key, items[i + 1].key) != 0)
                        continue;
                if (!found || items[i + 1].index < *ret_second) {
                        *ret_first = items[i].index;
                        *ret_second = items[i + 1].index;
                        found = true;
                }
                while (i + 1 < n && strcmp(items[i].key, items[i + 1].key) == 0)
                        i++;
        }
        return found;
}
