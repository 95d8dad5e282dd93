/* SPDX-License-Identifier: MIT */
/* Redaction: one table of kinds, each with examples as data
 * (fixtures/redact/kinds.yaml), and two canaries: a host whose bundle was
 * written with --no-redact (fixtures/hostile/canary-host.yaml) and a forum
 * post from it (canary-paste.txt).  Not one planted secret survives
 * `gpudiag collect --bundle` or `gpudiag import`, while device IDs,
 * addresses, drivers and kernel messages stay readable and the redacted
 * host still gets the same verdict. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <libfyaml.h>
#include <string.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "bundle/redact-internal.h"
#include "bundle/redact.h"
#include "hostile.h"

static char *scratch;

static void setup(void) {
        scratch = scratch_dir("redaction");
}

static void teardown(void) {
        scratch_remove(scratch);
        free(scratch);
}

TestSuite(hostile_redaction, .init = setup, .fini = teardown, .timeout = 120);

static struct fy_document *kinds_document(void) {
        _cleanup_free_ char *path = src_path("fixtures/redact/kinds.yaml");
        struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET };
        struct fy_document *doc = fy_document_build_from_file(&cfg, path);

        cr_assert_not_null(doc, "%s does not parse", path);
        return doc;
}

static const char *get(struct fy_node *map, const char *key) {
        struct fy_node *v = fy_node_is_mapping(map) ? fy_node_mapping_lookup_by_string(map, key, -1) : NULL;
        return v && fy_node_is_scalar(v) ? fy_node_get_scalar0(v) : NULL;
}

static struct fy_node *examples(struct fy_node *kind, const char *sign) {
        struct fy_node *l = fy_node_mapping_lookup_by_string(kind, sign, -1);

        return l && fy_node_is_sequence(l) && fy_node_sequence_item_count(l) > 0 ? l : NULL;
}

static char *redacted(const char *learn, const char *text) {
        _cleanup_redact_ struct gd_redact *r = NULL;
        char *out = NULL;

        cr_assert_eq(gd_redact_new(true, &r), 0);
        cr_assert_eq(gd_redact_learn(r, learn, strlen(learn)), 0);
        cr_assert_eq(gd_redact_text(r, text, strlen(text), false, &out, NULL), 0);
        return out;
}

/* "OFF: xx xx ..." into a 4 KiB configuration space of zeros. */
static void config_of(const char *spec, uint8_t cfg[4096]) {
        unsigned off, byte;
        int n;
        const char *p;

        memset(cfg, 0, 4096);
        cr_assert_eq(sscanf(spec, "%x:%n", &off, &n), 1, "%s", spec);
        for (p = spec + n; sscanf(p, " %2x%n", &byte, &n) == 1 && off < 4096; p += n)
                cfg[off++] = (uint8_t) byte;
}

static bool has_bytes(const uint8_t *cfg, const char *hex) {
        uint8_t want[64];
        size_t n = 0;
        unsigned b;
        int k;

        for (const char *p = hex; n < sizeof(want) && sscanf(p, " %2x%n", &b, &k) == 1; p += k)
                want[n++] = (uint8_t) b;
        return memmem(cfg, 4096, want, n) != NULL;
}

Test(hostile_redaction, every_kind_of_the_table_has_examples_both_ways_and_no_example_names_another) {
        _cleanup_redact_ struct gd_redact *r = NULL;
        struct fy_document *doc = kinds_document();
        struct fy_node *root = fy_document_root(doc);
        struct fy_node_pair *p;
        void *it = NULL;
        size_t n_kinds = 0;

        cr_assert_eq(gd_redact_new(true, &r), 0);
        for (const char *const *k = gd_redact_kinds(r); *k; k++, n_kinds++) {
                struct fy_node *kind = fy_node_mapping_lookup_by_string(root, *k, -1);

                cr_assert_not_null(kind, "kind '%s' has no examples in kinds.yaml", *k);
                cr_assert_not_null(examples(kind, "positive"), "kind '%s' has no positive example", *k);
                cr_assert_not_null(examples(kind, "negative"), "kind '%s' has no negative example", *k);
        }
        cr_assert_geq(n_kinds, 13);
        while ((p = fy_node_mapping_iterate(root, &it))) {
                const char *name = fy_node_get_scalar0(fy_node_pair_key(p));
                bool known = false;

                for (const char *const *k = gd_redact_kinds(r); *k; k++)
                        known = known || streq(*k, name);
                cr_assert(known, "kinds.yaml has examples of '%s', which the table does not have", name);
        }
        fy_document_destroy(doc);
}

