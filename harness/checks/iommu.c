/* SPDX-License-Identifier: MIT */
/* Is there an IOMMU the kernel uses, with interrupt remapping?
 *
 * What proves what (kernel sources as of v6.x, older forms noted):
 *  - firmware: the ACPI DMAR (Intel) or IVRS (AMD) table exists.  The
 *    drivers only look for these tables: detect_intel_iommu() ->
 *    dmar_table_detect() (drivers/iommu/intel/dmar.c), amd_iommu_detect()
 *    -> IOMMU_IVRS_DETECTED (drivers/iommu/amd/init.c).
 *  - kernel on: a unit in /sys/class/iommu (iommu_device_sysfs_add() is
 *    called only on the success path of intel_iommu_init() and of the AMD
 *    init), or the log lines "DMAR: Intel(R) Virtualization Technology for
 *    Directed I/O" (last line of intel_iommu_init(); "PCI-DMA: " before
 *    3.x), "AMD-Vi: Found IOMMU" (print_iommu_info(): "Found IOMMU cap 0x%x",
 *    pre-4.x "Found IOMMU at %s cap 0x%hx"), or groups: "Adding to iommu
 *    group N" (iommu_group_add_device(), drivers/iommu/iommu.c; pre-4.x
 *    "Adding device %s to group %d") — groups only when vfio no-IOMMU mode
 *    is off, because vfio_noiommu_group_alloc() creates groups too.
 *    "DMAR: IOMMU enabled" is NOT proof: intel_iommu_setup() prints it when
 *    it parses intel_iommu=on, with or without a DMAR table.
 *  - kernel off, cause: iommu=off (arch/x86/kernel/pci-dma.c iommu_setup():
 *    no_iommu = 1, which both drivers honour), intel_iommu=off
 *    (intel_iommu_setup(): dmar_disabled = 1), amd_iommu=off
 *    (parse_amd_iommu_options(): amd_iommu_disabled, silent), or an Intel
 *    kernel built without CONFIG_INTEL_IOMMU_DEFAULT_ON (dmar_disabled =
 *    !IS_ENABLED(CONFIG_INTEL_IOMMU_DEFAULT_ON)) booted without
 *    intel_iommu=on.  Debian's CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF is
 *    a distribution patch that turns it on too.  Both parsers take a
 *    comma list and match each word by prefix (strncmp); later arguments
 *    override earlier ones.
 *  - the kernel command line options: iommu-cmdline.c; interrupt
 *    remapping: irq.c.
 *  - no-IOMMU mode: vfio.enable_unsafe_noiommu_mode (module_param_named in
 *    drivers/vfio/vfio_main.c, earlier vfio.c), "Adding kernel taint for
 *    vfio-noiommu group on device". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/hostpaths.h"
#include "base/strv.h"
#include "families.h"
#include "iommu-internal.h"
#include "model/bootconfig.h"
#include "model/kmsg.h"
#include "model/modconfig.h"
#include "remedy.h"
#include "unreadable.h"

/* ---- facts ------------------------------------------------------------------ */

const struct gd_kmsg_record *kfind(const struct gd_host *h, enum gd_kmsg_signal signal, const char *and) {
        return h->kmsg_state < 0 ? NULL : gd_kmsg_find(&h->kmsg, signal, and, 0);
}

/* kstrtobool() as param_set_bool() uses it; a bare flag is true. */
bool truthy(const char *v) {
        return !v || strchr("yYtT1", v[0]) || (v[0] == 'o' && v[1] == 'n');
}

/* Does any comma-separated item of value start with prefix?  The kernel's
 * own matching (strncmp) in intel_iommu_setup(), parse_amd_iommu_options()
 * and iommu_setup(), so "offx" is "off" too. */
bool comma_item_starts_with(const char *value, const char *word) {
        for (const char *p = value; p && *p;) {
                if (strncmp(p, word, strlen(word)) == 0)
                        return true;
                p += strcspn(p, ",");
                p += strspn(p, ",");
        }
        return false;
}

