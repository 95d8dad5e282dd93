/* SPDX-License-Identifier: MIT */
/* Unified diffs.  Configuration files are small and the edits of a plan
 * touch a few lines, so: the common head and tail are taken off, the rest
 * is compared with a longest-common-subsequence table (a middle too large
 * for the table becomes one replaced block, which is still an exact diff),
 * and the edit script is cut into hunks with three lines of context, as
 * GNU diffutils does (src/context.c print_unidiff_hunk()). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "udiff.h"

#define CONTEXT 3
#define LCS_MAX_CELLS (4u * 1024u * 1024u)
#define MAX_U32(a, b) ((a) > (b) ? (a) : (b))

struct lines {
        const char **start;
        size_t *len;
        size_t n;
        bool last_has_newline; /* false: the text's last line has no '\n' */
};

static void lines_clear(struct lines *l) {
        free(l->start);
        free(l->len);
}

static int lines_split(const char *text, struct lines *ret) {
        size_t cap = 0;

        *ret = (struct lines) { .last_has_newline = true };
        for (const char *p = text; p && *p;) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t) (nl - p) : strlen(p);

                if (ret->n == cap) {
                        const char **s;
                        size_t *l;
                        cap = cap ? cap * 2 : 16;
                        s = reallocarray(ret->start, cap, sizeof(*s));
                        if (!s)
                                return -ENOMEM;
                        ret->start = s;
                        l = reallocarray(ret->len, cap, sizeof(*l));
                        if (!l)
                                return -ENOMEM;
                        ret->len = l;
                }
                ret->start[ret->n] = p;
                ret->len[ret->n++] = n;
                ret->last_has_newline = nl != NULL;
                p = nl ? nl + 1 : p + n;
        }
        return 0;
}

/* Lines are equal when their bytes are, and, for the last line of either
 * text, when both have or both lack the newline. */
static bool line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j) {
        bool a_nl = i + 1 < a->n || a->last_has_newline;
        bool b_nl = j + 1 < b->n || b->last_has_newline;

        return a->len[i] == b->len[j] && a_nl == b_nl && memcmp(a->start[i], b->start[j], a->len[i]) == 0;
}

enum op { OP_EQ, OP_DEL, OP_ADD };

struct script {
        enum op *op;
        size_t n;
};

static int script_push(struct script *s, enum op op, size_t count) {
        enum op *g = reallocarray(s->op, s->n + count + 1, sizeof(*g));

        if (!g)
                return -ENOMEM;
        s->op = g;
        while (count--)
                s->op[s->n++] = op;
        return 0;
}

/* The edit script for a[lo_a, hi_a) against b[lo_b, hi_b). */
static int middle(const struct lines *a, size_t lo_a, size_t hi_a, const struct lines *b, size_t lo_b,
                  size_t hi_b, struct script *s) {
        size_t n = hi_a - lo_a, m = hi_b - lo_b;
        uint32_t *t;

        if (n == 0 || m == 0 || (n + 1) * (m + 1) > LCS_MAX_CELLS) {
                if (script_push(s, OP_DEL, n) < 0 || script_push(s, OP_ADD, m) < 0)
                        return -ENOMEM;
                return 0;
        }
        /* t[i][j]: the LCS of a[lo_a+i..) and b[lo_b+j..) */
        t = calloc((n + 1) * (m + 1), sizeof(*t));
        if (!t)
                return -ENOMEM;
        for (size_t i = n; i-- > 0;)
                for (size_t j = m; j-- > 0;)
                        t[i * (m + 1) + j] = line_eq(a, lo_a + i, b, lo_b + j)
                                ? t[(i + 1) * (m + 1) + j + 1] + 1
                                : MAX_U32(t[(i + 1) * (m + 1) + j], t[i * (m + 1) + j + 1]);
        for (size_t i = 0, j = 0; i < n || j < m;) {
                int r;
                if (i < n && j < m && line_eq(a, lo_a + i, b, lo_b + j)) {
                        r = script_push(s, OP_EQ, 1);
                        i++, j++;
                } else if (i < n && (j == m || t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1])) {
                        /* Removed lines before added ones, as diff -u shows them. */
                        r = script_push(s, OP_DEL, 1);
                        i++;
                } else {
                        r = script_push(s, OP_ADD, 1);
                        j++;
                }
                if (r < 0) {
                        free(t);
                        return r;
                }
        }
        free(t);
        return 0;
}

