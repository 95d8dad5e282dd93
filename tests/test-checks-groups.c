/* SPDX-License-Identifier: MIT */
/* The groups, drivers and vfio checks on small host models built in C, and
 * the pure vfio-pci ids= helpers they share (checks/vfio-ids.h); the same
 * families on host fixtures are in test-checks-groups-fixtures.c,
 * test-checks-drivers.c and test-checks-vfio.c. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "checks/families.h"
#include "checks/vfio-ids.h"
#include "model/bootconfig.h"
#include "model/modconfig.h"

/* ---- a tiny host ------------------------------------------------------ */

struct devspec {
        const char *address, *parent, *driver;
        uint32_t class_code;
        uint16_t vendor, device;
        int group;
        unsigned pcie_type;    /* for bridges: 4 root port, 6 downstream */
        tri_t acs;
};

static struct gd_host *host_new(const struct devspec *spec, size_t n) {
        struct gd_host *h = gd_host_new();

        cr_assert_not_null(h);
        h->devs = calloc(n, sizeof(*h->devs));
        h->n_devs = n;
        for (size_t i = 0; i < n; i++) {
                struct gd_pci_dev *d = &h->devs[i];
                unsigned dom, bus, dev, fn;

                cr_assert_eq(sscanf(spec[i].address, "%x:%x:%x.%x", &dom, &bus, &dev, &fn), 4);
                snprintf(d->address, sizeof(d->address), "%s", spec[i].address);
                d->domain = dom, d->bus = bus, d->dev = dev, d->func = fn;
                d->class_code = spec[i].class_code;
                d->vendor = spec[i].vendor, d->device = spec[i].device;
                d->driver = spec[i].driver ? strdup(spec[i].driver) : NULL;
                d->driver_known = TRI_YES;
                d->parent = spec[i].parent ? strdup(spec[i].parent) : NULL;
                d->is_bridge = (spec[i].class_code >> 8) == 0x0604;
                d->iommu_group = spec[i].group;
                d->caps.is_pcie = TRI_YES;
                d->caps.pcie_type = spec[i].pcie_type;
                d->caps.acs = spec[i].acs;
        }
        h->pci_state = 0;
        h->groups_state = 0;
        return h;
}

static void host_add_group(struct gd_host *h, int id) {
        struct gd_iommu_group *g;

        h->groups = realloc(h->groups, (h->n_groups + 1) * sizeof(*h->groups));
        g = &h->groups[h->n_groups++];
        memset(g, 0, sizeof(*g));
        g->id = id;
        g->type = strdup("DMA");
        for (size_t i = 0; i < h->n_devs; i++)
                if (h->devs[i].iommu_group == id)
                        strv_push_dup(&g->devices, h->devs[i].address);
}

static bool has_subject(const struct gd_findings *f, const char *id, const char *subject) {
        for (size_t i = 0; i < f->n; i++)
                if (strcmp(f->items[i].id, id) == 0 && gd_finding_has_subject(&f->items[i], subject))
                        return true;
        return false;
}

static bool evidence_mentions(const struct gd_finding *x, const char *needle) {
        for (size_t i = 0; i < x->n_evidence; i++)
                if (strstr(x->evidence[i].text, needle))
                        return true;
        return false;
}

/* Root port 00:01.2 without ACS, a GPU with audio at 01:00.x below it. */
#define ROOT_PORT(acs) { "0000:00:01.2", NULL, "pcieport", 0x060400, 0x1022, 0x1483, 0, 4, acs }
#define GPU(drv)       { "0000:01:00.0", "0000:00:01.2", drv, 0x030000, 0x10de, 0x1e07, 0, 0, TRI_UNKNOWN }
#define AUDIO(drv)     { "0000:01:00.1", "0000:00:01.2", drv, 0x040300, 0x10de, 0x10f7, 0, 0, TRI_UNKNOWN }

static void run_check(void (*check)(const struct gd_host *, const struct gd_targets *, struct gd_findings *),
                       const struct gd_host *h, struct gd_findings *f) {
        struct gd_targets t = { 0 };

        cr_assert_eq(gd_targets_find(h, NULL, &t), 0);
        check(h, &t, f);
        gd_targets_clear(&t);
}

