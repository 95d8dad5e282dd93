/* SPDX-License-Identifier: MIT */
/* The VM config parsers (host/vmconfig.c): Proxmox qemu-server .conf and
 * libvirt domain XML, on the files in fixtures/vmconfig/. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "host/vmconfig.h"

static char *fixture(const char *name) {
        const char *srcdir = getenv("GPUDIAG_SRCDIR");
        char *path, *text = NULL;
        int r;

        cr_assert_not_null(srcdir, "GPUDIAG_SRCDIR is not set");
        cr_assert_geq(asprintf(&path, "%s/fixtures/vmconfig/%s", srcdir, name), 0);
        r = read_file_capped(path, GD_TEXT_FILE_MAX, &text, NULL);
        cr_assert_eq(r, 0, "%s: %s", path, strerror(-r));
        free(path);
        return text;
}

static const char *PVE = "/etc/pve/qemu-server/100.conf";

Test(vmconfig_proxmox, current_config_stops_at_the_first_snapshot_section) {
        _cleanup_free_ char *text = fixture("proxmox-100-snapshot.conf");
        struct gd_vm vm = { 0 };

        cr_assert_eq(gd_vmconfig_parse_proxmox(text, "100", PVE, &vm), 0);
        cr_assert_str_eq(vm.name, "100");
        cr_assert_str_eq(vm.source, PVE);
        /* machine: pc-q35-8.1 on line 11, not the snapshot's pc-i440fx-8.1. */
        cr_assert_eq(vm.machine, GD_VM_MACHINE_Q35);
        cr_assert_str_eq(vm.machine_text, "pc-q35-8.1");
        cr_assert_eq(vm.machine_line, 11);
        /* hostpci0 (whole slot), hostpci1 (two functions), hostpci2 (mapping); not the snapshot's 03:00.0. */
        cr_assert_eq(vm.n_pci, 4);
        for (size_t i = 0; i < vm.n_pci; i++)
                cr_assert(!(vm.pci[i].resolved && vm.pci[i].bus == 3), "snapshot entry leaked in");
        gd_vm_clear(&vm);
}

Test(vmconfig_proxmox, slot_without_function_means_every_function_with_options) {
        _cleanup_free_ char *text = fixture("proxmox-100-snapshot.conf");
        struct gd_vm vm = { 0 };
        const struct gd_vm_pci *p;
        char addr[GD_ADDR_LEN];

        cr_assert_eq(gd_vmconfig_parse_proxmox(text, "100", PVE, &vm), 0);
        p = &vm.pci[0];
        cr_assert_str_eq(p->key, "hostpci0");
        cr_assert_eq(p->line, 8);
        cr_assert_str_eq(p->text, "hostpci0: 0000:01:00,pcie=1,x-vga=1");
        cr_assert(p->resolved);
        cr_assert_eq(p->func, GD_VM_FUNC_ALL);
        cr_assert_eq(p->bus, 1);
        cr_assert_eq(p->pcie, TRI_YES);
        cr_assert_eq(p->x_vga, TRI_YES);
        cr_assert_eq(p->rombar, TRI_UNKNOWN);
        cr_assert_eq(p->multifunction, TRI_YES);
        cr_assert_str_eq(p->options, ",pcie=1,x-vga=1");
        gd_vm_pci_address(p, addr);
        cr_assert_str_eq(addr, "0000:01:00");
        gd_vm_clear(&vm);
}

Test(vmconfig_proxmox, semicolon_list_gives_one_entry_per_function_and_domain_defaults_to_zero) {
        _cleanup_free_ char *text = fixture("proxmox-100-snapshot.conf");
        struct gd_vm vm = { 0 };
        char addr[GD_ADDR_LEN];

        cr_assert_eq(gd_vmconfig_parse_proxmox(text, "100", PVE, &vm), 0);
        for (size_t i = 1; i <= 2; i++) {
                const struct gd_vm_pci *p = &vm.pci[i];
                cr_assert_str_eq(p->key, "hostpci1");
                cr_assert_eq(p->line, 9);
                cr_assert_eq(p->func, (int) i - 1);
                cr_assert_eq(p->rombar, TRI_NO);
                cr_assert_str_eq(p->romfile, "gpu.rom");
                cr_assert_eq(p->pcie, TRI_UNKNOWN);
                cr_assert_eq(p->multifunction, TRI_YES);
        }
        gd_vm_pci_address(&vm.pci[2], addr);
        cr_assert_str_eq(addr, "0000:02:00.1");
        gd_vm_clear(&vm);
}

