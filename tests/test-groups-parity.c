/* SPDX-License-Identifier: MIT */
/* The oracle for discovery: on the same testbed (and on this machine, live),
 * the real `lspci -nnk -D` and `gpudiag groups --format json` must agree on
 * every device's address, class, vendor/device and subsystem IDs, and
 * driver in use; and the groups gpudiag lists must be the bundle's. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <libfyaml.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "config.h"
#include "base/macro.h"
#include "base/strv.h"
#include "testbed-run.h"

struct dev {
        char address[16], cls[8], ids[16], subsys[16], driver[64];
};

struct devs {
        struct dev d[256];
        size_t n;
};

/* Parses `lspci -nnk -D`: the device line gives address, class and IDs; the
 * indented lines give the subsystem and the driver in use. */
static void parse_lspci(const char *out, struct devs *ret) {
        const char *line = out;

        memset(ret, 0, sizeof(*ret));
        while (line && *line) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t) (nl - line) : strlen(line);
                char buf[1024];

                snprintf(buf, sizeof(buf), "%.*s", (int) (len < 1000 ? len : 1000), line);
                if (buf[0] != '\t' && strlen(buf) > 13 && buf[4] == ':' && ret->n < 256) {
                        struct dev *d = &ret->d[ret->n++];
                        char *c = strstr(buf, "]: "), *ob, *p;

                        snprintf(d->address, sizeof(d->address), "%.12s", buf);
                        cr_assert_not_null(c, "no class in: %s", buf);
                        snprintf(d->cls, sizeof(d->cls), "%.4s", c - 4);
                        /* The IDs are the last [vvvv:dddd] on the line. */
                        for (p = c, ob = NULL; (p = strchr(p + 1, '[')); )
                                if (strlen(p) >= 11 && p[5] == ':' && p[10] == ']')
                                        ob = p;
                        cr_assert_not_null(ob, "no IDs in: %s", buf);
                        snprintf(d->ids, sizeof(d->ids), "%.9s", ob + 1);
                        snprintf(d->subsys, sizeof(d->subsys), "0000:0000");
                } else if (ret->n > 0 && startswith(buf, "\tSubsystem: ")) {
                        char *ob = strrchr(buf, '[');
                        if (ob && strlen(ob) >= 11)
                                snprintf(ret->d[ret->n - 1].subsys, 16, "%.9s", ob + 1);
                } else if (ret->n > 0 && startswith(buf, "\tKernel driver in use: ")) {
                        snprintf(ret->d[ret->n - 1].driver, 64, "%.63s", buf + strlen("\tKernel driver in use: "));
                }
                line = nl ? nl + 1 : NULL;
        }
}

static const char *scalar(struct fy_node *n, const char *path, char *buf, size_t size) {
        struct fy_node *v = fy_node_by_path(n, path, FY_NT, FYNWF_DONT_FOLLOW);
        size_t len = 0;
        const char *s;

        buf[0] = '\0';
        if (!v || !fy_node_is_scalar(v))
                return buf;
        s = fy_node_get_scalar(v, &len);
        if (s && !(len == 4 && memcmp(s, "null", 4) == 0 && fy_node_get_style(v) == FYNS_PLAIN))
                snprintf(buf, size, "%.*s", (int) len, s);
        return buf;
}

static void parse_groups_json(const char *json, struct devs *ret, struct fy_document **ret_doc) {
        struct fy_document *doc = fy_document_build_from_string(NULL, json, FY_NT);
        struct fy_node *devices, *item;
        void *iter = NULL;

        cr_assert_not_null(doc, "gpudiag printed invalid JSON: %s", json);
        devices = fy_node_by_path(fy_document_root(doc), "/devices", FY_NT, FYNWF_DONT_FOLLOW);
        cr_assert_not_null(devices);
        memset(ret, 0, sizeof(*ret));
        while ((item = fy_node_sequence_iterate(devices, &iter)) && ret->n < 256) {
                struct dev *d = &ret->d[ret->n++];
                char v[64], dv[64];

                scalar(item, "address", d->address, sizeof(d->address));
                scalar(item, "class", d->cls, sizeof(d->cls));
                snprintf(d->ids, sizeof(d->ids), "%s:%s", scalar(item, "vendor", v, sizeof(v)),
                         scalar(item, "device", dv, sizeof(dv)));
                snprintf(d->subsys, sizeof(d->subsys), "%s:%s", scalar(item, "subsystem_vendor", v, sizeof(v)),
                         scalar(item, "subsystem_device", dv, sizeof(dv)));
                scalar(item, "driver", d->driver, sizeof(d->driver));
        }
        *ret_doc = doc;
}