/* ---- groups ----------------------------------------------------------- */

Test(groups, bridge_in_the_group_is_not_an_intruder) {
        const struct devspec spec[] = { ROOT_PORT(TRI_NO), GPU("vfio-pci"), AUDIO("vfio-pci") };
        _cleanup_host_ struct gd_host *h = host_new(spec, ELEMENTSOF(spec));
        struct gd_findings f = { 0 };

        host_add_group(h, 0);
        run_check(gd_check_groups, h, &f);
        cr_expect_null(gd_findings_find(&f, "group.shared"));
        cr_expect(gd_findings_proven(&f, GD_PROOF_GROUP, "0000:01:00.0"));
        cr_expect(gd_findings_proven(&f, GD_PROOF_GROUP, "0000:01:00.1"));
        gd_findings_clear(&f);
}

Test(groups, intruder_behind_bridge_without_acs_is_named) {
        const struct devspec spec[] = {
                ROOT_PORT(TRI_NO), GPU("vfio-pci"), AUDIO("vfio-pci"),
                { "0000:02:00.0", "0000:00:01.2", "ahci", 0x010601, 0x1022, 0x7901, 0, 0, TRI_UNKNOWN },
        };
        _cleanup_host_ struct gd_host *h = host_new(spec, ELEMENTSOF(spec));
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        host_add_group(h, 0);
        run_check(gd_check_groups, h, &f);
        x = gd_findings_find(&f, "group.shared");
        cr_assert_not_null(x);
        cr_expect_eq(x->effect, GD_EFFECT_BLOCKS);
        cr_expect(gd_finding_has_subject(x, "0000:02:00.0"));
        cr_expect(gd_finding_has_subject(x, "group:0"));
        cr_expect(evidence_mentions(x, "ahci"));
        cr_expect(evidence_mentions(x, "has no ACS capability"));
        cr_expect_not(gd_findings_proven(&f, GD_PROOF_GROUP, "0000:01:00.0"));
        cr_expect_not_null(strstr(x->remedy, "driverctl set-override 0000:02:00.0 vfio-pci"));
        cr_expect_not_null(strstr(x->remedy, "pcie_acs_override"));
        gd_findings_clear(&f);
}

Test(groups, intruder_already_on_vfio_does_not_block) {
        const struct devspec spec[] = {
                ROOT_PORT(TRI_YES), GPU("vfio-pci"), AUDIO("vfio-pci"),
                { "0000:02:00.0", "0000:00:01.2", "vfio-pci", 0x010601, 0x1022, 0x7901, 0, 0, TRI_UNKNOWN },
        };
        _cleanup_host_ struct gd_host *h = host_new(spec, ELEMENTSOF(spec));
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        host_add_group(h, 0);
        run_check(gd_check_groups, h, &f);
        x = gd_findings_find(&f, "group.shared");
        cr_assert_not_null(x);
        cr_expect_eq(x->effect, GD_EFFECT_NONE);
        cr_expect(gd_findings_proven(&f, GD_PROOF_GROUP, "0000:01:00.0"));
        gd_findings_clear(&f);
}

Test(groups, functions_on_different_drivers_are_split) {
        const struct devspec spec[] = { ROOT_PORT(TRI_NO), GPU("vfio-pci"), AUDIO("snd_hda_intel") };
        _cleanup_host_ struct gd_host *h = host_new(spec, ELEMENTSOF(spec));
        struct gd_findings f = { 0 };

        host_add_group(h, 0);
        run_check(gd_check_groups, h, &f);
        cr_expect(has_subject(&f, "gpu.functions-split", "0000:01:00.1"));
        gd_findings_clear(&f);
}

Test(groups, target_without_group_reports_nothing) {
        const struct devspec spec[] = { ROOT_PORT(TRI_NO), GPU("nouveau"), AUDIO("snd_hda_intel") };
        _cleanup_host_ struct gd_host *h = host_new(spec, ELEMENTSOF(spec));
        struct gd_findings f = { 0 };

        for (size_t i = 0; i < h->n_devs; i++)
                h->devs[i].iommu_group = GD_GROUP_NONE;
        h->groups_state = -ENOENT;
        run_check(gd_check_groups, h, &f);
        cr_expect_eq(f.n, 0);
        gd_findings_clear(&f);
}

