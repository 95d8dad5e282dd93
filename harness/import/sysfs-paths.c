/* SPDX-License-Identifier: MIT */
/* IOMMU groups as the sysfs paths people list them:
 *   find /sys/kernel/iommu_groups/ -type l
 *       /sys/kernel/iommu_groups/1/devices/0000:00:01.0
 *   ls -l /sys/bus/pci/devices/<addr>/iommu_group (or a glob of every device), readlink
 *       ... /sys/bus/pci/devices/0000:01:00.0/iommu_group -> ../../../../kernel/iommu_groups/1
 * Each line puts one device in its group, as a group listing does
 * (drivers/iommu/iommu.c makes N/devices/<addr> and the device's iommu_group
 * link).  The devices are known by their addresses alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import-internal.h"

#define GROUPS "/sys/kernel/iommu_groups/"
#define DEVICES "/sys/bus/pci/devices/"

bool imp_sysfs_group_line(struct gd_import *im, const struct imp_line *l) {
        const char *s = l->body, *p, *link;
        char addr[13];
        int group = -1, n = 0;

        if ((p = strstr(s, GROUPS)) && sscanf(p + strlen(GROUPS), "%d/devices/%n", &group, &n) == 1 && n > 0 &&
            imp_find_address(p + strlen(GROUPS) + n, strlen(p + strlen(GROUPS) + n), addr) == 1 && !strstr(s, " -> ")) {
                /* find's line: the group, then the device. */
        } else if ((p = strstr(s, DEVICES)) && (link = strstr(s, "/iommu_group -> ")) &&
                   imp_find_address(p + strlen(DEVICES), (size_t) (link - p - strlen(DEVICES)), addr) == 1 &&
                   (p = strstr(link, "iommu_groups/")) && sscanf(p + strlen("iommu_groups/"), "%d", &group) == 1) {
                /* ls -l's line: the device's link to its group. */
        } else
                return false;
        if (group < 0)
                return false;
        {
                struct imp_dev *d = imp_dev_named(im, addr, l);
                if (d)
                        imp_group_assign(im, d, group, l);
        }
        return true;
}
