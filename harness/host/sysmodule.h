/* SPDX-License-Identifier: MIT */
#pragma once

#include "model/host.h"

/* /sys/module/<name> for the modules of the table in host/sysmodule.c,
 * vfio_pci_core's holders, and the parameters checks read
 * (h->sys_modules, h->module_params).  Returns 0 or -ENOMEM. */
int gd_sysmodule_read(struct gd_host *h);
