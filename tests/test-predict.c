/* SPDX-License-Identifier: MIT */
/* The IOMMU group predictor on small hand-written topologies
 * (fixtures/predict/ *.topo, format in fixtures/predict/README.md): each
 * file names one kernel rule, the partition it must give, and the reasons
 * it must state. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "predict/predict.h"

#define MAX_DEVS 64
#define MAX_MOVES 4

struct topo {
        struct gd_host *h;
        char labels[MAX_DEVS][16];
        struct gd_predict_options o;
        struct gd_predict_move moves[MAX_MOVES];
        char *opt_text[8];
        size_t n_opt_text;
        char **ungrouped;
        char **expects;         /* the expect lines, verbatim */
};

static const struct { const char *name; tri_t pcie; unsigned type; } types[] = {
        { "endpoint", TRI_YES, 0 }, { "legacy", TRI_YES, 1 }, { "root", TRI_YES, 4 }, { "up", TRI_YES, 5 },
        { "down", TRI_YES, 6 }, { "pcie2pci", TRI_YES, 7 }, { "pci2pcie", TRI_YES, 8 }, { "rciep", TRI_YES, 9 },
        { "rcec", TRI_YES, 10 }, { "pci", TRI_NO, 0 }, { "?", TRI_UNKNOWN, 0 },
};

static char *keep(struct topo *t, const char *s) {
        cr_assert_lt(t->n_opt_text, ELEMENTSOF(t->opt_text));
        return t->opt_text[t->n_opt_text++] = strdup(s);
}

static void parse_option(struct topo *t, const char *kv) {
        const char *eq = strchr(kv, '=');
        const char *v = eq ? eq + 1 : "";

        cr_assert_not_null(eq, "option without '=': %s", kv);
        if (startswith(kv, "ctrl="))
                t->o.acs_ctrl = streq(v, "shown") ? GD_ACS_CTRL_SHOWN : GD_ACS_CTRL_KERNEL;
        else if (startswith(kv, "kernel="))
                cr_assert_eq(sscanf(v, "%u.%u", &t->o.kernel_major, &t->o.kernel_minor), 2);
        else if (startswith(kv, "override="))
                t->o.acs_override = keep(t, v);
        else if (startswith(kv, "disable_acs_redir="))
                t->o.disable_acs_redir = keep(t, v);
        else if (startswith(kv, "config_acs="))
                t->o.config_acs = keep(t, v);
        else if (startswith(kv, "ivrs="))
                t->o.ivrs = streq(v, "yes") ? TRI_YES : TRI_NO;
        else if (startswith(kv, "rules="))
                t->o.rules = streq(v, "rework") ? GD_RULES_SWITCH_REWORK : GD_RULES_CLASSIC;
        else if (startswith(kv, "ungrouped="))
                cr_assert_eq(strv_push_dup(&t->ungrouped, v), 0);
        else if (startswith(kv, "move=")) {
                cr_assert_lt(t->o.n_moves, MAX_MOVES);
                cr_assert_eq(sscanf(v, "%12[0-9a-f:.]=%12[0-9a-f:.]", t->moves[t->o.n_moves].device,
                                    t->moves[t->o.n_moves].port), 2, "bad move %s", v);
                t->o.n_moves++;
                t->o.moves = t->moves;
        } else
                cr_assert_fail("unknown option %s", kv);
}

