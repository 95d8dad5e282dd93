/* SPDX-License-Identifier: MIT */
#pragma once

#include "model/vmlog.h"

/* Reads the VM logs below the config root into a new *ret (never NULL on
 * success; empty when the host has none).  Returns 0 or -ENOMEM. */
int gd_vmlog_read(struct gd_vmlog **ret);
