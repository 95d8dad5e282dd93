/* SPDX-License-Identifier: MIT */
/* The groups the kernel will form, for the cards (harness/predict/):
 *
 *   group.predicted               the IOMMU is off: once it is on, the card will share
 *                                 its group with ... (or, variant "alone", it will not)
 *   group.override-would-split    the card's group holds other endpoints, and
 *                                 pcie_acs_override=SPEC would split them off (at a
 *                                 security cost; the narrowest SPEC: the fewest IDs,
 *                                 else downstream / multifunction); variant "cannot":
 *                                 no override would
 *
 * Both are advice: they change no verdict.  The IOMMU findings already
 * block a host without groups, and group.shared blocks a shared group; the
 * prediction says what the reboot will show, and which way out exists.
 *
 * The predictor replays pci_device_group() (drivers/iommu/iommu.c) with
 * pci_acs_enabled() and the quirk table (drivers/pci/pci.c,
 * drivers/pci/quirks.c) over the facts the reader has: with the IOMMU off
 * it takes ACS control as pci_std_enable_acs() will program it; an unknown
 * fact merges (the group can only be as wide or narrower than predicted).
 * The override is the out-of-tree pcie_acs_override= patch: "downstream"
 * vouches for every downstream port, "multifunction" for every function of
 * a multifunction device, pci_dev_specific_acs_enabled() asks it last. */
#include <errno.h>
#include <pci/header.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "families.h"
#include "predict/predict.h"
#include "vfio-ids.h"

/* Members that never block a group and are not worth naming (as in
 * groups.c): PCI bridges, and host bridges without a driver. */
static bool member_ignored(const struct gd_pci_dev *d) {
        return gd_pci_is_bridge(d) ||
               ((d->class_code >> 8) == PCI_CLASS_BRIDGE_HOST && d->driver_known == TRI_YES && !d->driver);
}

/* The endpoints of the card's predicted group that are not its functions. */
static size_t others_in_group(const struct gd_host *h, const struct gd_target *t, const struct gd_predicted_group *g,
                              size_t *ret, size_t max) {
        size_t n = 0;

        for (size_t k = 0; g && k < g->n; k++) {
                const struct gd_pci_dev *d = &h->devs[g->devs[k]];

                if (gd_target_has(t, d->address) || member_ignored(d))
                        continue;
                if (ret && n < max)
                        ret[n] = g->devs[k];
                n++;
        }
        return n;
}

static int predict_with(const struct gd_host *h, const char *override, struct gd_prediction **ret) {
        struct gd_predict_options o;

        gd_predict_options_from_host(h, &o);
        if (override)
                o.acs_override = override;
        return gd_predict_groups(h, &o, ret, NULL);
}

/* The merges that made the card's group, as evidence: the reason of each
 * member that joined it (at most 8: the first reasons are the ones that
 * name the ports above the card). */
static void evidence_merges(struct gd_finding *x, const struct gd_host *h, const struct gd_prediction *p,
                            int group) {
        size_t shown = 0;

        for (size_t m = 0; m < p->n_merges && shown < 8; m++) {
                const struct gd_predict_merge *mg = &p->merges[m];
                _cleanup_free_ char *src = NULL;

                if (p->group_of[mg->dev] != group)
                        continue;
                src = gd_pci_attr_source(&h->devs[mg->cause], "config");
                gd_finding_evidence(x, src, 0, "%s%s", mg->reason, mg->uncertain ? " (a fact was unknown)" : "");
                shown++;
        }
}

/* Root ports behind which the card would be alone (what-if moves), into
 * list. */
static void isolating_ports(const struct gd_host *h, const struct gd_target *t, char *list, size_t size) {
        size_t n = 0;

        list[0] = '\0';
        /* At most 32 what-ifs: a host's CPU root ports come first. */
        for (size_t i = 0, tried = 0; i < h->n_devs && n < 4 && tried < 32; i++) {
                const struct gd_pci_dev *port = &h->devs[i];
                _cleanup_prediction_ struct gd_prediction *p = NULL;
                struct gd_predict_move mv;
                struct gd_predict_options o;

                if (!gd_pci_is_bridge(port) || port->parent || port->caps.is_pcie != TRI_YES ||
                    port->caps.pcie_type != PCI_EXP_TYPE_ROOT_PORT)
                        continue;
                if (t->gpu->parent && streq(t->gpu->parent, port->address))
                        continue;
                tried++;
                snprintf(mv.device, sizeof(mv.device), "%s", t->gpu->address);
                snprintf(mv.port, sizeof(mv.port), "%s", port->address);
                gd_predict_options_from_host(h, &o);
                o.moves = &mv;
                o.n_moves = 1;
                if (gd_predict_groups(h, &o, &p, NULL) < 0)
                        continue;
                {
                        const struct gd_predicted_group *g = gd_prediction_group_of(h, p, t->gpu->address);
                        if (!g || g->uncertain || others_in_group(h, t, g, NULL, 0) > 0)
                                continue;
                }
                snprintf(list + strlen(list), size - strlen(list), "%s%s", n ? ", " : "", port->address);
                n++;
        }
}

