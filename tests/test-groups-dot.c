/* SPDX-License-Identifier: MIT */
/* groups --format dot: Graphviz renders it (dot -Tsvg), and the picture
 * has every IOMMU group as a cluster with exactly its devices, every device
 * as a node joined to the bridge above it, and the groups holding a GPU
 * highlighted.  Strings from the bundle cannot add nodes or break the
 * graph. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <libfyaml.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "base/macro.h"
#include "bundle/bundle.h"
#include "run-program.h"
#include "testbed-run.h"

#define GPU_GROUP_FILL "fill=\"#fdecea\""

/* gpudiag groups --bundle B --format dot [extra], rendered by dot -Tsvg. */
static char *render(const char *bundle, const char *extra1, const char *extra2, char **ret_dot) {
        char *args[] = { (char *) "groups", (char *) "--bundle", (char *) bundle, (char *) "--format", (char *) "dot",
                         (char *) extra1, (char *) extra2, NULL };
        char *dargv[] = { (char *) "dot", (char *) "-Tsvg", NULL, NULL };
        _cleanup_free_ char *err = NULL, *derr = NULL, *path = NULL;
        char *dot = NULL, *svg = NULL;
        int rc, status;

        require_tool("dot", "graphviz");
        rc = run_gpudiag_args(args, &dot, &err);
        cr_assert_eq(rc, 0, "%s: groups --format dot exit %d: %s", bundle, rc, err);
        path = write_temp(dot, ".dot");
        dargv[2] = path;
        cr_assert_eq(run_program(dargv, NULL, &svg, &derr, &status), 0);
        unlink(path);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: dot -Tsvg failed: %s\n%s", bundle, derr, dot);
        /* dot warns on stderr about what it could not parse or place. */
        cr_assert_str_empty(derr, "%s: dot: %s", bundle, derr);
        if (ret_dot)
                *ret_dot = dot;
        else
                free(dot);
        return svg;
}

