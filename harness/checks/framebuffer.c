/* SPDX-License-Identifier: MIT */
/* fb.bar-claimed and gpu.boot-vga: the firmware framebuffer and the GPU's BARs.
 *
 * Facts (verified in kernel source):
 * - sysfb_init() (drivers/firmware/sysfb.c; arch/x86/kernel/sysfb.c before
 *   5.15) turns the firmware's screen_info into a platform device: a
 *   "simple-framebuffer" whose memory resource is named "BOOTFB"
 *   (drivers/firmware/sysfb_simplefb.c, simplefb_resname[]) when
 *   CONFIG_SYSFB_SIMPLEFB (CONFIG_X86_SYSFB before 5.15) is set, otherwise an
 *   "efi-framebuffer"/"vesa-framebuffer" device that efifb/vesafb claim as
 *   "efifb"/"vesafb".  In the first case efifb never binds, so
 *   video=efifb:off changes nothing; initcall_blacklist=sysfb_init stops the
 *   device from being created at all.
 * - vfio-pci requests a BAR when QEMU maps it; __pci_request_region()
 *   (drivers/pci/pci.c) logs "BAR %d: can't reserve %pR" when something else
 *   holds it.  6.8 reworded BAR messages to "BAR 1 [mem ...]: <what>" (as in
 *   "BAR 0 [mem ...]: can't claim"), so any record of a card function that
 *   says "can't reserve" counts.
 * - Since 6.0, vfio_pci_vga_init() (drivers/vfio/pci/vfio_pci_core.c, commit
 *   d17378062079 "vfio/pci: Remove console drivers") calls
 *   aperture_remove_conflicting_pci_devices() when vfio-pci binds a VGA-class
 *   device, which drops the boot framebuffer of that device.
 * - /proc/iomem shows zero addresses to readers without CAP_SYS_ADMIN
 *   (kernel/resource.c r_show()), so for non-root the overlap is unknown. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hostpaths.h"
#include "families.h"
#include "model/kmsg.h"
#include "model/bootconfig.h"
#include "remedy.h"
#include "unreadable.h"

enum fb_owner {
        FB_OWNER_NONE,
        FB_OWNER_SYSFB,   /* BOOTFB, simple-framebuffer, simplefb, simpledrm */
        FB_OWNER_EFIFB,
        FB_OWNER_VESAFB,
};

static enum fb_owner fb_owner_of(const char *name) {
        if (streq(name, "BOOTFB") || streq(name, "simplefb") || streq(name, "simpledrm") ||
            startswith(name, "simple-framebuffer"))
                return FB_OWNER_SYSFB;
        if (streq(name, "efifb") || startswith(name, "efi-framebuffer"))
                return FB_OWNER_EFIFB;
        if (streq(name, "vesafb") || startswith(name, "vesa-framebuffer"))
                return FB_OWNER_VESAFB;
        return FB_OWNER_NONE;
}

static bool cmdline_has(const struct gd_host *h, const char *key, const char *value) {
        if (h->cmdline_state < 0)
                return false;
        for (size_t i = 0; i < h->cmdline.n_args; i++)
                if (streq(h->cmdline.args[i].key, key) && streq(h->cmdline.args[i].value, value))
                        return true;
        return false;
}

/* The index of the range that encloses range i (the nearest earlier range
 * one level up), or -1 at the top. */
static long iomem_parent(const struct gd_host *h, size_t i) {
        unsigned depth = h->iomem[i].depth;

        if (depth == 0)
                return -1;
        for (size_t j = i; j > 0; j--)
                if (h->iomem[j - 1].depth == depth - 1)
                        return (long) (j - 1);
        return -1;
}

static bool iomem_under(const struct gd_host *h, size_t i, const char *address) {
        for (long p = iomem_parent(h, i); p >= 0; p = iomem_parent(h, (size_t) p))
                if (streq(h->iomem[p].name, address))
                        return true;
        return false;
}

