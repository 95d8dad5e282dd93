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

/* The firmware framebuffer's names (checks/framebuffer.c fb_owner_of()). */
static bool is_framebuffer(const char *name) {
        return streq(name, "BOOTFB") || streq(name, "efifb") || streq(name, "vesafb") || streq(name, "simplefb") ||
               streq(name, "simpledrm") || startswith(name, "simple-framebuffer") ||
               startswith(name, "efi-framebuffer") || startswith(name, "vesa-framebuffer");
}

/* The firmware's framebuffer lies in this device's memory: it is the
 * device the firmware drew the console on, which vgaarb makes the default
 * VGA device (vga_is_firmware_default(), drivers/pci/vgaarb.c): boot_vga. */
static void boot_framebuffer_in(struct gd_import *im, const char *address, const char *name, const struct imp_line *l) {
        struct imp_dev *d = imp_dev_find(im, address);

        if (!d || d->boot_vga == TRI_YES)
                return;
        d->boot_vga = TRI_YES;
        imp_infer(im, "%s is the boot VGA device: /proc/iomem nests the firmware framebuffer (%s) in its memory (%s:%u)",
                  address, name, l->file, l->lineno);
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
        {
                unsigned depth = (unsigned) (indent / 2);

                if (depth >= ELEMENTSOF(im->iomem_owner))
                        return;
                if (strlen(name) == 12 && imp_find_address(name, 12, addr) == 1) {
                        (void) imp_dev_named(im, addr, l);
                        memcpy(im->iomem_owner[depth], addr, sizeof(addr));
                } else if (depth > 0 && im->iomem_owner[depth - 1][0] && is_framebuffer(name))
                        boot_framebuffer_in(im, im->iomem_owner[depth - 1], name, l);
                else
                        im->iomem_owner[depth][0] = '\0';
                for (unsigned k = depth + 1; k < ELEMENTSOF(im->iomem_owner); k++)
                        im->iomem_owner[k][0] = '\0';
        }
}
