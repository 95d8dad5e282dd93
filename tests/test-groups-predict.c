/* SPDX-License-Identifier: MIT */
/* gpudiag groups --predict on public lspci -vvnn dumps imported as a user
 * would (`gpudiag import`, then --bundle): the predicted partition against
 * the dump's own "IOMMU group:" lines, the reason a merge names, an
 * override, a what-if move, and the usage errors.  What is expected comes
 * from the dumps and their header notes (sysfs-snapshots/lspci-vv/), not
 * from the predictor. */
#include <criterion/criterion.h>
#include <libfyaml.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/macro.h"
#include "base/strv.h"
#include "run-program.h"

#define X570 "sysfs-snapshots/lspci-vv/gigabyte-x570-aorus-elite-wifi-rtx2070-pve-6.5.txt"
#define X670 "sysfs-snapshots/lspci-vv/gigabyte-x670-aorus-elite-ax-raphael-rtx2070-rx5700-chipset-slot-pve-6.5.txt"

/* The dump imported into a temporary bundle; its path. */
static char *import_dump(const char *relative) {
        _cleanup_free_ char *dump = source_path(relative), *err = NULL;
        char *bundle = NULL;
        int fd;

        cr_assert(asprintf(&bundle, "/tmp/gd-predict-XXXXXX.yaml") > 0);
        fd = mkstemps(bundle, 5);
        cr_assert(fd >= 0);
        close(fd);
        char *args[] = { (char *) "import", (char *) "-o", bundle, dump, NULL };
        cr_assert_eq(run_gpudiag_args(args, NULL, &err), 0, "import %s: %s", relative, err);
        return bundle;
}

/* gpudiag groups --bundle B --predict ARGS...; the exit status. */
static int predict(const char *bundle, const char *a1, const char *a2, const char *a3, char **out, char **err) {
        char *args[] = { (char *) "groups", (char *) "--bundle", (char *) bundle, (char *) "--predict",
                         (char *) a1, (char *) a2, (char *) a3, NULL };
        return run_gpudiag_args(args, out, err);
}

static struct fy_document *predict_json(const char *bundle, const char *a1, const char *a2) {
        char *args[] = { (char *) "groups", (char *) "--bundle", (char *) bundle, (char *) "--predict",
                         (char *) "--format", (char *) "json", (char *) a1, (char *) a2, NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        struct fy_document *doc;
        int rc = run_gpudiag_args(args, &out, &err);

        cr_assert_eq(rc, 0, "groups --predict --format json: exit %d: %s", rc, err);
        /* The document keeps pointing into the text: it takes it over. */
        doc = fy_document_build_from_malloc_string(NULL, out, FY_NT);
        cr_assert_not_null(doc, "not JSON");
        out = NULL;
        return doc;
}

static const char *str_at(struct fy_node *n, const char *path) {
        struct fy_node *v = fy_node_by_path(n, path, FY_NT, FYNWF_DONT_FOLLOW);
        size_t len;
        const char *s = v && fy_node_is_scalar(v) ? fy_node_get_scalar(v, &len) : NULL;
        /* Two calls may share an assertion. */
        static char bufs[4][256];
        static unsigned next;
        char *buf = bufs[next++ % 4];

        if (!s)
                return NULL;
        snprintf(buf, 256, "%.*s", (int) len, s);
        return buf;
}

/* The predicted group of address (its index in /iommu_groups), -1 none. */
static int predicted_group(struct fy_document *doc, const char *address) {
        struct fy_node *groups = fy_node_by_path(fy_document_root(doc), "/iommu_groups", FY_NT, FYNWF_DONT_FOLLOW);
        void *it = NULL;
        struct fy_node *g;

        while ((g = fy_node_sequence_iterate(groups, &it))) {
                struct fy_node *devs = fy_node_by_path(g, "devices", FY_NT, FYNWF_DONT_FOLLOW), *d;
                void *it2 = NULL;

                while ((d = fy_node_sequence_iterate(devs, &it2))) {
                        size_t len;
                        const char *s = fy_node_get_scalar(d, &len);
                        if (len == strlen(address) && memcmp(s, address, len) == 0)
                                return atoi(str_at(g, "group"));
                }
        }
        return -1;
}

/* The real group of each device, as the bundle (from the dump's "IOMMU
 * group:" lines) has it: /devices/N/iommu_group. */
static size_t real_groups(struct fy_document *doc, char addr[][16], int *group, size_t max) {
        struct fy_node *devs = fy_node_by_path(fy_document_root(doc), "/devices", FY_NT, FYNWF_DONT_FOLLOW), *d;
        void *it = NULL;
        size_t n = 0;

        while ((d = fy_node_sequence_iterate(devs, &it)) && n < max) {
                const char *g = str_at(d, "iommu_group");

                if (!g || streq(g, "null"))
                        continue;
                group[n] = atoi(g);
                snprintf(addr[n], 16, "%s", str_at(d, "address"));
                n++;
        }
        return n;
}

Test(groups_predict, the_prediction_is_the_partition_of_the_dumps_iommu_group_lines) {
        _cleanup_free_ char *bundle = import_dump(X570);
        struct fy_document *doc = predict_json(bundle, NULL, NULL);
        char addr[128][16];
        int real[128];
        size_t n = real_groups(doc, addr, real, 128);

        cr_assert_gt(n, 40, "the X570 dump lists 51 devices with groups; the bundle has %zu", n);
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++) {
                        int pi = predicted_group(doc, addr[i]), pj = predicted_group(doc, addr[j]);
                        cr_assert_geq(pi, 0, "%s has a real group, none predicted", addr[i]);
                        cr_assert_eq(real[i] == real[j], pi == pj, "%s and %s: real groups %d and %d, predicted %d and %d",
                                     addr[i], addr[j], real[i], real[j], pi, pj);
                }
        cr_assert_str_eq(str_at(fy_document_root(doc), "/iommu_groups_state"), "predicted");
        cr_assert_str_eq(str_at(fy_document_root(doc), "/difference/real_groups"),
                         str_at(fy_document_root(doc), "/difference/exact_groups"));
        fy_document_destroy(doc);
        unlink(bundle);
}

