/* SPDX-License-Identifier: MIT */
/* Writing strings from a host or a bundle (attacker input) into the formats
 * people plug in.  Each writer escapes what its format gives a meaning, and
 * writes a byte that is not well-formed UTF-8, or a control character the
 * format cannot carry, as U+FFFD, the replacement character: these formats
 * must be Unicode and have no \xNN escape of their own. */
#pragma once

#include <stdio.h>

/* HTML text and double-quoted attribute values: & < > " ' as character
 * references (HTML Living Standard, 13.1.4 "Character references"); tab and
 * newline kept. */
void gd_put_html(FILE *out, const char *s);

/* A Prometheus label value, between its double quotes: \ " and newline as
 * \\ \" \n, the only escapes of the text exposition format. */
void gd_put_prom_label(FILE *out, const char *s);

/* A Graphviz DOT double-quoted string: " and \ escaped (a backslash would
 * otherwise start a label escape such as \N or \G), newline as \n. */
void gd_put_dot(FILE *out, const char *s);

/* The text of a shell comment (after "# "): control characters, newlines
 * first, as spaces, so nothing from a host can end the comment. */
void gd_put_shell_comment(FILE *out, const char *s);

/* One shell word: as it is when it holds only characters no shell gives a
 * meaning (letters, digits, - _ . / = : , + @ %), else single-quoted with
 * ' as '\''.  Invalid UTF-8 becomes U+FFFD, so a word from a bundle is
 * what a person reading the script sees. */
void gd_put_shell_word(FILE *out, const char *s);
