/* SPDX-License-Identifier: MIT */
/* PCI discovery: libpci first, sysfs for the rest.
 *
 * libpci (pciutils lib/sysfs.c) gives identity, class, subsystem, the driver
 * in use and names.  Under umockdev it reads the testbed like any program;
 * its driver lookup resolves the `driver` link only when the target
 * directory /sys/bus/pci/drivers/<name> exists (sysfs_fill_info() calls
 * readlink then checks the bus directory), which the replay testbed
 * creates.  We read the driver link ourselves anyway, because we must tell
 * "no driver" (no link) from "could not read" (unknown) and libpci reports
 * both as NULL. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <pci/pci.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/io.h"
#include "base/macro.h"
#include "pci-caps.h"
#include "pci.h"

#define SYS_PCI_DEVICES "/sys/bus/pci/devices"

int gd_pci_parse_address(const char *s, unsigned *domain, unsigned *bus, unsigned *dev, unsigned *func) {
        unsigned d, b, s2, f;
        int n = 0;

        if (!s || sscanf(s, "%4x:%2x:%2x.%1x%n", &d, &b, &s2, &f, &n) != 4 || s[n] != '\0' ||
            strlen(s) != 12 || s2 > 0x1f || f > 7)
                return -EINVAL;
        *domain = d;
        *bus = b;
        *dev = s2;
        *func = f;
        return 0;
}

static void silent(char *msg, ...) { (void) msg; }

/* libpci's error callback must not return (it is declared noreturn, and
 * the default one exits).  A library must not exit under its caller, so we
 * jump back to gd_pci_read(), which reports -EIO. */
static jmp_buf pci_error_jmp;

static _Noreturn void pci_error_jump(char *msg, ...) {
        (void) msg;
        longjmp(pci_error_jmp, 1);
}

static int parse_hex_attr(const char *dir, const char *attr, unsigned long *ret) {
        _cleanup_free_ char *v = NULL;
        char *end;
        int r = gd_io_read_attr(dir, attr, &v);

        if (r < 0)
                return r;
        errno = 0;
        *ret = strtoul(v, &end, 16);
        if (errno || end == v)
                return -EINVAL;
        return 0;
}

static void read_bars(struct gd_pci_dev *d, const char *dir) {
        _cleanup_free_ char *v = NULL;
        char *line, *save = NULL;
        unsigned idx = 0;

        if (gd_io_read_attr(dir, "resource", &v) < 0)
                return;
        d->bars_read = true;
        for (line = strtok_r(v, "\n", &save); line && idx < 7; line = strtok_r(NULL, "\n", &save), idx++) {
                unsigned long long s, e, fl;
                if (sscanf(line, "%llx %llx %llx", &s, &e, &fl) != 3)
                        continue;
                if (s == 0 && e == 0)
                        continue;
                d->bars[d->n_bars++] = (struct gd_bar) { .index = idx, .start = s, .end = e, .flags = fl };
        }
}

/* Resolves /sys/bus/pci/devices/<addr> to /sys/devices/... and the parent
 * bridge (the path component before ours, when it is a PCI address). */
static void read_topology(struct gd_pci_dev *d, const char *dir) {
        _cleanup_free_ char *target = NULL;
        const char *dev_part;
        char *last, *prev;
        unsigned a, b, c, e;

        if (gd_io_readlink(dir, &target) < 0 || !*target)
                return;
        dev_part = strstr(target, "devices/");
        if (dev_part) {
                d->sysfs_path = path_join("/sys", dev_part);
        }
        last = strrchr(target, '/');
        if (!last)
                return;
        *last = '\0';
        prev = strrchr(target, '/');
        prev = prev ? prev + 1 : target;
        if (gd_pci_parse_address(prev, &a, &b, &c, &e) == 0)
                d->parent = strdup(prev);
}

/* What every device needs: its driver, modalias (module_used_elsewhere()
 * asks it of every device), IOMMU group and place in the tree. */
/* libpci takes the revision from the `revision` attribute and, without it,
 * from config byte 8, where a failed read gives 0xff (lib/sysfs.c
 * sysfs_fill_info(), lib/access.c pci_read_data()): lspci then prints
 * "(rev ff)", which reads as a dead device.  Every kernel since 2.6.23 has
 * the attribute (pci-sysfs.c, pci_dev_attrs); a host imported from a paste
 * that did not show the revision has neither, and its revision is unknown. */
/* The revision is known when sysfs has the attribute (libpci reads it,
 * host/declared.c), or else when config space reaches its byte (older
 * kernels, imported bundles): a paste without "(rev xx)" has neither, and
 * then no revision is printed (0xff would mean a dead device). */
