/* SPDX-License-Identifier: MIT */
/* The report's topology picture, drawn without Graphviz: a tree like
 * `lspci -t`, one row per device in depth-first order below its root bus.
 * Monospace text, so a row's width follows from its length. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "topology.h"
#include "html.h"

#define ROW_H      24
#define TOP        12
#define BADGE_X    8
#define BADGE_W    84
#define TREE_X     (BADGE_X + BADGE_W + 16)
#define INDENT     22
#define CHAR_W     7.3     /* 12 px monospace */
#define MAX_DEPTH  64

struct layout {
        const struct gd_host *h;
        ssize_t *parent;       /* index of the bridge above, -1 at a root bus */
        size_t *order;         /* device indices, depth-first */
        unsigned *depth;
        bool *placed;
        size_t n;
};

/* Eight colours told apart on screen and in print; a group's is its number
 * modulo eight. */
static const char *const palette[] = {
        "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f", "#e377c2",
};
#define GPU_BAND   "#fdecea"
#define GPU_LINE   "#c0392b"

static void place(struct layout *l, size_t i, unsigned depth) {
        if (l->placed[i])
                return;
        l->placed[i] = true;
        l->depth[i] = depth;
        l->order[l->n++] = i;
        if (depth >= MAX_DEPTH)
                return;
        /* h->devs is sorted, so children come in address order. */
        for (size_t j = 0; j < l->h->n_devs; j++)
                if (l->parent[j] == (ssize_t) i)
                        place(l, j, depth + 1);
}

static void row_text(const struct gd_pci_dev *d, char *buf, size_t size) {
        char name[512];

        gd_pci_format_name(d, true, name, sizeof(name));
        snprintf(buf, size, "%s %s: %s  [%s]", d->address,
                 d->class_unknown ? "Class unknown" : d->class_name ? d->class_name : "Class", name,
                 d->driver_known != TRI_YES ? "driver unknown" : d->driver ? d->driver : "no driver");
}

int gd_report_topology_svg(FILE *out, const struct gd_host *h) {
        _cleanup_free_ ssize_t *parent = calloc(h->n_devs + 1, sizeof(*parent));
        _cleanup_free_ size_t *order = calloc(h->n_devs + 1, sizeof(*order));
        _cleanup_free_ unsigned *depth = calloc(h->n_devs + 1, sizeof(*depth));
        _cleanup_free_ bool *placed = calloc(h->n_devs + 1, sizeof(*placed));
        _cleanup_free_ size_t *row_of = calloc(h->n_devs + 1, sizeof(*row_of));
        struct layout l = { .h = h, .parent = parent, .order = order, .depth = depth, .placed = placed };
        double width = 400;
        size_t height;

        if (!parent || !order || !depth || !placed || !row_of)
                return -ENOMEM;
        for (size_t i = 0; i < h->n_devs; i++) {
                const struct gd_pci_dev *p = gd_topology_find(h, h->devs[i].parent);
                parent[i] = p && p != &h->devs[i] ? p - h->devs : -1;
        }
        for (size_t i = 0; i < h->n_devs; i++)
                if (parent[i] < 0)
                        place(&l, i, 0);
        /* A parent loop in a recording leaves devices unplaced: list them. */
        for (size_t i = 0; i < h->n_devs; i++)
                place(&l, i, 0);

        for (size_t r = 0; r < l.n; r++) {
                char text[1024];
                double w;

                row_of[order[r]] = r;
                row_text(&h->devs[order[r]], text, sizeof(text));
                w = TREE_X + depth[order[r]] * INDENT + 14 + (double) strlen(text) * CHAR_W;
                if (w > width)
                        width = w;
        }
        height = TOP * 2 + l.n * ROW_H;
        fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"topology\" width=\"%.0f\" height=\"%zu\" "
                     "viewBox=\"0 0 %.0f %zu\" role=\"img\" aria-label=\"PCI topology and IOMMU groups\">\n",
                width + 8, height, width + 8, height);

        /* Bands behind the rows of GPU groups, then lines, then rows. */
        for (size_t r = 0; r < l.n; r++) {
                const struct gd_pci_dev *d = &h->devs[order[r]];
                const struct gd_iommu_group *g = d->iommu_group != GD_GROUP_NONE ?
                                                 gd_host_find_group(h, d->iommu_group) : NULL;
                if (g && gd_group_has_gpu(h, g))
                        fprintf(out, "<rect class=\"gpu-group\" x=\"2\" y=\"%zu\" width=\"%.0f\" height=\"%d\" "
                                     "fill=\"" GPU_BAND "\" stroke=\"" GPU_LINE "\" stroke-width=\"1\"/>\n",
                                TOP + r * ROW_H, width + 4, ROW_H);
        }
        for (size_t r = 0; r < l.n; r++) {
                size_t i = order[r];
                double x = TREE_X + depth[i] * INDENT, y = TOP + r * ROW_H + ROW_H / 2.0;

                if (parent[i] >= 0 && depth[i] > 0) {
                        size_t pr = row_of[parent[i]];
                        fprintf(out, "<path d=\"M%.1f %.1fV%.1fH%.1f\" fill=\"none\" stroke=\"#555\"/>\n",
                                x - INDENT + 5, TOP + pr * ROW_H + ROW_H / 2.0 + 5, y, x);
                }
        }
        for (size_t r = 0; r < l.n; r++) {
                size_t i = order[r];
                const struct gd_pci_dev *d = &h->devs[i];
                double x = TREE_X + depth[i] * INDENT, y = TOP + r * ROW_H;
                char text[1024];

                if (d->iommu_group != GD_GROUP_NONE)
                        fprintf(out, "<g class=\"group-badge\" data-group=\"%d\"><rect x=\"%d\" y=\"%.0f\" "
                                     "width=\"%d\" height=\"%d\" rx=\"4\" fill=\"%s\"/><text x=\"%d\" y=\"%.0f\" "
                                     "fill=\"#fff\">group %d</text></g>\n",
                                d->iommu_group, BADGE_X, y + 3, BADGE_W, ROW_H - 6,
                                palette[(unsigned) d->iommu_group % ELEMENTSOF(palette)], BADGE_X + 6, y + 16,
                                d->iommu_group);
                else
                        fprintf(out, "<text x=\"%d\" y=\"%.0f\" fill=\"#777\">no group</text>\n", BADGE_X + 6, y + 16);
                fprintf(out, "<rect x=\"%.1f\" y=\"%.0f\" width=\"10\" height=\"10\" fill=\"%s\" stroke=\"#333\"/>\n",
                        x, y + 7, gd_pci_is_display(d) ? GPU_LINE : d->is_bridge ? "#ddd" : "#fff");
                row_text(d, text, sizeof(text));
                fprintf(out, "<text class=\"device\" data-address=\"%s\" x=\"%.1f\" y=\"%.0f\"%s>", d->address,
                        x + 16, y + 16, gd_pci_is_display(d) ? " font-weight=\"bold\"" : "");
                gd_put_html(out, text);
                fputs("</text>\n", out);
        }
        fputs("</svg>\n", out);
        return 0;
}
