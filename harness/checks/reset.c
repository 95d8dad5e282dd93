/* SPDX-License-Identifier: MIT */
/* reset.none and reset.amd-bug: can the GPU be reset between VM runs?
 *
 * Facts (verified in kernel source, drivers/pci/pci.c):
 * - reset_method (5.15+) lists pci_reset_fn_methods[] names the device
 *   supports, space separated (reset_method_show()): device_specific, acpi,
 *   flr, af_flr, pm, bus, cxl_bus.  The attribute is hidden when the device
 *   has none (pci_dev_reset_method_attr_is_visible() -> pci_reset_supported()),
 *   so on 5.15+ an absent file means "no method"; an empty one means a user
 *   wrote it empty.
 * - "bus" (pci_reset_bus_function() -> pci_parent_bus_reset()) works only
 *   when the device is alone on its bus.  Methods are probed in
 *   pci_device_add() before the device joins bus->devices, so function 0 of
 *   a multi-function card can list "bus" although its siblings make the
 *   per-function bus reset fail later.  vfio-pci can still reset the whole
 *   bus (VFIO_DEVICE_PCI_HOT_RESET) when every device on it belongs to the
 *   VM; devices that are not functions of the card make that impossible.
 * - pm reset (pci_pm_reset()) is refused when PMCSR No_Soft_Reset is set;
 *   flr needs DevCap FLR (pcie_reset_flr()).
 * The AMD table is gnif/vendor-reset's (checks/vendor-reset-ids.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/string-util.h"
#include "base/strv.h"
#include "families.h"
#include "model/kmsg.h"
#include "model/modconfig.h"
#include "remedy.h"
#include "vendor-reset-ids.h"

#define PCI_VENDOR_NVIDIA 0x10de
/* reset_method_show() (drivers/pci/pci.c) joins the method names with ' '. */
#define RESET_METHOD_SEPARATORS " \n"

/* A reset of this function alone: everything but the bus-level methods. */
static bool has_function_reset(const char *methods) {
        static const char *const per_function[] = { "device_specific", "acpi", "flr", "af_flr", "pm" };

        for (size_t i = 0; i < ELEMENTSOF(per_function); i++)
                if (string_has_word(methods, per_function[i], RESET_METHOD_SEPARATORS))
                        return true;
        return false;
}

/* Devices on the GPU's bus that are not functions of the card. */
static char **bus_sharers(const struct gd_host *h, const struct gd_target *t) {
        char **l = NULL;

        for (size_t i = 0; i < h->n_devs; i++) {
                const struct gd_pci_dev *d = &h->devs[i];

                if (d->domain == t->gpu->domain && d->bus == t->gpu->bus && !gd_target_has(t, d->address))
                        (void) strv_push_dup(&l, d->address);
        }
        return l;
}

static tri_t module_loaded(const struct gd_host *h, const char *name) {
        if (h->modconfig && h->modconfig->loaded_state == 0)
                return gd_modconfig_is_loaded(h->modconfig, name) ? TRI_YES : TRI_NO;
        if (h->modules_state == 0) {
                for (char **m = h->modules; m && *m; m++)
                        if (gd_modname_eq(*m, name))
                                return TRI_YES;
                return TRI_NO;
        }
        return TRI_UNKNOWN;
}

