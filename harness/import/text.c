/* SPDX-License-Identifier: MIT */
/* Pasted text as it arrives from forums and chat: CRLF line ends, '>'
 * quoting, code fences (``` ~~~ and [CODE] tags), ANSI colours, indentation
 * added by the forum, markdown emphasis, and sometimes binary junk.  This file turns it into
 * lines the parsers can trust.
 *
 * Output captured with stderr and stdout together (hw-probe's dumps) can
 * carry a libpci warning inside a line: lspci's stdout is block-buffered,
 * libpci's pci_generic_warn() writes "pcilib: MESSAGE\n" to stderr at once,
 * so the line stops, the message follows, and the rest of the line starts
 * the next one.  Such a line is mended: the message goes, the rest joins. */
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "import/import-text.h"

static size_t utf8_seq(const unsigned char *s, size_t left) {
        unsigned char c = s[0];
        size_t n = c < 0x80 ? 1 : c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;

        if (n == 0 || n > left)
                return 0;
        for (size_t k = 1; k < n; k++)
                if ((s[k] & 0xc0) != 0x80)
                        return 0;
        return n;
}

/* Drops ANSI CSI sequences (ESC [ ... letter) in place. */
static size_t strip_ansi(char *s, size_t len) {
        size_t o = 0;

        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\x1b' && i + 1 < len && s[i + 1] == '[') {
                        size_t j = i + 2;
                        while (j < len && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';' || s[j] == '?'))
                                j++;
                        if (j < len && ((s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= 'a' && s[j] <= 'z'))) {
                                i = j;
                                continue;
                        }
                }
                s[o++] = s[i];
        }
        s[o] = '\0';
        return o;
}

/* A [CODE] / [/CODE] tag (any case, [CODE=rich] too) at the start or end. */
static bool strip_tag(char **s, size_t *len, bool *before, bool *after) {
        static const char *const tags[] = { "[code]", "[/code]", "[code=" };

        for (size_t k = 0; k < 3; k++) {
                size_t tl = strlen(tags[k]);
                const char *close;

                if (*len >= tl && strncasecmp(*s, tags[k], tl) == 0) {
                        close = k == 2 ? memchr(*s, ']', *len) : *s + tl - 1;
                        if (!close)
                                return false;
                        *len -= (size_t) (close + 1 - *s);
                        *s += close + 1 - *s;
                        *before = true;
                        return true;
                }
                if (k < 2 && *len >= tl && strncasecmp(*s + *len - tl, tags[k], tl) == 0) {
                        *len -= tl;
                        (*s)[*len] = '\0';
                        *after = true;
                        return true;
                }
        }
        return false;
}

