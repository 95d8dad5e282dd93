/* SPDX-License-Identifier: MIT */
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

enum gd_verdict gd_verdict_for(const struct gd_target *t, const struct gd_findings *f) {
        bool unknown = false;

        for (size_t i = 0; i < f->n; i++) {
                const struct gd_finding *x = &f->items[i];
                if (!applies(x, t))
                        continue;
                if (x->effect == GD_EFFECT_BLOCKS)
                        return GD_VERDICT_NOT_READY;
                if (x->effect == GD_EFFECT_UNKNOWN)
                        unknown = true;
        }
        return unknown ? GD_VERDICT_UNKNOWN : GD_VERDICT_READY;
}

const char *gd_verdict_to_string(enum gd_verdict v) {
        return v == GD_VERDICT_READY ? "ready" : v == GD_VERDICT_NOT_READY ? "not-ready" : "unknown";
}
