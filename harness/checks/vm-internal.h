/* SPDX-License-Identifier: MIT */
/* Shared by the vm family: vm.c (vm.config), vm-gpu.c (vm.x-vga, vm.rombar,
 * vm.cpu-not-host, vm.ignore-msrs) and vm-line.c (one corrected line per
 * card); not part of the API. */
#pragma once

#include "families.h"
#include "model/modconfig.h"
#include "model/vmconfig.h"

#define VM_CARD_MAX 8

/* The entries of one VM that name functions of one card. */
struct vm_card {
        const struct gd_host *h;
        const struct gd_vm *vm;
        const struct gd_target *t;
        const struct gd_vm_pci *entries[VM_CARD_MAX];  /* one per config line, in order */
        size_t n;
        bool passed[VM_CARD_MAX];      /* function i of t is passed */
        bool all;                      /* every function of t is passed */
        /* The entry that holds (or should hold) the GPU function: the x-vga,
         * rombar and romfile of an entry apply to its first device
         * (print_hostpci_devices(), PVE/QemuServer/PCI.pm). */
        const struct gd_vm_pci *primary;
};

/* Fills c; false when the VM names no function of the card. */
bool vm_card_collect(const struct gd_host *h, const struct gd_vm *vm, const struct gd_target *t, struct vm_card *c);

/* What every rule together wants of the card's lines -- one answer per
 * VM, so that no two findings ask opposite things of one line. */
bool vm_card_merge(const struct vm_card *c);         /* pass the card as one slot line */
bool vm_card_xvga(const struct vm_card *c);          /* the primary line keeps / gets x-vga=1 */
bool vm_card_rombar_off(const struct vm_card *c);    /* the primary line gets rombar=0 */

/* The first device of an entry on the host (x-vga, rombar apply to it). */
const struct gd_pci_dev *vm_entry_first_dev(const struct gd_host *h, const struct gd_vm_pci *p);
/* "VM" or "libvirt domain". */
const char *vm_noun(const struct gd_vm *vm);
int vm_evidence_entry(struct gd_finding *x, const struct gd_vm *vm, const struct gd_vm_pci *p);

/* Adds to x the card's corrected lines: remedy text and one config edit per
 * line that changes (the same edits whichever rule asks). */
void vm_edit_card(struct gd_finding *x, const struct vm_card *c);
/* One line of a VM config changed: the edit (explain's JSON) and, for a
 * Proxmox config, the action gpudiag plan carries out (model/action.h):
 * the line "key: new" in place of line, a new line when line is 0, the line
 * deleted when new_value is NULL. */
void vm_edit_line(struct gd_finding *x, const struct gd_vm *vm, unsigned line, const char *key, const char *old_value,
                  const char *new_value);
/* A VM-wide option set to value (machine, vga, cpu, bios): remedy and edit. */
void vm_edit_option(struct gd_finding *x, const struct gd_vm *vm, const char *key, const struct gd_vm_option *o,
                    const char *value);

/* vm-gpu.c */
void vm_check_xvga(const struct vm_card *c, struct gd_findings *out);
void vm_check_rombar(const struct vm_card *c, struct gd_findings *out);
void vm_check_cpu(const struct vm_card *c, struct gd_findings *out);
void vm_check_msrs(const struct vm_card *c, struct gd_findings *out);
/* Whether the host's vfio-pci offers QEMU the VGA region x-vga needs:
 * NO with *why set when it cannot (disable_vga, no CONFIG_VFIO_PCI_VGA). */
tri_t vm_host_vfio_vga(const struct gd_host *h, const char **why, const struct gd_mod_options **opt);