static void classify(struct imp_text_line *t) {
        char *s = t->buf;
        size_t len = strlen(s);
        unsigned col = 0;

        /* '>' quoting, possibly nested, possibly indented. */
        for (;;) {
                size_t i = 0;
                while (i < len && (s[i] == ' ' || s[i] == '\t'))
                        i++;
                if (i < len && s[i] == '>' && (i + 1 == len || s[i + 1] == ' ' || s[i + 1] == '>' || s[i + 1] == '\t')) {
                        i++;
                        if (i < len && s[i] == ' ')
                                i++;
                        s += i;
                        len -= i;
                        continue;
                }
                break;
        }
        /* Code fences, and [CODE] tags alone or around a line. */
        {
                size_t i = 0;
                while (i < len && (s[i] == ' ' || s[i] == '\t'))
                        i++;
                if (strncmp(s + i, "```", 3) == 0 || strncmp(s + i, "~~~", 3) == 0)
                        t->fence = true;
        }
        while (strip_tag(&s, &len, &t->fence_before, &t->fence_after))
                ;
        if ((t->fence_before || t->fence_after) && strspn(s, " \t") == len) {
                t->fence = true;
                t->fence_before = t->fence_after = false;
        }
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
                s[--len] = '\0';
        /* Markdown emphasis glued to the text: "**IOMMU Group 1:**",
         * "**29:00.0 VGA ...", "Kernel modules: snd_hda_intel**". */
        {
                size_t i = strspn(s, " \t");
                bool stripped = false;

                size_t k = i;

                /* All leading marks at once: one memmove per mark was
                 * quadratic on a line of them. */
                while (len - k >= 2 && (strncmp(s + k, "**", 2) == 0 || strncmp(s + k, "__", 2) == 0))
                        k += 2;
                if (k > i) {
                        memmove(s + i, s + k, len - k + 1);
                        len -= k - i;
                        stripped = true;
                }
                while (len - i >= 2 && (strncmp(s + len - 2, "**", 2) == 0 || strncmp(s + len - 2, "__", 2) == 0)) {
                        s[len -= 2] = '\0';
                        stripped = true;
                }
                while (stripped && len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
                        s[--len] = '\0';
        }

        t->line.text = s;
        t->line.len = len;
        for (t->line.body = s; *t->line.body == ' ' || *t->line.body == '\t'; t->line.body++)
                col = *t->line.body == '\t' ? (col / 8 + 1) * 8 : col + 1;
        t->line.indent = col;
        t->line.body_len = len - (size_t) (t->line.body - s);
}

/* Where a libpci warning cuts the line: "pcilib: " after the line's
 * indentation or glued to what lspci printed before it (not after a blank,
 * a quote or a parenthesis, as prose quoting such a message would have
 * it), running to the end of the line without quotes.  NULL when there is
 * none. */
static char *pcilib_cut(char *buf) {
        char *cut = strstr(buf, "pcilib: ");
        size_t indent = strspn(buf, "\t");

        if (!cut || cut == buf || strpbrk(cut, "\"'`"))
                return NULL;
        if (cut != buf + indent && strchr(" \t\"'`(", cut[-1]))
                return NULL;
        return cut;
}

/* A line cut by a libpci warning: drops the message and appends the next
 * input line, which holds the rest.  Returns the new length (*buf
 * reallocated), or -ENOMEM. */
static ssize_t mend_pcilib(char **buf, size_t len, const char *text, size_t size, size_t *pos, unsigned *lineno) {
        char *cut;

        for (unsigned guard = 0; guard < 64 && (cut = pcilib_cut(*buf)) && *pos < size; guard++) {
                const char *nl = memchr(text + *pos, '\n', size - *pos);
                size_t rest = nl ? (size_t) (nl - (text + *pos)) : size - *pos;
                size_t keep = (size_t) (cut - *buf);
                char *nb = realloc(*buf, keep + rest + 1);

                if (!nb)
                        return -ENOMEM;
                *buf = nb;
                memcpy(nb + keep, text + *pos, rest);
                len = keep + rest;
                nb[len] = '\0';
                *pos += rest + (nl ? 1 : 0);
                (*lineno)++;
        }
        return (ssize_t) len;
}

int imp_text_split(const char *file, const char *text, size_t size, struct imp_text_line **ret, size_t *ret_n) {
        struct imp_text_line *lines = NULL;
        size_t n = 0, cap = 0;
        unsigned lineno = 0;

        for (size_t pos = 0; pos < size; ) {
                const char *nl = memchr(text + pos, '\n', size - pos);
                size_t len = nl ? (size_t) (nl - (text + pos)) : size - pos;
                struct imp_text_line *t;

                lineno++;
                if (n == cap) {
                        struct imp_text_line *nn = realloc(lines, (cap = cap ? cap * 2 : 256) * sizeof(*nn));
                        if (!nn) {
                                imp_text_free(lines, n);
                                return -ENOMEM;
                        }
                        lines = nn;
                }
                t = &lines[n];
                *t = (struct imp_text_line) { .line = { .file = file, .lineno = lineno } };
                t->buf = malloc(len + 1);
                if (!t->buf) {
                        imp_text_free(lines, n);
                        return -ENOMEM;
                }
                n++;
                memcpy(t->buf, text + pos, len);
                t->buf[len] = '\0';
                pos += (nl ? (size_t) (nl - (text + pos)) + 1 : size - pos);
                {
                        ssize_t r = mend_pcilib(&t->buf, len, text, size, &pos, &lineno);
                        if (r < 0) {
                                imp_text_free(lines, n);
                                return -ENOMEM;
                        }
                        len = (size_t) r;
                }
                while (len > 0 && t->buf[len - 1] == '\r')
                        t->buf[--len] = '\0';
                len = strip_ansi(t->buf, len);
                /* A NUL anywhere makes the line junk: looked for once, not
                 * per character (strlen() per character took a 1 MB line
                 * 14 s). */
                t->binary = memchr(t->buf, '\0', len) != NULL;
                for (size_t i = 0; i < len && !t->binary; ) {
                        unsigned char c = (unsigned char) t->buf[i];
                        size_t k;

                        if ((c < 0x20 && c != '\t') || c == 0x7f) {
                                t->binary = true;
                                break;
                        }
                        k = utf8_seq((const unsigned char *) t->buf + i, len - i);
                        if (k == 0) {
                                t->bad_utf8 = true;
                                i++;
                        } else
                                i += k;
                }
                if (!t->binary)
                        classify(t);
                else {
                        t->line.text = t->line.body = t->buf;
                        t->line.len = t->line.body_len = len;
                }
        }
        *ret = lines;
        *ret_n = n;
        return 0;
}

void imp_text_free(struct imp_text_line *lines, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(lines[i].buf);
        free(lines);
}
