/* SPDX-License-Identifier: MIT */
/* The imported bundle: a umockdev recording synthesised from what the text
 * proves, the group listing, the files, and `unreadable:` for every driver
 * link the text does not show (so the reader says "driver unknown" rather
 * than "no driver").  Written only through the event emitter. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "base/strv.h"
#include "config.h"
#include "import/import-internal.h"
#include "report/emit.h"

#define MAX_DEPTH 32

static bool recordable(const struct imp_dev *d) {
        return imp_dev_recordable(d);
}

/* The bridge whose secondary bus is d's bus (Bus: lines, config dumps). */
static const struct imp_dev *bridge_of(const struct gd_import *im, const struct imp_dev *d) {
        for (size_t i = 0; i < im->n_devs; i++) {
                const struct imp_dev *b = &im->devs[i];
                if (b != d && b->domain == d->domain && b->secondary == (int) d->bus && d->bus != b->bus)
                        return b;
        }
        return NULL;
}

static const char *parent_of(const struct gd_import *im, const struct imp_dev *d) {
        const struct imp_dev *b;

        if (d->parent)
                return d->parent;
        if (d->parent_is_root)
                return NULL;
        b = bridge_of(im, d);
        return b ? b->address : NULL;
}

/* /devices/pciDDDD:BB/<bridges...>/<address>: the chain of parents up to a
 * device with none, whose bus is the root bus. */
static char *device_path(struct gd_import *im, const struct imp_dev *d) {
        const char *chain[MAX_DEPTH];
        size_t n = 0, len;
        const struct imp_dev *top = d;
        const char *cur = d->address;
        unsigned dom = d->domain, bus = d->bus;
        char *path, *p;

        while (cur && n < MAX_DEPTH) {
                const struct imp_dev *c = imp_dev_find(im, cur);
                bool loop = false;

                for (size_t i = 0; i < n; i++)
                        loop = loop || streq(chain[i], cur);
                if (loop)
                        break;
                chain[n++] = cur;
                if (!c) {
                        /* A bridge only the tree named: its bus is in its address. */
                        sscanf(cur, "%4x:%2x", &dom, &bus);
                        break;
                }
                top = c;
                dom = c->domain;
                bus = c->bus;
                cur = parent_of(im, c);
        }
        (void) top;
        len = strlen("/devices/pci0000:00") + n * 13 + 1;
        path = malloc(len);
        if (!path)
                return NULL;
        p = path + sprintf(path, "/devices/pci%04x:%02x", dom, bus);
        while (n > 0)
                p += sprintf(p, "/%s", chain[--n]);
        return path;
}

static unsigned depth_of(const char *path) {
        unsigned n = 0;
        for (const char *p = path; *p; p++)
                n += *p == '/';
        return n;
}

struct rec {
        char *path;
        struct imp_dev *d;
};

static int cmp_rec(const void *a, const void *b) {
        return strcmp(((const struct rec *) a)->path, ((const struct rec *) b)->path);
}

static int cmp_dev_addr(const void *a, const void *b) {
        return strcmp(((const struct imp_dev *) a)->address, ((const struct imp_dev *) b)->address);
}

static int cmp_file(const void *a, const void *b) {
        return strcmp(((const struct imp_file *) a)->path, ((const struct imp_file *) b)->path);
}

static int append(char **buf, size_t *len, const char *fmt, ...) _printf_(3, 4);
static int append(char **buf, size_t *len, const char *fmt, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;
        char *nb;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        nb = realloc(*buf, *len + (size_t) n + 1);
        if (!nb)
                return -ENOMEM;
        memcpy(nb + *len, s, (size_t) n + 1);
        *buf = nb;
        *len += (size_t) n;
        return 0;
}