/* The memory BAR of d that overlaps [start, end], or NULL. */
static const struct gd_bar *bar_overlapping(const struct gd_pci_dev *d, uint64_t start, uint64_t end) {
        for (size_t b = 0; b < d->n_bars; b++) {
                const struct gd_bar *bar = &d->bars[b];

                if (bar->index > 5 || bar->end == 0 || bar->end < bar->start)
                        continue;
                if ((bar->flags & 0x100) && !(bar->flags & 0x200))
                        continue; /* IORESOURCE_IO */
                if (start <= bar->end && end >= bar->start)
                        return bar;
        }
        return NULL;
}

/* What the scans found for one card, before the finding is written: its
 * summary names the owner and the BAR, so it comes first. */
struct fb_hit {
        enum fb_owner owner;      /* strongest owner seen in /proc/iomem */
        const char *owner_name;
        const char *what;         /* "BAR 1 of 0000:01:00.0" for the summary */
        char what_buf[64];
        unsigned n;
        struct fb_evidence {
                const struct gd_iomem_range *range;  /* a /proc/iomem line, or */
                const struct gd_kmsg_record *record; /* a kernel log record */
                char where[96];
        } *evidence;
};

static int hit_add(struct fb_hit *hit, const struct gd_iomem_range *range, const struct gd_kmsg_record *record,
                   const char *where) {
        struct fb_evidence *ev = realloc(hit->evidence, (hit->n + 1) * sizeof(*ev));

        if (!ev)
                return -ENOMEM;
        hit->evidence = ev;
        ev = &ev[hit->n++];
        *ev = (struct fb_evidence) { .range = range, .record = record };
        snprintf(ev->where, sizeof(ev->where), "%s", where ? where : "");
        return 0;
}

static void scan_iomem(const struct gd_host *h, const struct gd_target *t, struct fb_hit *hit) {
        if (h->iomem_state < 0)
                return;
        for (size_t i = 0; i < h->n_iomem; i++) {
                const struct gd_iomem_range *r = &h->iomem[i];
                enum fb_owner owner = fb_owner_of(r->name);

                if (owner == FB_OWNER_NONE)
                        continue;
                for (size_t f = 0; f < t->n_functions; f++) {
                        const struct gd_pci_dev *d = t->functions[f];
                        const struct gd_bar *bar = bar_overlapping(d, r->start, r->end);
                        char where[96];

                        if (bar)
                                snprintf(where, sizeof(where), "inside BAR %u (%llx-%llx) of %s", bar->index,
                                         (unsigned long long) bar->start, (unsigned long long) bar->end,
                                         d->address);
                        else if (iomem_under(h, i, d->address))
                                snprintf(where, sizeof(where), "nested under %s", d->address);
                        else
                                continue;
                        if (hit->n == 0) {
                                if (bar)
                                        snprintf(hit->what_buf, sizeof(hit->what_buf), "BAR %u of %s",
                                                 bar->index, d->address);
                                else
                                        snprintf(hit->what_buf, sizeof(hit->what_buf), "memory of %s",
                                                 d->address);
                                hit->what = hit->what_buf;
                        }
                        if (hit_add(hit, r, NULL, where) < 0)
                                return;
                        if (hit->owner == FB_OWNER_NONE || owner == FB_OWNER_SYSFB) {
                                hit->owner = owner;
                                hit->owner_name = r->name;
                        }
                        break;
                }
        }
}

/* The "can't reserve" records of the log, found once for every GPU: a long
 * log scanned once per card showed up in profiles. */
struct reserve_records {
        const struct gd_kmsg_record **r;
        size_t n;
};

static void find_reserve_records(const struct gd_host *h, struct reserve_records *ret) {
        ret->r = NULL;
        ret->n = 0;
        if (h->kmsg_state < 0)
                return;
        for (size_t i = 0; i < h->kmsg.n_records; i++) {
                const struct gd_kmsg_record **nr;

                if (!gd_kmsg_record_has(&h->kmsg.records[i], GD_KMSG_CANT_RESERVE))
                        continue;
                nr = realloc(ret->r, (ret->n + 1) * sizeof(*nr));
                if (!nr)
                        return;
                ret->r = nr;
                ret->r[ret->n++] = &h->kmsg.records[i];
        }
}