static tri_t sysfs_tri(int state, size_t n) {
        if (state == 0)
                return n > 0 ? TRI_YES : TRI_NO;
        return TRI_UNKNOWN; /* -ENOENT too: a bundle may not have recorded it */
}

static void gather(const struct gd_host *h, struct facts *f) {
        const struct gd_kmsg_record *adding;

        *f = (struct facts) {};
        /* arm64 describes its SMMUs in the IORT table (drivers/acpi/arm64/iort.c). */
        if (h->acpi_dmar == TRI_YES || h->acpi_ivrs == TRI_YES || h->acpi_iort == TRI_YES)
                f->fw = TRI_YES;
        else if (h->acpi_dmar == TRI_NO && h->acpi_ivrs == TRI_NO)
                f->fw = TRI_NO;
        else if (kfind(h, GD_KMSG_ACPI_DMAR, NULL) || kfind(h, GD_KMSG_ACPI_IVRS, NULL) ||
                 kfind(h, GD_KMSG_DMAR_HOST_WIDTH, NULL))
                f->fw = TRI_YES; /* the ACPI table dump at boot, or the DMAR table parser */
        else if (kfind(h, GD_KMSG_ACPI_XSDT, NULL) || kfind(h, GD_KMSG_ACPI_RSDT, NULL))
                f->fw = TRI_NO;  /* the log has the boot-time table dump (acpi_tb_print_table_header()), without either */

        f->units = sysfs_tri(h->iommu_units_state, strv_length(h->iommu_units));
        f->groups = h->groups_state == 0 ? (h->n_groups > 0 ? TRI_YES : TRI_NO) :
                    h->groups_state == -ENOENT ? TRI_NO : TRI_UNKNOWN;

        if (h->cmdline_state == 0) {
                f->noiommu_arg = gd_cmdline_find_last(&h->cmdline, "vfio.enable_unsafe_noiommu_mode");
                if (f->noiommu_arg && !truthy(f->noiommu_arg->value))
                        f->noiommu_arg = NULL;
        }
        f->noiommu_rec = kfind(h, GD_KMSG_VFIO_NOIOMMU, NULL);
        f->noiommu = f->noiommu_arg || f->noiommu_rec;

        f->on_rec = kfind(h, GD_KMSG_VTD_ENABLED, NULL);
        if (!f->on_rec)
                f->on_rec = kfind(h, GD_KMSG_AMDVI_FOUND, NULL);
        adding = kfind(h, GD_KMSG_GROUP_ADDED, NULL);
        if (!adding)
                adding = kfind(h, GD_KMSG_DEVICE_ADDED, " to group ");
        if (!f->on_rec && !f->noiommu)
                f->on_rec = adding;

        if (!kfind(h, GD_KMSG_DMAR_INIT_FAILED, NULL) && !(f->vtd_not_disabled = kfind(h, GD_KMSG_DMAR_NO_ATSR, NULL)))
                f->vtd_not_disabled = kfind(h, GD_KMSG_DMAR_NO_SATC, NULL);

        if (f->units == TRI_YES || f->on_rec || (f->groups == TRI_YES && !f->noiommu))
                f->on = TRI_YES;
        else if (f->units == TRI_NO || f->groups == TRI_NO || (f->groups == TRI_YES && f->noiommu))
                f->on = TRI_NO;
        else
                f->on = TRI_UNKNOWN;

        f->vm_vendor = gd_dmi_hypervisor_vendor(h);
}

int ev_facts(struct gd_finding *x, const struct gd_host *h, const struct facts *f) {
        if (h->acpi_dmar != TRI_UNKNOWN)
                gd_finding_evidence(x, "/sys/firmware/acpi/tables/DMAR", 0, "%s",
                                    h->acpi_dmar == TRI_YES ? "present" : "absent");
        if (h->acpi_ivrs != TRI_UNKNOWN)
                gd_finding_evidence(x, "/sys/firmware/acpi/tables/IVRS", 0, "%s",
                                    h->acpi_ivrs == TRI_YES ? "present" : "absent");
        if (f->units == TRI_NO)
                gd_finding_evidence(x, "/sys/class/iommu", 0, "no IOMMU units");
        if (f->groups == TRI_NO)
                gd_finding_evidence(x, "/sys/kernel/iommu_groups", 0, "no groups");
        return 0;
}

