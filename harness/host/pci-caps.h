/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "model/host.h"

/* Parses the capability lists of a config space image, as lspci's ls-caps.c
 * and ls-ecaps.c walk them.  Pure: bytes in, facts out.  A short image (64
 * bytes, which is all non-root users may read) leaves every capability fact
 * unknown rather than "absent"; the header facts (multifunction, a bridge's
 * secondary bus) need only those 64 bytes. */
void gd_pci_caps_parse(const uint8_t *cfg, size_t len, struct gd_pci_caps *ret);
