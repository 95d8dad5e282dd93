/* SPDX-License-Identifier: MIT */
/* explain's JSON, checked against doc/explain-json.md for every snapshot
 * in sysfs-snapshots/ (replayed through umockdev) and for this machine:
 * types, enumerations, every finding id in the catalogue, at least one
 * evidence item per finding, and exit codes that agree with the verdicts. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <libfyaml.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "base/macro.h"
#include "checks/check.h"
#include "testbed-run.h"

static struct fy_node *get(struct fy_node *n, const char *key) {
        struct fy_node *v = fy_node_mapping_lookup_by_string(n, key, FY_NT);
        cr_assert_not_null(v, "key '%s' missing", key);
        return v;
}

static bool is_null(struct fy_node *n) {
        size_t len;
        const char *s;

        if (!fy_node_is_scalar(n) || fy_node_get_style(n) != FYNS_PLAIN)
                return false;
        s = fy_node_get_scalar(n, &len);
        return len == 4 && memcmp(s, "null", 4) == 0;
}

static const char *str(struct fy_node *n, const char *key) {
        struct fy_node *v = get(n, key);
        static char buf[8][4096];
        static unsigned slot;
        size_t len;
        const char *s;

        cr_assert(fy_node_is_scalar(v) && !is_null(v) && fy_node_get_style(v) == FYNS_DOUBLE_QUOTED,
                  "'%s' is not a string", key);
        s = fy_node_get_scalar(v, &len);
        slot = (slot + 1) % 8;
        snprintf(buf[slot], sizeof(buf[slot]), "%.*s", (int) len, s);
        return buf[slot];
}

static void str_or_null(struct fy_node *n, const char *key) {
        struct fy_node *v = get(n, key);
        cr_assert(is_null(v) || (fy_node_is_scalar(v) && fy_node_get_style(v) == FYNS_DOUBLE_QUOTED),
                  "'%s' is neither a string nor null", key);
}

static void boolean(struct fy_node *n, const char *key, bool nullable) {
        struct fy_node *v = get(n, key);
        const char *s;
        size_t len;

        if (nullable && is_null(v))
                return;
        cr_assert(fy_node_is_scalar(v) && fy_node_get_style(v) == FYNS_PLAIN, "'%s' is not a boolean", key);
        s = fy_node_get_scalar(v, &len);
        cr_assert((len == 4 && !memcmp(s, "true", 4)) || (len == 5 && !memcmp(s, "false", 5)),
                  "'%s' is not a boolean", key);
}

static long long integer(struct fy_node *n, const char *key) {
        struct fy_node *v = get(n, key);
        char buf[32], *end;
        size_t len;
        const char *s;
        long long x;

        cr_assert(fy_node_is_scalar(v) && fy_node_get_style(v) == FYNS_PLAIN, "'%s' is not a number", key);
        s = fy_node_get_scalar(v, &len);
        snprintf(buf, sizeof(buf), "%.*s", (int) len, s);
        x = strtoll(buf, &end, 10);
        cr_assert(*end == '\0', "'%s' is not an integer: %s", key, buf);
        return x;
}

static bool matches(const char *re, const char *s) {
        regex_t r;
        bool ok;

        cr_assert_eq(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
        ok = regexec(&r, s, 0, NULL, 0) == 0;
        regfree(&r);
        return ok;
}

#define ADDR_RE "^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]$"

/* Returns true when every GPU is ready (for the exit code check). */
static bool validate(const char *json) {
        struct fy_document *doc = fy_document_build_from_string(NULL, json, FY_NT);
        struct fy_node *root, *gpus, *findings, *host, *it, *sub;
        void *i1 = NULL, *i2 = NULL;
        bool all_ready = true;
        size_t n_gpus = 0;

        cr_assert_not_null(doc, "not JSON: %s", json);
        root = fy_document_root(doc);
        cr_assert(fy_node_is_mapping(root));
        gpus = get(root, "gpus");
        findings = get(root, "findings");
        host = get(root, "host");
        cr_assert(fy_node_is_sequence(gpus) && fy_node_is_sequence(findings) && fy_node_is_mapping(host));

        while ((it = fy_node_sequence_iterate(findings, &i1))) {
                const char *id = str(it, "id");
                const struct gd_catalogue_entry *c = gd_catalogue_find(id);
                const char *sev = str(it, "severity"), *eff = str(it, "effect");

                cr_assert_not_null(c, "finding id '%s' is not in the catalogue", id);
                cr_assert(streq(sev, "error") || streq(sev, "warning") || streq(sev, "info"), "%s: severity %s", id, sev);
                cr_assert(streq(eff, "blocks") || streq(eff, "unknown") || streq(eff, "none"), "%s: effect %s", id, eff);
                cr_assert(fy_node_is_sequence(get(it, "subjects")));
                i2 = NULL;
                while ((sub = fy_node_sequence_iterate(get(it, "subjects"), &i2))) {
                        size_t len;
                        const char *s = fy_node_get_scalar(sub, &len);
                        char buf[64];
                        snprintf(buf, sizeof(buf), "%.*s", (int) len, s);
                        cr_assert(matches(ADDR_RE, buf) || matches("^group:[0-9]+$", buf), "%s: subject %s", id, buf);
                }
                cr_assert_neq(str(it, "summary")[0], '\0', "%s: empty summary", id);
                cr_assert(fy_node_sequence_item_count(get(it, "evidence")) >= 1, "%s has no evidence", id);
                i2 = NULL;
                while ((sub = fy_node_sequence_iterate(get(it, "evidence"), &i2))) {
                        struct fy_node *line = get(sub, "line");
                        cr_assert_neq(str(sub, "source")[0], '\0', "%s: evidence without source", id);
                        (void) str(sub, "text");
                        if (!is_null(line))
                                cr_assert_geq(integer(sub, "line"), 1);
                }
                str_or_null(it, "remedy");
                if (!streq(sev, "info"))
                        (void) str(it, "remedy");
                /* Config edits for tools: file and key always, old/new null to add/remove. */
                cr_assert(fy_node_is_sequence(get(it, "edits")), "%s: edits", id);
                i2 = NULL;
                while ((sub = fy_node_sequence_iterate(get(it, "edits"), &i2))) {
                        cr_assert_eq(str(sub, "file")[0], '/', "%s: edit of a relative file", id);
                        cr_assert_neq(str(sub, "key")[0], '\0', "%s: edit without key", id);
                        if (!is_null(get(sub, "line")))
                                cr_assert_geq(integer(sub, "line"), 1);
                        str_or_null(sub, "old");
                        str_or_null(sub, "new");
                }
        }

        i1 = NULL;
        while ((it = fy_node_sequence_iterate(gpus, &i1))) {
                const char *v = str(it, "verdict"), *q = str(it, "question");
                n_gpus++;
                cr_assert(streq(q, "host") || streq(q, "guest") || streq(q, "xen"), "question %s", q);
                cr_assert_neq(str(it, "question_text")[0], '\0');
                cr_assert(matches(ADDR_RE, str(it, "address")));
                (void) str(it, "name");
                cr_assert(matches("^[0-9a-f]{4}$", str(it, "vendor")));
                cr_assert(matches("^[0-9a-f]{4}$", str(it, "device")));
                boolean(it, "boot_vga", true);
                cr_assert(fy_node_sequence_item_count(get(it, "functions")) >= 1);
                cr_assert(streq(v, "ready") || streq(v, "not-ready") || streq(v, "unknown"), "verdict %s", v);
                cr_assert(fy_node_is_sequence(get(it, "unproven")));
                if (streq(v, "ready"))
                        cr_assert_eq(fy_node_sequence_item_count(get(it, "unproven")), 0,
                                     "a READY GPU with unproven conditions");
                else
                        all_ready = false;
                cr_assert(fy_node_is_sequence(get(it, "findings")));
        }

        {
                const char *role = str(host, "role");
                static const char *const roles[] = { "host", "guest", "guest-with-viommu", "xen-dom0", "xen-domu",
                                                     "unknown" };
                bool known = false;
                for (size_t k = 0; k < ELEMENTSOF(roles); k++)
                        known = known || streq(role, roles[k]);
                cr_assert(known, "role %s", role);
                cr_assert(fy_node_is_sequence(get(host, "role_evidence")));
                cr_assert(fy_node_sequence_item_count(get(host, "role_evidence")) >= 1, "a role without evidence");
                i1 = NULL;
                while ((it = fy_node_sequence_iterate(get(host, "role_evidence"), &i1))) {
                        cr_assert_neq(str(it, "source")[0], '\0');
                        (void) str(it, "text");
                }
        }
        str_or_null(host, "kernel");
        str_or_null(host, "cpu_vendor");
        boolean(host, "hypervisor", true);
        str_or_null(host, "dmi_sys_vendor");
        str_or_null(host, "dmi_product_name");
        cr_assert_geq(integer(host, "pci_devices"), 0);
        cr_assert_geq(integer(host, "iommu_groups"), 0);
        boolean(host, "root", false);
        boolean(host, "replayed", false);
        fy_document_destroy(doc);
        return n_gpus > 0 && all_ready;
}

