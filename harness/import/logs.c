/* SPDX-License-Identifier: MIT */
/* Kernel log lines (dmesg, dmesg -T/-r, journalctl -k, syslog, /dev/kmsg
 * records) become /dev/kmsg records "prio,seq,usec,-;text"; lsmod output
 * becomes /proc/modules lines. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "host/kmsg.h"
#include "import/import-internal.h"

static const char *const months[] = {
        "Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ", "Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec ",
};

static bool is_kmsg_record(const char *s, size_t len) {
        size_t i = 0, commas = 0;

        for (; i < len && i < 64 && s[i] != ';'; i++) {
                if (s[i] == ',')
                        commas++;
                else if (!isdigit((unsigned char) s[i]) && commas < 3)
                        return false;
        }
        return i < len && s[i] == ';' && commas >= 3 && isdigit((unsigned char) s[0]);
}

bool imp_is_dmesg_line(const char *s, size_t len) {
        size_t i = 0;

        if (len > 3 && s[0] == '<' && isdigit((unsigned char) s[1]) && s[2] == '>')
                i = 3;
        if (i < len && s[i] == '[') {
                size_t j = i + 1;
                while (j < len && s[j] == ' ')
                        j++;
                if (j < len && isdigit((unsigned char) s[j])) {
                        while (j < len && isdigit((unsigned char) s[j]))
                                j++;
                        if (j < len && s[j] == '.')
                                return memchr(s + j, ']', len - j) != NULL;
                }
                /* dmesg -T: "[Tue Nov 26 10:00:00 2024]" */
                return len > i + 25 && isupper((unsigned char) s[i + 1]) && s[i + 4] == ' ' &&
                       s[i + 24] == ']';
        }
        for (size_t m = 0; m < ELEMENTSOF(months); m++)
                if (len > 16 && strncmp(s, months[m], 4) == 0 && s[9] == ':' && s[12] == ':')
                        return strstr(s, " kernel: ") && (size_t) (strstr(s, " kernel: ") - s) < len;
        return is_kmsg_record(s, len);
}

void imp_dmesg_line(struct gd_import *im, const struct imp_line *l) {
        struct gd_kmsg_record rec = { 0 };
        _cleanup_free_ char *out = NULL;
        int r;

        r = gd_kmsg_parse_record(l->body, l->body_len, l->lineno, &rec);
        if (r < 0) {
                if (r != -ENOMSG)
                        imp_warn(im, l, "kernel log line not understood; skipped");
                return;
        }
        r = asprintf(&out, "%d,%u,%llu,-;%s", rec.level >= 0 ? rec.level : 6, im->kmsg_seq++,
                     (unsigned long long) rec.usec, rec.text ? rec.text : "");
        free(rec.text);
        if (r >= 0)
                (void) imp_file_append(im, "/dev/kmsg", out, (size_t) r);
}

bool imp_is_lsmod_line(const char *s, size_t len) {
        size_t i = 0, fields = 0;

        if (startswith(s, "Module ") && strstr(s, "Size") && strstr(s, "Used by"))
                return true;
        /* name size count [deps] */
        while (i < len && (isalnum((unsigned char) s[i]) || s[i] == '_' || s[i] == '-'))
                i++;
        if (i == 0 || i >= len || s[i] != ' ')
                return false;
        fields = 1;
        while (fields < 3) {
                size_t start;
                while (i < len && s[i] == ' ')
                        i++;
                start = i;
                while (i < len && isdigit((unsigned char) s[i]))
                        i++;
                if (i == start || (i < len && s[i] != ' '))
                        return false;
                fields++;
        }
        while (i < len && s[i] == ' ')
                i++;
        return i == len || !memchr(s + i, ' ', len - i) || strstr(s + i, "[permanent]");
}

void imp_lsmod_line(struct gd_import *im, const struct imp_line *l) {
        char name[128], deps[1024] = "";
        unsigned long size, refs;
        _cleanup_free_ char *line = strndup(l->body, l->body_len), *out = NULL;
        int n, r;

        if (!line || startswith(line, "Module "))
                return;
        n = sscanf(line, "%127s %lu %lu %1023s", name, &size, &refs, deps);
        if (n < 3) {
                imp_warn(im, l, "lsmod line not understood; skipped");
                return;
        }
        if (n == 4 && deps[0] != '[' && deps[0] != '-')
                r = asprintf(&out, "%s %lu %lu %s, Live 0x0000000000000000", name, size, refs, deps);
        else
                r = asprintf(&out, "%s %lu %lu - Live 0x0000000000000000", name, size, refs);
        if (r >= 0)
                (void) imp_file_append(im, "/proc/modules", out, (size_t) r);
}