static void check_none(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out) {
        const struct gd_pci_dev *gpu = t->gpu;
        const char *rm = gpu->reset_method;
        _cleanup_(strv_freep) char **sharers = NULL;
        _cleanup_free_ char *sharers_text = NULL;
        const char *basis;
        struct gd_finding *x;

        if (rm) {
                if (has_function_reset(rm))
                        return;
                basis = rm[0] ? "reset_method lists only bus-level methods" : "reset_method is empty";
        } else if (gpu->reset_method_state == -ENOENT && gd_kernel_at_least(h, 5, 15) && h->pci_state == 0) {
                basis = "reset_method is absent: Linux 5.15+ hides it when the device has no reset method";
        } else if (gpu->caps.flr == TRI_NO && gpu->caps.pm_no_soft_reset == TRI_YES) {
                basis = "config space: no FLR in DevCap and PM No_Soft_Reset set (reset_method not available on "
                        "this kernel)";
        } else {
                return; /* unknown; reset.none is advice, so no fact.unreadable */
        }

        /* On the root bus there is no bridge to reset the bus with. */
        sharers = gpu->parent ? bus_sharers(h, t) : NULL;
        /* "bus" with the card alone on its bus is a usable reset. */
        if (rm && string_has_word(rm, "bus", RESET_METHOD_SEPARATORS) && !sharers)
                return;

        if (sharers) {
                size_t len = 0;
                for (char **s = sharers; *s; s++)
                        len += strlen(*s) + 2;
                sharers_text = calloc(1, len + 1);
                for (char **s = sharers; sharers_text && *s; s++) {
                        if (s != sharers)
                                strcat(sharers_text, ", ");
                        strcat(sharers_text, *s);
                }
        }

        if (!gpu->parent)
                x = gd_findings_add(out, "reset.none",
                                    "%s has no reset method, and on the root bus there is no bus reset either",
                                    gpu->address);
        else if (sharers)
                x = gd_findings_add(out, "reset.none",
                                    "%s has no function-level reset, and a bus reset would also reset %s",
                                    gpu->address, sharers_text ? sharers_text : "other devices");
        else
                x = gd_findings_add(out, "reset.none",
                                    "%s has no function-level reset; only a reset of its whole bus by vfio "
                                    "(all functions of the card in one VM) is left", gpu->address);
        if (!x)
                return;
        gd_finding_subject_target(x, t);
        {
                _cleanup_free_ char *src = gd_pci_attr_source(gpu, "reset_method");
                _cleanup_free_ char *cfg = gd_pci_attr_source(gpu, "config");

                gd_finding_evidence(x, src, 0, "%s (%s)", rm ? (rm[0] ? rm : "(empty)") : "(absent)", basis);
                if (gpu->caps.flr != TRI_UNKNOWN)
                        gd_finding_evidence(x, cfg, 0, "DevCap FLR %s, PM No_Soft_Reset %s",
                                            tri_to_string(gpu->caps.flr),
                                            tri_to_string(gpu->caps.pm_no_soft_reset));
        }

        if (!gpu->parent)
                gd_finding_remedy(x, "Expect the device to keep its state between VM runs; reboot the host to "
                                     "reset it.");
        else if (sharers)
                gd_finding_remedy(x, "Move the card to a slot where it is alone on its bus (a CPU-attached slot "
                                     "with its own root port), or pass %s through to the same VM.",
                                  sharers_text ? sharers_text : "the other devices on the bus");
        else
                gd_finding_remedy(x, "Pass every function of the card (%zu) to the same VM so that QEMU can reset "
                                     "the bus (VFIO_DEVICE_PCI_HOT_RESET).", t->n_functions);
        if (rm && !rm[0])
                gd_finding_remedy_append(x, "reset_method was written empty; restore the kernel's list with: "
                                            "echo default > /sys/bus/pci/devices/%s/reset_method", gpu->address);
        if (gd_vendor_reset_find(gpu->vendor, gpu->device))
                gd_finding_remedy_append(x, "This AMD GPU is supported by vendor-reset, which adds a "
                                            "device_specific method: see reset.amd-bug.");
}

/* An imported card whose IDs the paste did not show: vendor-reset's own
 * messages in the kernel log prove that it handles the card, so the card
 * is one of its AMD GPUs with the reset bug (vendor-reset registers only
 * for the IDs of its table, src/device-db.h). */
