/* SPDX-License-Identifier: MIT */
/* A testbed as data: the directories, files and links the writers of
 * testbed-sysfs.c and testbed-fill.c would create for a bundle, sorted by
 * path.  Two trees differ in a few entries when one bundle is the other
 * with a scenario's faults, so a replay run keeps one directory per worker
 * and switches it from the base bundle's tree to the scenario's and back
 * (gd_testbed_switch()), writing tens of files instead of thousands.
 *
 * The list keeps the order of the writes, so that the rules of the
 * directory hold here too: a later file replaces an earlier one, a
 * directory may be made twice, and a link may not land on anything. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strindex.h"
#include "base/strv.h"
#include "replay/testbed-internal.h"
#include "replay/testbed.h"

/* ---- the tree's memory ------------------------------------------------------
 *
 * A 4,096-function host is 188,000 entries before they are folded: a
 * malloc() for each path and each content made the tree 66 MB, beside the
 * 50 MB bundle it is made of.  Paths go into large blocks (an arena, freed
 * with the tree); contents are stored once each (the content index: 8,647
 * distinct contents for 123,300 attribute files, 213 configuration spaces
 * for 4,096 devices), and a bundle's file (a kernel log of 10 MB) is not
 * copied at all: the tree is freed before its bundle everywhere
 * (gd_testbed_build(), the replay runner). */
#define ARENA_BLOCK (1u << 20)

struct arena_block {
        struct arena_block *next;
        size_t used, size;
        char data[];
};

static void *arena_alloc(struct gd_testbed_tree *t, size_t n) {
        struct arena_block *b = t->arena;

        n = (n + 7) & ~(size_t) 7;
        if (!b || b->size - b->used < n) {
                size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;

                b = malloc(sizeof(*b) + size);
                if (!b)
                        return NULL;
                b->size = size;
                b->used = 0;
                /* A block of its own for a large piece, behind the current one. */
                if (size != ARENA_BLOCK && t->arena) {
                        b->next = t->arena->next;
                        t->arena->next = b;
                } else {
                        b->next = t->arena;
                        t->arena = b;
                }
        }
        b->used += n;
        return b->data + b->used - n;
}

static void arena_free(struct gd_testbed_tree *t) {
        for (struct arena_block *b = t->arena, *next; b; b = next) {
                next = b->next;
                free(b);
        }
        t->arena = NULL;
}

void gd_testbed_tree_free(struct gd_testbed_tree *t) {
        if (!t)
                return;
        testbed_devices_free(t);
        arena_free(t);
        strindex_free(t->contents);
        free(t->e);
        free(t->last_dir);
        strv_free(t->warnings);
        free(t);
}

/* data as stored: once per distinct content (its number in *ret_content),
 * or the caller's own when borrowed. */
static char *store_data(struct gd_testbed_tree *t, const void *data, size_t len, bool borrowed, uint32_t *ret_content) {
        size_t k;

        *ret_content = 0;
        if (borrowed)
                return (char *) data;
        if (!t->contents && !(t->contents = strindex_new(false)))
                return NULL;
        k = strindex_put(t->contents, data, len);
        if (k == 0 || k > UINT32_MAX)
                return NULL;
        *ret_content = (uint32_t) k;
        return (char *) strindex_at(t->contents, k);
}

static int add_full(struct gd_testbed_tree *t, const char *path, size_t path_len, enum tb_type type,
                    const void *data, size_t len, mode_t mode, int64_t mtime, bool borrowed) {
        struct tb_entry *x;
        char *p;

        if (t->n == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 256;
                struct tb_entry *ne = reallocarray(t->e, cap, sizeof(*ne));
                if (!ne)
                        return -ENOMEM;
                t->e = ne;
                t->cap = cap;
        }
        x = &t->e[t->n];
        *x = (struct tb_entry) { .type = type, .len = len, .mode = mode, .mtime = mtime, .seq = t->n };
        p = arena_alloc(t, path_len + 1);
        if (!p)
                return -ENOMEM;
        memcpy(p, path, path_len);
        p[path_len] = '\0';
        x->path = p;
        if (data) {
                /* A link's target is text the walk reads: kept as a path. */
                if (type == TB_LINK) {
                        x->data = arena_alloc(t, len + 1);
                        if (!x->data)
                                return -ENOMEM;
                        memcpy(x->data, data, len);
                        x->data[len] = '\0';
                } else if (!(x->data = store_data(t, data, len, borrowed, &x->content)))
                        return -ENOMEM;
        }
        t->n++;
        t->sorted = false;
        return 0;
}

