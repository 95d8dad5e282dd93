/* SPDX-License-Identifier: MIT */
/* Shared by the files of the planner; not part of the API. */
#pragma once

#include "model/conffile.h"
#include "plan.h"

/* One action and the finding that asked for it. */
struct item {
        const struct gd_action *a;
        const struct gd_finding *x;
};

/* A file being edited: the changes are kept per line of the content as
 * read, so that every action names lines by the numbers the reader (and
 * the evidence) used, and rendered once at the end. */
struct pfile {
        char *path;
        const char *before;    /* the content as read; NULL: a new file */
        enum gd_plan_phase phase;
        size_t n_lines;
        char **replace;        /* [1..n_lines]: the new text of the line (may hold '\n'), NULL: kept */
        bool *deleted;         /* [1..n_lines] */
        char **insert;         /* [1..n_lines + 1]: lines to insert before it (n_lines + 1: at the end) */
        char **changes;
        char **reasons;
};

struct planner {
        const struct gd_host *h;
        const struct gd_targets *t;
        const struct gd_findings *f;
        enum gd_bootloader bootloader;
        const char *grub_mkconfig;
        enum gd_initramfs_tool initramfs;
        struct gd_plan *plan;
        struct pfile *files;
        size_t n_files;
        bool oom;

        /* What the edits made necessary. */
        bool cmdline_changed;      /* a command-line edit or command */
        bool modules_changed;      /* module configuration the initramfs copies */
        bool boot_files_changed;   /* other files read at boot (udev rules) */
        bool want_rebuild, want_refresh, want_reboot;
        char **ids_reasons;        /* the findings behind the vfio-pci.ids= of plan_cmdline() */
        char **rebuild_reasons, **refresh_reasons, **reboot_reasons;
};

/* plan.c */
struct gd_plan_step *planner_step(struct planner *P, enum gd_plan_phase phase, enum gd_step_kind kind,
                                  const char *title_fmt, ...) __attribute__((format(printf, 4, 5)));
void planner_reason(struct planner *P, char ***reasons, const struct gd_finding *x);
void planner_reasons_add(struct planner *P, char ***reasons, char * const *more);
void planner_conflict(struct planner *P, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void planner_note(struct planner *P, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* plan-questions.c: asks a question once; returns its id. */
const char *planner_ask(struct planner *P, const char *id);
/* The "gpu" question, with the cards to choose from. */
void planner_ask_gpu(struct planner *P, const struct gd_targets *candidates);
/* Every action of kind, with its finding, in the findings' order. */
struct item *planner_items(struct planner *P, enum gd_action_kind kind, size_t *ret_n);
void planner_argv(struct planner *P, struct gd_plan_step *s, ...);
bool planner_is_target(const struct planner *P, const char *address);

/* plan-files.c */
/* The file to edit (phase: where its step goes).  NULL when the reader
 * could not read it (a person step says so) or on ENOMEM. */
struct pfile *pfile_get(struct planner *P, const char *path, enum gd_plan_phase phase);
/* Line n (1-based) of the file as read; false past its end. */
bool pfile_line(const struct pfile *pf, size_t n, const char **ret, size_t *ret_len);
/* Replaces line n; a second, different replacement of one line is a
 * conflict.  pfile_rewrite() is for an edit computed from the line as it
 * will be (pfile_current_line()), which composes with the first. */
void pfile_replace(struct planner *P, struct pfile *pf, size_t n, const char *text);
void pfile_rewrite(struct planner *P, struct pfile *pf, size_t n, const char *text);
void pfile_delete(struct planner *P, struct pfile *pf, size_t n);
void pfile_insert(struct planner *P, struct pfile *pf, size_t before_line, const char *text);
void pfile_append(struct planner *P, struct pfile *pf, const char *text);
/* The line as it will be (replacement, or as read); NULL when deleted. */
char *pfile_current_line(const struct pfile *pf, size_t n);
void pfile_change(struct planner *P, struct pfile *pf, const struct gd_finding *x, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* True when a file of phase has a change. */
bool pfiles_changed(const struct planner *P, enum gd_plan_phase phase);
/* Turns every file into its edit step. */
void pfiles_finish(struct planner *P);
void pfiles_clear(struct planner *P);

/* plan-cmdline.c: the kernel command line (with ids, the vfio-pci.ids=
 * value a built-in vfio-pci needs there, or NULL). */
void plan_cmdline(struct planner *P, const char *ids);
/* plan-bootloader.c: the command that applies it. */
void plan_bootloader_refresh(struct planner *P);

/* plan-modules.c: vfio-pci ids=, softdeps, blacklists, modules-load.d,
 * module options, driver overrides.  The vfio-pci ids that belong on the
 * command line (a built-in vfio-pci, or ids already there) are handed to
 * plan_cmdline() through *ret_cmdline_ids ("vfio-pci.ids=..."). */
void plan_modules(struct planner *P, char **ret_cmdline_ids);

/* plan-binding.c: addr on vfio-pci, at every boot (persistent: driverctl)
 * or now. */
void plan_override(struct planner *P, enum gd_plan_phase phase, const struct gd_finding *x, const char *addr,
                   bool persistent);
void plan_bind_now(struct planner *P);

/* plan-initramfs.c: the module lists, then the rebuild when anything the
 * initramfs copies changed or a finding asked. */
void plan_initramfs(struct planner *P);
void plan_rebuild(struct planner *P);

/* plan-files.c: udev rules, VM configuration lines. */
void plan_file_lines(struct planner *P);