static void parse_device(struct topo *t, const char *line) {
        char addr[13], parent[16], type[16], ids[16], mf[8], acs[16], label[16];
        unsigned cls, v, d, cap, ctrl, dom, bus, dev, fn;
        struct gd_pci_dev *x;
        size_t k;

        cr_assert_eq(sscanf(line, "%12s %15s %15s %15s %x %7s %15s %15s", addr, parent, type, ids, &cls, mf, acs, label),
                     8, "bad device line: %s", line);
        cr_assert_lt(t->h->n_devs, MAX_DEVS);
        x = &t->h->devs[t->h->n_devs];
        cr_assert_eq(sscanf(addr, "%x:%x:%x.%x", &dom, &bus, &dev, &fn), 4, "bad address %s", addr);
        cr_assert_eq(sscanf(ids, "%x:%x", &v, &d), 2, "bad ids %s", ids);
        snprintf(x->address, sizeof(x->address), "%s", addr);
        x->domain = dom, x->bus = bus, x->dev = dev, x->func = fn;
        x->vendor = (uint16_t) v, x->device = (uint16_t) d;
        x->class_code = cls << 8;
        x->is_bridge = gd_pci_is_bridge(x);
        x->parent = streq(parent, "-") ? NULL : strdup(parent);
        x->iommu_group = GD_GROUP_NONE;
        x->details_read = true;
        x->caps.config_complete = TRI_YES;
        x->caps.secondary_bus = -1;
        x->caps.multifunction = streq(mf, "yes") ? TRI_YES : streq(mf, "no") ? TRI_NO : TRI_UNKNOWN;
        for (k = 0; k < ELEMENTSOF(types); k++)
                if (streq(types[k].name, type))
                        break;
        cr_assert_lt(k, ELEMENTSOF(types), "unknown type %s", type);
        x->caps.is_pcie = types[k].pcie;
        x->caps.pcie_type = types[k].type;
        if (streq(acs, "-"))
                x->caps.acs = types[k].pcie == TRI_UNKNOWN ? TRI_UNKNOWN : TRI_NO;
        else if (streq(acs, "?"))
                x->caps.acs = TRI_UNKNOWN;
        else {
                cr_assert_eq(sscanf(acs, "%x/%x", &cap, &ctrl), 2, "bad acs %s", acs);
                x->caps.acs = TRI_YES;
                x->caps.acs_cap = (uint16_t) cap;
                x->caps.acs_ctrl = (uint16_t) ctrl;
        }
        snprintf(t->labels[t->h->n_devs], sizeof(t->labels[0]), "%s", label);
        t->h->n_devs++;
}

static void load(struct topo *t, const char *name) {
        _cleanup_free_ char *dir = getenv("GPUDIAG_SRCDIR") ? strdup(getenv("GPUDIAG_SRCDIR")) : strdup(".");
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t len;

        memset(t, 0, sizeof(*t));
        t->o.acs_ctrl = GD_ACS_CTRL_SHOWN;
        t->o.rules = GD_RULES_CLASSIC;
        t->o.ivrs = TRI_UNKNOWN;
        cr_assert(asprintf(&path, "%s/fixtures/predict/%s", dir, name) > 0);
        cr_assert_eq(read_file_capped(path, 1 << 20, &text, &len), 0, "cannot read %s", path);
        t->h = gd_host_new();
        t->h->devs = calloc(MAX_DEVS, sizeof(*t->h->devs));
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                while (*line == ' ')
                        line++;
                if (*line == '#' || *line == '\0')
                        continue;
                if (startswith(line, "option "))
                        parse_option(t, line + 7);
                else if (startswith(line, "expect "))
                        cr_assert_eq(strv_push_dup(&t->expects, line + 7), 0);
                else
                        parse_device(t, line);
        }
        /* The reader gives secondary buses from config space; here they are
         * the bus of a device below the bridge. */
        for (size_t i = 0; i < t->h->n_devs; i++)
                for (size_t j = 0; j < t->h->n_devs; j++)
                        if (streq(t->h->devs[j].parent, t->h->devs[i].address))
                                t->h->devs[i].caps.secondary_bus = (int) t->h->devs[j].bus;
        /* Devices the IOMMU does not translate: a host with groups where
         * they have none. */
        if (t->ungrouped) {
                for (size_t i = 0; i < t->h->n_devs; i++)
                        t->h->devs[i].iommu_group = strv_contains(t->ungrouped, t->h->devs[i].address) ? GD_GROUP_NONE : 0;
                t->o.ungrouped_untranslated = true;
        }
}

static void unload(struct topo *t) {
        gd_host_free(t->h);
        strv_free(t->expects);
        strv_free(t->ungrouped);
        for (size_t k = 0; k < t->n_opt_text; k++)
                free(t->opt_text[k]);
}

static size_t dev_index(const struct topo *t, const char *address) {
        const struct gd_pci_dev *d = gd_host_find_dev(t->h, address);
        cr_assert_not_null(d, "no device %s in the topology", address);
        return (size_t) (d - t->h->devs);
}

static const struct gd_predict_merge *merge_of(const struct gd_prediction *p, size_t dev) {
        for (size_t k = 0; k < p->n_merges; k++)
                if (p->merges[k].dev == dev)
                        return &p->merges[k];
        return NULL;
}

