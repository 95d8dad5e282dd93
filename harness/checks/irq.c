/* SPDX-License-Identifier: MIT */
/* The iommu family: interrupt remapping, without which vfio refuses a
 * group unless allow_unsafe_interrupts is set.
 *
 * Proof: "DMAR-IR: Enabled IRQ remapping in %s mode"
 * (intel_enable_irq_remapping()), "AMD-Vi: Interrupt remapping enabled"
 * (print_iommu_info()), or "IR-" chips in /proc/interrupts (msi parent
 * ops .prefix = "IR-").  intremap=off / nointremap
 * (drivers/iommu/irq_remapping.c setup_irqremap()) turn it off, and
 * vfio_iommu_type1_attach_group() logs "No interrupt remapping support."
 * when it refuses a group. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/hostpaths.h"
#include "base/io.h"
#include "iommu-internal.h"
#include "model/modconfig.h"
#include "remedy.h"
#include "unreadable.h"

/* ---- interrupt remapping ---------------------------------------------------- */

/* YES: an IR- chip; NO: MSI chips, none remapped; UNKNOWN: no MSI line. */
static tri_t interrupts_ir(const struct gd_host *h, const char **ret_line, size_t *ret_len) {
        bool msi = false;

        if (h->interrupts_state < 0 || !h->interrupts)
                return TRI_UNKNOWN;
        for (const char *p = h->interrupts; *p;) {
                size_t len = strcspn(p, "\n");
                for (const char *q = p; q < p + len; q++) {
                        bool start = q == p || q[-1] == ' ';
                        if (start && (strncmp(q, "IR-", 3) == 0 || strncmp(q, "vIR-", 4) == 0)) {
                                *ret_line = p, *ret_len = len;
                                return TRI_YES;
                        }
                        if (start && strncmp(q, "PCI-MSI", 7) == 0 && !msi) {
                                msi = true;
                                *ret_line = p, *ret_len = len;
                        }
                }
                p += len;
                p += *p == '\n';
        }
        return msi ? TRI_NO : TRI_UNKNOWN;
}

static const struct gd_mod_options *unsafe_option(const struct gd_host *h) {
        const struct gd_modconfig *m = h->modconfig;

        for (size_t i = 0; m && i < m->n_options; i++) {
                const char *o = m->options[i].options, *p;
                if (!gd_modname_eq(m->options[i].module, "vfio_iommu_type1") || !o ||
                    gd_source_is_cmdline(&m->options[i].source))
                        continue;
                p = strstr(o, "allow_unsafe_interrupts");
                if (p && (p == o || p[-1] == ' ') &&
                    (p[23] == '\0' || p[23] == ' ' || (p[23] == '=' && truthy(p + 24))))
                        return &m->options[i];
        }
        return NULL;
}

