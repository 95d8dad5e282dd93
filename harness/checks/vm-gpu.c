/* SPDX-License-Identifier: MIT */
/* The vm family: the guide's VM steps for a GPU (catalogue.c has each
 * rule's sources).
 *
 *   vm.x-vga          x-vga on a function without VGA, next to an emulated
 *                     vga:, or (error) on a host whose vfio-pci has no VGA region
 *   vm.rombar         a headless NVIDIA card under SeaBIOS without rombar=0
 *   vm.cpu-not-host   a VM with a GPU on another CPU model than the host's
 *   vm.ignore-msrs    a Windows VM with an NVIDIA GPU, kvm.ignore_msrs off
 *
 * Every hostpciN edit comes from vm-line.c, so these rules and vm.config
 * agree on each line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/bootconfig.h"
#include "model/modconfig.h"
#include "vm-internal.h"

static const char *class_noun(const struct gd_pci_dev *d) {
        switch (d->class_code >> 8) {
        case PCI_CLASS_DISPLAY_VGA: return "a VGA controller";
        case PCI_CLASS_DISPLAY_3D: return "a 3D controller (no VGA ranges)";
        case PCI_CLASS_MULTIMEDIA_AUDIO_DEV: return "an HD audio function";
        case PCI_CLASS_SERIAL_USB: return "a USB controller";
        default: return (d->class_code >> 16) == PCI_BASE_CLASS_DISPLAY ? "a display controller without VGA"
                                                                         : "not a display controller";
        }
}

/* vfio_vga_disabled() (drivers/vfio/pci/vfio_pci_core.c): no VGA region
 * without CONFIG_VFIO_PCI_VGA or with disable_vga=1, and QEMU then refuses
 * x-vga=on ("vfio: Device does not support requested feature x-vga",
 * vfio_populate_device() in hw/vfio/pci.c). */
tri_t vm_host_vfio_vga(const struct gd_host *h, const char **why, const struct gd_mod_options **opt) {
        const struct gd_module_param *p = gd_host_module_param(h, "vfio_pci", "disable_vga");
        const char *kc = gd_kconfig_get(h->bootconfig, "CONFIG_VFIO_PCI_VGA");
        const struct gd_modconfig *m = h->modconfig;

        *why = NULL;
        *opt = NULL;
        for (size_t i = 0; m && i < m->n_options; i++) {
                const char *o = m->options[i].options, *d;
                if (!gd_modname_eq(m->options[i].module, "vfio_pci") || !o || !(d = strstr(o, "disable_vga")))
                        continue;
                if ((d == o || d[-1] == ' ') && (d[11] == '\0' || d[11] == ' ' ||
                                                 (d[11] == '=' && strchr("yY1", d[12]) && d[12])))
                        *opt = &m->options[i];
        }
        if (kc && !streq(kc, "y")) {
                *why = "this kernel is built without CONFIG_VFIO_PCI_VGA";
                return TRI_NO;
        }
        if (p && p->state == -ENOENT) {
                *why = "vfio-pci has no disable_vga parameter: this kernel is built without CONFIG_VFIO_PCI_VGA";
                return TRI_NO;
        }
        if (p && p->state == 0 && p->value && strchr("yY1", p->value[0])) {
                *why = "vfio-pci runs with disable_vga=Y";
                return TRI_NO;
        }
        if (*opt) {
                *why = "the modprobe.d options of vfio-pci set disable_vga=1";
                return TRI_NO;
        }
        return p && p->state == 0 ? TRI_YES : TRI_UNKNOWN;
}

