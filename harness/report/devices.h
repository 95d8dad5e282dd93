/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "base/emit.h"
#include "model/host.h"

/* One device as `lspci -nns` prints it, with the domain:
 * "0000:01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU102 [10de:1e07] (rev a1)" */
void gd_device_format_line(const struct gd_pci_dev *d, char *buf, size_t size);

/* One device as a JSON/YAML mapping (the schema in gpudiag(1), "groups"). */
void gd_device_emit(struct gd_emit *e, const struct gd_pci_dev *d);
