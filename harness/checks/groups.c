/* SPDX-License-Identifier: MIT */
/* The groups family: is the card alone in its IOMMU group, and are its
 * functions together.
 *
 *   group.shared         the group holds endpoints that are not functions of the card
 *   gpu.functions-split  the card's functions are in different groups, or only some are on vfio-pci
 *   fact.unreadable      the group's members could not be read
 *
 * Viability, as the kernel decides it today: VFIO may use a group only when
 * no device in it has a driver that claimed DMA ownership.  The PCI core
 * claims it at probe for every driver without .driver_managed_dma
 * (pci_dma_configure() -> iommu_device_use_default_domain(),
 * drivers/pci/pci-driver.c); vfio-pci, pci-stub and pcieport set
 * .driver_managed_dma (drivers/vfio/pci/vfio_pci.c, drivers/pci/pci-stub.c,
 * drivers/pci/pcie/portdrv.c pcie_portdriver), and an unbound device claims
 * nothing.  VFIO_GROUP_GET_STATUS reports VIABLE exactly when
 * !iommu_group_dma_owner_claimed() (drivers/vfio/group.c
 * vfio_group_ioctl_get_status()).  Before 5.19 the same rule was
 * vfio_dev_viable() in drivers/vfio/vfio.c: unbound, pci-stub, vfio, or a
 * bridge (non-normal header).  So PCI bridges (class 0604) never block, and
 * an endpoint blocks when it is bound to anything but vfio-pci / pci-stub.
 *
 * Why devices share a group: pci_device_group() (drivers/iommu/iommu.c)
 * walks up from the device and stops at the first bridge whose path to the
 * root has ACS with REQ_ACS_FLAGS (SV | RR | CR | UF) enabled
 * (pci_acs_path_enabled()); everything below a bridge that fails joins one
 * group.  pci_acs_enabled() (drivers/pci/pci.c) asks that of root ports and
 * switch downstream ports, never accepts a PCIe-to-PCI bridge, and first
 * asks the quirk table pci_dev_acs_enabled[] (drivers/pci/quirks.c), which
 * vouches for some ports without the capability. */
#include <errno.h>
#include <pci/header.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "families.h"
#include "unreadable.h"
#include "vfio-ids.h"

/* The kernel's REQ_ACS_FLAGS (drivers/iommu/iommu.c): SV, RR, CR, UF, named
 * as in libpci's <pci/header.h>.  The ACS capability and control registers
 * share one bit layout, so a capability bit masks the control bit of the
 * same position. */
#define REQ_ACS_FLAGS (PCI_ACS_CTRL_VALID | PCI_ACS_CTRL_REQ_RED | PCI_ACS_CTRL_CMPLT_RED | PCI_ACS_CTRL_FORWARD)

#define MAX_DEPTH 32

enum acs_state {
        ACS_ISOLATES,          /* ACS with SV/RR/CR/UF enabled */
        ACS_NOT_ASKED,         /* an upstream switch port or endpoint: not where isolation is decided */
        ACS_ABSENT,            /* root or downstream port without the ACS capability */
        ACS_DISABLED,          /* the capability is there but ACSCtl lacks a required bit */
        ACS_NEVER,             /* PCIe-to-PCI or conventional bridge: never isolates */
        ACS_UNKNOWN,           /* config space past 256 bytes not readable */
};

/* pci_acs_enabled() and pci_acs_flags_enabled() on the model's caps:
 * capabilities the port does not implement count as hard-wired enabled
 * ("acs_flags &= (cap | PCI_ACS_EC)"). */
static enum acs_state acs_state(const struct gd_pci_dev *b) {
        uint16_t required;

        if (b->caps.is_pcie == TRI_UNKNOWN)
                return ACS_UNKNOWN;
        if (b->caps.is_pcie == TRI_NO)
                return ACS_NEVER;
        switch (b->caps.pcie_type) {
        case PCI_EXP_TYPE_PCI_BRIDGE:
        case PCI_EXP_TYPE_PCIE_BRIDGE:
                return ACS_NEVER;
        case PCI_EXP_TYPE_ROOT_PORT:
        case PCI_EXP_TYPE_DOWNSTREAM:
                break;
        default:
                return ACS_NOT_ASKED;
        }
        if (b->caps.acs == TRI_UNKNOWN)
                return ACS_UNKNOWN;
        if (b->caps.acs == TRI_NO)
                return ACS_ABSENT;
        required = REQ_ACS_FLAGS & (b->caps.acs_cap | PCI_ACS_CAP_EGRESS);
        return (b->caps.acs_ctrl & required) == required ? ACS_ISOLATES : ACS_DISABLED;
}