static void put_line(FILE *f, char mark, const struct lines *l, size_t i) {
        fputc(mark, f);
        fwrite(l->start[i], 1, l->len[i], f);
        fputc('\n', f);
        if (i + 1 == l->n && !l->last_has_newline)
                fputs("\\ No newline at end of file\n", f);
}

static void put_range(FILE *f, char sign, size_t start, size_t count) {
        /* GNU diff: an empty range names the line before it. */
        if (count == 0)
                fprintf(f, "%c%zu,0", sign, start);
        else if (count == 1)
                fprintf(f, "%c%zu", sign, start + 1);
        else
                fprintf(f, "%c%zu,%zu", sign, start + 1, count);
}

static void write_hunks(FILE *f, const struct script *s, const struct lines *a, const struct lines *b) {
        size_t k = 0;

        while (k < s->n) {
                size_t first, end, ctx, ia = 0, ib = 0, na = 0, nb = 0;

                /* The next change. */
                while (k < s->n && s->op[k] == OP_EQ)
                        k++;
                if (k == s->n)
                        break;
                first = k >= CONTEXT ? k - CONTEXT : 0;
                /* Extend while the next change is within 2 * CONTEXT equal lines. */
                end = k;
                for (;;) {
                        while (end < s->n && s->op[end] != OP_EQ)
                                end++;
                        ctx = 0;
                        while (end + ctx < s->n && s->op[end + ctx] == OP_EQ && ctx <= 2 * CONTEXT)
                                ctx++;
                        if (end + ctx < s->n && ctx <= 2 * CONTEXT) {
                                end += ctx;
                                continue;
                        }
                        end += ctx < CONTEXT ? ctx : CONTEXT;
                        break;
                }
                /* Where the hunk starts in each text. */
                for (size_t q = 0; q < first; q++) {
                        if (s->op[q] != OP_ADD)
                                ia++;
                        if (s->op[q] != OP_DEL)
                                ib++;
                }
                for (size_t q = first; q < end; q++) {
                        if (s->op[q] != OP_ADD)
                                na++;
                        if (s->op[q] != OP_DEL)
                                nb++;
                }
                fputs("@@ ", f);
                put_range(f, '-', ia, na);
                fputc(' ', f);
                put_range(f, '+', ib, nb);
                fputs(" @@\n", f);
                for (size_t q = first; q < end; q++) {
                        if (s->op[q] == OP_EQ) {
                                put_line(f, ' ', a, ia++);
                                ib++;
                        } else if (s->op[q] == OP_DEL)
                                put_line(f, '-', a, ia++);
                        else
                                put_line(f, '+', b, ib++);
                }
                k = end;
        }
}

int gd_udiff(const char *before, const char *after, const char *old_name, const char *new_name, char **ret) {
        struct lines a = {}, b = {};
        struct script s = {};
        size_t head = 0, tail = 0, len = 0;
        char *out = NULL;
        FILE *f = NULL;
        int r;

        *ret = NULL;
        if (before && after && strcmp(before, after) == 0)
                return 0;
        r = lines_split(before, &a);
        if (r >= 0)
                r = lines_split(after, &b);
        if (r < 0)
                goto done;
        while (head < a.n && head < b.n && line_eq(&a, head, &b, head))
                head++;
        while (tail < a.n - head && tail < b.n - head && line_eq(&a, a.n - 1 - tail, &b, b.n - 1 - tail))
                tail++;
        r = script_push(&s, OP_EQ, head);
        if (r >= 0)
                r = middle(&a, head, a.n - tail, &b, head, b.n - tail, &s);
        if (r >= 0)
                r = script_push(&s, OP_EQ, tail);
        if (r < 0)
                goto done;
        f = open_memstream(&out, &len);
        if (!f) {
                r = -ENOMEM;
                goto done;
        }
        fprintf(f, "--- %s\n+++ %s\n", before ? old_name : "/dev/null", new_name);
        write_hunks(f, &s, &a, &b);
        if (fclose(f) != 0) {
                free(out);
                out = NULL;
                r = -ENOMEM;
                goto done;
        }
        *ret = out;
        r = 0;
done:
        free(s.op);
        lines_clear(&a);
        lines_clear(&b);
        return r;
}
