/* SPDX-License-Identifier: MIT */
/* Text from a bundle, a paste or a host, made safe to print on a terminal.
 *
 * A bundle's attribute may hold "\033]0;...\007\033[2J...FAKE: READY": raw,
 * that sets the window title, clears the screen and prints a verdict
 * gpudiag never gave.  Printed text output therefore shows every control
 * character of data (C0 but tab, DEL, the C1 range U+0080..U+009F, which
 * some terminals obey as 8-bit controls) and every byte that is not UTF-8
 * as an escape: \xNN, or \uNNNN for C1.  JSON and YAML output escape for
 * themselves.  gpudiag's own text (colours, line breaks) is printed as is:
 * this is for the data in it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* True when s holds something escape_control() would change. */
bool escape_needed(const char *s);

/* s as a YAML double-quoted scalar: escaped as above, and '"', '\\' and
 * tab too, so YAML reads back the text (with \xNN and \uNNNN for what was
 * escaped). */
void escape_fputs_quoted(const char *s, FILE *f);

/* A newly allocated escaped copy of s; NULL on ENOMEM. */
char *escape_control(const char *s);

/* Writes s escaped to f. */
void escape_fputs(const char *s, FILE *f);

/* Escaped copies that live until the pool is cleared, for handing data to
 * printf: s itself when it needs no escaping. */
#define ESCAPE_POOL_MAX 16
struct escape_pool {
        char *items[ESCAPE_POOL_MAX];
        size_t n;
};
const char *escape_in(struct escape_pool *p, const char *s);
void escape_pool_clear(struct escape_pool *p);
#define _cleanup_escape_pool_ __attribute__((cleanup(escape_pool_clear)))
