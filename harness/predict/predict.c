/* SPDX-License-Identifier: MIT */
/* The predictor's entry point: the working nodes from the model (moves,
 * quirks, ACS control), the kernel's probe order, the groups, and the
 * options a host implies.  The grouping rules are classic.c (every
 * released kernel) and rework.c (the proposed switch rework). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/strv.h"
#include "predict/predict-internal.h"

const char *gd_merge_kind_to_string(enum gd_merge_kind k) {
        switch (k) {
        case GD_MERGE_BRIDGE_ALIAS: return "bridge-alias";
        case GD_MERGE_ACS_PATH: return "acs-path";
        case GD_MERGE_DMA_ALIAS: return "dma-alias";
        case GD_MERGE_FUNCTIONS: return "functions";
        case GD_MERGE_SHARED_BUS: return "shared-bus";
        }
        return "unknown";
}

static void add_text(struct pctx *c, char ***list, const char *fmt, va_list ap) {
        char *s = NULL;

        if (vasprintf(&s, fmt, ap) < 0) {
                c->error = -ENOMEM;
                return;
        }
        if (strv_contains(*list, s)) {
                free(s);
                return;
        }
        if (strv_consume(list, s) < 0)
                c->error = -ENOMEM;
}

void pctx_unknown(struct pctx *c, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        add_text(c, &c->p->unknowns, fmt, ap);
        va_end(ap);
}

void pctx_note(struct pctx *c, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        add_text(c, &c->p->notes, fmt, ap);
        va_end(ap);
}

const char *pcie_type_name(const struct pnode *n) {
        if (n->pcie == TRI_UNKNOWN)
                return "PCI device of unknown kind";
        if (n->pcie == TRI_NO)
                return gd_pci_is_bridge(n->d) ? "conventional PCI bridge" : "conventional PCI device";
        switch (n->type) {
        case PCI_EXP_TYPE_ENDPOINT: return "Endpoint";
        case PCI_EXP_TYPE_LEG_END: return "Legacy Endpoint";
        case PCI_EXP_TYPE_ROOT_PORT: return "Root Port";
        case PCI_EXP_TYPE_UPSTREAM: return "switch Upstream Port";
        case PCI_EXP_TYPE_DOWNSTREAM: return "switch Downstream Port";
        case PCI_EXP_TYPE_PCI_BRIDGE: return "PCIe-to-PCI bridge";
        case PCI_EXP_TYPE_PCIE_BRIDGE: return "PCI-to-PCIe bridge";
        case PCI_EXP_TYPE_RC_END: return "Root Complex Integrated Endpoint";
        case PCI_EXP_TYPE_RC_EC: return "Root Complex Event Collector";
        default: return "PCIe device of another type";
        }
}

const char *node_name(const struct pctx *c, size_t i, unsigned slot) {
        static char buf[4][96];
        const struct pnode *n = &c->n[i];

        slot %= ELEMENTSOF(buf);
        snprintf(buf[slot], sizeof(buf[slot]), "%s (%s %04x:%04x)", n->d->address, pcie_type_name(n), n->d->vendor,
                 n->d->device);
        return buf[slot];
}

/* ---- groups ------------------------------------------------------------ */

int group_new(struct pctx *c, size_t i) {
        struct gd_prediction *p = c->p;
        struct gd_predicted_group *ng = realloc(p->groups, (p->n_groups + 1) * sizeof(*ng));

        if (!ng) {
                c->error = -ENOMEM;
                return -1;
        }
        p->groups = ng;
        ng[p->n_groups] = (struct gd_predicted_group) { .number = (unsigned) p->n_groups };
        c->n[i].group = (int) p->n_groups;
        p->n_groups++;
        ng = &p->groups[c->n[i].group];
        ng->devs = malloc(sizeof(*ng->devs));
        if (!ng->devs) {
                c->error = -ENOMEM;
                return -1;
        }
        ng->devs[ng->n++] = i;
        return c->n[i].group;
}

