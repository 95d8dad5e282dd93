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
 * when it refuses a group.
 *
 * What vfio asks is not "remapping" but isolation: type1 attaches a group
 * when allow_unsafe_interrupts is set or iommu_group_has_isolated_msi()
 * (drivers/iommu/iommu.c) holds for every device: msi_device_has_isolated_msi()
 * (kernel/irq/msi.c) finds IRQ_DOMAIN_FLAG_ISOLATED_MSI on the device's MSI
 * domain, or the IOMMU has IOMMU_CAP_INTR_REMAP.  iommufd asks the same in
 * iommufd_device_bind() and has its own allow_unsafe_interrupts
 * (drivers/iommu/iommufd/device.c).  On arm64 the flag comes from the GICv3
 * ITS: its_node_init() sets IRQ_DOMAIN_FLAG_ISOLATED_MSI for every ITS
 * (drivers/irqchip/irq-gic-v3-its.c; its_probe_one() before 6.7), because the
 * ITS translates each MSI by the DeviceID the SMMU/RC stamps on it; only the
 * Socionext Synquacer "pre-ITS" quirk clears it.  Its interrupts show as
 * "ITS-MSI", "ITS-pMSI" or, with MSI parent domains (6.x), "ITS-PCI-MSI(X)-..."
 * chips in /proc/interrupts.  An SMMUv3 host has no DMAR-IR or AMD-Vi line
 * at all, which is not a missing remapping. */
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

/* YES: an IR- chip, or an ITS chip (*ret_its); NO: MSI chips, none remapped
 * or isolated; UNKNOWN: no MSI line. */
static tri_t interrupts_ir(const struct gd_host *h, const char **ret_line, size_t *ret_len, bool *ret_its) {
        bool msi = false;

        *ret_its = false;

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
                        if (start && strncmp(q, "ITS-", 4) == 0) {
                                *ret_line = p, *ret_len = len;
                                *ret_its = true;
                                return TRI_YES;
                        }
                        /* x86 without remapping, arm64 GICv2m: MSI, not isolated. */
                        if (start && (strncmp(q, "PCI-MSI", 7) == 0 || strncmp(q, "GICv2m-", 7) == 0) && !msi) {
                                msi = true;
                                *ret_line = p, *ret_len = len;
                        }
                }
                p += len;
                p += *p == '\n';
        }
        return msi ? TRI_NO : TRI_UNKNOWN;
}

/* allow_unsafe_interrupts of module (vfio_iommu_type1 or iommufd): where it
 * is set, and whether the value in force is Y. */
struct unsafe {
        const char *module;
        const struct gd_cmdline_arg *arg;    /* module.allow_unsafe_interrupts=1 */
        const struct gd_mod_options *opt;    /* options MODULE allow_unsafe_interrupts=1 */
        const struct gd_module_param *param; /* /sys/module/MODULE/parameters/..., when it reads Y */
};

static const struct gd_mod_options *unsafe_option(const struct gd_host *h, const char *module) {
        const struct gd_modconfig *m = h->modconfig;

        for (size_t i = 0; m && i < m->n_options; i++) {
                const char *o = m->options[i].options, *p;
                if (!gd_modname_eq(m->options[i].module, module) || !o || gd_source_is_cmdline(&m->options[i].source))
                        continue;
                p = strstr(o, "allow_unsafe_interrupts");
                if (p && (p == o || p[-1] == ' ') &&
                    (p[23] == '\0' || p[23] == ' ' || (p[23] == '=' && truthy(p + 24))))
                        return &m->options[i];
        }
        return NULL;
}

static void read_unsafe(const struct gd_host *h, const char *module, struct unsafe *u) {
        char key[64];
        const struct gd_module_param *p = gd_host_module_param(h, module, "allow_unsafe_interrupts");

        *u = (struct unsafe) { .module = module };
        snprintf(key, sizeof(key), "%s.allow_unsafe_interrupts", module);
        if (h->cmdline_state == 0) {
                u->arg = gd_cmdline_find_last(&h->cmdline, key);
                if (u->arg && !truthy(u->arg->value))
                        u->arg = NULL;
        }
        u->opt = unsafe_option(h, module);
        if (p && p->state == 0 && p->value && truthy(p->value))
                u->param = p;
}

static bool unsafe_set(const struct unsafe *u) {
        return u->arg || u->opt || u->param;
}

static void unsafe_evidence(struct gd_finding *x, const struct gd_host *h, const struct unsafe *u, bool remove) {
        _cleanup_free_ char *as = u->arg ? arg_string(u->arg) : NULL;
        _cleanup_free_ char *src = u->opt ? gd_modconfig_source_string(&u->opt->source) : NULL;

        if (u->param)
                gd_finding_evidence(x, "/sys/module", 0, "%s/parameters/allow_unsafe_interrupts: %s (in force)",
                                    u->module, u->param->value);
        if (u->arg) {
                gd_finding_evidence_cmdline(x, h);
                if (remove && as)
                        gd_remedy_cmdline_remove(x, h, as);
        }
        if (u->opt) {
                gd_finding_evidence(x, src ? src : "modprobe.d", 0, "options %s %s", u->opt->module, u->opt->options);
                if (remove) {
                        gd_finding_remedy_append(x, "Remove allow_unsafe_interrupts from %s, then rebuild the initramfs.",
                                                 src ? src : "the modprobe.d options");
                        if (u->opt->source.path && !gd_source_is_cmdline(&u->opt->source))
                                gd_finding_act_line(x, GD_ACT_OPTION_REMOVE, u->opt->source.path, u->opt->source.line,
                                                    NULL, "allow_unsafe_interrupts", u->opt->module);
                        gd_finding_act(x, GD_ACT_INITRAMFS_REBUILD, NULL);
                        gd_finding_act(x, GD_ACT_REBOOT, NULL);
                }
        }
}

