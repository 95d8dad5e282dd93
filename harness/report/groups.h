/* SPDX-License-Identifier: MIT */
/* The groups report: IOMMU groups in numeric order with every device
 * lspci -nns style and its driver, as text for people or JSON (the schema
 * in gpudiag(1), "groups"). */
#pragma once

#include <stdio.h>

#include "model/host.h"
#include "model/pci-filter.h"
#include "predict/predict.h"

/* Only devices that f matches (a group is shown when one of its devices
 * is); f may be inactive. */
void gd_report_groups_text(FILE *out, const struct gd_host *h, const struct gd_pci_filter *f);
/* Returns 0, or -EIO/-ENOMEM when the output failed. */
int gd_report_groups_json(FILE *out, const struct gd_host *h, const struct gd_pci_filter *f);

/* groups --predict (report/groups-predict.c): the predicted partition in
 * the listing or schema above, group numbers the prediction's own; per
 * group each merge with its reason; the unknown facts and the notes; with
 * diff (NULL when the host has no real groups, or under a what-if move)
 * where the prediction and the real groups part.  The JSON adds
 * "prediction" (rules, kernel, acs_control, acs_override, moves),
 * "removed", "unknowns", "notes" and "difference"; iommu_groups_state is
 * "predicted". */
void gd_report_predicted_groups_text(FILE *out, const struct gd_host *h, const struct gd_predict_options *o,
                                     const struct gd_prediction *p, const struct gd_group_diff *diff,
                                     const struct gd_pci_filter *f);
int gd_report_predicted_groups_json(FILE *out, const struct gd_host *h, const struct gd_predict_options *o,
                                    const struct gd_prediction *p, const struct gd_group_diff *diff,
                                    const struct gd_pci_filter *f);