static size_t count(const char *haystack, const char *needle) {
        size_t n = 0;
        for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

/* The SVG element of the node, cluster or edge whose <title> is title
 * (dot escapes '-' and '>' in titles as &#45; and &gt;), up to its </g>. */
static char *svg_element(const char *svg, const char *title) {
        char want[256];
        const char *t, *end;

        snprintf(want, sizeof(want), "<title>%s</title>", title);
        t = strstr(svg, want);
        if (!t)
                return NULL;
        end = strstr(t, "</g>");
        return strndup(t, end ? (size_t) (end - t) : strlen(t));
}

/* The edges are the nesting of the recording's sysfs paths
 * ("P: /devices/pci0000:00/0000:00:03.1/0000:09:00.0"): the component
 * before a device is its bridge, or its root bus. */
static void assert_edges_follow_sysfs(const char *name, const struct gd_bundle *b, const char *svg) {
        size_t n = 0;

        for (const char *p = b->umockdev; p && (p = strstr(p, "P: /devices/")); p++) {
                const char *nl = strchr(p, '\n');
                char path[512], want[256], *last, *prev;

                snprintf(path, sizeof(path), "%.*s", (int) (nl ? nl - p : (ptrdiff_t) strlen(p)), p);
                last = strrchr(path, '/');
                *last++ = '\0';
                prev = strrchr(path, '/') + 1;
                if (!gd_pci_address_valid(last))
                        continue;       /* /devices/virtual/iommu/dmar0 */
                snprintf(want, sizeof(want), "<title>%s&#45;&gt;%s</title>", prev, last);
                cr_assert_not_null(strstr(svg, want), "%s: no edge %s -> %s", name, prev, last);
                n++;
        }
        cr_assert_gt(n, 0);
}

struct snapshot { char name[96]; };

static struct snapshot snapshots[] = {
        { "synthetic-nvidia-tu102-isolated.yaml" },
        { "synthetic-amd-x570-navi10-shared.yaml" },
        { "kvm-guest-6dev.yaml" },
        { "h100-firecracker-guest.yaml" },
        { "imported/x670e-carbon-7900x3d-rx7800xt-rtx2070s-acs-override.yaml" },
        { "imported/b350-plus-r9-390-rx550-chipset-group.yaml" },
};

ParameterizedTestParameters(dot, every_group_is_a_cluster_with_its_devices_and_gpu_groups_stand_out) {
        return cr_make_param_array(struct snapshot, snapshots, ELEMENTSOF(snapshots));
}

ParameterizedTest(struct snapshot *snap, dot, every_group_is_a_cluster_with_its_devices_and_gpu_groups_stand_out) {
        _cleanup_free_ char *path = snapshot_path(snap->name), *svg = render(path, NULL, NULL, NULL);
        char *jargs[] = { (char *) "groups", (char *) "--bundle", path, (char *) "--format", (char *) "json", NULL };
        _cleanup_free_ char *json = NULL, *err = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        static char display[1024][16];
        size_t n_devs = 0, n_display = 0;
        struct fy_document *doc;
        struct fy_node *devs, *d;
        void *it = NULL;

        cr_assert_eq(run_gpudiag_args(jargs, &json, &err), 0, "%s", err);
        doc = fy_document_build_from_string(NULL, json, FY_NT);
        cr_assert_not_null(doc);
        devs = fy_node_by_path(fy_document_root(doc), "/devices", FY_NT, FYNWF_DONT_FOLLOW);
        while ((d = fy_node_sequence_iterate(devs, &it))) {
                size_t alen = 0, clen = 0;
                const char *addr = fy_node_get_scalar(fy_node_by_path(d, "address", FY_NT, FYNWF_DONT_FOLLOW), &alen);
                const char *cls = fy_node_get_scalar(fy_node_by_path(d, "class", FY_NT, FYNWF_DONT_FOLLOW), &clen);
                _cleanup_free_ char *node = NULL;
                char a[16];

                snprintf(a, sizeof(a), "%.*s", (int) alen, addr);
                node = svg_element(svg, a);
                cr_assert_not_null(node, "%s: no node for %s", snap->name, a);
                if (clen >= 2 && cls[0] == '0' && cls[1] == '3' && n_display < ELEMENTSOF(display))
                        snprintf(display[n_display++], 16, "%s", a);
                n_devs++;
        }
        fy_document_destroy(doc);
        /* Devices, plus one node per root bus; one edge into each device. */
        cr_assert_geq(count(svg, "class=\"node\""), n_devs + 1, "%s", snap->name);
        cr_assert_eq(count(svg, "class=\"edge\""), n_devs, "%s", snap->name);

        cr_assert_eq(gd_bundle_load(path, &b, NULL), 0);
        assert_edges_follow_sysfs(snap->name, b, svg);
        cr_assert_eq(count(svg, "class=\"cluster\""), b->n_groups, "%s", snap->name);
        for (size_t g = 0; g < b->n_groups; g++) {
                _cleanup_free_ char *cluster = NULL;
                char title[64];
                bool gpu = false;

                snprintf(title, sizeof(title), "cluster_group_%lld", (long long) b->groups[g].id);
                cluster = svg_element(svg, title);
                cr_assert_not_null(cluster, "%s: no cluster for group %lld", snap->name, (long long) b->groups[g].id);
                /* Highlighted exactly when it holds a display function. */
                for (size_t i = 0; b->groups[g].devices[i]; i++)
                        for (size_t k = 0; k < n_display; k++)
                                gpu |= streq(display[k], b->groups[g].devices[i]);
                if (gpu)
                        cr_assert_not_null(strstr(cluster, GPU_GROUP_FILL), "%s: group %lld not highlighted:\n%s",
                                           snap->name, (long long) b->groups[g].id, cluster);
                else
                        cr_assert_null(strstr(cluster, GPU_GROUP_FILL), "%s: group %lld highlighted", snap->name,
                                       (long long) b->groups[g].id);
        }
}

Test(dot, bridges_join_the_devices_below_them_as_sysfs_nests_them) {
        _cleanup_free_ char *path = snapshot_path("synthetic-amd-x570-navi10-shared.yaml");
        _cleanup_free_ char *svg = render(path, NULL, NULL, NULL);
        _cleanup_bundle_ struct gd_bundle *b = NULL;

        cr_assert_eq(gd_bundle_load(path, &b, NULL), 0);
        assert_edges_follow_sysfs("x570", b, svg);
        /* The GPU behind the chipset's bridge and its own switch. */
        cr_assert_not_null(strstr(svg, "<title>0000:0a:00.0&#45;&gt;0000:0b:00.0</title>"));
}

Test(dot, a_slot_filter_keeps_the_gpu_group_and_the_path_to_the_root) {
        _cleanup_free_ char *path = snapshot_path("synthetic-nvidia-tu102-isolated.yaml");
        _cleanup_free_ char *svg = render(path, "-s", "01:00.0", NULL);

        cr_assert_eq(count(svg, "class=\"cluster\""), 1, "%s", svg);
        cr_assert_not_null(strstr(svg, "<title>cluster_group_1</title>"));
        /* The root bus, the root port and the card's four functions. */
        cr_assert_eq(count(svg, "class=\"node\""), 6, "%s", svg);
        cr_assert_null(strstr(svg, "<title>0000:00:02.0</title>"), "the iGPU is not part of the selection");
}

Test(dot, strings_from_the_bundle_cannot_add_nodes_or_break_the_graph) {
        _cleanup_free_ char *path = fixture_bundle_path("hostile-strings.yaml"), *dot = NULL;
        _cleanup_free_ char *svg = render(path, NULL, NULL, &dot);

        /* The driver name tries to close the label and declare a node. */
        cr_assert_eq(count(svg, "class=\"node\""), 3, "%s", svg);
        cr_assert_null(strstr(svg, "<title>pwned</title>"));
        /* dot shows the name as text, XML-escaped in the SVG. */
        cr_assert_not_null(strstr(svg, "driver: x&quot;];pwned[label=&quot;&lt;img src=x onerror=&quot;"), "%s", svg);
}
