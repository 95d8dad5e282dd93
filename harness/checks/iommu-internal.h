/* SPDX-License-Identifier: MIT */
/* Shared between iommu.c, iommu-cmdline.c and irq.c (the iommu family);
 * not part of the API. */
#pragma once

#include "model/kmsg-signals.h"

#include <stdbool.h>

#include "families.h"

#define ROOT_REMEDY "Run gpudiag as root (the kernel log needs it when kernel.dmesg_restrict=1), or collect the bundle as root."

struct facts {
        tri_t fw;                          /* DMAR or IVRS present */
        tri_t units, groups;
        const struct gd_kmsg_record *on_rec; /* a line that proves translation */
        bool noiommu;
        const struct gd_kmsg_record *noiommu_rec;
        const struct gd_cmdline_arg *noiommu_arg;
        tri_t on;
        /* intel_iommu_init() went past its "no_iommu || dmar_disabled" exit
         * (drivers/iommu/intel/iommu.c: "No RMRR found", "No ATSR found",
         * "No SATC found" are printed only after it) and did not log
         * "Initialization failed": the kernel did not turn VT-d off. */
        const struct gd_kmsg_record *vtd_not_disabled;
        const char *vm_vendor;             /* DMI vendor that names a hypervisor */
};

/* iommu.c */
/* The first kernel log record that holds signal, and the text and after it
 * (and may be NULL); NULL when the log could not be read. */
const struct gd_kmsg_record *kfind(const struct gd_host *h, enum gd_kmsg_signal signal, const char *and);
/* kstrtobool() as param_set_bool() uses it; a bare flag is true. */
bool truthy(const char *v);
/* Does any comma-separated item of value start with word (the kernel's strncmp)? */
bool comma_item_starts_with(const char *value, const char *word);
int ev_facts(struct gd_finding *x, const struct gd_host *h, const struct facts *f);
/* The facts that decided where gpudiag runs (model/role.c), as evidence. */
int ev_role(struct gd_finding *x, const struct gd_host *h);

/* iommu-cmdline.c */
struct cmdline_iommu {
        int intel;                         /* -1 not given, 0 off, 1 on */
        const struct gd_cmdline_arg *intel_arg, *amd_off, *iommu_off;
};

void read_cmdline(const struct gd_host *h, struct cmdline_iommu *c);
/* "key=value" or "key" as written; NULL on ENOMEM. */
char *arg_string(const struct gd_cmdline_arg *a);
/* iommu.unknown-option for each intel_iommu= / amd_iommu= word the kernel ignores. */
void unknown_options(const struct gd_host *h, struct gd_findings *out);

/* iommu-log.c: iommu.init-failed, and iommu.no-groups from vfio-pci's probe. */
void check_iommu_log(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);

/* irq.c: irq.remap-missing, irq.unsafe-allowed, the IRQ proof. */
void check_irq(const struct gd_host *h, struct gd_findings *out);
