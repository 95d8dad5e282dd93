/* SPDX-License-Identifier: MIT */
/* The kernel log records gpudiag looks at: the one table of them.
 *
 * A busy host's log holds 100,000 records and more, nearly all of them about
 * other things.  The reader (host/kmsg.c) keeps only the records whose text
 * holds one of these signals, and marks in each which ones
 * (gd_kmsg_record.signals); checks find records by signal
 * (model/kmsg.h, gd_kmsg_find()), never by a text of their own.  So a
 * pattern the reader did not keep cannot be written: a check that needs a
 * new one adds a row here, and the reader keeps it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gd_kmsg_signal {
        GD_KMSG_ACPI_DMAR,             /* "ACPI: DMAR " */
        GD_KMSG_ACPI_IVRS,             /* "ACPI: IVRS " */
        GD_KMSG_ACPI_XSDT,             /* "ACPI: XSDT " */
        GD_KMSG_ACPI_RSDT,             /* "ACPI: RSDT " */
        GD_KMSG_DMAR_HOST_WIDTH,       /* "DMAR: Host address width" */
        GD_KMSG_DMAR_INIT_FAILED,      /* "DMAR: Initialization failed" */
        GD_KMSG_DMAR_UNKNOWN_OPTION,   /* "DMAR: Unknown option - " */
        GD_KMSG_DMAR_IR_ENABLED,       /* "DMAR-IR: Enabled IRQ remapping" */
        GD_KMSG_VTD_ENABLED,           /* "Intel(R) Virtualization Technology for Directed I/O" */
        GD_KMSG_AMDVI_FOUND,           /* "AMD-Vi: Found IOMMU" */
        GD_KMSG_AMDVI_FIRMWARE_BUG,    /* "AMD-Vi: [Firmware Bug]" */
        GD_KMSG_AMDVI_UNKNOWN_OPTION,  /* "AMD-Vi: Unknown option - " */
        GD_KMSG_AMDVI_IR_ENABLED,      /* "AMD-Vi: Interrupt remapping enabled" */
        GD_KMSG_GROUP_ADDED,           /* "Adding to iommu group" */
        GD_KMSG_DEVICE_ADDED,          /* "Adding device " */
        GD_KMSG_VFIO_NOIOMMU,          /* "vfio-noiommu" */
        GD_KMSG_ACS_OVERRIDE,          /* "PCIe ACS overrides enabled" */
        GD_KMSG_UNKNOWN_PARAMETERS,    /* "Unknown kernel command line parameters" */
        GD_KMSG_NO_IRQ_REMAP,          /* "No interrupt remapping support" */
        GD_KMSG_LINUX_VERSION,         /* "Linux version " */
        GD_KMSG_CANT_RESERVE,          /* "can't reserve" */
        GD_KMSG_POWER_STATE,           /* "change power state" */
        /* Where gpudiag runs (model/role.c) and arm64 interrupts (checks/irq.c). */
        GD_KMSG_HYPERVISOR_DETECTED,   /* "Hypervisor detected" */
        GD_KMSG_PRE_ITS,               /* "Synquacer pre-ITS" */
        /* A guest's GPU: BARs and driver initialisation (checks/guest.c). */
        GD_KMSG_FAILED_TO_ASSIGN,      /* "failed to assign" */
        GD_KMSG_NVRM_REGION_INVALID,   /* "assigned to your NVIDIA device is invalid" */
        GD_KMSG_NVRM_BAR_ZERO,         /* "is 0M @ 0x0" */
        GD_KMSG_NVRM_INIT_FAILED,      /* "RmInitAdapter failed" */
        GD_KMSG_NVRM_NONE_INITIALIZED, /* "None of the NVIDIA devices were initialized" */
        GD_KMSG_FALLEN_OFF_BUS,        /* "fallen off the bus" */
        GD_KMSG_NVRM_XID,              /* "NVRM: Xid (" */
        GD_KMSG_PROBE_FAILED,          /* "failed with error" */
        GD_KMSG_AMDGPU_INIT_FATAL,     /* "Fatal error during GPU init" */
        /* Partial evidence: AER, ROM, resets, probes (checks/aer.c, rom.c, reset.c, iommu-log.c). */
        GD_KMSG_GROUP_REMOVED,         /* "Removing from iommu group" */
        GD_KMSG_AER_UNCORRECTED,       /* "Uncorrected (": Fatal or Non-Fatal */
        GD_KMSG_AER_RECOVERY_FAILED,   /* "recovery failed" */
        GD_KMSG_AER_CANT_RECOVER,      /* "AER: can't recover" */
        GD_KMSG_AER_RECOVERED,         /* "device recovery successful" */
        GD_KMSG_ROM_INVALID,           /* "Invalid PCI ROM header signature" */
        GD_KMSG_VENDOR_RESET,          /* ": AMD_" (vendor-reset's messages name the ASIC: "AMD_NAVI10: ") */
        GD_KMSG_GIVING_UP,             /* "; giving up" ("not ready 65535ms after bus reset; giving up") */
        /* A device of unknown class that is a GPU (checks/targets.c). */
        GD_KMSG_IGFX_SKIP_TE,          /* "Skip IOMMU disabling for graphics" */
        GD_KMSG_IGFX_DMAR_OFF,         /* "Disabling IOMMU for graphics" */
        GD_KMSG_RESET_UNSUPPORTED,     /* "Unsupported reset method '" (checks/reset.c) */
        /* VT-d's init past its disabled exit (checks/iommu.c). */
        GD_KMSG_DMAR_NO_ATSR,          /* "DMAR: No ATSR found" */
        GD_KMSG_DMAR_NO_SATC,          /* "DMAR: No SATC found" */
        _GD_KMSG_SIGNAL_MAX,
};

struct gd_kmsg_signal_info {
        const char *text;
        const char *source;    /* where the kernel prints it */
};

const struct gd_kmsg_signal_info *gd_kmsg_signal(enum gd_kmsg_signal s);

/* The signals text[0..len) holds, one bit (1ull << signal) each. */
uint64_t gd_kmsg_signals_in(const char *s, size_t len);

/* True when text holds a signal: the reader keeps the record. */
bool gd_kmsg_has_signal(const char *text);