static void scan_kmsg(const struct gd_target *t, const struct reserve_records *rr, struct fb_hit *hit) {
        for (size_t i = 0; i < rr->n; i++) {
                const struct gd_kmsg_record *r = rr->r[i];

                for (size_t f = 0; f < t->n_functions; f++) {
                        if (!gd_kmsg_names_device(r->text, t->functions[f]->address))
                                continue;
                        if (hit->n == 0) {
                                snprintf(hit->what_buf, sizeof(hit->what_buf), "a BAR of %s",
                                         t->functions[f]->address);
                                hit->what = hit->what_buf;
                        }
                        if (hit_add(hit, NULL, r, NULL) < 0)
                                return;
                        break;
                }
        }
}

static void remedy(struct gd_finding *x, const struct gd_host *h, const struct gd_target *t,
                   const struct fb_hit *hit) {
        const char *kc = gd_kconfig_get(h->bootconfig, "CONFIG_SYSFB_SIMPLEFB");
        const char *kc_old = gd_kconfig_get(h->bootconfig, "CONFIG_X86_SYSFB");
        enum fb_owner owner = hit->owner;
        const char *why = NULL;

        if (owner == FB_OWNER_NONE) {
                /* Only the log says so: decide from the kernel configuration,
                 * then from the version (5.15+ distribution kernels build
                 * sysfb with simple-framebuffer). */
                if (streq(kc, "y") || streq(kc_old, "y")) {
                        owner = FB_OWNER_SYSFB;
                        why = "the kernel is built with CONFIG_SYSFB_SIMPLEFB=y";
                } else if (streq(kc, "n") || (!kc && streq(kc_old, "n"))) {
                        owner = FB_OWNER_EFIFB;
                } else {
                        owner = FB_OWNER_SYSFB;
                        why = gd_kernel_at_least(h, 5, 15)
                                ? "on Linux 5.15+ distribution kernels sysfb usually registers the framebuffer "
                                  "(kernel configuration not read)"
                                : "it works whether or not sysfb or efifb owns the framebuffer "
                                  "(kernel configuration not read)";
                }
        } else if (owner == FB_OWNER_SYSFB)
                why = "the range is owned by sysfb's simple-framebuffer";

        if (owner == FB_OWNER_SYSFB) {
                if (cmdline_has(h, "initcall_blacklist", "sysfb_init")) {
                        gd_finding_remedy(x, "initcall_blacklist=sysfb_init is already on the command line, "
                                          "yet the framebuffer holds the BAR: make another GPU the primary "
                                          "display in the firmware setup.");
                        gd_finding_act_text(x, GD_ACT_FIRMWARE, "Make another GPU the primary display");
                } else
                        gd_remedy_cmdline_add(x, h, "initcall_blacklist=sysfb_init");
                gd_finding_remedy_append(x, "Why: %s; sysfb_init() (drivers/firmware/sysfb.c) then registers a "
                                         "simple-framebuffer device, so efifb never binds and video=efifb:off "
                                         "has no effect%s. The host loses its early console until a real "
                                         "driver takes over.", why,
                                         cmdline_has(h, "video", "efifb:off")
                                                 ? " (the video=efifb:off on this command line is ineffective)"
                                                 : "");
        } else if (owner == FB_OWNER_EFIFB) {
                gd_remedy_cmdline_add(x, h, "video=efifb:off");
        } else {
                gd_remedy_cmdline_add(x, h, "video=vesafb:off");
        }
        if (gd_kernel_at_least(h, 6, 0) && (t->gpu->class_code >> 8) == PCI_CLASS_DISPLAY_VGA)
                gd_finding_remedy_append(x, "On Linux 6.0+ vfio-pci removes the boot framebuffer of a VGA device "
                                         "itself when it binds it (vfio_pci_vga_init() -> "
                                         "aperture_remove_conflicting_pci_devices()): binding %s to vfio-pci "
                                         "at boot (vfio-pci.ids= with a softdep) also clears it.",
                                         t->gpu->address);
        gd_finding_remedy_append(x, "Or make another GPU the primary display in the firmware setup.");
}