static bool revision_known(const char *dir) {
        _cleanup_free_ char *rev = path_join(dir, "revision"), *cfg = path_join(dir, "config"), *buf = NULL;
        size_t len = 0;

        if (rev && gd_io_stat(rev, NULL) == 0)
                return true;
        return cfg && gd_io_read(cfg, GD_CAP_CONFIG_SPACE, &buf, &len) == 0 && len > PCI_REVISION_ID;
}

/* An imported host records a device the paste named by its address alone
 * with vendor and device 0x0000, which no host lists:
 * pci_bus_generic_read_dev_vendor_id() (drivers/pci/probe.c) refuses a
 * function whose vendor ID reads 0x0000 (or all ones), so the device is
 * never created.  Its class is known when the device's uevent holds
 * PCI_CLASS, which pci_uevent() (drivers/pci/pci-driver.c) writes for every
 * device; an imported device whose class the paste did not show has none
 * (and class 0xff0000, "Unassigned class", for libpci and lspci).  uevent
 * is read only for those placeholders, so a live host reads nothing more. */
#define IMPORTED_CLASS_PLACEHOLDER 0xff0000u

static void read_identity_unknowns(struct gd_pci_dev *d, const char *dir) {
        _cleanup_free_ char *uevent = NULL;

        d->ids_unknown = d->vendor == 0x0000;
        if (!d->ids_unknown && d->class_code != IMPORTED_CLASS_PLACEHOLDER)
                return;
        if (gd_io_read_attr(dir, "uevent", &uevent) == 0 && !strstr(uevent, "PCI_CLASS="))
                d->class_unknown = true;
        if (d->ids_unknown) {
                d->vendor_name = mfree_str(d->vendor_name);
                d->device_name = mfree_str(d->device_name);
                d->has_subsys = false;
        }
        if (d->class_unknown)
                d->class_name = mfree_str(d->class_name);
}

static void read_core_facts(struct gd_pci_dev *d) {
        _cleanup_free_ char *dir = path_join(SYS_PCI_DEVICES, d->address);
        _cleanup_free_ char *grp = NULL;
        int r;

        d->reset_method_state = -ENODATA;
        gd_pci_caps_parse(NULL, 0, &d->caps);
        if (!dir)
                return;

        read_identity_unknowns(d, dir);
        r = gd_io_link_basename(dir, "driver", &d->driver);
        d->driver_known = (r == 0 || r == -ENOENT) ? TRI_YES : TRI_UNKNOWN;

        (void) gd_io_read_attr(dir, "modalias", &d->modalias);
        d->revision_known = !d->ids_unknown && revision_known(dir);

        r = gd_io_link_basename(dir, "iommu_group", &grp);
        d->iommu_group = r == 0 ? atoi(grp) : GD_GROUP_NONE;

        read_topology(d, dir);
}

/* What the checks ask of a card's functions, their group and the bridges
 * above them: overrides, reset and power, BARs, config-space capabilities. */
static void read_detail_facts(struct gd_pci_dev *d) {
        _cleanup_free_ char *dir = path_join(SYS_PCI_DEVICES, d->address);
        _cleanup_free_ char *v = NULL, *cfg_path = NULL, *cfg = NULL;
        unsigned long num;
        size_t cfg_len = 0;
        int r;

        if (!dir)
                return;
        d->details_read = true;

        if (gd_io_read_attr(dir, "driver_override", &v) == 0 && !streq(v, "(null)") && *v)
                d->driver_override = TAKE_PTR(v);
        v = mfree_str(v);

        /* boot_vga exists only for VGA-class devices (pci-sysfs.c,
         * pci_dev_attr_is_visible), so ENOENT means "not the boot VGA". */
        r = gd_io_read_attr(dir, "boot_vga", &v);
        d->boot_vga = r == 0 ? (streq(v, "1") ? TRI_YES : TRI_NO) : r == -ENOENT ? TRI_NO : TRI_UNKNOWN;
        v = mfree_str(v);

        /* reset_method appeared in Linux 5.15; absent means unknown. */
        r = gd_io_read_attr(dir, "reset_method", &v);
        d->reset_method_state = r;
        if (r == 0)
                d->reset_method = TAKE_PTR(v);

        (void) gd_io_read_attr(dir, "power_state", &d->power_state);
        r = gd_io_read_attr(dir, "d3cold_allowed", &v);
        if (r == 0)
                d->d3cold_allowed = streq(v, "1") ? TRI_YES : TRI_NO;
        v = mfree_str(v);

        if (parse_hex_attr(dir, "sriov_totalvfs", &num) == 0)
                d->sriov_totalvfs = (unsigned) num;
        read_bars(d, dir);

        cfg_path = path_join(dir, "config");
        if (cfg_path && gd_io_read(cfg_path, GD_CAP_CONFIG_SPACE, &cfg, &cfg_len) == 0)
                gd_pci_caps_parse((const uint8_t *) cfg, cfg_len, &d->caps);
}