struct snapshot { char name[96]; };

ParameterizedTestParameters(explain_json, every_snapshot_matches_the_schema) {
        static struct snapshot list[64];
        const char *src = getenv("GPUDIAG_SRCDIR");
        char dir[512];
        struct dirent *de;
        size_t n = 0;
        DIR *d;

        snprintf(dir, sizeof(dir), "%s/sysfs-snapshots", src ? src : ".");
        d = opendir(dir);
        while (d && (de = readdir(d)) && n < ELEMENTSOF(list)) {
                size_t l = strlen(de->d_name);
                if (l > 5 && (strcmp(de->d_name + l - 5, ".yaml") == 0 || strcmp(de->d_name + l - 8, ".yaml.gz") == 0))
                        snprintf(list[n++].name, sizeof(list[0].name), "%s", de->d_name);
        }
        if (d)
                closedir(d);
        return cr_make_param_array(struct snapshot, list, n);
}

ParameterizedTest(struct snapshot *s, explain_json, every_snapshot_matches_the_schema) {
        _cleanup_free_ char *path = snapshot_path(s->name), *out = NULL, *err = NULL;
        _cleanup_testbed_ struct gd_testbed *t = testbed_from_file(path);
        char *argv[] = { (char *) gpudiag_binary(), (char *) "explain", (char *) "--format", (char *) "json", NULL };
        int status;
        bool ready;

        cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
        cr_assert(WIFEXITED(status), "%s: explain crashed: %s", s->name, err);
        cr_assert(WEXITSTATUS(status) <= 1, "%s: exit %d: %s", s->name, WEXITSTATUS(status), err);
        ready = validate(out);
        cr_assert_eq(WEXITSTATUS(status), ready ? 0 : 1, "%s: exit code disagrees with the verdicts", s->name);
}

