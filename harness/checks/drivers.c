/* SPDX-License-Identifier: MIT */
/* The drivers family: who holds each function of the card now, and who
 * will claim it at next boot.
 *
 *   driver.host-bound  a function is bound to a driver other than vfio-pci / pci-stub
 *   driver.unbound     a function has no driver and no driver_override=vfio-pci
 *   driver.will-claim  the module configuration lets a host module claim it at next boot
 *   fact.unreadable    the driver link could not be read
 *
 * Facts: /sys/bus/pci/devices/<addr>/driver (link basename), driver_override,
 * modalias; the modalias resolved by libkmod as modprobe would (model/modconfig.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "families.h"
#include "model/modconfig.h"
#include "remedy.h"
#include "unreadable.h"
#include "vfio-ids.h"

/* Host drivers a GPU's functions meet, their module, and what they are.
 * Driver names are those of struct pci_driver .name: xhci-pci registers as
 * "xhci_hcd" (drivers/usb/host/xhci-pci.c), i2c-nvidia-gpu as "nvidia-gpu"
 * (drivers/i2c/busses/i2c-nvidia-gpu.c). */
static const struct {
        const char *driver, *module, *what;
} known_drivers[] = {
        { "nouveau", "nouveau", "the open-source NVIDIA driver" },
        { "nvidia", "nvidia", "the proprietary NVIDIA driver" },
        { "amdgpu", "amdgpu", "the AMD GPU driver" },
        { "radeon", "radeon", "the older AMD/ATI GPU driver" },
        { "snd_hda_intel", "snd_hda_intel", "HD Audio: the card's HDMI/DisplayPort audio" },
        { "xhci_hcd", "xhci_pci", "USB: the card's USB-C controller (module xhci_pci)" },
        { "nvidia-gpu", "i2c_nvidia_gpu", "i2c-nvidia-gpu: the card's USB-C UCSI controller" },
        { "i915", "i915", "the Intel graphics driver" },
        { "xe", "xe", "the Intel Xe graphics driver" },
        { "nvidiafb", "nvidiafb", "the NVIDIA framebuffer driver" },
        { "rivafb", "rivafb", "the old NVIDIA Riva framebuffer driver" },
};

static const char *driver_what(const char *driver) {
        for (size_t i = 0; i < ELEMENTSOF(known_drivers); i++)
                if (streq(known_drivers[i].driver, driver))
                        return known_drivers[i].what;
        return NULL;
}

static bool module_is_vfio(const char *module) {
        return gd_modname_eq(module, "vfio_pci") || gd_modname_eq(module, "pci_stub");
}

/* The module behind a driver name: the table, else the one host module the
 * device's modalias resolves to, else the driver name with '-' as '_'. */
static char *module_for_driver(const struct gd_host *h, const struct gd_pci_dev *d, const char *driver) {
        const struct gd_alias_match *a = gd_modconfig_find_alias(h->modconfig, d->modalias);
        const char *only = NULL;
        size_t n = 0;
        char *s;

        for (size_t i = 0; i < ELEMENTSOF(known_drivers); i++)
                if (streq(known_drivers[i].driver, driver))
                        return strdup(known_drivers[i].module);
        for (size_t i = 0; a && i < a->n_modules; i++) {
                if (gd_modname_eq(a->modules[i].name, driver))
                        return strdup(a->modules[i].name);
                if (!module_is_vfio(a->modules[i].name))
                        only = a->modules[i].name, n++;
        }
        if (n == 1)
                return strdup(only);
        s = strdup(driver);
        for (char *p = s; p && *p; p++)
                if (*p == '-')
                        *p = '_';
        return s;
}

static const struct gd_alias_module *alias_module(const struct gd_host *h, const char *module) {
        const struct gd_modconfig *m = h->modconfig;
        for (size_t i = 0; m && i < m->n_aliases; i++)
                for (size_t j = 0; j < m->aliases[i].n_modules; j++)
                        if (gd_modname_eq(m->aliases[i].modules[j].name, module))
                                return &m->aliases[i].modules[j];
        return NULL;
}

