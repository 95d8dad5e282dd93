/* SPDX-License-Identifier: MIT */
/* The iommu family: the IOMMU options of the kernel command line
 * (intel_iommu=, amd_iommu=, iommu=), as the kernel reads them.
 *
 * Unknown options: intel_iommu_setup() and parse_amd_iommu_options()
 * log "Unknown option - '%s'" for anything else and ignore it;
 * amd_iommu has no "on" (AMD-Vi is on whenever IVRS exists). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iommu-internal.h"
#include "remedy.h"

/* ---- command line ----------------------------------------------------------- */

static const char *const intel_words[] = {
        "on", "off", "igfx_off", "forcedac", "strict", "sp_off", "sm_on", "sm_off", "tboot_noforce",
};
static const char *const amd_words[] = {
        "fullflush", "force_enable", "off", "force_isolation", "pgtbl_v1", "pgtbl_v2",
        "irtcachedis", "nohugepages", "v2_pgsizes_only",
};

void read_cmdline(const struct gd_host *h, struct cmdline_iommu *c) {
        *c = (struct cmdline_iommu) { .intel = -1 };
        if (h->cmdline_state < 0)
                return;
        for (size_t i = 0; i < h->cmdline.n_args; i++) {
                const struct gd_cmdline_arg *a = &h->cmdline.args[i];
                if (!a->value)
                        continue;
                if (strcmp(a->key, "intel_iommu") == 0) {
                        /* word by word, in order, as intel_iommu_setup() */
                        for (const char *p = a->value; *p;) {
                                if (strncmp(p, "on", 2) == 0)
                                        c->intel = 1, c->intel_arg = a;
                                else if (strncmp(p, "off", 3) == 0)
                                        c->intel = 0, c->intel_arg = a;
                                p += strcspn(p, ",");
                                p += strspn(p, ",");
                        }
                } else if (strcmp(a->key, "amd_iommu") == 0 && comma_item_starts_with(a->value, "off"))
                        c->amd_off = a;
                else if (strcmp(a->key, "iommu") == 0 && comma_item_starts_with(a->value, "off"))
                        c->iommu_off = a;
        }
}

char *arg_string(const struct gd_cmdline_arg *a) {
        char *s = NULL;
        if (asprintf(&s, "%s%s%s", a->key, a->value ? "=" : "", a->value ? a->value : "") < 0)
                return NULL;
        return s;
}

void unknown_options(const struct gd_host *h, struct gd_findings *out) {
        if (h->cmdline_state < 0)
                return;
        for (size_t i = 0; i < h->cmdline.n_args; i++) {
                const struct gd_cmdline_arg *a = &h->cmdline.args[i];
                bool intel = strcmp(a->key, "intel_iommu") == 0;
                const char *const *words = intel ? intel_words : amd_words;
                size_t n = intel ? ELEMENTSOF(intel_words) : ELEMENTSOF(amd_words);

                if (!a->value || (!intel && strcmp(a->key, "amd_iommu") != 0))
                        continue;
                for (const char *p = a->value; *p;) {
                        size_t len = strcspn(p, ",");
                        bool known = false;
                        _cleanup_free_ char *word = strndup(p, len), *as = arg_string(a), *logline = NULL;
                        const struct gd_kmsg_record *r;
                        struct gd_finding *x;

                        for (size_t k = 0; k < n; k++)
                                if (strncmp(p, words[k], strlen(words[k])) == 0)
                                        known = true;
                        p += len;
                        p += strspn(p, ",");
                        if (known || !word || !as || len == 0)
                                continue;
                        x = gd_findings_add(out, "iommu.unknown-option",
                                            "%s=%s is not an option the kernel knows; it is ignored",
                                            a->key, word);
                        if (!x)
                                return;
                        gd_finding_evidence_cmdline(x, h);
                        if (asprintf(&logline, "'%s'", word) >= 0 &&
                            (r = kfind(h, intel ? GD_KMSG_DMAR_UNKNOWN_OPTION : GD_KMSG_AMDVI_UNKNOWN_OPTION,
                                       logline)))
                                gd_finding_evidence_kmsg(x, h, r);
                        if (intel && strcmp(word, "pt") == 0)
                                gd_finding_evidence(x, "drivers/iommu/intel/iommu.c", 0,
                                                    "intel_iommu_setup(): 'pt' is no option; passthrough is iommu=pt, "
                                                    "and whether VT-d is on is decided by intel_iommu=on or "
                                                    "CONFIG_INTEL_IOMMU_DEFAULT_ON");
                        else if (!intel && strcmp(word, "on") == 0)
                                gd_finding_evidence(x, "drivers/iommu/amd/init.c", 0,
                                                    "parse_amd_iommu_options() has no 'on': AMD-Vi is on whenever the "
                                                    "firmware provides an IVRS table, unless amd_iommu=off");
                        else
                                gd_finding_evidence(x, intel ? "drivers/iommu/intel/iommu.c" : "drivers/iommu/amd/init.c",
                                                    0, "%s accepts only: %s", a->key,
                                                    intel ? "on off igfx_off forcedac strict sp_off sm_on sm_off tboot_noforce"
                                                          : "fullflush force_enable off force_isolation pgtbl_v1 pgtbl_v2 "
                                                            "irtcachedis nohugepages v2_pgsizes_only");
                        if (strcmp(word, a->value) == 0)
                                gd_remedy_cmdline_remove(x, h, as);
                        else
                                gd_finding_remedy(x, "Drop '%s' from %s on the kernel command line.", word, as);
                        if (intel && strcmp(word, "pt") == 0)
                                gd_finding_remedy_append(x, "If identity mapping was meant, add iommu=pt instead "
                                                         "(and intel_iommu=on where the kernel does not enable VT-d by default).");
                }
        }
}