Test(hostile_redaction, each_positive_example_loses_its_secret_and_each_negative_one_is_kept) {
        struct fy_document *doc = kinds_document();
        struct fy_node_pair *p;
        void *it = NULL;
        size_t checked = 0;

        while ((p = fy_node_mapping_iterate(fy_document_root(doc), &it))) {
                const char *kind = fy_node_get_scalar0(fy_node_pair_key(p));
                struct fy_node *ex;
                void *eit = NULL;

                for (eit = NULL; (ex = fy_node_sequence_iterate(examples(fy_node_pair_value(p), "positive"), &eit)); ) {
                        const char *text = get(ex, "text"), *learn = get(ex, "learn"), *secret = get(ex, "secret");
                        const char *placeholder = get(ex, "placeholder"), *config = get(ex, "config");

                        if (get(ex, "file"))
                                continue;       /* dmi-serial: the canary collect below */
                        cr_assert_not_null(secret, "%s: a positive example without its secret", kind);
                        if (config) {
                                _cleanup_redact_ struct gd_redact *r = NULL;
                                uint8_t cfg[4096];

                                cr_assert_eq(gd_redact_new(true, &r), 0);
                                config_of(config, cfg);
                                cr_assert(has_bytes(cfg, secret), "%s: '%s' is not in '%s'", kind, secret, config);
                                cr_assert_gt(gd_redact_config_space(r, cfg, sizeof(cfg)), 0, "%s: %s", kind, config);
                                cr_assert_not(has_bytes(cfg, secret), "%s: '%s' survived", kind, secret);
                        } else {
                                _cleanup_free_ char *out = redacted(learn ? learn : text, text);

                                cr_assert_not_null(strstr(text, secret), "%s: '%s' is not in '%s'", kind, secret, text);
                                cr_assert_null(strstr(out, secret), "%s: '%s' survived:\n  %s\n  %s", kind, secret,
                                               text, out);
                                if (placeholder)
                                        cr_assert_not_null(strstr(out, placeholder), "%s: no '%s' in '%s'", kind,
                                                           placeholder, out);
                        }
                        checked++;
                }
                for (eit = NULL; (ex = fy_node_sequence_iterate(examples(fy_node_pair_value(p), "negative"), &eit)); ) {
                        const char *text = fy_node_is_scalar(ex) ? fy_node_get_scalar0(ex) : get(ex, "text");
                        const char *config = get(ex, "config");

                        if (get(ex, "file"))
                                continue;
                        if (config) {
                                _cleanup_redact_ struct gd_redact *r = NULL;
                                uint8_t cfg[4096], before[4096];

                                cr_assert_eq(gd_redact_new(true, &r), 0);
                                config_of(config, cfg);
                                memcpy(before, cfg, sizeof(cfg));
                                cr_assert_eq(gd_redact_config_space(r, cfg, sizeof(cfg)), 0, "%s: %s", kind, config);
                                cr_assert(memcmp(before, cfg, sizeof(cfg)) == 0, "%s: %s changed", kind, config);
                        } else {
                                _cleanup_free_ char *out = NULL;

                                cr_assert_not_null(text, "%s: a negative example without text", kind);
                                out = redacted(text, text);
                                cr_assert_str_eq(out, text, "%s: a look-alike was changed:\n  %s\n  %s", kind, text, out);
                        }
                        checked++;
                }
        }
        cr_assert_gt(checked, 80);
        fy_document_destroy(doc);
}

/* The pass asks a kind marked after_word_only nothing right after a letter
 * or digit; this holds it to its mark: in every example text of every kind,
 * with a letter or a digit put before each of its bytes in turn, no kind so
 * marked matches at that byte, with the example's names learned. */
static void try_marked_kinds(struct gd_redact *r, const char *s, size_t at_byte, size_t *tried) {
        struct redact_at at = { .r = r, .text = s, .end = s + strlen(s), .s = s + at_byte };
        struct redact_out o = {};

        for (size_t k = 0; k < redact_n_kinds; k++) {
                if (!redact_kinds[k].rewrite || !redact_kinds[k].after_word_only)
                        continue;
                o.len = 0;
                cr_assert_eq(redact_kinds[k].rewrite(&at, &o), 0, "%s matches inside a word at '%s' of '%s'",
                             redact_kinds[k].name, s + at_byte, s);
                (*tried)++;
        }
        free(o.buf);
}