static bool any_contains(char **l, const char *needle) {
        for (; l && *l; l++)
                if (strstr(*l, needle))
                        return true;
        return false;
}

static void check_expect(const struct topo *t, const struct gd_prediction *p, const char *e) {
        char what[16], dev[16], arg[32];
        const struct gd_predict_merge *m;

        cr_assert_geq(sscanf(e, "%15s %15s", what, dev), 1);
        if (streq(what, "merge")) {
                cr_assert_eq(sscanf(e, "%*s %15s %15s %15s", dev, what, arg), 3, "bad expect: %s", e);
                m = merge_of(p, dev_index(t, dev));
                cr_assert_not_null(m, "%s: no merge recorded", dev);
                cr_assert_str_eq(gd_merge_kind_to_string(m->kind), what, "%s: merge kind", dev);
                cr_assert_str_eq(t->h->devs[m->cause].address, arg, "%s: merge cause (reason: %s)", dev, m->reason);
        } else if (streq(what, "reason")) {
                const char *text = strstr(e, dev) + strlen(dev) + 1;
                m = merge_of(p, dev_index(t, dev));
                cr_assert_not_null(m, "%s: no merge recorded", dev);
                cr_assert(strstr(m->reason, text), "%s: reason '%s' lacks '%s'", dev, m->reason, text);
        } else if (streq(what, "unknown")) {
                cr_assert(any_contains(p->unknowns, dev), "no unknown fact names %s", dev);
        } else if (streq(what, "uncertain")) {
                m = merge_of(p, dev_index(t, dev));
                cr_assert(m && m->uncertain, "%s: merge not marked uncertain", dev);
                cr_assert(p->groups[p->group_of[dev_index(t, dev)]].uncertain);
        } else if (streq(what, "note")) {
                cr_assert(any_contains(p->notes, e + 5), "no note contains '%s'", e + 5);
        } else if (streq(what, "removed")) {
                size_t i = dev_index(t, dev);
                bool found = false;
                for (size_t k = 0; k < p->n_removed; k++)
                        found = found || p->removed[k] == i;
                cr_assert(found, "%s was not removed", dev);
        } else
                cr_assert_fail("unknown expectation %s", e);
}

/* Same label <=> same predicted group; "x" <=> no group. */
static void check_partition(const struct topo *t, const struct gd_prediction *p) {
        for (size_t i = 0; i < t->h->n_devs; i++) {
                cr_assert_eq(p->group_of[i] < 0, streq(t->labels[i], "x"), "%s: group %d, label %s",
                             t->h->devs[i].address, p->group_of[i], t->labels[i]);
                for (size_t j = 0; j < t->h->n_devs; j++) {
                        bool want = streq(t->labels[i], t->labels[j]) && !streq(t->labels[i], "x");
                        bool got = p->group_of[i] >= 0 && p->group_of[i] == p->group_of[j];
                        cr_assert_eq(got, want, "%s and %s: predicted %s, expected %s", t->h->devs[i].address,
                                     t->h->devs[j].address, got ? "together" : "apart", want ? "together" : "apart");
                }
        }
}

static void check_topology(const char *name) {
        _cleanup_prediction_ struct gd_prediction *p = NULL;
        _cleanup_free_ char *error = NULL;
        struct topo t;

        load(&t, name);
        cr_assert_eq(gd_predict_groups(t.h, &t.o, &p, &error), 0, "%s: %s", name, error ? error : "failed");
        check_partition(&t, p);
        for (char **e = t.expects; e && *e; e++)
                check_expect(&t, p, *e);
        /* Every merge says why. */
        for (size_t k = 0; k < p->n_merges; k++)
                cr_assert(p->merges[k].reason && strlen(p->merges[k].reason) > 20);
        unload(&t);
}

Test(predict, root_ports_with_acs_isolate_each_slot) {
        check_topology("root-port-with-acs-isolates-each-slot.topo");
}

Test(predict, root_port_without_acs_takes_everything_below) {
        check_topology("root-port-without-acs-takes-everything-below.topo");
}

Test(predict, device_below_a_downstream_port_missing_a_bit_joins_the_port) {
        check_topology("downstream-port-missing-a-bit.topo");
}

Test(predict, rework_rules_join_the_whole_switch_when_one_port_leaks) {
        check_topology("downstream-port-missing-a-bit-rework.topo");
}

Test(predict, multifunction_endpoint_functions_split_only_with_acs) {
        check_topology("multifunction-endpoint-with-and-without-acs.topo");
}

