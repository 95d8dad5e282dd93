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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "replay/testbed-internal.h"
#include "replay/testbed.h"

void gd_testbed_tree_free(struct gd_testbed_tree *t) {
        if (!t)
                return;
        for (size_t i = 0; i < t->n; i++) {
                free(t->e[i].path);
                free(t->e[i].data);
        }
        free(t->e);
        strv_free(t->warnings);
        free(t);
}

static int add(struct gd_testbed_tree *t, const char *path, size_t path_len, enum tb_type type,
               const void *data, size_t len, mode_t mode, int64_t mtime) {
        struct tb_entry *x;

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
        x->path = strndup(path, path_len);
        if (!x->path)
                return -ENOMEM;
        if (data) {
                x->data = malloc(len + 1);
                if (!x->data) {
                        free(x->path);
                        return -ENOMEM;
                }
                memcpy(x->data, data, len);
                x->data[len] = '\0';
        }
        t->n++;
        t->sorted = false;
        return 0;
}

/* Every directory above path, and with self the path itself. */
static int add_dirs(struct gd_testbed_tree *t, const char *path, bool self) {
        size_t len = strlen(path);
        int r;

        if (!path_is_safe_absolute(path))
                return -EINVAL;
        for (size_t i = 1; i <= len; i++) {
                if (i < len && path[i] != '/')
                        continue;
                if (i == len && !self)
                        break;
                r = add(t, path, i, TB_DIR, NULL, 0, 0755, -1);
                if (r < 0)
                        return r;
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

static void drop(struct tb_entry *x) {
        free(x->path);
        free(x->data);
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
        return 0;
}

int gd_testbed_tree_new(const struct gd_bundle *b, struct gd_testbed_tree **ret, char **ret_error) {
        struct gd_testbed_tree *t = calloc(1, sizeof(*t));
        struct tb_out out = { .tree = t };
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (!t)
                return -ENOMEM;
        r = tb_mkdir(&out, "/config");
        if (r >= 0 && b->umockdev && *b->umockdev)
                r = testbed_write_recording(&out, b->umockdev, b->umockdev_line, ret_error);
        if (r >= 0)
                r = testbed_fill(&out, b, ret_error);
        if (r >= 0)
                r = finish(t);
        if (r >= 0)
                r = testbed_tree_check_links(t);
        if (r < 0) {
                if (r != -ENOMEM && ret_error && !*ret_error &&
                    asprintf(ret_error, "testbed: two recorded entries claim one path (%s)", strerror(-r)) < 0)
                        *ret_error = NULL;
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

/* True when a directory above path is a link of the tree: the entry was
 * written through the link (an unreadable marker for .../driver of
 * /sys/bus/pci/devices/<addr>, say) and lands where the link leads, which
 * sorts elsewhere and must exist first. */
static bool under_link(const struct gd_testbed_tree *t, const char *path) {
        char buf[PATH_MAX];
        size_t len = strlen(path);

        if (len >= sizeof(buf))
                return false;
        memcpy(buf, path, len + 1);
        for (size_t i = len; i > 1; i--) {
                const struct tb_entry *x;

                if (buf[i - 1] != '/' || i - 1 == 0)
                        continue;
                buf[i - 1] = '\0';
                x = tb_find(t, buf);
                if (x && x->type == TB_LINK)
                        return true;
        }
        return false;
}

int gd_testbed_switch(const char *root, const struct gd_testbed_tree *from, const struct gd_testbed_tree *to) {
        static const struct gd_testbed_tree empty = { .sorted = true };
        _cleanup_free_ size_t *gone = NULL, *later = NULL;
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

        /* What comes or changes, parents first. */
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
                        if (under_link(to, to->e[j].path))
                                later[n_later++] = j;
                        else if ((r = create_one(root, &to->e[j])) < 0)
                                return r;
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
