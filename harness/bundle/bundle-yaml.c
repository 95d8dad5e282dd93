/* SPDX-License-Identifier: MIT */
/* Typed access to libfyaml nodes for the bundle reader: every accessor
 * fails with a message that names the key and the line. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/strv.h"
#include "bundle/bundle-internal.h"

int bundle_value_line(struct fy_node *key, struct fy_node *value) {
        int l = gd_yaml_node_line(value);
        return l > 0 ? l : gd_yaml_node_line(key);
}

bool bundle_is_plain(struct fy_node *n) {
        return fy_node_get_style(n) == FYNS_PLAIN;
}

bool bundle_is_null(struct fy_node *n) {
        const char *s;
        size_t len;

        if (!n)
                return true;
        if (!fy_node_is_scalar(n) || !bundle_is_plain(n))
                return false;
        s = fy_node_get_scalar(n, &len);
        return !s || len == 0 || (len == 1 && s[0] == '~') ||
                (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

const char *bundle_type_name(struct fy_node *n) {
        if (bundle_is_null(n))
                return "null";
        switch (fy_node_get_type(n)) {
        case FYNT_SCALAR:   return "a scalar";
        case FYNT_SEQUENCE: return "a sequence";
        case FYNT_MAPPING:  return "a mapping";
        }
        return "something else";
}

static struct {
        const char *start;
        size_t len;
} input;

void bundle_input_set(const char *start, size_t len) {
        input.start = start;
        input.len = len;
}

void bundle_input_release(const char *start, size_t len, const char *upto) {
        const uintptr_t page = (uintptr_t) sysconf(_SC_PAGESIZE);
        uintptr_t from = ((uintptr_t) start + page - 1) & ~(page - 1), to;

        if (!start || upto < start)
                return;
        if (upto > start + len)
                upto = start + len;
        to = (uintptr_t) upto & ~(page - 1);
        if (to > from)
                (void) madvise((void *) from, to - from, MADV_DONTNEED);
}

/* The scalar's text, in libfyaml's pieces of it: piece() gets each in
 * order.  The pieces that lie in a mapped input give back the pages behind
 * them every few MiB.  -ENOMEM when libfyaml fails, else piece()'s error. */
#define RELEASE_EVERY (4u << 20)

int bundle_scalar_pieces(struct fy_node *n, int (*piece)(const char *p, size_t len, void *userdata), void *userdata) {
        struct fy_token *t = fy_node_get_scalar_token(n);
        struct fy_token_iter *it = t ? fy_token_iter_create(t) : NULL;
        const struct fy_iter_chunk *c = NULL;
        size_t at = 0, released = 0;
        const struct fy_mark *from = t ? fy_token_start_mark(t) : NULL, *to = t ? fy_token_end_mark(t) : NULL;
        /* A scalar of a few MiB of the input or more (the recording). */
        const bool large = from && to && to->input_pos > from->input_pos &&
                           to->input_pos - from->input_pos >= RELEASE_EVERY;
        const char *reach = NULL;
        int err = 0, r = 0;

        if (!it) {
                size_t len;
                const char *s = fy_node_get_scalar(n, &len);

                return s ? piece(s, len, userdata) : -ENOMEM;
        }
        while (r >= 0 && (c = fy_token_iter_chunk_next(it, c, &err))) {
                r = piece(c->str, c->len, userdata);
                at += c->len;
                if (input.start && c->str >= input.start && c->str + c->len <= input.start + input.len &&
                    c->str + c->len > reach)
                        reach = c->str + c->len;
                if (reach && (at - released >= RELEASE_EVERY || (large && !released))) {
                        /* Behind the pieces, and past the next few MiB:
                         * libfyaml's iterator reads all of a scalar before
                         * its first piece (and keeps a list of its pieces,
                         * 32 MB for a 40 MB recording, which was resident
                         * whole beside it: explain --bundle of 4,096
                         * functions peaked at 79 MB).  A page given back
                         * is read again from the page cache when touched. */
                        bundle_input_release(input.start, input.len, reach);
                        if (large && (size_t) (input.start + input.len - reach) > RELEASE_EVERY)
                                bundle_input_release(reach + RELEASE_EVERY,
                                                     (size_t) (input.start + input.len - reach) - RELEASE_EVERY,
                                                     input.start + input.len);
                        released = at ? at : 1;
                }
        }
        fy_token_iter_destroy(it);
        if (reach)
                bundle_input_release(input.start, input.len, reach);
        if (r < 0)
                return r;
        return err != 0 ? -ENOMEM : 0;
}

struct copy {
        char *buf;
        size_t at, len;
};

static int copy_piece(const char *p, size_t len, void *userdata) {
        struct copy *c = userdata;

        if (len > c->len - c->at)
                return -ENOMEM;         /* not the length libfyaml said */
        memcpy(c->buf + c->at, p, len);
        c->at += len;
        return 0;
}

