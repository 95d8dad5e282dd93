/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#include "base/macro.h"
#include "emit.h"

struct gd_emit {
        struct fy_emitter *fye;
        FILE *out;
        enum gd_emit_mode mode;
        bool failed;
};

static int output(struct fy_emitter *fye, enum fy_emitter_write_type type, const char *str, int len, void *userdata) {
        struct gd_emit *e = userdata;
        (void) fye;
        (void) type;
        if (len > 0 && fwrite(str, 1, (size_t) len, e->out) != (size_t) len)
                e->failed = true;
        return len;
}

static void ev(struct gd_emit *e, struct fy_event *fyev) {
        if (!fyev || fy_emit_event(e->fye, fyev) != 0)
                e->failed = true;
}

struct gd_emit *gd_emit_new(FILE *out, enum gd_emit_mode mode) {
        struct gd_emit *e = calloc(1, sizeof(*e));
        struct fy_emitter_cfg cfg = { 0 };

        if (!e)
                return NULL;
        e->out = out;
        e->mode = mode;
        cfg.flags = FYECF_WIDTH_INF | FYECF_INDENT_2 |
                    (mode == GD_EMIT_JSON ? FYECF_MODE_JSON : FYECF_MODE_BLOCK);
        cfg.output = output;
        cfg.userdata = e;
        e->fye = fy_emitter_create(&cfg);
        if (!e->fye) {
                free(e);
                return NULL;
        }
        ev(e, fy_emit_event_create(e->fye, FYET_STREAM_START));
        ev(e, fy_emit_event_create(e->fye, FYET_DOCUMENT_START, mode == GD_EMIT_JSON, NULL, NULL));
        return e;
}

int gd_emit_finish(struct gd_emit *e) {
        ev(e, fy_emit_event_create(e->fye, FYET_DOCUMENT_END, true));
        ev(e, fy_emit_event_create(e->fye, FYET_STREAM_END));
        if (fflush(e->out) != 0)
                e->failed = true;
        return e->failed ? -EIO : 0;
}

void gd_emit_free(struct gd_emit *e) {
        if (!e)
                return;
        fy_emitter_destroy(e->fye);
        free(e);
}

void gd_emit_map_begin(struct gd_emit *e) {
        ev(e, fy_emit_event_create(e->fye, FYET_MAPPING_START, FYNS_ANY, NULL, NULL));
}
void gd_emit_map_end(struct gd_emit *e) {
        ev(e, fy_emit_event_create(e->fye, FYET_MAPPING_END));
}
void gd_emit_seq_begin(struct gd_emit *e) {
        ev(e, fy_emit_event_create(e->fye, FYET_SEQUENCE_START, FYNS_ANY, NULL, NULL));
}
void gd_emit_flow_seq_begin(struct gd_emit *e) {
        ev(e, fy_emit_event_create(e->fye, FYET_SEQUENCE_START,
                                   e->mode == GD_EMIT_YAML ? FYNS_FLOW : FYNS_ANY, NULL, NULL));
}
void gd_emit_seq_end(struct gd_emit *e) {
        ev(e, fy_emit_event_create(e->fye, FYET_SEQUENCE_END));
}

static void scalar(struct gd_emit *e, enum fy_scalar_style st, const char *s, size_t len) {
        ev(e, fy_emit_event_create(e->fye, FYET_SCALAR, st, s, len, NULL, NULL));
}

void gd_emit_strn(struct gd_emit *e, const char *s, size_t len) {
        if (!s) {
                gd_emit_null(e);
                return;
        }
        scalar(e, FYSS_DOUBLE_QUOTED, s, len);
}

void gd_emit_str(struct gd_emit *e, const char *s) {
        gd_emit_strn(e, s, s ? strlen(s) : 0);
}

void gd_emit_text(struct gd_emit *e, const char *s, size_t len) {
        /* A literal block keeps logs readable and diffable; it cannot hold
         * trailing spaces on a line, tabs at line start or control bytes
         * faithfully, so those fall back to a double-quoted scalar. */
        bool literal = e->mode == GD_EMIT_YAML && s && len > 0 && memchr(s, '\n', len);

        for (size_t i = 0; literal && i < len; i++) {
                unsigned char c = (unsigned char) s[i];
                if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ||
                    (c == ' ' && (i + 1 == len || s[i + 1] == '\n')) ||
                    (c == '\t' && (i == 0 || s[i - 1] == '\n')))
                        literal = false;
                if (c == '\n' && i + 1 < len && s[i + 1] == '\n')
                        literal = false;
        }
        if (literal && (s[0] == ' ' || s[len - 1] != '\n'))
                literal = false;
        if (!literal) {
                gd_emit_strn(e, s, len);
                return;
        }
        scalar(e, FYSS_LITERAL, s, len);
}

void gd_emit_int(struct gd_emit *e, long long v) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%lld", v);
        scalar(e, FYSS_PLAIN, buf, (size_t) n);
}

void gd_emit_bool(struct gd_emit *e, bool v) {
        scalar(e, FYSS_PLAIN, v ? "true" : "false", FY_NT);
}

void gd_emit_null(struct gd_emit *e) {
        scalar(e, FYSS_PLAIN, "null", FY_NT);
}

void gd_emit_key(struct gd_emit *e, const char *key) {
        scalar(e, e->mode == GD_EMIT_JSON ? FYSS_DOUBLE_QUOTED : FYSS_PLAIN, key, FY_NT);
}

void gd_emit_kv_str(struct gd_emit *e, const char *key, const char *value) {
        gd_emit_key(e, key);
        gd_emit_str(e, value);
}

void gd_emit_kv_int(struct gd_emit *e, const char *key, long long value) {
        gd_emit_key(e, key);
        gd_emit_int(e, value);
}

void gd_emit_kv_bool(struct gd_emit *e, const char *key, bool value) {
        gd_emit_key(e, key);
        gd_emit_bool(e, value);
}

void gd_emit_kv_hex4(struct gd_emit *e, const char *key, unsigned value) {
        char buf[8];
        snprintf(buf, sizeof(buf), "%04x", value & 0xffff);
        gd_emit_kv_str(e, key, buf);
}
