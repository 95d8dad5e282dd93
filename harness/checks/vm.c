/* SPDX-License-Identifier: MIT */
/* vm.config: a VM configuration that passes a function of a target card
 * through disagrees with the host (model/vmconfig.h).  Never changes a
 * verdict: the host can be ready while a VM config is wrong.
 *
 * Rules, for each VM that names a function of a target card:
 *  (a) Proxmox pcie=1 on a machine that is not q35: qemu-server refuses to
 *      start the VM, "q35 machine model is not enabled" (PVE/QemuServer/PCI.pm,
 *      print_hostpci_devices(); machine_type_is_q35() matches /q35/) — error;
 *  (b) the VM gets only some functions of the card (a Proxmox host without
 *      a function number passes every function) — warning;
 *  (e) two VMs name the same card: only one can run at a time — warning.
 * And for any entry, GPU or not:
 *  (d) the address is not on this host: Proxmox dies with "no PCI device
 *      found for '<id>'" (parse_hostpci()), libvirt with a missing device —
 *      error;
 *  (f) a mapping=NAME that pci.cfg does not define for this node, or whose
 *      id= is not the device at its path — error (host/pve-mapping.c).
 * The GPU rules of the guide (x-vga, rombar, cpu, kvm.ignore_msrs) are in
 * vm-gpu.c; every hostpciN edit of every rule comes from vm-line.c, one
 * consistent line per VM and card. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm-internal.h"

static int evidence_machine(struct gd_finding *x, const struct gd_vm *vm) {
        if (vm->machine_text)
                return gd_finding_evidence(x, vm->source, vm->machine_line, "machine: %s (%s)", vm->machine_text,
                                           gd_vm_machine_to_string(vm->machine));
        return gd_finding_evidence(x, vm->source, 0, "no machine: line (the default machine is i440fx)");
}

static void slot_of(const struct gd_pci_dev *d, char buf[static GD_ADDR_LEN]) {
        snprintf(buf, GD_ADDR_LEN, "%04x:%02x:%02x", d->domain & 0xffff, d->bus & 0xff, d->dev & 0x1f);
}

static void rule_pcie_without_q35(const struct vm_card *c, struct gd_findings *out) {
        const struct gd_vm *vm = c->vm;
        const struct gd_vm_pci *p = NULL;
        struct gd_finding *x;

        for (size_t i = 0; i < c->n && !p; i++)
                if (c->entries[i]->pcie == TRI_YES)
                        p = c->entries[i];
        if (vm->kind != GD_VM_PROXMOX || !p || vm->machine == GD_VM_MACHINE_Q35)
                return;
        x = gd_findings_add_variant(out, "vm.config", "will-not-start", "%s %s passes %s with pcie=1 on machine "
                                    "type %s: it will not start (\"q35 machine model is not enabled\")", vm_noun(vm),
                                    vm->name, c->t->gpu->address, gd_vm_machine_to_string(vm->machine));
        if (!x)
                return;
        gd_finding_subject_target(x, c->t);
        vm_evidence_entry(x, vm, p);
        evidence_machine(x, vm);
        /* One remedy: the machine the guide wants (pcie=1 stays). */
        gd_finding_remedy(x, "Use the q35 machine (a Windows guest may re-detect its devices once):");
        {
                struct gd_vm_option m = { .text = vm->machine_text, .line = vm->machine_line };
                vm_edit_option(x, vm, "machine", &m, "q35");
        }
}

