/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

#include "base/utf8.h"
#include "escape.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD in UTF-8 */

/* What an ASCII byte becomes in one format: a replacement text, or NULL
 * to write it as it is. */
typedef const char *(*ascii_map_t)(unsigned char c);

/* Length of the UTF-8 sequence that starts with lead byte c, 0 when c
 * cannot start one. */
static size_t seq_len(unsigned char c) {
        return c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
}

static void put_mapped(FILE *out, const char *str, ascii_map_t map) {
        const unsigned char *s = (const unsigned char *) str;
        size_t len = str ? strlen(str) : 0;

        for (size_t i = 0; i < len; ) {
                unsigned char c = s[i];

                if (c < 0x80) {
                        const char *m = map(c);
                        if (m)
                                fputs(m, out);
                        else
                                fputc(c, out);
                        i++;
                        continue;
                }
                size_t n = seq_len(c);
                if (n && i + n <= len && utf8_valid((const char *) s + i, n, NULL)) {
                        fwrite(s + i, 1, n, out);
                        i += n;
                } else {
                        fputs(REPLACEMENT, out);
                        i++;
                }
        }
}

static bool is_control(unsigned char c) {
        return c < 0x20 || c == 0x7f;
}

static const char *html_map(unsigned char c) {
        switch (c) {
        case '&': return "&amp;";
        case '<': return "&lt;";
        case '>': return "&gt;";
        case '"': return "&quot;";
        case '\'': return "&#39;";
        case '\n': case '\t': return NULL;
        default: return is_control(c) ? REPLACEMENT : NULL;
        }
}

/* Prometheus label values and DOT strings escape the same three. */
static const char *backslash_map(unsigned char c) {
        switch (c) {
        case '\\': return "\\\\";
        case '"': return "\\\"";
        case '\n': return "\\n";
        default: return is_control(c) ? REPLACEMENT : NULL;
        }
}

void gd_put_html(FILE *out, const char *s) {
        put_mapped(out, s, html_map);
}

void gd_put_prom_label(FILE *out, const char *s) {
        put_mapped(out, s, backslash_map);
}

void gd_put_dot(FILE *out, const char *s) {
        put_mapped(out, s, backslash_map);
}

/* A comment line of a shell script: a newline would end the comment and
 * start a command, so every control character becomes a space. */
static const char *comment_map(unsigned char c) {
        return is_control(c) ? " " : NULL;
}

void gd_put_shell_comment(FILE *out, const char *s) {
        put_mapped(out, s, comment_map);
}

/* Inside single quotes only ' itself means something: it ends the quote,
 * so it is written as '\'' (close, an escaped quote, open). */
static const char *single_quote_map(unsigned char c) {
        return c == '\'' ? "'\\''" : NULL;
}

void gd_put_shell_word(FILE *out, const char *s) {
        bool plain = s && *s;

        for (const char *p = s; plain && *p; p++)
                plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%", *p);
        if (plain) {
                fputs(s, out);
                return;
        }
        fputc('\'', out);
        put_mapped(out, s, single_quote_map);
        fputc('\'', out);
}
