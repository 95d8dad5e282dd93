/* SPDX-License-Identifier: MIT */
/* How each fact a verdict needs is settled when it is missing.  On a host
 * imported from pasted text (model/host.h: imported) a missing fact is not
 * in the text: the finding says so and names the exact command whose output
 * settles it, never "run as root" (no one ran gpudiag there).  On a live or
 * collected host it keeps what the reader lacked (root, a bundle without it). */
#pragma once

#include "model/finding.h"
#include "model/host.h"

enum gd_fact {
        GD_FACT_DRIVER,         /* arg: an address; the command shows its slot */
        GD_FACT_GROUPS,         /* every IOMMU group */
        GD_FACT_GROUP_MEMBERS,  /* arg: the group number */
        GD_FACT_IOMMU,          /* whether the IOMMU is on */
        GD_FACT_FIRMWARE,       /* DMAR / IVRS */
        GD_FACT_IRQ_REMAP,      /* interrupt remapping */
        GD_FACT_IOMEM,          /* arg: the GPU's address */
        GD_FACT_ACS,            /* arg: a bridge's address */
        _GD_FACT_MAX,
};

/* " could not be read", or on an imported host ": not in the pasted text",
 * to follow the fact's name ("the driver of ...: not in the pasted text"). */
const char *gd_unreadable_phrase(const struct gd_host *h);
/* "(unreadable)" or "(not in the pasted text)", for evidence. */
const char *gd_unreadable_value(const struct gd_host *h);
/* The remedy: on an imported host "Not in the pasted text: paste the output
 * of `COMMAND`"; otherwise otherwise. */
int gd_remedy_unreadable(struct gd_finding *x, const struct gd_host *h, enum gd_fact fact, const char *arg,
                         const char *otherwise);
/* The command alone (for the import summary and tests); newly allocated. */
char *gd_fact_command(enum gd_fact fact, const char *arg);
