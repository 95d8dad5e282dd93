/* SPDX-License-Identifier: MIT */
/* The IOMMU group predictor: which devices the kernel will put into one
 * IOMMU group, computed from the host model alone (topology, PCIe port
 * types, ACS capability and control, the multifunction bit, IDs).  Pure:
 * model in, partition with reasons out; it reads nothing and prints
 * nothing.
 *
 * The rules are the kernel's, one file per concern (doc/iommu-groups.md
 * has the study with the sources):
 *   predict.c    the nodes, the kernel's probe order, the options a host implies
 *   classic.c    pci_device_group() of drivers/iommu/iommu.c
 *   rework.c     the proposed rework of it for PCIe switches
 *   acs.c        pci_acs_enabled() / pci_acs_path_enabled() and what
 *                pci_enable_acs() programs (drivers/pci/pci.c)
 *   quirks.c     pci_dev_acs_enabled[] and the DMA alias fixups of
 *                drivers/pci/quirks.c, as rows of data
 *   params.c     pcie_acs_override= (the out-of-tree patch Proxmox, zen and
 *                others carry), pci=disable_acs_redir=, pci=config_acs=
 *   diff.c       prediction against the real groups
 *
 * A fact the model lacks never turns into a guess: the decision takes the
 * branch that merges (never a narrower group than the kernel could make),
 * and the prediction lists the fact as unknown and marks what it decided
 * as uncertain. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "model/host.h"

enum gd_acs_ctrl_source {
        /* ACSCtl as read: what the kernel programmed, true while the IOMMU
         * is on (groups exist). */
        GD_ACS_CTRL_SHOWN = 1,
        /* What pci_enable_acs() will program once the IOMMU is on: every
         * required bit the port implements (pci_std_enable_acs()), then
         * the command line.  For a host with the IOMMU off, and what-ifs. */
        GD_ACS_CTRL_KERNEL,
};

enum gd_predict_rules {
        /* pci_device_group() as released: every kernel so far. */
        GD_RULES_CLASSIC = 1,
        /* The proposed rework of group formation for PCIe switches and
         * root ports (J. Gunthorpe, "pcie_switch_groups" v3, 2025-09): not
         * in a release this tool knows of, so only on request. */
        GD_RULES_SWITCH_REWORK,
};

/* What-if: the card at `device` (all functions of its slot, with whatever
 * is below them) sits behind the bridge `port` instead; the devices that
 * were behind that port leave the host. */
struct gd_predict_move {
        char device[GD_ADDR_LEN];
        char port[GD_ADDR_LEN];
};

struct gd_predict_options {
        unsigned kernel_major, kernel_minor;    /* 0.0: unknown, the newest rules */
        enum gd_acs_ctrl_source acs_ctrl;
        enum gd_predict_rules rules;
        const char *acs_override;       /* pcie_acs_override= value; NULL: none */
        const char *disable_acs_redir;  /* pci=disable_acs_redir= value; NULL: none */
        const char *config_acs;         /* pci=config_acs= value; NULL: none */
        tri_t ivrs;                     /* an AMD IOMMU (ACPI IVRS) is there */
        /* The host has IOMMU groups, and a device without one is not
         * translated by the IOMMU (AMD's own IOMMU function, devices outside
         * every DMAR/IVRS scope): it gets none in the prediction either. */
        bool ungrouped_untranslated;
        const struct gd_predict_move *moves;
        size_t n_moves;
};

/* The options the host itself implies: its kernel release, its command
 * line (pcie_acs_override=, pci=disable_acs_redir=/config_acs=), ACPI IVRS,
 * and, when it has IOMMU groups, ACSCtl as shown and its ungrouped devices
 * untranslated; without groups, ACSCtl as the kernel will program it.  The
 * strings point into h (a pci= value ends at its ',', as pci_setup() cuts
 * it). */
void gd_predict_options_from_host(const struct gd_host *h, struct gd_predict_options *ret);

/* Whether spec is a pcie_acs_override= value every word of which the patch
 * understands (downstream, multifunction, id:VVVV:DDDD): 0, or -EINVAL
 * with *ret_error saying what is wrong (ret_error may be NULL). */
int gd_acs_override_check(const char *spec, char **ret_error);

