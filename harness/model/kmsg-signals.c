/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <string.h>

#include "base/macro.h"
#include "kmsg-signals.h"

/* Each text as the kernel prints it; the checks that use it cite the same
 * sources (checks/iommu.c, irq.c, iommu-cmdline.c, framebuffer.c, power.c). */
static const struct gd_kmsg_signal_info signals[_GD_KMSG_SIGNAL_MAX] = {
        /* drivers/acpi/acpica/tbprint.c acpi_tb_print_table_header(): the
         * boot-time table dump; XSDT/RSDT show that the log reaches it. */
        [GD_KMSG_ACPI_DMAR]            = { "ACPI: DMAR ", "drivers/acpi/acpica/tbprint.c" },
        [GD_KMSG_ACPI_IVRS]            = { "ACPI: IVRS ", "drivers/acpi/acpica/tbprint.c" },
        [GD_KMSG_ACPI_XSDT]            = { "ACPI: XSDT ", "drivers/acpi/acpica/tbprint.c" },
        [GD_KMSG_ACPI_RSDT]            = { "ACPI: RSDT ", "drivers/acpi/acpica/tbprint.c" },
        [GD_KMSG_DMAR_HOST_WIDTH]      = { "DMAR: Host address width", "drivers/iommu/intel/dmar.c" },
        [GD_KMSG_DMAR_INIT_FAILED]     = { "DMAR: Initialization failed", "drivers/iommu/intel/" },
        [GD_KMSG_DMAR_UNKNOWN_OPTION]  = { "DMAR: Unknown option - ", "drivers/iommu/intel/iommu.c, intel_iommu_setup()" },
        [GD_KMSG_DMAR_IR_ENABLED]      = { "DMAR-IR: Enabled IRQ remapping", "drivers/iommu/intel/irq_remapping.c, intel_enable_irq_remapping()" },
        [GD_KMSG_VTD_ENABLED]          = { "Intel(R) Virtualization Technology for Directed I/O",
                                           "drivers/iommu/intel/iommu.c, last line of intel_iommu_init()" },
        [GD_KMSG_AMDVI_FOUND]          = { "AMD-Vi: Found IOMMU", "drivers/iommu/amd/init.c, print_iommu_info()" },
        [GD_KMSG_AMDVI_FIRMWARE_BUG]   = { "AMD-Vi: [Firmware Bug]", "drivers/iommu/amd/" },
        [GD_KMSG_AMDVI_UNKNOWN_OPTION] = { "AMD-Vi: Unknown option - ", "drivers/iommu/amd/init.c, parse_amd_iommu_options()" },
        [GD_KMSG_AMDVI_IR_ENABLED]     = { "AMD-Vi: Interrupt remapping enabled", "drivers/iommu/amd/init.c" },
        [GD_KMSG_GROUP_ADDED]          = { "Adding to iommu group", "drivers/iommu/iommu.c, iommu_group_add_device()" },
        [GD_KMSG_DEVICE_ADDED]         = { "Adding device ", "drivers/iommu/iommu.c before 4.x: \"Adding device %s to group %d\"" },
        [GD_KMSG_VFIO_NOIOMMU]         = { "vfio-noiommu", "drivers/vfio/vfio_main.c, the no-IOMMU taint" },
        [GD_KMSG_ACS_OVERRIDE]         = { "PCIe ACS overrides enabled", "the out-of-tree ACS override patch" },
        [GD_KMSG_UNKNOWN_PARAMETERS]   = { "Unknown kernel command line parameters", "init/main.c" },
        [GD_KMSG_NO_IRQ_REMAP]         = { "No interrupt remapping support", "drivers/vfio/vfio_iommu_type1.c, vfio_iommu_type1_attach_group()" },
        [GD_KMSG_LINUX_VERSION]        = { "Linux version ", "init/version.c linux_banner: the log reaches back to boot" },
        [GD_KMSG_CANT_RESERVE]         = { "can't reserve", "drivers/pci/setup-res.c, BAR claims" },
        [GD_KMSG_POWER_STATE]          = { "change power state", "drivers/pci/pci.c, power transitions" },
        [GD_KMSG_HYPERVISOR_DETECTED]  = { "Hypervisor detected", "arch/x86/kernel/cpu/hypervisor.c, init_hypervisor_platform()" },
        [GD_KMSG_PRE_ITS]              = { "Synquacer pre-ITS", "drivers/irqchip/irq-gic-v3-its.c, the Socionext quirk that "
                                           "clears IRQ_DOMAIN_FLAG_ISOLATED_MSI" },
        [GD_KMSG_FAILED_TO_ASSIGN]     = { "failed to assign", "drivers/pci/setup-res.c, pci_assign_resource(): "
                                           "\"BAR %d: failed to assign\" (before 6.8), \"%s %pR: failed to assign\"" },
        [GD_KMSG_NVRM_REGION_INVALID]  = { "assigned to your NVIDIA device is invalid",
                                           "NVIDIA kernel module: \"This PCI I/O region assigned to your NVIDIA device is invalid\"" },
        [GD_KMSG_NVRM_BAR_ZERO]        = { "is 0M @ 0x0", "NVIDIA kernel module: \"NVRM: BARn is 0M @ 0x0 (PCI:...)\"" },
        [GD_KMSG_NVRM_INIT_FAILED]     = { "RmInitAdapter failed", "NVIDIA kernel module: \"NVRM: GPU <addr>: RmInitAdapter failed!\"" },
        [GD_KMSG_NVRM_NONE_INITIALIZED] = { "None of the NVIDIA devices were initialized", "NVIDIA kernel module, at load" },
        [GD_KMSG_FALLEN_OFF_BUS]       = { "fallen off the bus", "NVIDIA kernel module: Xid 79 \"GPU has fallen off the bus\"" },
        [GD_KMSG_NVRM_XID]             = { "NVRM: Xid (", "NVIDIA kernel module: \"NVRM: Xid (PCI:<addr>): <n>, ...\"" },
        [GD_KMSG_PROBE_FAILED]         = { "failed with error", "drivers/base/dd.c, really_probe(): \"probe with driver %s "
                                           "failed with error %d\" (before 5.x: \"%s: probe of %s failed with error %d\")" },
        [GD_KMSG_AMDGPU_INIT_FATAL]    = { "Fatal error during GPU init", "drivers/gpu/drm/amd/amdgpu/amdgpu_device.c, amdgpu_device_init()" },
        [GD_KMSG_GROUP_REMOVED]        = { "Removing from iommu group", "drivers/iommu/iommu.c, __iommu_group_remove_device()" },
        [GD_KMSG_AER_UNCORRECTED]      = { "Uncorrected (", "drivers/pci/pcie/aer.c, aer_print_error() and aer_isr_one_error()" },
        [GD_KMSG_AER_RECOVERY_FAILED]  = { "recovery failed", "drivers/pci/pcie/err.c, pcie_do_recovery()" },
        [GD_KMSG_AER_CANT_RECOVER]     = { "AER: can't recover", "drivers/pci/pcie/err.c, report_error_detected()" },
        [GD_KMSG_AER_RECOVERED]        = { "device recovery successful", "drivers/pci/pcie/err.c, pcie_do_recovery()" },
        [GD_KMSG_ROM_INVALID]          = { "Invalid PCI ROM header signature", "drivers/pci/rom.c, pci_get_rom_size()" },
        [GD_KMSG_VENDOR_RESET]         = { ": AMD_", "gnif/vendor-reset: every message names the ASIC (\"AMD_NAVI10: performing reset\")" },
        [GD_KMSG_GIVING_UP]            = { "; giving up", "drivers/pci/pci.c, pci_dev_wait(): \"not ready %dms after %s; giving up\"" },
};