static void assert_same(const struct devs *lspci, const struct devs *ours) {
        cr_assert_eq(lspci->n, ours->n, "lspci lists %zu devices, gpudiag %zu", lspci->n, ours->n);
        cr_assert_gt(ours->n, 0);
        for (size_t i = 0; i < ours->n; i++) {
                const struct dev *a = &lspci->d[i], *b = &ours->d[i];
                cr_assert_str_eq(a->address, b->address);
                cr_assert_str_eq(a->cls, b->cls, "%s: class", a->address);
                cr_assert_str_eq(a->ids, b->ids, "%s: IDs", a->address);
                cr_assert_str_eq(a->subsys, b->subsys, "%s: subsystem", a->address);
                cr_assert_str_eq(a->driver, b->driver, "%s: driver", a->address);
        }
}

/* Parameters by value: Criterion's workers re-execute the binary, so a
 * pointer into this image (a string literal) is not valid there. */
struct snapshot { char name[64]; };

static struct snapshot snapshots[] = {
        { "kvm-guest-6dev.yaml" },
        { "synthetic-nvidia-tu102-isolated.yaml" },
        { "synthetic-amd-x570-navi10-shared.yaml" },
        { "h100-firecracker-guest.yaml" },
};

ParameterizedTestParameters(parity, groups_json_agrees_with_lspci_on_testbed) {
        return cr_make_param_array(struct snapshot, snapshots, ELEMENTSOF(snapshots));
}

