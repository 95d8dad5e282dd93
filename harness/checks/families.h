/* SPDX-License-Identifier: MIT */
/* One entry point per check family; each lives in checks/<family>.c. */
#pragma once

#include "check.h"

void gd_check_targets(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_iommu(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_groups(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_groups_predict(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_drivers(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_vfio(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_boot(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_framebuffer(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_reset(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_power(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_vm(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_aer(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_rom(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_tools(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
void gd_check_guest(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out);
