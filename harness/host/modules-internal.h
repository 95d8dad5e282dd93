/* SPDX-License-Identifier: MIT */
/* Shared between modules.c, modules-provenance.c and modules-load.c; not
 * part of the API. */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "model/modconfig.h"

/* Collapses runs of blanks to one space and trims, in place. */
char *collapse(char *s);

/* modules-provenance.c: libkmod does not say which file or line an item came
 * from; these list and scan the same files in the same order. */
struct conf_line;

struct provenance {
        struct conf_line *lines;
        size_t n_lines;
        char *cmdline;             /* /proc/cmdline, NULL unreadable */
};

void provenance_clear(struct provenance *p);
/* Scans files (kept in keep, by the host's names for them). */
int provenance_load(struct provenance *p, char * const *files, struct gd_conffiles *keep);
/* The first unused line with this command and module (and this value, when
 * one with it exists); else the command line; else unknown. */
struct gd_source provenance_find(struct provenance *p, const char *cmd, const char *module,
                                 const char *value);

/* Adds the *.conf / *.alias files of dir to files, sorted by name, a name
 * already present (from an earlier directory) ignored. */
int list_conf_dir(const char *dir, const char *const *suffixes, char ***files);
/* qsort() comparator: strv entries by the name after their last '/'. */
int cmp_basename(const void *a, const void *b);
/* Splits text into logical lines (a trailing backslash continues the line)
 * and calls fn with the first line's number. */
int for_each_line(char *text, int (*fn)(char *line, unsigned lineno, void *data), void *data);

/* modules-load.c: /etc/modules and /etc/modules-load.d. */
int read_modload(struct gd_modconfig *m);
