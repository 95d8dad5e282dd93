/* SPDX-License-Identifier: MIT */
/* Reading a bundle file: size cap, gzip, YAML parsing.  The checks of the
 * document's content are in bundle-validate.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <libfyaml.h>

#include "base/input-file.h"
#include "bundle/bundle-internal.h"

int bundle_fail(char **ret_error, int line, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        if (!ret_error)
                return -EINVAL;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;

        free(*ret_error);
        *ret_error = NULL;
        if (line > 0) {
                if (asprintf(ret_error, "line %d: %s", line, msg) < 0) {
                        *ret_error = NULL;
                        return -ENOMEM;
                }
        } else
                *ret_error = TAKE_PTR(msg);
        return -EINVAL;
}

static int map_whole_file(const char *path, const char **ret, size_t *ret_size, char **ret_error) {
        int r = input_map_regular(path, GD_BUNDLE_MAX, ret, ret_size);

        if (r == -EINVAL || r == -EISDIR) {
                const char *kind = input_file_kind(path);
                bundle_fail(ret_error, 0, "%s, not a regular file: a bundle is read from a file",
                            kind ? kind : "not a regular file");
        } else if (r == -EFBIG)
                bundle_fail(ret_error, 0, "file too large (more than %u bytes)", GD_BUNDLE_MAX);
        return r;
}

static bool is_gzip(const void *data, size_t size) {
        const unsigned char *d = data;
        return size >= 2 && d[0] == 0x1f && d[1] == 0x8b;
}

static void inflate_endp(z_stream **z) {
        if (*z)
                inflateEnd(*z);
}

/* Decompresses gzip data, all members, into a NUL-terminated buffer. */
static int gunzip(const void *data, size_t size, char **ret, size_t *ret_size, char **ret_error) {
        z_stream zs = {};
        _cleanup_(inflate_endp) z_stream *z = NULL;
        _cleanup_free_ char *out = NULL;
        size_t cap = size * 4 + 4096, len = 0, max = GD_BUNDLE_MAX;
        int r;

        if (size > UINT_MAX)
                return bundle_fail(ret_error, 0, "gzip data too large");
        if ((uint64_t) size * GD_BUNDLE_GZIP_RATIO < max)
                max = (size_t) size * GD_BUNDLE_GZIP_RATIO;
        if (max < GD_BUNDLE_GZIP_FREE)
                max = GD_BUNDLE_GZIP_FREE;
        if (cap > max)
                cap = max;
        out = malloc(cap + 1);
        if (!out)
                return -ENOMEM;

        if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
                return -ENOMEM;
        z = &zs;
        zs.next_in = (Bytef *) data;
        zs.avail_in = (uInt) size;

        for (;;) {
                if (len == cap) {
                        char *nb;

                        if (cap >= max) {
                                if (max == GD_BUNDLE_MAX)
                                        bundle_fail(ret_error, 0, "decompressed data too large (more than %u bytes)",
                                                    GD_BUNDLE_MAX);
                                else
                                        bundle_fail(ret_error, 0, "%zu bytes of gzip data unpack to more than %zu "
                                                    "(at most %u MiB, or %u times the compressed size): refused "
                                                    "as a gzip bomb", size, max, GD_BUNDLE_GZIP_FREE >> 20,
                                                    GD_BUNDLE_GZIP_RATIO);
                                return -EFBIG;
                        }
                        cap = cap * 2 > max ? max : cap * 2;
                        nb = realloc(out, cap + 1);
                        if (!nb)
                                return -ENOMEM;
                        out = nb;
                }
                zs.next_out = (Bytef *) out + len;
                zs.avail_out = (uInt) (cap - len);
                r = inflate(&zs, Z_NO_FLUSH);
                len = cap - zs.avail_out;

                if (r == Z_STREAM_END) {
                        /* Another member (as `cat a.gz b.gz` makes)? */
                        if (zs.avail_in == 0)
                                break;
                        if (!is_gzip(zs.next_in, zs.avail_in))
                                return bundle_fail(ret_error, 0, "trailing garbage after gzip data");
                        if (inflateReset(&zs) != Z_OK)
                                return -ENOMEM;
                        continue;
                }
                if (r == Z_BUF_ERROR || (r == Z_OK && zs.avail_in == 0 && zs.avail_out > 0))
                        return bundle_fail(ret_error, 0, "truncated gzip data");
                if (r == Z_MEM_ERROR)
                        return -ENOMEM;
                if (r != Z_OK)
                        return bundle_fail(ret_error, 0, "corrupt gzip data: %s",
                                           zs.msg ? zs.msg : "inflate failed");
        }

        out[len] = '\0';
        *ret = TAKE_PTR(out);
        *ret_size = len;
        return 0;
}

