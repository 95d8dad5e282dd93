/* SPDX-License-Identifier: MIT */
/* Data from gnif/vendor-reset src/device-db.h (vendor_reset_devices[]) at
 * commit 084881c6e9e11bdadaf05798e669568848e698a3 ("Allow correct
 * compilation with Clang/LLVM", 2023-12-25), in the order of that file.
 * Family -> ops as vendor_reset_devices[] binds them: POLARIS10/11/12 ->
 * amd_polaris10_ops, VEGA10 -> amd_vega10_ops, VEGA20 and ARCTURUS (MI100,
 * info string AMD_VEGA20) -> amd_vega20_ops, NAVI10/14/12 -> amd_navi10_ops. */
#include <string.h>

#include "base/macro.h"
#include "vendor-reset-ids.h"

static const struct gd_vendor_reset_id table[] = {
        { 0x67c0, "AMD_POLARIS10", "AMD_POLARIS10", "amd_polaris10_ops" },
        { 0x67c1, "AMD_POLARIS10", "AMD_POLARIS10", "amd_polaris10_ops" },
        { 0x67c2, "AMD_POLARIS10", "AMD_POLARIS10", "amd_polaris10_ops" },
        { 0x67c4, "AMD_POLARIS10", "AMD_POLARIS10", "amd_polaris10_ops" },
        { 0x67c7, "AMD_POLARIS10", "AMD_POLARIS10", "amd_polaris10_ops" },
        { 0x67d0, "AMD_POLARIS10", "AMD_POLARIS10", "amd_polaris10_ops" },
        { 0x67df, "AMD_POLARIS10", "AMD_POLARIS10", "amd_polaris10_ops" },
        { 0x67c8, "AMD_POLARIS10", "AMD_POLARIS10", "amd_polaris10_ops" },
        { 0x67c9, "AMD_POLARIS10", "AMD_POLARIS10", "amd_polaris10_ops" },
        { 0x67ca, "AMD_POLARIS10", "AMD_POLARIS10", "amd_polaris10_ops" },
        { 0x67cc, "AMD_POLARIS10", "AMD_POLARIS10", "amd_polaris10_ops" },
        { 0x67cf, "AMD_POLARIS10", "AMD_POLARIS10", "amd_polaris10_ops" },
        { 0x6fdf, "AMD_POLARIS10", "AMD_POLARIS10", "amd_polaris10_ops" },
        { 0x67e0, "AMD_POLARIS11", "AMD_POLARIS11", "amd_polaris10_ops" },
        { 0x67e3, "AMD_POLARIS11", "AMD_POLARIS11", "amd_polaris10_ops" },
        { 0x67e8, "AMD_POLARIS11", "AMD_POLARIS11", "amd_polaris10_ops" },
        { 0x67eb, "AMD_POLARIS11", "AMD_POLARIS11", "amd_polaris10_ops" },
        { 0x67ef, "AMD_POLARIS11", "AMD_POLARIS11", "amd_polaris10_ops" },
        { 0x67ff, "AMD_POLARIS11", "AMD_POLARIS11", "amd_polaris10_ops" },
        { 0x67e1, "AMD_POLARIS11", "AMD_POLARIS11", "amd_polaris10_ops" },
        { 0x67e7, "AMD_POLARIS11", "AMD_POLARIS11", "amd_polaris10_ops" },
        { 0x67e9, "AMD_POLARIS11", "AMD_POLARIS11", "amd_polaris10_ops" },
        { 0x6980, "AMD_POLARIS12", "AMD_POLARIS12", "amd_polaris10_ops" },
        { 0x6981, "AMD_POLARIS12", "AMD_POLARIS12", "amd_polaris10_ops" },
        { 0x6985, "AMD_POLARIS12", "AMD_POLARIS12", "amd_polaris10_ops" },
        { 0x6986, "AMD_POLARIS12", "AMD_POLARIS12", "amd_polaris10_ops" },
        { 0x6987, "AMD_POLARIS12", "AMD_POLARIS12", "amd_polaris10_ops" },
        { 0x6995, "AMD_POLARIS12", "AMD_POLARIS12", "amd_polaris10_ops" },
        { 0x6997, "AMD_POLARIS12", "AMD_POLARIS12", "amd_polaris10_ops" },
        { 0x699f, "AMD_POLARIS12", "AMD_POLARIS12", "amd_polaris10_ops" },
        { 0x6860, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x6861, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x6862, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x6863, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x6864, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x6867, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x6868, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x6869, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x686a, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x686b, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x686c, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x686d, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x686e, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x686f, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x687f, "AMD_VEGA10", "AMD_VEGA10", "amd_vega10_ops" },
        { 0x66a0, "AMD_VEGA20", "AMD_VEGA20", "amd_vega20_ops" },
        { 0x66a1, "AMD_VEGA20", "AMD_VEGA20", "amd_vega20_ops" },
        { 0x66a2, "AMD_VEGA20", "AMD_VEGA20", "amd_vega20_ops" },
        { 0x66a3, "AMD_VEGA20", "AMD_VEGA20", "amd_vega20_ops" },
        { 0x66a4, "AMD_VEGA20", "AMD_VEGA20", "amd_vega20_ops" },
        { 0x66a7, "AMD_VEGA20", "AMD_VEGA20", "amd_vega20_ops" },
        { 0x66af, "AMD_VEGA20", "AMD_VEGA20", "amd_vega20_ops" },
        { 0x7310, "AMD_NAVI10", "AMD_NAVI10", "amd_navi10_ops" },
        { 0x7312, "AMD_NAVI10", "AMD_NAVI10", "amd_navi10_ops" },
        { 0x7318, "AMD_NAVI10", "AMD_NAVI10", "amd_navi10_ops" },
        { 0x7319, "AMD_NAVI10", "AMD_NAVI10", "amd_navi10_ops" },
        { 0x731a, "AMD_NAVI10", "AMD_NAVI10", "amd_navi10_ops" },
        { 0x731b, "AMD_NAVI10", "AMD_NAVI10", "amd_navi10_ops" },
        { 0x731e, "AMD_NAVI10", "AMD_NAVI10", "amd_navi10_ops" },
        { 0x731f, "AMD_NAVI10", "AMD_NAVI10", "amd_navi10_ops" },
        { 0x7340, "AMD_NAVI14", "AMD_NAVI14", "amd_navi10_ops" },
        { 0x7341, "AMD_NAVI14", "AMD_NAVI14", "amd_navi10_ops" },
        { 0x7347, "AMD_NAVI14", "AMD_NAVI14", "amd_navi10_ops" },
        { 0x734f, "AMD_NAVI14", "AMD_NAVI14", "amd_navi10_ops" },
        { 0x7360, "AMD_NAVI12", "AMD_NAVI12", "amd_navi10_ops" },
        { 0x7362, "AMD_NAVI12", "AMD_NAVI12", "amd_navi10_ops" },
        { 0x738c, "AMD_VEGA20", "AMD_ARCTURUS", "amd_vega20_ops" },
};

const struct gd_vendor_reset_id *gd_vendor_reset_find(uint16_t vendor, uint16_t device) {
        if (vendor != GD_VENDOR_RESET_VENDOR)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (table[i].device == device)
                        return &table[i];
        return NULL;
}

const struct gd_vendor_reset_id *gd_vendor_reset_table(size_t *n) {
        *n = ELEMENTSOF(table);
        return table;
}

const struct gd_vendor_reset_id *gd_vendor_reset_in_log(const char *text, const char *address) {
        const char *p = strstr(text, ": AMD_");
        size_t n, count, al = strlen(address);
        const struct gd_vendor_reset_id *ids = gd_vendor_reset_table(&count);
        const char *at = strstr(text, address);

        /* "<driver> <address>: AMD_...": the device prefix, then the name. */
        if (!p || !at || (at != text && at[-1] != ' ') || at[al] != ':')
                return NULL;
        p += 2;
        n = strcspn(p, ":");
        for (size_t i = 0; i < count; i++)
                if (strlen(ids[i].info_str) == n && strncmp(ids[i].info_str, p, n) == 0)
                        return &ids[i];
        return NULL;
}
