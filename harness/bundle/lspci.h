/* SPDX-License-Identifier: MIT */
/* `lspci -nnk` as the host prints it: the bundle's `lspci` view, for
 * people.  Started before the reader runs, so that it runs beside it. */
#pragma once

#include <stddef.h>

#include "base/macro.h"

struct gd_lspci;

/* Starts lspci (LSPCI_PATH, else the usual places); NULL when it is not
 * installed or could not be started. */
struct gd_lspci *gd_lspci_start(void);

/* Waits for it (10 s from the start at most) and returns what it printed,
 * NUL-terminated, or NULL when it failed, timed out, printed more than 1 MiB
 * or nothing.  Frees l (NULL-safe). */
char *gd_lspci_finish(struct gd_lspci *l, size_t *ret_len);

static inline void gd_lspci_finishp(struct gd_lspci **l) { free(gd_lspci_finish(*l, NULL)); }
#define _cleanup_lspci_ _cleanup_(gd_lspci_finishp)
