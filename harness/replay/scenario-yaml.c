/* SPDX-License-Identifier: MIT */
/* Typed access to libfyaml nodes for the scenario loader: every accessor
 * fails with "PATH:LINE: key: problem". */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "replay/scenario-internal.h"

int sc_fail(struct sc_ctx *c, int line, const char *key, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (c->error) {
                free(*c->error);
                if (line > 0)
                        r = asprintf(c->error, "%s:%d: %s: %s", c->path, line, key, msg);
                else
                        r = asprintf(c->error, "%s: %s: %s", c->path, key, msg);
                if (r < 0)
                        *c->error = NULL;
        }
        return -EINVAL;
}

int sc_get_string(struct sc_ctx *c, struct fy_node *key, struct fy_node *n, const char *what, bool allow_empty,
                      char **ret, size_t *ret_len) {
        const char *s;
        size_t len;

        if (!n || fy_node_get_type(n) != FYNT_SCALAR || fy_node_is_alias(n) ||
            (bundle_is_null(n) && !(allow_empty && fy_node_get_style(n) != FYNS_PLAIN)))
                return sc_fail(c, bundle_value_line(key, n), what, "must be a string, not %s", n ? bundle_type_name(n) : "missing");
        s = fy_node_get_scalar(n, &len);
        if (!s)
                s = "";
        if (!allow_empty && len == 0)
                return sc_fail(c, bundle_value_line(key, n), what, "must not be empty");
        if (!ret_len && memchr(s, '\0', len))
                return sc_fail(c, bundle_value_line(key, n), what, "must not contain a NUL character");
        *ret = strndup(s, len);
        if (!*ret)
                return -ENOMEM;
        if (ret_len)
                *ret_len = len;
        return 0;
}

int sc_get_int(struct sc_ctx *c, struct fy_node *key, struct fy_node *n, const char *what, int64_t min,
                   int64_t *ret) {
        char buf[32], *end;
        long long v;
        size_t len;
        const char *s;

        if (!n || fy_node_get_type(n) != FYNT_SCALAR || fy_node_get_style(n) != FYNS_PLAIN || bundle_is_null(n))
                return sc_fail(c, bundle_value_line(key, n), what, "must be an integer, not %s",
                            n && fy_node_is_scalar(n) && !bundle_is_null(n) ? "a string" : n ? bundle_type_name(n) : "missing");
        s = fy_node_get_scalar(n, &len);
        if (len == 0 || len >= sizeof(buf))
                return sc_fail(c, bundle_value_line(key, n), what, "must be an integer");
        memcpy(buf, s, len);
        buf[len] = '\0';
        errno = 0;
        v = strtoll(buf, &end, 10);
        if (errno || *end || v < min)
                return sc_fail(c, bundle_value_line(key, n), what, "must be an integer >= %lld, not '%s'", (long long) min, buf);
        *ret = v;
        return 0;
}

int sc_get_bool(struct sc_ctx *c, struct fy_node *key, struct fy_node *n, const char *what, bool *ret) {
        const char *s = n && fy_node_is_scalar(n) && fy_node_get_style(n) == FYNS_PLAIN ? fy_node_get_scalar0(n) : NULL;

        if (streq(s, "true") || streq(s, "True") || streq(s, "TRUE")) {
                *ret = true;
                return 0;
        }
        if (streq(s, "false") || streq(s, "False") || streq(s, "FALSE")) {
                *ret = false;
                return 0;
        }
        return sc_fail(c, bundle_value_line(key, n), what, "must be true or false");
}

int sc_get_address(struct sc_ctx *c, struct fy_node *key, struct fy_node *n, const char *what, char **ret) {
        int r = sc_get_string(c, key, n, what, false, ret, NULL);

        if (r < 0)
                return r;
        if (!gd_pci_address_valid(*ret)) {
                /* On failure *ret is NULL: "expect: verdict" stores it in an
                 * entry not yet counted, so nothing else would free it. */
                r = sc_fail(c, bundle_value_line(key, n), what, "'%s' is not a PCI address (dddd:bb:dd.f)", *ret);
                *ret = mfree_str(*ret);
                return r;
        }
        for (char *p = *ret; *p; p++)
                *p = (char) (*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
        return 0;
}

int sc_get_path(struct sc_ctx *c, struct fy_node *key, struct fy_node *n, const char *what, char **ret) {
        int r = sc_get_string(c, key, n, what, false, ret, NULL);

        if (r < 0)
                return r;
        if (!gd_bundle_path_allowed(*ret)) {
                r = sc_fail(c, bundle_value_line(key, n), what,
                            "'%s' must be absolute, without '.' or '..', under /sys /proc /dev /etc /boot /lib or /usr",
                            *ret);
                *ret = mfree_str(*ret);
                return r;
        }
        return 0;
}

/* Checks that mapping n has only keys from allowed (NULL-terminated) and
 * returns each key's value in vals (same order), NULL when absent. */
int sc_map_fields(struct sc_ctx *c, struct fy_node *key, struct fy_node *n, const char *what,
                      const char *const *allowed, struct fy_node **keys, struct fy_node **vals) {
        struct fy_node_pair *p;
        void *it = NULL;
        size_t na = 0;

        if (!n || !fy_node_is_mapping(n) || fy_node_is_alias(n))
                return sc_fail(c, bundle_value_line(key, n), what, "must be a mapping, not %s", n ? bundle_type_name(n) : "missing");
        while (allowed[na])
                na++;
        for (size_t i = 0; i < na; i++)
                keys[i] = vals[i] = NULL;
        while ((p = fy_node_mapping_iterate(n, &it))) {
                struct fy_node *k = fy_node_pair_key(p);
                const char *ks = k && fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : NULL;
                size_t i;

                for (i = 0; i < na && !streq(ks, allowed[i]); i++)
                        ;
                if (i == na) {
                        _cleanup_free_ char *list = NULL;
                        size_t len = 0;
                        for (size_t j = 0; j < na; j++)
                                len += strlen(allowed[j]) + 2;
                        list = calloc(1, len + 1);
                        if (!list)
                                return -ENOMEM;
                        for (size_t j = 0; j < na; j++) {
                                if (j)
                                        strcat(list, ", ");
                                strcat(list, allowed[j]);
                        }
                        return sc_fail(c, gd_yaml_node_line(k), what, "unknown key '%s' (known: %s)", ks ? ks : "?", list);
                }
                keys[i] = k;
                vals[i] = fy_node_pair_value(p);
        }
        return 0;
}

int sc_require(struct sc_ctx *c, struct fy_node *parent_key, struct fy_node *map, struct fy_node *v,
                   const char *what) {
        if (v)
                return 0;
        return sc_fail(c, bundle_value_line(parent_key, map), what, "missing");
}