ParameterizedTest(struct snapshot *snap, parity, groups_json_agrees_with_lspci_on_testbed) {
        _cleanup_free_ char *path = snapshot_path(snap->name);
        _cleanup_testbed_ struct gd_testbed *t = testbed_from_file(path);
        _cleanup_free_ char *lout = NULL, *gout = NULL, *err = NULL;
        char *largv[] = { (char *) LSPCI_PATH, (char *) "-nnk", (char *) "-D", NULL };
        char *gargv[] = { (char *) gpudiag_binary(), (char *) "groups", (char *) "--format", (char *) "json", NULL };
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        struct fy_document *doc = NULL;
        static struct devs l, g;
        int status;

        cr_assert_eq(testbed_run(t, largv, &lout, NULL, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        cr_assert_eq(testbed_run(t, gargv, &gout, &err, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "gpudiag groups failed: %s", err);
        parse_lspci(lout, &l);
        parse_groups_json(gout, &g, &doc);
        assert_same(&l, &g);

        /* The JSON reads every device's details, not only those explain
         * needs (host/pci.c read_details()): these bundles record each
         * device's power_state. */
        {
                struct fy_node *devices = fy_node_by_path(fy_document_root(doc), "/devices", FY_NT,
                                                          FYNWF_DONT_FOLLOW), *item;
                void *iter = NULL;
                char v[64], a[32];

                while ((item = fy_node_sequence_iterate(devices, &iter)))
                        cr_assert_str_not_empty(scalar(item, "power_state", v, sizeof(v)), "%s: no power_state",
                                                scalar(item, "address", a, sizeof(a)));
        }

        /* Every group of the bundle, with exactly its members. */
        cr_assert_eq(gd_bundle_load(path, &b, NULL), 0);
        for (size_t i = 0; i < b->n_groups; i++) {
                char p[64], v[32];
                struct fy_node *root = fy_document_root(doc), *groups, *grp = NULL, *it;
                void *iter = NULL;

                groups = fy_node_by_path(root, "/iommu_groups", FY_NT, FYNWF_DONT_FOLLOW);
                while ((it = fy_node_sequence_iterate(groups, &iter)))
                        if (atoll(scalar(it, "group", v, sizeof(v))) == b->groups[i].id)
                                grp = it;
                cr_assert_not_null(grp, "group %lld missing", (long long) b->groups[i].id);
                for (size_t j = 0; b->groups[i].devices[j]; j++) {
                        snprintf(p, sizeof(p), "devices/%zu", j);
                        cr_assert_str_eq(scalar(grp, p, v, sizeof(v)), b->groups[i].devices[j],
                                         "group %lld member %zu", (long long) b->groups[i].id, j);
                }
        }
        fy_document_destroy(doc);
}

Test(parity, groups_json_agrees_with_lspci_on_this_machine) {
        _cleanup_free_ char *lout = NULL, *gout = NULL;
        struct fy_document *doc = NULL;
        static struct devs l, g;
        char cmd[512];
        FILE *p;

        snprintf(cmd, sizeof(cmd), "%s -nnk -D 2>/dev/null", LSPCI_PATH);
        p = popen(cmd, "r");
        cr_assert_not_null(p);
        lout = calloc(1, 1 << 20);
        fread(lout, 1, (1 << 20) - 1, p);
        pclose(p);
        snprintf(cmd, sizeof(cmd), "%s groups --format json", gpudiag_binary());
        p = popen(cmd, "r");
        cr_assert_not_null(p);
        gout = calloc(1, 1 << 20);
        fread(gout, 1, (1 << 20) - 1, p);
        cr_assert_eq(pclose(p), 0);
        parse_lspci(lout, &l);
        parse_groups_json(gout, &g, &doc);
        assert_same(&l, &g);
        fy_document_destroy(doc);
}

/* The device lines of `gpudiag groups` without the driver suffix, keyed by
 * their address, for a line-by-line comparison with `lspci -nn -D`. */
static const char *groups_line(const char *out, const char *address, char *buf, size_t size) {
        const char *p = out;

        buf[0] = '\0';
        while ((p = strstr(p, address))) {
                const char *nl = strchr(p, '\n'), *drv;
                size_t len = nl ? (size_t) (nl - p) : strlen(p);

                if (p > out && p[-1] == '\t') {
                        drv = memmem(p, len, " (driver: ", 10);
                        if (!drv)
                                drv = memmem(p, len, " (no driver)", 12);
                        if (drv)
                                len = (size_t) (drv - p);
                        snprintf(buf, size, "%.*s", (int) len, p);
                        break;
                }
                p += strlen(address);
        }
        return buf;
}

Test(parity, names_missing_from_pci_ids_read_as_lspci_prints_them) {
        _cleanup_free_ char *path = fixture_bundle_path("names-missing-from-pci-ids.yaml");
        _cleanup_testbed_ struct gd_testbed *t = testbed_from_file(path);
        _cleanup_free_ char *lout = NULL, *gout = NULL, *err = NULL;
        char *largv[] = { (char *) LSPCI_PATH, (char *) "-nn", (char *) "-D", NULL };
        char *gargv[] = { (char *) gpudiag_binary(), (char *) "groups", NULL };
        const char *line = NULL;
        size_t n = 0;
        int status;

        cr_assert_eq(testbed_run(t, largv, &lout, NULL, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        cr_assert_eq(testbed_run(t, gargv, &gout, &err, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "gpudiag groups failed: %s", err);
        /* The fixture is only worth something while pci.ids lacks its names. */
        cr_assert_not_null(strstr(lout, "Intel Corporation Device [8086:fffd]"), "lspci printed:\n%s", lout);
        cr_assert_not_null(strstr(lout, "Class [fe00]: Device [0002:1234]"), "lspci printed:\n%s", lout);

        for (line = lout; line && *line; n++) {
                const char *nl = strchr(line, '\n');
                char want[512], addr[16], ours[512];
                size_t len = nl ? (size_t) (nl - line) : strlen(line);

                snprintf(want, sizeof(want), "%.*s", (int) len, line);
                snprintf(addr, sizeof(addr), "%.12s", want);
                groups_line(gout, addr, ours, sizeof(ours));
                /* libpci reads config byte 8 when the revision attribute is
                 * missing and gets 0xff from the failed read; gpudiag does
                 * not print a revision it does not know. */
                if (streq(addr, "0000:01:00.1")) {
                        cr_assert(endswith(want, " (rev ff)"), "lspci: %s", want);
                        want[strlen(want) - strlen(" (rev ff)")] = '\0';
                }
                cr_expect_str_eq(ours, want, "%s:\n  lspci:   %s\n  gpudiag: %s", addr, want, ours);
                line = nl ? nl + 1 : NULL;
        }
        cr_assert_eq(n, 3, "lspci listed %zu devices:\n%s", n, lout);
}
