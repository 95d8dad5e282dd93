/* SPDX-License-Identifier: MIT */
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
};

_Static_assert(_GD_KMSG_SIGNAL_MAX <= 32, "gd_kmsg_record.signals holds 32 signals");

const struct gd_kmsg_signal_info *gd_kmsg_signal(enum gd_kmsg_signal s) {
        return (unsigned) s < _GD_KMSG_SIGNAL_MAX ? &signals[s] : NULL;
}

/* One pass over the line, comparing only where a signal could start:
 * glibc's memmem() per signal was two thirds of explain on a small host
 * with a long log. */
uint32_t gd_kmsg_signals_in(const char *s, size_t len) {
        static bool starts[256];
        static size_t lengths[_GD_KMSG_SIGNAL_MAX];
        static bool ready;
        uint32_t found = 0;

        if (!ready) {
                for (size_t k = 0; k < _GD_KMSG_SIGNAL_MAX; k++) {
                        starts[(unsigned char) signals[k].text[0]] = true;
                        lengths[k] = strlen(signals[k].text);
                }
                ready = true;
        }
        for (size_t i = 0; i < len; i++) {
                if (!starts[(unsigned char) s[i]])
                        continue;
                for (size_t k = 0; k < _GD_KMSG_SIGNAL_MAX; k++)
                        if (signals[k].text[0] == s[i] && lengths[k] <= len - i &&
                            memcmp(s + i, signals[k].text, lengths[k]) == 0)
                                found |= 1u << k;
        }
        return found;
}

bool gd_kmsg_has_signal(const char *text) {
        return text && gd_kmsg_signals_in(text, strlen(text)) != 0;
}