void join(struct pctx *c, size_t i, size_t with, size_t cause, enum gd_merge_kind kind, bool uncertain,
          const char *fmt, ...) {
        struct gd_prediction *p = c->p;
        struct gd_predicted_group *g = &p->groups[c->n[with].group];
        struct gd_predict_merge *nm;
        size_t *nd;
        va_list ap;
        char *reason = NULL;

        nd = realloc(g->devs, (g->n + 1) * sizeof(*nd));
        nm = realloc(p->merges, (p->n_merges + 1) * sizeof(*nm));
        if (nd)
                g->devs = nd;
        if (nm)
                p->merges = nm;
        va_start(ap, fmt);
        if (!nd || !nm || vasprintf(&reason, fmt, ap) < 0) {
                va_end(ap);
                c->error = -ENOMEM;
                return;
        }
        va_end(ap);
        g->devs[g->n++] = i;
        g->uncertain = g->uncertain || uncertain;
        c->n[i].group = c->n[with].group;
        p->merges[p->n_merges++] = (struct gd_predict_merge) {
                .dev = i, .with = with, .cause = cause, .kind = kind, .reason = reason, .uncertain = uncertain,
        };
}

/* ---- set-up ------------------------------------------------------------ */

static size_t find_node(const struct pctx *c, const char *address) {
        const struct gd_pci_dev *d = gd_host_find_dev(c->h, address);
        return d ? (size_t) (d - c->h->devs) : NO_NODE;
}

static bool below(const struct pctx *c, size_t i, size_t ancestor) {
        for (size_t cur = i, depth = 0; cur != NO_NODE && depth < 257; cur = c->n[cur].parent, depth++)
                if (cur == ancestor)
                        return true;
        return false;
}

static int remove_node(struct pctx *c, size_t i) {
        size_t *nr;

        if (!c->n[i].present)
                return 0;
        c->n[i].present = false;
        nr = realloc(c->p->removed, (c->p->n_removed + 1) * sizeof(*nr));
        if (!nr)
                return -ENOMEM;
        c->p->removed = nr;
        nr[c->p->n_removed++] = i;
        return 0;
}