/* The X670 dump's header: "16 chipset downstream ports (43f5) that show NO
 * ACS capability"; the RX 5700 sits below 0b:00.0, one of them. */
Test(groups_predict, a_merge_names_the_port_that_lacks_acs_and_the_difference_shows) {
        _cleanup_free_ char *bundle = import_dump(X670), *out = NULL, *err = NULL;

        cr_assert_eq(predict(bundle, "-s", "0e:00.0", NULL, &out, &err), 0, "%s", err);
        cr_assert(strstr(out, "0000:0b:00.0 (switch Downstream Port 1022:43f5) has no ACS capability"),
                  "the reason does not name the port: %s", out);
        cr_assert(strstr(out, "pci_acs_path_enabled()"), "%s", out);
        /* Reality (the dump) has the GPU alone with its audio function: the
         * difference is listed. */
        cr_assert(strstr(out, "0000:0e:00.0 (real group 36): +0000:04:08.0"), "%s", out);
        unlink(bundle);
}

Test(groups_predict, an_acs_override_splits_what_the_hardware_does_not_and_says_so) {
        _cleanup_free_ char *bundle = import_dump(X670), *out = NULL, *err = NULL;
        struct fy_document *doc = predict_json(bundle, "--acs-override=downstream,multifunction", NULL);

        cr_assert_str_eq(str_at(fy_document_root(doc), "/difference/exact_groups"), "51");
        cr_assert_str_eq(str_at(fy_document_root(doc), "/prediction/acs_override"), "downstream,multifunction");
        cr_assert_neq(predicted_group(doc, "0000:0e:00.0"), predicted_group(doc, "0000:0b:00.0"));
        fy_document_destroy(doc);
        cr_assert_eq(predict(bundle, "--acs-override", "downstream,multifunction", NULL, &out, &err), 0, "%s", err);
        cr_assert(strstr(out, "pcie_acs_override=downstream,multifunction is in force"), "%s", out);
        unlink(bundle);
}

/* 00:01.1 is the CPU's x16 root port (the RTX 2070's slot in the dump). */
Test(groups_predict, a_card_moved_behind_a_cpu_root_port_is_alone_and_the_card_there_leaves) {
        _cleanup_free_ char *bundle = import_dump(X670);
        struct fy_document *doc = predict_json(bundle, "--move", "0000:0e:00.0=0000:00:01.1");
        struct fy_node *root = fy_document_root(doc);
        int g = predicted_group(doc, "0000:0e:00.0");

        cr_assert_geq(g, 0);
        cr_assert_neq(g, predicted_group(doc, "0000:0b:00.0"));
        cr_assert_eq(predicted_group(doc, "0000:01:00.0"), -1, "the RTX 2070 left the slot");
        cr_assert_str_eq(str_at(root, "/removed/0"), "0000:01:00.0");
        cr_assert_str_eq(str_at(root, "/prediction/moves/0/port"), "0000:00:01.1");
        cr_assert_null(str_at(root, "/difference/real_groups"), "a moved card has no real groups to compare");
        fy_document_destroy(doc);
        unlink(bundle);
}

Test(groups_predict, bad_moves_and_formats_are_usage_errors) {
        _cleanup_free_ char *bundle = import_dump(X570);
        static const char *const bad[][3] = {
                { "--move", "0e:00.0", NULL },                  /* no port */
                { "--move", "0000:0e:00.0=bridge", NULL },      /* not an address */
                { "--move", "0000:2f:00.0=0000:00:01.1", NULL },        /* not on this host */
                { "--move", "0000:0c:00.0=0000:0e:00.4", NULL },        /* not a bridge */
                { "--acs-override=sideways", NULL, NULL },
                { "--format", "dot", NULL },
                { "--move", NULL, NULL },
        };

        for (size_t k = 0; k < ELEMENTSOF(bad); k++) {
                _cleanup_free_ char *out = NULL, *err = NULL;
                int rc = predict(bundle, bad[k][0], bad[k][1], bad[k][2], &out, &err);

                cr_assert_eq(rc, 2, "%s %s: exit %d (%s)", bad[k][0], bad[k][1], rc, err);
                cr_assert_str_neq(err, "", "%s %s: no message", bad[k][0], bad[k][1]);
        }
        unlink(bundle);
}
