/* SPDX-License-Identifier: MIT */
/* The VM tools' log (model/vmlog.c): which lines are kept (those that hold
 * a signal of its table, as QEMU, libvirt and Proxmox VE print them), the
 * device each names, and that only the VM's last start counts. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/macro.h"
#include "model/vmlog.h"

static uint32_t sig(const char *line) {
        return gd_vmlog_signals_in(line, strlen(line));
}

static const char *address_of(const char *line) {
        static char a[GD_ADDR_LEN];

        return gd_vmlog_line_address(line, strlen(line), a) ? a : NULL;
}

Test(vmlog, every_signal_has_its_text_and_its_source) {
        for (int s = 0; s < _GD_VMLOG_SIGNAL_MAX; s++) {
                const struct gd_vmlog_signal_info *i = gd_vmlog_signal((enum gd_vmlog_signal) s);

                cr_assert_not_null(i);
                cr_expect(i->text && i->text[0], "signal %d has no text", s);
                cr_expect(i->source && i->source[0], "signal %d has no source", s);
        }
        cr_expect_null(gd_vmlog_signal(_GD_VMLOG_SIGNAL_MAX));
}

Test(vmlog, qemus_lines_hold_their_signals) {
        /* QEMU 8.x hw/vfio/common.c / 10.x container-legacy.c, as pasted. */
        cr_expect(sig("kvm: -device vfio-pci,host=0000:01:00.0,id=hostpci0: vfio 0000:01:00.0: group 14 is not "
                      "viable") == (1u << GD_VMLOG_VFIO_DEVICE | 1u << GD_VMLOG_GROUP_NOT_VIABLE));
        cr_expect(sig("Please ensure all devices within the iommu_group are bound to their vfio bus driver.") ==
                  1u << GD_VMLOG_ENSURE_BOUND);
        cr_expect(sig("vfio_container_dma_map(0x55d6, 0x380000000000, 0x1000000, 0x7f) = -22 (Invalid argument)") ==
                  1u << GD_VMLOG_DMA_MAP);
        cr_expect(sig("vfio_region_write(0000:26:00.0:region1+0x1b0, 0x0,8) failed: Device or resource busy") ==
                  1u << GD_VMLOG_REGION_BUSY);
        cr_expect(sig("vfio_region_write(0000:26:00.0:region1+0x1b0, 0x0,8) failed: Bad address") == 0,
                  "a region write that fails otherwise is no BAR claimed by the host");
        cr_expect(sig("Cannot read device rom at 0000:01:00.0") == 1u << GD_VMLOG_ROM_UNREADABLE,
                  "older QEMU's spelling");
        cr_expect(sig("VFIO device assigment is currently not supported on this system") ==
                  1u << GD_VMLOG_VFIO_UNSUPPORTED, "libvirt's line, as retyped with its typo");
        cr_expect(sig("the VM booted and the card works") == 0);
}

Test(vmlog, the_device_a_line_names_in_each_form_the_tools_print) {
        cr_expect_str_eq(address_of("kvm: -device vfio-pci,host=01:00.0,id=hostpci0"), "0000:01:00.0",
                         "QEMU takes a missing domain as 0000");
        cr_expect_str_eq(address_of("{\"driver\":\"vfio-pci\",\"host\":\"0000:09:00.0\",\"id\":\"hostdev0\"}"),
                         "0000:09:00.0");
        cr_expect_str_eq(address_of("virsh nodedev-detach pci_0000_03_00_1"), "0000:03:00.1");
        cr_expect_str_eq(address_of("vfio_region_write(0000:26:00.0:region1+0x1b0, 0x0,8)"), "0000:26:00.0");
        cr_expect_null(address_of("2024-05-01 12:34:56.789+0000: starting up"), "a time of day is no address");
        cr_expect_null(address_of("version 10.00.0 of the tool"));
}

Test(vmlog, only_the_vms_last_start_counts) {
        const char *log =
                "2024-05-01 10:00:00.000+0000: starting up libvirt version: 9.0.0, qemu version: 7.2.0\n"
                "kvm: -device vfio-pci,host=0000:01:00.0: vfio 0000:01:00.0: group 14 is not viable\n"
                "2024-05-01 11:00:00.000+0000: starting up libvirt version: 9.0.0, qemu version: 7.2.0\n"
                "a line of no tool\n"
                "kvm: vfio_region_write(0000:01:00.0:region1+0x0, 0x0,8) failed: Device or resource busy\r\n";
        struct gd_vmlog v = { 0 };

        cr_assert_eq(gd_vmlog_parse(log, strlen(log), "/var/log/libvirt/qemu/win10.log", &v), 0);
        cr_assert_eq(v.n_records, 1, "the failure of the earlier start is history");
        cr_expect_eq(v.records[0].line, 5);
        cr_expect_str_eq(v.records[0].address, "0000:01:00.0");
        cr_expect_str_eq(v.records[0].file, "/var/log/libvirt/qemu/win10.log");
        cr_expect(gd_vmlog_record_has(&v.records[0], GD_VMLOG_REGION_BUSY));
        cr_expect_eq(v.records[0].text[strlen(v.records[0].text) - 1], 'y', "the CR is not kept");
        cr_expect_eq(gd_vmlog_find(&v, GD_VMLOG_REGION_BUSY, "0000:01:00.0", 0), &v.records[0]);
        cr_expect_null(gd_vmlog_find(&v, GD_VMLOG_REGION_BUSY, "0000:02:00.0", 0));
        cr_expect_null(gd_vmlog_find(&v, GD_VMLOG_GROUP_NOT_VIABLE, NULL, 0));
        gd_vmlog_clear(&v);
}

Test(vmlog, a_second_log_keeps_the_records_of_the_first) {
        const char *a = "kvm: vfio 0000:01:00.0: group 14 is not viable\n";
        const char *b = "2024-05-01 11:00:00.000+0000: starting up libvirt version: 9.0.0\n"
                        "kvm: vfio 0000:02:00.0: group 15 is not viable";
        struct gd_vmlog v = { 0 };

        cr_assert_eq(gd_vmlog_parse(a, strlen(a), "/var/log/libvirt/qemu/a.log", &v), 0);
        cr_assert_eq(gd_vmlog_parse(b, strlen(b), "/var/log/libvirt/qemu/b.log", &v), 0);
        cr_assert_eq(v.n_records, 2, "a start in b.log is b's VM's, not a's");
        cr_expect_str_eq(v.records[1].address, "0000:02:00.0");
        cr_expect_eq(v.records[1].line, 2, "the last line has no newline");
        gd_vmlog_clear(&v);
}