void vm_check_xvga(const struct vm_card *c, struct gd_findings *out) {
        const struct gd_vm *vm = c->vm;
        const struct gd_vm_pci *wrong = NULL;
        const struct gd_pci_dev *wrong_dev = NULL;
        bool xvga = vm_card_xvga(c), emulated, refused = false;
        const char *why = NULL;
        const struct gd_mod_options *opt = NULL;
        struct gd_finding *x;

        if (vm->kind != GD_VM_PROXMOX)
                return;
        for (size_t i = 0; i < c->n && !wrong; i++) {
                const struct gd_pci_dev *d = vm_entry_first_dev(c->h, c->entries[i]);
                if (c->entries[i]->x_vga == TRI_YES && d && (d->class_code >> 8) != PCI_CLASS_DISPLAY_VGA)
                        wrong = c->entries[i], wrong_dev = d;
        }
        emulated = xvga && vm->vga.text && !startswith(vm->vga.text, "none");
        if (xvga && vm->bios != GD_VM_BIOS_OVMF)
                refused = vm_host_vfio_vga(c->h, &why, &opt) == TRI_NO;
        if (!wrong && !emulated && !refused)
                return;

        if (refused)
                x = gd_findings_add_variant(out, "vm.x-vga", "will-not-start", "%s %s sets x-vga=1 for the card at %s "
                                            "under SeaBIOS, but %s: QEMU refuses the device and the VM will not start",
                                            vm_noun(vm), vm->name, c->t->gpu->address, why);
        else if (wrong)
                x = gd_findings_add(out, "vm.x-vga", "%s %s sets x-vga=1 on %s, which is %s", vm_noun(vm), vm->name,
                                    wrong_dev->address, class_noun(wrong_dev));
        else
                x = gd_findings_add(out, "vm.x-vga", "%s %s makes the card at %s its primary GPU (x-vga=1) but keeps "
                                    "an emulated display (vga: %s)", vm_noun(vm), vm->name, c->t->gpu->address,
                                    vm->vga.text);
        if (!x)
                return;
        gd_finding_subject_target(x, c->t);
        for (size_t i = 0; i < c->n; i++)
                if (c->entries[i]->x_vga == TRI_YES)
                        vm_evidence_entry(x, vm, c->entries[i]);
        if (wrong) {
                _cleanup_free_ char *cls = NULL;
                if (asprintf(&cls, "0x%06x", wrong_dev->class_code) >= 0)
                        gd_finding_evidence_attr(x, wrong_dev, "class", cls);
        }
        if (emulated)
                gd_finding_evidence(x, vm->source, vm->vga.line, "vga: %s", vm->vga.text);
        if (refused) {
                const struct gd_module_param *p = gd_host_module_param(c->h, "vfio_pci", "disable_vga");
                if (p && p->state == 0)
                        gd_finding_evidence(x, "/sys/module/vfio_pci/parameters/disable_vga", 0, "%s", p->value);
                else if (p && p->state == -ENOENT)
                        gd_finding_evidence(x, "/sys/module/vfio_pci/parameters", 0, "no disable_vga");
                if (opt) {
                        _cleanup_free_ char *src = gd_modconfig_source_string(&opt->source);
                        gd_finding_evidence(x, src ? src : "modprobe.d", 0, "options %s %s", opt->module, opt->options);
                }
                gd_finding_evidence(x, vm->source, vm->bios_opt.line, "%s", vm->bios_opt.text ?
                                    vm->bios_opt.text : "no bios: line (SeaBIOS, where qemu-server passes x-vga=on)");
        }

        gd_finding_remedy(x, wrong && !xvga ?
                          "x-vga makes a VGA controller the VM's primary display; this card has none, so it goes: use "
                          "the card for compute, with an emulated display (vga: std) for the console." :
                          wrong ? "x-vga belongs on the line of the card's VGA function, the first device of its entry." :
                          refused ? "Keep the card as the primary display, and let the host offer its VGA region:" :
                          "A primary GPU replaces the emulated display:");
        vm_edit_card(x, c);
        if (emulated)
                vm_edit_option(x, vm, "vga", &vm->vga, "none");
        if (refused && opt) {
                _cleanup_free_ char *src = gd_modconfig_source_string(&opt->source);
                gd_finding_remedy_append(x, "On the host: remove disable_vga=1 from %s (options vfio-pci), rebuild the "
                                            "initramfs and reboot.", src ? src : "the vfio-pci options");
        } else if (refused) {
                gd_finding_remedy_append(x, "Or boot the VM with OVMF, where qemu-server leaves x-vga=on out "
                                            "(needs an EFI disk: qm set %s --efidisk0 <storage>:1):", vm->name);
                vm_edit_option(x, vm, "bios", &vm->bios_opt, "ovmf");
        }
}

