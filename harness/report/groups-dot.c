/* SPDX-License-Identifier: MIT */
/* groups --format dot: the topology as a Graphviz digraph (graphviz.org/doc/
 * info/lang.html).  Node names are PCI addresses and "pci<domain>:<bus>" for
 * root buses, which need no escaping; every label goes through gd_put_dot().
 * Clusters are subgraphs whose name starts with "cluster" (dot draws those
 * as boxes), one per IOMMU group. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "topology.h"

#define GPU_GROUP_FILL  "#fdecea"
#define GPU_GROUP_LINE  "#c0392b"
#define GPU_NODE_FILL   "#f9c9c3"

static void root_name(const struct gd_pci_dev *d, char *buf, size_t size) {
        snprintf(buf, size, "pci%04x:%02x", d->domain & 0xffff, d->bus & 0xff);
}

static void node(FILE *out, const struct gd_pci_dev *d, const char *indent) {
        char name[512];

        gd_pci_format_name(d, true, name, sizeof(name));
        fprintf(out, "%s\"%s\" [label=\"", indent, d->address);
        gd_put_dot(out, d->address);
        fputs(" ", out);
        if (d->class_unknown)
                fputs("class unknown\\n", out);
        else {
                gd_put_dot(out, d->class_name ? d->class_name : "Class");
                fprintf(out, " [%04x]\\n", d->class_code >> 8);
        }
        gd_put_dot(out, name);
        fputs("\\n", out);
        if (d->driver_known != TRI_YES)
                fputs("driver: unknown", out);
        else if (d->driver) {
                fputs("driver: ", out);
                gd_put_dot(out, d->driver);
        } else
                fputs("no driver", out);
        fputs("\"", out);
        if (gd_pci_is_display(d))
                fputs(", fillcolor=\"" GPU_NODE_FILL "\", penwidth=2", out);
        else if (d->is_bridge)
                fputs(", shape=box, style=filled, fillcolor=\"#eeeeee\"", out);
        fputs("];\n", out);
}

static bool in_group(const struct gd_iommu_group *g, const char *address) {
        for (size_t i = 0; g->devices && g->devices[i]; i++)
                if (streq(g->devices[i], address))
                        return true;
        return false;
}

int gd_report_groups_dot(FILE *out, const struct gd_host *h, const bool *selected) {
        _cleanup_free_ bool *shown = gd_topology_shown(h, selected);
        char root[32], prev_root[32] = "";

        if (!shown)
                return -ENOMEM;
        fputs("digraph \"iommu_groups\" {\n"
              "\tgraph [rankdir=LR, fontname=\"sans-serif\", labelloc=t, label=\"", out);
        if (h->n_groups == 0)
                fputs("PCI topology: no IOMMU groups (the IOMMU is not enabled)", out);
        else
                fputs("PCI topology and IOMMU groups (highlighted: groups with a GPU)", out);
        fputs("\"];\n"
              "\tnode [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"sans-serif\", fontsize=10];\n"
              "\tedge [arrowhead=none];\n", out);

        /* Root buses: one node each, in address order. */
        for (size_t i = 0; i < h->n_devs; i++) {
                const struct gd_pci_dev *d = &h->devs[i];
                if (!shown[i] || gd_topology_find(h, d->parent))
                        continue;
                root_name(d, root, sizeof(root));
                /* Sorted by address, a root bus's devices come together. */
                if (streq(root, prev_root))
                        continue;
                fprintf(out, "\t\"%s\" [label=\"root bus %04x:%02x\", shape=ellipse, style=filled, "
                             "fillcolor=\"#dddddd\"];\n", root, d->domain & 0xffff, d->bus & 0xff);
                snprintf(prev_root, sizeof(prev_root), "%s", root);
        }

        for (size_t g = 0; g < h->n_groups; g++) {
                const struct gd_iommu_group *grp = &h->groups[g];
                bool gpu = gd_group_has_gpu(h, grp), any = false;

                for (size_t i = 0; grp->devices && grp->devices[i] && !any; i++) {
                        const struct gd_pci_dev *d = gd_topology_find(h, grp->devices[i]);
                        any = d ? shown[d - h->devs] : !selected;
                }
                if (!any)
                        continue;
                fprintf(out, "\tsubgraph \"cluster_group_%d\" {\n\t\tlabel=\"IOMMU group %d", grp->id, grp->id);
                if (grp->type) {
                        fputs(" (", out);
                        gd_put_dot(out, grp->type);
                        fputs(")", out);
                }
                fputs(gpu ? ", with a GPU\";\n\t\tstyle=\"rounded,filled\"; fillcolor=\"" GPU_GROUP_FILL "\"; "
                            "color=\"" GPU_GROUP_LINE "\"; penwidth=2;\n"
                          : "\";\n\t\tstyle=rounded; color=\"#7f8c8d\";\n", out);
                for (size_t i = 0; grp->devices && grp->devices[i]; i++) {
                        const struct gd_pci_dev *d = gd_topology_find(h, grp->devices[i]);

                        if (d && shown[d - h->devs])
                                node(out, d, "\t\t");
                        else if (!d && !selected) {
                                /* A group link to a device the bus does not list
                                 * still counts against the group: drawn, dashed.
                                 * Its name is whatever the link said. */
                                fputs("\t\t\"link:", out);
                                gd_put_dot(out, grp->devices[i]);
                                fputs("\" [label=\"", out);
                                gd_put_dot(out, grp->devices[i]);
                                fputs("\\nnot on the PCI bus\", style=dashed];\n", out);
                        }
                }
                fputs("\t}\n", out);
        }

        /* Devices outside any group (or in a group the host does not list). */
        for (size_t i = 0; i < h->n_devs; i++) {
                const struct gd_pci_dev *d = &h->devs[i];
                const struct gd_iommu_group *grp = d->iommu_group != GD_GROUP_NONE ?
                                                   gd_host_find_group(h, d->iommu_group) : NULL;
                if (shown[i] && !(grp && in_group(grp, d->address)))
                        node(out, d, "\t");
        }

        for (size_t i = 0; i < h->n_devs; i++) {
                const struct gd_pci_dev *d = &h->devs[i], *p;

                if (!shown[i])
                        continue;
                p = gd_topology_find(h, d->parent);
                if (p)
                        fprintf(out, "\t\"%s\" -> \"%s\";\n", p->address, d->address);
                else {
                        root_name(d, root, sizeof(root));
                        fprintf(out, "\t\"%s\" -> \"%s\";\n", root, d->address);
                }
        }
        fputs("}\n", out);
        return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}
