/* SPDX-License-Identifier: MIT */
#pragma once

#include "cli.h"

struct gd_import;
struct gd_bundle;

/* After gpudiag import wrote b (to output; "-" or NULL: stdout): what the
 * text proved and inferred, explain's verdict per GPU of b, and the
 * commands whose output settles what that verdict lacks.  Text on stderr,
 * or JSON on stdout.  Returns 0, or a negative errno when writing failed. */
int import_summary(const struct gd_import *im, const struct gd_bundle *b, const char *bundle_path, const char *output,
                   enum gd_format format);
