/* SPDX-License-Identifier: MIT */
/* /proc/iomem: the physical address map, for boot framebuffers (BOOTFB,
 * efifb, vesafb, simple-framebuffer) that hold a GPU's BAR.
 *
 * The kernel writes one line per resource (kernel/resource.c, r_show()):
 *   seq_printf(m, "%*s%0*llx-%0*llx : %s\n", depth * 2, "", width, start, width, end, name)
 * with depth capped at MAX_IORES_LEVEL (5) and width 8 for iomem.  Unless the
 * reader has CAP_SYS_ADMIN (file_ns_capable()), start and end are printed as
 * zero, so a file whose every range is 0-0 says nothing about addresses. */
#pragma once

#include <stddef.h>

#include "model/host.h"

#define GD_IOMEM_MAX_LINES 1000000u

/* Parses the text of /proc/iomem.  Pure.  depth = leading spaces / 2; the
 * name is everything after " : " (it may hold spaces: "PCI Bus 0000:00").
 * A trailing \r and empty lines are ignored.  Returns 0; -EINVAL for a line
 * that is not "<spaces><hex>-<hex> : <name>" (odd indentation, bad hex,
 * start > end, missing " : "), -EFBIG past GD_IOMEM_MAX_LINES lines,
 * -ENOMEM.  *ret and *n are untouched on error; *ret is NULL when *n is 0. */
int gd_iomem_parse(const char *text, struct gd_iomem_range **ret, size_t *n);

/* True when there is at least one range and every start and end is zero:
 * what a reader without CAP_SYS_ADMIN sees. */
bool gd_iomem_addresses_hidden(const struct gd_iomem_range *r, size_t n);

/* Reads GD_PROC_IOMEM into h->iomem / h->n_iomem and sets h->iomem_state:
 * 0 when the addresses are real, -EACCES when they are all zero (not root)
 * or the replay marker says unreadable, -ENOENT when absent, other -errno.
 * The ranges are kept even when hidden: their names still say who owns
 * memory.  Returns h->iomem_state. */
int gd_iomem_read(struct gd_host *h);
