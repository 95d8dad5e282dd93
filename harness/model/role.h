/* SPDX-License-Identifier: MIT */
/* Where gpudiag runs: the role of the host, with the evidence it rests on.
 *
 * The role decides the question a verdict answers.  On a physical host it is
 * "can this GPU be handed to a VM"; inside a VM that received a GPU it is
 * "can this VM use it"; in a Xen dom0 devices go to guests through Xen, not
 * VFIO.  Every catalogue row names the roles it applies to
 * (checks/catalogue.c), and a finding outside the role is not emitted.
 *
 * The decision is a pure function of the model (gd_role_decide()); the
 * rules and their sources are in model/role.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "model/host.h"

enum gd_role {
        GD_ROLE_UNKNOWN = 0,   /* no evidence either way: the host checks apply, READY is never given */
        GD_ROLE_HOST,          /* a physical machine (or one without any sign of a hypervisor) */
        GD_ROLE_GUEST,         /* a VM without a virtual IOMMU */
        GD_ROLE_GUEST_VIOMMU,  /* a VM with a virtual IOMMU: nested passthrough is possible */
        GD_ROLE_XEN_DOM0,      /* Xen's control domain: Xen owns the IOMMU */
        GD_ROLE_XEN_DOMU,      /* a Xen guest (PV, PVH or HVM) */
        _GD_ROLE_MAX,
};

#define GD_ROLE_BIT(r) (1u << (r))
/* Where the passthrough host's checks apply: a host, a VM with a vIOMMU
 * (nested passthrough), and a machine whose role is unknown. */
#define GD_ROLES_HOST_SIDE (GD_ROLE_BIT(GD_ROLE_HOST) | GD_ROLE_BIT(GD_ROLE_GUEST_VIOMMU) | GD_ROLE_BIT(GD_ROLE_UNKNOWN))
/* Where a guest uses a GPU it was given. */
#define GD_ROLES_GUEST_SIDE (GD_ROLE_BIT(GD_ROLE_GUEST) | GD_ROLE_BIT(GD_ROLE_GUEST_VIOMMU) | GD_ROLE_BIT(GD_ROLE_XEN_DOMU))
#define GD_ROLES_DOM0 GD_ROLE_BIT(GD_ROLE_XEN_DOM0)
#define GD_ROLES_ALL ((1u << _GD_ROLE_MAX) - 1)

/* The question a GPU's verdict answers. */
enum gd_question {
        GD_QUESTION_HOST,      /* can this GPU be handed to a VM with VFIO */
        GD_QUESTION_GUEST,     /* can this VM use this GPU */
        GD_QUESTION_XEN,       /* can this GPU be assigned to a Xen guest */
};

#define GD_ROLE_EVIDENCE_MAX 8

struct gd_role_evidence {
        const char *source;    /* static, or points into the host model */
        unsigned line;         /* kernel log record, 0 otherwise */
        char text[200];
};

struct gd_role_fact {
        enum gd_role role;
        struct gd_role_evidence evidence[GD_ROLE_EVIDENCE_MAX];
        size_t n_evidence;
};

/* The role of h and the facts that decided it.  Pure. */
void gd_role_decide(const struct gd_host *h, struct gd_role_fact *ret);
static inline enum gd_role gd_role_of(const struct gd_host *h) {
        struct gd_role_fact f;
        gd_role_decide(h, &f);
        return f.role;
}

/* The role whose catalogue rows answer a question: host, guest, xen-dom0. */
enum gd_role gd_question_role(enum gd_question q);

/* "host", "guest", "guest-with-viommu", "xen-dom0", "xen-domu", "unknown". */
const char *gd_role_to_string(enum gd_role r);
const char *gd_question_to_string(enum gd_question q);   /* "host", "guest", "xen" */
/* The question in words, as the reports print it. */
const char *gd_question_text(enum gd_question q);

/* The roles a catalogue row applies to, for gpudiag(1) and the JSON:
 * "host, guest-with-viommu, unknown".  buf of at least 96 bytes. */
void gd_roles_format(unsigned roles, char *buf, size_t size);

/* The DMI vendor when it names a hypervisor (QEMU, VMware, Xen, Hyper-V's
 * "Microsoft Corporation" with product "Virtual Machine" ...), else NULL. */
const char *gd_dmi_hypervisor_vendor(const struct gd_host *h);

/* True when a known-virtual PCI function (virtio, QEMU, VMware, Hyper-V, Xen
 * platform device, the rust-vmm root) or an emulated chipset (i440FX, Q35,
 * 440BX) is this device; *strong is set for IDs no physical board has.
 * Returns a short description, or NULL. */
const char *gd_pci_virtual_device(const struct gd_pci_dev *d, bool *strong);
