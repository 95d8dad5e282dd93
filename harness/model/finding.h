/* SPDX-License-Identifier: MIT */
/* Findings: what the checks conclude, each with evidence and a remedy.
 *
 * A finding has a stable id from the catalogue (checks/catalogue.c), a
 * severity, the subjects it is about (PCI addresses, or "group:N"), a
 * one-line summary, at least one evidence item (where the fact came from,
 * the line when it is a log or file line, and the text), and a remedy: the
 * exact line or command for this host.  `effect` says what it does to the
 * verdict of the GPUs it names. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base/macro.h"
#include "model/role.h"
#include "model/action.h"

enum gd_severity {
        GD_SEV_INFO,
        GD_SEV_WARNING,
        GD_SEV_ERROR,
};

enum gd_effect {
        GD_EFFECT_NONE,        /* advice only */
        GD_EFFECT_UNKNOWN,     /* a required fact could not be read */
        GD_EFFECT_BLOCKS,      /* makes the GPU NOT READY */
};

struct gd_evidence {
        char *source;          /* a path (/proc/cmdline, /sys/...), or "kernel log" */
        unsigned line;         /* 1-based line or record number, 0 for a whole file or attribute */
        char *text;            /* the line, or the attribute's value */
};

/* A configuration edit a remedy asks for, in a form a tool can apply
 * (gpudiag plan): in file, key goes from old_value to new_value; old_value
 * NULL adds the key, new_value NULL removes it.  For a Proxmox VM config the
 * key is the option ("hostpci0", "machine", "vga", "cpu") and the values
 * are what follows "key: "; for a modprobe.d file the key is the module and
 * the values are the options line. */
struct gd_edit {
        char *file;
        unsigned line;         /* 1-based line of old_value, 0 when adding */
        char *key;
        char *old_value, *new_value;
};

struct gd_finding {
        const char *id;        /* catalogue id, static */
        const char *variant;   /* the catalogue's declared variant of id, static; NULL: the id's own row */
        enum gd_severity severity; /* both from the catalogue row, never set by a check */
        enum gd_effect effect;
        char **subjects;       /* addresses "0000:01:00.0" or "group:5"; empty = whole host */
        char *summary;
        struct gd_evidence *evidence;
        size_t n_evidence;
        char *remedy;          /* NULL only for GD_SEV_INFO notes that need no action */
        struct gd_edit *edits; /* the remedy's config edits, where it is one (VM configs) */
        size_t n_edits;
        struct gd_action *actions; /* the remedy as data, for gpudiag plan (model/action.h) */
        size_t n_actions;
};

/* What READY rests on.  A GPU is READY only when the checks affirmatively
 * proved each condition for it (and no finding blocks or leaves a fact
 * unknown); silence is never proof.  Each proof is "condition" for the whole
 * host or "condition@address" for one function. */
#define GD_PROOF_IOMMU  "iommu"   /* host: the IOMMU translates and groups exist */
#define GD_PROOF_IRQ    "irq"     /* host: interrupt remapping is on */
#define GD_PROOF_GROUP  "group"   /* per function: its group holds nothing that blocks */
#define GD_PROOF_DRIVER "driver"  /* per function: bound to vfio-pci (or pci-stub, or a vfio-pci variant) */
/* A guest's question (model/role.h, GD_QUESTION_GUEST). */
#define GD_PROOF_GUEST_DRIVER "guest-driver" /* per GPU function: bound to a GPU driver, not vfio */
#define GD_PROOF_INITIALISED "initialised"   /* per GPU function: the driver's probe completed, no init error */
#define GD_PROOF_BARS "bars"                  /* per function: every memory BAR has an address */
/* Xen's question (GD_QUESTION_XEN). */
#define GD_PROOF_XEN_IOMMU "xen-iommu"       /* host: Xen's IOMMU is on (xl dmesg; Linux in dom0 cannot see it) */
#define GD_PROOF_PCIBACK "pciback"           /* per function: bound to xen-pciback (xl pci-assignable-add) */
/* Any question: where gpudiag runs is known (model/role.h). */
#define GD_PROOF_ROLE "role"

struct gd_findings {
        struct gd_finding *items;
        size_t n;
        char **proven;
        enum gd_role role;     /* where the checks ran (gd_checks_run() decides it) */
};

/* Records that a required condition holds (address NULL: whole host). */
int gd_findings_prove(struct gd_findings *f, const char *condition, const char *address);
bool gd_findings_proven(const struct gd_findings *f, const char *condition, const char *address);

/* Builders of a finding that gd_findings_add() (checks/check.h) created. */
int gd_finding_subject(struct gd_finding *x, const char *subject);
int gd_finding_evidence(struct gd_finding *x, const char *source, unsigned line, const char *text_fmt, ...)
        __attribute__((format(printf, 4, 5)));
int gd_finding_remedy(struct gd_finding *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a line to the remedy (joined with "\n"). */
int gd_finding_remedy_append(struct gd_finding *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds a config edit; an identical one is not added twice. */
int gd_finding_edit(struct gd_finding *x, const char *file, unsigned line, const char *key, const char *old_value,
                    const char *new_value);
/* Attaches an action (copied); an action equal to one already attached is
 * not added twice.  gd_finding_act() is the short form for kinds with one
 * argument (arg may be NULL); gd_finding_act_line() for the kinds that name
 * a file line.  0 or -ENOMEM. */
int gd_finding_action(struct gd_finding *x, const struct gd_action *a);
int gd_finding_act(struct gd_finding *x, enum gd_action_kind kind, const char *arg);
int gd_finding_act_text(struct gd_finding *x, enum gd_action_kind kind, const char *text_fmt, ...)
        __attribute__((format(printf, 3, 4)));
int gd_finding_act_line(struct gd_finding *x, enum gd_action_kind kind, const char *path, unsigned line,
                        const char *old_text, const char *arg, const char *text);

bool gd_finding_has_subject(const struct gd_finding *x, const char *subject);
const struct gd_finding *gd_findings_find(const struct gd_findings *f, const char *id);

void gd_finding_clear(struct gd_finding *x);
void gd_findings_clear(struct gd_findings *f);
void gd_findings_sort(struct gd_findings *f);  /* by severity, then id, then first subject */

const char *gd_severity_to_string(enum gd_severity s);