Test(vmconfig_proxmox, mapped_device_is_recorded_unresolved) {
        _cleanup_free_ char *text = fixture("proxmox-100-snapshot.conf");
        struct gd_vm vm = { 0 };

        cr_assert_eq(gd_vmconfig_parse_proxmox(text, "100", PVE, &vm), 0);
        cr_assert_str_eq(vm.pci[3].key, "hostpci2");
        cr_assert_not(vm.pci[3].resolved);
        cr_assert_str_eq(vm.pci[3].mapping, "rtx4090");
        cr_assert_eq(vm.pci[3].pcie, TRI_YES);
        gd_vm_clear(&vm);
}

Test(vmconfig_proxmox, no_machine_line_is_i440fx_and_type_property_is_read) {
        struct gd_vm vm = { 0 };

        cr_assert_eq(gd_vmconfig_parse_proxmox("hostpci0: 01:00.0,pcie=1\n", "101", PVE, &vm), 0);
        cr_assert_eq(vm.machine, GD_VM_MACHINE_I440FX);
        cr_assert_null(vm.machine_text);
        cr_assert_eq(vm.pci[0].domain, 0);
        cr_assert_eq(vm.pci[0].func, 0);
        gd_vm_clear(&vm);
        cr_assert_eq(gd_vmconfig_parse_proxmox("machine: type=q35,viommu=intel\nhostpci0: 01:00\n", "102", PVE, &vm), 0);
        cr_assert_eq(vm.machine, GD_VM_MACHINE_Q35);
        gd_vm_clear(&vm);
        cr_assert_eq(gd_vmconfig_parse_proxmox("arch: aarch64\nhostpci0: 01:00\n", "103", PVE, &vm), 0);
        cr_assert_eq(vm.machine, GD_VM_MACHINE_UNKNOWN);
        gd_vm_clear(&vm);
}

Test(vmconfig_proxmox, malformed_addresses_stay_unresolved_and_null_is_einval) {
        struct gd_vm vm = { 0 };

        cr_assert_eq(gd_vmconfig_parse_proxmox("hostpci0: 1:0.0\nhostpci1: 0000:01:00.9\nhostpci2: 01:20.0\n",
                                               "104", PVE, &vm), 0);
        cr_assert_eq(vm.n_pci, 3);
        for (size_t i = 0; i < vm.n_pci; i++)
                cr_assert_not(vm.pci[i].resolved, "entry %zu", i);
        gd_vm_clear(&vm);
        cr_assert_eq(gd_vmconfig_parse_proxmox(NULL, "1", PVE, &vm), -EINVAL);
}

Test(vmconfig_libvirt, hostdev_source_addresses_machine_and_rom) {
        _cleanup_free_ char *text = fixture("libvirt-win10.xml");
        struct gd_vm vm = { 0 };

        cr_assert_eq(gd_vmconfig_parse_libvirt(text, "/etc/libvirt/qemu/win10.xml", &vm), 0);
        cr_assert_str_eq(vm.name, "win10");
        cr_assert_eq(vm.machine, GD_VM_MACHINE_Q35);
        cr_assert_str_eq(vm.machine_text, "pc-q35-8.2");
        cr_assert_eq(vm.machine_line, 14);
        /* Two PCI hostdevs; not the USB one, not the commented-out one, not the NIC's guest address. */
        cr_assert_eq(vm.n_pci, 2);
        cr_assert_eq(vm.pci[0].bus, 0x0b);
        cr_assert_eq(vm.pci[0].func, 0);
        cr_assert_eq(vm.pci[0].line, 27);
        cr_assert_str_eq(vm.pci[0].text, "<address domain='0x0000' bus='0x0b' slot='0x00' function='0x0'/>");
        cr_assert_eq(vm.pci[0].rombar, TRI_NO);
        cr_assert_str_eq(vm.pci[0].romfile, "/var/lib/libvirt/vbios/navi10.rom");
        cr_assert_eq(vm.pci[0].multifunction, TRI_YES);
        cr_assert_eq(vm.pci[1].func, 1);
        cr_assert_eq(vm.pci[1].line, 34);
        cr_assert_eq(vm.pci[1].rombar, TRI_UNKNOWN);
        /* Firmware from the OVMF <loader>, the host CPU model. */
        cr_assert_eq(vm.bios, GD_VM_BIOS_OVMF);
        cr_assert_eq(vm.cpu_host, TRI_YES);
        cr_assert_eq(vm.cpu.line, 17);
        gd_vm_clear(&vm);
}

