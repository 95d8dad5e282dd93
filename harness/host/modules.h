/* SPDX-License-Identifier: MIT */
/* Reads module state and module configuration with libkmod into a
 * struct gd_modconfig (model/modconfig.h). */
#pragma once

#include "model/modconfig.h"

/* release: the kernel release whose /lib/modules/<release> indexes to read;
 * NULL reads it from /proc/sys/kernel/osrelease (not uname(), which a replay
 * testbed does not fake).  Configuration is read below gd_config_root().
 *
 * modaliases: NULL-terminated list (may be NULL) of device modaliases to
 * resolve now, so that checks can stay pure.
 *
 * Returns 0 with *ret set, even when parts could not be read (their states
 * say so); -ENOMEM, or -EINVAL for a release that is not a plain name. */
int gd_modconfig_read(const char *release, char * const *modaliases, struct gd_modconfig **ret);
