/* SPDX-License-Identifier: MIT */
/* The import state: devices, files and warnings collected from the inputs. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "base/strv.h"
#include "import/import-internal.h"

static const char *const kind_names[_GD_IMPORT_KIND_MAX] = {
        [GD_IMPORT_LSPCI] = "lspci",
        [GD_IMPORT_GROUPS] = "groups",
        [GD_IMPORT_DMESG] = "dmesg",
        [GD_IMPORT_CMDLINE] = "cmdline",
        [GD_IMPORT_MODPROBE] = "modprobe",
        [GD_IMPORT_GRUB] = "grub",
        [GD_IMPORT_MODULES] = "modules",
        [GD_IMPORT_LSMOD] = "lsmod",
};

int gd_import_kind_from_string(const char *s) {
        for (int k = 1; k < _GD_IMPORT_KIND_MAX; k++)
                if (streq(s, kind_names[k]))
                        return k;
        return -EINVAL;
}

struct gd_import *gd_import_new(void) {
        return calloc(1, sizeof(struct gd_import));
}

struct gd_import *gd_import_free(struct gd_import *im) {
        if (!im)
                return NULL;
        for (size_t i = 0; i < im->n_devs; i++) {
                free(im->devs[i].driver);
                free(im->devs[i].group_where);
                free(im->devs[i].parent);
                free(im->devs[i].config);
                free(im->devs[i].where);
        }
        free(im->devs);
        for (size_t i = 0; i < im->n_files; i++) {
                free(im->files[i].path);
                free(im->files[i].content);
        }
        free(im->files);
        strv_free(im->warnings);
        free(im);
        return NULL;
}

char * const *gd_import_warnings(const struct gd_import *im) {
        static char *const empty[] = { NULL };
        return im->warnings ? im->warnings : empty;
}

size_t gd_import_n_facts(const struct gd_import *im) {
        size_t n = im->n_files + im->n_group_facts;

        for (size_t i = 0; i < im->n_devs; i++)
                n += im->devs[i].listed || im->devs[i].enumerated;
        return n;
}

size_t gd_import_n_devices(const struct gd_import *im) {
        size_t n = 0;

        for (size_t i = 0; i < im->n_devs; i++)
                n += imp_dev_recordable(&im->devs[i]);
        return n;
}

void imp_warn(struct gd_import *im, const struct imp_line *l, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        char *full = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return;
        if (l)
                r = asprintf(&full, "%s:%u: %s", l->file, l->lineno, msg);
        else
                r = asprintf(&full, "%s", msg);
        if (r >= 0)
                (void) strv_consume(&im->warnings, full);
}

struct imp_dev *imp_dev_find(struct gd_import *im, const char *address) {
        for (size_t i = 0; i < im->n_devs; i++)
                if (streq(im->devs[i].address, address))
                        return &im->devs[i];
        return NULL;
}

struct imp_dev *imp_dev_get(struct gd_import *im, unsigned domain, unsigned bus, unsigned slot,
                            unsigned func, const struct imp_line *l) {
        char address[13];
        struct imp_dev *d, *nd;

        snprintf(address, sizeof(address), "%04x:%02x:%02x.%x", domain & 0xffff, bus & 0xff, slot & 0x1f,
                 func & 7);
        d = imp_dev_find(im, address);
        if (d)
                return d;
        nd = realloc(im->devs, (im->n_devs + 1) * sizeof(*nd));
        if (!nd)
                return NULL;
        im->devs = nd;
        d = &nd[im->n_devs];
        *d = (struct imp_dev) {
                .domain = domain, .bus = bus, .slot = slot, .func = func,
                .vendor = IMP_UNSET, .device = IMP_UNSET, .revision = IMP_UNSET,
                .svendor = IMP_UNSET, .sdevice = IMP_UNSET, .class16 = IMP_UNSET, .progif = IMP_UNSET,
                .group = IMP_UNSET, .secondary = IMP_UNSET, .subordinate = IMP_UNSET,
                .caps = { .express_type = IMP_UNSET, .acs_cap = IMP_UNSET, .acs_ctrl = IMP_UNSET,
                          .primary = IMP_UNSET },
        };
        memcpy(d->address, address, sizeof(address));
        if (l && asprintf(&d->where, "%s:%u", l->file, l->lineno) < 0)
                return NULL;
        im->n_devs++;
        return d;
}

struct imp_file *imp_file_find(struct gd_import *im, const char *path) {
        for (size_t i = 0; i < im->n_files; i++)
                if (streq(im->files[i].path, path))
                        return &im->files[i];
        return NULL;
}

static struct imp_file *file_get(struct gd_import *im, const char *path) {
        struct imp_file *f = imp_file_find(im, path), *nf;

        if (f)
                return f;
        nf = realloc(im->files, (im->n_files + 1) * sizeof(*nf));
        if (!nf)
                return NULL;
        im->files = nf;
        f = &nf[im->n_files];
        *f = (struct imp_file) { .path = strdup(path), .content = strdup("") };
        if (!f->path || !f->content) {
                free(f->path);
                free(f->content);
                return NULL;
        }
        im->n_files++;
        return f;
}

int imp_file_append(struct gd_import *im, const char *path, const char *s, size_t len) {
        struct imp_file *f = file_get(im, path);
        char *nc;

        if (!f)
                return -ENOMEM;
        nc = realloc(f->content, f->len + f->pending_blank + len + 2);
        if (!nc)
                return -ENOMEM;
        f->content = nc;
        memset(nc + f->len, '\n', f->pending_blank);
        f->len += f->pending_blank;
        f->pending_blank = 0;
        memcpy(nc + f->len, s, len);
        f->len += len;
        nc[f->len++] = '\n';
        nc[f->len] = '\0';
        return 0;
}

void imp_file_blank(struct gd_import *im, const char *path) {
        struct imp_file *f = imp_file_find(im, path);

        if (f && f->len > 0)
                f->pending_blank++;
}

static int hexval(char c) {
        return isdigit((unsigned char) c) ? c - '0' :
               (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

static bool hex_run(const char *s, size_t len, size_t n, unsigned *ret) {
        unsigned v = 0;

        if (len < n)
                return false;
        for (size_t i = 0; i < n; i++) {
                int h = hexval(s[i]);
                if (h < 0)
                        return false;
                v = v << 4 | (unsigned) h;
        }
        *ret = v;
        return true;
}

size_t imp_parse_address(const char *s, size_t len, unsigned *domain, unsigned *bus, unsigned *slot,
                         unsigned *func, bool *has_domain) {
        unsigned dom = 0, b, sl, fn;
        size_t o = 0;
        bool hd = false;

        if (len >= 12 && s[4] == ':' && s[7] == ':' && hex_run(s, len, 4, &dom)) {
                o = 5;
                hd = true;
        }
        if (len < o + 7 || s[o + 2] != ':' || s[o + 5] != '.' || !hex_run(s + o, len - o, 2, &b) ||
            !hex_run(s + o + 3, len - o - 3, 2, &sl) || s[o + 6] < '0' || s[o + 6] > '7' || sl > 0x1f)
                return 0;
        fn = (unsigned) (s[o + 6] - '0');
        if (len > o + 7 && !isspace((unsigned char) s[o + 7]) && s[o + 7] != ':' && s[o + 7] != ',' &&
            s[o + 7] != ']' && s[o + 7] != ')')
                return 0;
        *domain = dom;
        *bus = b;
        *slot = sl;
        *func = fn;
        if (has_domain)
                *has_domain = hd;
        return o + 7;
}