static const char *acs_text(enum acs_state s) {
        switch (s) {
        case ACS_ABSENT: return "has no ACS capability";
        case ACS_DISABLED: return "has ACS but not all of SrcValid/ReqRedir/CmpltRedir/UpstreamFwd enabled";
        case ACS_NEVER: return "is a PCIe-to-PCI (or conventional PCI) bridge, which never isolates what is below it";
        case ACS_UNKNOWN: return "ACS unknown: its extended config space was not readable (run as root)";
        default: return "isolates (ACS enabled)";
        }
}

/* Adds evidence for every bridge above d that does not isolate; returns
 * how many, and sets *unknown when one could not be read. */
static size_t evidence_acs_path(struct gd_finding *x, const struct gd_host *h, const struct gd_pci_dev *d,
                                bool *unknown) {
        size_t n = 0;

        for (unsigned depth = 0; d && d->parent && depth < MAX_DEPTH; depth++) {
                const struct gd_pci_dev *b = gd_host_find_dev(h, d->parent);
                enum acs_state s;
                _cleanup_free_ char *src = NULL;

                if (!b)
                        break;
                s = acs_state(b);
                if (s == ACS_UNKNOWN)
                        *unknown = true;
                if (s != ACS_ISOLATES && s != ACS_NOT_ASKED) {
                        char ids[32];

                        src = gd_pci_attr_source(b, "config");
                        gd_pci_format_ids(b, ids, sizeof(ids));
                        gd_finding_evidence(x, src, 0, "bridge %s (%s) on the card's path %s", b->address, ids,
                                            s == ACS_UNKNOWN && h->imported ?
                                                    "ACS unknown: its capabilities are not in the pasted text" :
                                                    acs_text(s));
                        n++;
                }
                d = b;
        }
        return n;
}

static char *group_member_source(int group, const char *address) {
        char *s = NULL;
        return asprintf(&s, "/sys/kernel/iommu_groups/%d/devices/%s", group, address) < 0 ? NULL : s;
}

/* Members that never block and are not worth naming: PCI bridges (class
 * 0604, see the rule at the top) and unbound host bridges (class 0600, e.g.
 * the AMD "dummy host bridge" functions that share a slot with GPP ports). */
static bool member_ignored(const struct gd_pci_dev *d) {
        if (!d)
                return false;
        if (gd_pci_is_bridge(d))
                return true;
        return (d->class_code >> 8) == PCI_CLASS_BRIDGE_HOST && d->driver_known == TRI_YES && !d->driver;
}

enum member_kind {
        MEMBER_ALLOWED,        /* unbound, vfio-pci or pci-stub: viable, but it goes with the GPU */
        MEMBER_BLOCKS,         /* bound to a host driver */
        MEMBER_BLOCKS_INFERRED, /* driver not shown, but a controller every running host drives */
        MEMBER_UNKNOWN,        /* driver link unreadable, or not a device gpudiag read */
};

/* Controllers that have a host driver on any running host, unless shown on
 * vfio-pci or unbound: their drivers bind by class, or every distribution
 * kernel carries one for them.  USB host controllers (uhci_hcd, ohci-pci,
 * ehci-pci, xhci_hcd: PCI_DEVICE_CLASS(PCI_CLASS_SERIAL_USB_*) in
 * drivers/usb/host/), SATA AHCI (ahci: PCI_CLASS_STORAGE_SATA_AHCI in
 * drivers/ata/ahci.c), NVMe (nvme: PCI_CLASS_STORAGE_EXPRESS in
 * drivers/nvme/host/pci.c), network controllers (the host's own network),
 * AMD's PSP/CCP (ccp, drivers/crypto/ccp/sp-pci.c).  Returns what it is,
 * or NULL. */
static const char *always_driven(const struct gd_pci_dev *d) {
        unsigned cls, progif;

        if (!d || d->class_unknown)
                return NULL;
        cls = d->class_code >> 8;
        progif = d->class_code & 0xff;
        if (cls == PCI_CLASS_SERIAL_USB && progif != 0x80 && progif != 0xfe)
                return "a USB host controller (xhci_hcd, ehci-pci: bound by class)";
        if (cls == PCI_CLASS_STORAGE_SATA)
                return "a SATA controller (ahci: bound by class)";
        if (cls == 0x0108)
                return "an NVMe controller (nvme: bound by class)";
        if ((cls >> 8) == PCI_BASE_CLASS_NETWORK)
                return "a network controller (the host's own network)";
        if (cls == 0x1080 && (d->ids_unknown || d->vendor == 0x1022))
                return "AMD's platform security processor (ccp)";
        return NULL;
}

