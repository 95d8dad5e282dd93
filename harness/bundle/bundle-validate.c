/* SPDX-License-Identifier: MIT */
/* From a parsed YAML document to a struct gd_bundle, checking every rule of
 * doc/bundle-format.md on the way.  Each error names the key and the line. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/duplicates.h"
#include "base/fileio.h"
#include "base/strv.h"
#include "bundle/bundle-internal.h"

static const char *const top_keys[] = {
        "format", "metadata", "umockdev", "iommu_groups", "files", "unreadable", "dirs", "lspci", "findings",
};

static int check_path(struct fy_node *n, const char *what, const char *path, char **ret_error) {
        int line = gd_yaml_node_line(n);
        const char *s;

        if (path[0] != '/')
                return bundle_fail(ret_error, line, "%s: path '%s' is not absolute", what, path);
        for (s = path; *s; ) {
                const char *e;
                size_t len;

                while (*s == '/')
                        s++;
                e = strchrnul(s, '/');
                len = (size_t) (e - s);
                if (len == 2 && s[0] == '.' && s[1] == '.')
                        return bundle_fail(ret_error, line, "%s: path '%s' has a '..' component", what, path);
                if (len == 1 && s[0] == '.')
                        return bundle_fail(ret_error, line, "%s: path '%s' has a '.' component", what, path);
                s = e;
        }
        if (!gd_bundle_path_allowed(path))
                return bundle_fail(ret_error, line,
                                   "%s: path '%s' is outside the allowed roots (/sys /proc /dev /etc /boot /lib /usr)",
                                   what, path);
        return 0;
}

static int parse_metadata(struct fy_node *key, struct fy_node *n, struct gd_bundle_metadata *m, char **ret_error) {
        struct fy_node_pair *p;
        void *it = NULL;
        int r;

        r = bundle_expect(key, n, FYNT_MAPPING, "metadata", ret_error);
        if (r < 0)
                return r;
        while ((p = fy_node_mapping_iterate(n, &it))) {
                struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
                const char *name = fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : NULL;
                char **slot = NULL;

                if (streq(name, "tool"))
                        slot = &m->tool;
                else if (streq(name, "created"))
                        slot = &m->created;
                else if (streq(name, "kernel"))
                        slot = &m->kernel;
                else if (streq(name, "origin"))
                        slot = &m->origin;
                else if (streq(name, "source"))
                        slot = &m->source;
                else if (streq(name, "root"))
                        r = bundle_get_bool(k, v, "metadata: root", &m->root, ret_error);
                else if (streq(name, "redacted")) {
                        m->redacted = strv_free(m->redacted);
                        r = bundle_get_strv(k, v, "metadata: redacted", &m->redacted, ret_error);
                } else
                        return bundle_fail(ret_error, gd_yaml_node_line(k), "metadata: unknown key '%s'",
                                           name ? name : "(not a string)");
                if (slot) {
                        _cleanup_free_ char *what = NULL;

                        if (asprintf(&what, "metadata: %s", name) < 0)
                                return -ENOMEM;
                        r = bundle_get_string(k, v, what, slot, NULL, ret_error);
                }
                if (r < 0)
                        return r;
        }
        if (m->origin && !streq(m->origin, "collected") && !streq(m->origin, "imported") &&
            !streq(m->origin, "synthetic"))
                return bundle_fail(ret_error, bundle_value_line(key, fy_node_mapping_lookup_by_string(n, "origin", -1)),
                                   "metadata: origin '%s' is not one of collected, imported, synthetic", m->origin);
        return 0;
}

/* Group numbers and devices each once, in O(n log n); lines[i] is group
 * i's line. */