Test(hostile_redaction, a_kind_marked_after_word_only_never_matches_inside_a_word) {
        struct fy_document *doc = kinds_document();
        struct fy_node_pair *p;
        void *it = NULL;
        size_t tried = 0, marked = 0;

        for (size_t k = 0; k < redact_n_kinds; k++)
                marked += redact_kinds[k].after_word_only;
        cr_assert_geq(marked, 8);
        while ((p = fy_node_mapping_iterate(fy_document_root(doc), &it))) {
                const char *signs[] = { "positive", "negative" };

                for (size_t sg = 0; sg < ELEMENTSOF(signs); sg++) {
                        struct fy_node *ex;

                        for (void *eit = NULL; (ex = fy_node_sequence_iterate(examples(fy_node_pair_value(p), signs[sg]),
                                                                               &eit)); ) {
                                const char *text = fy_node_is_scalar(ex) ? fy_node_get_scalar0(ex) : get(ex, "text");
                                const char *learn = fy_node_is_scalar(ex) ? NULL : get(ex, "learn");
                                _cleanup_redact_ struct gd_redact *r = NULL;

                                if (!text)
                                        continue;       /* config space, a file */
                                cr_assert_eq(gd_redact_new(true, &r), 0);
                                cr_assert_eq(gd_redact_learn(r, learn ? learn : text, strlen(learn ? learn : text)), 0);
                                for (size_t i = 0; text[i]; i++)
                                        for (const char *c = "a0"; *c; c++) {
                                                _cleanup_free_ char *s = NULL;

                                                cr_assert(asprintf(&s, "%.*s%c%s", (int) i, text, *c, text + i) > 0);
                                                try_marked_kinds(r, s, i + 1, &tried);
                                        }
                        }
                }
        }
        cr_assert_gt(tried, 50000);
        fy_document_destroy(doc);
}

/* The canaries' secrets, "kind<TAB>secret" per line. */
static char **secrets_of(const char *name, char ***ret_kinds) {
        _cleanup_free_ char *path = src_path(name), *text = slurp(path, NULL);
        char **secrets = calloc(1, sizeof(char *)), **kinds = calloc(1, sizeof(char *));

        cr_assert(secrets && kinds);
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *tab = strchr(l, '\t');

                if (l[0] == '#')
                        continue;
                cr_assert_not_null(tab, "%s: '%s'", name, l);
                *tab = '\0';
                cr_assert_eq(strv_push_dup(&kinds, l), 0);
                cr_assert_eq(strv_push_dup(&secrets, tab + 1), 0);
        }
        *ret_kinds = kinds;
        return secrets;
}

static const char *const readable[] = {
        "[10de:2204]", "0000:01:00.0", "vfio-pci", "DMAR: IOMMU enabled", "Adding to iommu group 1",
        "options vfio-pci ids=10de:2204", "Linux version 6.8.12-4-pve",
};

static char *verdicts(const char *bundle) {
        const char *args[] = { "explain", "--format", "json", "--bundle", bundle, NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        char *v = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&v, &len);
        int rc = gpudiag_run(args, NULL, NULL, &out, &err);

        cr_assert(rc == 0 || rc == 1, "%s: exit %d: %s", bundle, rc, err);
        for (const char *p = out; (p = strstr(p, "\"verdict\": ")); p++)
                fprintf(f, "%.*s\n", (int) strcspn(p, ",\n"), p);
        fclose(f);
        return v;
}

