/* SPDX-License-Identifier: MIT */
/* What the topology pictures share: which devices to draw. */
#include <stdlib.h>
#include <string.h>

#include "topology.h"

static int cmp_address(const void *key, const void *dev) {
        return strcmp(key, ((const struct gd_pci_dev *) dev)->address);
}

/* h->devs is sorted by address (host/pci.c), and a 4,096-function host
 * would make a linear look-up per group member quadratic. */
const struct gd_pci_dev *gd_topology_find(const struct gd_host *h, const char *address) {
        return address && h->n_devs ? bsearch(address, h->devs, h->n_devs, sizeof(*h->devs), cmp_address) : NULL;
}

bool gd_group_has_gpu(const struct gd_host *h, const struct gd_iommu_group *g) {
        for (size_t i = 0; g->devices && g->devices[i]; i++) {
                const struct gd_pci_dev *d = gd_topology_find(h, g->devices[i]);
                if (d && gd_pci_is_display(d))
                        return true;
        }
        return false;
}

static void show_with_ancestors(const struct gd_host *h, bool *shown, size_t i) {
        /* The parent chain is at most 256 buses deep; a loop in a bundle's
         * recording (a parent that names a child) ends at a device already
         * shown. */
        while (!shown[i]) {
                const struct gd_pci_dev *p;

                shown[i] = true;
                p = h->devs[i].parent ? gd_topology_find(h, h->devs[i].parent) : NULL;
                if (!p)
                        return;
                i = (size_t) (p - h->devs);
        }
}

bool *gd_topology_shown(const struct gd_host *h, const bool *selected) {
        bool *shown = calloc(h->n_devs ? h->n_devs : 1, sizeof(*shown));

        if (!shown)
                return NULL;
        for (size_t i = 0; i < h->n_devs; i++) {
                const struct gd_iommu_group *g;

                if (selected && !selected[i])
                        continue;
                show_with_ancestors(h, shown, i);
                g = h->devs[i].iommu_group != GD_GROUP_NONE ? gd_host_find_group(h, h->devs[i].iommu_group) : NULL;
                for (size_t j = 0; g && g->devices && g->devices[j]; j++) {
                        const struct gd_pci_dev *m = gd_topology_find(h, g->devices[j]);
                        if (m)
                                show_with_ancestors(h, shown, (size_t) (m - h->devs));
                }
        }
        return shown;
}
