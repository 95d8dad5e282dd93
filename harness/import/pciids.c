/* SPDX-License-Identifier: MIT */
/* The IDs of a device that plain lspci (without -n) names: lspci prints
 * "<vendor name> <device name>" from pci.ids (pciutils lib/names.c,
 * format_name_pair()), or "<vendor name> Device <dddd>" when pci.ids lacks
 * the device.  The same pci.ids read backwards gives the IDs, when exactly
 * one vendor and one of its devices have those names.  A name this pci.ids
 * does not have (another version of it) leaves the IDs unknown.
 *
 * pci.ids is the system's (the one lspci here reads: Debian's pciutils
 * installs /usr/share/misc/pci.ids, others /usr/share/hwdata/pci.ids), read
 * once, on the first name looked up.  Lookups are binary searches: a vendor
 * name is tried at each word boundary of the text (vendor names have a few
 * words), then the rest as its device. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "import/import-internal.h"

#define PCI_IDS_MAX (16u << 20)

static const char *const pci_ids_paths[] = {
        "/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids",
};

struct name_id {
        const char *name;       /* into the file's text, NUL-terminated */
        unsigned id;
        size_t vendor;          /* devices: index of their vendor */
};

struct imp_pciids {
        char *text;
        struct name_id *vendors, *devices;
        size_t n_vendors, n_devices;
        bool loaded;
};

static int cmp_vendor(const void *a, const void *b) {
        return strcmp(((const struct name_id *) a)->name, ((const struct name_id *) b)->name);
}

/* Devices by vendor index, then name. */
static int cmp_device(const void *a, const void *b) {
        const struct name_id *x = a, *y = b;

        if (x->vendor != y->vendor)
                return x->vendor < y->vendor ? -1 : 1;
        return strcmp(x->name, y->name);
}

static bool hex4(const char *s, unsigned *ret) {
        unsigned v = 0;

        for (size_t i = 0; i < 4; i++) {
                if (!isxdigit((unsigned char) s[i]))
                        return false;
                v = v << 4 | (unsigned) (isdigit((unsigned char) s[i]) ? s[i] - '0' : tolower(s[i]) - 'a' + 10);
        }
        *ret = v;
        return true;
}

static void *grow(void *p, size_t n, size_t *cap, size_t size) {
        void *np;

        if (n < *cap)
                return p;
        *cap = *cap ? *cap * 2 : 1024;
        np = reallocarray(p, *cap, size);
        if (!np)
                free(p);
        return np;
}

