/* SPDX-License-Identifier: MIT */
/* vm.config: a VM configuration that passes a function of a target card
 * through disagrees with the host (model/vmconfig.h).  Never changes a
 * verdict: the host can be ready while a VM config is wrong.
 *
 * Rules, for each VM entry that names a function of a target card:
 *  (a) Proxmox pcie=1 on a machine that is not q35: qemu-server refuses to
 *      start the VM, "q35 machine model is not enabled" (PVE/QemuServer/PCI.pm,
 *      print_hostpci_devices(); machine_type_is_q35() matches /q35/) — error;
 *  (b) the VM gets only some functions of the card (a Proxmox host without
 *      a function number passes every function) — warning;
 *  (c) x-vga=1 on an entry whose first device is not VGA class (0300) —
 *      warning (vfio-pci's x-vga needs the VGA ranges of a VGA device);
 *  (e) two VMs name the same card: only one can run at a time — warning.
 * And for any entry, GPU or not:
 *  (d) the address is not on this host: Proxmox dies with "no PCI device
 *      found for '<id>'" (parse_hostpci()), libvirt with a missing device —
 *      error.
 * A Proxmox mapping=NAME entry is not resolved (the mapping lives in
 * /etc/pve/mapping/pci.cfg) and is left alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "model/vmconfig.h"

static const char *vm_noun(const struct gd_vm *vm) {
        return vm->kind == GD_VM_PROXMOX ? "VM" : "libvirt domain";
}

static int evidence_entry(struct gd_finding *x, const struct gd_vm *vm, const struct gd_vm_pci *p) {
        return gd_finding_evidence(x, vm->source, p->line, "%s", p->text);
}

static int evidence_machine(struct gd_finding *x, const struct gd_vm *vm) {
        if (vm->machine_text)
                return gd_finding_evidence(x, vm->source, vm->machine_line, "machine: %s (%s)", vm->machine_text,
                                           gd_vm_machine_to_string(vm->machine));
        return gd_finding_evidence(x, vm->source, 0, "no machine: line (the default machine is i440fx)");
}

/* The Proxmox options of an entry without the option key (",pcie=1,x-vga=1"
 * without "x-vga" is ",pcie=1").  Newly allocated. */
static char *options_without(const char *opts, const char *key) {
        char *out = calloc(1, strlen(opts) + 1), *w = out;
        size_t kl = strlen(key);

        if (!out)
                return NULL;
        for (const char *it = opts; *it;) {
                size_t n;

                if (*it == ',')
                        it++;
                n = strcspn(it, ",");
                if (n && !(strncmp(it, key, kl) == 0 && it[kl] == '=')) {
                        *w++ = ',';
                        memcpy(w, it, n);
                        w += n;
                }
                it += n;
        }
        *w = '\0';
        return out;
}

static void slot_of(const struct gd_pci_dev *d, char buf[static GD_ADDR_LEN]) {
        snprintf(buf, GD_ADDR_LEN, "%04x:%02x:%02x", d->domain & 0xffff, d->bus & 0xff, d->dev & 0x1f);
}

/* The entry's first device on the host (Proxmox applies x-vga, rombar and
 * romfile to it). */
static const struct gd_pci_dev *entry_first_dev(const struct gd_host *h, const struct gd_vm_pci *p) {
        for (size_t i = 0; i < h->n_devs; i++)
                if (gd_vm_pci_matches(p, &h->devs[i]))
                        return &h->devs[i];
        return NULL;
}

/* True when an earlier entry came from the same config line (one Proxmox
 * line can list several hosts). */
static bool same_line_as_previous(const struct gd_vm *vm, size_t i) {
        return i > 0 && vm->pci[i - 1].line == vm->pci[i].line && streq(vm->pci[i - 1].key, vm->pci[i].key);
}

static bool entry_names_target(const struct gd_vm_pci *p, const struct gd_target *t) {
        for (size_t f = 0; f < t->n_functions; f++)
                if (gd_vm_pci_matches(p, t->functions[f]))
                        return true;
        return false;
}