static int record_device(char **buf, size_t *len, const struct rec *r) {
        const struct imp_dev *d = r->d;
        unsigned cls = (unsigned) d->class16 << 8 | (unsigned) (d->progif == IMP_UNSET ? 0 : d->progif);
        bool subsys = d->svendor != IMP_UNSET && d->sdevice != IMP_UNSET;
        _cleanup_free_ char *modalias = NULL;
        int e = 0;

        /* The modalias needs the subsystem and the prog-if: written only
         * when the text proves both (lspci -k/-v, or a config dump). */
        if (subsys && d->progif != IMP_UNSET &&
            asprintf(&modalias, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", d->vendor, d->device, d->svendor,
                     d->sdevice, (unsigned) d->class16 >> 8, (unsigned) d->class16 & 0xff, (unsigned) d->progif) < 0)
                return -ENOMEM;
        e |= append(buf, len, "P: %s\n", r->path);
        if (d->driver)
                e |= append(buf, len, "E: DRIVER=%s\n", d->driver);
        if (modalias)
                e |= append(buf, len, "E: MODALIAS=%s\n", modalias);
        e |= append(buf, len, "E: PCI_CLASS=%X\n", cls);
        e |= append(buf, len, "E: PCI_ID=%04X:%04X\n", d->vendor, d->device);
        e |= append(buf, len, "E: PCI_SLOT_NAME=%s\n", d->address);
        if (subsys)
                e |= append(buf, len, "E: PCI_SUBSYS_ID=%04X:%04X\n", d->svendor, d->sdevice);
        e |= append(buf, len, "E: SUBSYSTEM=pci\n");
        e |= append(buf, len, "A: class=0x%06x\\n\n", cls);
        if (d->config_len > 0) {
                e |= append(buf, len, "H: config=");
                for (size_t i = 0; i < d->config_len; i++)
                        e |= append(buf, len, "%02X", d->config[i]);
                e |= append(buf, len, "\n");
        }
        e |= append(buf, len, "A: device=0x%04x\\n\n", d->device);
        if (modalias)
                e |= append(buf, len, "A: modalias=%s\\n\n", modalias);
        if (d->revision != IMP_UNSET)
                e |= append(buf, len, "A: revision=0x%02x\\n\n", d->revision);
        if (subsys) {
                e |= append(buf, len, "A: subsystem_device=0x%04x\\n\n", d->sdevice);
                e |= append(buf, len, "A: subsystem_vendor=0x%04x\\n\n", d->svendor);
        }
        e |= append(buf, len, "A: vendor=0x%04x\\n\n", d->vendor);
        if (d->driver) {
                e |= append(buf, len, "L: driver=");
                for (unsigned i = 0; i < depth_of(r->path); i++)
                        e |= append(buf, len, "../");
                e |= append(buf, len, "bus/pci/drivers/%s\n", d->driver);
        }
        e |= append(buf, len, "\n");
        return e ? -ENOMEM : 0;
}

static void emit_groups(struct gd_emit *em, const struct gd_import *im) {
        int prev = -1;

        gd_emit_key(em, "iommu_groups");
        gd_emit_seq_begin(em);
        for (;;) {
                int next = -1;

                for (size_t i = 0; i < im->n_devs; i++) {
                        const struct imp_dev *d = &im->devs[i];
                        if (recordable(d) && d->group > prev && (next < 0 || d->group < next))
                                next = d->group;
                }
                if (next < 0)
                        break;
                gd_emit_map_begin(em);
                gd_emit_kv_int(em, "group", next);
                gd_emit_key(em, "devices");
                gd_emit_seq_begin(em);
                for (size_t i = 0; i < im->n_devs; i++)
                        if (recordable(&im->devs[i]) && im->devs[i].group == next)
                                gd_emit_str(em, im->devs[i].address);
                gd_emit_seq_end(em);
                gd_emit_map_end(em);
                prev = next;
        }
        gd_emit_seq_end(em);
}

/* "Linux version 6.8.12-4-pve (...)" in the kernel log proves the release. */
static char *kernel_release(const struct gd_import *im) {
        const struct imp_file *f = NULL;
        const char *p;

        for (size_t i = 0; i < im->n_files; i++)
                if (streq(im->files[i].path, "/dev/kmsg"))
                        f = &im->files[i];
        if (!f || !(p = strstr(f->content, ";Linux version ")))
                return NULL;
        p += strlen(";Linux version ");
        return strndup(p, strcspn(p, " \n"));
}

struct recs {
        struct rec *r;
        size_t n;
};

static void recs_done(struct recs *rs) {
        for (size_t i = 0; i < rs->n; i++)
                free(rs->r[i].path);
        free(rs->r);
}

/* The recording text, sorted by path (parents first), and the driver links
 * that stay unknown. */
static int build_recording(struct gd_import *im, struct recs *rs, char **text, size_t *tlen, char ***unreadable) {
        rs->r = calloc(im->n_devs + 1, sizeof(*rs->r));
        if (!rs->r)
                return -ENOMEM;
        for (size_t i = 0; i < im->n_devs; i++) {
                struct imp_dev *d = &im->devs[i];

                if (!recordable(d)) {
                        if (d->listed)
                                imp_warn(im, NULL, "%s: %s: vendor, device or class unknown (paste lspci -nn); not recorded",
                                         d->where ? d->where : "-", d->address);
                        continue;
                }
                rs->r[rs->n] = (struct rec) { .path = device_path(im, d), .d = d };
                if (!rs->r[rs->n++].path)
                        return -ENOMEM;
                if (d->driver_known != TRI_YES) {
                        char *p;
                        if (asprintf(&p, "/sys/bus/pci/devices/%s/driver", d->address) < 0 ||
                            strv_consume(unreadable, p) < 0)
                                return -ENOMEM;
                }
                /* No paste shows reset_method (not even lspci -vv), and on
                 * 5.15+ an absent one means "no reset method": unknown. */
                {
                        char *p;
                        if (asprintf(&p, "/sys/bus/pci/devices/%s/reset_method", d->address) < 0 ||
                            strv_consume(unreadable, p) < 0)
                                return -ENOMEM;
                }
        }
        /* No group listing: the groups are unknown, not absent. */
        if (!im->have_groups && strv_push_dup(unreadable, "/sys/kernel/iommu_groups") < 0)
                return -ENOMEM;
        if (rs->n > 0)
                qsort(rs->r, rs->n, sizeof(*rs->r), cmp_rec);
        for (size_t i = 0; i < rs->n; i++)
                if (record_device(text, tlen, &rs->r[i]) < 0)
                        return -ENOMEM;
        return 0;
}

