/* SPDX-License-Identifier: MIT */
/* The recorder of the I/O seam (io-record.h): one entry per path, found
 * through an open-addressing hash table, sorted by path when recording
 * stops. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/io-internal.h"
#include "base/io-record.h"
#include "base/strv.h"

struct gd_io_recording {
        struct gd_io_entry *entries;
        size_t n, cap;
        size_t *slots;         /* index + 1 into entries; 0 free */
        size_t n_slots;        /* a power of two, at least twice n */
        bool failed;           /* out of memory while recording */
};

bool io_recording;
static struct gd_io_recording *current;

static uint64_t hash(const char *s) {
        uint64_t h = 1469598103934665603ull;       /* FNV-1a */

        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ull;
        return h;
}

static size_t *slot_of(struct gd_io_recording *r, const char *path) {
        size_t mask = r->n_slots - 1;

        for (size_t i = (size_t) hash(path) & mask;; i = (i + 1) & mask)
                if (r->slots[i] == 0 || streq(r->entries[r->slots[i] - 1].path, path))
                        return &r->slots[i];
}

static int rehash(struct gd_io_recording *r, size_t n_slots) {
        size_t *slots = calloc(n_slots, sizeof(*slots));

        if (!slots)
                return -ENOMEM;
        free(r->slots);
        r->slots = slots;
        r->n_slots = n_slots;
        for (size_t i = 0; i < r->n; i++)
                *slot_of(r, r->entries[i].path) = i + 1;
        return 0;
}

static struct gd_io_entry *find(struct gd_io_recording *r, const char *path) {
        size_t *slot = r->n_slots ? slot_of(r, path) : NULL;

        return slot && *slot ? &r->entries[*slot - 1] : NULL;
}

/* The entry of path, created when new; NULL (and the recording marked
 * failed) when out of memory. */
static struct gd_io_entry *entry(const char *path) {
        struct gd_io_recording *r = current;
        struct gd_io_entry *e = find(r, path);

        if (e)
                return e;
        if ((r->n + 1) * 2 > r->n_slots && rehash(r, r->n_slots ? r->n_slots * 2 : 1024) < 0)
                goto fail;
        if (r->n == r->cap) {
                size_t ncap = r->cap ? r->cap * 2 : 512;
                struct gd_io_entry *ne = reallocarray(r->entries, ncap, sizeof(*ne));

                if (!ne)
                        goto fail;
                r->entries = ne;
                r->cap = ncap;
        }
        e = &r->entries[r->n];
        *e = (struct gd_io_entry) { .path = strdup(path) };
        if (!e->path)
                goto fail;
        *slot_of(r, path) = ++r->n;
        return e;
fail:
        r->failed = true;
        return NULL;
}

static void entry_clear(struct gd_io_entry *e) {
        free(e->path);
        free(e->content);
        free(e->target);
        strv_free(e->names);
}

int gd_io_record_start(void) {
        if (current)
                return -EBUSY;
        current = calloc(1, sizeof(*current));
        if (!current)
                return -ENOMEM;
        io_recording = true;
        return 0;
}

bool gd_io_recording_on(void) {
        return io_recording;
}

static int cmp_entry(const void *a, const void *b) {
        return strcmp(((const struct gd_io_entry *) a)->path, ((const struct gd_io_entry *) b)->path);
}

int gd_io_record_stop(struct gd_io_recording **ret) {
        struct gd_io_recording *r = current;

        if (!r)
                return -EINVAL;
        current = NULL;
        io_recording = false;
        if (r->failed) {
                gd_io_recording_free(r);
                return -ENOMEM;
        }
        if (r->n > 1)
                qsort(r->entries, r->n, sizeof(*r->entries), cmp_entry);
        if (r->n_slots && rehash(r, r->n_slots) < 0) {
                gd_io_recording_free(r);
                return -ENOMEM;
        }
        *ret = r;
        return 0;
}

struct gd_io_recording *gd_io_recording_free(struct gd_io_recording *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n; i++)
                entry_clear(&r->entries[i]);
        free(r->entries);
        free(r->slots);
        free(r);
        return NULL;
}

size_t gd_io_recording_size(const struct gd_io_recording *r) {
        return r ? r->n : 0;
}

const struct gd_io_entry *gd_io_recording_entry(const struct gd_io_recording *r, size_t i) {
        return r && i < r->n ? &r->entries[i] : NULL;
}

const struct gd_io_entry *gd_io_recording_find(const struct gd_io_recording *r, const char *path) {
        return r && path ? find((struct gd_io_recording *) r, path) : NULL;
}