static int apply_move(struct pctx *c, const struct gd_predict_move *m, char **ret_error) {
        size_t dev = find_node(c, m->device), port = find_node(c, m->port);

        if (dev == NO_NODE || port == NO_NODE) {
                if (ret_error)
                        (void) asprintf(ret_error, "move %s=%s: %s is not on this host", m->device, m->port,
                                        dev == NO_NODE ? m->device : m->port);
                return -EINVAL;
        }
        if (!gd_pci_is_bridge(c->n[port].d) || below(c, port, dev) || gd_pci_same_slot(c->n[dev].d, c->n[port].d)) {
                if (ret_error)
                        (void) asprintf(ret_error, "move %s=%s: %s is not a bridge the card could sit behind",
                                        m->device, m->port, m->port);
                return -EINVAL;
        }
        /* What sits behind the port now leaves: the slot holds one card. */
        for (size_t i = 0; i < c->nn; i++) {
                bool card = same_bus(c, i, dev) && c->n[i].d->dev == c->n[dev].d->dev;
                if (i != port && !card && below(c, i, port) && remove_node(c, i) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < c->nn; i++)
                if (i != dev && same_bus(c, i, dev) && c->n[i].d->dev == c->n[dev].d->dev)
                        c->n[i].parent = port;
        c->n[dev].parent = port;
        return 0;
}

static int setup_nodes(struct pctx *c, char **ret_error) {
        const struct gd_predict_options *o = c->o;
        const struct gd_host *h = c->h;

        for (size_t i = 0; i < c->nn; i++) {
                const struct gd_pci_dev *d = &h->devs[i];
                struct pnode *n = &c->n[i];

                *n = (struct pnode) {
                        .d = d, .parent = NO_NODE, .present = true, .translated = true, .group = -1,
                        .devfn = (d->dev & 0x1f) << 3 | (d->func & 7),
                        .pcie = d->caps.is_pcie, .type = d->caps.pcie_type, .multifunction = d->caps.multifunction,
                };
                if (d->parent) {
                        n->parent = find_node(c, d->parent);
                        if (n->parent == NO_NODE || n->parent == i)
                                pctx_unknown(c, "%s: its upstream bridge %s is not on the host; it is taken to "
                                             "sit on a root bus", d->address, d->parent);
                        if (n->parent == i)
                                n->parent = NO_NODE;
                }
                if (o->ungrouped_untranslated && d->iommu_group == GD_GROUP_NONE)
                        n->translated = false;
        }
        for (size_t k = 0; k < o->n_moves; k++) {
                int r = apply_move(c, &o->moves[k], ret_error);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < c->nn; i++) {
                quirk_dma_aliases(c, i);
                acs_setup_ctrl(c, i);
        }
        return c->error;
}

/* Notes about what lspci cannot show but could change the groups. */
static void platform_notes(struct pctx *c) {
        bool pci_bridge = false;

        for (size_t i = 0; i < c->nn; i++) {
                const struct pnode *n = &c->n[i];
                if (n->present && gd_pci_is_bridge(n->d) &&
                    (n->pcie == TRI_NO || (n->pcie == TRI_YES && n->type == PCI_EXP_TYPE_PCI_BRIDGE)))
                        pci_bridge = true;
        }
        if (c->o->ivrs != TRI_NO && pci_bridge)
                pctx_note(c, "with an AMD IOMMU, the ACPI IVRS table can alias requester IDs (alias entries for "
                          "PCIe-to-PCI bridges); such aliases join groups and do not show in lspci");
        if (c->have_override)
                pctx_note(c, "pcie_acs_override=%s is in force: the kernel assumes isolation the hardware does not "
                          "promise, so devices in different predicted groups may still reach each other by "
                          "peer-to-peer DMA", c->o->acs_override);
        if (c->o->config_acs && !kernel_at_least(c->o, 6, 11))
                pctx_note(c, "pci=config_acs= needs Linux 6.11; this kernel ignores it");
}

/* ---- probe order and results ------------------------------------------- */

struct order {
        size_t *v;
        size_t n;
};

static int cmp_devfn_of(const struct pctx *c, size_t a, size_t b) {
        const struct gd_pci_dev *x = c->n[a].d, *y = c->n[b].d;

        if (x->domain != y->domain)
                return x->domain < y->domain ? -1 : 1;
        if (x->bus != y->bus)
                return x->bus < y->bus ? -1 : 1;
        return c->n[a].devfn < c->n[b].devfn ? -1 : c->n[a].devfn > c->n[b].devfn;
}

/* The node index sorted by bus then devfn, for qsort_r(). */
static int cmp_sib(const void *a, const void *b, void *arg) {
        const struct pctx *c = arg;
        size_t x = *(const size_t *) a, y = *(const size_t *) b;

        /* The root buses first: NO_NODE + 1 wraps to 0. */
        if (c->n[x].parent != c->n[y].parent)
                return c->n[x].parent + 1 < c->n[y].parent + 1 ? -1 : 1;
        return cmp_devfn_of(c, x, y);
}

/* pctx.sib, and each node's bus and child-bus ranges in it. */
static int index_buses(struct pctx *c) {
        c->sib = calloc(c->nn + 1, sizeof(*c->sib));
        if (!c->sib)
                return -ENOMEM;
        for (size_t i = 0; i < c->nn; i++)
                if (c->n[i].present)
                        c->sib[c->n_sib++] = i;
        qsort_r(c->sib, c->n_sib, sizeof(*c->sib), cmp_sib, c);
        for (size_t k = 0; k < c->n_sib;) {
                size_t e = k + 1, par = c->n[c->sib[k]].parent;

                while (e < c->n_sib && same_bus(c, c->sib[e], c->sib[k]))
                        e++;
                for (size_t j = k; j < e; j++)
                        c->n[c->sib[j]].bus_lo = k, c->n[c->sib[j]].bus_hi = e;
                if (par != NO_NODE)
                        c->n[par].kids_lo = k, c->n[par].kids_hi = e;
                k = e;
        }
        return 0;
}

/* pci_bus_add_devices(): the devices of a bus, then each bridge's bus.  A
 * host with several root buses adds one root bus's whole tree before the
 * next (acpi_pci_root_add() per host bridge, in bus order); pctx.sib holds
 * the root buses in that order. */
static void visit_range(struct pctx *c, size_t lo, size_t hi, struct order *o, bool *seen, unsigned depth) {
        size_t first = o->n;

        if (depth > 256)
                return;
        for (size_t k = lo; k < hi; k++)
                if (!seen[c->sib[k]]) {
                        seen[c->sib[k]] = true;
                        o->v[o->n++] = c->sib[k];
                }
        for (size_t k = first, end = o->n; k < end; k++) {
                const struct pnode *n = &c->n[o->v[k]];
                if (n->kids_hi > n->kids_lo)
                        visit_range(c, n->kids_lo, n->kids_hi, o, seen, depth + 1);
        }
}

static void visit_roots(struct pctx *c, struct order *o, bool *seen) {
        for (size_t k = 0; k < c->n_sib && c->n[c->sib[k]].parent == NO_NODE;) {
                size_t hi = c->n[c->sib[k]].bus_hi;

                visit_range(c, k, hi, o, seen, 0);
                k = hi;
        }
}

static int cmp_size(const void *a, const void *b) {
        size_t x = *(const size_t *) a, y = *(const size_t *) b;
        return x < y ? -1 : x > y;
}

static int cmp_group(const void *a, const void *b) {
        return cmp_size(((const struct gd_predicted_group *) a)->devs, ((const struct gd_predicted_group *) b)->devs);
}

static void finish_groups(struct pctx *c) {
        struct gd_prediction *p = c->p;

        for (size_t g = 0; g < p->n_groups; g++)
                qsort(p->groups[g].devs, p->groups[g].n, sizeof(size_t), cmp_size);
        qsort(p->groups, p->n_groups, sizeof(*p->groups), cmp_group);
        for (size_t g = 0; g < p->n_groups; g++)
                for (size_t k = 0; k < p->groups[g].n; k++)
                        p->group_of[p->groups[g].devs[k]] = (int) g;
}

int gd_predict_groups(const struct gd_host *h, const struct gd_predict_options *o, struct gd_prediction **ret,
                      char **ret_error) {
        _cleanup_prediction_ struct gd_prediction *p = calloc(1, sizeof(*p));
        _cleanup_free_ struct pnode *nodes = NULL;
        _cleanup_free_ bool *seen = NULL;
        struct order order = { 0 };
        struct pctx c = { .h = h, .o = o };
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (!p)
                return -ENOMEM;
        p->n_devs = h->n_devs;
        nodes = calloc(h->n_devs + 1, sizeof(*nodes));
        seen = calloc(h->n_devs + 1, sizeof(*seen));
        order.v = calloc(h->n_devs + 1, sizeof(*order.v));
        p->group_of = malloc((h->n_devs + 1) * sizeof(*p->group_of));
        if (!nodes || !seen || !order.v || !p->group_of) {
                free(order.v);
                return -ENOMEM;
        }
        for (size_t i = 0; i < h->n_devs; i++)
                p->group_of[i] = -1;
        c.n = nodes;
        c.nn = h->n_devs;
        c.p = p;
        if (o->acs_override) {
                (void) acs_override_parse(o->acs_override, &c.ov);
                c.have_override = c.ov.downstream || c.ov.multifunction || c.ov.n_ids > 0;
        }
        r = setup_nodes(&c, ret_error);
        if (r < 0) {
                free(order.v);
                return r;
        }
        if (o->rules == GD_RULES_SWITCH_REWORK)
                pctx_note(&c, "rules: the proposed rework of group formation for PCIe switches (not in a "
                          "released kernel)");
        platform_notes(&c);

        r = index_buses(&c);
        if (r < 0) {
                free(order.v);
                return r;
        }
        visit_roots(&c, &order, seen);
        for (size_t k = 0; k < order.n && c.error == 0; k++) {
                size_t i = order.v[k];

                if (!c.n[i].translated)
                        continue;
                if (o->rules == GD_RULES_SWITCH_REWORK)
                        r = rework_group(&c, i);
                else
                        classic_group(&c, i);
        }
        /* Devices in no probe order: below a bridge that is not there. */
        for (size_t i = 0; i < c.nn; i++)
                if (c.n[i].present && !seen[i])
                        pctx_unknown(&c, "%s: not reachable from a root bus in the model", h->devs[i].address);
        free(order.v);
        free(c.shared);
        free(c.sib);
        if (c.error < 0)
                return c.error;
        finish_groups(&c);
        *ret = TAKE_PTR(p);
        return 0;
}

struct gd_prediction *gd_prediction_free(struct gd_prediction *p) {
        if (!p)
                return NULL;
        for (size_t g = 0; g < p->n_groups; g++)
                free(p->groups[g].devs);
        free(p->groups);
        for (size_t k = 0; k < p->n_merges; k++)
                free(p->merges[k].reason);
        free(p->merges);
        free(p->group_of);
        strv_free(p->unknowns);
        strv_free(p->notes);
        free(p->removed);
        free(p);
        return NULL;
}

const struct gd_predicted_group *gd_prediction_group_of(const struct gd_host *h, const struct gd_prediction *p,
                                                        const char *address) {
        const struct gd_pci_dev *d = gd_host_find_dev(h, address);
        int g;

        if (!d || (size_t) (d - h->devs) >= p->n_devs)
                return NULL;
        g = p->group_of[d - h->devs];
        return g >= 0 ? &p->groups[g] : NULL;
}

/* A pci= option's value: the part after "name=" up to its ','. */
static const char *pci_option(const struct gd_host *h, const char *name) {
        const char *found = NULL;
        size_t nl = strlen(name);

        for (size_t k = 0; k < h->cmdline.n_args; k++) {
                const struct gd_cmdline_arg *a = &h->cmdline.args[k];

                if (!streq(a->key, "pci") || !a->value)
                        continue;
                for (const char *t = a->value; t && *t; t = strchr(t, ',') ? strchr(t, ',') + 1 : NULL)
                        if (strncmp(t, name, nl) == 0 && t[nl] == '=')
                                found = t + nl + 1;
        }
        return found;
}

void gd_predict_options_from_host(const struct gd_host *h, struct gd_predict_options *ret) {
        const struct gd_cmdline_arg *ov = gd_cmdline_find_last(&h->cmdline, "pcie_acs_override");
        bool have_groups = h->groups_state == 0 && h->n_groups > 0;

        *ret = (struct gd_predict_options) {
                .acs_ctrl = have_groups ? GD_ACS_CTRL_SHOWN : GD_ACS_CTRL_KERNEL,
                .rules = GD_RULES_CLASSIC,
                .acs_override = ov ? ov->value : NULL,
                .disable_acs_redir = pci_option(h, "disable_acs_redir"),
                .config_acs = pci_option(h, "config_acs"),
                .ivrs = h->acpi_ivrs,
                .ungrouped_untranslated = have_groups,
        };
        if (!h->kernel_release ||
            sscanf(h->kernel_release, "%u.%u", &ret->kernel_major, &ret->kernel_minor) != 2)
                ret->kernel_major = ret->kernel_minor = 0;
}
