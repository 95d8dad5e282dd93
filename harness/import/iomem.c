/* SPDX-License-Identifier: MIT */
/* /proc/iomem as pasted (sudo cat /proc/iomem, or a grep of it): "START-END
 * : NAME" with two spaces of indentation per level (kernel/resource.c
 * r_show()).  The lines go to /proc/iomem as they are, indentation kept,
 * so the reader (host/iomem.c) sees the nesting; a name that is a PCI
 * address names a device ("e0000000-efffffff : 0000:00:02.0"), which the
 * bundle then holds by its address alone. */
#include <ctype.h>
#include <string.h>

#include "base/hostpaths.h"
#include "import/import-internal.h"

/* "hex-hex : name". */
bool imp_is_iomem_line(const char *s, size_t len) {
        size_t i = 0, a;

        a = i;
        while (i < len && isxdigit((unsigned char) s[i]))
                i++;
        if (i - a < 4 || i >= len || s[i] != '-')
                return false;
        a = ++i;
        while (i < len && isxdigit((unsigned char) s[i]))
                i++;
        if (i - a < 4 || len - i < 4 || strncmp(s + i, " : ", 3) != 0)
                return false;
        return !isblank((unsigned char) s[i + 3]);
}

void imp_iomem_line(struct gd_import *im, const struct imp_line *l) {
        const char *name = strstr(l->body, " : ") + 3;
        size_t indent = (size_t) (l->body - l->text);
        char addr[13];

        /* The reader counts two spaces a level; a tab the forum kept is
         * one level. */
        {
                char buf[64 + 4096];
                size_t n = 0, body = l->body_len;

                for (size_t i = 0; i < indent && n < 64; i++)
                        n += (size_t) snprintf(buf + n, sizeof(buf) - n, "%s", l->text[i] == '\t' ? "  " : " ");
                if (body > 4096)
                        body = 4096;
                memcpy(buf + n, l->body, body);
                (void) imp_file_append(im, gd_hostpath(GD_PROC_IOMEM)->path, buf, n + body);
        }
        if (strlen(name) == 12 && imp_find_address(name, 12, addr) == 1)
                (void) imp_dev_named(im, addr, l);
}
