/* SPDX-License-Identifier: MIT */
/* Shared by journal.c and apply.c; not part of the API. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "apply.h"

enum jrec_kind {
        JREC_FILE,
        JREC_NEW,
        JREC_TOUCHED,
        JREC_COMMAND,
        JREC_UNDO,
};

struct jrec {
        enum jrec_kind kind;
        char *path;            /* host path */
        unsigned n;            /* files/<n> */
        int status;
        char **argv;
};

struct gd_journal {
        char *dir;
        char *root;            /* the config root apply wrote below */
        FILE *manifest;        /* appended to */
        unsigned next_n;
        struct jrec *recs;
        size_t n_recs;
        bool complete, undone;
};

/* A manifest line: kind, then the fields (none may hold a tab or newline:
 * -EINVAL).  Written and synced before the change it describes. */
int journal_record(struct gd_journal *j, const char *kind, char * const *fields);
int journal_add(struct gd_journal *j, enum jrec_kind kind, const char *path, unsigned n, int status,
                char * const *argv);
/* files/<n> or files/<n>.after of the journal; newly allocated. */
char *journal_copy_path(const struct gd_journal *j, unsigned n, bool after);
int journal_mkdir_parents(const char *path);