enum gd_merge_kind {
        GD_MERGE_BRIDGE_ALIAS = 1,  /* requester ID taken over by a PCIe-to-PCI or PCI bridge above */
        GD_MERGE_ACS_PATH,          /* a port above does not isolate (pci_acs_path_enabled()) */
        GD_MERGE_DMA_ALIAS,         /* a quirk alias between functions (get_pci_alias_group()) */
        GD_MERGE_FUNCTIONS,         /* functions of one slot without ACS (get_pci_function_alias_group()) */
        GD_MERGE_SHARED_BUS,        /* rework: a bus that does not isolate takes everything below it */
};

const char *gd_merge_kind_to_string(enum gd_merge_kind k);

/* One device joining an existing group, and why. */
struct gd_predict_merge {
        size_t dev;             /* index in h->devs */
        size_t with;            /* a device already in the group it joined */
        size_t cause;           /* the device whose property decided it */
        enum gd_merge_kind kind;
        char *reason;           /* one sentence naming the bit, quirk or alias and the kernel function */
        bool uncertain;         /* an unknown fact decided it */
};

struct gd_predicted_group {
        size_t *devs;           /* indices in h->devs, in address order */
        size_t n;
        /* The number the kernel would give it: groups are numbered as they
         * are made (ida_alloc() in iommu_group_alloc(), drivers/iommu/
         * iommu.c), and the prediction makes them in the kernel's probe
         * order.  A platform that probes per IOMMU unit numbers otherwise:
         * compare members, not numbers. */
        unsigned number;
        bool uncertain;         /* a member's placement rests on an unknown fact */
};

struct gd_prediction {
        size_t n_devs;          /* h->n_devs */
        int *group_of;          /* per device: index into groups, -1 when it gets none */
        struct gd_predicted_group *groups;      /* ordered by their first member */
        size_t n_groups;
        struct gd_predict_merge *merges;
        size_t n_merges;
        char **unknowns;        /* "ADDR: what could not be read", NULL-terminated or NULL */
        char **notes;           /* rules that could matter and lspci cannot show, overrides in force */
        size_t *removed;        /* devices a move took off the host (not in any group) */
        size_t n_removed;
};

/* Predicts the groups of h.  Returns 0 and *ret, -EINVAL for options that
 * do not parse or a move naming an absent device (*ret_error says which;
 * ret_error may be NULL), -ENOMEM. */
int gd_predict_groups(const struct gd_host *h, const struct gd_predict_options *o, struct gd_prediction **ret,
                      char **ret_error);

struct gd_prediction *gd_prediction_free(struct gd_prediction *p);
static inline void gd_prediction_freep(struct gd_prediction **p) { gd_prediction_free(*p); }
#define _cleanup_prediction_ _cleanup_(gd_prediction_freep)

/* The predicted group of the device at address: NULL when it has none. */
const struct gd_predicted_group *gd_prediction_group_of(const struct gd_host *h, const struct gd_prediction *p,
                                                        const char *address);

/* Prediction against reality (the groups read into h).  Compared are the
 * devices that have a real group and a predicted one; each whose predicted
 * group differs from its real one (restricted to compared devices) is
 * listed with the addresses missing from and added to its group. */
#define GD_GROUP_DIFF_LIST_MAX 64
struct gd_group_diff_dev {
        size_t dev;
        char **missing;         /* in its real group, not predicted with it (the first
                                 * GD_GROUP_DIFF_LIST_MAX, by group, then address) */
        char **extra;           /* predicted with it, in another real group (likewise) */
        size_t n_missing, n_extra;      /* how many there are in all */
};

struct gd_group_diff {
        bool *compared;         /* per device of the host: it has a real and a predicted group */
        size_t n_compared;
        size_t n_real_groups, n_exact_groups;   /* real groups predicted exactly */
        struct gd_group_diff_dev *devs;         /* the devices placed wrongly */
        size_t n_devs;
        char **unpaired;        /* "ADDR: ..." a real group but none predicted, or the reverse */
};

int gd_prediction_diff(const struct gd_host *h, const struct gd_prediction *p, struct gd_group_diff **ret);
struct gd_group_diff *gd_group_diff_free(struct gd_group_diff *d);
static inline void gd_group_diff_freep(struct gd_group_diff **d) { gd_group_diff_free(*d); }
#define _cleanup_group_diff_ _cleanup_(gd_group_diff_freep)

/* Whether the device was compared and its predicted group equals its real one. */
bool gd_group_diff_dev_exact(const struct gd_group_diff *d, size_t dev);
