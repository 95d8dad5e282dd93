/* SPDX-License-Identifier: MIT */
/* The kernel log is evidence ("DMAR: IOMMU enabled", "vfio-pci: probe of ...
 * failed"), and it arrives in several shapes: /dev/kmsg records when run
 * live, and dmesg, journalctl or syslog text when a user pastes a log or a
 * bundle carries one.  Each line is reduced to level, timestamp and text. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "kmsg.h"
#include "model/kmsg-signals.h"

/* One /dev/kmsg record is at most 8 KiB (CONSOLE_EXT_LOG_MAX); a read()
 * with a smaller buffer than the record fails with EINVAL. */
#define KMSG_READ_SIZE   (16u * 1024u)
#define KMSG_MAX_RECORDS 10000000u
#define KMSG_MAX_BYTES   (256u * 1024u * 1024u)
/* No kernel record comes near this; a longer "line" is not a log. */
#define KMSG_MAX_LINE    (1024u * 1024u)

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
        if (!parse_uptime(s + start, n, &usec) && !(ctime_ok && is_ctime(s + start, n)))
                return false;
        *i = start + n + 1;
        if (*i < len && s[*i] == ' ')
                (*i)++;
        *ret = usec;
        return true;
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

/* The line's length without its line end, or 0 when it is no record:
 * empty, or " SUBSYSTEM=pci" and " DEVICE=+pci:0000:01:00.0", which belong
 * to the record before them and carry no message. */
static size_t record_length(const char *line, size_t len) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                len--;
        return len == 0 || line[0] == ' ' ? 0 : len;
}

/* A record whose bytes (line end aside) are all printable ASCII. */
static bool printable_record(const char *line, size_t len) {
        len = record_length(line, len);
        for (size_t i = 0; i < len; i++)
                if ((unsigned char) line[i] < 0x20 || (unsigned char) line[i] > 0x7e)
                        return false;
        return len > 0;
}

int gd_kmsg_parse_record(const char *line, size_t len, unsigned lineno,
                         struct gd_kmsg_record *ret) {
        struct prefix p = { .level = -1 };
        size_t n;
        char *text;

        if (!line || !ret)
                return -EINVAL;

        len = record_length(line, len);
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
        };
        return 0;
}

/* What is being read: the records so far, and which ones to keep. */
struct reading {
        struct gd_kmsg k;
        size_t cap;
        bool signals_only;
};

static int add_line(struct reading *rd, const char *line, size_t len) {
        struct gd_kmsg *k = &rd->k;
        size_t *cap = &rd->cap;
        struct gd_kmsg_record rec;
        int r;

        /* A printable ASCII line is its own text past the prefix, so one
         * without a signal gives a text without one: it is counted, not
         * parsed (escaping 100,000 such records was most of explain on a
         * small host).  Any other byte is escaped as \xNN, whose hex digits
         * can start a signal ("\x8c" + "an't reserve"; found by fuzz-kmsg):
         * such lines are parsed. */
        if (rd->signals_only && line && printable_record(line, len) && !gd_kmsg_has_signal_n(line, len)) {
                if (k->n_read >= KMSG_MAX_RECORDS)
                        return -EFBIG;
                k->n_read++;
                return 0;
        }
        r = gd_kmsg_parse_record(line, len, (unsigned) k->n_read + 1, &rec);
        if (r == -ENOMSG)
                return 0;
        if (r < 0)
                return r;
        if (k->n_read >= KMSG_MAX_RECORDS) {
                free(rec.text);
                return -EFBIG;
        }
        k->n_read++;
        if (rd->signals_only && !gd_kmsg_has_signal(rec.text)) {
                free(rec.text);
                return 0;
        }
        if (k->n_records == *cap) {
                size_t ncap = *cap ? *cap * 2 : 256;
                struct gd_kmsg_record *nr = reallocarray(k->records, ncap, sizeof(*nr));
                if (!nr) {
                        free(rec.text);
                        return -ENOMEM;
                }
                k->records = nr;
                *cap = ncap;
        }
        k->records[k->n_records++] = rec;
        return 0;
}

