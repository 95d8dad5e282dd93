/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <string.h>

#include "checks/vendor-reset-ids.h"

Test(vendor_reset, table_matches_device_db_at_the_recorded_commit) {
        size_t n;
        const struct gd_vendor_reset_id *t = gd_vendor_reset_table(&n);

        /* gnif/vendor-reset src/device-db.h at GD_VENDOR_RESET_COMMIT:
         * 13 Polaris10 + 9 Polaris11 + 8 Polaris12 + 15 Vega10 + 7 Vega20 +
         * 8 Navi10 + 4 Navi14 + 2 Navi12 + 1 Arcturus. */
        cr_assert_eq(n, 67);
        cr_assert_eq(strlen(GD_VENDOR_RESET_COMMIT), 40);
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++)
                        cr_assert_neq(t[i].device, t[j].device, "duplicate %04x", t[i].device);
}

Test(vendor_reset, navi10_rx_5700_xt_is_supported) {
        const struct gd_vendor_reset_id *id = gd_vendor_reset_find(0x1002, 0x731f);

        cr_assert_not_null(id);
        cr_assert_str_eq(id->info_str, "AMD_NAVI10");
        cr_assert_str_eq(id->ops, "amd_navi10_ops");
}

Test(vendor_reset, polaris_vega_and_navi1x_families_are_covered) {
        cr_assert_str_eq(gd_vendor_reset_find(0x1002, 0x67df)->info_str, "AMD_POLARIS10"); /* RX 480/580 */
        cr_assert_str_eq(gd_vendor_reset_find(0x1002, 0x67ff)->info_str, "AMD_POLARIS11"); /* RX 560 */
        cr_assert_str_eq(gd_vendor_reset_find(0x1002, 0x699f)->info_str, "AMD_POLARIS12"); /* RX 550 */
        cr_assert_str_eq(gd_vendor_reset_find(0x1002, 0x687f)->info_str, "AMD_VEGA10");    /* Vega 56/64 */
        cr_assert_str_eq(gd_vendor_reset_find(0x1002, 0x66af)->info_str, "AMD_VEGA20");    /* Radeon VII */
        cr_assert_str_eq(gd_vendor_reset_find(0x1002, 0x7340)->info_str, "AMD_NAVI14");
        cr_assert_str_eq(gd_vendor_reset_find(0x1002, 0x7360)->info_str, "AMD_NAVI12");
}

Test(vendor_reset, mi100_logs_as_vega20_but_comes_from_arcturus) {
        const struct gd_vendor_reset_id *id = gd_vendor_reset_find(0x1002, 0x738c);

        cr_assert_not_null(id);
        cr_assert_str_eq(id->info_str, "AMD_VEGA20");
        cr_assert_str_eq(id->family, "AMD_ARCTURUS");
}

Test(vendor_reset, navi2x_and_navi3x_are_not_supported) {
        cr_assert_null(gd_vendor_reset_find(0x1002, 0x73bf)); /* Navi 21, RX 6800/6900 */
        cr_assert_null(gd_vendor_reset_find(0x1002, 0x73df)); /* Navi 22, RX 6700 XT */
        cr_assert_null(gd_vendor_reset_find(0x1002, 0x744c)); /* Navi 31, RX 7900 */
}

Test(vendor_reset, no_nvidia_or_intel_device_and_the_id_alone_is_not_enough) {
        cr_assert_null(gd_vendor_reset_find(0x10de, 0x1e07)); /* TU102 */
        cr_assert_null(gd_vendor_reset_find(0x10de, 0x731f)); /* a Navi 10 device ID under NVIDIA's vendor ID */
        cr_assert_null(gd_vendor_reset_find(0x8086, 0x3e98));
}
