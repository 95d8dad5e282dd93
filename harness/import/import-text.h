/* SPDX-License-Identifier: MIT */
/* Splitting and cleaning pasted text (text.c). */
#pragma once

#include <errno.h>

#include "import/import-internal.h"

struct imp_text_line {
        struct imp_line line;   /* text and body point into buf */
        char *buf;
        bool fence;             /* ``` ~~~ or a [CODE] tag line: ends a block */
        bool fence_before;      /* "[CODE]text": a fence, then the text */
        bool fence_after;       /* "text[/CODE]" */
        bool binary;            /* NUL or control bytes: junk */
        bool bad_utf8;          /* bytes that are not UTF-8 */
};

/* Splits at '\n', drops '\r' line ends, ANSI colours, '>' quoting, fences
 * and [CODE] tags; lineno counts input lines from 1.  Returns 0 or -ENOMEM. */
int imp_text_split(const char *file, const char *text, size_t size, struct imp_text_line **ret, size_t *ret_n);
void imp_text_free(struct imp_text_line *lines, size_t n);
