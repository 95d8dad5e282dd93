/* SPDX-License-Identifier: MIT */
/* umockdev-record text of the PCI devices and IOMMU units in a recording
 * of the reader (see record.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/io.h"
#include "base/macro.h"
#include "base/strv.h"
#include "base/utf8.h"
#include "bundle/bundle.h"
#include "bundle/record.h"
#include "bundle/redact.h"

#define SYS_PCI_DEVICES "/sys/bus/pci/devices/"
#define SYS_CLASS_IOMMU "/sys/class/iommu"

int gd_record_escape(FILE *out, const char *s, size_t len) {
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];
                const char *e = NULL;

                switch (c) {
                case '\b': e = "\\b"; break;
                case '\f': e = "\\f"; break;
                case '\n': e = "\\n"; break;
                case '\r': e = "\\r"; break;
                case '\t': e = "\\t"; break;
                case '\v': e = "\\v"; break;
                case '\\': e = "\\\\"; break;
                case '"':  e = "\\\""; break;
                }
                if (e)
                        fputs(e, out);
                else if (c < 0x20 || c >= 0x7f)
                        fprintf(out, "\\%03o", c);
                else
                        fputc(c, out);
        }
        return ferror(out) ? -EIO : 0;
}

bool gd_record_path_is_device(const char *path) {
        return startswith(path, SYS_PCI_DEVICES) || streq(path, "/sys/bus/pci/devices") ||
               streq(path, SYS_CLASS_IOMMU) || startswith(path, SYS_CLASS_IOMMU "/");
}

/* GLib's g_utf8_validate() with a length, as umockdev-record uses to choose
 * A: or H:: well-formed UTF-8 (base/utf8.c) without NUL bytes. */
static bool utf8_ok(const char *s, size_t len) {
        return !memchr(s, '\0', len) && utf8_valid(s, len, NULL);
}

static void write_hex(FILE *out, const uint8_t *v, size_t len) {
        static const char digits[] = "0123456789ABCDEF";
        char buf[512];
        size_t n = 0;

        for (size_t i = 0; i < len; i++) {
                buf[n++] = digits[v[i] >> 4];
                buf[n++] = digits[v[i] & 0xf];
                if (n == sizeof(buf)) {
                        fwrite(buf, 1, n, out);
                        n = 0;
                }
        }
        fwrite(buf, 1, n, out);
}

/* One recorded attribute: text through redact as A:, binary and the
 * configuration space (its serial numbers zeroed) as H:. */
static int write_attr(FILE *out, struct gd_redact *redact, const char *name, const char *v, size_t len) {
        if (streq(name, "config")) {
                _cleanup_free_ uint8_t *cfg = NULL;

                if (len == 0)
                        return 0;
                cfg = malloc(len);
                if (!cfg)
                        return -ENOMEM;
                memcpy(cfg, v, len);
                gd_redact_config_space(redact, cfg, len);
                fprintf(out, "H: %s=", name);
                write_hex(out, cfg, len);
        } else if (utf8_ok(v, len)) {
                _cleanup_free_ char *red = NULL;
                size_t rlen = len;

                if (gd_redact_text(redact, v, len, false, &red, &rlen) < 0)
                        return -ENOMEM;
                fprintf(out, "A: %s=", name);
                gd_record_escape(out, red, rlen);
        } else {
                fprintf(out, "H: %s=", name);
                write_hex(out, (const uint8_t *) v, len);
        }
        fputc('\n', out);
        return 0;
}

static bool error_is_absence(int error) {
        return error == -ENOENT || error == -ENOTDIR;
}

/* The attributes and links recorded below dir (entries [from, to) of the
 * sorted recording start with dir + "/"), as record lines; what could not
 * be read goes to unreadable. */
