/* SPDX-License-Identifier: MIT */
/* Which cards a plan is for when -s does not say (plan.h).  A plan for
 * every GPU would take the host's own display to vfio-pci; a card is meant
 * for a VM when the host already says so: a function on vfio-pci or
 * pci-stub, a driver_override of vfio-pci, a vfio-pci ids= naming it, or a
 * VM configuration passing it. */
#include <errno.h>
#include <stdlib.h>

#include "checks/vfio-ids.h"
#include "model/vmconfig.h"
#include "plan.h"

static bool meant_for_vm(const struct gd_host *h, const struct gd_target *t, const struct gd_vfio_ids *ids) {
        const struct gd_vmconfig *c = h->vmconfig;

        for (size_t i = 0; i < t->n_functions; i++) {
                const struct gd_pci_dev *d = t->functions[i];

                if ((d->driver_known == TRI_YES && gd_driver_is_vfio(d->driver)) ||
                    streq(d->driver_override, "vfio-pci") || gd_vfio_ids_match(ids, d))
                        return true;
                for (size_t v = 0; c && v < c->n_vms; v++)
                        for (size_t p = 0; p < c->vms[v].n_pci; p++)
                                if (gd_vm_pci_matches(&c->vms[v].pci[p], d))
                                        return true;
        }
        return false;
}

int gd_plan_pick_targets(const struct gd_host *h, struct gd_targets *t, bool *ret_ask) {
        _cleanup_(gd_vfio_ids_clear) struct gd_vfio_ids ids = { 0 };
        size_t keep = 0;

        *ret_ask = false;
        if (gd_vfio_ids_effective(h, &ids) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < t->n; i++)
                if (meant_for_vm(h, &t->items[i], &ids)) {
                        struct gd_target tmp = t->items[keep];
                        t->items[keep++] = t->items[i];
                        t->items[i] = tmp;
                }
        if (keep == 0) {
                /* The host's only GPU: that is the one. */
                if (t->n <= 1)
                        return 0;
                *ret_ask = true;
        }
        for (size_t i = keep; i < t->n; i++)
                free(t->items[i].functions);
        t->n = keep;
        return 0;
}