/* ---- findings --------------------------------------------------------------- */

static void kernel_off(const struct gd_host *h, const struct facts *f, struct gd_findings *out) {
        const struct gd_bootconfig *b = h->bootconfig;
        const char *dflt = gd_kconfig_get(b, "CONFIG_INTEL_IOMMU_DEFAULT_ON");
        const char *intgpu = gd_kconfig_get(b, "CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF");
        bool intel = h->acpi_dmar == TRI_YES || (h->acpi_ivrs != TRI_YES && streq(h->cpu_vendor, "GenuineIntel"));
        struct cmdline_iommu c;
        const struct gd_kmsg_record *r;
        struct gd_finding *x;
        _cleanup_free_ char *as = NULL;

        read_cmdline(h, &c);
        if (c.iommu_off || (intel && c.intel == 0) || (!intel && c.amd_off)) {
                const struct gd_cmdline_arg *a = c.iommu_off ? c.iommu_off : intel ? c.intel_arg : c.amd_off;
                as = arg_string(a);
                x = gd_findings_add(out, "iommu.kernel-off", "the kernel command line turns the IOMMU off (%s)",
                                    as ? as : a->key);
                if (!x)
                        return;
                gd_finding_evidence_cmdline(x, h);
                ev_facts(x, h, f);
                if (as)
                        gd_remedy_cmdline_remove(x, h, as);
                if (intel && c.intel != 1 && dflt && !streq(dflt, "y") && !streq(intgpu, "y"))
                        gd_finding_remedy_append(x, "This kernel also needs intel_iommu=on (it does not enable VT-d by default).");
                else if (intel && c.intel != 1 && !dflt)
                        gd_finding_remedy_append(x, "If this kernel does not enable VT-d by default "
                                                 "(CONFIG_INTEL_IOMMU_DEFAULT_ON), add intel_iommu=on as well.");
                return;
        }
        if (intel && c.intel != 1 && dflt && !streq(dflt, "y") && !streq(intgpu, "y")) {
                x = gd_findings_add(out, "iommu.kernel-off",
                                    "this kernel does not enable VT-d by default and intel_iommu=on is missing");
                if (!x)
                        return;
                gd_finding_evidence(x, b->kconfig_source, 0, "CONFIG_INTEL_IOMMU_DEFAULT_ON=%s%s", dflt,
                                    intgpu ? "" : " (no CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF)");
                gd_finding_evidence_cmdline(x, h);
                ev_facts(x, h, f);
                gd_remedy_cmdline_add(x, h, "intel_iommu=on");
                return;
        }
        x = gd_findings_add(out, "iommu.kernel-off",
                            "the firmware describes an IOMMU (%s) but the kernel did not enable it",
                            h->acpi_dmar == TRI_YES ? "DMAR" : h->acpi_ivrs == TRI_YES ? "IVRS" : "ACPI table");
        if (!x)
                return;
        ev_facts(x, h, f);
        if (h->cmdline_state == 0)
                gd_finding_evidence_cmdline(x, h);
        if (intel && !dflt) {
                _cleanup_free_ char *cfg = NULL;
                if (asprintf(&cfg, "/boot/config-%s", h->kernel_release ? h->kernel_release : "<release>") < 0)
                        cfg = NULL;
                gd_finding_evidence(x, b && b->kconfig_source ? b->kconfig_source : cfg ? cfg : "/boot/config-<release>", 0,
                                    "kernel configuration %s: CONFIG_INTEL_IOMMU_DEFAULT_ON unknown",
                                    b && b->kconfig_source ? "does not mention it" : "unreadable (nor /proc/config.gz)");
        }
        if ((r = kfind(h, GD_KMSG_DMAR_INIT_FAILED, NULL)) || (r = kfind(h, GD_KMSG_AMDVI_FIRMWARE_BUG, NULL)))
                gd_finding_evidence_kmsg(x, h, r);
        if (intel && c.intel != 1 && !streq(dflt, "y") && !streq(intgpu, "y"))
                gd_remedy_cmdline_add(x, h, "intel_iommu=on");
        else
                gd_finding_remedy(x, "Look for DMAR / AMD-Vi errors in the kernel log (dmesg | grep -iE 'DMAR|AMD-Vi|IOMMU'); "
                                  "check that the kernel is built with CONFIG_%s_IOMMU=y; update the firmware.",
                                  intel ? "INTEL" : "AMD");
}