static int load(struct imp_pciids *ids) {
        size_t len = 0, cap_v = 0, cap_d = 0, vendor_file_index = 0;
        bool in_vendor = false;
        char *line, *save = NULL;

        ids->loaded = true;
        for (size_t i = 0; i < ELEMENTSOF(pci_ids_paths) && !ids->text; i++)
                if (read_file_capped(pci_ids_paths[i], PCI_IDS_MAX, &ids->text, &len) < 0)
                        ids->text = NULL;
        if (!ids->text)
                return -ENOENT;
        for (line = strtok_r(ids->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                unsigned id;

                if (line[0] == '#' || line[0] == '\0')
                        continue;
                if (line[0] == 'C' && line[1] == ' ')
                        break;          /* the class list ends the vendors */
                if (line[0] != '\t' && strlen(line) > 6 && hex4(line, &id) && line[4] == ' ' && line[5] == ' ') {
                        ids->vendors = grow(ids->vendors, ids->n_vendors, &cap_v, sizeof(*ids->vendors));
                        if (!ids->vendors)
                                return -ENOMEM;
                        vendor_file_index = ids->n_vendors;
                        ids->vendors[ids->n_vendors++] = (struct name_id) { .name = line + 6, .id = id,
                                                                            .vendor = vendor_file_index };
                        in_vendor = true;
                } else if (in_vendor && line[0] == '\t' && line[1] != '\t' && strlen(line) > 7 && hex4(line + 1, &id) &&
                           line[5] == ' ' && line[6] == ' ') {
                        ids->devices = grow(ids->devices, ids->n_devices, &cap_d, sizeof(*ids->devices));
                        if (!ids->devices)
                                return -ENOMEM;
                        ids->devices[ids->n_devices++] = (struct name_id) { .name = line + 7, .id = id,
                                                                            .vendor = vendor_file_index };
                }
        }
        /* Devices refer to vendors by their order in the file: sort
         * devices first, then give each vendor its file index back. */
        qsort(ids->devices, ids->n_devices, sizeof(*ids->devices), cmp_device);
        qsort(ids->vendors, ids->n_vendors, sizeof(*ids->vendors), cmp_vendor);
        return 0;
}

struct imp_pciids *imp_pciids_free(struct imp_pciids *ids) {
        if (ids) {
                free(ids->vendors);
                free(ids->devices);
                free(ids->text);
                free(ids);
        }
        return NULL;
}

/* The vendors named exactly s[0..n): a range of the sorted array. */
static size_t vendor_range(const struct imp_pciids *ids, const char *s, size_t n, size_t *ret_first) {
        size_t lo = 0, hi = ids->n_vendors, count = 0;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strncmp(ids->vendors[mid].name, s, n);

                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        *ret_first = lo;
        for (; lo + count < ids->n_vendors && strncmp(ids->vendors[lo + count].name, s, n) == 0; count++)
                ;
        return count;
}

/* The device of vendor (file index) named exactly name[0..n); -1 if none
 * or more than one. */
static int device_id(const struct imp_pciids *ids, size_t vendor, const char *name, size_t n) {
        size_t lo = 0, hi = ids->n_devices;
        int found = -1;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const struct name_id *d = &ids->devices[mid];
                int c = d->vendor != vendor ? (d->vendor < vendor ? -1 : 1) : strncmp(d->name, name, n);

                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (; lo < ids->n_devices && ids->devices[lo].vendor == vendor && strncmp(ids->devices[lo].name, name, n) == 0;
             lo++) {
                if (ids->devices[lo].name[n] != '\0')
                        continue;
                if (found >= 0 && (unsigned) found != ids->devices[lo].id)
                        return -1;
                found = (int) ids->devices[lo].id;
        }
        return found;
}

int imp_pciids_lookup(struct imp_pciids **pids, const char *s, size_t len, unsigned *ret_vendor, unsigned *ret_device) {
        struct imp_pciids *ids = *pids;
        int found_v = -1, found_d = -1;

        if (!ids) {
                ids = *pids = calloc(1, sizeof(*ids));
                if (!ids)
                        return -ENOMEM;
        }
        if (!ids->loaded && load(ids) < 0)
                return -ENOENT;
        if (!ids->text)
                return -ENOENT;
        while (len > 0 && s[len - 1] == ' ')
                len--;
        /* Each word boundary is a possible end of the vendor's name. */
        for (size_t cut = 0; cut < len; cut++) {
                size_t first, count;

                if (s[cut] != ' ' || cut == 0)
                        continue;
                count = vendor_range(ids, s, cut, &first);
                for (size_t k = 0; k < count; k++) {
                        const struct name_id *v = &ids->vendors[first + k];
                        const char *dev = s + cut + 1;
                        size_t dn = len - cut - 1;
                        unsigned hexid;
                        int d;

                        if (v->name[cut] != '\0')
                                continue;
                        /* "Intel Corporation Device 7a4f": pci.ids lacks the device. */
                        if (dn == 11 && strncmp(dev, "Device ", 7) == 0 && hex4(dev + 7, &hexid))
                                d = (int) hexid;
                        else
                                d = device_id(ids, v->vendor, dev, dn);
                        if (d < 0)
                                continue;
                        if (found_v >= 0 && ((unsigned) found_v != v->id || found_d != d))
                                return -ENOENT;         /* two readings: not unambiguous */
                        found_v = (int) v->id;
                        found_d = d;
                }
        }
        if (found_v < 0)
                return -ENOENT;
        *ret_vendor = (unsigned) found_v;
        *ret_device = (unsigned) found_d;
        return 0;
}

void imp_ids_from_name(struct gd_import *im, struct imp_dev *d, const char *name, size_t len, const struct imp_line *l) {
        unsigned v, dv;

        if (d->vendor != IMP_UNSET || d->device != IMP_UNSET || len == 0)
                return;
        if (imp_pciids_lookup(&im->pciids, name, len, &v, &dv) < 0)
                return;
        d->vendor = (int) v;
        d->device = (int) dv;
        imp_infer(im, "IDs of %s: %04x:%04x, from its name in pci.ids (\"%.*s\", %s:%u)", d->address, v, dv,
                  (int) (len > 80 ? 80 : len), name, l ? l->file : "-", l ? l->lineno : 0);
}
