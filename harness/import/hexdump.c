/* SPDX-License-Identifier: MIT */
/* Config space hex dumps of lspci -x (64 bytes), -xxx (256) and -xxxx
 * (4096): "00: 86 80 ..." rows, three offset digits for -xxxx.  Only whole
 * rows from offset 0 are kept and nothing is padded: a 64-byte header
 * leaves every capability unknown to the reader (host/pci-caps.h). */
#include <ctype.h>
#include <string.h>

#include "import/import-internal.h"

#define CONFIG_MAX 4096u

static size_t offset_digits(const char *s, size_t len) {
        size_t n = 0;

        while (n < len && n < 4 && isxdigit((unsigned char) s[n]))
                n++;
        return (n == 2 || n == 3) && n < len && s[n] == ':' ? n : 0;
}

bool imp_is_hex_line(const char *s, size_t len) {
        size_t n = offset_digits(s, len);

        /* "00: 86" at least: the offset, then one byte. */
        return n > 0 && len >= n + 4 && s[n + 1] == ' ' && isxdigit((unsigned char) s[n + 2]) &&
               isxdigit((unsigned char) s[n + 3]) && (len == n + 4 || s[n + 4] == ' ');
}

void imp_hex_line(struct gd_import *im, struct imp_dev *d, const struct imp_line *l) {
        const char *s = l->body;
        size_t len = l->body_len, n = offset_digits(s, len), nbytes = 0;
        unsigned offset = 0;
        uint8_t row[16];

        if (d->dump_broken || d->dump_finished)
                return;
        for (size_t i = 0; i < n; i++)
                offset = offset << 4 | (unsigned) (isdigit((unsigned char) s[i]) ? s[i] - '0' :
                                                   tolower(s[i]) - 'a' + 10);
        for (size_t i = n + 1; i + 2 < len && nbytes < 16; i += 3) {
                unsigned b;
                if (s[i] != ' ' || !isxdigit((unsigned char) s[i + 1]) || !isxdigit((unsigned char) s[i + 2]) ||
                    (i + 3 < len && s[i + 3] != ' '))
                        break;
                if (sscanf(s + i + 1, "%2x", &b) != 1)
                        break;
                row[nbytes++] = (uint8_t) b;
        }
        if (offset != d->config_len || offset % 16 != 0) {
                imp_warn(im, l, "%s: config dump row at %#x does not follow %#zx; the dump is kept up to there",
                         d->address, offset, d->config_len);
                d->dump_broken = true;
                return;
        }
        if (nbytes < 16) {
                imp_warn(im, l, "%s: truncated config dump row at %#x; the dump is kept up to there",
                         d->address, offset);
                d->dump_broken = true;
                return;
        }
        if (d->config_len + 16 > CONFIG_MAX) {
                imp_warn(im, l, "%s: config dump longer than 4096 bytes", d->address);
                d->dump_broken = true;
                return;
        }
        if (!d->config) {
                d->config = calloc(1, CONFIG_MAX);
                if (!d->config)
                        return;
        }
        memcpy(d->config + d->config_len, row, 16);
        d->config_len += 16;
}

static void set_from_config(struct gd_import *im, struct imp_dev *d, int *field, int value, const char *what) {
        if (*field == IMP_UNSET)
                *field = value;
        else if (*field != value)
                imp_warn(im, NULL, "%s: %s: config dump says %s %x, the text %x; keeping the text",
                         d->where ? d->where : "-", d->address, what, (unsigned) value, (unsigned) *field);
}

void imp_hex_finish(struct gd_import *im, struct imp_dev *d) {
        const uint8_t *c;

        if (!d || d->dump_finished || !d->config)
                return;
        c = d->config;
        d->dump_finished = true;
        if (d->config_len < 64) {
                imp_warn(im, NULL, "%s: %s: config dump shorter than the 64-byte header; not used",
                         d->where ? d->where : "-", d->address);
                free(d->config);
                d->config = NULL;
                d->config_len = 0;
                return;
        }
        d->listed = true;
        set_from_config(im, d, &d->vendor, c[0] | c[1] << 8, "vendor");
        set_from_config(im, d, &d->device, c[2] | c[3] << 8, "device");
        set_from_config(im, d, &d->revision, c[8], "revision");
        set_from_config(im, d, &d->progif, c[9], "prog-if");
        set_from_config(im, d, &d->class16, c[10] | c[11] << 8, "class");
        switch (c[0x0e] & 0x7f) {
        case 0:
                set_from_config(im, d, &d->svendor, c[0x2c] | c[0x2d] << 8, "subsystem vendor");
                set_from_config(im, d, &d->sdevice, c[0x2e] | c[0x2f] << 8, "subsystem device");
                break;
        case 1:
                set_from_config(im, d, &d->secondary, c[0x19], "secondary bus");
                set_from_config(im, d, &d->subordinate, c[0x1a], "subordinate bus");
                break;
        }
}