static void gd_yaml_clearp(struct gd_yaml *y) {
        gd_yaml_clear(y);
}

static int parse_yaml(const char *text, size_t len, bool mapped, const struct gd_yaml_counted *counted,
                      const struct gd_bundle_records *sink, struct gd_bundle **ret, char **ret_error) {
        _cleanup_(gd_yaml_clearp) struct gd_yaml y = { 0 };
        _cleanup_free_ char *msg = NULL;
        enum gd_yaml_problem problem;
        int line, r;

        r = counted ? gd_yaml_load_counted(&y, text, len, counted, &problem, &line, &msg) :
                      gd_yaml_load_mapped(&y, text, len, mapped, &problem, &line, &msg);
        if (r == -EINVAL)
                switch (problem) {
                case GD_YAML_NOT_UTF8:
                        return bundle_fail(ret_error, line, "not UTF-8 text (%s)", msg ? msg : "?");
                case GD_YAML_EMPTY:
                        return bundle_fail(ret_error, 0, "empty document: no YAML content");
                case GD_YAML_EXTRA_DOC:
                        return bundle_fail(ret_error, line, "more than one YAML document; a bundle is one document");
                case GD_YAML_TOO_MANY_NODES:
                case GD_YAML_TOO_DEEP:
                        r = bundle_fail(ret_error, line, "refused before parsing: %s", msg ? msg : "too large");
                        return r == -ENOMEM ? r : -E2BIG;
                default:
                        return bundle_fail(ret_error, line, "not valid YAML: %s", msg ? msg : "parse error");
                }
        if (r < 0)
                return r;
        /* The document holds the scalars as places in the text: what the
         * parse made resident goes back, and the copies made of it take
         * their pages a piece at a time (bundle-yaml.c). */
        if (mapped)
                bundle_input_release(text, len, text + len);
        bundle_input_set(mapped ? text : NULL, mapped ? len : 0);
        r = bundle_from_document_records(y.doc, sink, ret, ret_error);
        bundle_input_set(NULL, 0);
        return r;
}

static int load_data(const void *data, size_t size, bool mapped, const struct gd_yaml_counted *counted,
                     const struct gd_bundle_records *sink, struct gd_bundle **ret, char **ret_error) {
        _cleanup_free_ char *plain = NULL;
        const char *text = data;
        const char *nul;
        size_t len = size;
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (size > GD_BUNDLE_MAX) {
                bundle_fail(ret_error, 0, "file too large (more than %u bytes)", GD_BUNDLE_MAX);
                return -EFBIG;
        }

        if (is_gzip(data, size)) {
                r = gunzip(data, size, &plain, &len, ret_error);
                if (r < 0)
                        return r;
                text = plain;
                mapped = false;
                counted = NULL;         /* counted as written, not as packed */
        }

        nul = memchr(text, '\0', len);
        if (nul) {
                int line = 1;

                for (const char *p = text; p < nul; p++)
                        line += *p == '\n';
                return bundle_fail(ret_error, line, "binary data (a NUL byte at offset %zu), not a YAML bundle",
                                   (size_t) (nul - text));
        }
        if (mapped)
                bundle_input_release(text, len, text + len);

        return parse_yaml(text, len, mapped, counted, sink, ret, ret_error);
}

int gd_bundle_load_data(const void *data, size_t size, struct gd_bundle **ret, char **ret_error) {
        return load_data(data, size, false, NULL, NULL, ret, ret_error);
}

int gd_bundle_load_written(const char *text, size_t len, size_t nodes, unsigned depth, struct gd_bundle **ret,
                           char **ret_error) {
        const struct gd_yaml_counted counted = { .nodes = nodes, .depth = depth };

        return load_data(text, len, false, &counted, NULL, ret, ret_error);
}

/* The file is mapped, not read: its pages are resident only while the
 * parser or a copy reads them (a 51 MB bundle took 51 MB for the whole
 * load, beside the 50 MB made of it). */
int gd_bundle_load_records(const char *path, const struct gd_bundle_records *sink, struct gd_bundle **ret,
                           char **ret_error) {
        const char *data = NULL;
        size_t size = 0;
        int r;

        if (ret_error)
                *ret_error = NULL;
        r = map_whole_file(path, &data, &size, ret_error);
        if (r < 0)
                return r;
        r = load_data(data, size, true, NULL, sink, ret, ret_error);
        input_unmap(data, size);
        return r;
}

int gd_bundle_load(const char *path, struct gd_bundle **ret, char **ret_error) {
        return gd_bundle_load_records(path, NULL, ret, ret_error);
}