static int check_groups_unique(const struct gd_bundle *b, const int *lines, char **ret_error) {
        _cleanup_free_ struct dup_item *ids = calloc(b->n_groups + 1, sizeof(*ids));
        _cleanup_free_ char *id_text = NULL;
        _cleanup_free_ struct dup_item *devs = NULL;
        _cleanup_free_ size_t *owner = NULL;
        size_t n_devs = 0, a, z;

        for (size_t g = 0; g < b->n_groups; g++)
                n_devs += strv_length(b->groups[g].devices);
        devs = calloc(n_devs + 1, sizeof(*devs));
        owner = calloc(n_devs + 1, sizeof(*owner));
        id_text = calloc(b->n_groups + 1, 21);
        if (!ids || !devs || !owner || !id_text)
                return -ENOMEM;
        n_devs = 0;
        for (size_t g = 0; g < b->n_groups; g++) {
                snprintf(id_text + 21 * g, 21, "%" PRId64, b->groups[g].id);
                ids[g] = (struct dup_item) { .key = id_text + 21 * g, .index = g };
                for (size_t d = 0; b->groups[g].devices[d]; d++) {
                        owner[n_devs] = g;
                        devs[n_devs] = (struct dup_item) { .key = b->groups[g].devices[d], .index = n_devs };
                        n_devs++;
                }
        }
        if (dup_find_first(ids, b->n_groups, &a, &z))
                return bundle_fail(ret_error, lines[z], "iommu_groups: group %" PRId64 " is listed twice",
                                   b->groups[z].id);
        if (dup_find_first(devs, n_devs, &a, &z)) {
                const struct gd_bundle_group *ga = &b->groups[owner[a]], *gz = &b->groups[owner[z]];

                /* devs is sorted now: the names are the groups' own strings. */
                for (size_t i = 0; i < n_devs; i++)
                        if (devs[i].index == z)
                                return ga == gz ?
                                        bundle_fail(ret_error, lines[owner[z]],
                                                    "iommu_groups: device %s is listed twice in group %" PRId64,
                                                    devs[i].key, gz->id) :
                                        bundle_fail(ret_error, lines[owner[z]],
                                                    "iommu_groups: device %s is in groups %" PRId64 " and %" PRId64,
                                                    devs[i].key, ga->id, gz->id);
        }
        return 0;
}

static int parse_groups(struct fy_node *key, struct fy_node *n, struct gd_bundle *b, char **ret_error) {
        _cleanup_free_ int *lines = NULL;
        struct fy_node *item;
        void *it = NULL;
        size_t count;
        int r;

        r = bundle_expect(key, n, FYNT_SEQUENCE, "iommu_groups", ret_error);
        if (r < 0)
                return r;
        b->has_iommu_groups = true;
        count = (size_t) fy_node_sequence_item_count(n);
        b->groups = calloc(count + 1, sizeof(*b->groups));
        lines = calloc(count + 1, sizeof(*lines));
        if (!b->groups || !lines)
                return -ENOMEM;

        while ((item = fy_node_sequence_iterate(n, &it))) {
                struct gd_bundle_group *g = &b->groups[b->n_groups];
                struct fy_node_pair *p;
                void *pit = NULL;
                bool have_id = false, have_devices = false;

                r = bundle_expect(key, item, FYNT_MAPPING, "iommu_groups: entry", ret_error);
                if (r < 0)
                        return r;
                g->id = -1;
                lines[b->n_groups] = gd_yaml_node_line(item);
                b->n_groups++;
                while ((p = fy_node_mapping_iterate(item, &pit))) {
                        struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
                        const char *name = fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : NULL;

                        if (streq(name, "group")) {
                                r = bundle_get_int(k, v, "iommu_groups: group", &g->id, ret_error);
                                if (r >= 0 && g->id < 0)
                                        r = bundle_fail(ret_error, bundle_value_line(k, v),
                                                        "iommu_groups: group %" PRId64 " is negative", g->id);
                                have_id = true;
                        } else if (streq(name, "type"))
                                r = bundle_get_string(k, v, "iommu_groups: type", &g->type, NULL, ret_error);
                        else if (streq(name, "devices")) {
                                r = bundle_get_strv(k, v, "iommu_groups: devices", &g->devices, ret_error);
                                for (size_t i = 0; r >= 0 && g->devices[i]; i++)
                                        if (!gd_pci_address_valid(g->devices[i]))
                                                r = bundle_fail(ret_error, bundle_value_line(k, v),
                                                                "iommu_groups: device address '%s' is not of the form dddd:bb:dd.f",
                                                                g->devices[i]);
                                have_devices = true;
                        } else
                                r = bundle_fail(ret_error, gd_yaml_node_line(k), "iommu_groups: unknown key '%s'",
                                                name ? name : "(not a string)");
                        if (r < 0)
                                return r;
                }
                if (!have_id || !have_devices)
                        return bundle_fail(ret_error, gd_yaml_node_line(item), "iommu_groups: entry without '%s'",
                                           have_id ? "devices" : "group");
        }
        return check_groups_unique(b, lines, ret_error);
}