static void check_predicted(const struct gd_host *h, const struct gd_target *t, const struct gd_prediction *p,
                            bool what_ifs, struct gd_findings *out) {
        const struct gd_predicted_group *g;
        size_t others[16], n;
        struct gd_finding *x;
        char names[400] = "", ports[128] = "";

        g = gd_prediction_group_of(h, p, t->gpu->address);
        if (!g)
                return;
        n = others_in_group(h, t, g, others, ELEMENTSOF(others));
        if (n == 0) {
                x = gd_findings_add_variant(out, "group.predicted", "alone", "once the IOMMU is on, the card at %s "
                                            "will be alone in its IOMMU group (with its own functions)",
                                            t->gpu->address);
                if (!x)
                        return;
                gd_finding_subject_target(x, t);
                gd_finding_evidence(x, "/sys/kernel/iommu_groups", 0, "predicted from the topology and each port's "
                                    "ACS capability (pci_device_group(), drivers/iommu/iommu.c): %zu device%s in "
                                    "the group", g->n, g->n == 1 ? "" : "s");
                evidence_merges(x, h, p, (int) (g - p->groups));
                return;
        }
        for (size_t k = 0; k < n && k < ELEMENTSOF(others); k++)
                snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", k ? ", " : "",
                         h->devs[others[k]].address);
        x = gd_findings_add(out, "group.predicted", "once the IOMMU is on, the card at %s will share an IOMMU group "
                            "with %zu other device%s%s: %s", t->gpu->address, n, n == 1 ? "" : "s",
                            g->uncertain ? " or more (a fact was unknown)" : "", names);
        if (!x)
                return;
        gd_finding_subject_target(x, t);
        /* Why first, so that the short report shows it. */
        evidence_merges(x, h, p, (int) (g - p->groups));
        for (size_t k = 0; k < n && k < ELEMENTSOF(others); k++) {
                const struct gd_pci_dev *d = &h->devs[others[k]];
                _cleanup_free_ char *desc = gd_describe_dev(d), *src = gd_pci_attr_source(d, "config");

                gd_finding_subject(x, d->address);
                gd_finding_evidence(x, src, 0, "predicted member: %s", desc ? desc : d->address);
        }
        for (char **u = p->unknowns; u && *u; u++)
                gd_finding_evidence(x, "/sys/bus/pci/devices", 0, "unknown: %s", *u);
        if (what_ifs)
                isolating_ports(h, t, ports, sizeof(ports));
        gd_finding_remedy(x, "Before turning the IOMMU on, or with it: a slot whose root port isolates the card "
                             "avoids the shared group.");
        if (ports[0])
                gd_finding_remedy_append(x, "Behind %s the card would be alone (gpudiag groups --predict --move "
                                            "%s=PORT shows the groups of each).", ports, t->gpu->address);
        else if (!what_ifs)
                gd_finding_remedy_append(x, "gpudiag groups --predict --move %s=PORT shows the groups with the card "
                                            "behind another port.", t->gpu->address);
        else
                gd_finding_remedy_append(x, "No other root port of this host would isolate it (gpudiag groups "
                                            "--predict --move %s=PORT shows the groups of each).", t->gpu->address);
}

/* The overrides to try, the narrowest first: the IDs of just the devices
 * whose missing ACS made the card's group (id:VVVV:DDDD vouches for those
 * IDs only), then every downstream port, every multifunction device, both. */
static const char *const overrides[] = { NULL, "downstream", "multifunction", "downstream,multifunction" };

/* "id:VVVV:DDDD,..." of the devices that decided a merge into group g
 * because of their ACS (the path or the functions of a slot). */
static void id_override(const struct gd_host *h, const struct gd_prediction *p, int g, char *buf, size_t size) {
        size_t n = 0;

        buf[0] = '\0';
        for (size_t m = 0; m < p->n_merges && n < 16; m++) {
                const struct gd_predict_merge *mg = &p->merges[m];
                const struct gd_pci_dev *c = &h->devs[mg->cause];
                char id[24];

                /* The patch never vouches for conventional PCI. */
                if (p->group_of[mg->dev] != g || c->caps.is_pcie != TRI_YES ||
                    (mg->kind != GD_MERGE_ACS_PATH && mg->kind != GD_MERGE_FUNCTIONS))
                        continue;
                snprintf(id, sizeof(id), "id:%04x:%04x", c->vendor, c->device);
                if (strstr(buf, id))
                        continue;
                snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", n ? "," : "", id);
                n++;
        }
}

/* Whether pcie_acs_override=spec leaves the card without other endpoints
 * in its group (and certain of it). */
static bool override_splits(const struct gd_host *h, const struct gd_target *t, const char *spec) {
        _cleanup_prediction_ struct gd_prediction *p = NULL;
        const struct gd_predicted_group *g;

        if (predict_with(h, spec, &p) < 0)
                return false;
        g = gd_prediction_group_of(h, p, t->gpu->address);
        return g && !g->uncertain && others_in_group(h, t, g, NULL, 0) == 0;
}