static void amd_bug_from_log(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out) {
        const struct gd_vendor_reset_id *id = NULL;
        struct gd_finding *x = NULL;
        bool failed = false;

        if (h->kmsg_state < 0)
                return;
        for (size_t i = 0; i < h->kmsg.n_records; i++) {
                const struct gd_kmsg_record *r = &h->kmsg.records[i];
                const struct gd_vendor_reset_id *e = NULL;

                if (!gd_kmsg_record_has(r, GD_KMSG_VENDOR_RESET))
                        continue;
                for (size_t f = 0; f < t->n_functions && !e; f++)
                        e = gd_vendor_reset_in_log(r->text, t->functions[f]->address);
                if (!e)
                        continue;
                id = e;
                failed = failed || strstr(r->text, "failed") || strstr(r->text, "timed out");
                if (!x) {
                        x = gd_findings_add(out, "reset.amd-bug", "the kernel log shows vendor-reset resetting the card "
                                            "at %s (%s): an AMD GPU with the reset bug", t->gpu->address, e->info_str);
                        if (!x)
                                return;
                        gd_finding_subject_target(x, t);
                }
                gd_finding_evidence_kmsg(x, h, r);
        }
        if (!x)
                return;
        gd_finding_evidence(x, GD_VENDOR_RESET_REPO "/blob/" GD_VENDOR_RESET_COMMIT "/src/device-db.h", 0,
                            "%s (%s, %s)", id->info_str, id->family, id->ops);
        if (failed)
                gd_finding_remedy(x, "vendor-reset's reset failed for this card: after it the card needs a host "
                                     "reboot (or a suspend and resume of the host) before the next VM start. Keep "
                                     "vendor-reset current (" GD_VENDOR_RESET_REPO "), and shut the guest down "
                                     "cleanly so that its driver leaves the GPU idle.");
        else
                gd_finding_remedy(x, "vendor-reset handles this card; keep it loaded early (/etc/modules) and "
                                     "reset_method set to device_specific (Linux 5.15+).");
        /* No plan action: the log shows vendor-reset already at work, and a
         * paste does not show what /etc/modules or the udev rules hold, so
         * nothing is proven missing on the host. */
}

/* Someone wrote device_specific to the GPU's reset_method and the kernel
 * refused it: reset_method_store() (drivers/pci/pci.c) probes the method
 * (pci_dev_specific_reset(dev, PCI_RESET_PROBE)) and prints
 * "Unsupported reset method 'device_specific'" when no device-specific
 * reset is registered for the device -- neither a quirk of
 * pci_dev_reset_methods[] (drivers/pci/quirks.c) nor vendor-reset's hook,
 * which it installs only for the IDs of its table.  On an AMD GPU that is
 * the reset-bug workaround not covering this card. */
static bool amd_bug_refused(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out) {
        struct gd_finding *x = NULL;

        if (h->kmsg_state < 0 || (t->gpu->vendor != 0x1002 && !t->gpu->ids_unknown))
                return false;
        for (size_t i = 0; i < h->kmsg.n_records; i++) {
                const struct gd_kmsg_record *r = &h->kmsg.records[i];

                if (!gd_kmsg_record_has(r, GD_KMSG_RESET_UNSUPPORTED) ||
                    !strstr(r->text, "Unsupported reset method 'device_specific'"))
                        continue;
                if (!gd_kmsg_names_target(r->text, t))
                        continue;
                if (!x) {
                        x = gd_findings_add(out, "reset.amd-bug", "the kernel refused the device-specific reset for "
                                            "the card at %s: no device-specific reset (vendor-reset) is registered "
                                            "for it", t->gpu->address);
                        if (!x)
                                return true;
                        gd_finding_subject_target(x, t);
                        gd_finding_remedy(x, "vendor-reset registers only for the device IDs of its table "
                                             "(" GD_VENDOR_RESET_REPO ", src/device-db.h): check that it is loaded "
                                             "before vfio-pci binds the card and that its table has this card's ID "
                                             "(a newer vendor-reset, or none: many newer AMD GPUs reset with flr or "
                                             "bus; then do not write device_specific to reset_method).");
                }
                gd_finding_evidence_kmsg(x, h, r);
        }
        return x != NULL;
}