/* ---- drivers ---------------------------------------------------------- */

Test(drivers, audio_on_snd_hda_intel_is_host_bound) {
        const struct devspec spec[] = { ROOT_PORT(TRI_NO), GPU("vfio-pci"), AUDIO("snd_hda_intel") };
        _cleanup_host_ struct gd_host *h = host_new(spec, ELEMENTSOF(spec));
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        host_add_group(h, 0);
        run_check(gd_check_drivers, h, &f);
        x = gd_findings_find(&f, "driver.host-bound");
        cr_assert_not_null(x);
        cr_expect(gd_finding_has_subject(x, "0000:01:00.1"));
        cr_expect_not(gd_finding_has_subject(x, "0000:01:00.0"));
        cr_expect_not_null(strstr(x->remedy, "options vfio-pci ids=10de:1e07,10de:10f7"));
        cr_expect_not_null(strstr(x->remedy, "softdep snd_hda_intel pre: vfio-pci"));
        cr_expect(gd_findings_proven(&f, GD_PROOF_DRIVER, "0000:01:00.0"));
        cr_expect_not(gd_findings_proven(&f, GD_PROOF_DRIVER, "0000:01:00.1"));
        gd_findings_clear(&f);
}

Test(drivers, unreadable_driver_link_is_unknown_not_ready) {
        const struct devspec spec[] = { ROOT_PORT(TRI_NO), GPU("vfio-pci"), AUDIO(NULL) };
        _cleanup_host_ struct gd_host *h = host_new(spec, ELEMENTSOF(spec));
        struct gd_findings f = { 0 };

        h->devs[2].driver_known = TRI_UNKNOWN;
        run_check(gd_check_drivers, h, &f);
        cr_expect(has_subject(&f, "fact.unreadable", "0000:01:00.1"));
        cr_expect_null(gd_findings_find(&f, "driver.unbound"));
        gd_findings_clear(&f);
}

/* ---- vfio ------------------------------------------------------------- */

static struct gd_bootconfig *bootconfig_with(const char *name, const char *value) {
        struct gd_bootconfig *b = calloc(1, sizeof(*b));
        b->kconfig = calloc(1, sizeof(*b->kconfig));
        b->kconfig[0].name = strdup(name);
        b->kconfig[0].value = strdup(value);
        b->n_kconfig = 1;
        b->kconfig_source = strdup("/boot/config-6.8.0");
        return b;
}

static struct gd_modconfig *modconfig_with_ids(const char *ids, const char *path) {
        struct gd_modconfig *m = calloc(1, sizeof(*m));
        struct gd_source src = { path, 3 };

        m->loaded = calloc(1, sizeof(char *));
        cr_assert_eq(gd_vfio_ids_parse(ids, &src, &m->vfio_ids, &m->n_vfio_ids), 0);
        return m;
}

Test(vfio, builtin_vfio_pci_ignores_modprobe_ids) {
        const struct devspec spec[] = { ROOT_PORT(TRI_NO), GPU("nouveau"), AUDIO("snd_hda_intel") };
        _cleanup_host_ struct gd_host *h = host_new(spec, ELEMENTSOF(spec));
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        h->bootconfig = bootconfig_with("CONFIG_VFIO_PCI", "y");
        h->modconfig = modconfig_with_ids("10de:1e07,10de:10f7", "/etc/modprobe.d/vfio.conf");
        run_check(gd_check_vfio, h, &f);
        x = gd_findings_find(&f, "vfio.builtin-ignores-modprobe");
        cr_assert_not_null(x);
        cr_expect(gd_finding_has_subject(x, "0000:01:00.0"));
        gd_findings_clear(&f);
}