void check_irq(const struct gd_host *h, struct gd_findings *out) {
        const struct gd_kmsg_record *on_rec, *refused, *boot, *pre_its;
        const struct gd_cmdline_arg *off_arg = NULL;
        struct unsafe type1, iommufd;
        const char *iline = NULL;
        size_t ilen = 0;
        bool its = false;
        tri_t via_int = interrupts_ir(h, &iline, &ilen, &its), ir;
        struct gd_finding *x;

        read_unsafe(h, "vfio_iommu_type1", &type1);
        read_unsafe(h, "iommufd", &iommufd);
        on_rec = kfind(h, GD_KMSG_DMAR_IR_ENABLED, NULL);
        if (!on_rec)
                on_rec = kfind(h, GD_KMSG_AMDVI_IR_ENABLED, NULL);
        refused = kfind(h, GD_KMSG_NO_IRQ_REMAP, NULL);
        boot = kfind(h, GD_KMSG_LINUX_VERSION, NULL); /* the log reaches back to boot */
        pre_its = kfind(h, GD_KMSG_PRE_ITS, NULL);
        if (its && pre_its)
                via_int = TRI_NO; /* the quirk clears IRQ_DOMAIN_FLAG_ISOLATED_MSI */
        if (h->cmdline_state == 0) {
                const struct gd_cmdline_arg *a = gd_cmdline_find_last(&h->cmdline, "intremap");
                if (a && a->value && comma_item_starts_with(a->value, "off"))
                        off_arg = a;
                else if (gd_cmdline_find(&h->cmdline, "nointremap"))
                        off_arg = gd_cmdline_find(&h->cmdline, "nointremap");
        }

        if (on_rec || via_int == TRI_YES)
                ir = TRI_YES;
        else if (refused || off_arg || via_int == TRI_NO || (h->kmsg_state == 0 && boot))
                ir = TRI_NO;
        else
                ir = TRI_UNKNOWN;

        if (ir == TRI_YES)
                gd_findings_prove(out, GD_PROOF_IRQ, NULL);
        if (ir == TRI_NO && !unsafe_set(&type1) && !unsafe_set(&iommufd)) {
                x = gd_findings_add(out, "irq.remap-missing", its ?
                                    "the GICv3 ITS does not isolate MSIs here (Synquacer pre-ITS): vfio will refuse "
                                    "the GPU's group" :
                                    "interrupt remapping is not enabled: vfio will refuse the GPU's group");
                if (!x)
                        return;
                if (refused)
                        gd_finding_evidence_kmsg(x, h, refused);
                if (pre_its && its)
                        gd_finding_evidence_kmsg(x, h, pre_its);
                if (off_arg)
                        gd_finding_evidence_cmdline(x, h);
                if (via_int == TRI_NO)
                        gd_finding_evidence(x, gd_hostpath(GD_PROC_INTERRUPTS)->path, 0, "%.*s (no IR- or ITS- "
                                            "interrupt chip)", (int) ilen, iline);
                if (!refused && !off_arg && via_int != TRI_NO)
                        gd_finding_evidence(x, h->kmsg.source ? h->kmsg.source : "kernel log", 0,
                                            "log from boot (%s) has no 'DMAR-IR: Enabled IRQ remapping' or "
                                            "'AMD-Vi: Interrupt remapping enabled' line", boot->text);
                if (off_arg) {
                        _cleanup_free_ char *as = arg_string(off_arg);
                        if (as)
                                gd_remedy_cmdline_remove(x, h, as);
                } else {
                        gd_finding_act_text(x, GD_ACT_FIRMWARE, "Enable interrupt remapping (x2APIC) and update the "
                                            "firmware");
                        gd_finding_remedy(x, "Enable interrupt remapping / x2APIC in the firmware setup and update the "
                                          "firmware (on AMD check the log for 'IOAPIC[..] not in IVRS table' and add "
                                          "ivrs_ioapic=ID@BDF). Last resort, without isolation: "
                                          "options vfio_iommu_type1 allow_unsafe_interrupts=1 in /etc/modprobe.d/vfio.conf "
                                          "(and iommufd.allow_unsafe_interrupts=1 where VFIO uses iommufd).");
                }
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

        for (int k = 0; k < 2; k++) {
                const struct unsafe *u = k == 0 ? &type1 : &iommufd;

                if (!unsafe_set(u))
                        continue;
                x = gd_findings_add(out, "irq.unsafe-allowed", ir == TRI_NO ?
                                    "%s allow_unsafe_interrupts is set and needed: no interrupt remapping, no "
                                    "interrupt isolation" : "%s allow_unsafe_interrupts is set", u->module);
                if (!x)
                        return;
                unsafe_evidence(x, h, u, ir == TRI_YES);
                if (on_rec)
                        gd_finding_evidence_kmsg(x, h, on_rec);
                else if (via_int == TRI_YES)
                        gd_finding_evidence(x, gd_hostpath(GD_PROC_INTERRUPTS)->path, 0, "%.*s", (int) ilen, iline);
                if (ir != TRI_YES)
                        gd_finding_remedy(x, "Keep it only while the platform has no interrupt remapping; a VM can then "
                                          "inject interrupts into the host. Enable remapping in the firmware if it exists.");
                else if (!u->arg && !u->opt)
                        gd_finding_remedy(x, "It was set at run time (/sys/module/%s/parameters/allow_unsafe_interrupts): "
                                          "echo N to it, or reboot.", u->module);
        }
}