/* The facts that decided the role (model/role.c), as evidence. */
int ev_role(struct gd_finding *x, const struct gd_host *h) {
        struct gd_role_fact rf;

        gd_role_decide(h, &rf);
        for (size_t i = 0; i < rf.n_evidence; i++)
                gd_finding_evidence(x, rf.evidence[i].source, rf.evidence[i].line, "%s", rf.evidence[i].text);
        return 0;
}

static void unreadable(struct gd_findings *out, const struct gd_host *h, enum gd_fact fact, const char *what,
                       const char *source, const char *text, const char *remedy) {
        struct gd_finding *x = gd_findings_add(out, "fact.unreadable", "%s%s", what, gd_unreadable_phrase(h));
        if (!x)
                return;
        gd_finding_evidence(x, source, 0, "%s", h->imported ? gd_unreadable_value(h) : text);
        gd_remedy_unreadable(x, h, fact, NULL, remedy);
}


/* ---- the check -------------------------------------------------------------- */

/* True when every function of every card has an IOMMU group. */
static bool targets_grouped(const struct gd_targets *t) {
        for (size_t i = 0; i < t->n; i++)
                for (size_t j = 0; j < t->items[i].n_functions; j++)
                        if (t->items[i].functions[j]->iommu_group == GD_GROUP_NONE)
                                return false;
        return t->n > 0;
}

/* vfio's no-IOMMU mode makes a group only for a device that has none:
 * vfio_device_set_group() in drivers/vfio/group.c (vfio_group_find_or_alloc()
 * before 6.2) calls vfio_noiommu_group_alloc() only when iommu_group_get()
 * returns NULL.  On a host whose IOMMU translates (units, or the VT-d /
 * AMD-Vi banner) the GPU's own group is real and VFIO uses it as ever. */
static void check_noiommu(const struct gd_host *h, const struct facts *f, const struct gd_targets *t,
                          struct gd_findings *out) {
        bool real = f->units == TRI_YES || f->on_rec;
        struct gd_finding *x;

        if (!f->noiommu)
                return;
        if (real && targets_grouped(t))
                x = gd_findings_add_variant(out, "iommu.noiommu-mode", "real-groups", "vfio no-IOMMU mode is enabled, "
                                            "but the IOMMU is on and every GPU function has a real group: only "
                                            "devices without a group get unsafe no-IOMMU groups");
        else
                x = gd_findings_add(out, "iommu.noiommu-mode", "vfio no-IOMMU mode is enabled: no DMA isolation, "
                                    "unusable for VMs");
        if (!x)
                return;
        if (real && f->units == TRI_YES)
                gd_finding_evidence(x, "/sys/class/iommu", 0, "%s: the IOMMU is on", h->iommu_units[0]);
        else if (real)
                gd_finding_evidence_kmsg(x, h, f->on_rec);
        if (f->noiommu_arg) {
                _cleanup_free_ char *as = arg_string(f->noiommu_arg);
                gd_finding_evidence_cmdline(x, h);
                if (as)
                        gd_remedy_cmdline_remove(x, h, as);
        }
        if (f->noiommu_rec)
                gd_finding_evidence_kmsg(x, h, f->noiommu_rec);
        if (!f->noiommu_arg)
                gd_finding_remedy(x, "Remove enable_unsafe_noiommu_mode from the vfio module options (modprobe.d) "
                                  "and reboot; enable the IOMMU instead.");
}