static void check_amd_bug(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out) {
        const struct gd_pci_dev *gpu = t->gpu;
        const struct gd_vendor_reset_id *id;
        const char *rm = gpu->reset_method;
        tri_t loaded = module_loaded(h, "vendor_reset");
        bool selected = rm && startswith(rm, "device_specific");
        struct gd_finding *x;

        /* vendor-reset has no NVIDIA (or Navi 2x/3x) entry: no advice for them. */
        if (gpu->vendor == PCI_VENDOR_NVIDIA && !gpu->ids_unknown)
                return;
        id = gd_vendor_reset_find(gpu->vendor, gpu->device);
        if (!id) {
                if (!amd_bug_refused(h, t, out))
                        amd_bug_from_log(h, t, out);
                return;
        }

        /* Handled (the module loaded and selected): the note stays, the warning goes. */
        x = gd_findings_add_variant(out, "reset.amd-bug", loaded == TRI_YES && selected ? "handled" : NULL,
                                    "%s (%04x:%04x, %s) has the AMD reset bug; vendor-reset supports this device ID; "
                                    "vendor_reset is %s; reset_method %s device_specific",
                                    gpu->address, gpu->vendor, gpu->device, id->info_str,
                                    loaded == TRI_YES ? "loaded" : loaded == TRI_NO ? "not loaded" : "of unknown state",
                                    !rm ? "(unknown) may not select" : selected ? "selects" : "does not select");
        if (!x)
                return;
        gd_finding_subject_target(x, t);
        gd_finding_evidence(x, GD_VENDOR_RESET_REPO "/blob/" GD_VENDOR_RESET_COMMIT "/src/device-db.h", 0,
                            "{PCI_VENDOR_ID_ATI, 0x%04x, ..., %s} (%s, %s)", id->device, id->info_str, id->family,
                            id->ops);
        gd_finding_evidence(x, "/sys/module/vendor_reset", 0, "%s",
                            loaded == TRI_YES ? "present (module loaded)" :
                            loaded == TRI_NO ? "absent (module not loaded)" : "module list unreadable");
        gd_finding_evidence_attr(x, gpu, "reset_method", rm ? rm : "(absent)");

        if (loaded == TRI_YES && selected)
                return;
        if (loaded != TRI_YES) {
                gd_finding_remedy(x, "Install vendor-reset (" GD_VENDOR_RESET_REPO ", e.g. with DKMS) and load it "
                                     "early: add the line 'vendor-reset' to /etc/modules.");
                gd_finding_act_text(x, GD_ACT_MANUAL, "Install vendor-reset (" GD_VENDOR_RESET_REPO
                                    ", e.g. with DKMS)");
                gd_finding_act(x, GD_ACT_MODULE_LOAD, "vendor-reset");
                gd_remedy_apply_initramfs(x, h);
                gd_finding_act(x, GD_ACT_REBOOT, NULL);
        }
        if (!selected && (rm || gd_kernel_at_least(h, 5, 15))) {
                gd_finding_remedy_append(x, "Linux 5.15+ tries flr/pm/bus before device_specific; select it with a "
                                            "udev rule in /etc/udev/rules.d/99-vendor-reset.rules:");
                gd_finding_remedy_append(x, "ACTION==\"add\", SUBSYSTEM==\"pci\", ATTR{vendor}==\"0x%04x\", "
                                            "ATTR{device}==\"0x%04x\", RUN+=\"/bin/sh -c 'echo device_specific > "
                                            "/sys$env{DEVPATH}/reset_method'\"", gpu->vendor, gpu->device);
                {
                        _cleanup_free_ char *rule = NULL;
                        if (asprintf(&rule, "ACTION==\"add\", SUBSYSTEM==\"pci\", ATTR{vendor}==\"0x%04x\", "
                                            "ATTR{device}==\"0x%04x\", RUN+=\"/bin/sh -c 'echo device_specific > "
                                            "/sys$env{DEVPATH}/reset_method'\"", gpu->vendor, gpu->device) >= 0)
                                gd_finding_act_line(x, GD_ACT_FILE_LINE, "/etc/udev/rules.d/99-vendor-reset.rules",
                                                    0, NULL, NULL, rule);
                        gd_finding_act(x, GD_ACT_REBOOT, NULL);
                }
                gd_finding_remedy_append(x, "(now: echo device_specific > /sys/bus/pci/devices/%s/reset_method)",
                                         gpu->address);
        }
}

void gd_check_reset(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        for (size_t i = 0; i < t->n; i++) {
                check_none(h, &t->items[i], out);
                check_amd_bug(h, &t->items[i], out);
        }
}
