/* SPDX-License-Identifier: MIT */
/* Verdicts: per target, for the question its role asks (model/role.h).
 *
 * What READY rests on, per question:
 *   host   the IOMMU translates, interrupts are remapped (or isolated), and
 *          every function of the card is in a group that holds nothing
 *          else that blocks, on vfio-pci or a variant of it;
 *   guest  every function's memory BARs have addresses, and the GPU is on
 *          a GPU driver whose probe completed without an init error;
 *   xen    every function is on xen-pciback, and Xen's IOMMU is on, which
 *          dom0's Linux cannot see (xl dmesg): such a verdict is at best
 *          UNKNOWN, naming it.
 * And for every question: where gpudiag runs is known. */
#include <stdio.h>

#include "base/strv.h"
#include "check.h"

static bool applies(const struct gd_finding *x, const struct gd_target *t) {
        /* A finding about the whole host (no subjects) applies to every GPU. */
        if (!x->subjects || !x->subjects[0])
                return true;
        for (size_t i = 0; i < t->n_functions; i++)
                if (gd_finding_has_subject(x, t->functions[i]->address))
                        return true;
        return false;
}

/* In a guest with a vIOMMU both the host's and the guest's findings are
 * there, and each GPU is judged by its own question's rows.  Where the role
 * is unknown, a failure that blocks in either role (guest.c: its catalogue
 * roles include unknown) counts as well. */
static bool answers(const struct gd_finding *x, const struct gd_target *t, const struct gd_findings *f) {
        const struct gd_catalogue_entry *c = gd_catalogue_find(x->id);
        return c && ((c->roles & GD_ROLE_BIT(gd_question_role(t->question))) ||
                     (f->role == GD_ROLE_UNKNOWN && (c->roles & GD_ROLE_BIT(GD_ROLE_UNKNOWN))));
}

static int push_per_function(char ***missing, const struct gd_target *t, const struct gd_findings *f,
                             const char *condition, bool gpu_only) {
        for (size_t j = 0; j < t->n_functions; j++) {
                char buf[64];

                if (gpu_only && t->functions[j] != t->gpu)
                        continue;
                if (gd_findings_proven(f, condition, t->functions[j]->address))
                        continue;
                snprintf(buf, sizeof(buf), "%s@%s", condition, t->functions[j]->address);
                if (strv_push_dup(missing, buf) < 0)
                        return -1;
        }
        return 0;
}

char **gd_verdict_unproven(const struct gd_target *t, const struct gd_findings *f) {
        char **missing = NULL;

        if (f->role == GD_ROLE_UNKNOWN)
                strv_push_dup(&missing, GD_PROOF_ROLE);
        switch (t->question) {
        case GD_QUESTION_GUEST:
                push_per_function(&missing, t, f, GD_PROOF_BARS, false);
                push_per_function(&missing, t, f, GD_PROOF_GUEST_DRIVER, true);
                push_per_function(&missing, t, f, GD_PROOF_INITIALISED, true);
                break;
        case GD_QUESTION_XEN:
                if (!gd_findings_proven(f, GD_PROOF_XEN_IOMMU, NULL))
                        strv_push_dup(&missing, GD_PROOF_XEN_IOMMU);
                push_per_function(&missing, t, f, GD_PROOF_PCIBACK, false);
                break;
        default:
                if (!gd_findings_proven(f, GD_PROOF_IOMMU, NULL))
                        strv_push_dup(&missing, GD_PROOF_IOMMU);
                if (!gd_findings_proven(f, GD_PROOF_IRQ, NULL))
                        strv_push_dup(&missing, GD_PROOF_IRQ);
                push_per_function(&missing, t, f, GD_PROOF_GROUP, false);
                push_per_function(&missing, t, f, GD_PROOF_DRIVER, false);
                break;
        }
        return missing;
}

enum gd_verdict gd_verdict_for(const struct gd_target *t, const struct gd_findings *f) {
        bool unknown = false;
        char **missing;

        for (size_t i = 0; i < f->n; i++) {
                const struct gd_finding *x = &f->items[i];
                if (!applies(x, t) || !answers(x, t, f))
                        continue;
                if (x->effect == GD_EFFECT_BLOCKS)
                        return GD_VERDICT_NOT_READY;
                if (x->effect == GD_EFFECT_UNKNOWN)
                        unknown = true;
        }
        missing = gd_verdict_unproven(t, f);
        if (missing)
                unknown = true;
        strv_free(missing);
        return unknown ? GD_VERDICT_UNKNOWN : GD_VERDICT_READY;
}

const char *gd_verdict_to_string(enum gd_verdict v) {
        return v == GD_VERDICT_READY ? "ready" : v == GD_VERDICT_NOT_READY ? "not-ready" : "unknown";
}
