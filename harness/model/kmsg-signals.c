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
        [GD_KMSG_IGFX_SKIP_TE]         = { "Skip IOMMU disabling for graphics", "drivers/iommu/intel/iommu.c, "
                                           "quirk_igfx_skip_te_disable(): display-class Intel devices only" },
        [GD_KMSG_IGFX_DMAR_OFF]        = { "Disabling IOMMU for graphics", "drivers/iommu/intel/iommu.c, "
                                           "quirk_iommu_igfx()/quirk_iommu_g4x_gfx(), declared for iGPU IDs" },
        [GD_KMSG_RESET_UNSUPPORTED]    = { "Unsupported reset method '", "drivers/pci/pci.c, reset_method_store(): "
                                           "a method written to reset_method that the device does not support" },
        [GD_KMSG_DMAR_NO_ATSR]         = { "DMAR: No ATSR found", "drivers/iommu/intel/iommu.c, intel_iommu_init(), "
                                           "after the no_iommu || dmar_disabled exit" },
        [GD_KMSG_DMAR_NO_SATC]         = { "DMAR: No SATC found", "drivers/iommu/intel/iommu.c, intel_iommu_init() "
                                           "(5.15+), after the no_iommu || dmar_disabled exit" },
};

_Static_assert(_GD_KMSG_SIGNAL_MAX <= 64, "gd_kmsg_record.signals holds 64 signals");

const struct gd_kmsg_signal_info *gd_kmsg_signal(enum gd_kmsg_signal s) {
        return (unsigned) s < _GD_KMSG_SIGNAL_MAX ? &signals[s] : NULL;
}

/* Multi-pattern search after Wu and Manber ("A fast algorithm for
 * multi-pattern searching", 1994): a window of the shortest signal's length
 * m slides over the text; the block of B bytes at its end says how far it
 * can move before any signal could end there, so most of a line is never
 * looked at (a byte-by-byte scan was most of explain with a 100,000-record
 * log).  B is 3, hashed into 32 Ki entries: with two-byte blocks most
 * blocks of ordinary text ("e ", "in", "on") also occur in some signal and
 * the window moved 3 bytes on average; with three it moves nearly m - 3
 * (fewer entries, 4 Ki, made more blocks look like a signal's). */
#define BLOCK 3
#define HASH_BITS 15

/* The three bytes of a block as one number (the first in the low byte),
 * hashed multiplicatively (Knuth) into HASH_BITS bits. */
static unsigned hash3(uint32_t v) {
        return (unsigned) ((v * 2654435761u) >> (32 - HASH_BITS));
}

static unsigned block_of(const char *b) {
        return hash3((uint32_t) (unsigned char) b[0] | (uint32_t) (unsigned char) b[1] << 8 |
                     (uint32_t) (unsigned char) b[2] << 16);
}

/* The block ending at s[end], end >= 3: one load of s[end-3..end]. */
static unsigned block_ending_at(const char *s, size_t end) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        uint32_t v;

        memcpy(&v, s + end - 3, sizeof(v));
        return hash3(v >> 8);
#else
        return block_of(s + end - 2);
#endif
}

struct index {
        uint8_t shift[1u << HASH_BITS];    /* by the hash of the window's last B bytes */
        uint16_t key[_GD_KMSG_SIGNAL_MAX]; /* each signal's hash of bytes m-B .. m-1 */
        uint64_t by_key[256];              /* the signals whose key ends in these 8 bits */
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
                if (ix.m < BLOCK + 1) {
                        ready = true;
                        return &ix;
                }
                memset(ix.shift, (int) (ix.m - BLOCK + 1), sizeof(ix.shift));
                for (size_t k = 0; k < _GD_KMSG_SIGNAL_MAX; k++) {
                        const char *t = signals[k].text;

                        /* A block ending at q-1 (q <= m) lets the window move m - q. */
                        for (size_t q = BLOCK; q <= ix.m; q++) {
                                unsigned h = block_of(t + q - BLOCK);
                                if (ix.shift[h] > ix.m - q)
                                        ix.shift[h] = (uint8_t) (ix.m - q);
                        }
                        ix.key[k] = (uint16_t) block_of(t + ix.m - BLOCK);
                        ix.by_key[ix.key[k] & 255] |= 1ull << k;
                }
                ready = true;
        }
        return &ix;
}

