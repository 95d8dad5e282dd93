/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

bool gd_target_has(const struct gd_target *t, const char *address) {
        for (size_t i = 0; i < t->n_functions; i++)
                if (strcmp(t->functions[i]->address, address) == 0)
                        return true;
        return false;
}

void gd_targets_clear(struct gd_targets *t) {
        for (size_t i = 0; i < t->n; i++)
                free(t->items[i].functions);
        free(t->items);
        t->items = NULL;
        t->n = 0;
}

static bool already_target(const struct gd_targets *t, const struct gd_pci_dev *d) {
        for (size_t i = 0; i < t->n; i++)
                if (gd_pci_same_slot(t->items[i].gpu, d))
                        return true;
        return false;
}

enum gd_question gd_target_question(const struct gd_host *h, const struct gd_target *t, enum gd_role role) {
        switch (role) {
        case GD_ROLE_GUEST:
        case GD_ROLE_XEN_DOMU:
                return GD_QUESTION_GUEST;
        case GD_ROLE_XEN_DOM0:
                return GD_QUESTION_XEN;
        case GD_ROLE_GUEST_VIOMMU:
                /* A GPU a nested guest is meant to get is on a vfio driver
                 * (or on its way there: driver_override). */
                return gd_driver_is_vfio_class(h, t->gpu->driver) || streq(t->gpu->driver_override, "vfio-pci") ?
                       GD_QUESTION_HOST : GD_QUESTION_GUEST;
        default:
                return GD_QUESTION_HOST;
        }
}

int gd_targets_find(const struct gd_host *h, const char *slot, struct gd_targets *ret) {
        struct gd_targets t = { 0 };
        enum gd_role role = gd_role_of(h);

        for (size_t i = 0; i < h->n_devs; i++) {
                const struct gd_pci_dev *gpu = &h->devs[i];
                struct gd_target *nt, *x;

                /* The first display function of a slot names the card; a
                 * second display function (rare dual-head cards) is one of
                 * its functions, not another target. */
                if (!gd_pci_is_display(gpu) || already_target(&t, gpu))
                        continue;
                nt = realloc(t.items, (t.n + 1) * sizeof(*nt));
                if (!nt) {
                        gd_targets_clear(&t);
                        return -ENOMEM;
                }
                t.items = nt;
                x = &t.items[t.n++];
                memset(x, 0, sizeof(*x));
                x->gpu = gpu;
                x->functions = calloc(8, sizeof(*x->functions));
                if (!x->functions) {
                        gd_targets_clear(&t);
                        return -ENOMEM;
                }
                /* devs are sorted by address, so functions come out sorted. */
                for (size_t j = 0; j < h->n_devs && x->n_functions < 8; j++)
                        if (gd_pci_same_slot(gpu, &h->devs[j]))
                                x->functions[x->n_functions++] = &h->devs[j];
                x->question = gd_target_question(h, x, role);
        }

        if (slot) {
                size_t keep = 0;
                for (size_t i = 0; i < t.n; i++) {
                        if (gd_target_has(&t.items[i], slot)) {
                                struct gd_target tmp = t.items[keep];
                                t.items[keep++] = t.items[i];
                                t.items[i] = tmp;
                        }
                }
                for (size_t i = keep; i < t.n; i++)
                        free(t.items[i].functions);
                t.n = keep;
        }
        *ret = t;
        return 0;
}