/* True when a device outside the card uses module now, or would get it from
 * its modalias: then blacklisting it would take it from that device too. */
static bool module_used_elsewhere(const struct gd_host *h, const struct gd_target *t, const char *module) {
        for (size_t i = 0; i < h->n_devs; i++) {
                const struct gd_pci_dev *d = &h->devs[i];
                const struct gd_alias_match *a;
                _cleanup_free_ char *owner = NULL;

                if (gd_target_has(t, d->address))
                        continue;
                if (d->driver) {
                        owner = module_for_driver(h, d, d->driver);
                        if (gd_modname_eq(owner, module))
                                return true;
                }
                a = gd_modconfig_find_alias(h->modconfig, d->modalias);
                if (!a || a->known != TRI_YES)
                        continue;
                for (size_t j = 0; j < a->n_modules; j++)
                        if (gd_modname_eq(a->modules[j].name, module))
                                return true;
        }
        return false;
}

/* The remedy that puts the card on vfio-pci at every boot: the exact
 * modprobe.d lines (or the command line, for a built-in vfio-pci), then the
 * initramfs.  modules: the host modules to order after vfio-pci. */
static void remedy_bind_at_boot(struct gd_finding *x, const struct gd_host *h, const struct gd_target *t,
                                char * const *modules) {
        _cleanup_free_ char *ids = gd_vfio_ids_for_target(t), *all = NULL;
        bool builtin = gd_vfio_pci_builtin(h) == TRI_YES;

        if (!ids)
                return;
        /* The list keeps the IDs vfio-pci is told about now: writing only
         * this card's would take another card off vfio-pci. */
        all = gd_vfio_ids_with(h, ids);
        if (!all)
                return;
        gd_finding_act(x, GD_ACT_VFIO_IDS, ids);
        if (builtin) {
                _cleanup_free_ char *flag = NULL;
                gd_finding_remedy_append(x, "vfio-pci is built into this kernel: give it the IDs on the kernel "
                                            "command line (it binds before any module loads).");
                if (asprintf(&flag, "vfio-pci.ids=%s", all) >= 0)
                        gd_remedy_cmdline_add_text(x, h, flag);
                gd_finding_act(x, GD_ACT_BOOTLOADER_REFRESH, NULL);
                gd_finding_act(x, GD_ACT_REBOOT, NULL);
                return;
        }
        gd_finding_remedy_append(x, "At every boot: put these lines in /etc/modprobe.d/vfio.conf (every function "
                                    "of the card, so the whole group goes to vfio-pci%s):",
                                 streq(all, ids) ? "" : "; the IDs listed there now stay");
        gd_finding_remedy_append(x, "  options vfio-pci ids=%s", all);
        for (size_t i = 0; modules && modules[i]; i++) {
                const struct gd_alias_module *am = alias_module(h, modules[i]);
                if (am && am->builtin == TRI_YES)
                        continue;
                gd_finding_remedy_append(x, "  softdep %s pre: vfio-pci", modules[i]);
                gd_finding_act(x, GD_ACT_SOFTDEP, modules[i]);
        }
        for (size_t i = 0; modules && modules[i]; i++) {
                const struct gd_alias_module *am = alias_module(h, modules[i]);
                if (am && am->builtin == TRI_YES) {
                        gd_finding_remedy_append(x, "%s is built into the kernel, so neither softdep nor blacklist "
                                                    "can hold it back: use driverctl set-override <address> "
                                                    "vfio-pci for its functions instead.", modules[i]);
                        /* driverctl's override holds every function of the card, bound or not. */
                        for (size_t j = 0; j < t->n_functions; j++)
                                if (!streq(t->functions[j]->driver_override, "vfio-pci"))
                                        gd_finding_act(x, GD_ACT_DRIVER_OVERRIDE, t->functions[j]->address);
                } else if (h->imported) {
                        /* A paste lists some of the host's devices: whether
                         * another one needs the module is not known, so the
                         * plan gets no blacklist action either. */
                        gd_finding_remedy_append(x, "  # blacklist %s only if no other device uses it: the pasted "
                                                    "text does not list every device (check with lspci -k | grep "
                                                    "-B3 'Kernel driver in use: %s')", modules[i], modules[i]);
                } else if (!module_used_elsewhere(h, t, modules[i])) {
                        gd_finding_remedy_append(x, "  blacklist %s    # optional: no other device on this host "
                                                    "uses it (blacklist stops only alias loading)", modules[i]);
                        gd_finding_act(x, GD_ACT_BLACKLIST, modules[i]);
                }
        }
        gd_finding_remedy_append(x, "then put vfio-pci in the initramfs, so these lines apply in early boot.");
        gd_remedy_initramfs_vfio(x, h);
}

