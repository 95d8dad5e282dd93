/* SPDX-License-Identifier: MIT */
/* No link of a testbed leads out of it.
 *
 * The reader opens /sys/... and umockdev's preload turns that into
 * $UMOCKDEV_DIR/sys/...; from there the kernel resolves the path, links
 * included.  The links come from the bundle (L: lines), so a stranger
 * writes them: "L: up=../../.." and "L: reset_method=up/../../../../../etc/shadow"
 * look harmless as text (the "up/.." cancels), yet the kernel follows "up"
 * first and then climbs out of the testbed.  So every link of the tree is
 * resolved here the way the kernel's path walk does it (fs/namei.c:
 * link_path_walk() takes one component at a time, follows a symbolic link
 * where it finds one, with its target read relative to the directory that
 * holds the link, and gives up with ELOOP after MAXSYMLINKS = 40 links;
 * ".." goes to the parent of the directory reached, not of the text), with
 * the other links of the tree in the chain, and one that reaches above
 * /sys, or is absolute, is left out of the testbed with a warning naming
 * its bundle line.  The reader then finds nothing there: the fact is
 * unknown, as for any attribute the bundle lacks.
 *
 * This works on the tree (testbed-tree.c) before any file is written,
 * which needs one rule: a link lies where its path says, never below
 * another link (the directory would put it where that link leads).  Such a
 * link is left out too; no kernel makes one.  A component that is not a
 * link of the tree is taken as a directory, existing or not: the kernel
 * would stop there with ENOENT or ENOTDIR, so the walk here goes at least
 * as far as the kernel's, and never calls inside what the kernel would
 * follow out.  tests/test-hostile-links.c holds the result to openat2()'s
 * RESOLVE_BENEATH on the written directory. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/macro.h"
#include "base/strv.h"
#include "replay/testbed-internal.h"

#define SYS_ROOT "/sys"
#define MAXSYMLINKS 40          /* include/linux/namei.h */

enum walk_end {
        WALK_INSIDE = 0,        /* resolved below /sys (or stopped where the kernel would) */
        WALK_LEAVES,            /* above /sys, or an absolute target */
        WALK_LOOPS,             /* more than MAXSYMLINKS links: ELOOP, as the kernel */
        WALK_TOO_LONG,          /* deeper than PATH_MAX: not modelled, left out */
};

struct walk {
        const struct gd_testbed_tree *t;
        unsigned links;
        char cur[PATH_MAX];     /* the directory reached; never holds a link */
        size_t len;
};

/* Walks path from w->cur, following the tree's links; w->cur is where it
 * ends.  Recursion depth is at most MAXSYMLINKS. */
static enum walk_end walk(struct walk *w, const char *path) {
        if (path[0] == '/')
                return WALK_LEAVES;     /* from the replaying machine's root */
        for (const char *s = path; *s; ) {
                const char *e = strchrnul(s, '/');
                size_t n = (size_t) (e - s);
                const struct tb_entry *x;

                if (n == 0 || (n == 1 && s[0] == '.')) {
                        /* nothing */
                } else if (n == 2 && s[0] == '.' && s[1] == '.') {
                        if (w->len <= strlen(SYS_ROOT))
                                return WALK_LEAVES;
                        while (w->cur[w->len - 1] != '/')
                                w->len--;
                        w->cur[--w->len] = '\0';
                } else {
                        size_t before = w->len;

                        if (w->len + 1 + n >= sizeof(w->cur))
                                return WALK_TOO_LONG;
                        w->cur[w->len++] = '/';
                        memcpy(w->cur + w->len, s, n);
                        w->len += n;
                        w->cur[w->len] = '\0';
                        x = tb_find(w->t, w->cur);
                        if (x && x->type == TB_LINK) {
                                enum walk_end end;

                                if (++w->links > MAXSYMLINKS)
                                        return WALK_LOOPS;
                                w->len = before;
                                w->cur[w->len] = '\0';
                                end = walk(w, x->data);
                                if (end != WALK_INSIDE)
                                        return end;
                        }
                }
                s = *e ? e + 1 : e;
        }
        return WALK_INSIDE;
}

/* True when a directory above path is a link of the tree. */
static bool below_link(const struct gd_testbed_tree *t, const char *path) {
        char buf[PATH_MAX];
        size_t len = strlen(path);

        if (len >= sizeof(buf))
                return true;
        memcpy(buf, path, len + 1);
        for (char *slash = strrchr(buf, '/'); slash && slash > buf; slash = strrchr(buf, '/')) {
                const struct tb_entry *x;

                *slash = '\0';
                x = tb_find(t, buf);
                if (x && x->type == TB_LINK)
                        return true;
        }
        return false;
}

static enum walk_end check_one(const struct gd_testbed_tree *t, const struct tb_entry *x, bool *ret_below) {
        struct walk w = { .t = t };
        const char *slash = strrchr(x->path, '/');
        size_t dir_len = (size_t) (slash - x->path);

        *ret_below = false;
        if (!startswith(x->path, SYS_ROOT "/") || dir_len >= sizeof(w.cur) || x->len >= PATH_MAX)
                return WALK_TOO_LONG;
        if (below_link(t, x->path)) {
                *ret_below = true;
                return WALK_LEAVES;
        }
        memcpy(w.cur, x->path, dir_len);
        w.cur[dir_len] = '\0';
        w.len = dir_len;
        return walk(&w, x->data);
}

_printf_(2, 3) static int warn(struct gd_testbed_tree *t, const char *fmt, ...) {
        char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return strv_consume(&t->warnings, msg);
}

int testbed_tree_check_links(struct gd_testbed_tree *t) {
        bool *out = calloc(t->n + 1, sizeof(*out));
        size_t kept = 0;
        int r = 0;

        if (!out)
                return -ENOMEM;
        /* Decide every link against the whole tree first: leaving one out
         * can only make another end at a missing name, never lead out. */
        for (size_t i = 0; i < t->n && r >= 0; i++) {
                const struct tb_entry *x = &t->e[i];
                enum walk_end end;
                bool below;
                char line[32] = "";

                if (x->type != TB_LINK)
                        continue;
                end = check_one(t, x, &below);
                if (end == WALK_INSIDE || end == WALK_LOOPS)
                        continue;
                out[i] = true;
                if (x->line > 0)
                        snprintf(line, sizeof(line), "line %d: ", x->line);
                r = warn(t, "%slink %s -> '%.200s' %s; left out of the testbed, it reads as absent", line, x->path,
                         x->data,
                         below ? "lies below another link" :
                         end == WALK_TOO_LONG ? "is too long to follow" : "leads out of /sys");
        }
        for (size_t i = 0; i < t->n; i++) {
                if (!out[i])
                        t->e[kept++] = t->e[i];
        }
        t->n = kept;
        free(out);
        return r;
}