/* Drops from an "id:..." list every ID the split does not need, one at a
 * time (at most 16 predictions): the fewer devices the kernel is told to
 * trust, the smaller the cost. */
static void minimize_ids(const struct gd_host *h, const struct gd_target *t, char *ids) {
        for (char *w = ids; *w;) {
                size_t len = strcspn(w, ",");
                char trial[16 * 13 + 1];

                snprintf(trial, sizeof(trial), "%.*s%s", (int) (w - ids), ids, w[len] ? w + len + 1 : "");
                if (trial[0] && trial[strlen(trial) - 1] == ',')
                        trial[strlen(trial) - 1] = '\0';
                if (trial[0] && override_splits(h, t, trial)) {
                        size_t off = (size_t) (w - ids);
                        memcpy(ids, trial, strlen(trial) + 1);
                        w = ids + (off < strlen(ids) ? off : strlen(ids));
                        continue;
                }
                w += len + (w[len] == ',');
        }
}

static void check_override(const struct gd_host *h, const struct gd_target *t, const struct gd_prediction *base,
                           const struct gd_group_diff *diff, struct gd_findings *out) {
        const struct gd_predicted_group *g;
        size_t others[16], n;
        struct gd_finding *x;
        char names[400] = "", ids[16 * 13 + 1];

        g = gd_prediction_group_of(h, base, t->gpu->address);
        if (!g || g->uncertain)
                return;
        n = others_in_group(h, t, g, others, ELEMENTSOF(others));
        if (n == 0)
                return;
        /* With real groups the prediction must have found the card's real
         * group, or what it says an override does rests on nothing. */
        if (h->n_groups > 0 && (!diff || !gd_group_diff_dev_exact(diff, (size_t) (t->gpu - h->devs))))
                return;
        for (size_t k = 0; k < n && k < ELEMENTSOF(others); k++)
                snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", k ? ", " : "",
                         h->devs[others[k]].address);

        id_override(h, base, (int) (g - base->groups), ids, sizeof(ids));
        for (size_t o = 0; o < ELEMENTSOF(overrides); o++) {
                const char *spec = overrides[o] ? overrides[o] : ids;

                if (!spec[0] || !override_splits(h, t, spec))
                        continue;
                if (!overrides[o])
                        minimize_ids(h, t, ids);
                x = gd_findings_add(out, "group.override-would-split", "pcie_acs_override=%s would split the card "
                                    "at %s from %s, without the isolation the hardware lacks", spec,
                                    t->gpu->address, names);
                if (!x)
                        return;
                gd_finding_subject_target(x, t);
                evidence_merges(x, h, base, (int) (g - base->groups));
                gd_finding_remedy(x, "Only if moving the card is impossible, and knowing the cost: on a kernel "
                                     "carrying the out-of-tree ACS override patch (Proxmox VE, linux-zen, "
                                     "liquorix; a stock kernel ignores the word), pcie_acs_override=%s on the "
                                     "kernel command line. The kernel then pretends those ports isolate: %s "
                                     "can still reach the card, and the VM's memory through it, by peer-to-peer "
                                     "DMA that no IOMMU sees, so a VM given the card is not isolated from them.",
                                  spec, names);
                return;
        }
        x = gd_findings_add_variant(out, "group.override-would-split", "cannot", "no ACS override would split the "
                                    "card at %s from %s", t->gpu->address, names);
        if (!x)
                return;
        gd_finding_subject_target(x, t);
        evidence_merges(x, h, base, (int) (g - base->groups));
        gd_finding_remedy(x, "The group comes from something pcie_acs_override= does not touch (a PCIe-to-PCI "
                             "bridge, a DMA alias quirk, conventional PCI): only another slot helps.");
}

/* The what-ifs and override trials cost a prediction each (up to 20 for
 * one card): the advice is given for the first cards only. */
#define CARDS_ADVISED 8

void gd_check_groups_predict(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        _cleanup_prediction_ struct gd_prediction *base = NULL;
        _cleanup_group_diff_ struct gd_group_diff *diff = NULL;
        /* An override already in force is acs.override's to judge (the
         * prediction takes it as given). */
        bool override_on = gd_cmdline_find_last(&h->cmdline, "pcie_acs_override") != NULL;
        /* No groups because there are none (the IOMMU is off), not because
         * they could not be read: then it may well be on. */
        bool iommu_off = h->n_groups == 0 && (h->groups_state == 0 || h->groups_state == -ENOENT);

        if (t->n == 0 || predict_with(h, NULL, &base) < 0)
                return;
        if (h->n_groups > 0 && gd_prediction_diff(h, base, &diff) < 0)
                return;
        for (size_t i = 0; i < t->n; i++) {
                const struct gd_target *tt = &t->items[i];

                if (iommu_off && tt->gpu->iommu_group == GD_GROUP_NONE)
                        check_predicted(h, tt, base, i < CARDS_ADVISED, out);
                if (!override_on && i < CARDS_ADVISED)
                        check_override(h, tt, base, diff, out);
        }
}