Test(hostile_redaction, no_secret_of_the_canary_host_survives_collect_bundle) {
        _cleanup_free_ char *in = src_path("fixtures/hostile/canary-host.yaml");
        _cleanup_free_ char *out = path_join(scratch, "redacted.yaml"), *plain = path_join(scratch, "plain.yaml");
        _cleanup_free_ char *text = NULL, *plain_text = NULL, *err = NULL, *v_in = NULL, *v_out = NULL;
        _cleanup_strv_free_ char **kinds = NULL, **secrets = secrets_of("fixtures/hostile/canary-host.secrets", &kinds);
        _cleanup_redact_ struct gd_redact *r = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        const char *args[] = { "collect", "--bundle", in, "-o", out, "-q", NULL };
        const char *plain_args[] = { "collect", "--bundle", in, "-o", plain, "-q", "--no-redact", NULL };

        cr_assert_geq(strv_length(secrets), 40, "the canary host plants %zu secrets", strv_length(secrets));
        cr_assert_eq(gd_redact_new(true, &r), 0);
        for (const char *const *k = gd_redact_kinds(r); *k; k++)
                cr_assert(strv_contains(kinds, *k), "the canary host plants no secret of kind '%s'", *k);

        cr_assert_eq(gpudiag_run(args, NULL, NULL, NULL, &err), 0, "%s", err);
        free(err);
        cr_assert_eq(gpudiag_run(plain_args, NULL, NULL, NULL, &err), 0, "%s", err);
        err = mfree_str(err);
        text = slurp(out, NULL);
        plain_text = slurp(plain, NULL);
        for (size_t i = 0; secrets[i]; i++) {
                /* No reader reads DMI serials, so collect, which records
                 * what the readers read, never has them: absent even with
                 * --no-redact.  Every other secret is collected, and must
                 * then be redacted. */
                if (streq(kinds[i], "dmi-serial"))
                        cr_assert_null(strstr(plain_text, secrets[i]), "%s '%s' is collected", kinds[i], secrets[i]);
                else
                        cr_assert_not_null(strstr(plain_text, secrets[i]),
                                           "%s '%s' is not collected at all with --no-redact", kinds[i], secrets[i]);
                cr_assert_null(strstr(text, secrets[i]), "%s '%s' survived collect --bundle", kinds[i], secrets[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(readable); i++)
                cr_assert_not_null(strstr(text, readable[i]), "'%s' was lost to redaction", readable[i]);

        cr_assert_eq(gd_bundle_load(out, &b, &err), 0, "%s", err);
        for (const char *const *k = gd_redact_kinds(r); *k; k++)
                cr_assert(strv_contains(b->metadata.redacted, *k), "metadata.redacted lacks '%s'", *k);
        cr_assert_str_eq(b->metadata.origin, "synthetic", "the re-collected bundle forgot its origin");
        cr_assert_not_null(gd_bundle_file(b, "/sys/class/dmi/id/sys_vendor"));
        cr_assert_null(gd_bundle_file(b, "/sys/class/dmi/id/product_serial"));

        /* And the redacted host is still the same host. */
        v_in = verdicts(in);
        v_out = verdicts(out);
        cr_assert_gt(strlen(v_in), 0);
        cr_assert_str_eq(v_out, v_in);
}

Test(hostile_redaction, no_secret_of_the_canary_paste_survives_import) {
        _cleanup_free_ char *in = src_path("fixtures/hostile/canary-paste.txt");
        _cleanup_free_ char *out = path_join(scratch, "paste.yaml"), *plain = path_join(scratch, "paste-plain.yaml");
        _cleanup_free_ char *text = NULL, *plain_text = NULL, *err = NULL;
        _cleanup_strv_free_ char **kinds = NULL, **secrets = secrets_of("fixtures/hostile/canary-paste.secrets", &kinds);
        _cleanup_bundle_ struct gd_bundle *b = NULL, *bp = NULL;
        static const char source[] = "pasted by mallory from nas07.corp.example";
        const char *args[] = { "import", in, "--source", source, "-o", out, NULL };
        const char *plain_args[] = { "import", "--no-redact", in, "--source", source, "-o", plain, NULL };

        cr_assert_eq(gpudiag_run(args, NULL, NULL, NULL, &err), 0, "%s", err);
        free(err);
        cr_assert_eq(gpudiag_run(plain_args, NULL, NULL, NULL, &err), 0, "%s", err);
        err = mfree_str(err);
        text = slurp(out, NULL);
        plain_text = slurp(plain, NULL);
        for (size_t i = 0; secrets[i]; i++) {
                cr_assert_not_null(strstr(plain_text, secrets[i]), "%s '%s' is not imported with --no-redact", kinds[i],
                                   secrets[i]);
                cr_assert_null(strstr(text, secrets[i]), "%s '%s' survived import", kinds[i], secrets[i]);
        }
        /* An imported bundle has no lspci view: the IDs are the recording's. */
        for (size_t i = 0; i < ELEMENTSOF(readable); i++)
                if (!startswith(readable[i], "options") && !startswith(readable[i], "[10de"))
                        cr_assert_not_null(strstr(text, readable[i]), "'%s' was lost to redaction", readable[i]);
        cr_assert_not_null(strstr(text, "E: PCI_ID=10DE:2204\n"));
        cr_assert_not_null(strstr(text, "options vfio-pci ids=10de:2204 disable_vga=1"));

        /* The bundle says what was redacted; --no-redact says nothing was. */
        cr_assert_eq(gd_bundle_load(out, &b, &err), 0, "%s", err);
        cr_assert(strv_contains(b->metadata.redacted, "mac") && strv_contains(b->metadata.redacted, "dsn") &&
                  strv_contains(b->metadata.redacted, "user"));
        err = mfree_str(err);
        cr_assert_eq(gd_bundle_load(plain, &bp, &err), 0, "%s", err);
        cr_assert_eq(strv_length(bp->metadata.redacted), 0);
}
