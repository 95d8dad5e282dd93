/* SPDX-License-Identifier: MIT */
/* The plan: every finding's actions (model/action.h) merged into one
 * ordered list of steps that takes the chosen GPUs to READY on this host.
 *
 * Pure: a function of the host model, the targets and the findings (and of
 * the answers a person gave to the plan's questions); it reads no file.
 * Every file edit is computed against the content the reader kept
 * (model/conffile.h), so its diff is exact for the host the facts came
 * from.  Rendering is report/'s (plan-text.c, plan-json.c, plan-sh.c);
 * performing it is apply/'s.
 *
 * Order, after the guide people follow: what must be known first
 * (facts gpudiag could not read), firmware settings, moving a card, the
 * kernel command line, vfio-pci binding and module configuration, the
 * initramfs, the boot loader, the reboot (or, when nothing needs one,
 * binding now), what to verify after it, and last the VM configuration.
 * Each step comes once: a file is edited by one step that holds every
 * change of it, a command runs once. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "checks/check.h"
#include "model/bootconfig.h"

enum gd_plan_phase {
        GD_PHASE_PREPARE,      /* facts to read first, decisions only a person can take */
        GD_PHASE_FIRMWARE,     /* firmware setup (a person) */
        GD_PHASE_HARDWARE,     /* moving a card (a person) */
        GD_PHASE_CMDLINE,      /* the kernel command line */
        GD_PHASE_MODULES,      /* vfio-pci binding and module configuration */
        GD_PHASE_INITRAMFS,    /* the initramfs's module list, then its rebuild */
        GD_PHASE_BOOTLOADER,   /* the boot loader's configuration regenerated */
        GD_PHASE_REBOOT,
        GD_PHASE_NOW,          /* binding now, when nothing needs a reboot */
        GD_PHASE_VERIFY,       /* what to check after */
        GD_PHASE_VM,           /* the VM configuration */
        _GD_PHASE_MAX,
};

enum gd_step_kind {
        GD_STEP_EDIT,          /* a file edit: path, before, after, diff */
        GD_STEP_COMMAND,       /* a command: argv */
        GD_STEP_PERSON,        /* something only a person can do: text */
        GD_STEP_VERIFY,        /* a command to run after, and what it must show */
};

struct gd_plan_step {
        enum gd_plan_phase phase;
        enum gd_step_kind kind;
        char *title;           /* one line: what the step does */
        char **reasons;        /* "driver.host-bound 0000:01:00.0", or why it follows from others */

        /* GD_STEP_EDIT */
        char *path;            /* as the host names it */
        char *before;          /* the content as read; NULL: the file does not exist yet */
        char *after;
        char *diff;            /* unified, against before */
        char **changes;        /* what the edit does, one item each ("add intel_iommu=on") */

        /* GD_STEP_COMMAND, GD_STEP_VERIFY */
        char **argv;
        char **touches;        /* files the command rewrites itself (apply backs them up) */
        char **undo_argv;      /* what undoes it, when more than restoring files (NULL: nothing) */
        char *expect;          /* GD_STEP_VERIFY: what a good result shows */

        char *text;            /* GD_STEP_PERSON: what to do; else an explanation, or NULL */
        char *note;            /* a warning people must read first (the host console), or NULL */
        const char *question;  /* the id of the question it waits for, or NULL */
};

/* Something the host's files cannot tell, asked once.  A person answers
 * with the option (gpudiag plan --initramfs-tool dracut) and the steps
 * that waited for it become exact. */
struct gd_plan_question {
        const char *id;        /* "gpu", "bootloader", "initramfs-tool" */
        const char *option;    /* "-s", "--bootloader", "--initramfs-tool" */
        char *text;
        char **choices;
};

struct gd_plan {
        char **targets;        /* the GPUs planned for (addresses) */
        struct gd_plan_step *steps;
        size_t n_steps;
        struct gd_plan_question *questions;
        size_t n_questions;
        /* Two actions that cannot both be done (a word added and removed, one
         * line replaced two ways, an ids= that would take a device off
         * vfio-pci, a blacklist of a module another device uses).  A bug of
         * the checks when not empty; the plan is then refused. */
        char **conflicts;
        char **notes;          /* plan-wide remarks */
        bool needs_reboot;
        /* What the plan went by, the answers applied. */
        enum gd_bootloader bootloader;
        enum gd_initramfs_tool initramfs_tool;
};

/* The answers to the plan's questions, from the command line. */
struct gd_plan_answers {
        enum gd_bootloader bootloader;          /* UNKNOWN: not given */
        const char *grub_mkconfig;              /* with GRUB: the command */
        enum gd_initramfs_tool initramfs_tool;  /* UNKNOWN: not given */
};

/* --bootloader NAME: update-grub, grub2-mkconfig, grub-mkconfig,
 * systemd-boot, proxmox-boot-tool, kernelstub.  -EINVAL for others. */
int gd_plan_answer_bootloader(const char *name, struct gd_plan_answers *a);
/* --initramfs-tool NAME: initramfs-tools, dracut, mkinitcpio, booster. */
int gd_plan_answer_initramfs(const char *name, struct gd_plan_answers *a);
/* The names, for messages and completion: "update-grub, grub2-mkconfig, ..." */
const char *gd_plan_bootloader_choices(void);
const char *gd_plan_initramfs_choices(void);

/* Which cards to plan for when -s does not say: the ones meant for a VM
 * (a function on vfio-pci or pci-stub, a driver_override of vfio-pci,
 * named by vfio-pci ids=, or by a VM configuration); else the only GPU of
 * the host.  Keeps those in t (others removed).  When that leaves no card
 * and there are several, *ret_ask is true and t is empty: the plan asks
 * which (gd_plan_build() with asked_gpu).  Returns 0 or -ENOMEM. */
int gd_plan_pick_targets(const struct gd_host *h, struct gd_targets *t, bool *ret_ask);

/* Builds the plan for the targets from the findings the checks gave for
 * them.  candidates: when not NULL, the cards the "gpu" question offers
 * (every GPU of the host; the plan then has only host-wide steps).
 * Returns 0 or -ENOMEM. */
int gd_plan_build(const struct gd_host *h, const struct gd_targets *t, const struct gd_findings *f,
                  const struct gd_plan_answers *a, const struct gd_targets *candidates, struct gd_plan *ret);
void gd_plan_clear(struct gd_plan *p);

const char *gd_plan_phase_name(enum gd_plan_phase p);     /* "cmdline", "modules", ... */
const char *gd_plan_phase_title(enum gd_plan_phase p);    /* "Kernel command line", ... */
const char *gd_step_kind_name(enum gd_step_kind k);       /* "edit", "command", "person", "verify" */
/* True when a person must act (a person step, or one waiting for a question). */
bool gd_step_needs_person(const struct gd_plan_step *s);
