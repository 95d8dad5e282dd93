/* SPDX-License-Identifier: MIT */
/* Carrying out a plan (plan/plan.h) on this host, with a journal that
 * undoes it.  The only layer besides the CLI that writes below the config
 * root; it never prints (cli/apply.c shows each step and asks).
 *
 * The journal of one run is a directory, by default
 * <config root>/var/lib/gpudiag/journal/<UTC time>/, holding:
 *   manifest     "gpudiag-journal 1", then one record a line, fields
 *                separated by tabs (a path or word with a tab or newline
 *                is refused):
 *                  root     <config root>
 *                  file     <path> <n>     files/<n> is the file before, files/<n>.after what apply wrote
 *                  new      <path> <n>     the file did not exist; files/<n>.after is what apply wrote
 *                  touched  <path> <n>     a command rewrote it; files/<n> is the file before
 *                  command  <status> <word>...
 *                  undo     <word>...      what undoes the command before it
 *                  complete                every step ran
 *                  undone   <UTC time>     gpudiag undo restored it
 *   files/       the copies, each with the mode of the file it copies.
 * Undo restores every file and removes every new one, byte for byte, after
 * checking that each still holds what apply wrote; then runs the undo
 * commands (the initramfs and boot loader rebuilt from the restored files,
 * driverctl unset-override, kernelstub's inverse) in the order apply ran
 * theirs. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "plan/plan.h"

struct gd_journal;

/* A new journal directory below dir (created with its parents, mode 0700).
 * Returns 0 or -errno; *ret_path: the directory, newly allocated. */
int gd_journal_create(const char *dir, struct gd_journal **ret, char **ret_path);
/* Opens the journal at path (a run's directory), or the newest one not yet
 * undone below dir when path is NULL.  -ENOENT when there is none;
 * -EBADMSG for a manifest gpudiag did not write. */
int gd_journal_open(const char *dir, const char *path, struct gd_journal **ret);
struct gd_journal *gd_journal_free(struct gd_journal *j);
static inline void gd_journal_freep(struct gd_journal **j) { gd_journal_free(*j); }
#define _cleanup_journal_ __attribute__((cleanup(gd_journal_freep)))
const char *gd_journal_path(const struct gd_journal *j);
/* Marks the run complete (every step ran). */
int gd_journal_complete(struct gd_journal *j);

/* The file a host path names below the config root. */
char *gd_apply_real_path(const char *host_path);

/* Carries out one step of the plan: an edit (after checking the file still
 * holds what the plan was computed from, and backing it up), or a command
 * (its touched files backed up first; its stdout and stderr are the
 * caller's).  Person and verify steps are not for apply: -EINVAL.
 * Returns 0, -ESTALE when the file changed since the plan was made (nothing
 * written), -ECHILD with *ret_status when the command failed, or -errno. */
int gd_apply_step(struct gd_journal *j, const struct gd_plan_step *s, int *ret_status);

/* ---- undo ------------------------------------------------------------- */

struct gd_undo_item {
        char *path;            /* a host path restored or removed, or NULL for a command */
        bool created;          /* the file did not exist before apply: undo removes it */
        bool changed;          /* it no longer holds what apply wrote */
        char **argv;           /* an undo command */
};

/* What undoing the journal does, in order: files first, then commands.
 * 0 or -errno. */
int gd_undo_items(struct gd_journal *j, struct gd_undo_item **ret, size_t *ret_n);
void gd_undo_items_free(struct gd_undo_item *items, size_t n);
bool gd_journal_undone(const struct gd_journal *j);
/* Restores or removes one file (item from gd_undo_items()). */
int gd_undo_file(struct gd_journal *j, const struct gd_undo_item *item);
/* Runs one undo command; -ECHILD with *ret_status when it failed. */
int gd_undo_command(const struct gd_undo_item *item, int *ret_status);
/* Records that the journal was undone. */
int gd_journal_mark_undone(struct gd_journal *j);
