/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>

#include "vmconfig.h"

void gd_vm_clear(struct gd_vm *vm) {
        for (size_t i = 0; i < vm->n_pci; i++) {
                free(vm->pci[i].key);
                free(vm->pci[i].text);
                free(vm->pci[i].mapping);
                free(vm->pci[i].host_text);
                free(vm->pci[i].mapping_source);
                free(vm->pci[i].mapping_id);
                free(vm->pci[i].romfile);
                free(vm->pci[i].options);
        }
        free(vm->pci);
        free(vm->name);
        free(vm->source);
        free(vm->machine_text);
        free(vm->bios_opt.text);
        free(vm->vga.text);
        free(vm->cpu.text);
        free(vm->ostype.text);
        *vm = (struct gd_vm) { 0 };
}

struct gd_vmconfig *gd_vmconfig_free(struct gd_vmconfig *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_vms; i++)
                gd_vm_clear(&c->vms[i]);
        free(c->vms);
        gd_conffiles_clear(&c->files);
        free(c);
        return NULL;
}

bool gd_vm_pci_matches(const struct gd_vm_pci *p, const struct gd_pci_dev *d) {
        return p->resolved && p->domain == d->domain && p->bus == d->bus && p->dev == d->dev &&
               (p->func == GD_VM_FUNC_ALL || (unsigned) p->func == d->func);
}

void gd_vm_pci_address(const struct gd_vm_pci *p, char buf[static GD_ADDR_LEN]) {
        if (p->func == GD_VM_FUNC_ALL)
                snprintf(buf, GD_ADDR_LEN, "%04x:%02x:%02x", p->domain & 0xffff, p->bus & 0xff, p->dev & 0x1f);
        else
                snprintf(buf, GD_ADDR_LEN, "%04x:%02x:%02x.%x", p->domain & 0xffff, p->bus & 0xff, p->dev & 0x1f,
                         (unsigned) p->func & 7);
}

const char *gd_vm_machine_to_string(enum gd_vm_machine m) {
        switch (m) {
        case GD_VM_MACHINE_I440FX: return "i440fx";
        case GD_VM_MACHINE_Q35:    return "q35";
        default:                   return "unknown";
        }
}
