/* SPDX-License-Identifier: MIT */
/* Editing one statement that writes the kernel command line, as text: a
 * GRUB assignment (GRUB_CMDLINE_LINUX_DEFAULT="quiet ...", quoted or not,
 * possibly "$GRUB_CMDLINE_LINUX_DEFAULT ...") or the line of
 * /etc/kernel/cmdline.  Pure; shared by the remedies (remedy.c), which
 * quote the line before and after, and the plan, which edits the file. */
#pragma once

#include <stdbool.h>

/* The statement with word added inside its quotes (grub) or at its end;
 * an empty grub statement becomes GRUB_CMDLINE_LINUX_DEFAULT="word".
 * Newly allocated; NULL on ENOMEM. */
char *gd_cmdline_text_add(const char *statement, const char *word, bool grub);
/* The statement with every whole-word occurrence of word removed (with one
 * neighbouring blank); NULL when it holds none (or on ENOMEM). */
char *gd_cmdline_text_remove(const char *statement, const char *word);
/* The statement with every whole-word occurrence of old replaced by new;
 * NULL when it holds none (or on ENOMEM). */
char *gd_cmdline_text_replace(const char *statement, const char *old, const char *new);
