/* SPDX-License-Identifier: MIT */
/* Host models for the unit tests of the checks, from small data files
 * (fixtures/hosts/NAME.host, the format in fixtures/hosts/README), without
 * umockdev and without the readers: the file states every fact the way the
 * model holds it, so no check's logic is copied into the fixture.
 *
 *   _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "cmdline quiet", NULL);
 *
 * loads the file, then applies each further line as if it were appended
 * (a "dev" line for a known address changes that device; "cmdline",
 * "kernel" and the like replace).  Errors fail the test, naming the line. */
#pragma once

#include "checks/check.h"

struct gd_host *host_fixture(const char *name, ...) __attribute__((sentinel));

/* host-fixture-guest.c: the lines about the role and a guest's GPU (Xen,
 * /sys/module, the NVIDIA driver's /proc files, device nodes, the container
 * toolkit, Proxmox resource mappings); true when the line was one of them. */
bool host_fixture_apply_guest(struct gd_host *h, char **w, size_t n, const char *rest, const char *file, unsigned line);

/* Runs one check family over every GPU of h, and asserts of every finding
 * that its severity and effect are those of its catalogue row or of the
 * declared variant it names: no check changes them after the fact. */
void run_family(void (*family)(const struct gd_host *, const struct gd_targets *, struct gd_findings *),
                const struct gd_host *h, struct gd_findings *out);

/* The first finding with id that names subject (NULL: any subject). */
const struct gd_finding *finding_about(const struct gd_findings *f, const char *id, const char *subject);
/* How many findings have id. */
size_t findings_count(const struct gd_findings *f, const char *id);
/* True when an evidence item's text (or source) contains needle. */
bool evidence_has(const struct gd_finding *x, const char *needle);
