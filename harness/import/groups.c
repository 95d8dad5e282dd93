/* SPDX-License-Identifier: MIT */
/* IOMMU group listings as the passthrough guides print them:
 *   IOMMU Group 1:                      (or "IOMMU group 1")
 *           01:00.0 VGA compatible controller [0300]: ...
 * the one-line loop form "IOMMU Group 1 01:00.0 VGA ...", "IOMMU GROUP 1"
 * with " (1) 01:00.0 ..." rows, the per-DMAR-unit tree ("IOMMU: dmar0",
 * "  IOMMU Group: 50", "    Group Device: 0000:97:00.4 - ...") and the
 * ls-iommu table ("Group 12:\t[10de:2206] [R] 01:00.0  VGA compatible
 * controller  GA102 ...", continuation rows indented, "USB:" rows between), and the
 * one-line form of iommu_viewer.sh-like scripts ("Group:  1   0000:02:00.0 VGA
 * compatible controller [0300]: ... [10de:2489] (rev a1)   Driver: nvidia").  The device
 * lines themselves are lspci lines (lspci.c); this file knows the headers
 * and keeps each device in the first group it was listed in. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "import/import-internal.h"

int imp_group_header(const char *s, size_t len, size_t *ret_rest, bool *ret_table) {
        size_t i, bullet = 0;
        long v = 0;
        bool colon_first = false, table = false;

        /* A markdown list bullet before the header ("- IOMMU Group 13:"). */
        if (len > 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ') {
                bullet = 2;
                s += 2;
                len -= 2;
        }

        /* s is a slice of the line (body, body_len): compare only within len.
         * One compare, not two: strncasecmp(s + 6, ...) made GCC 12 with
         * -fsanitize=undefined warn -Wstringop-overread (its s == NULL path). */
        if (len >= 11 && strncasecmp(s, "IOMMU group", 11) == 0) {
                i = 11;
                if (i < len && s[i] == ':') {
                        /* "IOMMU group: 13" is an lspci -vv detail line;
                         * "IOMMU Group: 13" a per-DMAR-unit tree's header. */
                        if (strncmp(s + 6, "Group", 5) != 0)
                                return -1;
                        colon_first = true;
                        i++;
                }
        } else if (len >= 7 && strncmp(s, "Group ", 6) == 0) {
                i = 5;          /* ls-iommu: "Group 12:\t[10de:2206] [R] 01:00.0  VGA ..." */
                table = true;
        } else if (len >= 8 && strncmp(s, "Group:", 6) == 0 && isblank((unsigned char) s[6])) {
                /* iommu_viewer.sh and the like: "Group:  1   0000:00:01.0 PCI bridge [0604]: ...   Driver: pcieport" */
                i = 6;
                colon_first = true;
        } else
                return -1;
        if (i >= len || !isblank((unsigned char) s[i]))
                return -1;
        while (i < len && isblank((unsigned char) s[i]))
                i++;
        if (i >= len || !isdigit((unsigned char) s[i]))
                return -1;
        for (; i < len && isdigit((unsigned char) s[i]); i++) {
                v = v * 10 + (s[i] - '0');
                if (v > 1000000)
                        return -1;
        }
        if (i < len && s[i] == ':' && !colon_first)
                i++;
        else if (table)
                return -1;      /* "Group 12" without the colon: prose */
        if (i < len && !isblank((unsigned char) s[i]))
                return -1;
        while (i < len && isblank((unsigned char) s[i]))
                i++;
        if (table && i >= len)
                return -1;
        *ret_rest = bullet + i;
        if (ret_table)
                *ret_table = table;
        return (int) v;
}

void imp_group_assign(struct gd_import *im, struct imp_dev *d, int group, const struct imp_line *l) {
        im->have_groups = true;
        /* A listing says more than a kernel log line (kmsg-devices.c). */
        if (d->group_partial) {
                d->group = IMP_UNSET;
                d->group_partial = false;
                d->group_where = mfree_str(d->group_where);
                im->n_group_facts--;
        }
        if (d->group == IMP_UNSET) {
                d->group = group;
                if (l && asprintf(&d->group_where, "%s:%u", l->file, l->lineno) < 0)
                        d->group_where = NULL;
                im->n_group_facts++;
                return;
        }
        if (d->group != group)
                imp_warn(im, l, "%s is listed in IOMMU group %d here but in group %d at %s; keeping group %d",
                         d->address, group, d->group, d->group_where ? d->group_where : "an earlier line",
                         d->group);
}
