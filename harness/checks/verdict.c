/* SPDX-License-Identifier: MIT */
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

char **gd_verdict_unproven(const struct gd_target *t, const struct gd_findings *f) {
        static const char *const host_wide[] = { GD_PROOF_IOMMU, GD_PROOF_IRQ };
        static const char *const per_function[] = { GD_PROOF_GROUP, GD_PROOF_DRIVER };
        char **missing = NULL;

        for (size_t i = 0; i < ELEMENTSOF(host_wide); i++)
                if (!gd_findings_proven(f, host_wide[i], NULL))
                        strv_push_dup(&missing, host_wide[i]);
        for (size_t i = 0; i < ELEMENTSOF(per_function); i++)
                for (size_t j = 0; j < t->n_functions; j++)
                        if (!gd_findings_proven(f, per_function[i], t->functions[j]->address)) {
                                char buf[64];
                                snprintf(buf, sizeof(buf), "%s@%s", per_function[i], t->functions[j]->address);
                                strv_push_dup(&missing, buf);
                        }
        return missing;
}

enum gd_verdict gd_verdict_for(const struct gd_target *t, const struct gd_findings *f) {
        bool unknown = false;
        char **missing;

        for (size_t i = 0; i < f->n; i++) {
                const struct gd_finding *x = &f->items[i];
                if (!applies(x, t))
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
