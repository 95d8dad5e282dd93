/* SPDX-License-Identifier: MIT */
/* Words of a kernel command line statement, edited as text (cmdline-edit.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/macro.h"
#include "cmdline-edit.h"

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

char *gd_cmdline_text_add(const char *line, const char *flag, bool grub) {
        const char *eq = grub ? strchr(line, '=') : NULL;
        size_t len = strlen(line);
        char *s = NULL;

        while (len > 0 && is_blank(line[len - 1]))
                len--;
        if (grub && (len == 0 || !eq)) {
                if (asprintf(&s, "GRUB_CMDLINE_LINUX_DEFAULT=\"%s\"", flag) < 0)
                        return NULL;
                return s;
        }
        if (grub && len >= 2 && (line[len - 1] == '"' || line[len - 1] == '\'')) {
                /* NAME="" -> NAME="flag"; NAME="quiet" -> NAME="quiet flag" */
                bool empty = line + len - 2 == eq || line[len - 2] == line[len - 1];
                if (asprintf(&s, "%.*s%s%s%s", (int) (len - 1), line, empty ? "" : " ", flag,
                             line + len - 1) < 0)
                        return NULL;
                return s;
        }
        if (grub && line + len == eq + 1) {
                /* NAME= (empty) */
                if (asprintf(&s, "%.*s\"%s\"", (int) len, line, flag) < 0)
                        return NULL;
                return s;
        }
        if (grub) {
                /* NAME=quiet (unquoted): quote the new value. */
                if (asprintf(&s, "%.*s\"%.*s %s\"", (int) (eq - line + 1), line,
                             (int) (line + len - eq - 1), eq + 1, flag) < 0)
                        return NULL;
                return s;
        }
        if (asprintf(&s, "%.*s%s%s", (int) len, line, len ? " " : "", flag) < 0)
                return NULL;
        return s;
}

char *gd_cmdline_text_remove(const char *line, const char *flag) {
        size_t fl = strlen(flag);
        char *s = strdup(line);
        bool found = false;
        char *p;

        if (!s || fl == 0)
                return mfree_str(s);
        p = s;
        while ((p = strstr(p, flag))) {
                char before = p == s ? ' ' : p[-1];
                char after = p[fl];
                if ((is_blank(before) || before == '"' || before == '\'' || before == '=') &&
                    (after == '\0' || is_blank(after) || after == '"' || after == '\'')) {
                        char *from = p, *to = p + fl;
                        if (is_blank(*to))
                                to++;
                        else if (from > s && is_blank(from[-1]))
                                from--;
                        memmove(from, to, strlen(to) + 1);
                        found = true;
                        p = from;
                } else
                        p += fl;
        }
        if (!found)
                return mfree_str(s);
        return s;
}

static bool word_at(const char *s, const char *p, size_t len) {
        char before = p == s ? ' ' : p[-1];
        char after = p[len];

        return (is_blank(before) || before == '"' || before == '\'' || before == '=') &&
               (after == '\0' || is_blank(after) || after == '"' || after == '\'');
}

char *gd_cmdline_text_replace(const char *line, const char *old, const char *new) {
        size_t ol = strlen(old), nl = strlen(new), len = 0;
        bool found = false;
        char *out = NULL;
        FILE *f;

        if (ol == 0)
                return NULL;
        f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        for (const char *p = line; *p;) {
                const char *q = strstr(p, old);
                if (!q) {
                        fputs(p, f);
                        break;
                }
                fwrite(p, 1, (size_t) (q - p), f);
                if (word_at(line, q, ol)) {
                        fwrite(new, 1, nl, f);
                        found = true;
                } else
                        fwrite(q, 1, ol, f);
                p = q + ol;
        }
        if (fclose(f) != 0 || !found) {
                free(out);
                return NULL;
        }
        return out;
}