static void rule_pcie_without_q35(const struct gd_vm *vm, const struct gd_vm_pci *p, const struct gd_target *t,
                                  struct gd_findings *out) {
        _cleanup_free_ char *plain = NULL;
        char slot[GD_ADDR_LEN];
        struct gd_finding *x;

        if (vm->kind != GD_VM_PROXMOX || p->pcie != TRI_YES || vm->machine == GD_VM_MACHINE_Q35)
                return;
        x = gd_findings_add_variant(out, "vm.config", "will-not-start", "%s %s passes %s with pcie=1 on machine "
                                    "type %s: it will not start (\"q35 machine model is not enabled\")", vm_noun(vm),
                                    vm->name, t->gpu->address, gd_vm_machine_to_string(vm->machine));
        if (!x)
                return;
        gd_finding_subject_target(x, t);
        evidence_entry(x, vm, p);
        evidence_machine(x, vm);
        slot_of(t->gpu, slot);
        plain = options_without(p->options, "pcie");
        if (vm->machine_text)
                gd_finding_remedy(x, "In %s replace line %u '%s' with:", vm->source, vm->machine_line, vm->machine_text);
        else
                gd_finding_remedy(x, "Add this line to %s:", vm->source);
        gd_finding_remedy_append(x, "machine: q35");
        gd_finding_remedy_append(x, "(qm set %s --machine q35; a Windows guest may need its drivers re-detected), "
                                    "or keep the machine and drop pcie=1:", vm->name);
        gd_finding_remedy_append(x, "%s: %s%s", p->key, slot, plain ? plain : "");
}

static void rule_x_vga_not_vga(const struct gd_host *h, const struct gd_vm *vm, size_t i, const struct gd_target *t,
                               struct gd_findings *out) {
        const struct gd_vm_pci *p = &vm->pci[i];
        const struct gd_pci_dev *d;
        _cleanup_free_ char *plain = NULL, *cls = NULL;
        char addr[GD_ADDR_LEN];
        struct gd_finding *x;

        if (p->x_vga != TRI_YES || same_line_as_previous(vm, i) || !(d = entry_first_dev(h, p)) ||
            (d->class_code >> 8) == PCI_CLASS_DISPLAY_VGA)
                return;
        x = gd_findings_add(out, "vm.config", "%s %s sets x-vga=1 on %s, which is not a VGA controller "
                            "(class %04x)", vm_noun(vm), vm->name, d->address, d->class_code >> 8);
        if (!x)
                return;
        gd_finding_subject_target(x, t);
        evidence_entry(x, vm, p);
        if (asprintf(&cls, "0x%06x", d->class_code) >= 0)
                gd_finding_evidence_attr(x, d, "class", cls);
        gd_vm_pci_address(p, addr);
        plain = options_without(p->options, "x-vga");
        gd_finding_remedy(x, "x-vga is for a VGA-class primary display; a compute or 3D controller has no legacy "
                             "VGA ranges. In %s replace line %u with:", vm->source, p->line);
        gd_finding_remedy_append(x, "%s: %s%s", p->key, addr, plain ? plain : "");
}