static void rule_some_functions(const struct vm_card *c, struct gd_findings *out) {
        const struct gd_vm *vm = c->vm;
        const struct gd_target *t = c->t;
        _cleanup_free_ char *missing = NULL;
        struct gd_finding *x;
        size_t n_missing = 0, len = 0;

        for (size_t f = 0; f < t->n_functions; f++) {
                if (c->passed[f])
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
        vm_evidence_entry(x, vm, c->entries[0]);
        for (size_t f = 0; f < t->n_functions; f++)
                if (!c->passed[f])
                        gd_finding_evidence_attr(x, t->functions[f], "class",
                                                 t->functions[f]->class_name ? t->functions[f]->class_name : "present");
        gd_finding_remedy(x, "The functions of a card share its IOMMU group and reset; pass them together.");
        if (vm->kind == GD_VM_PROXMOX && c->primary->mapping) {
                char slot[GD_ADDR_LEN];
                slot_of(t->gpu, slot);
                gd_finding_remedy_append(x, "Mapping %s names one function: in %s, line %u, map the whole slot "
                                            "(path=%s, no function number).", c->primary->mapping,
                                         c->primary->mapping_source ? c->primary->mapping_source : "/etc/pve/mapping/pci.cfg",
                                         c->primary->mapping_line, slot);
        } else if (vm->kind == GD_VM_PROXMOX) {
                gd_finding_remedy_append(x, "A slot without a function number passes every function.");
                vm_edit_card(x, c);
        } else {
                gd_finding_remedy_append(x, "Add to <devices> in %s (virsh edit %s):", vm->source, vm->name);
                for (size_t f = 0; f < t->n_functions; f++)
                        if (!c->passed[f])
                                gd_finding_remedy_append(x, "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
                                                            "<address domain='0x%04x' bus='0x%02x' slot='0x%02x' "
                                                            "function='0x%x'/></source></hostdev>",
                                                         t->functions[f]->domain, t->functions[f]->bus,
                                                         t->functions[f]->dev, t->functions[f]->func);
        }
}

static void check_target(const struct gd_host *h, const struct gd_vmconfig *cfg, const struct gd_target *t,
                         struct gd_findings *out) {
        const struct gd_vm *users[8];
        const struct gd_vm_pci *user_entry[8];
        size_t n_users = 0;

        for (size_t v = 0; v < cfg->n_vms; v++) {
                struct vm_card c;

                if (!vm_card_collect(h, &cfg->vms[v], t, &c))
                        continue;
                rule_pcie_without_q35(&c, out);
                rule_some_functions(&c, out);
                vm_check_xvga(&c, out);
                vm_check_rombar(&c, out);
                vm_check_cpu(&c, out);
                vm_check_msrs(&c, out);
                if (n_users < ELEMENTSOF(users)) {
                        users[n_users] = c.vm;
                        user_entry[n_users++] = c.entries[0];
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
                        vm_evidence_entry(x, users[u], user_entry[u]);
                gd_finding_remedy(x, "Start only one of them while the card is in use (a second start fails: the "
                                     "device is busy in the first VM's VFIO group); on Proxmox set onboot: 0 on all "
                                     "but one, or remove %s from the VMs that should not have it.",
                                  user_entry[0]->key);
        }
}

static bool entry_names_target(const struct gd_vm_pci *p, const struct gd_target *t) {
        for (size_t f = 0; f < t->n_functions; f++)
                if (gd_vm_pci_matches(p, t->functions[f]))
                        return true;
        return false;
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

/* A mapping=NAME qemu-server cannot resolve on this node: parse_hostpci()
 * dies "PCI device mapping not found for 'NAME'"; one whose map line names
 * another vendor:device than the device at its path dies "PCI device
 * mapping invalid (hardware probably changed)" (assert_valid()). */
static void mapping_unresolved(const struct gd_host *h, const struct gd_vm *vm, const struct gd_vm_pci *p,
                               const struct gd_targets *t, struct gd_findings *out) {
        struct gd_finding *x = gd_findings_add_variant(out, "vm.config", "will-not-start", "%s %s passes mapping %s, "
                                                       "which %s: it will not start", vm_noun(vm), vm->name, p->mapping,
                                                       p->mapping_state == -ENOENT ? "/etc/pve/mapping/pci.cfg does not define" :
                                                       p->mapping_state == -ENXIO ? "has no entry for this node" :
                                                       "maps to no valid device path");
        if (!x)
                return;
        vm_evidence_entry(x, vm, p);
        gd_finding_evidence(x, "/etc/pve/mapping/pci.cfg", 0, "%s",
                            p->mapping_state == -ENOENT ? "no such mapping (or no pci.cfg)" :
                            p->mapping_state == -ENXIO ? (h->hostname ? "no map line with this node's name" :
                                                                         "no map line for this node") :
                            "the map line's path does not parse");
        if (h->hostname)
                gd_finding_evidence(x, "/proc/sys/kernel/hostname", 0, "%s", h->hostname);
        (void) t;
        gd_finding_remedy(x, "Define the mapping for this node in Datacenter > Resource Mappings (pvesh create "
                             "/cluster/mapping/pci --id %s --map node=<this node>,path=<slot>,id=<vendor:device>), or "
                             "replace 'mapping=%s' in line %u of %s with the card's address.", p->mapping, p->mapping,
                          p->line, vm->source);
}

/* A resolved mapping whose id= is not the device at its path. */
static void mapping_invalid(const struct gd_host *h, const struct gd_vmconfig *c, struct gd_findings *out) {
        for (size_t v = 0; v < c->n_vms; v++)
                for (size_t i = 0; i < c->vms[v].n_pci; i++) {
                        const struct gd_vm *vm = &c->vms[v];
                        const struct gd_vm_pci *p = &vm->pci[i];
                        const struct gd_pci_dev *d;
                        char id[16];
                        struct gd_finding *x;

                        if (!p->mapping || p->mapping_state != 0 || !p->mapping_id || !(d = vm_entry_first_dev(h, p)))
                                continue;
                        snprintf(id, sizeof(id), "%04x:%04x", d->vendor, d->device);
                        if (strcasecmp(id, p->mapping_id) == 0)
                                continue;
                        x = gd_findings_add_variant(out, "vm.config", "will-not-start", "%s %s passes mapping %s, "
                                                    "whose id=%s is not the device at its path (%s is %s): it will "
                                                    "not start", vm_noun(vm), vm->name, p->mapping, p->mapping_id,
                                                    d->address, id);
                        if (!x)
                                return;
                        vm_evidence_entry(x, vm, p);
                        gd_finding_evidence(x, p->mapping_source, p->mapping_line, "map ... id=%s", p->mapping_id);
                        gd_finding_evidence_attr(x, d, "device", id);
                        gd_finding_remedy(x, "The hardware changed since the mapping was made: edit mapping %s "
                                             "(Datacenter > Resource Mappings) to the device now at its path, or to "
                                             "the path where the card now is.", p->mapping);
                }
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

                        if (p->mapping && p->mapping_state < 0 && p->mapping_state != -ENODATA) {
                                mapping_unresolved(h, vm, p, t, out);
                                continue;
                        }
                        if (!p->resolved || vm_entry_first_dev(h, p))
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
                        vm_evidence_entry(x, vm, p);
                        if (p->mapping)
                                gd_finding_evidence(x, p->mapping_source, p->mapping_line, "mapping %s", p->mapping);
                        gd_finding_evidence(x, "/sys/bus/pci/devices", 0, "no device %s%s among %zu", addr,
                                            p->func == GD_VM_FUNC_ALL ? ".*" : "", h->n_devs);
                        if (g && vm->kind == GD_VM_PROXMOX && p->mapping) {
                                slot_of(g, slot);
                                gd_finding_remedy(x, "The card moved or was removed (lspci -nn shows the current "
                                                     "addresses). If it is the GPU now at %s, correct the path of "
                                                     "mapping %s in %s (Datacenter > Resource Mappings), line %u.",
                                                  slot, p->mapping, p->mapping_source, p->mapping_line);
                        } else if (g && vm->kind == GD_VM_PROXMOX) {
                                slot_of(g, slot);
                                gd_finding_remedy(x, "The card moved or was removed (lspci -nn shows the current "
                                                     "addresses). If it is the GPU now at %s, in %s replace line "
                                                     "%u with:", slot, vm->source, p->line);
                                gd_finding_remedy_append(x, "%s: %s%s", p->key, slot, p->options);
                                {
                                        const char *now = strchr(p->text, ':');
                                        _cleanup_free_ char *want = NULL;
                                        if (asprintf(&want, "%s%s", slot, p->options) >= 0 && now)
                                                vm_edit_line(x, vm, p->line, p->key, now + 1 + strspn(now + 1, " \t"),
                                                             want);
                                }
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
        mapping_invalid(h, c, out);
}