static int add(struct gd_testbed_tree *t, const char *path, size_t path_len, enum tb_type type,
               const void *data, size_t len, mode_t mode, int64_t mtime) {
        return add_full(t, path, path_len, type, data, len, mode, mtime, false);
}

/* Every directory above path, and with self the path itself.  The
 * directories added last are not added again: the writers put a device's
 * attributes one after another into one directory, and each used to add
 * every directory above it (seven for a PCI attribute), eight entries a
 * file for the sort to fold back into one (finish() folds what is left as
 * before: a second mkdir of a path changes nothing). */
static int add_dirs(struct gd_testbed_tree *t, const char *path, bool self) {
        size_t len = strlen(path), have = 0;
        int r;

        if (!path_is_safe_absolute(path))
                return -EINVAL;
        /* The part of path that is t->last_dir or a directory above it. */
        if (t->last_dir) {
                size_t n = t->last_dir_len;

                while (n > 0 && !(n <= len && memcmp(path, t->last_dir, n) == 0 && (path[n] == '/' ||
                                  (path[n] == '\0' && self)))) {
                        while (n > 0 && t->last_dir[n - 1] != '/')
                                n--;
                        n = n > 0 ? n - 1 : 0;
                }
                have = n;
        }
        for (size_t i = have + 1; i <= len; i++) {
                if (i < len && path[i] != '/')
                        continue;
                if (i == len && !self)
                        break;
                r = add(t, path, i, TB_DIR, NULL, 0, 0755, -1);
                if (r < 0)
                        return r;
        }
        /* Remember the deepest directory now known. */
        {
                size_t dir_len = self ? len : (size_t) (strrchr(path, '/') - path);

                if (dir_len > have || !t->last_dir) {
                        char *d = strndup(path, dir_len);
                        if (!d)
                                return -ENOMEM;
                        free(t->last_dir);
                        t->last_dir = d;
                        t->last_dir_len = dir_len;
                }
        }
        return 0;
}

int tb_mkdir(struct tb_out *o, const char *path) {
        return add_dirs(o->tree, path, true);
}

int tb_write(struct tb_out *o, const char *path, const void *content, size_t len, mode_t mode, int64_t mtime) {
        int r = add_dirs(o->tree, path, false);

        return r < 0 ? r : add(o->tree, path, strlen(path), TB_FILE, content, len, mode, mtime);
}

int tb_write_borrowed(struct tb_out *o, const char *path, const void *content, size_t len, mode_t mode,
                      int64_t mtime) {
        int r = add_dirs(o->tree, path, false);

        return r < 0 ? r : add_full(o->tree, path, strlen(path), TB_FILE, content, len, mode, mtime, true);
}

int tb_symlink(struct tb_out *o, const char *path, const char *target, int line) {
        int r;

        if (!path_is_safe_absolute(path))
                return -EINVAL;
        r = add(o->tree, path, strlen(path), TB_LINK, target, strlen(target), 0777, -1);
        if (r >= 0)
                o->tree->e[o->tree->n - 1].line = line;
        return r;
}

static int cmp_entry(const void *a, const void *b) {
        const struct tb_entry *x = a, *y = b;
        int c = strcmp(x->path, y->path);

        return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* The memory is the tree's (or the bundle's): only forgotten here. */
static void drop(struct tb_entry *x) {
        x->path = x->data = NULL;
}

/* Sorts by path and folds the writes to one path into what the directory
 * would hold, or fails as writing the directory would have. */
