/* SPDX-License-Identifier: MIT */
/* Redaction with stable placeholders (see redact.h).  Matching is a single
 * left-to-right pass over the text; at each position the matchers are tried
 * in a fixed order and the first that matches a whole token replaces it. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strv.h"
#include "bundle/redact.h"

enum map_kind {
        MAP_MAC,
        MAP_IPV4,
        MAP_IPV6,
        MAP_UUID,
        MAP_SHORT_UUID,
        MAP_USER,
        _MAP_MAX,
};

struct gd_redact {
        bool enabled;
        char *host_full;        /* gethostname(), when it has a '.' */
        char *host_short;       /* up to the first '.' */
        char **seen[_MAP_MAX];  /* originals; placeholder N is index + 1 */
};

static const char *const all_kinds[] = {
        "dsn", "vpd", "dmi-serial", "mac", "hostname", "ip", "uuid", "user", NULL,
};
static const char *const no_kinds[] = { NULL };

int gd_redact_set_hostname(struct gd_redact *r, const char *hostname) {
        const char *dot;

        r->host_full = mfree_str(r->host_full);
        r->host_short = mfree_str(r->host_short);
        /* Names that identify nobody, or too short to match safely. */
        if (!hostname || strlen(hostname) < 2 || streq(hostname, "localhost") ||
            startswith(hostname, "localhost.") || streq(hostname, "(none)"))
                return 0;
        dot = strchr(hostname, '.');
        if (dot && dot - hostname >= 2) {
                r->host_full = strdup(hostname);
                r->host_short = strndup(hostname, (size_t) (dot - hostname));
        } else if (!dot)
                r->host_short = strdup(hostname);
        else
                r->host_full = strdup(hostname);
        if ((dot && !r->host_full) || (!dot && !r->host_short))
                return -ENOMEM;
        return 0;
}

int gd_redact_new(bool enabled, struct gd_redact **ret) {
        struct gd_redact *r = calloc(1, sizeof(*r));
        char host[256] = "";

        if (!r)
                return -ENOMEM;
        r->enabled = enabled;
        if (enabled && gethostname(host, sizeof(host) - 1) == 0 && gd_redact_set_hostname(r, host) < 0) {
                gd_redact_free(r);
                return -ENOMEM;
        }
        *ret = r;
        return 0;
}

struct gd_redact *gd_redact_free(struct gd_redact *r) {
        if (!r)
                return NULL;
        free(r->host_full);
        free(r->host_short);
        for (int i = 0; i < _MAP_MAX; i++)
                strv_free(r->seen[i]);
        free(r);
        return NULL;
}

bool gd_redact_enabled(const struct gd_redact *r) {
        return r && r->enabled;
}

const char *const *gd_redact_kinds(const struct gd_redact *r) {
        return gd_redact_enabled(r) ? all_kinds : no_kinds;
}

/* The 1-based number of an original value, added when new; 0 on ENOMEM.
 * Case-insensitive: hex values and host names are written both ways. */
static size_t placeholder_index(struct gd_redact *r, enum map_kind k, const char *s, size_t len) {
        size_t n = 0;

        for (char **i = r->seen[k]; i && *i; i++, n++)
                if (strlen(*i) == len && strncasecmp(*i, s, len) == 0)
                        return n + 1;
        if (strv_consume(&r->seen[k], strndup(s, len)) < 0)
                return 0;
        return n + 1;
}

/* ---- the output buffer -------------------------------------------------- */

struct out {
        char *buf;
        size_t len, cap;
        bool failed;
};