/* ---- Xen dom0: xen-pciback instead of vfio-pci ------------------------ */

/* xen-pciback's pci_driver is named "pciback" (drivers/xen/xen-pciback/
 * pci_stub.c, PCISTUB_DRIVER_NAME); xl pci-assignable-add binds a device to
 * it, and xen-pciback.hide=(BDF) does so at boot. */
static bool driver_is_pciback(const char *driver) {
        return streq(driver, "pciback") || streq(driver, "xen-pciback");
}

static void check_bound_dom0(const struct gd_target *t, struct gd_findings *out) {
        struct gd_finding *bound = NULL, *unbound = NULL;
        char hide[256] = "";

        for (size_t i = 0; i < t->n_functions; i++) {
                const struct gd_pci_dev *d = t->functions[i];
                struct gd_finding **x;

                if (d->driver_known != TRI_YES || driver_is_pciback(d->driver)) {
                        if (d->driver_known == TRI_YES)
                                gd_findings_prove(out, GD_PROOF_PCIBACK, d->address);
                        continue;
                }
                snprintf(hide + strlen(hide), sizeof(hide) - strlen(hide), "(%s)", d->address);
                x = d->driver ? &bound : &unbound;
                if (!*x) {
                        *x = d->driver ? gd_findings_add(out, "driver.host-bound", "functions of the card at %s are on "
                                                         "dom0 drivers, not xen-pciback", t->gpu->address)
                                       : gd_findings_add(out, "driver.unbound", "functions of the card at %s have no "
                                                         "driver (Xen assigns them from xen-pciback)", t->gpu->address);
                        if (!*x)
                                return;
                        gd_finding_remedy(*x, "Now: make each function assignable (binds it to xen-pciback):");
                }
                gd_finding_subject(*x, d->address);
                gd_finding_evidence_attr(*x, d, "driver", d->driver ? d->driver : "(no driver bound)");
                gd_finding_remedy_append(*x, "  xl pci-assignable-add %s", d->address);
        }
        for (int k = 0; k < 2; k++) {
                struct gd_finding *x = k ? unbound : bound;
                if (x)
                        gd_finding_remedy_append(x, "At every boot: xen-pciback.hide=%s on dom0's kernel command line "
                                                    "(with xen-pciback built in or in the initramfs).", hide);
        }
}

/* ---- driver.host-bound, driver.unbound, fact.unreadable -------------- */