static int parse_file(struct fy_node *k, struct fy_node *v, struct gd_bundle_file *f, char **ret_error) {
        struct fy_node_pair *p;
        void *it = NULL;
        bool have_content = false;
        int r;

        f->mtime = -1;
        if (v && fy_node_get_type(v) == FYNT_SCALAR)
                return bundle_get_string(k, v, "files: content", &f->content, &f->length, ret_error);
        r = bundle_expect(k, v, FYNT_MAPPING, "files: value", ret_error);
        if (r < 0)
                return bundle_fail(ret_error, bundle_value_line(k, v),
                                   "files: value of '%s' must be a string or a mapping {content, mtime}", f->path);
        while ((p = fy_node_mapping_iterate(v, &it))) {
                struct fy_node *fk = fy_node_pair_key(p), *fv = fy_node_pair_value(p);
                const char *name = fy_node_is_scalar(fk) ? fy_node_get_scalar0(fk) : NULL;

                if (streq(name, "content")) {
                        r = bundle_get_string(fk, fv, "files: content", &f->content, &f->length, ret_error);
                        have_content = true;
                } else if (streq(name, "mtime")) {
                        r = bundle_get_int(fk, fv, "files: mtime", &f->mtime, ret_error);
                        if (r >= 0 && f->mtime < 0)
                                r = bundle_fail(ret_error, bundle_value_line(fk, fv), "files: mtime of '%s' is negative",
                                                f->path);
                } else
                        r = bundle_fail(ret_error, gd_yaml_node_line(fk), "files: unknown key '%s' for '%s'",
                                        name ? name : "(not a string)", f->path);
                if (r < 0)
                        return r;
        }
        if (!have_content)
                return bundle_fail(ret_error, gd_yaml_node_line(k), "files: '%s' has no content", f->path);
        return 0;
}