void vm_check_rombar(const struct vm_card *c, struct gd_findings *out) {
        const struct gd_vm *vm = c->vm;
        struct gd_finding *x;

        if (!vm_card_rombar_off(c))
                return;
        x = gd_findings_add(out, "vm.rombar", "%s %s passes the NVIDIA card at %s without a display role (no x-vga) "
                            "under SeaBIOS with its ROM visible: running it can hang the VM at POST", vm_noun(vm),
                            vm->name, c->t->gpu->address);
        if (!x)
                return;
        gd_finding_subject_target(x, c->t);
        vm_evidence_entry(x, vm, c->primary);
        gd_finding_evidence(x, vm->source, vm->bios_opt.line, "%s",
                            vm->bios_opt.text ? vm->bios_opt.text : "no bios: line (SeaBIOS)");
        gd_finding_remedy(x, "Hide the card's option ROM from SeaBIOS:");
        vm_edit_card(x, c);
}

void vm_check_cpu(const struct vm_card *c, struct gd_findings *out) {
        const struct gd_vm *vm = c->vm;
        struct gd_finding *x;

        if (vm->cpu_host != TRI_NO)
                return;
        x = gd_findings_add(out, "vm.cpu-not-host", "%s %s passes the GPU at %s but runs %s", vm_noun(vm), vm->name,
                            c->t->gpu->address, vm->cpu.text ? vm->cpu.text : "the default CPU model");
        if (!x)
                return;
        gd_finding_subject_target(x, c->t);
        if (vm->cpu.text)
                gd_finding_evidence(x, vm->source, vm->cpu.line, "cpu: %s", vm->cpu.text);
        else
                gd_finding_evidence(x, vm->source, 0, vm->kind == GD_VM_PROXMOX ?
                                    "no cpu: line (kvm64, or x86-64-v2-AES since Proxmox VE 8)" :
                                    "no <cpu mode=...> (QEMU's default model)");
        gd_finding_remedy(x, "Give the VM the host's CPU model.");
        if (vm->kind == GD_VM_PROXMOX)
                vm_edit_option(x, vm, "cpu", &vm->cpu, "host");
        else {
                gd_finding_remedy_append(x, "In %s (virsh edit %s): <cpu mode='host-passthrough' check='none'/>",
                                         vm->source, vm->name);
                gd_finding_edit(x, vm->source, vm->cpu.line, "cpu", vm->cpu.text, "host-passthrough");
                gd_finding_act_text(x, GD_ACT_MANUAL, "In %s (virsh edit %s): <cpu mode='host-passthrough' check='none'/>",
                                    vm->source, vm->name);
        }
}

void vm_check_msrs(const struct vm_card *c, struct gd_findings *out) {
        const struct gd_vm *vm = c->vm;
        const struct gd_module_param *p = gd_host_module_param(c->h, "kvm", "ignore_msrs");
        struct gd_finding *x;

        if (vm->windows != TRI_YES || c->t->gpu->vendor != 0x10de || !p || p->state != 0 || !p->value ||
            strchr("yY1", p->value[0]))
                return;
        x = gd_findings_add(out, "vm.ignore-msrs", "Windows %s %s gets the NVIDIA card at %s, but KVM does not ignore "
                            "unknown MSRs on this host", vm_noun(vm), vm->name, c->t->gpu->address);
        if (!x)
                return;
        gd_finding_subject_target(x, c->t);
        gd_finding_evidence(x, vm->source, vm->ostype.line, "%s", vm->ostype.text ? vm->ostype.text : "Windows");
        gd_finding_evidence(x, "/sys/module/kvm/parameters/ignore_msrs", 0, "%s", p->value);
        gd_finding_remedy(x, "On the host: put 'options kvm ignore_msrs=1 report_ignored_msrs=0' in "
                             "/etc/modprobe.d/kvm.conf and reboot (or, now: echo 1 > "
                             "/sys/module/kvm/parameters/ignore_msrs).");
        gd_finding_edit(x, "/etc/modprobe.d/kvm.conf", 0, "kvm", NULL, "ignore_msrs=1 report_ignored_msrs=0");
        gd_finding_act_line(x, GD_ACT_FILE_LINE, "/etc/modprobe.d/kvm.conf", 0, NULL, NULL,
                            "options kvm ignore_msrs=1 report_ignored_msrs=0");
}