static void rule_some_functions(const struct gd_vm *vm, const struct gd_target *t, const bool *passed,
                                const struct gd_vm_pci *first, struct gd_findings *out) {
        _cleanup_free_ char *missing = NULL;
        char slot[GD_ADDR_LEN];
        struct gd_finding *x;
        size_t n_missing = 0, len = 0;

        for (size_t f = 0; f < t->n_functions; f++) {
                if (passed[f])
                        continue;
                char *m = realloc(missing, len + GD_ADDR_LEN + 2);
                if (!m)
                        return;
                missing = m;
                len += (size_t) sprintf(missing + len, "%s%s", n_missing ? ", " : "", t->functions[f]->address);
                n_missing++;
        }
        if (n_missing == 0)
                return;
        x = gd_findings_add(out, "vm.config", "%s %s gets only some functions of the card at %s: not %s",
                            vm_noun(vm), vm->name, t->gpu->address, missing);
        if (!x)
                return;
        gd_finding_subject_target(x, t);
        evidence_entry(x, vm, first);
        for (size_t f = 0; f < t->n_functions; f++)
                if (!passed[f])
                        gd_finding_evidence_attr(x, t->functions[f], "class",
                                                 t->functions[f]->class_name ? t->functions[f]->class_name : "present");
        slot_of(t->gpu, slot);
        if (vm->kind == GD_VM_PROXMOX) {
                gd_finding_remedy(x, "The functions of a card share its IOMMU group and reset; pass them together. "
                                     "In %s replace line %u with (no function number = every function):",
                                  vm->source, first->line);
                gd_finding_remedy_append(x, "%s: %s%s", first->key, slot, first->options);
                gd_finding_remedy_append(x, "and remove any other hostpci line of %s.", slot);
        } else {
                gd_finding_remedy(x, "The functions of a card share its IOMMU group and reset; pass them together. "
                                     "Add to <devices> in %s (virsh edit %s):", vm->source, vm->name);
                for (size_t f = 0; f < t->n_functions; f++)
                        if (!passed[f])
                                gd_finding_remedy_append(x, "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
                                                            "<address domain='0x%04x' bus='0x%02x' slot='0x%02x' "
                                                            "function='0x%x'/></source></hostdev>",
                                                         t->functions[f]->domain, t->functions[f]->bus,
                                                         t->functions[f]->dev, t->functions[f]->func);
        }
}

static void check_target(const struct gd_host *h, const struct gd_vmconfig *c, const struct gd_target *t,
                         struct gd_findings *out) {
        const struct gd_vm *users[8];
        const struct gd_vm_pci *user_entry[8];
        size_t n_users = 0;

        for (size_t v = 0; v < c->n_vms; v++) {
                const struct gd_vm *vm = &c->vms[v];
                const struct gd_vm_pci *first = NULL;
                bool passed[8] = { false };

                for (size_t i = 0; i < vm->n_pci; i++) {
                        const struct gd_vm_pci *p = &vm->pci[i];

                        if (!entry_names_target(p, t))
                                continue;
                        for (size_t f = 0; f < t->n_functions && f < 8; f++)
                                if (gd_vm_pci_matches(p, t->functions[f]))
                                        passed[f] = true;
                        if (!first) {
                                first = p;
                                rule_pcie_without_q35(vm, p, t, out);
                        }
                        rule_x_vga_not_vga(h, vm, i, t, out);
                }
                if (!first)
                        continue;
                rule_some_functions(vm, t, passed, first, out);
                if (n_users < ELEMENTSOF(users)) {
                        users[n_users] = vm;
                        user_entry[n_users++] = first;
                }
        }
        if (n_users > 1) {
                struct gd_finding *x = gd_findings_add(out, "vm.config", "%zu VMs pass the card at %s through: "
                                                       "only one of them can run at a time", n_users,
                                                       t->gpu->address);
                if (!x)
                        return;
                gd_finding_subject_target(x, t);
                for (size_t u = 0; u < n_users; u++)
                        evidence_entry(x, users[u], user_entry[u]);
                gd_finding_remedy(x, "Start only one of them while the card is in use (a second start fails: the "
                                     "device is busy in the first VM's VFIO group); on Proxmox set onboot: 0 on all "
                                     "but one, or remove %s from the VMs that should not have it.",
                                  user_entry[0]->key);
        }
}

static bool target_named_by_any_vm(const struct gd_vmconfig *c, const struct gd_target *t) {
        for (size_t v = 0; v < c->n_vms; v++)
                for (size_t i = 0; i < c->vms[v].n_pci; i++)
                        if (entry_names_target(&c->vms[v].pci[i], t))
                                return true;
        return false;
}