static int parse_files(struct fy_node *key, struct fy_node *n, struct gd_bundle *b, char **ret_error) {
        struct fy_node_pair *p;
        void *it = NULL;
        int r;

        r = bundle_expect(key, n, FYNT_MAPPING, "files", ret_error);
        if (r < 0)
                return r;
        b->files = calloc((size_t) fy_node_mapping_item_count(n) + 1, sizeof(*b->files));
        if (!b->files)
                return -ENOMEM;
        while ((p = fy_node_mapping_iterate(n, &it))) {
                struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
                struct gd_bundle_file *f = &b->files[b->n_files];

                r = bundle_get_string(k, k, "files: path", &f->path, NULL, ret_error);
                if (r < 0)
                        return r;
                b->n_files++;
                r = check_path(k, "files", f->path, ret_error);
                if (r < 0)
                        return r;
                r = parse_file(k, v, f, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_unreadable(struct fy_node *key, struct fy_node *n, struct gd_bundle *b, char **ret_error) {
        _cleanup_free_ struct dup_item *items = NULL;
        _cleanup_free_ int *lines = NULL;
        struct fy_node *item;
        void *it = NULL;
        size_t count, a, z;
        int r;

        b->unreadable = strv_free(b->unreadable);
        r = bundle_get_strv(key, n, "unreadable", &b->unreadable, ret_error);
        if (r < 0)
                return r;
        count = strv_length(b->unreadable);
        items = calloc(count + 1, sizeof(*items));
        lines = calloc(count + 1, sizeof(*lines));
        if (!items || !lines)
                return -ENOMEM;
        for (size_t i = 0; (item = fy_node_sequence_iterate(n, &it)); i++) {
                r = check_path(item, "unreadable", b->unreadable[i], ret_error);
                if (r < 0)
                        return r;
                items[i] = (struct dup_item) { .key = b->unreadable[i], .index = i };
                lines[i] = gd_yaml_node_line(item);
        }
        if (dup_find_first(items, count, &a, &z))
                return bundle_fail(ret_error, lines[z], "unreadable: path '%s' is listed twice", b->unreadable[z]);
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

/* dirs (format 2): directories the testbed creates, possibly empty. */
static int parse_dirs(struct fy_node *key, struct fy_node *n, struct gd_bundle *b, int version,
                      char **ret_error) {
        _cleanup_free_ char **sorted = NULL;
        struct fy_node *item;
        void *it = NULL;
        size_t count;
        int r;

        if (version < 2)
                return bundle_fail(ret_error, gd_yaml_node_line(key), "dirs: needs 'format: %s'", GD_BUNDLE_FORMAT_2);
        b->dirs = strv_free(b->dirs);
        r = bundle_get_strv(key, n, "dirs", &b->dirs, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; (item = fy_node_sequence_iterate(n, &it)); i++) {
                r = check_path(item, "dirs", b->dirs[i], ret_error);
                if (r < 0)
                        return r;
        }
        count = strv_length(b->dirs);
        sorted = calloc(count + 1, sizeof(char *));
        if (!sorted)
                return -ENOMEM;
        memcpy(sorted, b->dirs, count * sizeof(char *));
        qsort(sorted, count, sizeof(char *), cmp_str);
        for (size_t i = 1; i < count; i++)
                if (streq(sorted[i], sorted[i - 1]))
                        return bundle_fail(ret_error, gd_yaml_node_line(key), "dirs: path '%s' is listed twice",
                                           sorted[i]);
        return 0;
}

/* The umockdev text to sink->record(), a record (its lines up to the next
 * empty one) at a time, as libfyaml's pieces of the scalar come, with the
 * checks of bundle_check_record() line by line: the text is never whole in
 * memory (a 4,096-function host's is 40 MB). */
struct streaming {
        const struct gd_bundle_records *sink;
        struct record_checker *checker;
        char *line;                     /* the line being assembled */
        size_t line_len, line_cap;
        char *rec;                      /* the record being assembled */
        size_t rec_len, rec_cap;
        int first, lineno, rec_line;    /* bundle lines (0: unknown) */
        int value_line;
        size_t records;
        char **ret_error;
};

static int grow(char **buf, size_t *cap, size_t need) {
        char *nb;
        size_t ncap;

        if (need <= *cap)
                return 0;
        /* One record is kilobytes; the bundle's size caps it anyway. */
        ncap = *cap ? *cap : 4096;
        while (ncap < need)
                ncap *= 2;
        nb = realloc(*buf, ncap);
        if (!nb)
                return -ENOMEM;
        *buf = nb;
        *cap = ncap;
        return 0;
}

static int flush_record(struct streaming *st) {
        int r;

        if (st->rec_len == 0)
                return 0;
        st->rec[st->rec_len] = '\0';
        r = st->sink->record(st->rec, st->rec_len, st->rec_line, st->sink->userdata, st->ret_error);
        st->rec_len = 0;
        st->records++;
        return r;
}

static int whole_line(struct streaming *st, const char *l, size_t n) {
        int line = st->first > 0 ? st->first + st->lineno : 0, r;

        if (memchr(l, '\0', n))
                return bundle_fail(st->ret_error, st->value_line, "umockdev: text has a NUL character");
        if (st->lineno == 0 && n == 0)
                return bundle_fail(st->ret_error, st->first, "umockdev: text starts with an empty line");
        st->lineno++;
        r = record_checker_line(st->checker, l, n, line, st->ret_error);
        if (r < 0)
                return r;
        if (n == 0)
                return flush_record(st);
        if (st->rec_len == 0)
                st->rec_line = line;
        r = grow(&st->rec, &st->rec_cap, st->rec_len + n + 2);
        if (r < 0)
                return r;
        if (st->rec_len > 0)
                st->rec[st->rec_len++] = '\n';
        memcpy(st->rec + st->rec_len, l, n);
        st->rec_len += n;
        return 0;
}

static int stream_piece(const char *p, size_t len, void *userdata) {
        struct streaming *st = userdata;

        while (len > 0) {
                const char *nl = memchr(p, '\n', len);
                size_t n = nl ? (size_t) (nl - p) : len;
                int r;

                if (nl && st->line_len == 0)
                        r = whole_line(st, p, n);       /* no copy for a line in one piece */
                else {
                        r = grow(&st->line, &st->line_cap, st->line_len + n + 1);
                        if (r >= 0) {
                                memcpy(st->line + st->line_len, p, n);
                                st->line_len += n;
                                if (nl) {
                                        r = whole_line(st, st->line, st->line_len);
                                        st->line_len = 0;
                                }
                        }
                }
                if (r < 0)
                        return r;
                p += n + (nl ? 1 : 0);
                len -= n + (nl ? 1 : 0);
        }
        return 0;
}

static int stream_records(const struct gd_bundle_records *sink, struct fy_node *k, struct fy_node *v,
                          struct gd_bundle *b, char **ret_error) {
        struct streaming st = { .sink = sink, .ret_error = ret_error, .value_line = bundle_value_line(k, v) };
        int r;

        if (v && fy_node_is_alias(v))
                return bundle_fail(ret_error, st.value_line, "umockdev: aliases are not allowed");
        if (!v || fy_node_get_type(v) != FYNT_SCALAR || bundle_is_null(v))
                return bundle_fail(ret_error, st.value_line, "umockdev: expected a string, got %s",
                                   bundle_type_name(v));
        /* A literal block's token starts at its first text line. */
        if (fy_node_get_style(v) == FYNS_LITERAL)
                st.first = gd_yaml_node_line(v);
        b->umockdev_line = st.first;
        b->umockdev_streamed = true;
        st.checker = record_checker_new();
        if (!st.checker)
                return -ENOMEM;
        r = bundle_scalar_pieces(v, stream_piece, &st);
        /* The last line need not end in a newline. */
        if (r >= 0 && st.line_len > 0)
                r = whole_line(&st, st.line, st.line_len);
        if (r >= 0)
                r = record_checker_end(st.checker, st.first > 0 ? st.first + st.lineno - 1 : 0, ret_error);
        if (r >= 0)
                r = flush_record(&st);
        b->umockdev_records = st.records;
        record_checker_free(st.checker);
        free(st.line);
        free(st.rec);
        return r;
}

static int parse_top(const struct gd_bundle_records *sink, struct fy_node *k, struct fy_node *v, const char *name,
                     struct gd_bundle *b, int *version,
                     char **ret_error) {
        if (streq(name, "format")) {
                _cleanup_free_ char *f = NULL;
                int r = bundle_get_string(k, v, "format", &f, NULL, ret_error);

                if (r < 0)
                        return r;
                if (streq(f, GD_BUNDLE_FORMAT))
                        *version = 1;
                else if (streq(f, GD_BUNDLE_FORMAT_2))
                        *version = 2;
                else
                        return bundle_fail(ret_error, bundle_value_line(k, v), "format: '%s' is not '%s' or '%s'", f,
                                           GD_BUNDLE_FORMAT, GD_BUNDLE_FORMAT_2);
                return 0;
        }
        if (streq(name, "dirs"))
                return parse_dirs(k, v, b, *version, ret_error);
        if (streq(name, "metadata"))
                return parse_metadata(k, v, &b->metadata, ret_error);
        if (streq(name, "umockdev")) {
                size_t len;
                int r, first = 0;

                if (sink)
                        return stream_records(sink, k, v, b, ret_error);
                r = bundle_get_string(k, v, "umockdev", &b->umockdev, &len, ret_error);
                if (r < 0)
                        return r;
                if (strlen(b->umockdev) != len)
                        return bundle_fail(ret_error, bundle_value_line(k, v), "umockdev: text has a NUL character");
                /* A literal block's token starts at its first text line. */
                if (fy_node_get_style(v) == FYNS_LITERAL)
                        first = gd_yaml_node_line(v);
                b->umockdev_line = first;
                return bundle_check_record(b->umockdev, len, first, ret_error);
        }
        if (streq(name, "iommu_groups"))
                return parse_groups(k, v, b, ret_error);
        if (streq(name, "files"))
                return parse_files(k, v, b, ret_error);
        if (streq(name, "unreadable"))
                return parse_unreadable(k, v, b, ret_error);
        if (streq(name, "lspci"))
                return bundle_get_string(k, v, "lspci", &b->lspci, NULL, ret_error);
        if (streq(name, "findings"))
                /* For people; its content is not interpreted. */
                return bundle_expect(k, v, FYNT_SEQUENCE, "findings", ret_error);
        return -EINVAL;
}

/* No path both in files and in unreadable. */
static int check_files_readable(const struct gd_bundle *b, char **ret_error) {
        size_t n_unreadable = strv_length(b->unreadable), n = b->n_files + n_unreadable, a, z;
        _cleanup_free_ struct dup_item *items = calloc(n + 1, sizeof(*items));

        if (!items)
                return -ENOMEM;
        /* Files first: a repeat's second item is then the unreadable one. */
        for (size_t i = 0; i < b->n_files; i++)
                items[i] = (struct dup_item) { .key = b->files[i].path, .index = i };
        for (size_t i = 0; i < n_unreadable; i++)
                items[b->n_files + i] = (struct dup_item) { .key = b->unreadable[i], .index = b->n_files + i };
        if (dup_find_first(items, n, &a, &z))
                return bundle_fail(ret_error, 0, "unreadable: path '%s' is also in files", b->unreadable[z - b->n_files]);
        return 0;
}

int bundle_from_document(struct fy_document *doc, struct gd_bundle **ret, char **ret_error) {
        return bundle_from_document_records(doc, NULL, ret, ret_error);
}

int bundle_from_document_records(struct fy_document *doc, const struct gd_bundle_records *sink,
                                 struct gd_bundle **ret, char **ret_error) {
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        struct fy_node *root = fy_document_root(doc);
        struct fy_node_pair *p;
        void *it = NULL;
        bool have_format = false;
        int version = 0, r;

        if (!root || fy_node_get_type(root) != FYNT_MAPPING)
                return bundle_fail(ret_error, gd_yaml_node_line(root),
                                   "the document is %s, not a mapping with 'format: %s'",
                                   root ? bundle_type_name(root) : "empty", GD_BUNDLE_FORMAT);

        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        if (bundle_new_strv(&b->metadata.redacted) < 0 || bundle_new_strv(&b->unreadable) < 0 ||
            bundle_new_strv(&b->dirs) < 0)
                return -ENOMEM;

        /* The format first: a bundle of another version fails on that. */
        while ((p = fy_node_mapping_iterate(root, &it))) {
                struct fy_node *k = fy_node_pair_key(p);

                if (k && fy_node_is_scalar(k) && streq(fy_node_get_scalar0(k), "format")) {
                        r = parse_top(sink, k, fy_node_pair_value(p), "format", b, &version, ret_error);
                        if (r < 0)
                                return r;
                        have_format = true;
                }
        }
        if (!have_format)
                return bundle_fail(ret_error, 0, "format: missing; a bundle starts with 'format: %s'",
                                   GD_BUNDLE_FORMAT);

        it = NULL;
        while ((p = fy_node_mapping_iterate(root, &it))) {
                struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
                const char *name = k && fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : NULL;
                bool known = false;

                for (size_t i = 0; name && i < ELEMENTSOF(top_keys); i++)
                        known = known || streq(name, top_keys[i]);
                if (!known)
                        return bundle_fail(ret_error, gd_yaml_node_line(k), "unknown top-level key '%s'",
                                           name ? name : "(not a string)");
                if (streq(name, "format"))
                        continue;
                r = parse_top(sink, k, v, name, b, &version, ret_error);
                if (r < 0)
                        return r;
        }

        r = check_files_readable(b, ret_error);
        if (r < 0)
                return r;
        /* Without it the replayed host has no /sys/bus/pci/devices, and the
         * reader could not read it at all. */
        if ((!b->umockdev || !*b->umockdev) && b->umockdev_records == 0)
                return bundle_fail(ret_error, 0, "umockdev: %s; a bundle records the host's PCI devices as "
                                   "umockdev-record text", b->umockdev || b->umockdev_streamed ? "empty" : "missing");

        *ret = TAKE_PTR(b);
        return 0;
}