static int write_entries(FILE *out, struct gd_redact *redact, const struct gd_io_recording *rec, size_t from,
                         size_t to, size_t dir_len, char ***unreadable) {
        for (size_t i = from; i < to; i++) {
                const struct gd_io_entry *e = gd_io_recording_entry(rec, i);
                const char *name = e->path + dir_len + 1;
                int r = 0;

                if (!*name || strpbrk(name, "=\n"))
                        continue;
                if (e->has_link && e->link_error == 0) {
                        if (!strchr(e->target, '\n'))
                                fprintf(out, "L: %s=%s\n", name, e->target);
                } else if (e->has_content && e->content_error == 0)
                        r = write_attr(out, redact, name, e->content, e->length);
                else if ((e->has_link && e->link_error < 0 && !error_is_absence(e->link_error)) ||
                         (e->has_content && e->content_error < 0 && !error_is_absence(e->content_error)))
                        r = strv_push_dup(unreadable, e->path);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The /devices/... path a link into /sys/devices names, lexically, or NULL. */
static char *devpath_of(const char *target) {
        const char *dev = target ? strstr(target, "devices/") : NULL;

        if (!dev || strstr(dev, "/..") || strstr(dev, "/./") || strchr(dev, '\n') || (dev > target && dev[-1] != '/'))
                return NULL;
        return path_join("/", dev);
}

/* The entries [*from, ret) of the sorted recording whose path starts with
 * dir + "/", *from being the one after dir itself. */
static size_t below(const struct gd_io_recording *rec, size_t i, const char *dir, size_t dir_len) {
        size_t n = gd_io_recording_size(rec);

        while (i < n) {
                const char *p = gd_io_recording_entry(rec, i)->path;
                if (strncmp(p, dir, dir_len) != 0 || p[dir_len] != '/')
                        break;
                i++;
        }
        return i;
}

static int write_pci(FILE *out, struct gd_redact *redact, const struct gd_io_recording *rec, char ***unreadable) {
        size_t n = gd_io_recording_size(rec), plen = strlen(SYS_PCI_DEVICES);

        for (size_t i = 0; i < n; ) {
                const struct gd_io_entry *e = gd_io_recording_entry(rec, i);
                _cleanup_free_ char *devpath = NULL;
                size_t end;
                int r;

                /* A device: the link /sys/bus/pci/devices/<addr>, then what
                 * is below it. */
                if (!startswith(e->path, SYS_PCI_DEVICES) || strchr(e->path + plen, '/')) {
                        i++;
                        continue;
                }
                end = below(rec, i + 1, e->path, strlen(e->path));
                devpath = e->has_link && e->link_error == 0 ? devpath_of(e->target) : NULL;
                if (devpath && gd_pci_address_valid(e->path + plen)) {
                        fprintf(out, "P: %s\nE: SUBSYSTEM=pci\n", devpath);
                        r = write_entries(out, redact, rec, i + 1, end, strlen(e->path), unreadable);
                        if (r < 0)
                                return r;
                        fputc('\n', out);
                }
                i = end;
        }
        return 0;
}

/* The units of /sys/class/iommu the reader listed: each a record, so that
 * the testbed lists them too.  Where a unit's device sits is the target of
 * its class link (an Intel unit is virtual, an AMD one below its PCI
 * device), read here: the format needs it, the reader does not. */
static int write_iommu(FILE *out, struct gd_redact *redact, const struct gd_io_recording *rec, char ***unreadable) {
        const struct gd_io_entry *e = gd_io_recording_find(rec, SYS_CLASS_IOMMU);

        if (!e || !e->has_list || e->list_error < 0)
                return 0;
        for (size_t i = 0; e->names[i]; i++) {
                _cleanup_free_ char *link = path_join(SYS_CLASS_IOMMU, e->names[i]), *target = NULL, *devpath = NULL;
                const struct gd_io_entry *unit;
                size_t from, to;
                int r;

                if (!link)
                        return -ENOMEM;
                if (e->names[i][0] == '.' || gd_io_readlink(link, &target) < 0 || !(devpath = devpath_of(target)))
                        continue;
                fprintf(out, "P: %s\nE: SUBSYSTEM=iommu\n", devpath);
                unit = gd_io_recording_find(rec, link);
                if (unit) {
                        from = (size_t) (unit - gd_io_recording_entry(rec, 0)) + 1;
                        to = below(rec, from, link, strlen(link));
                        r = write_entries(out, redact, rec, from, to, strlen(link), unreadable);
                        if (r < 0)
                                return r;
                }
                fputc('\n', out);
        }
        return 0;
}

int gd_record_umockdev(const struct gd_io_recording *rec, struct gd_redact *redact, char **ret, size_t *ret_len,
                       char ***unreadable) {
        char *buf = NULL;
        size_t size = 0;
        FILE *out;
        int r;

        out = open_memstream(&buf, &size);
        if (!out)
                return -ENOMEM;
        r = write_pci(out, redact, rec, unreadable);
        if (r >= 0)
                r = write_iommu(out, redact, rec, unreadable);
        if (fclose(out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        *ret_len = size;
        return 0;
}