Test(predict, pcie_to_pci_bridge_takes_the_requester_ids_below_it) {
        check_topology("pcie-to-pci-bridge-takes-requester-ids.topo");
}

Test(predict, intel_pch_root_ports_on_the_quirk_list_isolate) {
        check_topology("intel-pch-root-ports-quirk.topo");
}

Test(predict, sunrise_point_ports_isolate_although_lspci_shows_no_control) {
        check_topology("intel-sunrise-point-acs-control-not-shown.topo");
}

Test(predict, acs_override_downstream_spares_ports_that_have_the_capability) {
        check_topology("acs-override-downstream.topo");
}

Test(predict, acs_override_multifunction_splits_functions) {
        check_topology("acs-override-multifunction.topo");
}

Test(predict, acs_override_id_names_one_port) {
        check_topology("acs-override-id.topo");
}

Test(predict, ricoh_function_alias_joins_function_zero) {
        check_topology("ricoh-function-zero-alias.topo");
}

Test(predict, iommu_off_what_if_derives_control_from_the_capability) {
        check_topology("acs-control-derived-when-iommu-off.topo");
}

Test(predict, control_taken_as_read_when_the_iommu_was_on) {
        check_topology("acs-control-shown-as-read.topo");
}

Test(predict, disable_acs_redir_merges_below_the_named_port) {
        check_topology("disable-acs-redir-merges.topo");
}

Test(predict, config_acs_leaving_reqredir_off_merges) {
        check_topology("config-acs-sets-bits.topo");
}

Test(predict, config_acs_is_ignored_before_6_11) {
        check_topology("config-acs-ignored-before-6-11.topo");
}

Test(predict, unknown_acs_is_reported_not_guessed) {
        check_topology("unknown-acs-is-said-not-guessed.topo");
}

Test(predict, moving_a_card_behind_a_cpu_port_isolates_it) {
        check_topology("move-card-to-cpu-slot.topo");
}

Test(predict, a_move_to_a_device_that_is_not_a_bridge_is_refused) {
        _cleanup_prediction_ struct gd_prediction *p = NULL;
        _cleanup_free_ char *error = NULL;
        struct topo t;

        load(&t, "move-card-to-cpu-slot.topo");
        snprintf(t.moves[0].port, sizeof(t.moves[0].port), "0000:03:00.0");
        cr_assert_eq(gd_predict_groups(t.h, &t.o, &p, &error), -EINVAL);
        cr_assert_not_null(error);
        cr_assert(strstr(error, "0000:03:00.0 is not a bridge"), "%s", error);
        unload(&t);
}

Test(predict, diff_names_what_reality_adds_and_removes) {
        _cleanup_prediction_ struct gd_prediction *p = NULL;
        _cleanup_group_diff_ struct gd_group_diff *d = NULL;
        struct topo t;
        size_t gpu;

        /* Predicted: the chipset port takes GPU and NIC.  Reality (as if an
         * override had been on): the GPU alone. */
        load(&t, "root-port-without-acs-takes-everything-below.topo");
        cr_assert_eq(gd_predict_groups(t.h, &t.o, &p, NULL), 0);
        for (size_t i = 0; i < t.h->n_devs; i++)
                t.h->devs[i].iommu_group = (int) i;
        gpu = dev_index(&t, "0000:02:00.0");
        t.h->devs[dev_index(&t, "0000:02:00.1")].iommu_group = (int) gpu;
        t.h->devs[dev_index(&t, "0000:00:1f.3")].iommu_group = t.h->devs[dev_index(&t, "0000:00:1f.0")].iommu_group;
        cr_assert_eq(gd_prediction_diff(t.h, p, &d), 0);
        cr_assert_eq(d->n_compared, t.h->n_devs);
        cr_assert(!gd_group_diff_dev_exact(d, gpu));
        for (size_t k = 0; k < d->n_devs; k++)
                if (d->devs[k].dev == gpu) {
                        cr_assert(strv_contains(d->devs[k].extra, "0000:00:1c.0"));
                        cr_assert(strv_contains(d->devs[k].extra, "0000:03:00.0"));
                        cr_assert_null(d->devs[k].missing);
                }
        cr_assert(gd_group_diff_dev_exact(d, dev_index(&t, "0000:00:1f.3")));
        unload(&t);
}