static void check_acs_override(const struct gd_host *h, struct gd_findings *out) {
        const struct gd_cmdline_arg *a = h->cmdline_state == 0 ? gd_cmdline_find(&h->cmdline, "pcie_acs_override") : NULL;
        const struct gd_kmsg_record *on, *ignored;
        _cleanup_free_ char *as = NULL;
        struct gd_finding *x;

        if (!a)
                return;
        as = arg_string(a);
        on = kfind(h, GD_KMSG_ACS_OVERRIDE, NULL);
        ignored = kfind(h, GD_KMSG_UNKNOWN_PARAMETERS, "pcie_acs_override");
        x = gd_findings_add(out, "acs.override", ignored ?
                            "pcie_acs_override is set but this kernel ignores it (no ACS override patch)" :
                            "pcie_acs_override is set: IOMMU groups are split without hardware isolation");
        if (!x)
                return;
        gd_finding_evidence_cmdline(x, h);
        if (on)
                gd_finding_evidence_kmsg(x, h, on);
        if (ignored)
                gd_finding_evidence_kmsg(x, h, ignored);
        /* Advice only: the plan never removes it by itself, since the
         * groups a VM relies on would merge again. */
        if (as)
                gd_remedy_cmdline_remove_text(x, h, as);
        gd_finding_remedy_append(x, "If you keep it, know that devices in the split groups can still reach each other by "
                                 "peer-to-peer DMA; prefer a slot whose root port has ACS.");
}