static void check_bound(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out) {
        _cleanup_strv_free_ char **modules = NULL;
        size_t n_host = 0, n_unbound = 0, n_unknown = 0;
        struct gd_finding *x;

        for (size_t i = 0; i < t->n_functions; i++) {
                const struct gd_pci_dev *d = t->functions[i];
                if (d->driver_known != TRI_YES)
                        n_unknown++;
                else if (!d->driver) {
                        if (!streq(d->driver_override, "vfio-pci"))
                                n_unbound++;
                } else if (!gd_driver_is_vfio_class(h, d->driver))
                        n_host++;
                else
                        /* Proof for the verdict: on vfio-pci (or pci-stub). */
                        gd_findings_prove(out, GD_PROOF_DRIVER, d->address);
        }

        if (n_unknown > 0) {
                x = gd_findings_add(out, "fact.unreadable", "the driver of %zu function%s of the card at %s%s",
                                    n_unknown, n_unknown > 1 ? "s" : "", t->gpu->address, gd_unreadable_phrase(h));
                if (x) {
                        for (size_t i = 0; i < t->n_functions; i++)
                                if (t->functions[i]->driver_known != TRI_YES) {
                                        gd_finding_subject(x, t->functions[i]->address);
                                        gd_finding_evidence_attr(x, t->functions[i], "driver", gd_unreadable_value(h));
                                }
                        gd_remedy_unreadable(x, h, GD_FACT_DRIVER, t->gpu->address,
                                             "Run gpudiag as root, or collect the bundle again with its sysfs "
                                             "driver links (gpudiag collect).");
                }
        }

        if (n_host > 0) {
                char names[256] = "";

                for (size_t i = 0; i < t->n_functions; i++) {
                        const struct gd_pci_dev *d = t->functions[i];
                        _cleanup_free_ char *mod = NULL;
                        if (d->driver_known != TRI_YES || !d->driver || gd_driver_is_vfio_class(h, d->driver))
                                continue;
                        snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s on %s",
                                 names[0] ? ", " : "", d->address, d->driver);
                        mod = module_for_driver(h, d, d->driver);
                        if (mod && !strv_contains(modules, mod) && strv_push_dup(&modules, mod) < 0)
                                return;
                }
                x = gd_findings_add(out, "driver.host-bound", "%s", names);
                if (!x)
                        return;
                gd_finding_remedy(x, "Now: bind each function to vfio-pci (driverctl keeps it across reboots):");
                for (size_t i = 0; i < t->n_functions; i++) {
                        const struct gd_pci_dev *d = t->functions[i];
                        const char *what;
                        if (d->driver_known != TRI_YES || !d->driver || gd_driver_is_vfio_class(h, d->driver))
                                continue;
                        gd_finding_subject(x, d->address);
                        what = driver_what(d->driver);
                        {
                                _cleanup_free_ char *src = gd_pci_attr_source(d, "driver");
                                gd_finding_evidence(x, src, 0, "%s%s%s%s", d->driver, what ? " (" : "",
                                                    what ? what : "", what ? ")" : "");
                        }
                        gd_finding_remedy_append(x, "  driverctl set-override %s vfio-pci", d->address);
                        gd_finding_act(x, GD_ACT_BIND_NOW, d->address);
                }
                if (gd_pci_is_display(t->gpu) && t->gpu->boot_vga == TRI_YES)
                        gd_finding_remedy_append(x, "(%s drives the host console: unbinding it live may hang the "
                                                    "display; prefer the boot-time setup and a reboot.)",
                                                    t->gpu->address);
                remedy_bind_at_boot(x, h, t, modules);
        }

        if (n_unbound > 0) {
                x = gd_findings_add(out, "driver.unbound", "%zu function%s of the card at %s %s no driver",
                                    n_unbound, n_unbound > 1 ? "s" : "", t->gpu->address,
                                    n_unbound > 1 ? "have" : "has");
                if (!x)
                        return;
                gd_finding_remedy(x, "Now: bind each function to vfio-pci (driverctl keeps it across reboots):");
                for (size_t i = 0; i < t->n_functions; i++) {
                        const struct gd_pci_dev *d = t->functions[i];
                        if (d->driver_known != TRI_YES || d->driver || streq(d->driver_override, "vfio-pci"))
                                continue;
                        gd_finding_subject(x, d->address);
                        gd_finding_evidence_attr(x, d, "driver", "(no driver bound)");
                        if (d->driver_override)
                                gd_finding_evidence_attr(x, d, "driver_override", d->driver_override);
                        gd_finding_remedy_append(x, "  driverctl set-override %s vfio-pci", d->address);
                        gd_finding_act(x, GD_ACT_BIND_NOW, d->address);
                }
                remedy_bind_at_boot(x, h, t, NULL);
        }
}

