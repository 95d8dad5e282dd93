/* SPDX-License-Identifier: MIT */
/* IOMMU group listings as the passthrough guides print them:
 *   IOMMU Group 1:                      (or "IOMMU group 1")
 *           01:00.0 VGA compatible controller [0300]: ...
 * and the one-line loop form "IOMMU Group 1 01:00.0 VGA ...".  The device
 * lines themselves are lspci lines (lspci.c); this file knows the headers
 * and keeps each device in the first group it was listed in. */
#include <ctype.h>
#include <string.h>

#include "import/import-internal.h"

int imp_group_header(const char *s, size_t len, size_t *ret_rest) {
        size_t i;
        long v = 0;

        if (len < 7 || strncmp(s, "IOMMU ", 6) != 0 || (strncmp(s + 6, "Group", 5) != 0 &&
                                                         strncmp(s + 6, "group", 5) != 0))
                return -1;
        i = 11;
        if (i >= len || !isblank((unsigned char) s[i]))
                return -1;      /* "IOMMU group: 13" is an lspci -vv detail line */
        while (i < len && isblank((unsigned char) s[i]))
                i++;
        if (i >= len || !isdigit((unsigned char) s[i]))
                return -1;
        for (; i < len && isdigit((unsigned char) s[i]); i++) {
                v = v * 10 + (s[i] - '0');
                if (v > 1000000)
                        return -1;
        }
        if (i < len && s[i] == ':')
                i++;
        if (i < len && !isblank((unsigned char) s[i]))
                return -1;
        while (i < len && isblank((unsigned char) s[i]))
                i++;
        *ret_rest = i;
        return (int) v;
}

void imp_group_assign(struct gd_import *im, struct imp_dev *d, int group, const struct imp_line *l) {
        im->have_groups = true;
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