/* The scalar's text in one buffer, from its pieces: fy_node_get_scalar()
 * keeps a copy of its own in the token (a second 40 MB for a large
 * recording, for as long as the document lives). */
static int scalar_copy(struct fy_node *n, char **ret, size_t *ret_len) {
        struct fy_token *t = fy_node_get_scalar_token(n);
        struct copy c = { .len = t ? fy_token_get_text_length(t) : fy_node_get_scalar_length(n) };
        int r;

        c.buf = malloc(c.len + 1);
        if (!c.buf)
                return -ENOMEM;
        r = bundle_scalar_pieces(n, copy_piece, &c);
        if (r >= 0 && c.at != c.len)
                r = -ENOMEM;
        if (r < 0) {
                free(c.buf);
                return r;
        }
        c.buf[c.len] = '\0';
        *ret = c.buf;
        *ret_len = c.len;
        return 0;
}

/* A string: any non-null scalar.  Aliases are refused everywhere. */
int bundle_get_string(struct fy_node *key, struct fy_node *n, const char *what, char **ret, size_t *ret_len,
                      char **ret_error) {
        size_t len;
        char *c;
        int r;

        if (n && fy_node_is_alias(n))
                return bundle_fail(ret_error, bundle_value_line(key, n), "%s: aliases are not allowed", what);
        if (!n || fy_node_get_type(n) != FYNT_SCALAR || bundle_is_null(n))
                return bundle_fail(ret_error, bundle_value_line(key, n), "%s: expected a string, got %s",
                                   what, bundle_type_name(n));
        r = scalar_copy(n, &c, &len);
        if (r < 0)
                return r;
        if (!ret_len && memchr(c, '\0', len)) {
                free(c);
                return bundle_fail(ret_error, bundle_value_line(key, n), "%s: string has a NUL character", what);
        }
        *ret = c;
        if (ret_len)
                *ret_len = len;
        return 0;
}

int bundle_get_int(struct fy_node *key, struct fy_node *n, const char *what, int64_t *ret, char **ret_error) {
        _cleanup_free_ char *s = NULL;
        char *end;
        long long v;

        if (!n || fy_node_get_type(n) != FYNT_SCALAR || !bundle_is_plain(n) || bundle_is_null(n))
                return bundle_fail(ret_error, bundle_value_line(key, n), "%s: expected an integer, got %s",
                                   what, n && fy_node_is_scalar(n) && !bundle_is_null(n) ? "a string" : bundle_type_name(n));
        s = strndup(fy_node_get_scalar(n, NULL), fy_node_get_scalar_length(n));
        if (!s)
                return -ENOMEM;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
                return bundle_fail(ret_error, bundle_value_line(key, n), "%s: expected an integer, got '%s'", what, s);
        *ret = v;
        return 0;
}

int bundle_get_bool(struct fy_node *key, struct fy_node *n, const char *what, tri_t *ret, char **ret_error) {
        const char *s;

        if (n && fy_node_get_type(n) == FYNT_SCALAR && bundle_is_plain(n)) {
                s = fy_node_get_scalar0(n);
                if (streq(s, "true") || streq(s, "True") || streq(s, "TRUE")) {
                        *ret = TRI_YES;
                        return 0;
                }
                if (streq(s, "false") || streq(s, "False") || streq(s, "FALSE")) {
                        *ret = TRI_NO;
                        return 0;
                }
        }
        return bundle_fail(ret_error, bundle_value_line(key, n), "%s: expected true or false", what);
}

int bundle_expect(struct fy_node *key, struct fy_node *n, enum fy_node_type t, const char *what, char **ret_error) {
        if (n && fy_node_is_alias(n))
                return bundle_fail(ret_error, bundle_value_line(key, n), "%s: aliases are not allowed", what);
        if (!n || fy_node_get_type(n) != t || bundle_is_null(n))
                return bundle_fail(ret_error, bundle_value_line(key, n), "%s: expected %s, got %s", what,
                                   t == FYNT_MAPPING ? "a mapping" : "a sequence", bundle_type_name(n));
        return 0;
}

int bundle_new_strv(char ***ret) {
        *ret = calloc(1, sizeof(char *));
        return *ret ? 0 : -ENOMEM;
}

/* A sequence of strings, each checked by ok() when given. */
int bundle_get_strv(struct fy_node *key, struct fy_node *n, const char *what, char ***ret, char **ret_error) {
        _cleanup_strv_free_ char **l = NULL;
        void *it = NULL;
        struct fy_node *item;
        int r;

        size_t i = 0;

        r = bundle_expect(key, n, FYNT_SEQUENCE, what, ret_error);
        if (r < 0)
                return r;
        /* Sized once: strv_consume() counts the list on every push. */
        l = calloc((size_t) fy_node_sequence_item_count(n) + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        while ((item = fy_node_sequence_iterate(n, &it))) {
                r = bundle_get_string(key, item, what, &l[i], NULL, ret_error);
                if (r < 0)
                        return r;
                i++;
        }
        *ret = TAKE_PTR(l);
        return 0;
}