_Static_assert(_GD_KMSG_SIGNAL_MAX <= 64, "gd_kmsg_record.signals holds 64 signals");

const struct gd_kmsg_signal_info *gd_kmsg_signal(enum gd_kmsg_signal s) {
        return (unsigned) s < _GD_KMSG_SIGNAL_MAX ? &signals[s] : NULL;
}

/* Multi-pattern search after Wu and Manber ("A fast algorithm for
 * multi-pattern searching", 1994): a window of the shortest signal's length
 * m slides over the text; the two bytes at its end say how far it can move
 * before any signal could end there, so most of a line is never looked at
 * (a byte-by-byte scan was most of explain with a 100,000-record log). */
#define BLOCK_SHIFT(b0, b1) ((unsigned) (unsigned char) (b0) << 8 | (unsigned char) (b1))

struct index {
        uint8_t shift[65536];           /* by the window's last two bytes */
        uint16_t key[_GD_KMSG_SIGNAL_MAX]; /* each signal's bytes m-2, m-1 */
        size_t lengths[_GD_KMSG_SIGNAL_MAX];
        size_t m;
};

static const struct index *index_get(void) {
        static struct index ix;
        static bool ready;

        if (!ready) {
                ix.m = SIZE_MAX;
                for (size_t k = 0; k < _GD_KMSG_SIGNAL_MAX; k++) {
                        ix.lengths[k] = strlen(signals[k].text);
                        if (ix.lengths[k] < ix.m)
                                ix.m = ix.lengths[k];
                }
                memset(ix.shift, (int) (ix.m - 1), sizeof(ix.shift));
                for (size_t k = 0; k < _GD_KMSG_SIGNAL_MAX; k++) {
                        const char *t = signals[k].text;

                        for (size_t q = 1; q < ix.m; q++) {
                                unsigned b = BLOCK_SHIFT(t[q - 1], t[q]);
                                if (ix.shift[b] > ix.m - 1 - q)
                                        ix.shift[b] = (uint8_t) (ix.m - 1 - q);
                        }
                        ix.key[k] = (uint16_t) BLOCK_SHIFT(t[ix.m - 2], t[ix.m - 1]);
                }
                ready = true;
        }
        return &ix;
}

uint64_t gd_kmsg_signals_in(const char *s, size_t len) {
        const struct index *ix = index_get();
        uint64_t found = 0;

        for (size_t end = ix->m - 1; end < len; ) {
                unsigned b = BLOCK_SHIFT(s[end - 1], s[end]);
                size_t start = end + 1 - ix->m;

                if (ix->shift[b] > 0) {
                        end += ix->shift[b];
                        continue;
                }
                for (size_t k = 0; k < _GD_KMSG_SIGNAL_MAX; k++)
                        if (ix->key[k] == b && ix->lengths[k] <= len - start &&
                            memcmp(s + start, signals[k].text, ix->lengths[k]) == 0)
                                found |= 1ull << k;
                end++;
        }
        return found;
}

bool gd_kmsg_has_signal(const char *text) {
        return text && gd_kmsg_signals_in(text, strlen(text)) != 0;
}
