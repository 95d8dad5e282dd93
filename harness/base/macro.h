/* SPDX-License-Identifier: MIT */
/* Small helpers every layer uses: cleanup attributes (as in systemd's
 * src/basic/macro.h), TAKE_PTR, and the three-valued "fact" type. */
#pragma once

#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>
#include <dirent.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline void freep(void *p) { free(*(void **)p); }
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }
static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
static inline void closedirp(DIR **d) { if (*d) closedir(*d); }

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_closedir_ _cleanup_(closedirp)

/* Hand ownership out of a _cleanup_ variable. */
#define TAKE_PTR(p) ({ __typeof__(p) _tp = (p); (p) = NULL; _tp; })

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Appends one zeroed element to array of n, and returns it (NULL on ENOMEM,
 * array and n unchanged). */
#define GROW(array, n) ({                                                     \
        __typeof__(array) _g = realloc((array), sizeof(*(array)) * ((n) + 1)); \
        if (_g) {                                                             \
                (array) = _g;                                                 \
                __builtin_memset(&(array)[n], 0, sizeof(*(array)));           \
        }                                                                     \
        _g ? &(array)[(n)++] : NULL;                                          \
})

/* A fact about the host is true, false, or could not be read.  Unknown is
 * the zero value so that a freshly allocated model says "unknown" until a
 * reader has evidence: a wrong READY is the worst bug this tool can have. */
typedef enum tri {
        TRI_UNKNOWN = 0,
        TRI_NO = 1,
        TRI_YES = 2,
} tri_t;

static inline const char *tri_to_string(tri_t t) {
        return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "unknown";
}

static inline bool streq(const char *a, const char *b) {
        return a && b && __builtin_strcmp(a, b) == 0;
}

/* Equal strings, or both NULL. */
static inline bool streq_null(const char *a, const char *b) {
        return a == b || streq(a, b);
}

static inline bool startswith(const char *s, const char *prefix) {
        return s && __builtin_strncmp(s, prefix, __builtin_strlen(prefix)) == 0;
}

static inline bool endswith(const char *s, const char *suffix) {
        size_t n = s ? __builtin_strlen(s) : 0, m = __builtin_strlen(suffix);
        return s && n >= m && __builtin_strcmp(s + n - m, suffix) == 0;
}

/* Frees and returns NULL, for reusing a variable. */
static inline char *mfree_str(char *p) { free(p); return NULL; }
