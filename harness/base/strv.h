/* SPDX-License-Identifier: MIT */
/* NULL-terminated string vectors, grown by push (as systemd's strv.h). */
#pragma once

#include <stddef.h>
#include <stdbool.h>

char **strv_free(char **l);
static inline void strv_freep(char ***l) { strv_free(*l); }
#define _cleanup_strv_free_ __attribute__((cleanup(strv_freep)))

size_t strv_length(char * const *l);
/* Takes ownership of value.  Returns 0 or -ENOMEM (value freed). */
int strv_consume(char ***l, char *value);
int strv_push_dup(char ***l, const char *value);
bool strv_contains(char * const *l, const char *s);
void strv_sort(char **l);
/* A deep copy (an empty list for NULL); NULL on ENOMEM. */
char **strv_copy(char * const *l);