/* qemu-server's defaults when a line is missing: bios seabios, the default
 * CPU model, no vga (vga: none only with x-vga); ostype win* is Windows. */
Test(vmconfig_proxmox, bios_cpu_vga_and_ostype_as_qemu_server_reads_them) {
        struct gd_vm vm = { 0 };

        cr_assert_eq(gd_vmconfig_parse_proxmox("hostpci0: 01:00,x-vga=on\nostype: win11\n", "101", PVE, &vm), 0);
        cr_assert_eq(vm.bios, GD_VM_BIOS_SEABIOS);
        cr_assert_null(vm.bios_opt.text);
        cr_assert_eq(vm.cpu_host, TRI_NO);
        cr_assert_null(vm.vga.text);
        cr_assert_eq(vm.windows, TRI_YES);
        cr_assert_eq(vm.pci[0].x_vga, TRI_YES);
        cr_assert_str_eq(vm.pci[0].host_text, "01:00");
        gd_vm_clear(&vm);
        cr_assert_eq(gd_vmconfig_parse_proxmox("bios: ovmf\ncpu: cputype=host,flags=+pcid\nvga: std,memory=32\n"
                                               "ostype: l26\nhostpci0: 01:00.0;01:00.1\n", "102", PVE, &vm), 0);
        cr_assert_eq(vm.bios, GD_VM_BIOS_OVMF);
        cr_assert_eq(vm.bios_opt.line, 1);
        cr_assert_eq(vm.cpu_host, TRI_YES);
        cr_assert_str_eq(vm.vga.text, "std,memory=32");
        cr_assert_eq(vm.vga.line, 3);
        cr_assert_eq(vm.windows, TRI_NO);
        cr_assert_str_eq(vm.pci[1].host_text, "01:00.0;01:00.1");
        gd_vm_clear(&vm);
        cr_assert_eq(gd_vmconfig_parse_proxmox("cpu: x86-64-v2-AES\nhostpci0: 01:00\n", "103", PVE, &vm), 0);
        cr_assert_eq(vm.cpu_host, TRI_NO);
        gd_vm_clear(&vm);
}

/* PVE::Mapping::PCI: a section per mapping id, "map" lines per node; the
 * one for this node (the host name without its domain) gives the path. */
