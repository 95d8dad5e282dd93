/* SPDX-License-Identifier: MIT */
/* gpudiag report: one self-contained HTML page for a bug report (verdicts,
 * findings with all their evidence and remedies, the topology picture).
 * No script, no external resource: inline CSS and SVG, and a
 * Content-Security-Policy that forbids everything else.  Every string from
 * the host or the bundle is HTML-escaped (report/escape.h). */
#pragma once

#include <stdio.h>

#include "checks/check.h"

struct gd_html_meta {
        const char *version;        /* gpudiag's */
        const char *bundle;         /* the bundle's file name; NULL for this host */
        const char *created;        /* the bundle's metadata, each NULL when absent */
        const char *origin;
        const char *source;
        long long generated;        /* seconds since the epoch */
};

int gd_report_html(FILE *out, const struct gd_host *h, const struct gd_targets *t, const struct gd_findings *f,
                   const struct gd_html_meta *meta);

/* The topology as inline SVG, laid out here (no Graphviz at run time): one
 * row per device in tree order below its root bus, lines to its bridge,
 * each IOMMU group's colour and number in a badge, GPU groups on a
 * highlighted band.  0 or -ENOMEM. */
int gd_report_topology_svg(FILE *out, const struct gd_host *h);
