/* SPDX-License-Identifier: MIT */
/* The imported bundle: a umockdev recording synthesised from what the text
 * proves, the group listing, the files, and `unreadable:` for every driver
 * link the text does not show (so the reader says "driver unknown" rather
 * than "no driver").  Written only through the event emitter. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "base/emit.h"
#include "base/strv.h"
#include "bundle/redact.h"
#include "config.h"
#include "import/import-internal.h"

#define MAX_DEPTH 32

/* Every device the text names is recorded.  One whose IDs or class the
 * text does not prove gets the placeholders host/pci.c knows: vendor and
 * device 0x0000 (no host lists such a function) and class 0xff0000 without
 * PCI_CLASS in its uevent, so the reader says unknown. */
static bool recordable(const struct imp_dev *d) {
        (void) d;
        return true;
}

static bool ids_known(const struct imp_dev *d) {
        return d->vendor != IMP_UNSET && d->device != IMP_UNSET;
}

/* The bridges by (domain, secondary bus), in devs order within one bus:
 * looked up once per device and parent (a search of every device for each
 * was quadratic). */
struct bridges {
        const struct imp_dev **v;
        size_t n;
};

static int cmp_bridge(const void *a, const void *b) {
        const struct imp_dev *x = *(const struct imp_dev * const *) a, *y = *(const struct imp_dev * const *) b;

        if (x->domain != y->domain)
                return x->domain < y->domain ? -1 : 1;
        if (x->secondary != y->secondary)
                return x->secondary < y->secondary ? -1 : 1;
        return (x > y) - (x < y);
}

static void bridges_done(struct bridges *br) {
        free(br->v);
}

static int bridges_index(const struct gd_import *im, struct bridges *br) {
        br->v = calloc(im->n_devs + 1, sizeof(*br->v));
        if (!br->v)
                return -ENOMEM;
        for (size_t i = 0; i < im->n_devs; i++)
                if (im->devs[i].secondary != IMP_UNSET)
                        br->v[br->n++] = &im->devs[i];
        qsort(br->v, br->n, sizeof(*br->v), cmp_bridge);
        return 0;
}

/* The first bridge (in devs order) whose secondary bus is d's bus (Bus:
 * lines, config dumps), not on that bus itself. */
static const struct imp_dev *bridge_of(const struct bridges *br, const struct imp_dev *d) {
        size_t lo = 0, hi = br->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const struct imp_dev *b = br->v[mid];

                if (b->domain < d->domain || (b->domain == d->domain && b->secondary < (int) d->bus))
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (; lo < br->n && br->v[lo]->domain == d->domain && br->v[lo]->secondary == (int) d->bus; lo++)
                if (br->v[lo] != d && br->v[lo]->bus != d->bus)
                        return br->v[lo];
        return NULL;
}

static const char *parent_of(const struct bridges *br, const struct imp_dev *d) {
        const struct imp_dev *b;

        if (d->parent)
                return d->parent;
        if (d->parent_is_root)
                return NULL;
        b = bridge_of(br, d);
        return b ? b->address : NULL;
}

/* /devices/pciDDDD:BB/<bridges...>/<address>: the chain of parents up to a
 * device with none, whose bus is the root bus. */