/* Marks d and the bridges above it (parent links, bounded like the kernel's
 * bus depth). */
static void want_with_ancestors(struct gd_host *h, bool *want, size_t i) {
        for (unsigned depth = 0; depth < 256; depth++) {
                const struct gd_pci_dev *p;

                want[i] = true;
                if (!h->devs[i].parent || !(p = gd_host_find_dev(h, h->devs[i].parent)))
                        return;
                i = (size_t) (p - h->devs);
        }
}

/* The bridge on a root bus above d (d itself on a root bus), bounded. */
static size_t topmost(struct gd_host *h, size_t i) {
        for (unsigned depth = 0; depth < 256; depth++) {
                const struct gd_pci_dev *p;

                if (!h->devs[i].parent || !(p = gd_host_find_dev(h, h->devs[i].parent)))
                        break;
                i = (size_t) (p - h->devs);
        }
        return i;
}

/* Every device below the root-bus slot that holds a display function's
 * topmost bridge (that slot's functions and all below them): the devices
 * the kernel could put into the GPU's group, whose facts the group
 * predictor reads (checks/groups-predict.c). */
static void want_gpu_subtrees(struct gd_host *h, bool *want) {
        _cleanup_free_ size_t *tops = NULL;
        size_t n_tops = 0;

        for (size_t i = 0; i < h->n_devs; i++) {
                size_t t, *nt;

                if (!gd_pci_is_display(&h->devs[i]))
                        continue;
                t = topmost(h, i);
                nt = realloc(tops, (n_tops + 1) * sizeof(*tops));
                if (!nt)
                        return;
                tops = nt;
                tops[n_tops++] = t;
        }
        for (size_t i = 0; i < h->n_devs && n_tops > 0; i++) {
                const struct gd_pci_dev *top = &h->devs[topmost(h, i)];

                for (size_t k = 0; k < n_tops && !want[i]; k++)
                        want[i] = gd_pci_same_slot(top, &h->devs[tops[k]]);
        }
}

/* The devices whose details the checks read: every display function's
 * slot (targets.c), everything in the IOMMU groups of those functions
 * (groups.c: intruders, their drivers and ACS), all of their upstream
 * bridges (groups.c walks parents for ACS), and everything below the
 * root-bus slot above each GPU (the group predictor).  On a 4,096-function server
 * that is a few dozen devices, and skipping the rest halves the sysfs reads
 * of explain.  A device left out has details_read false, and its detail
 * fields in their unknown states. */
static int read_details(struct gd_host *h, bool every_device) {
        _cleanup_free_ bool *want = NULL;

        if (every_device) {
                for (size_t i = 0; i < h->n_devs; i++)
                        read_detail_facts(&h->devs[i]);
                return 0;
        }
        want = calloc(h->n_devs ? h->n_devs : 1, sizeof(*want));
        if (!want)
                return -ENOMEM;
        for (size_t i = 0; i < h->n_devs; i++) {
                /* An imported device of unknown class may be a GPU
                 * (checks/targets.c). */
                if (!gd_pci_is_display(&h->devs[i]) && !h->devs[i].class_unknown)
                        continue;
                for (size_t j = 0; j < h->n_devs; j++)
                        if (gd_pci_same_slot(&h->devs[i], &h->devs[j]))
                                want[j] = true;
        }
        /* Group members, then ancestors of everything wanted so far. */
        for (size_t i = 0; i < h->n_devs; i++) {
                int g = h->devs[i].iommu_group;
                if (!want[i] || g == GD_GROUP_NONE)
                        continue;
                for (size_t j = 0; j < h->n_devs; j++)
                        if (h->devs[j].iommu_group == g)
                                want[j] = true;
        }
        want_gpu_subtrees(h, want);
        for (size_t i = 0; i < h->n_devs; i++)
                if (want[i])
                        want_with_ancestors(h, want, i);
        for (size_t i = 0; i < h->n_devs; i++)
                if (want[i])
                        read_detail_facts(&h->devs[i]);
        return 0;
}

static int cmp_dev(const void *a, const void *b) {
        return strcmp(((const struct gd_pci_dev *) a)->address, ((const struct gd_pci_dev *) b)->address);
}

/* Names come from one pci_access kept for the life of the process: libpci
 * parses pci.ids into that access's hash on the first lookup (most of a
 * small host's explain), so a process that reads hosts more than once, or
 * forks for each (a replay run, gd_pci_names_load()), parses it once. */
static struct pci_access *names;

static struct pci_access *names_access(void) {
        if (!names) {
                names = pci_alloc();
                if (names) {
                        names->warning = silent;
                        names->debug = silent;
                        names->error = pci_error_jump;
                }
        }
        return names;
}

