/* SPDX-License-Identifier: MIT */
/* Redaction with stable placeholders (see redact.h): the context, and the
 * pass that tries the kinds of redact-kinds.c, in order, at every position
 * of a text; the first that matches replaces what it matched. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/redact-internal.h"

static const char *const no_kinds[] = { NULL };

int gd_redact_new(bool enabled, struct gd_redact **ret) {
        struct gd_redact *r = calloc(1, sizeof(*r));

        if (!r)
                return -ENOMEM;
        r->enabled = enabled;
        for (int i = 0; i < _NAMES_MAX; i++)
                if (!(r->names[i] = strindex_new(true)))
                        return gd_redact_free(r), -ENOMEM;
        for (int i = 0; i < _MAP_MAX; i++)
                if (!(r->maps[i] = strindex_new(true)))
                        return gd_redact_free(r), -ENOMEM;
        *ret = r;
        return 0;
}

struct gd_redact *gd_redact_free(struct gd_redact *r) {
        if (!r)
                return NULL;
        for (int i = 0; i < _NAMES_MAX; i++)
                strindex_free(r->names[i]);
        for (int i = 0; i < _MAP_MAX; i++)
                strindex_free(r->maps[i]);
        free(r);
        return NULL;
}

bool gd_redact_enabled(const struct gd_redact *r) {
        return r && r->enabled;
}

const char *const *gd_redact_kinds(const struct gd_redact *r) {
        static const char *names[32];

        if (!gd_redact_enabled(r))
                return no_kinds;
        if (!names[0])
                for (size_t i = 0; i < redact_n_kinds && i + 1 < ELEMENTSOF(names); i++)
                        names[i] = redact_kinds[i].name;
        return names;
}

size_t redact_index(struct gd_redact *r, enum redact_map m, const char *s, size_t len) {
        size_t n = strindex_put(r->maps[m], s, len);

        /* A secret left in place for want of memory would be a leak. */
        if (n == 0)
                r->oom = true;
        return n;
}

/* ---- the output buffer -------------------------------------------------- */

void redact_put(struct redact_out *o, const char *s, size_t n) {
        if (o->failed)
                return;
        if (o->len + n + 1 > o->cap) {
                size_t cap = o->cap ? o->cap : 256;
                char *nb;

                while (o->len + n + 1 > cap)
                        cap *= 2;
                nb = realloc(o->buf, cap);
                if (!nb) {
                        o->failed = true;
                        return;
                }
                o->buf = nb;
                o->cap = cap;
        }
        memcpy(o->buf + o->len, s, n);
        o->len += n;
        o->buf[o->len] = '\0';
}

void redact_putf(struct redact_out *o, const char *fmt, ...) {
        char buf[96];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n > 0)
                redact_put(o, buf, (size_t) n < sizeof(buf) ? (size_t) n : sizeof(buf) - 1);
}

/* ---- the pass ----------------------------------------------------------- */

int gd_redact_text(struct gd_redact *r, const char *text, size_t len, bool keep_hostname, char **ret,
                   size_t *ret_len) {
        struct redact_out o = {}, hit = {};
        struct redact_at at = { .r = r, .text = text, .end = text + len, .keep_hostname = keep_hostname };
        const char *copied = text;

        redact_put(&o, "", 0);
        for (at.s = text; gd_redact_enabled(r) && at.s < at.end && !o.failed; ) {
                bool in_word = at.s > text && isalnum((unsigned char) at.s[-1]);
                size_t n = 0;

                for (size_t k = 0; k < redact_n_kinds && n == 0; k++) {
                        if (!redact_kinds[k].rewrite || (in_word && redact_kinds[k].after_word_only))
                                continue;
                        hit.len = 0;
                        hit.failed = false;
                        n = redact_kinds[k].rewrite(&at, &hit);
                        if (hit.failed) {
                                o.failed = true;
                                break;
                        }
                }
                if (n == 0) {
                        at.s++;
                        continue;
                }
                redact_put(&o, copied, (size_t) (at.s - copied));
                redact_put(&o, hit.buf ? hit.buf : "", hit.len);
                at.s += n;
                copied = at.s;
        }
        redact_put(&o, copied, (size_t) (at.end - copied));
        free(hit.buf);
        if (o.failed || (r && r->oom)) {
                free(o.buf);
                return -ENOMEM;
        }
        if (ret_len)
                *ret_len = o.len;
        *ret = o.buf;
        return 0;
}

/* ---- configuration space ------------------------------------------------ */

static unsigned redact_dsn(uint8_t *cfg, size_t len) {
        size_t off = 0x100;

        /* At most 4096 / 4 capabilities: a looping list ends here too. */
        for (int guard = 0; guard < 1024 && off >= 0x100 && off + 4 <= len; guard++) {
                uint32_t hdr = cfg[off] | cfg[off + 1] << 8 | cfg[off + 2] << 16 | (uint32_t) cfg[off + 3] << 24;

                if (hdr == 0 || hdr == 0xffffffffu)
                        return 0;
                if ((hdr & 0xffff) == 0x0003 && off + 12 <= len) {
                        memset(cfg + off + 4, 0, 8);
                        return 1;
                }
                off = (hdr >> 20) & 0xffc;
        }
        return 0;
}

static bool vpd_keyword_char(uint8_t c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A VPD-R section (large resource tag 0x90, 16-bit length) whose keywords
 * all parse; the data of its "SN" keyword becomes '0's. */
static unsigned redact_vpd(uint8_t *cfg, size_t len) {
        unsigned done = 0;

        for (size_t i = 0x40; i + 3 < len; i++) {
                size_t sect, j, stop;
                bool sane = true, has_sn = false;

                if (cfg[i] != 0x90)
                        continue;
                sect = (size_t) cfg[i + 1] | (size_t) cfg[i + 2] << 8;
                stop = i + 3 + sect;
                if (sect < 3 || stop > len)
                        continue;
                for (j = i + 3; j + 3 <= stop; j += 3 + cfg[j + 2]) {
                        if (!vpd_keyword_char(cfg[j]) || !vpd_keyword_char(cfg[j + 1]) || j + 3 + cfg[j + 2] > stop) {
                                sane = false;
                                break;
                        }
                        has_sn |= cfg[j] == 'S' && cfg[j + 1] == 'N';
                }
                if (!sane || !has_sn)
                        continue;
                for (j = i + 3; j + 3 <= stop; j += 3 + cfg[j + 2])
                        if (cfg[j] == 'S' && cfg[j + 1] == 'N') {
                                memset(cfg + j + 3, '0', cfg[j + 2]);
                                done++;
                        }
                i = stop - 1;
        }
        return done;
}

unsigned gd_redact_config_space(struct gd_redact *r, uint8_t *cfg, size_t len) {
        if (!gd_redact_enabled(r) || !cfg)
                return 0;
        return redact_dsn(cfg, len) + redact_vpd(cfg, len);
}