static void check_target(const struct gd_host *h, const struct gd_target *t, const struct reserve_records *rr,
                         struct gd_findings *out) {
        const struct gd_pci_dev *gpu = t->gpu;
        struct gd_finding *x = NULL;
        _cleanup_free_ struct fb_evidence *evidence = NULL;
        struct fb_hit hit = { 0 };

        scan_iomem(h, t, &hit);
        scan_kmsg(t, rr, &hit);
        evidence = hit.evidence;
        if (hit.n > 0) {
                x = gd_findings_add(out, "fb.bar-claimed", "a boot framebuffer%s%s%s holds %s",
                                    hit.owner_name ? " (" : "", hit.owner_name ? hit.owner_name : "",
                                    hit.owner_name ? ")" : "", hit.what ? hit.what : gpu->address);
                if (!x)
                        return;
                for (size_t i = 0; i < hit.n; i++) {
                        const struct gd_iomem_range *r = evidence[i].range;

                        if (r)
                                gd_finding_evidence(x, gd_hostpath(GD_PROC_IOMEM)->path, r->line,
                                                    "%*s%08llx-%08llx : %s (%s)", (int) (r->depth * 2), "",
                                                    (unsigned long long) r->start, (unsigned long long) r->end,
                                                    r->name, evidence[i].where);
                        else
                                gd_finding_evidence_kmsg(x, h, evidence[i].record);
                }
                gd_finding_subject_target(x, t);
                remedy(x, h, t, &hit);
                return;
        }

        /* No evidence either way: only the boot VGA device carries the
         * firmware framebuffer, so only there is the unknown a problem. */
        if (gpu->boot_vga == TRI_YES && h->iomem_state < 0) {
                x = gd_findings_add(out, "fact.unreadable",
                                    "whether the boot framebuffer holds a BAR of boot VGA device %s %s",
                                    gpu->address, h->imported ? "is not in the pasted text" : "cannot be told");
                if (!x)
                        return;
                gd_finding_subject_target(x, t);
                if (h->iomem_state == -EACCES && h->n_iomem > 0)
                        gd_finding_evidence(x, gd_hostpath(GD_PROC_IOMEM)->path, 0,
                                            "every address reads 0: the kernel shows addresses only to "
                                            "CAP_SYS_ADMIN (kernel/resource.c r_show())");
                else if (h->imported)
                        gd_finding_evidence(x, gd_hostpath(GD_PROC_IOMEM)->path, 0, "%s", gd_unreadable_value(h));
                else
                        gd_finding_evidence(x, gd_hostpath(GD_PROC_IOMEM)->path, 0, "unreadable: %s",
                                            strerror(-h->iomem_state));
                gd_finding_evidence_attr(x, gpu, "boot_vga", "1");
                gd_remedy_unreadable(x, h, GD_FACT_IOMEM, gpu->address,
                                     "Run gpudiag as root (sudo gpudiag explain), or collect the bundle as root.");
        }
}

static void check_boot_vga(const struct gd_target *t, struct gd_findings *out) {
        const struct gd_pci_dev *gpu = t->gpu;
        struct gd_finding *x;

        if (gpu->boot_vga != TRI_YES)
                return;
        x = gd_findings_add(out, "gpu.boot-vga", "%s is the boot VGA device (the firmware's console)",
                            gpu->address);
        if (!x)
                return;
        gd_finding_subject_target(x, t);
        gd_finding_evidence_attr(x, gpu, "boot_vga", "1");
        gd_finding_remedy(x, "Host console: once the card is on vfio-pci the host has no local display; "
                             "use another GPU, a serial console or SSH.");
        gd_finding_remedy_append(x, "vBIOS: the firmware ran the card's option ROM, and some cards (NVIDIA in "
                                    "particular) then expose a modified ROM; dump a clean ROM (or use the "
                                    "vendor's) and give it to QEMU with romfile= (libvirt <rom file=.../>).");
        gd_finding_remedy_append(x, "Framebuffer: the firmware framebuffer lives in this card's BAR; see "
                                    "fb.bar-claimed for how to release it.");
}

void gd_check_framebuffer(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        struct reserve_records rr;

        find_reserve_records(h, &rr);
        for (size_t i = 0; i < t->n; i++) {
                check_target(h, &t->items[i], &rr, out);
                check_boot_vga(&t->items[i], out);
        }
        free(rr.r);
}