/* ---- driver.will-claim ----------------------------------------------- */

/* An install command that runs false/true replaces loading entirely
 * (modprobe.d(5) "install"; kmod runs it instead of inserting). */
static bool install_blocks(const struct gd_host *h, const char *module) {
        const struct gd_modconfig *m = h->modconfig;
        for (size_t i = 0; m && i < m->n_installs; i++) {
                const char *c = m->installs[i].command;
                const char *base;
                if (!gd_modname_eq(m->installs[i].module, module) || !c)
                        continue;
                base = strrchr(c, '/');
                base = base ? base + 1 : c;
                if (startswith(base, "false") || startswith(base, "true"))
                        return true;
        }
        return false;
}

enum claim {
        CLAIM_NONE,
        CLAIM_BUILTIN,         /* built in: nothing in modprobe.d can stop it */
        CLAIM_NOT_LISTED,      /* vfio-pci ids= does not list the device */
        CLAIM_NOT_FIRST,       /* listed, but nothing loads vfio-pci before the module */
        CLAIM_LOADED_ANYWAY,   /* blacklisted but loaded now by something else */
};

/* Will module claim d at next boot?  The rule, as modprobe and the driver
 * core apply it:
 *  - The driver core binds a device to the first registered driver whose id
 *    table matches (drivers/base/dd.c __device_attach()); a driver_override
 *    restricts matching to the named driver (drivers/pci/pci-driver.c
 *    pci_match_device()), so an override leaves nothing to claim.
 *  - udev loads every module the modalias resolves to (libkmod
 *    kmod_module_new_from_lookup(), the same resolution modconfig did).
 *  - "blacklist M" only stops loading M through an alias: kmod's
 *    kmod_module_probe_insert_module() returns early for a blacklisted module
 *    looked up by alias (KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, set by
 *    tools/modprobe.c); an explicit modprobe or a dependency still loads it,
 *    and once loaded it binds every matching device (modprobe.d(5)).
 *  - "softdep M pre: vfio-pci" makes modprobe load vfio-pci first
 *    (kmod_module_get_softdeps()), so vfio-pci, given ids= for the device,
 *    binds it before M registers.
 *  - A built-in vfio-pci registers at boot, before any module loads, with
 *    the ids= of the kernel command line.
 * So M does not claim d when: d has a driver_override; M is replaced by an
 * install command that runs false/true; or ids= lists d AND (softdep M pre:
 * vfio-pci, or M blacklisted, or vfio-pci built in).  A blacklisted M with
 * ids= not listing d leaves d without a driver (vfio.ids-mismatch says why),
 * unless M is loaded anyway.  A built-in M always claims d. */
static enum claim module_claims(const struct gd_host *h, const struct gd_vfio_ids *ids, const struct gd_pci_dev *d,
                                const struct gd_alias_module *am) {
        bool listed = gd_vfio_ids_match(ids, d) != NULL;

        if (install_blocks(h, am->name))
                return CLAIM_NONE;
        if (am->builtin == TRI_YES)
                return CLAIM_BUILTIN;
        if (listed && (am->softdep_pre_vfio_pci || am->blacklisted || ids->builtin == TRI_YES))
                return CLAIM_NONE;
        if (am->blacklisted)
                return gd_modconfig_is_loaded(h->modconfig, am->name) ? CLAIM_LOADED_ANYWAY : CLAIM_NONE;
        return listed ? CLAIM_NOT_FIRST : CLAIM_NOT_LISTED;
}

