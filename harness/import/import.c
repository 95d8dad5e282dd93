/* SPDX-License-Identifier: MIT */
/* The import state: devices, files and warnings collected from the inputs. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

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
        struct gd_import *im = calloc(1, sizeof(struct gd_import));

        if (im && getrandom(&im->seed, sizeof(im->seed), GRND_NONBLOCK) != sizeof(im->seed))
                im->seed = (uint64_t) (uintptr_t) im ^ (uint64_t) time(NULL);
        if (im)
                im->seed |= 1;  /* odd: the multiplication is a bijection */
        return im;
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
                free(im->devs[i].log_driver);
                free(im->devs[i].log_driver_where);
        }
        strv_free(im->inferred);
        free(im->xen_dom0_where);
        imp_pciids_free(im->pciids);
        free(im->devs);
        free(im->dev_slots);
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
                n += im->devs[i].listed || im->devs[i].enumerated || im->devs[i].named;
        return n;
}

size_t gd_import_n_devices(const struct gd_import *im) {
        return im->n_devs;
}

struct imp_dev *imp_dev_named(struct gd_import *im, const char *address, const struct imp_line *l) {
        unsigned domain, bus, slot, func;
        struct imp_dev *d;

        if (imp_parse_address(address, strlen(address), &domain, &bus, &slot, &func, NULL) == 0)
                return NULL;
        d = imp_dev_get(im, domain, bus, slot, func, l);
        if (d)
                d->named = true;
        return d;
}

/* Appends s to a NULL-terminated list that keeps its length and capacity.
 * Not strv_consume(): it counts the list on every call, and a kernel log
 * of 80,000 devices warns or infers once for each. */
static int list_push(char ***list, size_t *n, size_t *cap, char *s) {
        if (*n + 1 >= *cap) {
                size_t c = *cap ? *cap * 2 : 16;
                char **nl = reallocarray(*list, c, sizeof(char *));

                if (!nl)
                        return -ENOMEM;
                *list = nl;
                *cap = c;
        }
        (*list)[(*n)++] = s;
        (*list)[*n] = NULL;
        return 0;
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
        if (r < 0)
                return;
        if (list_push(&im->warnings, &im->n_warnings, &im->cap_warnings, full) < 0)
                free(full);
}

void imp_infer(struct gd_import *im, const char *fmt, ...) {
        char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return;
        if (list_push(&im->inferred, &im->n_inferred, &im->cap_inferred, msg) < 0)
                free(msg);
}

static uint32_t address_key(unsigned domain, unsigned bus, unsigned slot, unsigned func) {
        return (domain & 0xffff) << 16 | (bus & 0xff) << 8 | (slot & 0x1f) << 3 | (func & 7);
}

static size_t slot_of(const struct gd_import *im, uint32_t key) {
        /* Multiplicative hashing with a random odd multiplier; the top bits. */
        return (size_t) (((uint64_t) key * im->seed) >> 32) & (im->n_slots - 1);
}

static struct imp_dev *find_key(struct gd_import *im, uint32_t key) {
        for (size_t s = im->n_slots ? slot_of(im, key) : 0; im->n_slots && im->dev_slots[s];
             s = (s + 1) & (im->n_slots - 1)) {
                struct imp_dev *d = &im->devs[im->dev_slots[s] - 1];
                if (address_key(d->domain, d->bus, d->slot, d->func) == key)
                        return d;
        }
        return NULL;
}

static void insert_slot(struct gd_import *im, size_t index) {
        const struct imp_dev *d = &im->devs[index];
        size_t s = slot_of(im, address_key(d->domain, d->bus, d->slot, d->func));

        while (im->dev_slots[s])
                s = (s + 1) & (im->n_slots - 1);
        im->dev_slots[s] = index + 1;
}

int imp_dev_reindex(struct gd_import *im) {
        size_t n = 64;

        while (n < 2 * (im->n_devs + 1))
                n *= 2;
        free(im->dev_slots);
        im->dev_slots = calloc(n, sizeof(*im->dev_slots));
        im->n_slots = im->dev_slots ? n : 0;
        if (!im->dev_slots)
                return -ENOMEM;
        for (size_t i = 0; i < im->n_devs; i++)
                insert_slot(im, i);
        return 0;
}

struct imp_dev *imp_dev_find(struct gd_import *im, const char *address) {
        unsigned domain, bus, slot, func;

        if (!address || imp_parse_address(address, strlen(address), &domain, &bus, &slot, &func, NULL) == 0)
                return NULL;
        return find_key(im, address_key(domain, bus, slot, func));
}