Test(explain_json, this_machine_matches_the_schema) {
        char cmd[512];
        _cleanup_free_ char *out = calloc(1, 4 << 20);
        FILE *p;
        int status;

        snprintf(cmd, sizeof(cmd), "%s explain --format json", gpudiag_binary());
        p = popen(cmd, "r");
        cr_assert_not_null(p);
        fread(out, 1, (4 << 20) - 1, p);
        status = pclose(p);
        cr_assert_eq(WEXITSTATUS(status), validate(out) ? 0 : 1);
}

/* Issue 15's "done when": the real H100 guest (a Firecracker VM that drives
 * the GPU with nvidia) is a guest, its verdict answers the guest's question
 * and names what is unproven, and nothing tells it to bind the GPU to
 * vfio-pci or load vfio modules. */
Test(explain_json, the_h100_guest_answers_the_guest_question) {
        _cleanup_free_ char *path = snapshot_path("h100-firecracker-guest.yaml"), *out = NULL, *err = NULL;
        _cleanup_testbed_ struct gd_testbed *t = testbed_from_file(path);
        char *argv[] = { (char *) gpudiag_binary(), (char *) "explain", (char *) "--format", (char *) "json", NULL };
        struct fy_document *doc;
        struct fy_node *root, *gpu;
        int status;

        cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
        validate(out);
        doc = fy_document_build_from_string(NULL, out, FY_NT);
        cr_assert_not_null(doc);
        root = fy_document_root(doc);
        cr_expect_str_eq(str(get(root, "host"), "role"), "guest");
        gpu = fy_node_sequence_get_by_index(get(root, "gpus"), 0);
        cr_assert_not_null(gpu);
        cr_expect_str_eq(str(gpu, "question"), "guest");
        cr_expect(streq(str(gpu, "verdict"), "ready") || streq(str(gpu, "verdict"), "unknown"), "%s",
                  str(gpu, "verdict"));
        if (streq(str(gpu, "verdict"), "unknown"))
                cr_expect_gt(fy_node_sequence_item_count(get(gpu, "unproven")), 0);
        cr_expect_null(strstr(out, "driver.host-bound"));
        cr_expect_null(strstr(out, "vfio.modules-missing"));
        cr_expect_null(strstr(out, "driverctl set-override"));
        cr_expect_null(strstr(out, "options vfio-pci"));
        fy_document_destroy(doc);
}
