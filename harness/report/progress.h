/* SPDX-License-Identifier: MIT */
/* A progress line on stderr for work that takes more than a second
 * (collect on a large host, loading a big bundle, replay, import of a big
 * paste): "gpudiag collect: reading the host, 2.4 s", redrawn in place
 * every 100 ms by a thread while the work runs, and erased when it ends.
 *
 * Shown only when stderr is a terminal whose TERM is set and not "dumb":
 * never in a pipe, a file, a CI log or a JSON consumer's stderr.  The
 * first draw waits GPUDIAG_PROGRESS_DELAY_MS (default 1000) so that quick
 * runs print nothing; tests set it to 0. */
#pragma once

#include <stddef.h>

#include "base/macro.h"

struct gd_progress;

/* Starts the line for a command ("collect") doing its first step ("reading
 * the host"); NULL when it is not shown (every function below accepts
 * NULL).  One at a time. */
struct gd_progress *gd_progress_begin(const char *command, const char *step);
/* What is being done now; copied, and drawn at once when the line is up. */
void gd_progress_step(struct gd_progress *p, const char *step);
/* done of total things (total 0: no count shown), e.g. scenarios. */
void gd_progress_count(struct gd_progress *p, size_t done, size_t total, const char *unit);
/* Stops the thread and erases the line; returns NULL. */
struct gd_progress *gd_progress_end(struct gd_progress *p);
static inline void gd_progress_endp(struct gd_progress **p) { gd_progress_end(*p); }
#define _cleanup_progress_ _cleanup_(gd_progress_endp)

/* Ends whatever progress line is up, before a message goes to stderr. */
void gd_progress_end_current(void);