static void reading_clear(struct reading *rd) {
        gd_kmsg_clear(&rd->k);
}

/* Hands every complete line in buf to add_line(); returns how many bytes
 * were consumed (a partial last line stays for the next read).  The first
 * fresh bytes are at buf + fresh: the carried-over part has no '\n'. */
static int add_lines(struct reading *rd, const char *buf, size_t len, size_t fresh, size_t *consumed) {
        size_t start = 0, scan = fresh;
        int r;

        for (;;) {
                const char *nl = memchr(buf + scan, '\n', len - scan);
                if (!nl)
                        break;
                r = add_line(rd, buf + start, (size_t) (nl - (buf + start)));
                if (r < 0)
                        return r;
                start = scan = (size_t) (nl - buf) + 1;
        }
        if (len - start > KMSG_MAX_LINE)
                return -EMSGSIZE;       /* one record, not the whole log, is too long */
        *consumed = start;
        return 0;
}

static int marker_errno(const char *head, size_t total) {
        if (total == strlen(GD_ABSENT_MARKER) && memcmp(head, GD_ABSENT_MARKER, total) == 0)
                return -ENOENT;
        if (total == strlen(GD_UNREADABLE_MARKER) && memcmp(head, GD_UNREADABLE_MARKER, total) == 0)
                return -EACCES;
        return 0;
}

/* The real /dev/kmsg hands out one record per read(), its continuation
 * lines included, and EAGAIN once caught up; a replay testbed serves a
 * regular file, whose reads cut lines anywhere.  Splitting every read on
 * '\n' and carrying the rest over covers both. */
int gd_kmsg_read(const char *path, bool signals_only, struct gd_kmsg *ret) {
        _cleanup_(reading_clear) struct reading rd = { .signals_only = signals_only };
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        char head[32];
        size_t pending = 0, bufsize = KMSG_READ_SIZE, total = 0;
        int r;

        if (!path || !ret)
                return -EINVAL;

        rd.k.source = strdup(path);
        buf = malloc(bufsize);
        if (!rd.k.source || !buf)
                return -ENOMEM;

        /* O_NONBLOCK: reading /dev/kmsg past its last record blocks. */
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;

        for (;;) {
                size_t consumed;
                ssize_t n;

                /* Only a line longer than the buffer makes it grow. */
                if (bufsize - pending < KMSG_READ_SIZE) {
                        char *nb = realloc(buf, bufsize * 2);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        bufsize *= 2;
                }

                n = read(fd, buf + pending, KMSG_READ_SIZE);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        /* Records were overwritten since the last read;
                         * the kernel moved us on to the oldest one left. */
                        if (errno == EPIPE)
                                continue;
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                break;
                        return -errno;
                }
                if (n == 0)
                        break;

                if (total < sizeof(head))
                        memcpy(head + total, buf + pending,
                               (size_t) n < sizeof(head) - total ? (size_t) n : sizeof(head) - total);
                total += (size_t) n;
                if (total > KMSG_MAX_BYTES)
                        return -EFBIG;

                r = add_lines(&rd, buf, pending + (size_t) n, pending, &consumed);
                pending += (size_t) n;
                if (r < 0)
                        return r;
                memmove(buf, buf + consumed, pending - consumed);
                pending -= consumed;
        }

        r = marker_errno(head, total);
        if (r < 0)
                return r;

        /* A file need not end in a newline. */
        if (pending > 0) {
                r = add_line(&rd, buf, pending);
                if (r < 0)
                        return r;
        }

        *ret = rd.k;
        rd.k = (struct gd_kmsg) {};
        return 0;
}

const struct gd_kmsg_record *gd_kmsg_find(const struct gd_kmsg *k, const char *substring,
                                          size_t start) {
        if (!k || !substring)
                return NULL;
        for (size_t i = start; i < k->n_records; i++)
                if (k->records[i].text && strstr(k->records[i].text, substring))
                        return &k->records[i];
        return NULL;
}
