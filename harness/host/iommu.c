/* SPDX-License-Identifier: MIT */
/* IOMMU facts from sysfs.  The paths and their meaning are in
 * drivers/iommu/iommu.c (iommu_group_attr_type, "devices" kobject) and
 * Documentation/ABI/testing/sysfs-kernel-iommu_groups. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "iommu.h"

#define IOMMU_GROUPS "/sys/kernel/iommu_groups"
#define CLASS_IOMMU "/sys/class/iommu"
#define GD_MAX_GROUPS 100000

static int parse_group_id(const char *name) {
        char *end;
        long v;

        errno = 0;
        v = strtol(name, &end, 10);
        if (errno || *end || end == name || v < 0 || v > INT32_MAX)
                return -1;
        return (int) v;
}

static int read_group(int id, struct gd_iommu_group *g) {
        char path[64];
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;

        g->id = id;
        snprintf(path, sizeof(path), IOMMU_GROUPS "/%d", id);
        (void) read_attr(path, "type", &g->type);

        snprintf(path, sizeof(path), IOMMU_GROUPS "/%d/devices", id);
        d = opendir(path);
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (strv_push_dup(&g->devices, de->d_name) < 0)
                        return -ENOMEM;
        }
        strv_sort(g->devices);
        return 0;
}

static int cmp_group(const void *a, const void *b) {
        const struct gd_iommu_group *x = a, *y = b;
        return (x->id > y->id) - (x->id < y->id);
}

static int read_groups(struct gd_host *h) {
        _cleanup_closedir_ DIR *d = opendir(IOMMU_GROUPS);
        struct dirent *de;
        size_t cap = 0;

        if (!d) {
                int r = -errno;
                _cleanup_free_ char *content = NULL;
                size_t len;

                /* A replay testbed marks a tree the bundle could not read
                 * (or an imported paste did not show) with a file holding
                 * the unreadable marker, which read_file_capped() maps to
                 * -EACCES: the groups are unknown, as when the directory
                 * cannot be read. */
                if (r == -ENOTDIR && read_file_capped(IOMMU_GROUPS, GD_ATTR_MAX, &content, &len) == -EACCES)
                        return -EACCES;
                return r;
        }
        while ((de = readdir(d))) {
                int id = parse_group_id(de->d_name);
                struct gd_iommu_group *ng;

                if (id < 0)
                        continue;
                if (h->n_groups >= GD_MAX_GROUPS)
                        return -E2BIG;
                if (h->n_groups == cap) {
                        cap = cap ? cap * 2 : 16;
                        ng = realloc(h->groups, cap * sizeof(*ng));
                        if (!ng)
                                return -ENOMEM;
                        h->groups = ng;
                }
                memset(&h->groups[h->n_groups], 0, sizeof(*h->groups));
                (void) read_group(id, &h->groups[h->n_groups]);
                h->n_groups++;
        }
        if (h->n_groups)
                qsort(h->groups, h->n_groups, sizeof(*h->groups), cmp_group);
        return 0;
}

static int read_units(struct gd_host *h) {
        _cleanup_closedir_ DIR *d = opendir(CLASS_IOMMU);
        struct dirent *de;

        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (strv_push_dup(&h->iommu_units, de->d_name) < 0)
                        return -ENOMEM;
        }
        strv_sort(h->iommu_units);
        return 0;
}

/* The tables are readable only by root, but their existence is visible to
 * everyone, and existence is the fact we need. */
static tri_t table_present(const char *path) {
        if (access(path, F_OK) == 0)
                return TRI_YES;
        if (errno == ENOENT)
                return access("/sys/firmware/acpi/tables", F_OK) == 0 ? TRI_NO : TRI_UNKNOWN;
        return TRI_UNKNOWN;
}

int gd_iommu_read(struct gd_host *h) {
        h->groups_state = read_groups(h);
        h->iommu_units_state = read_units(h);
        h->acpi_dmar = table_present("/sys/firmware/acpi/tables/DMAR");
        h->acpi_ivrs = table_present("/sys/firmware/acpi/tables/IVRS");
        return 0;
}