Test(vfio, modular_vfio_pci_reads_modprobe_ids) {
        const struct devspec spec[] = { ROOT_PORT(TRI_NO), GPU("nouveau"), AUDIO("snd_hda_intel") };
        _cleanup_host_ struct gd_host *h = host_new(spec, ELEMENTSOF(spec));
        struct gd_findings f = { 0 };

        h->bootconfig = bootconfig_with("CONFIG_VFIO_PCI", "m");
        h->modconfig = modconfig_with_ids("10de:1e07,10de:10f7", "/etc/modprobe.d/vfio.conf");
        run_check(gd_check_vfio, h, &f);
        cr_expect_null(gd_findings_find(&f, "vfio.builtin-ignores-modprobe"));
        cr_expect_null(gd_findings_find(&f, "vfio.ids-mismatch"));
        gd_findings_clear(&f);
}

Test(vfio, ids_missing_a_function_are_corrected) {
        const struct devspec spec[] = { ROOT_PORT(TRI_NO), GPU("vfio-pci"), AUDIO("vfio-pci") };
        _cleanup_host_ struct gd_host *h = host_new(spec, ELEMENTSOF(spec));
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        h->modconfig = modconfig_with_ids("10de:1e07", "/etc/modprobe.d/vfio.conf");
        run_check(gd_check_vfio, h, &f);
        x = gd_findings_find(&f, "vfio.ids-mismatch");
        cr_assert_not_null(x);
        cr_expect(gd_finding_has_subject(x, "0000:01:00.1"));
        cr_expect_not_null(strstr(x->remedy, "ids=10de:1e07,10de:10f7"));
        gd_findings_clear(&f);
}

/* ---- pure helpers ----------------------------------------------------- */

Test(vfio_ids, parse_follows_vfio_pci_fill_ids) {
        struct gd_vfio_id *ids = NULL;
        size_t n = 0;

        cr_assert_eq(gd_vfio_ids_parse("10de:1e07,,10de-10f7,10de:1ad6:1458:403b", NULL, &ids, &n), 0);
        cr_assert_eq(n, 3);
        cr_expect(ids[0].valid);
        cr_expect_not(ids[1].valid);
        cr_expect(ids[2].valid);
        cr_expect_eq(ids[0].subvendor, 0xffffffffu);
        cr_expect_eq(ids[2].subvendor, 0x1458);
        gd_vfio_ids_free(ids, n);
}

Test(vfio_ids, subsystem_fields_must_match_when_given) {
        struct gd_pci_dev d = { .vendor = 0x10de, .device = 0x1ad6, .has_subsys = true,
                                .subsys_vendor = 0x1458, .subsys_device = 0x1234 };
        struct gd_vfio_id *ids = NULL;
        size_t n = 0;

        cr_assert_eq(gd_vfio_ids_parse("10de:1ad6,10de:1ad6:1458:403b,ffffffff:1ad6", NULL, &ids, &n), 0);
        cr_expect(gd_vfio_id_matches(&ids[0], &d));
        cr_expect_not(gd_vfio_id_matches(&ids[1], &d));
        cr_expect(gd_vfio_id_matches(&ids[2], &d));
        gd_vfio_ids_free(ids, n);
}

Test(vfio_ids, target_ids_are_listed_once_in_address_order) {
        struct gd_pci_dev a = { .vendor = 0x10de, .device = 0x1e07 }, b = { .vendor = 0x10de, .device = 0x10f7 },
                          c = { .vendor = 0x10de, .device = 0x10f7 };
        const struct gd_pci_dev *fns[] = { &a, &b, &c };
        struct gd_target t = { .gpu = &a, .functions = fns, .n_functions = 3 };
        _cleanup_free_ char *s = gd_vfio_ids_for_target(&t);

        cr_expect_str_eq(s, "10de:1e07,10de:10f7");
}

Test(vfio_ids, kernel_version_reads_major_and_minor) {
        unsigned major = 0, minor = 0;

        cr_expect(gd_kernel_version("6.8.12-4-pve", &major, &minor));
        cr_expect_eq(major, 6);
        cr_expect_eq(minor, 8);
        cr_expect_not(gd_kernel_version("unknown", &major, &minor));
}