struct imp_dev *imp_dev_get(struct gd_import *im, unsigned domain, unsigned bus, unsigned slot,
                            unsigned func, const struct imp_line *l) {
        char address[13];
        struct imp_dev *d, *nd;

        snprintf(address, sizeof(address), "%04x:%02x:%02x.%x", domain & 0xffff, bus & 0xff, slot & 0x1f,
                 func & 7);
        d = find_key(im, address_key(domain, bus, slot, func));
        if (d)
                return d;
        if (im->n_devs == im->cap_devs) {
                size_t cap = im->cap_devs ? im->cap_devs * 2 : 32;
                nd = reallocarray(im->devs, cap, sizeof(*nd));
                if (!nd)
                        return NULL;
                im->devs = nd;
                im->cap_devs = cap;
        }
        if (2 * (im->n_devs + 1) > im->n_slots && imp_dev_reindex(im) < 0)
                return NULL;
        d = &im->devs[im->n_devs];
        *d = (struct imp_dev) {
                .domain = domain, .bus = bus, .slot = slot, .func = func,
                .vendor = IMP_UNSET, .device = IMP_UNSET, .revision = IMP_UNSET,
                .svendor = IMP_UNSET, .sdevice = IMP_UNSET, .class16 = IMP_UNSET, .progif = IMP_UNSET,
                .group = IMP_UNSET, .secondary = IMP_UNSET, .subordinate = IMP_UNSET,
                .caps = { .express_type = IMP_UNSET, .acs_cap = IMP_UNSET, .acs_ctrl = IMP_UNSET,
                          .primary = IMP_UNSET },
                .boot_vga = TRI_UNKNOWN,
        };
        memcpy(d->address, address, sizeof(address));
        if (l && asprintf(&d->where, "%s:%u", l->file, l->lineno) < 0)
                return NULL;
        im->n_devs++;
        insert_slot(im, im->n_devs - 1);
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
        if (f->len + f->pending_blank + len + 2 > f->cap) {
                size_t cap = f->cap ? f->cap : 256;

                while (cap < f->len + f->pending_blank + len + 2)
                        cap *= 2;
                nc = realloc(f->content, cap);
                if (!nc)
                        return -ENOMEM;
                f->content = nc;
                f->cap = cap;
        }
        nc = f->content;
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

char * const *gd_import_inferred(const struct gd_import *im) {
        static char *const none[] = { NULL };
        return im->inferred ? im->inferred : none;
}

static size_t lines_of(const struct imp_file *f) {
        size_t n = 0;

        for (size_t i = 0; f && i < f->len; i++)
                n += f->content[i] == '\n';
        return n;
}

void gd_import_facts(const struct gd_import *im, struct gd_import_facts *ret) {
        struct gd_import_facts f = { .groups_listed = im->have_groups };
        int last_partial = IMP_UNSET;

        for (size_t i = 0; i < im->n_devs; i++) {
                const struct imp_dev *d = &im->devs[i];

                f.devices++;
                f.devices_with_ids += d->vendor != IMP_UNSET && d->device != IMP_UNSET;
                f.devices_with_class += d->class16 != IMP_UNSET;
                f.drivers += d->driver_known == TRI_YES;
                f.grouped += d->group >= 0;
        }
        /* Partial groups, counted once each: devs are sorted by address,
         * groups are not, so count distinct ids the slow way only among
         * the few partial ones. */
        for (size_t i = 0; i < im->n_devs; i++) {
                const struct imp_dev *d = &im->devs[i];
                bool seen = false;

                if (d->group < 0 || !d->group_partial || d->group == last_partial)
                        continue;
                for (size_t j = 0; j < i && !seen; j++)
                        seen = im->devs[j].group == d->group && im->devs[j].group_partial;
                f.groups_partial += !seen;
                last_partial = d->group;
                if (f.groups_partial > 64)
                        break;
        }
        for (size_t i = 0; i < im->n_files; i++) {
                const char *p = im->files[i].path;

                if (streq(p, "/dev/kmsg"))
                        f.kmsg_lines = lines_of(&im->files[i]);
                else if (streq(p, IMP_VM_LOG))
                        f.vm_messages = lines_of(&im->files[i]);
                else if (startswith(p, "/etc/pve/qemu-server/") || startswith(p, "/etc/libvirt/qemu/"))
                        f.vm_configs++;
                else if (streq(p, "/proc/cmdline"))
                        f.cmdline = true;
                else if (streq(p, "/proc/iomem"))
                        f.iomem = true;
                else if (startswith(p, "/etc/modprobe.d/") || streq(p, "/etc/modules"))
                        f.modprobe = true;
                else if (streq(p, "/proc/modules"))
                        f.lsmod = true;
                else if (streq(p, "/proc/sys/kernel/osrelease"))
                        f.kernel_release = true;
        }
        *ret = f;
}