void gd_pci_names_load(void) {
        char buf[64];

        /* A name pci.ids has loads the list; one it lacks also opens
         * udev's hwdb, libpci's second source (names-hwdb.c), which each
         * forked scenario would otherwise open again. */
        if (names_access() && setjmp(pci_error_jmp) == 0) {
                (void) pci_lookup_name(names, buf, sizeof(buf), PCI_LOOKUP_VENDOR, 0x8086, 0);
                (void) pci_lookup_name(names, buf, sizeof(buf), PCI_LOOKUP_DEVICE, 0x8086, 0xfffd);
        }
}

static char *lookup(int flags, unsigned v, unsigned d) {
        struct pci_access *pacc = names_access();
        char buf[256];
        const char *s = pacc ? pci_lookup_name(pacc, buf, sizeof(buf), flags, v, d) : NULL;
        char *r, *bracket;

        if (!s)
                return NULL;
        r = strdup(s);
        /* For a class whose subclass pci.ids lacks, libpci returns
         * "Unassigned class [ffff]"; the model keeps names without IDs and
         * the report adds them, as lspci -nn does. */
        bracket = r && (flags & PCI_LOOKUP_CLASS) ? strrchr(r, '[') : NULL;
        if (bracket && bracket > r && bracket[-1] == ' ' && strlen(bracket) == 6 && bracket[5] == ']')
                bracket[-1] = '\0';
        return r;
}

/* Grows h->devs in powers of two; state lives in h only, so that a
 * longjmp from libpci's error callback leaves nothing half-owned. */
static struct gd_pci_dev *append_dev(struct gd_host *h) {
        size_t n = h->n_devs;

        if (n == 0 || (n >= 32 && (n & (n - 1)) == 0)) {
                struct gd_pci_dev *nd = realloc(h->devs, (n ? n * 2 : 32) * sizeof(*nd));
                if (!nd)
                        return NULL;
                h->devs = nd;
        }
        memset(&h->devs[n], 0, sizeof(*h->devs));
        h->n_devs++;
        return &h->devs[n];
}

int gd_pci_read(struct gd_host *h, bool every_device) {
        struct pci_access *pacc;

        struct gd_io_stat st;
        int r;

        r = gd_io_stat(SYS_PCI_DEVICES, &st);
        if (r < 0)
                return h->pci_state = r;
        if (!st.is_dir)
                return h->pci_state = -ENOTDIR;

        pacc = pci_alloc();
        if (!pacc)
                return h->pci_state = -ENOMEM;
        pacc->error = pci_error_jump;
        pacc->warning = silent;
        pacc->debug = silent;
        pacc->method = PCI_ACCESS_SYS_BUS_PCI;
        if (setjmp(pci_error_jmp) != 0) {
                /* libpci gave up half-way; what it allocated is lost, which
                 * is acceptable for a once-per-run failure. */
                return h->pci_state = -EIO;
        }
        pci_init(pacc);
        pci_scan_bus(pacc);

        for (struct pci_dev *p = pacc->devices; p; p = p->next) {
                struct gd_pci_dev *d;

                if (h->n_devs >= GD_MAX_DEVICES) {
                        pci_cleanup(pacc);
                        return h->pci_state = -E2BIG;
                }
                d = append_dev(h);
                if (!d)
                        break;
                pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT | PCI_FILL_SUBSYS);
                d->domain = (unsigned) p->domain;
                d->bus = p->bus;
                d->dev = p->dev;
                d->func = p->func;
                snprintf(d->address, sizeof(d->address), "%04x:%02x:%02x.%x",
                         d->domain & 0xffff, d->bus & 0xff, d->dev & 0x1f, d->func & 7);
                d->vendor = p->vendor_id;
                d->device = p->device_id;
                d->class_code = (uint32_t) p->device_class << 8 | p->prog_if;
                d->revision = p->rev_id;
                d->subsys_vendor = p->subsys_vendor_id;
                d->subsys_device = p->subsys_id;
                d->has_subsys = p->subsys_vendor_id != 0 && p->subsys_vendor_id != 0xffff;
                /* NULL when pci.ids lacks a name: the report builds lspci's
                 * "Device [8086:4c53]" from the IDs (model/host.c). */
                d->vendor_name = lookup(PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, d->vendor, 0);
                d->device_name = lookup(PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS, d->vendor, d->device);
                d->class_name = lookup(PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_NUMBERS, p->device_class, 0);
                d->is_bridge = gd_pci_is_bridge(d);
                read_core_facts(d);
        }
        pci_cleanup(pacc);

        if (h->n_devs > 0)
                qsort(h->devs, h->n_devs, sizeof(*h->devs), cmp_dev);
        if (read_details(h, every_device) < 0)
                return h->pci_state = -ENOMEM;
        return h->pci_state = 0;
}
