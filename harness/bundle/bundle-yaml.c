/* SPDX-License-Identifier: MIT */
/* Typed access to libfyaml nodes for the bundle reader: every accessor
 * fails with a message that names the key and the line. */
#include <errno.h>
#include <string.h>

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

/* A string: any non-null scalar.  Aliases are refused everywhere. */
int bundle_get_string(struct fy_node *key, struct fy_node *n, const char *what, char **ret, size_t *ret_len,
                      char **ret_error) {
        const char *s;
        size_t len;
        char *c;

        if (n && fy_node_is_alias(n))
                return bundle_fail(ret_error, bundle_value_line(key, n), "%s: aliases are not allowed", what);
        if (!n || fy_node_get_type(n) != FYNT_SCALAR || bundle_is_null(n))
                return bundle_fail(ret_error, bundle_value_line(key, n), "%s: expected a string, got %s",
                                   what, bundle_type_name(n));
        s = fy_node_get_scalar(n, &len);
        c = malloc(len + 1);
        if (!c)
                return -ENOMEM;
        memcpy(c, s, len);
        c[len] = '\0';
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