static char *device_path(struct gd_import *im, const struct bridges *br, const struct imp_dev *d) {
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
                cur = parent_of(br, c);
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

/* The recording grows in a memory stream: appending by realloc() copied
 * it once per line. */
static int append(FILE *f, const char *fmt, ...) _printf_(2, 3);
static int append(FILE *f, const char *fmt, ...) {
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vfprintf(f, fmt, ap);
        va_end(ap);
        return n < 0 ? -ENOMEM : 0;
}

static int record_device(FILE *buf, const struct rec *r) {
        const struct imp_dev *d = r->d;
        bool ids = ids_known(d), cls_known = d->class16 != IMP_UNSET;
        unsigned cls = cls_known ? (unsigned) d->class16 << 8 | (unsigned) (d->progif == IMP_UNSET ? 0 : d->progif) :
                                   0xff0000u;
        bool subsys = ids && d->svendor != IMP_UNSET && d->sdevice != IMP_UNSET;
        _cleanup_free_ char *modalias = NULL;
        int e = 0;

        /* The modalias needs the subsystem and the prog-if: written only
         * when the text proves both (lspci -k/-v, or a config dump). */
        if (subsys && cls_known && d->progif != IMP_UNSET &&
            asprintf(&modalias, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", d->vendor, d->device, d->svendor,
                     d->sdevice, (unsigned) d->class16 >> 8, (unsigned) d->class16 & 0xff, (unsigned) d->progif) < 0)
                return -ENOMEM;
        e |= append(buf, "P: %s\n", r->path);
        if (d->driver)
                e |= append(buf, "E: DRIVER=%s\n", d->driver);
        if (modalias)
                e |= append(buf, "E: MODALIAS=%s\n", modalias);
        if (cls_known)
                e |= append(buf, "E: PCI_CLASS=%X\n", cls);
        if (ids)
                e |= append(buf, "E: PCI_ID=%04X:%04X\n", d->vendor, d->device);
        e |= append(buf, "E: PCI_SLOT_NAME=%s\n", d->address);
        if (subsys)
                e |= append(buf, "E: PCI_SUBSYS_ID=%04X:%04X\n", d->svendor, d->sdevice);
        e |= append(buf, "E: SUBSYSTEM=pci\n");
        if (d->boot_vga == TRI_YES)
                e |= append(buf, "A: boot_vga=1\\n\n");
        e |= append(buf, "A: class=0x%06x\\n\n", cls);
        if (d->config_len > 0) {
                e |= append(buf, "H: config=");
                for (size_t i = 0; i < d->config_len; i++)
                        e |= append(buf, "%02X", d->config[i]);
                e |= append(buf, "\n");
        }
        e |= append(buf, "A: device=0x%04x\\n\n", ids ? (unsigned) d->device : 0u);
        if (modalias)
                e |= append(buf, "A: modalias=%s\\n\n", modalias);
        if (ids && d->revision != IMP_UNSET)
                e |= append(buf, "A: revision=0x%02x\\n\n", d->revision);
        if (subsys) {
                e |= append(buf, "A: subsystem_device=0x%04x\\n\n", d->sdevice);
                e |= append(buf, "A: subsystem_vendor=0x%04x\\n\n", d->svendor);
        }
        e |= append(buf, "A: vendor=0x%04x\\n\n", ids ? (unsigned) d->vendor : 0u);
        if (d->driver) {
                e |= append(buf, "L: driver=");
                for (unsigned i = 0; i < depth_of(r->path); i++)
                        e |= append(buf, "../");
                e |= append(buf, "bus/pci/drivers/%s\n", d->driver);
        }
        e |= append(buf, "\n");
        return e ? -ENOMEM : 0;
}

static int cmp_group_member(const void *a, const void *b) {
        const struct imp_dev *x = *(const struct imp_dev * const *) a, *y = *(const struct imp_dev * const *) b;

        if (x->group != y->group)
                return x->group < y->group ? -1 : 1;
        return strcmp(x->address, y->address);
}

/* Groups in numeric order, members in address order: one sort (a pass over
 * every device per group was quadratic). */
static int emit_groups(struct gd_emit *em, const struct gd_import *im) {
        _cleanup_free_ const struct imp_dev **m = calloc(im->n_devs + 1, sizeof(*m));
        size_t n = 0;

        if (!m)
                return -ENOMEM;
        for (size_t i = 0; i < im->n_devs; i++)
                if (recordable(&im->devs[i]) && im->devs[i].group >= 0)
                        m[n++] = &im->devs[i];
        qsort(m, n, sizeof(*m), cmp_group_member);
        gd_emit_key(em, "iommu_groups");
        gd_emit_seq_begin(em);
        for (size_t i = 0; i < n; ) {
                int group = m[i]->group;

                gd_emit_map_begin(em);
                gd_emit_kv_int(em, "group", group);
                gd_emit_key(em, "devices");
                gd_emit_seq_begin(em);
                for (; i < n && m[i]->group == group; i++)
                        gd_emit_str(em, m[i]->address);
                gd_emit_seq_end(em);
                gd_emit_map_end(em);
        }
        gd_emit_seq_end(em);
        return 0;
}

/* "Linux version 6.8.12-4-pve (...)" in the kernel log proves the release
 * (init/version.c linux_banner); without it, the kernel image the boot
 * loader named on the command line does, when its name carries one
 * ("BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve": the image of that release, as
 * every distribution names them; "vmlinuz-linux" names none). */
static char *kernel_release(struct gd_import *im) {
        const struct imp_file *kmsg = imp_file_find(im, "/dev/kmsg"), *cmd = imp_file_find(im, "/proc/cmdline");
        const char *p;
        char *r;

        if (kmsg && (p = strstr(kmsg->content, ";Linux version "))) {
                p += strlen(";Linux version ");
                return strndup(p, strcspn(p, " \n"));
        }
        if (!cmd || !(p = strstr(cmd->content, "BOOT_IMAGE=")) || !(p = strstr(p, "vmlinuz-")) ||
            !isdigit((unsigned char) p[8]))
                return NULL;
        p += strlen("vmlinuz-");
        r = strndup(p, strcspn(p, " \n"));
        if (r)
                imp_infer(im, "kernel release %s, from the kernel image on the command line (BOOT_IMAGE=)", r);
        return r;
}

/* Only <hostdev> elements were pasted: the reader wants a domain. */
static int wrap_libvirt_fragments(struct gd_import *im) {
        struct imp_file *f = imp_file_find(im, IMP_LIBVIRT_XML);
        static const char head[] = "<domain type='kvm'>\n  <name>pasted</name>\n  <devices>\n";
        static const char tail[] = "  </devices>\n</domain>\n";
        char *n;

        if (!f || strstr(f->content, "<domain"))
                return 0;
        if (asprintf(&n, "%s%s%s", head, f->content, tail) < 0)
                return -ENOMEM;
        free(f->content);
        f->content = n;
        f->len = f->cap = strlen(n);
        f->pending_blank = 0;
        return 0;
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

static int cmp_int(const void *a, const void *b) {
        int x = *(const int *) a, y = *(const int *) b;
        return (x > y) - (x < y);
}

/* The driver links and reset methods the text does not show, and the
 * members of groups it shows only in part (a kernel log line, a listing
 * cut off): unknown. */
static int unknown_paths(struct gd_import *im, char ***ret) {
        _cleanup_free_ int *partial = calloc(im->n_devs + 1, sizeof(int));
        size_t n = 0, np = 0;
        char **l = calloc(3 * im->n_devs + 2, sizeof(char *));

        if (!l || !partial) {
                free(l);
                return -ENOMEM;
        }
        *ret = l;
        for (size_t i = 0; i < im->n_devs; i++) {
                const struct imp_dev *d = &im->devs[i];

                if (!recordable(d))
                        continue;
                if (d->driver_known != TRI_YES &&
                    asprintf(&l[n++], "/sys/bus/pci/devices/%s/driver", d->address) < 0)
                        return l[--n] = NULL, -ENOMEM;
                /* No paste shows reset_method (not even lspci -vv), and on
                 * 5.15+ an absent one means "no reset method": unknown. */
                if (asprintf(&l[n++], "/sys/bus/pci/devices/%s/reset_method", d->address) < 0)
                        return l[--n] = NULL, -ENOMEM;
                if (d->group >= 0 && d->group_partial)
                        partial[np++] = d->group;
        }
        qsort(partial, np, sizeof(int), cmp_int);
        for (size_t i = 0; i < np; i++)
                if ((i == 0 || partial[i] != partial[i - 1]) &&
                    asprintf(&l[n++], "/sys/kernel/iommu_groups/%d/devices", partial[i]) < 0)
                        return l[--n] = NULL, -ENOMEM;
        /* No group listing: the groups are unknown, not absent. */
        if (!im->have_groups && !(l[n++] = strdup("/sys/kernel/iommu_groups")))
                return -ENOMEM;
        return 0;
}

/* A driver the text shows only as a kernel log line's prefix
 * (kmsg-devices.c) is the device's driver when nothing else says. */
static int apply_log_drivers(struct gd_import *im) {
        for (size_t i = 0; i < im->n_devs; i++) {
                struct imp_dev *d = &im->devs[i];

                if (d->driver_known == TRI_YES || !d->log_driver)
                        continue;
                d->driver_known = TRI_YES;
                if (!d->log_driver[0]) {
                        /* The last word of the log: a failed probe. */
                        imp_infer(im, "%s has no driver: its last probe failed (kernel log line %s)", d->address,
                                  d->log_driver_where ? d->log_driver_where : "-");
                        continue;
                }
                d->driver = strdup(d->log_driver);
                if (!d->driver)
                        return -ENOMEM;
                imp_infer(im, "driver of %s: %s, from the prefix of the kernel log line %s (the last that names it "
                          "with a driver)", d->address, d->driver, d->log_driver_where ? d->log_driver_where : "-");
        }
        return 0;
}

/* The recording text, sorted by path (parents first). */
static int build_recording(struct gd_import *im, struct recs *rs, char **text, size_t *tlen) {
        _cleanup_(bridges_done) struct bridges br = {};
        FILE *f;
        int r = 0;

        rs->r = calloc(im->n_devs + 1, sizeof(*rs->r));
        if (!rs->r || bridges_index(im, &br) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < im->n_devs; i++) {
                struct imp_dev *d = &im->devs[i];

                if (!recordable(d)) {
                        if (d->listed)
                                imp_warn(im, NULL, "%s: %s: vendor, device or class unknown (paste lspci -nn); not recorded",
                                         d->where ? d->where : "-", d->address);
                        continue;
                }
                rs->r[rs->n] = (struct rec) { .path = device_path(im, &br, d), .d = d };
                if (!rs->r[rs->n++].path)
                        return -ENOMEM;
        }
        if (rs->n > 0)
                qsort(rs->r, rs->n, sizeof(*rs->r), cmp_rec);
        f = open_memstream(text, tlen);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < rs->n && r >= 0; i++)
                r = record_device(f, &rs->r[i]);
        if (fclose(f) != 0 || r < 0)
                return -ENOMEM;
        if (*tlen == 0)
                *text = mfree_str(*text);
        return 0;
}

static bool same_slot(const struct imp_dev *a, const struct imp_dev *b) {
        return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot;
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
        /* The devices are sorted by address: a slot's functions are
         * neighbours, at most eight, so this stays linear in a hostile
         * paste of thousands of devices. */
        for (size_t i = 0; i < im->n_devs; i++) {
                struct imp_dev *d = &im->devs[i];
                bool siblings = false;

                for (size_t j = i; j-- > 0 && same_slot(&im->devs[j], d);)
                        siblings = siblings || imp_dev_recordable(&im->devs[j]);
                for (size_t j = i + 1; j < im->n_devs && same_slot(&im->devs[j], d); j++)
                        siblings = siblings || imp_dev_recordable(&im->devs[j]);
                if (siblings || whole)
                        imp_config_from_caps(im, d, siblings);
        }
}

/* Text from the paste, as a literal block, redacted. */
static int emit_text_redacted(struct gd_emit *em, struct gd_redact *redact, const char *s, size_t len) {
        _cleanup_free_ char *red = NULL;
        size_t rlen = 0;

        if (!redact) {
                gd_emit_text(em, s, len);
                return 0;
        }
        if (gd_redact_text(redact, s, len, false, &red, &rlen) < 0)
                return -ENOMEM;
        gd_emit_text(em, red, rlen);
        return 0;
}

int gd_import_write(struct gd_import *im, FILE *out, const char *source, const char *created,
                    struct gd_redact *redact) {
        _cleanup_emit_ struct gd_emit *em = NULL;
        _cleanup_(recs_done) struct recs rs = { 0 };
        _cleanup_free_ char *text = NULL, *kernel = NULL;
        _cleanup_strv_free_ char **unreadable = NULL;
        size_t tlen = 0;
        int r;

        for (size_t i = 0; i < im->n_devs; i++) {
                imp_hex_finish(im, &im->devs[i]);
                /* lspci -xxxx dumps hold the PCIe Device Serial Number. */
                gd_redact_config_space(redact, im->devs[i].config, im->devs[i].config_len);
        }
        if (im->n_devs > 0)
                qsort(im->devs, im->n_devs, sizeof(*im->devs), cmp_dev_addr);
        if (imp_dev_reindex(im) < 0)
                return -ENOMEM;
        configs_from_caps(im);
        if (apply_log_drivers(im) < 0 || imp_infer_from_log(im) < 0 || imp_xen_infer(im) < 0)
                return -ENOMEM;
        kernel = kernel_release(im);
        if (kernel && !imp_file_find(im, "/proc/sys/kernel/osrelease") &&
            imp_file_append(im, "/proc/sys/kernel/osrelease", kernel, strlen(kernel)) < 0)
                return -ENOMEM;
        if (wrap_libvirt_fragments(im) < 0)
                return -ENOMEM;
        if (im->n_files > 0)
                qsort(im->files, im->n_files, sizeof(*im->files), cmp_file);

        r = build_recording(im, &rs, &text, &tlen);
        if (r >= 0)
                r = unknown_paths(im, &unreadable);
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
        if (emit_text_redacted(em, redact, source, strlen(source)) < 0)
                return -ENOMEM;
        gd_emit_key(em, "redacted");
        gd_emit_flow_seq_begin(em);
        for (const char *const *k = gd_redact_kinds(redact); *k; k++)
                gd_emit_str(em, *k);
        gd_emit_seq_end(em);
        gd_emit_map_end(em);
        if (text) {
                /* One newline at the end, so the recording stays a literal block. */
                while (tlen > 1 && text[tlen - 1] == '\n' && text[tlen - 2] == '\n')
                        text[--tlen] = '\0';
                gd_emit_key(em, "umockdev");
                gd_emit_text(em, text, tlen);
        }
        if (im->have_groups && emit_groups(em, im) < 0)
                return -ENOMEM;
        if (im->n_files > 0) {
                gd_emit_key(em, "files");
                gd_emit_map_begin(em);
                for (size_t i = 0; i < im->n_files; i++) {
                        gd_emit_key(em, im->files[i].path);
                        if (emit_text_redacted(em, redact, im->files[i].content, im->files[i].len) < 0)
                                return -ENOMEM;
                }
                gd_emit_map_end(em);
        }
        if (unreadable && unreadable[0]) {
                gd_emit_key(em, "unreadable");
                gd_emit_seq_begin(em);
                for (size_t i = 0; unreadable[i]; i++)
                        gd_emit_str(em, unreadable[i]);
                gd_emit_seq_end(em);
        }
        gd_emit_map_end(em);
        im->written_nodes = gd_emit_nodes(em, &im->written_depth);
        return gd_emit_finish(em);
}

void gd_import_written_nodes(const struct gd_import *im, size_t *ret_nodes, unsigned *ret_depth) {
        *ret_nodes = im->written_nodes;
        *ret_depth = im->written_depth;
}