static enum member_kind member_kind(const struct gd_host *h, const struct gd_pci_dev *d) {
        if (d && d->driver_known != TRI_YES && always_driven(d))
                return MEMBER_BLOCKS_INFERRED;
        if (!d || d->driver_known != TRI_YES)
                return MEMBER_UNKNOWN;
        if (!d->driver || gd_driver_is_vfio_class(h, d->driver))
                return MEMBER_ALLOWED;
        return MEMBER_BLOCKS;
}

/* ---- group.shared ---------------------------------------------------- */

/* Returns true when the group is proven viable for the card. */
static bool check_shared(const struct gd_host *h, const struct gd_target *t, const struct gd_iommu_group *g,
                         struct gd_findings *out) {
        _cleanup_strv_free_ char **drivers = NULL;
        size_t n_other = 0, n_blocks = 0, n_inferred = 0, n_unknown = 0;
        bool acs_unknown = false;
        struct gd_finding *x;
        char list[200] = "";
        char gsub[32];

        for (size_t i = 0; g->devices && g->devices[i]; i++) {
                const struct gd_pci_dev *d = gd_host_find_dev(h, g->devices[i]);
                enum member_kind k;

                if (gd_target_has(t, g->devices[i]) || member_ignored(d))
                        continue;
                n_other++;
                k = member_kind(h, d);
                if (k == MEMBER_BLOCKS) {
                        n_blocks++;
                        if (!strv_contains(drivers, d->driver) && strv_push_dup(&drivers, d->driver) < 0)
                                return false;
                } else if (k == MEMBER_BLOCKS_INFERRED)
                        n_inferred++;
                else if (k == MEMBER_UNKNOWN)
                        n_unknown++;
        }
        if (n_other == 0)
                return true;

        for (size_t i = 0; drivers && drivers[i]; i++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", drivers[i]);
        /* The catalogue row of the id is the blocking case.  When every
         * other member is unbound or on vfio-pci/pci-stub the group is viable
         * now (see the rule at the top), and the "viable" variant only warns
         * that those devices are lost to the host; when a driver could not be
         * read, viability is unknown ("drivers-unknown"). */
        if (n_blocks > 0)
                x = gd_findings_add(out, "group.shared", "IOMMU group %d of the card at %s also holds %zu other "
                                    "device%s, %zu of them on host drivers (%s)", g->id, t->gpu->address, n_other,
                                    n_other > 1 ? "s" : "", n_blocks, list);
        else if (n_inferred > 0)
                /* Inferred, and said so: what every running host does. */
                x = gd_findings_add(out, "group.shared", "IOMMU group %d of the card at %s also holds %zu other "
                                    "device%s, %zu of them controllers a running host drives (inferred: their "
                                    "drivers are not shown)", g->id, t->gpu->address, n_other,
                                    n_other > 1 ? "s" : "", n_inferred);
        else
                x = gd_findings_add_variant(out, "group.shared", n_unknown ? "drivers-unknown" : "viable",
                                            "IOMMU group %d of the card at %s also holds %zu other device%s%s", g->id,
                                            t->gpu->address, n_other, n_other > 1 ? "s" : "",
                                            n_unknown ? (h->imported ? " whose drivers are not in the pasted text"
                                                                     : " whose drivers could not be read")
                                                      : ", none on a host driver (the group is viable, they go with it)");
        if (!x)
                return false;
        gd_finding_subject_target(x, t);
        snprintf(gsub, sizeof(gsub), "group:%d", g->id);
        gd_finding_subject(x, gsub);

        /* Why: the bridges above the GPU (first, so the short report shows it) that do not isolate it. */
        if (evidence_acs_path(x, h, t->gpu, &acs_unknown) == 0) {
                _cleanup_free_ char *src = gd_pci_attr_source(t->gpu, "iommu_group");
                gd_finding_evidence(x, src, 0, "every port above %s isolates with ACS: the group comes from a DMA "
                                    "alias or a multifunction device without ACS (drivers/iommu/iommu.c "
                                    "get_pci_alias_group)", t->gpu->address);
        }

        for (size_t i = 0; g->devices && g->devices[i]; i++) {
                const struct gd_pci_dev *d = gd_host_find_dev(h, g->devices[i]);
                _cleanup_free_ char *src = NULL, *desc = NULL;
                enum member_kind k;

                if (gd_target_has(t, g->devices[i]) || member_ignored(d))
                        continue;
                gd_finding_subject(x, g->devices[i]);
                k = member_kind(h, d);
                src = group_member_source(g->id, g->devices[i]);
                desc = d ? gd_describe_dev(d) : NULL;
                if (k == MEMBER_BLOCKS_INFERRED) {
                        gd_finding_evidence(x, src, 0, "%s: %s; its driver is not shown, and a running host "
                                            "drives it unless it is on vfio-pci or unbound (inferred)",
                                            desc ? desc : g->devices[i], always_driven(d));
                        continue;
                }
                gd_finding_evidence(x, src, 0, "%s: %s", desc ? desc : g->devices[i],
                                    k == MEMBER_BLOCKS ? "bound to a host driver, so the group is not viable" :
                                    k == MEMBER_UNKNOWN ? (d ? (h->imported ? "its driver is not in the pasted text"
                                                                            : "its driver could not be read")
                                                             : "not a PCI device gpudiag could read")
                                                        : "no host driver: allowed, but it cannot stay with the host");
        }


        gd_finding_remedy(x, "1. Best: move the card to a slot wired to the CPU (usually the top x16 slot); chipset "
                             "slots share the chipset's group, and after the move this group no longer matters.");
        /* The plan takes the first remedy: the others cost the host its
         * devices or the isolation, which only a person may choose. */
        if (n_blocks > 0 || n_inferred > 0)
                gd_finding_act_line(x, GD_ACT_MOVE_CARD, NULL, 0, NULL, t->gpu->address,
                                    "a slot wired to the CPU (usually the top x16 slot), out of IOMMU group shared "
                                    "with other devices");
        if (n_blocks > 0 || n_inferred > 0) {
                gd_finding_remedy_append(x, "2. Or give every other endpoint of group %d to vfio-pci as well. The "
                                            "host loses these devices (never do it for the disk or network card "
                                            "the host runs from):", g->id);
                for (size_t i = 0; g->devices && g->devices[i]; i++) {
                        const struct gd_pci_dev *d = gd_host_find_dev(h, g->devices[i]);
                        enum member_kind k = member_kind(h, d);
                        char name[512];

                        if (gd_target_has(t, g->devices[i]) || !d || member_ignored(d) ||
                            (k != MEMBER_BLOCKS && k != MEMBER_BLOCKS_INFERRED))
                                continue;
                        gd_pci_format_name(d, false, name, sizeof(name));
                        gd_finding_remedy_append(x, "     driverctl set-override %s vfio-pci   # %s %s, %s%s",
                                                 d->address, d->class_name ? d->class_name : "device", name,
                                                 k == MEMBER_BLOCKS ? "now on " : "driver not shown",
                                                 k == MEMBER_BLOCKS ? d->driver : "");
                }
        }
        gd_finding_remedy_append(x, "%s Last resort, with a security cost: an ACS override "
                                    "(pcie_acs_override=downstream,multifunction, only on kernels that carry the "
                                    "out-of-tree patch, e.g. Proxmox VE, linux-zen) splits the group without "
                                    "hardware isolation; the VM can then still reach the other devices by "
                                    "peer-to-peer DMA.", n_blocks > 0 || n_inferred > 0 ? "3." : "2.");
        if (acs_unknown && !h->imported)
                gd_finding_remedy_append(x, "(Run gpudiag as root to read each bridge's ACS capability.)");
        else if (acs_unknown)
                gd_finding_remedy_append(x, "(The bridges' ACS capabilities are not in the pasted text: lspci -vvv "
                                            "shows them as 'Access Control Services'.)");
        return n_blocks == 0 && n_inferred == 0 && n_unknown == 0;
}

/* ---- gpu.functions-split --------------------------------------------- */

static void check_split(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out) {
        bool groups_differ = false;
        size_t n_vfio = 0, n_other = 0;
        struct gd_finding *x;

        for (size_t i = 0; i < t->n_functions; i++) {
                const struct gd_pci_dev *d = t->functions[i];
                if (d->iommu_group != t->gpu->iommu_group)
                        groups_differ = true;
                if (d->driver_known != TRI_YES)
                        continue;
                if (gd_driver_is_vfio_class(h, d->driver))
                        n_vfio++;
                else
                        n_other++;
        }

        if (groups_differ) {
                /* Separate groups are not a blocker by themselves: each is
                 * assigned on its own and group.shared judges each.  The VM
                 * must still get every function. */
                x = gd_findings_add_variant(out, "gpu.functions-split", "groups-only", "the functions of the card at "
                                            "%s are in different IOMMU groups", t->gpu->address);
                if (x) {
                        gd_finding_subject_target(x, t);
                        for (size_t i = 0; i < t->n_functions; i++) {
                                const struct gd_pci_dev *d = t->functions[i];
                                char v[32];
                                if (d->iommu_group == GD_GROUP_NONE)
                                        snprintf(v, sizeof(v), "(none)");
                                else
                                        snprintf(v, sizeof(v), "group %d", d->iommu_group);
                                gd_finding_evidence_attr(x, d, "iommu_group", v);
                        }
                        gd_finding_remedy(x, "Give the VM every function of the card (each group in full); a "
                                             "function with no group is not behind the IOMMU and cannot be passed.");
                }
        }

        if (n_vfio > 0 && n_other > 0) {
                _cleanup_free_ char *ids = gd_vfio_ids_for_target(t);
                x = gd_findings_add(out, "gpu.functions-split", "only %zu of the %zu functions of the card at %s are "
                                    "on vfio-pci", n_vfio, t->n_functions, t->gpu->address);
                if (!x)
                        return;
                gd_finding_subject_target(x, t);
                for (size_t i = 0; i < t->n_functions; i++) {
                        const struct gd_pci_dev *d = t->functions[i];
                        if (d->driver_known == TRI_YES)
                                gd_finding_evidence_attr(x, d, "driver", d->driver ? d->driver : "(none)");
                }
                gd_finding_remedy(x, "Bind every function of the card to vfio-pci, not only the GPU: vfio-pci "
                                     "ids=%s (driver.host-bound / driver.unbound give the exact lines).",
                                  ids ? ids : "");
                if (ids)
                        gd_finding_act(x, GD_ACT_VFIO_IDS, ids);
        }
}

void gd_check_groups(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        for (size_t i = 0; i < t->n; i++) {
                const struct gd_target *tt = &t->items[i];
                int done[8];
                size_t n_done = 0;

                if (tt->gpu->iommu_group == GD_GROUP_NONE) {
                        /* Functions on different drivers are a split whether
                         * or not groups are known. */
                        check_split(h, tt, out);
                        /* No group link: either there are no groups at all
                         * (the iommu check says so) or they were unreadable. */
                        if (h->groups_state < 0 && h->groups_state != -ENOENT && h->groups_state != -ENODATA) {
                                struct gd_finding *x = gd_findings_add(out, "fact.unreadable", "the IOMMU groups"
                                                                       "%s", gd_unreadable_phrase(h));
                                if (x) {
                                        gd_finding_subject_target(x, tt);
                                        gd_finding_evidence(x, "/sys/kernel/iommu_groups", 0, "%s",
                                                            h->imported ? gd_unreadable_value(h) :
                                                                          strerror(-h->groups_state));
                                        gd_remedy_unreadable(x, h, GD_FACT_GROUPS, NULL,
                                                             "Run gpudiag as root, or collect the bundle again.");
                                }
                        }
                        continue;
                }
                check_split(h, tt, out);
                for (size_t j = 0; j < tt->n_functions; j++) {
                        int id = tt->functions[j]->iommu_group;
                        const struct gd_iommu_group *g;
                        bool seen = false;

                        if (id == GD_GROUP_NONE)
                                continue;
                        for (size_t k = 0; k < n_done; k++)
                                seen |= done[k] == id;
                        if (seen || n_done == ELEMENTSOF(done))
                                continue;
                        done[n_done++] = id;
                        g = gd_host_find_group(h, id);
                        if (!g || !g->devices) {
                                char path[64], num[16];
                                struct gd_finding *x = gd_findings_add(out, "fact.unreadable", "the members of "
                                                                       "IOMMU group %d%s", id,
                                                                       gd_unreadable_phrase(h));
                                if (!x)
                                        continue;
                                gd_finding_subject_target(x, tt);
                                snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/devices", id);
                                snprintf(num, sizeof(num), "%d", id);
                                gd_finding_evidence(x, path, 0, "%s", h->imported ?
                                                    "the paste names the card's group but not its other members" :
                                                    "not readable, or missing from the bundle");
                                gd_remedy_unreadable(x, h, GD_FACT_GROUP_MEMBERS, num,
                                                     "Run gpudiag as root, or collect the bundle again.");
                                continue;
                        }
                        if (!check_shared(h, tt, g, out))
                                continue;
                        /* Proof for the verdict: nothing in this group blocks. */
                        for (size_t k = 0; k < tt->n_functions; k++)
                                if (tt->functions[k]->iommu_group == id)
                                        gd_findings_prove(out, GD_PROOF_GROUP, tt->functions[k]->address);
                }
        }
}