static int finish(struct gd_testbed_tree *t) {
        size_t out = 0;

        qsort(t->e, t->n, sizeof(*t->e), cmp_entry);
        for (size_t i = 0; i < t->n; ) {
                size_t j = i + 1;
                struct tb_entry keep = t->e[i];

                for (; j < t->n && streq(t->e[j].path, keep.path); j++) {
                        struct tb_entry *x = &t->e[j];

                        if (keep.type == TB_DIR && x->type == TB_DIR) {
                                drop(x);        /* mkdir -p again */
                        } else if (keep.type == TB_FILE && x->type == TB_FILE) {
                                drop(&keep);    /* the later file replaces */
                                keep = *x;
                        } else if (keep.type == TB_LINK && x->type == TB_DIR) {
                                drop(x);        /* mkdir -p through a link */
                        } else {
                                /* symlink() on a taken name, a file on a
                                 * directory or link, a directory on a file */
                                for (size_t k = j; k < t->n; k++)
                                        drop(&t->e[k]);
                                drop(&keep);
                                for (size_t k = 0; k < out; k++)
                                        drop(&t->e[k]);
                                t->n = 0;
                                return x->type == TB_LINK ? -EEXIST : -ENOTDIR;
                        }
                }
                t->e[out++] = keep;
                i = j;
        }
        t->n = out;
        t->sorted = true;
        /* The array was doubled as it grew; give back what the folding left. */
        if (t->n > 0 && t->cap > t->n + t->n / 8) {
                struct tb_entry *ne = reallocarray(t->e, t->n, sizeof(*ne));
                if (ne) {
                        t->e = ne;
                        t->cap = t->n;
                }
        }
        t->last_dir = mfree_str(t->last_dir);
        return 0;
}

struct gd_testbed_tree *gd_testbed_tree_begin(void) {
        struct gd_testbed_tree *t = calloc(1, sizeof(*t));
        struct tb_out out = { .tree = t };

        if (t && tb_mkdir(&out, "/config") < 0)
                t = (gd_testbed_tree_free(t), NULL);
        return t;
}

int gd_testbed_tree_add_record(struct gd_testbed_tree *t, const char *text, size_t len, int line, char **ret_error) {
        struct tb_out out = { .tree = t };

        if (ret_error)
                *ret_error = NULL;
        if (memchr(text, '\0', len) || text[len] != '\0')
                return -EINVAL;
        return testbed_write_record(&out, text, line, ret_error);
}

int gd_testbed_tree_record_sink(const char *text, size_t len, int line, void *userdata, char **ret_error) {
        return gd_testbed_tree_add_record(userdata, text, len, line, ret_error);
}

int gd_testbed_tree_end(struct gd_testbed_tree *t, const struct gd_bundle *b, char **ret_error) {
        struct tb_out out = { .tree = t };
        int r;

        if (ret_error)
                *ret_error = NULL;
        r = testbed_fill(&out, b, ret_error);
        if (r >= 0)
                r = finish(t);
        if (r >= 0)
                r = testbed_tree_check_links(t);
        if (r < 0 && r != -ENOMEM && ret_error && !*ret_error &&
            asprintf(ret_error, "testbed: two recorded entries claim one path (%s)", strerror(-r)) < 0)
                *ret_error = NULL;
        return r;
}

int gd_testbed_tree_new(const struct gd_bundle *b, struct gd_testbed_tree **ret, char **ret_error) {
        struct gd_testbed_tree *t = gd_testbed_tree_begin();
        struct tb_out out = { .tree = t };
        int r = 0;

        if (ret_error)
                *ret_error = NULL;
        if (!t)
                return -ENOMEM;
        if (b->umockdev && *b->umockdev)
                r = testbed_write_recording(&out, b->umockdev, b->umockdev_line, ret_error);
        if (r >= 0)
                r = gd_testbed_tree_end(t, b, ret_error);
        if (r < 0) {
                gd_testbed_tree_free(t);
                return r;
        }
        *ret = t;
        return 0;
}

static bool same(const struct tb_entry *a, const struct tb_entry *b) {
        if (a->type != b->type)
                return false;
        if (a->type == TB_DIR)
                return true;
        return a->len == b->len && memcmp(a->data, b->data, a->len) == 0 &&
               (a->type == TB_LINK || (a->mode == b->mode && a->mtime == b->mtime));
}

