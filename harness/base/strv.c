/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

char **strv_free(char **l) {
        if (!l)
                return NULL;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
        return NULL;
}

size_t strv_length(char * const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

int strv_consume(char ***l, char *value) {
        size_t n = strv_length(*l);
        char **nl;

        if (!value)
                return -ENOMEM;
        nl = realloc(*l, sizeof(char *) * (n + 2));
        if (!nl) {
                free(value);
                return -ENOMEM;
        }
        nl[n] = value;
        nl[n + 1] = NULL;
        *l = nl;
        return 0;
}

int strv_push_dup(char ***l, const char *value) {
        return strv_consume(l, strdup(value));
}

bool strv_contains(char * const *l, const char *s) {
        for (size_t i = 0; l && l[i]; i++)
                if (strcmp(l[i], s) == 0)
                        return true;
        return false;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char * const *)a, *(char * const *)b);
}

void strv_sort(char **l) {
        if (!l)
                return;         /* qsort(NULL, 0, ...) is undefined (UBSan) */
        qsort(l, strv_length(l), sizeof(char *), cmp_str);
}

char **strv_copy(char * const *l) {
        char **out = calloc(1, sizeof(char *));

        if (!out)
                return NULL;
        for (size_t i = 0; l && l[i]; i++)
                if (strv_push_dup(&out, l[i]) < 0)
                        return strv_free(out);
        return out;
}
