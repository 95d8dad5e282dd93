/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "strindex.h"

struct strindex {
        bool fold;
        uint64_t seed;
        char **strs;            /* strs[n - 1] is number n */
        size_t *lens;
        size_t n, cap;
        size_t *slots;          /* number, 0: empty */
        size_t n_slots;
};

static unsigned char lower(unsigned char c) {
        return c >= 'A' && c <= 'Z' ? (unsigned char) (c + 32) : c;
}

/* FNV-1a from a random basis, then a final mix. */
static uint64_t hash(const struct strindex *x, const char *s, size_t len) {
        uint64_t h = x->seed;

        for (size_t i = 0; i < len; i++) {
                h ^= x->fold ? lower((unsigned char) s[i]) : (unsigned char) s[i];
                h *= 0x100000001b3ull;
        }
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 33;
        return h;
}

static bool same(const struct strindex *x, size_t k, const char *b, size_t len) {
        const char *a = x->strs[k];

        if (x->lens[k] != len)
                return false;
        if (!x->fold)
                return memcmp(a, b, len) == 0;
        for (size_t i = 0; i < len; i++)
                if (lower((unsigned char) a[i]) != lower((unsigned char) b[i]))
                        return false;
        return true;
}

struct strindex *strindex_new(bool fold) {
        struct strindex *x = calloc(1, sizeof(*x));

        if (!x)
                return NULL;
        x->fold = fold;
        if (getrandom(&x->seed, sizeof(x->seed), GRND_NONBLOCK) != sizeof(x->seed))
                x->seed = (uint64_t) (uintptr_t) x ^ (uint64_t) time(NULL) << 20;
        x->seed ^= 0xcbf29ce484222325ull;
        return x;
}

struct strindex *strindex_free(struct strindex *x) {
        if (!x)
                return NULL;
        for (size_t i = 0; i < x->n; i++)
                free(x->strs[i]);
        free(x->strs);
        free(x->lens);
        free(x->slots);
        free(x);
        return NULL;
}

static size_t find_slot(const struct strindex *x, const char *s, size_t len, bool *ret_found) {
        size_t i = (size_t) hash(x, s, len) & (x->n_slots - 1);

        for (; x->slots[i]; i = (i + 1) & (x->n_slots - 1))
                if (same(x, x->slots[i] - 1, s, len)) {
                        *ret_found = true;
                        return i;
                }
        *ret_found = false;
        return i;
}

static bool grow(struct strindex *x) {
        size_t n = x->n_slots ? x->n_slots * 2 : 64, *slots = calloc(n, sizeof(*slots));

        if (!slots)
                return false;
        free(x->slots);
        x->slots = slots;
        x->n_slots = n;
        for (size_t k = 0; k < x->n; k++) {
                bool found;
                size_t i = find_slot(x, x->strs[k], x->lens[k], &found);
                x->slots[i] = k + 1;
        }
        return true;
}

size_t strindex_get(const struct strindex *x, const char *s, size_t len) {
        bool found;
        size_t i;

        if (!x || x->n_slots == 0)
                return 0;
        i = find_slot(x, s, len, &found);
        return found ? x->slots[i] : 0;
}

size_t strindex_put(struct strindex *x, const char *s, size_t len) {
        size_t got = strindex_get(x, s, len), i;
        bool found;
        char *copy;

        if (got)
                return got;
        if (2 * (x->n + 1) > x->n_slots && !grow(x))
                return 0;
        if (x->n == x->cap) {
                size_t cap = x->cap ? x->cap * 2 : 16;
                char **ns = reallocarray(x->strs, cap, sizeof(char *));
                size_t *nl;

                if (!ns)
                        return 0;
                x->strs = ns;
                nl = reallocarray(x->lens, cap, sizeof(size_t));
                if (!nl)
                        return 0;
                x->lens = nl;
                x->cap = cap;
        }
        /* Kept with its length: a key may hold a NUL. */
        copy = malloc(len + 1);
        if (!copy)
                return 0;
        memcpy(copy, s, len);
        copy[len] = '\0';
        x->lens[x->n] = len;
        x->strs[x->n++] = copy;
        i = find_slot(x, s, len, &found);
        x->slots[i] = x->n;
        return x->n;
}

size_t strindex_size(const struct strindex *x) {
        return x ? x->n : 0;
}

const char *strindex_at(const struct strindex *x, size_t n) {
        return x && n >= 1 && n <= x->n ? x->strs[n - 1] : NULL;
}
