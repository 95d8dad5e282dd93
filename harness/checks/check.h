/* SPDX-License-Identifier: MIT */
/* Checks: pure functions of the host model.  A check never touches the file
 * system; it reads struct gd_host (model/host.h, model/modconfig.h,
 * model/bootconfig.h) and the targets, and adds findings.  That is what
 * makes thousands of replayed scenarios cheap and every rule testable.
 *
 * The table of checks is in checks/checks.c; the catalogue of finding ids,
 * with severity, effect and the explanation printed in gpudiag(1), is in
 * checks/catalogue.c.  One file per family: iommu.c, groups.c, drivers.c,
 * vfio.c, boot.c, framebuffer.c, reset.c, power.c, vm.c. */
#pragma once

#include "model/finding.h"
#include "model/host.h"

/* A GPU and every function of its card (same domain, bus and slot): the
 * audio, USB and UCSI functions go to the VM together with the GPU. */
struct gd_target {
        const struct gd_pci_dev *gpu;
        const struct gd_pci_dev **functions;  /* including gpu, sorted by address */
        size_t n_functions;
        /* What its verdict answers (model/role.h): the role's question; in a
         * guest with a vIOMMU, a GPU on a vfio driver is there to be passed
         * on (nested passthrough), any other is the guest's to use. */
        enum gd_question question;
};

struct gd_targets {
        struct gd_target *items;
        size_t n;
};

/* Display-class devices (03xx) plus their sibling functions, each with its
 * question.  slot, when not NULL, keeps only the card with a function at
 * that address. */
int gd_targets_find(const struct gd_host *h, const char *slot, struct gd_targets *ret);
void gd_targets_clear(struct gd_targets *t);
bool gd_target_has(const struct gd_target *t, const char *address);
/* True for drivers that bind only display-class devices (nvidia, amdgpu,
 * i915, ...): a device on one is a GPU even when its class is unknown. */
bool gd_driver_is_gpu(const char *driver);

struct gd_check {
        const char *name;      /* family, for --verbose and tests */
        void (*run)(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
};

/* Decides the role (out->role), runs every check of the table, and drops
 * the findings whose catalogue row does not apply to the role. */
void gd_checks_run(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
/* The dropping step alone (tests run one family, then this): a finding
 * outside f->role, and in a guest with a vIOMMU one about cards whose
 * question is the other side's. */
void gd_findings_filter_role(struct gd_findings *f, const struct gd_targets *t);
/* The question a target's verdict answers, for the role. */
enum gd_question gd_target_question(const struct gd_host *h, const struct gd_target *t, enum gd_role role);
/* True when driver is vfio-pci, pci-stub or a vfio-pci variant driver: a
 * driver the kernel documents as one (drivers/vfio/pci/<vendor>/), or any
 * module in /sys/module/vfio_pci_core/holders (it is built on
 * vfio_pci_core, so it hands the device to VFIO). */
bool gd_driver_is_vfio_class(const struct gd_host *h, const char *driver);

/* The catalogue: one row per finding id, and second rows for the declared
 * variants of an id.  A row is the only source of a finding's severity and
 * effect: a check picks the row, it never changes them afterwards. */
struct gd_catalogue_entry {
        const char *id;
        enum gd_severity severity;
        enum gd_effect effect;
        unsigned roles;           /* GD_ROLE_BIT()s (model/role.h): where the rule applies; elsewhere
                                   * the finding is not emitted (gd_checks_run()) */
        const char *title;
        const char *explanation;  /* one paragraph, with the kernel source it rests on */
};

/* The same id (what users, scenarios and the docs see) with another severity
 * and effect, under a condition that the check names by the variant. */
struct gd_catalogue_variant {
        const char *id;
        const char *variant;
        enum gd_severity severity;
        enum gd_effect effect;
        const char *when;         /* the condition, as gpudiag(1) prints it: "when ..." */
};

const struct gd_catalogue_entry *gd_catalogue_find(const char *id);
const struct gd_catalogue_entry *gd_catalogue(size_t *n);
const struct gd_catalogue_variant *gd_catalogue_variant_find(const char *id, const char *variant);
const struct gd_catalogue_variant *gd_catalogue_variants(size_t *n);

/* Adds a finding with id, severity and effect from the catalogue row of id
 * (gd_findings_add()) or of its declared variant (gd_findings_add_variant();
 * variant NULL is the id's own row).
 * Returns the new finding, or NULL on ENOMEM or for an id or variant the
 * catalogue lacks (a programming error that test-catalogue.c catches). */
struct gd_finding *gd_findings_add(struct gd_findings *f, const char *id, const char *summary_fmt, ...)
        __attribute__((format(printf, 3, 4)));
struct gd_finding *gd_findings_add_variant(struct gd_findings *f, const char *id, const char *variant,
                                           const char *summary_fmt, ...) __attribute__((format(printf, 4, 5)));

/* Verdict per target. */
enum gd_verdict {
        GD_VERDICT_READY,
        GD_VERDICT_NOT_READY,
        GD_VERDICT_UNKNOWN,
};

/* NOT READY when a blocking finding names a function of the target or the
 * whole host; else UNKNOWN when an unknown-effect finding does, or when a
 * required condition (GD_PROOF_*) was not proven for every function; else
 * READY.  READY is never the default of silence. */
enum gd_verdict gd_verdict_for(const struct gd_target *t, const struct gd_findings *f);
/* The required conditions not proven for a target (strv, for reports):
 * "iommu", "irq", "group@0000:01:00.0", "driver@0000:01:00.1". */
char **gd_verdict_unproven(const struct gd_target *t, const struct gd_findings *f);
const char *gd_verdict_to_string(enum gd_verdict v);

/* Helpers shared by the checks. */
/* Adds "subjects" for every function of a target. */
int gd_finding_subject_target(struct gd_finding *x, const struct gd_target *t);
/* Evidence of a device attribute: source /sys/bus/pci/devices/<addr>/<attr>. */
int gd_finding_evidence_attr(struct gd_finding *x, const struct gd_pci_dev *d, const char *attr, const char *value);
/* True when the running (or replayed) kernel is at least maj.min; false
 * when the release is unknown. */
bool gd_kernel_at_least(const struct gd_host *h, unsigned maj, unsigned min);
/* True when a kernel log text names addr as its device prefix, as dev_*()
 * messages do: "<driver> <addr>: ...". */
bool gd_kmsg_names_device(const char *text, const char *addr);
/* True when the record's text names any function of the card. */
bool gd_kmsg_names_target(const char *text, const struct gd_target *t);
/* The running kernel's command line as evidence: its path from the reader's
 * table (base/hostpaths.c), line 1, the text. */
int gd_finding_evidence_cmdline(struct gd_finding *x, const struct gd_host *h);
/* True when a module option's source is the kernel command line (libkmod
 * took it from module.param= there). */
bool gd_source_is_cmdline(const struct gd_source *s);
/* Evidence of a kernel log record. */
int gd_finding_evidence_kmsg(struct gd_finding *x, const struct gd_host *h, const struct gd_kmsg_record *r);