void gd_check_iommu(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        struct facts f;
        struct gd_finding *x;

        gather(h, &f);

        switch (out->role) {
        case GD_ROLE_XEN_DOM0:
                /* Xen owns the IOMMU and interrupt remapping; dom0's Linux
                 * sees neither ("I/O virtualisation enabled" is in xl dmesg). */
                x = gd_findings_add(out, "iommu.xen-dom0", "Xen dom0: devices are passed through by Xen "
                                    "(xen-pciback), not VFIO");
                if (!x)
                        return;
                ev_role(x, h);
                ev_facts(x, h, &f);
                gd_finding_remedy(x, "Check Xen's IOMMU: xl dmesg | grep -i 'I/O virtualisation' must say enabled "
                                  "(iommu=1 on the Xen command line). Then make the GPU's functions assignable with "
                                  "'xl pci-assignable-add <BDF>' and list them in the guest's pci = [ ... ] setting.");
                return;
        case GD_ROLE_GUEST:
        case GD_ROLE_XEN_DOMU:
                x = gd_findings_add(out, "iommu.hypervisor", "this host is a virtual machine without a virtual "
                                    "IOMMU: it can use the GPUs it was given, but cannot pass them on");
                if (!x)
                        return;
                ev_role(x, h);
                ev_facts(x, h, &f);
                gd_finding_remedy(x, "Nothing to change to use a GPU inside this VM. To pass one on to a nested VM, "
                                  "give this VM a vIOMMU on the outer host (QEMU q35: -device "
                                  "intel-iommu,intremap=on,caching-mode=on) and enable nested virtualization "
                                  "(kvm_intel.nested=1 / kvm_amd.nested=1).");
                return;
        default:
                break;
        }

        check_noiommu(h, &f, t, out);
        check_acs_override(h, out);
        unknown_options(h, out);
        check_iommu_log(h, t, out);

        if (f.on == TRI_YES) {
                if (f.groups == TRI_NO) {
                        x = gd_findings_add(out, "iommu.no-groups", "the IOMMU is on but /sys/kernel/iommu_groups is empty");
                        if (!x)
                                return;
                        gd_finding_evidence(x, "/sys/kernel/iommu_groups", 0, "no groups");
                        if (f.on_rec)
                                gd_finding_evidence_kmsg(x, h, f.on_rec);
                        gd_finding_remedy(x, "Look for IOMMU errors in the kernel log (dmesg | grep -iE 'DMAR|AMD-Vi|iommu').");
                } else if (f.groups == TRI_UNKNOWN)
                        unreadable(out, h, GD_FACT_GROUPS, "the IOMMU groups", "/sys/kernel/iommu_groups", "unreadable",
                                   ROOT_REMEDY);
                else
                        /* On proves translation here: units or the driver's
                         * banner, or groups without no-IOMMU mode (gather()). */
                        gd_findings_prove(out, GD_PROOF_IOMMU, NULL);
                check_irq(h, out);
                return;
        }

        if (f.fw == TRI_NO) {
                x = gd_findings_add(out, "iommu.firmware-off", "the firmware describes no IOMMU (no DMAR, IVRS or "
                                    "IORT table)");
                if (!x)
                        return;
                ev_facts(x, h, &f);
                gd_finding_remedy(x, "Enable %s in the firmware setup (UEFI/BIOS), then boot again.",
                                  streq(h->cpu_vendor, "AuthenticAMD") ? "IOMMU / AMD-Vi (often under AMD CBS > NBIO)" :
                                  streq(h->cpu_vendor, "GenuineIntel") ? "VT-d (Intel Virtualization Technology for Directed I/O)" :
                                  "VT-d (Intel) or IOMMU / AMD-Vi (AMD)");
                gd_finding_act_text(x, GD_ACT_FIRMWARE, "Enable %s",
                                    streq(h->cpu_vendor, "AuthenticAMD") ? "IOMMU / AMD-Vi (often under AMD CBS > NBIO)" :
                                    streq(h->cpu_vendor, "GenuineIntel") ? "VT-d (Intel Virtualization Technology for Directed I/O)" :
                                    "VT-d (Intel) or IOMMU / AMD-Vi (AMD)");
                return;
        }

        /* A log that shows VT-d's init past the point where a disabled
         * kernel stops is no proof that the kernel left it off: a paste cut
         * before the banner leaves the state unknown (unless the command
         * line turns it off). */
        if (f.fw == TRI_YES && f.on == TRI_UNKNOWN && f.vtd_not_disabled) {
                struct cmdline_iommu c;
                read_cmdline(h, &c);
                if (!c.iommu_off && c.intel != 0) {
                        unreadable(out, h, GD_FACT_IOMMU, "the IOMMU state (VT-d's init passed the point where a "
                                   "disabled kernel stops, but the log ends before its result)",
                                   "/sys/firmware/acpi/tables", "DMAR present", ROOT_REMEDY);
                        return;
                }
        }
        if (f.fw == TRI_YES) {
                kernel_off(h, &f, out);
                return;
        }

        /* Firmware unknown: the command line may still explain it. */
        {
                struct cmdline_iommu c;
                read_cmdline(h, &c);
                if (c.iommu_off || c.intel == 0 || c.amd_off) {
                        kernel_off(h, &f, out);
                        return;
                }
        }
        if (f.on == TRI_NO) {
                x = gd_findings_add(out, "iommu.no-groups", "no IOMMU is active: /sys/kernel/iommu_groups is empty");
                if (x) {
                        ev_facts(x, h, &f);
                        gd_finding_remedy(x, "Enable VT-d / AMD-Vi in the firmware setup; on Intel kernels that do not "
                                          "enable it by default add intel_iommu=on.");
                }
        }
        unreadable(out, h, f.on == TRI_NO ? GD_FACT_FIRMWARE : GD_FACT_IOMMU,
                   f.on == TRI_NO ? "whether the firmware provides an IOMMU (ACPI DMAR/IVRS)" : "the IOMMU state",
                   "/sys/firmware/acpi/tables", "DMAR/IVRS presence unknown",
                   "Collect with a kernel that exposes /sys/firmware/acpi/tables, or include the kernel log from boot.");
}