/* Config space from lspci -vv capability lines (lspci-caps.c).  lspci
 * does not print the multifunction bit: a slot with several functions
 * listed has it; a lone function is single-function only when the text
 * is a whole listing (it has a root bus's 00.0 or a host bridge, and at
 * least four devices), not `lspci -s` output. */
static void configs_from_caps(struct gd_import *im) {
        size_t n = 0;
        bool whole = false;

        for (size_t i = 0; i < im->n_devs; i++)
                if (imp_dev_recordable(&im->devs[i])) {
                        n++;
                        whole = whole || im->devs[i].class16 == 0x0600 ||
                                (im->devs[i].bus == 0 && im->devs[i].slot == 0 && im->devs[i].func == 0);
                }
        whole = whole && n >= 4;
        for (size_t i = 0; i < im->n_devs; i++) {
                struct imp_dev *d = &im->devs[i];
                bool siblings = false;

                for (size_t j = 0; j < im->n_devs; j++)
                        siblings = siblings || (j != i && imp_dev_recordable(&im->devs[j]) &&
                                                im->devs[j].domain == d->domain && im->devs[j].bus == d->bus &&
                                                im->devs[j].slot == d->slot);
                if (siblings || whole)
                        imp_config_from_caps(im, d, siblings);
        }
}

int gd_import_write(struct gd_import *im, FILE *out, const char *source, const char *created) {
        _cleanup_emit_ struct gd_emit *em = NULL;
        _cleanup_(recs_done) struct recs rs = { 0 };
        _cleanup_free_ char *text = NULL, *kernel = NULL;
        _cleanup_strv_free_ char **unreadable = NULL;
        size_t tlen = 0;
        int r;

        for (size_t i = 0; i < im->n_devs; i++)
                imp_hex_finish(im, &im->devs[i]);
        if (im->n_devs > 0)
                qsort(im->devs, im->n_devs, sizeof(*im->devs), cmp_dev_addr);
        configs_from_caps(im);
        kernel = kernel_release(im);
        if (kernel && !imp_file_find(im, "/proc/sys/kernel/osrelease") &&
            imp_file_append(im, "/proc/sys/kernel/osrelease", kernel, strlen(kernel)) < 0)
                return -ENOMEM;
        if (im->n_files > 0)
                qsort(im->files, im->n_files, sizeof(*im->files), cmp_file);

        r = build_recording(im, &rs, &text, &tlen, &unreadable);
        if (r < 0)
                return r;
        em = gd_emit_new(out, GD_EMIT_YAML);
        if (!em)
                return -ENOMEM;

        gd_emit_map_begin(em);
        gd_emit_kv_str(em, "format", "gpudiag-bundle/1");
        gd_emit_key(em, "metadata");
        gd_emit_map_begin(em);
        gd_emit_kv_str(em, "tool", "gpudiag " GPUDIAG_VERSION " (import)");
        gd_emit_kv_str(em, "created", created);
        if (kernel)
                gd_emit_kv_str(em, "kernel", kernel);
        gd_emit_kv_str(em, "origin", "imported");
        gd_emit_key(em, "source");
        gd_emit_text(em, source, strlen(source));
        gd_emit_map_end(em);
        if (text) {
                /* One newline at the end, so the recording stays a literal block. */
                while (tlen > 1 && text[tlen - 1] == '\n' && text[tlen - 2] == '\n')
                        text[--tlen] = '\0';
                gd_emit_key(em, "umockdev");
                gd_emit_text(em, text, tlen);
        }
        if (im->have_groups)
                emit_groups(em, im);
        if (im->n_files > 0) {
                gd_emit_key(em, "files");
                gd_emit_map_begin(em);
                for (size_t i = 0; i < im->n_files; i++) {
                        gd_emit_key(em, im->files[i].path);
                        gd_emit_text(em, im->files[i].content, im->files[i].len);
                }
                gd_emit_map_end(em);
        }
        if (unreadable) {
                gd_emit_key(em, "unreadable");
                gd_emit_seq_begin(em);
                for (size_t i = 0; unreadable[i]; i++)
                        gd_emit_str(em, unreadable[i]);
                gd_emit_seq_end(em);
        }
        gd_emit_map_end(em);
        return gd_emit_finish(em);
}