static int remove_one(const char *root, const struct tb_entry *x) {
        _cleanup_free_ char *full = path_join(root, x->path);

        if (!full)
                return -ENOMEM;
        if (x->type == TB_DIR) {
                /* ENOTEMPTY: something not in the tree was made there. */
                if (rmdir(full) < 0 && errno != ENOENT)
                        return gd_testbed_remove_dir(full, false);
                return 0;
        }
        return unlink(full) < 0 && errno != ENOENT ? -errno : 0;
}

static int create_one(const char *root, const struct tb_entry *x) {
        _cleanup_free_ char *full = NULL;

        switch (x->type) {
        case TB_DIR:
                return testbed_mkdir(root, x->path);
        case TB_FILE:
                return testbed_write_file(root, x->path, x->data, x->len, x->mode, x->mtime);
        case TB_LINK:
                full = path_join(root, x->path);
                if (!full)
                        return -ENOMEM;
                return symlink(x->data, full) < 0 ? -errno : 0;
        }
        return -EINVAL;
}

const struct tb_entry *tb_find(const struct gd_testbed_tree *t, const char *path) {
        size_t lo = 0, hi = t->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(t->e[mid].path, path);

                if (c == 0)
                        return &t->e[mid];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

static void cursor_donep(struct tb_cursor *c) {
        tb_cursor_done(c);
}

int gd_testbed_switch(const char *root, const struct gd_testbed_tree *from, const struct gd_testbed_tree *to) {
        static const struct gd_testbed_tree empty = { .sorted = true };
        _cleanup_free_ size_t *gone = NULL, *later = NULL;
        _cleanup_(cursor_donep) struct tb_cursor cursor = { .root = -1, .pool = -1 };
        size_t i = 0, j = 0, n_gone = 0, n_later = 0;
        int r;

        from = from ? from : &empty;
        to = to ? to : &empty;
        if (!from->sorted || !to->sorted)
                return -EINVAL;
        gone = calloc(from->n + 1, sizeof(*gone));
        later = calloc(to->n + 1, sizeof(*later));
        if (!gone || !later)
                return -ENOMEM;

        /* What goes or changes its kind, deepest first. */
        while (i < from->n) {
                int c = j < to->n ? strcmp(from->e[i].path, to->e[j].path) : -1;

                if (c < 0)
                        gone[n_gone++] = i++;
                else if (c > 0)
                        j++;
                else {
                        if (from->e[i].type != to->e[j].type)
                                gone[n_gone++] = i;
                        i++;
                        j++;
                }
        }
        while (n_gone > 0) {
                r = remove_one(root, &from->e[gone[--n_gone]]);
                if (r < 0)
                        return r;
        }

        /* What comes or changes, parents first.  An entry below a link of
         * the tree (an unreadable marker for .../driver of
         * /sys/bus/pci/devices/<addr>, say) lands where the link leads,
         * which sorts elsewhere and must exist first: it comes last. */
        r = tb_cursor_init(&cursor, root, from->n == 0 && to->n >= 256);
        if (r < 0)
                return r;
        for (i = j = 0; j < to->n; ) {
                int c = i < from->n ? strcmp(from->e[i].path, to->e[j].path) : 1;

                if (c < 0) {
                        i++;
                        continue;
                }
                if (c > 0 || !same(&from->e[i], &to->e[j])) {
                        /* A link's target changed: symlink() does not replace. */
                        if (c == 0 && to->e[j].type == TB_LINK && from->e[i].type == TB_LINK) {
                                r = remove_one(root, &from->e[i]);
                                if (r < 0)
                                        return r;
                        }
                        r = tb_cursor_create(&cursor, &to->e[j]);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                later[n_later++] = j;
                }
                if (c == 0)
                        i++;
                j++;
        }
        for (size_t k = 0; k < n_later; k++) {
                r = create_one(root, &to->e[later[k]]);
                if (r < 0)
                        return r;
        }
        return 0;
}

size_t gd_testbed_tree_size(const struct gd_testbed_tree *t) {
        return t ? t->n : 0;
}

char * const *gd_testbed_tree_warnings(const struct gd_testbed_tree *t) {
        static char *const none[] = { NULL };
        return t && t->warnings ? t->warnings : none;
}