Test(vmconfig_proxmox, mapping_resolves_through_pci_cfg_for_this_node) {
        static const char cfg[] =
                "# resource mappings\n"
                "rtx\n"
                "\tmap id=10de:1e07,iommugroup=3,node=pve2,path=0000:03:00\n"
                "\tmap id=10de:1e07,iommugroup=1,node=pve1,path=0000:01:00;0000:02:00\n"
                "\tdescription the gaming card\n"
                "\n"
                "nvme\n"
                "\tmap id=144d:a808,node=pve1,path=0000:05:00.0\n";
        struct gd_vm vm = { 0 };
        struct gd_vmconfig c = { .vms = &vm, .n_vms = 1 };

        cr_assert_eq(gd_vmconfig_parse_proxmox("hostpci0: mapping=rtx,pcie=1\nhostpci1: mapping=gone\n"
                                               "hostpci2: mapping=nvme\n", "100", PVE, &vm), 0);
        cr_assert_eq(vm.pci[0].mapping_state, -ENODATA);
        cr_assert_not(vm.pci[0].resolved);
        cr_assert_eq(gd_pve_mapping_resolve(&c, cfg, "/etc/pve/mapping/pci.cfg", "pve1.example.org"), 0);
        cr_assert_eq(vm.pci[0].mapping_state, 0);
        cr_assert(vm.pci[0].resolved);
        cr_assert_eq(vm.pci[0].bus, 1);
        cr_assert_eq(vm.pci[0].func, GD_VM_FUNC_ALL);
        cr_assert_eq(vm.pci[0].mapping_line, 4);
        cr_assert_str_eq(vm.pci[0].mapping_id, "10de:1e07");
        cr_assert_eq(vm.pci[1].mapping_state, -ENOENT);
        cr_assert_not(vm.pci[1].resolved);
        cr_assert_eq(vm.pci[2].mapping_state, 0);
        cr_assert_eq(vm.pci[2].func, 0);
        gd_vm_clear(&vm);

        /* Another node's name only: no map line for this node. */
        cr_assert_eq(gd_vmconfig_parse_proxmox("hostpci0: mapping=rtx\n", "100", PVE, &vm), 0);
        cr_assert_eq(gd_pve_mapping_resolve(&c, cfg, "/etc/pve/mapping/pci.cfg", "pve9"), 0);
        cr_assert_eq(vm.pci[0].mapping_state, -ENXIO);
        gd_vm_clear(&vm);
        /* No pci.cfg at all: not found, as qemu-server says. */
        cr_assert_eq(gd_vmconfig_parse_proxmox("hostpci0: mapping=rtx\n", "100", PVE, &vm), 0);
        cr_assert_eq(gd_pve_mapping_resolve(&c, NULL, "/etc/pve/mapping/pci.cfg", "pve1"), 0);
        cr_assert_eq(vm.pci[0].mapping_state, -ENOENT);
        gd_vm_clear(&vm);
}

Test(vmconfig_libvirt, not_a_domain_is_einval_and_truncated_xml_is_safe) {
        _cleanup_free_ char *text = fixture("libvirt-win10.xml");
        struct gd_vm vm = { 0 };

        cr_assert_eq(gd_vmconfig_parse_libvirt("<network><name>default</name></network>", "x.xml", &vm), -EINVAL);
        /* Every prefix of the file parses without reading past it (ASan would tell). */
        for (size_t n = 0; n < strlen(text); n += 7) {
                _cleanup_free_ char *cut = strndup(text, n);
                int r = gd_vmconfig_parse_libvirt(cut, "x.xml", &vm);
                cr_assert(r == 0 || r == -EINVAL);
                if (r == 0)
                        gd_vm_clear(&vm);
        }
}

/* pci.cfg comes from a stranger's bundle: every prefix of a file, and lines
 * without the parts a map needs, resolve without reading past them (ASan
 * would tell) and leave the entry unresolved rather than guessed. */
Test(vmconfig_proxmox, hostile_pci_cfg_is_read_safely) {
        static const char cfg[] = "rtx\n\tmap id=10de:1e07,node=pve1,path=0000:01:00\n\tmap node=pve1\n"
                                  "\tmap path=zz:zz.z,node=pve1\n\tmap ,,,=,node=,path=\nrtx2\n\tmap\n";
        struct gd_vm vm = { 0 };
        struct gd_vmconfig c = { .vms = &vm, .n_vms = 1 };

        for (size_t n = 0; n <= strlen(cfg); n++) {
                _cleanup_free_ char *cut = strndup(cfg, n);
                cr_assert_eq(gd_vmconfig_parse_proxmox("hostpci0: mapping=rtx\nhostpci1: mapping=rtx2\n", "100", PVE, &vm),
                             0);
                cr_assert_eq(gd_pve_mapping_resolve(&c, cut, "/etc/pve/mapping/pci.cfg", "pve1"), 0);
                cr_assert(vm.pci[1].mapping_state < 0);
                gd_vm_clear(&vm);
        }
        cr_assert_eq(gd_vmconfig_parse_proxmox("hostpci0: mapping=rtx\n", "100", PVE, &vm), 0);
        cr_assert_eq(gd_pve_mapping_resolve(&c, "rtx\n\tmap path=zz:zz.z,node=pve1\n", "/x", "pve1"), 0);
        cr_assert_eq(vm.pci[0].mapping_state, -EINVAL);
        cr_assert_not(vm.pci[0].resolved);
        gd_vm_clear(&vm);
}
