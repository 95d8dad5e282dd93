/* SPDX-License-Identifier: MIT */
/* What the kernel log says of the card's IOMMU group when sysfs does not:
 *
 *   iommu.init-failed  the card was added to a group and later removed with
 *                      no later add: __iommu_group_remove_device() prints
 *                      "Removing from iommu group %d" (drivers/iommu/iommu.c)
 *                      for a device the IOMMU driver gives up.  When every
 *                      device the log added was removed, the IOMMU tore down
 *                      every group: a finding about the whole host.
 *   iommu.no-groups    vfio-pci failed to probe a function of the card with
 *                      -EINVAL while it has no group: vfio_group_find_or_alloc()
 *                      (drivers/vfio/group.c) returns -EINVAL for a device
 *                      without an IOMMU group (unless no-IOMMU mode is on), and
 *                      really_probe() (drivers/base/dd.c) prints "probe with
 *                      driver vfio-pci failed with error -22" (before 5.x
 *                      "vfio-pci: probe of <bdf> failed with error -22").
 * Part of the iommu family (iommu.c calls it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iommu-internal.h"
#include "model/kmsg.h"

struct group_event {
        char address[GD_ADDR_LEN];
        size_t index;           /* record index: the order of the log */
        bool removed;
};

static int cmp_event(const void *a, const void *b) {
        const struct group_event *x = a, *y = b;
        int c = strcmp(x->address, y->address);

        return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* "<drv> <dddd:bb:dd.f>: ..." -> the address. */
static bool record_device(const char *text, char ret[static GD_ADDR_LEN]) {
        const char *sp = strchr(text, ' ');

        if (!sp || strlen(sp + 1) < 13 || sp[13] != ':')
                return false;
        snprintf(ret, GD_ADDR_LEN, "%.12s", sp + 1);
        return ret[4] == ':' && ret[7] == ':' && ret[10] == '.';
}

/* The events, sorted by device and then log order: the last of a device is
 * its state.  Sorting keeps a log of 100,000 group lines linear-logarithmic. */
static struct group_event *group_events(const struct gd_host *h, size_t *ret_n) {
        struct group_event *ev = NULL;
        size_t n = 0, cap = 0;

        for (size_t i = 0; i < h->kmsg.n_records; i++) {
                const struct gd_kmsg_record *r = &h->kmsg.records[i];
                bool add = gd_kmsg_record_has(r, GD_KMSG_GROUP_ADDED), rem = gd_kmsg_record_has(r, GD_KMSG_GROUP_REMOVED);
                char addr[GD_ADDR_LEN];

                if ((!add && !rem) || !record_device(r->text, addr))
                        continue;
                if (n == cap) {
                        struct group_event *ne = reallocarray(ev, cap = cap ? cap * 2 : 64, sizeof(*ev));
                        if (!ne) {
                                free(ev);
                                return NULL;
                        }
                        ev = ne;
                }
                ev[n] = (struct group_event) { .index = i, .removed = rem };
                memcpy(ev[n].address, addr, GD_ADDR_LEN);
                n++;
        }
        if (n > 0)
                qsort(ev, n, sizeof(*ev), cmp_event);
        *ret_n = n;
        return ev;
}

/* The last event of address, or NULL. */
static const struct group_event *last_event(const struct group_event *ev, size_t n, const char *address) {
        const struct group_event *last = NULL;
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (strcmp(ev[mid].address, address) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (; lo < n && streq(ev[lo].address, address); lo++)
                last = &ev[lo];
        return last;
}

static void init_failed(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        size_t n = 0, devices = 0, removed = 0;
        _cleanup_free_ struct group_event *ev = group_events(h, &n);
        struct gd_finding *x;

        if (!ev)
                return;
        for (size_t i = 0; i < n; i++)
                if (i + 1 == n || !streq(ev[i].address, ev[i + 1].address)) {
                        devices++;
                        removed += ev[i].removed;
                }
        if (removed == 0)
                return;
        if (removed == devices) {
                x = gd_findings_add(out, "iommu.init-failed", "the kernel log removes every device it added to an "
                                    "IOMMU group (%zu devices): the IOMMU gave up and no device is in a group",
                                    devices);
                if (!x)
                        return;
                for (size_t i = 0, shown = 0; i < n && shown < 3; i++)
                        if (ev[i].removed && (i + 1 == n || !streq(ev[i].address, ev[i + 1].address))) {
                                gd_finding_evidence_kmsg(x, h, &h->kmsg.records[ev[i].index]);
                                shown++;
                        }
                gd_finding_remedy(x, "Read the IOMMU errors just before the removals in the kernel log (dmesg | "
                                     "grep -iE 'DMAR|AMD-Vi|iommu'); update the firmware and the kernel; iommu=pt "
                                     "avoids some of these failures.");
                /* For the plan: a person's step.  Which update cures it is
                 * in errors the log shows before the removals, not in a
                 * setting the plan could write (iommu=pt only "avoids some"). */
                gd_finding_act_text(x, GD_ACT_MANUAL, "Update the firmware and the kernel: the IOMMU driver gave up "
                                    "every device (the errors before 'Removing from iommu group' in the kernel log "
                                    "say why)");
                return;
        }
        for (size_t i = 0; i < t->n; i++) {
                const struct gd_target *tt = &t->items[i];

                x = NULL;
                for (size_t f = 0; f < tt->n_functions; f++) {
                        const struct group_event *e = last_event(ev, n, tt->functions[f]->address);

                        if (!e || !e->removed)
                                continue;
                        if (!x) {
                                x = gd_findings_add(out, "iommu.init-failed", "the kernel log removes the card at %s "
                                                    "from its IOMMU group and never adds it again", tt->gpu->address);
                                if (!x)
                                        return;
                                gd_finding_subject_target(x, tt);
                                gd_finding_remedy(x, "Read the IOMMU errors before the removal in the kernel log; "
                                                     "update the firmware and the kernel.");
                                gd_finding_act_text(x, GD_ACT_MANUAL, "Update the firmware and the kernel: the "
                                                    "IOMMU driver gave up the card at %s (the errors before its "
                                                    "'Removing from iommu group' say why)", tt->gpu->address);
                        }
                        gd_finding_evidence_kmsg(x, h, &h->kmsg.records[e->index]);
                }
        }
}

static bool vfio_probe_einval(const char *text, const char *address) {
        char needle[40];

        if (!strstr(text, "error -22"))
                return false;
        snprintf(needle, sizeof(needle), "probe of %s ", address);
        return (startswith(text, "vfio-pci ") && gd_kmsg_names_device(text, address) &&
                strstr(text, "probe with driver vfio-pci")) ||
               (startswith(text, "vfio-pci: ") && strstr(text, needle));
}

static void probe_without_group(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        for (size_t i = 0; i < t->n; i++) {
                const struct gd_target *tt = &t->items[i];
                struct gd_finding *x = NULL;

                for (size_t k = 0; k < h->kmsg.n_records; k++) {
                        const struct gd_kmsg_record *r = &h->kmsg.records[k];

                        if (!gd_kmsg_record_has(r, GD_KMSG_PROBE_FAILED))
                                continue;
                        for (size_t f = 0; f < tt->n_functions; f++) {
                                const struct gd_pci_dev *d = tt->functions[f];

                                if (d->iommu_group != GD_GROUP_NONE || !vfio_probe_einval(r->text, d->address))
                                        continue;
                                if (!x) {
                                        x = gd_findings_add(out, "iommu.no-groups", "vfio-pci refused the card at "
                                                            "%s with -EINVAL: it has no IOMMU group", tt->gpu->address);
                                        if (!x)
                                                return;
                                        gd_finding_subject_target(x, tt);
                                        gd_finding_remedy(x, "Enable the IOMMU (VT-d / AMD-Vi in the firmware, "
                                                             "intel_iommu=on on Intel kernels that need it; on arm64 "
                                                             "the SMMU); vfio-pci takes only devices in an IOMMU "
                                                             "group.");
                                        /* The firmware setting, as iommu.firmware-off gives it;
                                         * intel_iommu=on is iommu.kernel-off's, when the host's
                                         * own files show the kernel left it off. */
                                        gd_finding_act_text(x, GD_ACT_FIRMWARE, "Enable %s",
                                                            streq(h->cpu_vendor, "AuthenticAMD") ?
                                                            "IOMMU / AMD-Vi (often under AMD CBS > NBIO)" :
                                                            streq(h->cpu_vendor, "GenuineIntel") ?
                                                            "VT-d (Intel Virtualization Technology for Directed I/O)" :
                                                            "VT-d (Intel), IOMMU / AMD-Vi (AMD) or the SMMU (arm64)");
                                }
                                gd_finding_evidence_kmsg(x, h, r);
                                break;
                        }
                }
        }
}

void check_iommu_log(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        if (h->kmsg_state < 0)
                return;
        init_failed(h, t, out);
        probe_without_group(h, t, out);
}