/* The GPU a stale entry most likely meant: the one card that no VM names
 * and that is not the host's boot display; NULL when that is not one card. */
static const struct gd_pci_dev *likely_moved_gpu(const struct gd_vmconfig *c, const struct gd_targets *t) {
        const struct gd_pci_dev *g = NULL;

        for (size_t k = 0; k < t->n; k++) {
                if (t->items[k].gpu->boot_vga == TRI_YES || target_named_by_any_vm(c, &t->items[k]))
                        continue;
                if (g)
                        return NULL;
                g = t->items[k].gpu;
        }
        return g;
}

/* (d): an address that no device on this host has. */
static void check_missing(const struct gd_host *h, const struct gd_vmconfig *c, const struct gd_targets *t,
                          struct gd_findings *out) {
        /* "Not on this host" needs every device of the host; a paste has
         * some (and the import records each address a VM config names). */
        if (h->imported)
                return;
        for (size_t v = 0; v < c->n_vms; v++) {
                const struct gd_vm *vm = &c->vms[v];

                for (size_t i = 0; i < vm->n_pci; i++) {
                        const struct gd_vm_pci *p = &vm->pci[i];
                        char addr[GD_ADDR_LEN], slot[GD_ADDR_LEN];
                        struct gd_finding *x;

                        const struct gd_pci_dev *g;

                        if (!p->resolved || entry_first_dev(h, p))
                                continue;
                        g = likely_moved_gpu(c, t);
                        gd_vm_pci_address(p, addr);
                        x = gd_findings_add_variant(out, "vm.config", "will-not-start", "%s %s passes %s, which is "
                                                    "not on this host: it will not start", vm_noun(vm), vm->name, addr);
                        if (!x)
                                return;
                        /* A missing function of a present card names that card. */
                        for (size_t k = 0; k < t->n; k++)
                                if (p->domain == t->items[k].gpu->domain && p->bus == t->items[k].gpu->bus &&
                                    p->dev == t->items[k].gpu->dev)
                                        gd_finding_subject_target(x, &t->items[k]);
                        evidence_entry(x, vm, p);
                        gd_finding_evidence(x, "/sys/bus/pci/devices", 0, "no device %s%s among %zu", addr,
                                            p->func == GD_VM_FUNC_ALL ? ".*" : "", h->n_devs);
                        if (g && vm->kind == GD_VM_PROXMOX) {
                                slot_of(g, slot);
                                gd_finding_remedy(x, "The card moved or was removed (lspci -nn shows the current "
                                                     "addresses). If it is the GPU now at %s, in %s replace line "
                                                     "%u with:", slot, vm->source, p->line);
                                gd_finding_remedy_append(x, "%s: %s%s", p->key, slot, p->options);
                        } else if (g) {
                                gd_finding_remedy(x, "The card moved or was removed (lspci -nn shows the current "
                                                     "addresses). If it is the GPU now at %s, in %s (virsh edit %s) "
                                                     "replace line %u with:", g->address, vm->source, vm->name,
                                                  p->line);
                                gd_finding_remedy_append(x, "<address domain='0x%04x' bus='0x%02x' slot='0x%02x' "
                                                            "function='0x%x'/>", g->domain, g->bus, g->dev,
                                                         p->func == GD_VM_FUNC_ALL ? 0 : (unsigned) p->func);
                        } else {
                                gd_finding_remedy(x, "The device moved or was removed: find its current address "
                                                     "with lspci -nn and correct line %u of %s, or remove the "
                                                     "entry.", p->line, vm->source);
                        }
                }
        }
}

void gd_check_vm(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        const struct gd_vmconfig *c = h->vmconfig;

        if (!c || c->n_vms == 0 || h->pci_state < 0 || h->n_devs == 0)
                return;
        for (size_t i = 0; i < t->n; i++)
                check_target(h, c, &t->items[i], out);
        check_missing(h, c, t, out);
}
