/* SPDX-License-Identifier: MIT */
/* The devices gnif/vendor-reset handles, as data.
 *
 * Transcribed from src/device-db.h of https://github.com/gnif/vendor-reset at
 * the commit in GD_VENDOR_RESET_COMMIT (vendor_reset_devices[]).  Every entry
 * there is PCI_VENDOR_ID_ATI (0x1002): vendor-reset supports no NVIDIA or
 * Intel device, and no Navi 2x / Navi 3x (RX 6000 / RX 7000) device either.
 * When upstream adds IDs, update the table and the commit together
 * (tests/test-vendor-reset.c pins the count). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define GD_VENDOR_RESET_REPO   "https://github.com/gnif/vendor-reset"
#define GD_VENDOR_RESET_COMMIT "084881c6e9e11bdadaf05798e669568848e698a3"
#define GD_VENDOR_RESET_VENDOR 0x1002u  /* PCI_VENDOR_ID_ATI */

struct gd_vendor_reset_id {
        uint16_t device;
        const char *info_str;  /* what vendor-reset prints: "AMD_NAVI10: performing reset" */
        const char *family;    /* the _AMD_* macro it comes from (ARCTURUS logs as AMD_VEGA20) */
        const char *ops;       /* amd_polaris10_ops, amd_vega10_ops, amd_vega20_ops, amd_navi10_ops */
};

/* The entry for vendor:device, or NULL when vendor-reset does not handle it. */
const struct gd_vendor_reset_id *gd_vendor_reset_find(uint16_t vendor, uint16_t device);

/* The entry whose ASIC name a kernel log text about address shows
 * ("vfio-pci 0000:0c:00.0: AMD_NAVI14: performing reset": vendor-reset
 * prefixes its messages with the entry's info_str), or NULL. */
const struct gd_vendor_reset_id *gd_vendor_reset_in_log(const char *text, const char *address);

/* The whole table, for tests and documentation. */
const struct gd_vendor_reset_id *gd_vendor_reset_table(size_t *n);