/* ---- from the seam ------------------------------------------------------------ */

int io_record_lookup(const char *logical, int *ret_error, const char **ret_content, size_t *ret_len) {
        const struct gd_io_entry *e = current ? find(current, logical) : NULL;

        if (!e || !e->has_content)
                return 0;
        *ret_error = e->content_error;
        *ret_content = e->content;
        *ret_len = e->length;
        return 1;
}

void io_record_content_take(const char *logical, int error, char *content, size_t len, size_t dropped) {
        struct gd_io_entry *e = current ? entry(logical) : NULL;

        if (!e) {
                free(content);
                return;
        }
        free(e->content);
        e->has_content = true;
        e->content_error = error;
        e->content = error < 0 ? NULL : content;
        e->length = error < 0 ? 0 : len;
        e->kmsg_dropped = dropped;
        if (error < 0)
                free(content);
        if (error == -ENOMEM)
                current->failed = true;
}

void io_record_content(const char *logical, int error, const char *content, size_t len) {
        char *copy = NULL;

        if (!current)
                return;
        if (error == 0) {
                copy = malloc(len + 1);
                if (!copy) {
                        current->failed = true;
                        return;
                }
                memcpy(copy, content, len);
                copy[len] = '\0';
        }
        io_record_content_take(logical, error, copy, len, 0);
}

void io_record_link(const char *logical, int error, const char *target) {
        struct gd_io_entry *e = current ? entry(logical) : NULL;

        if (!e)
                return;
        free(e->target);
        e->has_link = true;
        e->link_error = error;
        e->target = error == 0 ? strdup(target) : NULL;
        if (error == 0 && !e->target)
                current->failed = true;
}

void io_record_list(const char *logical, int error, char * const *names) {
        struct gd_io_entry *e = current ? entry(logical) : NULL;
        size_t n = strv_length(names);
        char **copy = NULL;

        if (!e)
                return;
        if (error == 0) {
                copy = calloc(n + 1, sizeof(char *));
                for (size_t i = 0; copy && i < n; i++)
                        if (!(copy[i] = strdup(names[i])))
                                copy = strv_free(copy);
                if (!copy) {
                        current->failed = true;
                        return;
                }
        }
        strv_free(e->names);
        e->has_list = true;
        e->list_error = error;
        e->names = copy;
}

void io_record_stat(const char *logical, int error, const struct gd_io_stat *st) {
        struct gd_io_entry *e = current ? entry(logical) : NULL;

        if (!e)
                return;
        e->has_stat = true;
        e->stat_error = error;
        e->is_dir = error == 0 && st->is_dir;
        e->is_reg = error == 0 && st->is_reg;
        e->is_node = error == 0 && st->is_node;
        e->mtime = error == 0 ? st->mtime : 0;
}

/* ---- what the reader made of what it read -------------------------------------- */

void gd_io_record_keep(const char *path, const char *content, size_t len) {
        struct gd_io_entry *e = current ? find(current, io_logical_path(path)) : NULL;
        char *copy;

        if (!e || !e->has_content || e->content_error < 0)
                return;
        copy = malloc(len + 1);
        if (!copy) {
                current->failed = true;
                return;
        }
        memcpy(copy, content, len);
        copy[len] = '\0';
        free(e->content);
        e->content = copy;
        e->length = len;
}

void gd_io_record_drop(const char *path) {
        struct gd_io_entry *e = current ? find(current, io_logical_path(path)) : NULL;

        if (!e)
                return;
        /* Kept as an entry without facts: a path with nothing recorded. */
        free(e->content);
        free(e->target);
        strv_free(e->names);
        *e = (struct gd_io_entry) { .path = e->path };
}

void gd_io_record_error(const char *path, int error) {
        struct gd_io_entry *e = current ? find(current, io_logical_path(path)) : NULL;

        if (!e || !e->has_content || error >= 0)
                return;
        e->content = mfree_str(e->content);
        e->length = 0;
        e->content_error = error;
}

int gd_io_record_add(const char *path, const char *content, size_t len, int64_t mtime) {
        struct gd_io_entry *e;

        if (!current)
                return 0;
        io_record_content(path, 0, content, len);
        e = find(current, path);
        if (!e || current->failed)
                return -ENOMEM;
        if (mtime >= 0) {
                e->has_stat = true;
                e->stat_error = 0;
                e->is_reg = true;
                e->is_dir = false;
                e->mtime = mtime;
        }
        return 0;
}