void check_irq(const struct gd_host *h, struct gd_findings *out) {
        const struct gd_kmsg_record *on_rec, *refused, *boot;
        const struct gd_cmdline_arg *off_arg = NULL, *unsafe_arg = NULL;
        const struct gd_mod_options *unsafe_opt = unsafe_option(h);
        const char *iline = NULL;
        size_t ilen = 0;
        tri_t via_int = interrupts_ir(h, &iline, &ilen), ir;
        struct gd_finding *x;

        on_rec = kfind(h, GD_KMSG_DMAR_IR_ENABLED, NULL);
        if (!on_rec)
                on_rec = kfind(h, GD_KMSG_AMDVI_IR_ENABLED, NULL);
        refused = kfind(h, GD_KMSG_NO_IRQ_REMAP, NULL);
        boot = kfind(h, GD_KMSG_LINUX_VERSION, NULL); /* the log reaches back to boot */
        if (h->cmdline_state == 0) {
                const struct gd_cmdline_arg *a = gd_cmdline_find_last(&h->cmdline, "intremap");
                if (a && a->value && comma_item_starts_with(a->value, "off"))
                        off_arg = a;
                else if (gd_cmdline_find(&h->cmdline, "nointremap"))
                        off_arg = gd_cmdline_find(&h->cmdline, "nointremap");
                unsafe_arg = gd_cmdline_find_last(&h->cmdline, "vfio_iommu_type1.allow_unsafe_interrupts");
                if (unsafe_arg && !truthy(unsafe_arg->value))
                        unsafe_arg = NULL;
        }

        if (on_rec || via_int == TRI_YES)
                ir = TRI_YES;
        else if (refused || off_arg || via_int == TRI_NO || (h->kmsg_state == 0 && boot))
                ir = TRI_NO;
        else
                ir = TRI_UNKNOWN;

        if (ir == TRI_YES)
                gd_findings_prove(out, GD_PROOF_IRQ, NULL);
        if (ir == TRI_NO && !unsafe_arg && !unsafe_opt) {
                x = gd_findings_add(out, "irq.remap-missing", "interrupt remapping is not enabled: vfio will refuse the GPU's group");
                if (!x)
                        return;
                if (refused)
                        gd_finding_evidence_kmsg(x, h, refused);
                if (off_arg)
                        gd_finding_evidence_cmdline(x, h);
                if (via_int == TRI_NO)
                        gd_finding_evidence(x, gd_hostpath(GD_PROC_INTERRUPTS)->path, 0, "%.*s (no IR- interrupt chip)",
                                            (int) ilen, iline);
                if (!refused && !off_arg && via_int != TRI_NO)
                        gd_finding_evidence(x, h->kmsg.source ? h->kmsg.source : "kernel log", 0,
                                            "log from boot (%s) has no 'DMAR-IR: Enabled IRQ remapping' or "
                                            "'AMD-Vi: Interrupt remapping enabled' line", boot->text);
                if (off_arg) {
                        _cleanup_free_ char *as = arg_string(off_arg);
                        if (as)
                                gd_remedy_cmdline_remove(x, h, as);
                } else
                        gd_finding_remedy(x, "Enable interrupt remapping / x2APIC in the firmware setup and update the "
                                          "firmware (on AMD check the log for 'IOAPIC[..] not in IVRS table' and add "
                                          "ivrs_ioapic=ID@BDF). Last resort, without isolation: "
                                          "options vfio_iommu_type1 allow_unsafe_interrupts=1 in /etc/modprobe.d/vfio.conf.");
        } else if (ir == TRI_UNKNOWN) {
                x = gd_findings_add(out, "fact.unreadable", "whether interrupt remapping is enabled%s",
                                    gd_unreadable_phrase(h));
                if (!x)
                        return;
                if (h->imported)
                        gd_finding_evidence(x, h->kmsg.source ? h->kmsg.source : gd_hostpath(GD_DEV_KMSG)->path, 0,
                                            "%s", h->kmsg_state < 0 ? "(no kernel log in the pasted text)" :
                                            "the pasted kernel log has no remapping line and does not start at boot");
                else
                        gd_finding_evidence(x, h->kmsg.source ? h->kmsg.source : gd_hostpath(GD_DEV_KMSG)->path, 0, "%s%s%s%s",
                                            h->kmsg_state < 0 ? "kernel log unreadable: " :
                                            "kernel log does not reach back to boot and has no remapping line",
                                            h->kmsg_state == -EFBIG ? "longer than gpudiag reads (" :
                                            h->kmsg_state == -EMSGSIZE ? "a record longer than gpudiag reads (" :
                                            h->kmsg_state < 0 ? strerror(-h->kmsg_state) : "",
                                            h->kmsg_state == -EFBIG ? gd_kmsg_limits.name :
                                            h->kmsg_state == -EMSGSIZE ? gd_kmsg_limits.line_name : "",
                                            h->kmsg_state == -EFBIG || h->kmsg_state == -EMSGSIZE ? ")" : "");
                if (!h->imported)
                        gd_finding_evidence(x, gd_hostpath(GD_PROC_INTERRUPTS)->path, 0, "%s",
                                            h->interrupts_state < 0 ? "unreadable" : "no MSI interrupt to tell from");
                gd_remedy_unreadable(x, h, GD_FACT_IRQ_REMAP, NULL, ROOT_REMEDY);
        }

        if (unsafe_arg || unsafe_opt) {
                x = gd_findings_add(out, "irq.unsafe-allowed", ir == TRI_NO ?
                                    "allow_unsafe_interrupts is set and needed: no interrupt remapping, no interrupt isolation" :
                                    "allow_unsafe_interrupts is set");
                if (!x)
                        return;
                if (unsafe_arg) {
                        _cleanup_free_ char *as = arg_string(unsafe_arg);
                        gd_finding_evidence_cmdline(x, h);
                        if (ir == TRI_YES && as)
                                gd_remedy_cmdline_remove(x, h, as);
                } else {
                        _cleanup_free_ char *src = gd_modconfig_source_string(&unsafe_opt->source);
                        gd_finding_evidence(x, src ? src : "modprobe.d", 0, "options %s %s", unsafe_opt->module,
                                            unsafe_opt->options);
                        if (ir == TRI_YES)
                                gd_finding_remedy(x, "Remove allow_unsafe_interrupts from %s, then rebuild the initramfs.",
                                                  src ? src : "the modprobe.d options");
                }
                if (on_rec)
                        gd_finding_evidence_kmsg(x, h, on_rec);
                if (ir != TRI_YES)
                        gd_finding_remedy(x, "Keep it only while the platform has no interrupt remapping; a VM can then "
                                          "inject interrupts into the host. Enable remapping in the firmware if it exists.");
        }
}
