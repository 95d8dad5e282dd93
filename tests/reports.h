/* SPDX-License-Identifier: MIT */
/* The real public reports of sysfs-snapshots/reports/ and their blind
 * labels (LABELS), run through gpudiag as a user would: the report's text
 * (its '#' header, which is ours, dropped) imported fresh, then explained.
 * Shared by the accuracy benchmark (tests/accuracy.c, `make accuracy`) and
 * its pass/fail floor in `make check` (tests/test-reports.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* One line of LABELS: a GPU of a report and what an expert accepts. */
struct report_label {
        char *report;          /* file name in the reports directory */
        char *address;         /* dddd:bb:dd.f */
        char **accepted;       /* verdicts an expert accepts, the labeller's first */
        char *question;        /* host | guest */
        char **causes;         /* expected finding ids; NULL for '-' */
        char *reason;
};

/* Parses LABELS (format in its header).  Returns 0 or -errno; *ret_error
 * names a bad line. */
int reports_load_labels(const char *path, struct report_label **ret, size_t *ret_n, char **ret_error);
void reports_free_labels(struct report_label *l, size_t n);

/* What gpudiag said of one GPU. */
struct report_gpu {
        char *address;
        char **functions;
        char *verdict;         /* ready | not-ready | unknown */
        char **findings;       /* finding ids about it */
};

struct report_run {
        char *name;
        bool has_address;      /* the text names a PCI address */
        int import_status;     /* exit status; -1: died of a signal */
        char *import_err;
        int explain_status;    /* -2: not run */
        char *explain_err;
        char *explain_out;     /* explain's JSON, whole */
        struct report_gpu *gpus;
        size_t n_gpus;
};

/* Imports dir/name (header dropped) into scratch and explains the bundle. */
int reports_run(const char *dir, const char *name, const char *scratch, struct report_run *ret);
void reports_run_clear(struct report_run *r);

/* The GPU gpudiag reported for a labelled address: the card whose address,
 * functions or slot (domain:bus:device) it is; NULL when none. */
const struct report_gpu *reports_find_gpu(const struct report_run *r, const char *address);

/* The report files of dir (*.txt), sorted (strv). */
char **reports_list(const char *dir);

/* True when text holds a PCI address as lspci prints it ([dddd:]bb:dd.f). */
bool reports_text_has_address(const char *text);
