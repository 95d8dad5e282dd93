/* SPDX-License-Identifier: MIT */
/* The kernel log record parser and finder (kmsg.h): pure functions on
 * strings.  host/kmsg.c reads a log with them. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/macro.h"
#include "kmsg.h"

/* What a line's prefix said, and where its text starts. */
struct prefix {
        int level;
        uint64_t usec;
        size_t text;
};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static bool expect(const char *s, size_t len, size_t *i, char c) {
        if (*i >= len || s[*i] != c)
                return false;
        (*i)++;
        return true;
}

static bool expect_str(const char *s, size_t len, size_t *i, const char *word) {
        size_t n = strlen(word);

        if (len - *i < n || memcmp(s + *i, word, n) != 0)
                return false;
        *i += n;
        return true;
}

/* One or more digits, without overflow. */
static bool parse_u64(const char *s, size_t len, size_t *i, uint64_t *ret) {
        uint64_t v = 0;
        size_t j = *i;

        for (; j < len && is_digit(s[j]); j++) {
                unsigned d = (unsigned) (s[j] - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        if (j == *i)
                return false;
        *i = j;
        *ret = v;
        return true;
}

static bool skip_digits(const char *s, size_t len, size_t *i, size_t min, size_t max) {
        size_t n = 0;

        while (*i < len && n < max && is_digit(s[*i])) {
                (*i)++;
                n++;
        }
        return n >= min;
}

/* "  1.234567" (seconds since boot, as dmesg and printk print them). */
static bool parse_uptime(const char *s, size_t len, uint64_t *ret) {
        uint64_t sec, frac = 0;
        size_t i = 0, digits = 0;

        while (i < len && s[i] == ' ')
                i++;
        if (!parse_u64(s, len, &i, &sec) || sec > UINT64_MAX / 1000000 - 1)
                return false;
        if (i < len && s[i] == '.') {
                for (i++; i < len && is_digit(s[i]); i++, digits++)
                        if (digits < 6)
                                frac = frac * 10 + (uint64_t) (s[i] - '0');
                if (digits == 0)
                        return false;
                for (; digits < 6; digits++)
                        frac *= 10;
        }
        if (i != len)
                return false;
        *ret = sec * 1000000 + frac;
        return true;
}

/* "Tue Nov 26 10:00:00 2024" (dmesg -T, strftime "%a %b %e %H:%M:%S %Y"). */
static bool is_ctime(const char *s, size_t len) {
        static const char shape[] = "aaa aaa d0 00:00:00 0000";

        if (len != sizeof(shape) - 1)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = shape[i];
                if ((c == 'a' && !is_alpha(s[i])) ||
                    (c == '0' && !is_digit(s[i])) ||
                    (c == 'd' && !is_digit(s[i]) && s[i] != ' ') ||
                    ((c == ' ' || c == ':') && s[i] != c))
                        return false;
        }
        return true;
}

/* "[    1.234567]" or, when ctime_ok, "[Tue Nov 26 10:00:00 2024]"; then
 * the one space dmesg puts before the text. */
static bool parse_bracket_stamp(const char *s, size_t len, size_t *i, bool ctime_ok, uint64_t *ret) {
        const char *close;
        size_t start = *i + 1, n;
        uint64_t usec = 0;

        if (*i >= len || s[*i] != '[')
                return false;
        close = memchr(s + start, ']', len - start);
        if (!close)
                return false;
        n = (size_t) (close - (s + start));
        /* dmesg --reltime / --delta: "[  +0.000844]", a time since the
         * record before: no time since boot. */
        if (n > 1 && s[start + strspn(s + start, " ")] == '+' && strspn(s + start, " ") < n) {
                size_t plus = strspn(s + start, " ");
                if (!parse_uptime(s + start + plus + 1, n - plus - 1, &usec))
                        return false;
                usec = 0;
        } else if (!parse_uptime(s + start, n, &usec) && !(ctime_ok && is_ctime(s + start, n)))
                return false;
        *i = start + n + 1;
        if (*i < len && s[*i] == ' ')
                (*i)++;
        *ret = usec;
        return true;
}

/* The caller id CONFIG_PRINTK_CALLER adds after the time: "[    T1] ",
 * "[ T3837] " (task), "[    C0] " (CPU) (kernel/printk/printk.c
 * info_print_prefix()). */
static void skip_caller_id(const char *s, size_t len, size_t *i) {
        size_t j = *i;

        if (j >= len || s[j] != '[')
                return;
        for (j++; j < len && s[j] == ' '; j++)
                ;
        if (j >= len || (s[j] != 'T' && s[j] != 'C'))
                return;
        j++;
        if (!skip_digits(s, len, &j, 1, 10) || j >= len || s[j] != ']')
                return;
        j++;
        if (j < len && s[j] == ' ')
                j++;
        *i = j;
}

/* /dev/kmsg: "prio,seq,usec,flags[,more...];text".  Fields after usec are
 * skipped: the ABI promises only that future ones come before the ';'. */
static bool parse_kmsg_prefix(const char *s, size_t len, struct prefix *ret) {
        uint64_t prio, seq, usec;
        size_t i = 0;

        if (!parse_u64(s, len, &i, &prio) || !expect(s, len, &i, ',') ||
            !parse_u64(s, len, &i, &seq) || !expect(s, len, &i, ',') ||
            !parse_u64(s, len, &i, &usec))
                return false;
        if (i >= len || (s[i] != ',' && s[i] != ';'))
                return false;
        for (; i < len && s[i] != ';'; i++)
                if (s[i] == ' ' || s[i] == '\t')
                        return false;
        if (i >= len)
                return false;
        /* prio is facility << 3 | level. */
        *ret = (struct prefix) { .level = (int) (prio & 7), .usec = usec, .text = i + 1 };
        return true;
}

/* dmesg: "[    1.234567] text", "[Tue Nov 26 ...] text" (-T), and with -r a
 * "<prio>" in front, the timestamp then being optional (-r -t). */
static bool parse_dmesg_prefix(const char *s, size_t len, struct prefix *ret) {
        struct prefix p = { .level = -1 };
        size_t i = 0;
        uint64_t prio;

        if (i < len && s[i] == '<') {
                i++;
                if (!parse_u64(s, len, &i, &prio) || !expect(s, len, &i, '>'))
                        return false;
                p.level = (int) (prio & 7);
        }
        if (!parse_bracket_stamp(s, len, &i, true, &p.usec) && p.level < 0)
                return false;
        skip_caller_id(s, len, &i);
        p.text = i;
        *ret = p;
        return true;
}

/* "Nov 26 10:00:00" or "Nov  6 10:00:00.123456" (syslog, journalctl). */
static bool skip_bsd_time(const char *s, size_t len, size_t *i) {
        size_t j = *i;

        for (size_t n = 0; n < 3; n++, j++)
                if (j >= len || !is_alpha(s[j]))
                        return false;
        if (!expect(s, len, &j, ' '))
                return false;
        if (j < len && s[j] == ' ')
                j++;
        if (!skip_digits(s, len, &j, 1, 2) || !expect(s, len, &j, ' ') ||
            !skip_digits(s, len, &j, 2, 2) || !expect(s, len, &j, ':') ||
            !skip_digits(s, len, &j, 2, 2) || !expect(s, len, &j, ':') ||
            !skip_digits(s, len, &j, 2, 2))
                return false;
        if (j < len && s[j] == '.' && !(j++, skip_digits(s, len, &j, 1, 9)))
                return false;
        *i = j;
        return true;
}

/* "2024-11-26T10:00:00+0100" and the like (journalctl -o short-iso, RFC 3339
 * syslog): the date is checked, the rest of the word is taken as is. */
static bool skip_iso_time(const char *s, size_t len, size_t *i) {
        size_t j = *i;

        if (!skip_digits(s, len, &j, 4, 4) || !expect(s, len, &j, '-') ||
            !skip_digits(s, len, &j, 2, 2) || !expect(s, len, &j, '-') ||
            !skip_digits(s, len, &j, 2, 2) || !expect(s, len, &j, 'T'))
                return false;
        while (j < len && s[j] != ' ')
                j++;
        *i = j;
        return true;
}

/* syslog / journalctl -k: "<time> <host> kernel: [  1.23] text". */
static bool parse_syslog_prefix(const char *s, size_t len, struct prefix *ret) {
        struct prefix p = { .level = -1 };
        size_t i = 0, host;

        if (!skip_bsd_time(s, len, &i) && !skip_iso_time(s, len, &i))
                return false;
        if (!expect(s, len, &i, ' '))
                return false;
        for (host = i; i < len && s[i] != ' '; i++)
                ;
        if (i == host || !expect(s, len, &i, ' ') || !expect_str(s, len, &i, "kernel:"))
                return false;
        if (i < len && s[i] == ' ')
                i++;
        (void) parse_bracket_stamp(s, len, &i, false, &p.usec);
        p.text = i;
        *ret = p;
        return true;
}

/* Length of the valid UTF-8 sequence at s (2-4), or 0: overlong forms,
 * surrogates and code points past U+10FFFF are not valid. */
static size_t utf8_sequence(const unsigned char *s, size_t left) {
        uint32_t cp, min;
        size_t n;

        if ((s[0] & 0xe0) == 0xc0)
                n = 2, cp = s[0] & 0x1f, min = 0x80;
        else if ((s[0] & 0xf0) == 0xe0)
                n = 3, cp = s[0] & 0x0f, min = 0x800;
        else if ((s[0] & 0xf8) == 0xf0)
                n = 4, cp = s[0] & 0x07, min = 0x10000;
        else
                return 0;
        if (left < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

/* Writes the escaped form of s to out when out is non-NULL; returns its
 * length.  '\' is kept as is: /dev/kmsg text arrives already escaped, and
 * escaping again would turn the kernel's \x0a into \x5cx0a. */
static size_t escape(const char *s, size_t len, char *out) {
        static const char hex[] = "0123456789abcdef";
        const unsigned char *u = (const unsigned char *) s;
        size_t o = 0;

        for (size_t i = 0; i < len; ) {
                size_t n = u[i] >= 0x80 ? utf8_sequence(u + i, len - i) : 0;

                if (n > 0 || (u[i] >= 0x20 && u[i] < 0x7f)) {
                        n = n ?: 1;
                        if (out)
                                memcpy(out + o, s + i, n);
                        o += n;
                        i += n;
                        continue;
                }
                if (out) {
                        out[o] = '\\';
                        out[o + 1] = 'x';
                        out[o + 2] = hex[u[i] >> 4];
                        out[o + 3] = hex[u[i] & 0xf];
                }
                o += 4;
                i++;
        }
        return o;
}

int gd_kmsg_parse_record(const char *line, size_t len, unsigned lineno,
                         struct gd_kmsg_record *ret) {
        struct prefix p = { .level = -1 };
        size_t n;
        char *text;

        if (!line || !ret)
                return -EINVAL;

        len = gd_kmsg_record_length(line, len);
        if (len == 0)
                return -ENOMSG;

        if (!parse_kmsg_prefix(line, len, &p) &&
            !parse_dmesg_prefix(line, len, &p) &&
            !parse_syslog_prefix(line, len, &p))
                p = (struct prefix) { .level = -1 };

        if (len - p.text > (SIZE_MAX - 1) / 4)
                return -ENOMEM;
        n = escape(line + p.text, len - p.text, NULL);
        text = malloc(n + 1);
        if (!text)
                return -ENOMEM;
        escape(line + p.text, len - p.text, text);
        text[n] = '\0';

        *ret = (struct gd_kmsg_record) {
                .line = lineno,
                .level = p.level,
                .usec = p.usec,
                .text = text,
                .signals = gd_kmsg_signals_in(text, n),
        };
        return 0;
}

const struct gd_kmsg_record *gd_kmsg_find(const struct gd_kmsg *k, enum gd_kmsg_signal signal, const char *and,
                                          size_t start) {
        const char *text = gd_kmsg_signal(signal) ? gd_kmsg_signal(signal)->text : NULL;

        if (!k || !text)
                return NULL;
        for (size_t i = start; i < k->n_records; i++) {
                const struct gd_kmsg_record *r = &k->records[i];
                const char *at;

                if (!gd_kmsg_record_has(r, signal))
                        continue;
                at = and ? strstr(r->text, text) : NULL;
                if (!and || (at && strstr(at, and)))
                        return r;
        }
        return NULL;
}