/* The signals that start where the window ending at end starts, when the
 * window's last block is a signal's (hash h, shift 0). */
static uint64_t check(const struct index *ix, const char *s, size_t len, size_t end, unsigned h) {
        size_t start = end + 1 - ix->m;
        uint64_t found = 0;

        /* Only the signals of this key, not all of them (a loop over every
         * signal was a fifth of the search with 38 signals). */
        for (uint64_t maybe = ix->by_key[h & 255]; maybe; maybe &= maybe - 1) {
                unsigned k = (unsigned) __builtin_ctzll(maybe);

                if (ix->key[k] == h && ix->lengths[k] <= len - start &&
                    memcmp(s + start, signals[k].text, ix->lengths[k]) == 0)
                        found |= 1ull << k;
        }
        return found;
}

/* Moves the window ending at *end one step; a signal found on the way is
 * added to *found. */
static inline void step(const struct index *ix, const char *s, size_t len, size_t *end, uint64_t *found) {
        unsigned h = block_ending_at(s, *end);
        unsigned shift = ix->shift[h];

        if (shift > 0)
                *end += shift;
        else {
                *found |= check(ix, s, len, *end, h);
                (*end)++;
        }
}

uint64_t gd_kmsg_signals_in(const char *s, size_t len) {
        const struct index *ix = index_get();
        uint64_t found = 0;
        size_t end = ix->m - 1;

        /* A signal shorter than a block and a byte (none is) is searched
         * for plainly. */
        if (ix->m < BLOCK + 1) {
                for (size_t k = 0; k < _GD_KMSG_SIGNAL_MAX; k++)
                        if (memmem(s, len, signals[k].text, ix->lengths[k]))
                                found |= 1ull << k;
                return found;
        }
        /* Each step waits for the one before (the next window is where the
         * table says, after a load, a multiplication and a second load):
         * a long text (explain's blocks of records) is searched as four
         * windows at once, each over its quarter of the places a signal may
         * start, so that their steps overlap (a signal found twice is the
         * same bit).  10 MB of log: 5.8 ms with one window, 2.5 ms with
         * four.  Kept in variables: as an array the windows went through
         * memory and gained nothing. */
        if (len >= 512) {
                size_t share = (len - ix->m + 1) / 4, m1 = ix->m - 1;
                size_t e0 = end, e1 = share + m1, e2 = 2 * share + m1, e3 = 3 * share + m1;
                size_t stop0 = e1, stop1 = e2, stop2 = e3;

#define LANE(e, h, sh) do { if (sh > 0) e += sh; else found |= check(ix, s, len, e++, h); } while (0)
                while (e0 < stop0 && e1 < stop1 && e2 < stop2 && e3 < len) {
                        unsigned h0 = block_ending_at(s, e0), h1 = block_ending_at(s, e1);
                        unsigned h2 = block_ending_at(s, e2), h3 = block_ending_at(s, e3);
                        unsigned s0 = ix->shift[h0], s1 = ix->shift[h1], s2 = ix->shift[h2], s3 = ix->shift[h3];

                        LANE(e0, h0, s0);
                        LANE(e1, h1, s1);
                        LANE(e2, h2, s2);
                        LANE(e3, h3, s3);
                }
#undef LANE
                while (e0 < stop0)
                        step(ix, s, len, &e0, &found);
                while (e1 < stop1)
                        step(ix, s, len, &e1, &found);
                while (e2 < stop2)
                        step(ix, s, len, &e2, &found);
                end = e3;
        }
        while (end < len)
                step(ix, s, len, &end, &found);
        return found;
}

bool gd_kmsg_has_signal(const char *text) {
        return text && gd_kmsg_signals_in(text, strlen(text)) != 0;
}