static const char *claim_reason(enum claim c) {
        switch (c) {
        case CLAIM_BUILTIN: return "it is built into the kernel, so no modprobe.d line can stop it";
        case CLAIM_NOT_LISTED: return "vfio-pci ids= does not list the device";
        case CLAIM_NOT_FIRST: return "vfio-pci ids= lists the device, but no softdep or blacklist makes vfio-pci "
                                     "load first";
        case CLAIM_LOADED_ANYWAY: return "it is blacklisted, yet loaded now (blacklist stops only alias loading; "
                                         "something loads it explicitly or as a dependency)";
        default: return "";
        }
}

static void check_will_claim(const struct gd_host *h, const struct gd_target *t, const struct gd_vfio_ids *ids,
                             struct gd_findings *out) {
        const struct gd_modconfig *m = h->modconfig;
        _cleanup_strv_free_ char **modules = NULL;
        struct gd_finding *x = NULL;

        for (size_t i = 0; i < t->n_functions; i++) {
                const struct gd_pci_dev *d = t->functions[i];
                const struct gd_alias_match *a;

                if (d->driver_override || !d->modalias)
                        continue;
                a = gd_modconfig_find_alias(m, d->modalias);
                /* Unresolved aliases (no modules.alias for this kernel) prove
                 * nothing either way; this finding is advice, not a verdict. */
                if (!a || a->known != TRI_YES)
                        continue;
                for (size_t j = 0; j < a->n_modules; j++) {
                        const struct gd_alias_module *am = &a->modules[j];
                        enum claim c;
                        _cleanup_free_ char *src = NULL;

                        if (module_is_vfio(am->name))
                                continue;
                        c = module_claims(h, ids, d, am);
                        if (c == CLAIM_NONE)
                                continue;
                        if (!x) {
                                x = gd_findings_add(out, "driver.will-claim", "at next boot a host driver will claim "
                                                    "the card at %s", t->gpu->address);
                                if (!x)
                                        return;
                        }
                        gd_finding_subject(x, d->address);
                        src = gd_pci_attr_source(d, "modalias");
                        gd_finding_evidence(x, src, 0, "%s resolves to %s: %s", d->modalias, am->name,
                                            claim_reason(c));
                        if (!strv_contains(modules, am->name) && strv_push_dup(&modules, am->name) < 0)
                                return;
                }
        }
        if (!x)
                return;
        /* Where the present configuration stands, for the person editing it. */
        for (size_t i = 0; i < ids->n; i++)
                if (i == 0 || !streq(ids->items[i].source.path, ids->items[i - 1].source.path) ||
                    ids->items[i].source.line != ids->items[i - 1].source.line)
                        gd_finding_evidence(x, ids->items[i].source.path ? ids->items[i].source.path
                                                                          : "module configuration",
                                            ids->items[i].source.line, "vfio-pci ids= starts with %s",
                                            ids->items[i].text);
        if (ids->n == 0)
                gd_finding_evidence(x, "/etc/modprobe.d", 0, "no vfio-pci ids= in modprobe.d or on the command line");
        for (size_t i = 0; modules && modules[i]; i++) {
                const struct gd_mod_softdep *s = gd_modconfig_find_softdep(m, modules[i]);
                if (s && s->source.path && !gd_softdep_has_pre(s, "vfio_pci"))
                        gd_finding_evidence(x, s->source.path, s->source.line, "softdep %s has no pre: vfio-pci",
                                            s->module);
        }
        gd_finding_remedy(x, "Make vfio-pci claim every function first.");
        remedy_bind_at_boot(x, h, t, modules);
}

void gd_check_drivers(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        _cleanup_(gd_vfio_ids_clear) struct gd_vfio_ids ids = { 0 };
        bool have_ids = gd_vfio_ids_effective(h, &ids) >= 0;

        for (size_t i = 0; i < t->n; i++) {
                if (out->role == GD_ROLE_XEN_DOM0) {
                        check_bound_dom0(&t->items[i], out);
                        continue;
                }
                check_bound(h, &t->items[i], out);
                if (have_ids && h->modconfig)
                        check_will_claim(h, &t->items[i], &ids, out);
        }
}