static void out_put(struct out *o, const char *s, size_t n) {
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

/* ---- matchers: each returns the token length at s (0: no match) --------- */

static bool is_hex(char c) { return isxdigit((unsigned char) c); }
static bool is_alnum(char c) { return isalnum((unsigned char) c); }

static size_t hex_run(const char *s, const char *end, size_t want) {
        size_t i = 0;
        while (s + i < end && i < want && is_hex(s[i]))
                i++;
        return i;
}

/* 8-4-4-4-12 hex */
static size_t match_uuid(const char *s, const char *end) {
        static const size_t groups[] = { 8, 4, 4, 4, 12 };
        const char *p = s;

        for (size_t g = 0; g < ELEMENTSOF(groups); g++) {
                if (hex_run(p, end, groups[g]) != groups[g])
                        return 0;
                p += groups[g];
                if (g < 4) {
                        if (p >= end || *p != '-')
                                return 0;
                        p++;
                }
        }
        if (p < end && (is_alnum(*p) || *p == '-'))
                return 0;
        return (size_t) (p - s);
}

/* XXXX-XXXX, a FAT volume serial: after "UUID=", or alone on a line (as in
 * /etc/kernel/proxmox-boot-uuids). */
static size_t match_short_uuid(const char *text, const char *s, const char *end) {
        const char *p = s + 9;
        bool after_uuid, own_line;

        /* Bounds first: p is past the end for the last 8 bytes of a text
         * (an over-read that a 4 KiB read buffer used to hide). */
        if (end - s < 9 || hex_run(s, end, 4) != 4 || s[4] != '-' || hex_run(s + 5, end, 4) != 4)
                return 0;
        after_uuid = s - text >= 5 && strncasecmp(s - 5, "UUID=", 5) == 0;
        own_line = (s == text || s[-1] == '\n') && (p == end || *p == '\n');
        if (p < end && (is_alnum(*p) || *p == '-'))
                return 0;
        return after_uuid || own_line ? 9 : 0;
}

/* xx:xx:xx:xx:xx:xx */
static size_t match_mac(const char *s, const char *end) {
        const char *p = s;

        for (int g = 0; g < 6; g++) {
                if (hex_run(p, end, 2) != 2)
                        return 0;
                p += 2;
                if (g < 5) {
                        if (p >= end || *p != ':')
                                return 0;
                        p++;
                }
        }
        if (p < end && (is_hex(*p) || *p == ':'))
                return 0;
        return 17;
}

static size_t match_ipv4(const char *s, const char *end, struct in_addr *ret) {
        char buf[16];
        const char *p = s;
        size_t n;

        while (p < end && (isdigit((unsigned char) *p) || *p == '.') && p - s < 16)
                p++;
        n = (size_t) (p - s);
        /* "1.2.3.4." at a sentence end is fine; "1.2.3.4.5" is no address. */
        if (n > 0 && s[n - 1] == '.')
                n--;
        if (n < 7 || n > 15 || (p < end && is_alnum(*p)))
                return 0;
        if (s + n < end && s[n] == '.' && s + n + 1 < end && isdigit((unsigned char) s[n + 1]))
                return 0;
        memcpy(buf, s, n);
        buf[n] = '\0';
        return inet_pton(AF_INET, buf, ret) == 1 ? n : 0;
}

static size_t match_ipv6(const char *s, const char *end, struct in6_addr *ret) {
        char buf[INET6_ADDRSTRLEN + 1];
        const char *p = s;
        size_t n;

        while (p < end && (is_hex(*p) || *p == ':' || *p == '.') && p - s <= INET6_ADDRSTRLEN)
                p++;
        n = (size_t) (p - s);
        while (n > 0 && s[n - 1] == '.')
                n--;
        if (n < 3 || n > INET6_ADDRSTRLEN || !memchr(s, ':', n) || (s + n < end && is_alnum(s[n])))
                return 0;
        memcpy(buf, s, n);
        buf[n] = '\0';
        return inet_pton(AF_INET6, buf, ret) == 1 ? n : 0;
}

static bool host_char(char c) {
        return is_alnum(c) || c == '-' || c == '_';
}

static size_t match_host(const char *name, const char *s, const char *end) {
        size_t n = name ? strlen(name) : 0;

        if (n == 0 || (size_t) (end - s) < n || memcmp(s, name, n) != 0)
                return 0;
        if (s + n < end && host_char(s[n]))
                return 0;
        return n;
}

/* ---- the pass ----------------------------------------------------------- */

static bool starts_token(const char *text, const char *s, const char *extra) {
        return s == text || !(is_alnum(s[-1]) || strchr(extra, s[-1]));
}

_printf_(2, 3) static void put_fmt(struct out *o, const char *fmt, ...) {
        char buf[64];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n > 0)
                out_put(o, buf, (size_t) n < sizeof(buf) ? (size_t) n : sizeof(buf) - 1);
}

/* 192.0.2.1-254, then 198.51.100.x and 203.0.113.x (RFC 5737). */
static void put_ipv4(struct out *o, size_t idx) {
        static const char *const nets[] = { "192.0.2", "198.51.100", "203.0.113" };
        char buf[32];
        size_t net = (idx - 1) / 254 % ELEMENTSOF(nets);
        int n = snprintf(buf, sizeof(buf), "%s.%zu", nets[net], (idx - 1) % 254 + 1);
        out_put(o, buf, (size_t) n);
}

int gd_redact_text(struct gd_redact *r, const char *text, size_t len, bool keep_hostname, char **ret,
                   size_t *ret_len) {
        struct out o = {};
        const char *s = text, *end = text + len, *copied = text;

        out_put(&o, "", 0);
        while (r && r->enabled && s < end) {
                size_t n = 0, idx;
                struct in_addr a4;
                struct in6_addr a6;

                if (!keep_hostname && starts_token(text, s, "-_.") &&
                    ((n = match_host(r->host_full, s, end)) || (n = match_host(r->host_short, s, end)))) {
                        out_put(&o, copied, (size_t) (s - copied));
                        out_put(&o, "@host-1@", 8);
                } else if (starts_token(text, s, "-") && (n = match_uuid(s, end))) {
                        out_put(&o, copied, (size_t) (s - copied));
                        if (strncmp(s, "00000000-0000-", 14) == 0)
                                out_put(&o, s, n);      /* nil, or already a placeholder */
                        else if ((idx = placeholder_index(r, MAP_UUID, s, n)))
                                put_fmt(&o, "00000000-0000-4000-8000-%012zx", idx);
                } else if (starts_token(text, s, "-") && (n = match_short_uuid(text, s, end))) {
                        out_put(&o, copied, (size_t) (s - copied));
                        if ((idx = placeholder_index(r, MAP_SHORT_UUID, s, n)))
                                put_fmt(&o, "0000-%04zX", idx & 0xffff);
                } else if (starts_token(text, s, ":") && (n = match_mac(s, end))) {
                        out_put(&o, copied, (size_t) (s - copied));
                        if (strncasecmp(s, "00:00:00:00:00:00", n) == 0 || strncasecmp(s, "ff:ff:ff:ff:ff:ff", n) == 0)
                                out_put(&o, s, n);
                        else if ((idx = placeholder_index(r, MAP_MAC, s, n)))
                                put_fmt(&o, "02:00:00:00:%02zx:%02zx", (idx >> 8) & 0xff, idx & 0xff);
                } else if (starts_token(text, s, ":.") && (n = match_ipv6(s, end, &a6))) {
                        static const uint8_t loop[16] = { [15] = 1 };
                        static const uint8_t any[16] = {};
                        out_put(&o, copied, (size_t) (s - copied));
                        if (memcmp(&a6, loop, 16) == 0 || memcmp(&a6, any, 16) == 0 ||
                            (a6.s6_addr[0] == 0x20 && a6.s6_addr[1] == 0x01 && a6.s6_addr[2] == 0x0d &&
                             a6.s6_addr[3] == 0xb8))
                                out_put(&o, s, n);
                        else if ((idx = placeholder_index(r, MAP_IPV6, s, n)))
                                put_fmt(&o, "2001:db8::%zx", idx);
                } else if (starts_token(text, s, "._") && isdigit((unsigned char) *s) &&
                           (n = match_ipv4(s, end, &a4))) {
                        uint8_t b0 = ((uint8_t *) &a4)[0], b1 = ((uint8_t *) &a4)[1], b2 = ((uint8_t *) &a4)[2];
                        out_put(&o, copied, (size_t) (s - copied));
                        /* Loopback, unspecified, masks and documentation ranges identify nobody. */
                        if (b0 == 0 || b0 == 127 || b0 == 255 || (b0 == 192 && b1 == 0 && b2 == 2))
                                out_put(&o, s, n);
                        else if ((idx = placeholder_index(r, MAP_IPV4, s, n)))
                                put_ipv4(&o, idx);
                } else if (end - s > 6 && memcmp(s, "/home/", 6) == 0 && s + 6 < end &&
                           !strchr("/@ \t\n\"':;,=", s[6])) {
                        const char *u = s + 6, *e = u;
                        while (e < end && !strchr("/ \t\n\"':;,=", *e))
                                e++;
                        out_put(&o, copied, (size_t) (u - copied));
                        if ((idx = placeholder_index(r, MAP_USER, u, (size_t) (e - u))))
                                put_fmt(&o, "@user-%zu@", idx);
                        n = (size_t) (e - s);
                }
                if (n == 0) {
                        s++;
                        continue;
                }
                if (o.failed)
                        break;
                s += n;
                copied = s;
        }
        out_put(&o, copied, (size_t) (end - copied));
        if (o.failed) {
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
