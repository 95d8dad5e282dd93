/* SPDX-License-Identifier: MIT */
/* Applying scenario faults to a loaded bundle (doc/scenario-format.md).
 * Faults edit the bundle before the testbed is built, so the reader sees a
 * host that was recorded that way.  A fault that names a device, group or
 * file the bundle lacks, or that would change nothing, is an error: a
 * scenario that silently stopped injecting its fault would still "pass". */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "base/hostpaths.h"
#include "base/strv.h"
#include "replay/faults-internal.h"
#include "replay/scenario.h"

/* ---- IOMMU groups ---- */

static ssize_t group_index(const struct gd_bundle *b, int64_t id) {
        for (size_t i = 0; i < b->n_groups; i++)
                if (b->groups[i].id == id)
                        return (ssize_t) i;
        return -1;
}

static ssize_t device_group(const struct gd_bundle *b, const char *addr) {
        for (size_t i = 0; i < b->n_groups; i++)
                for (size_t j = 0; b->groups[i].devices[j]; j++)
                        if (strcasecmp(b->groups[i].devices[j], addr) == 0)
                                return (ssize_t) i;
        return -1;
}

static void group_drop(struct gd_bundle *b, size_t i) {
        free(b->groups[i].type);
        strv_free(b->groups[i].devices);
        memmove(b->groups + i, b->groups + i + 1, (b->n_groups - i - 1) * sizeof(*b->groups));
        b->n_groups--;
}

/* Takes addr out of whatever group holds it; a group left empty goes, as
 * the kernel removes it with its last device. */
static void group_leave(struct gd_bundle *b, const char *addr, char **ret_type) {
        ssize_t gi = device_group(b, addr);
        char **d;
        size_t w = 0;

        if (gi < 0)
                return;
        d = b->groups[gi].devices;
        if (ret_type && b->groups[gi].type && !*ret_type)
                *ret_type = strdup(b->groups[gi].type);
        for (size_t j = 0; d[j]; j++) {
                if (strcasecmp(d[j], addr) == 0) {
                        free(d[j]);
                        continue;
                }
                d[w++] = d[j];
        }
        d[w] = NULL;
        if (w == 0)
                group_drop(b, (size_t) gi);
}

static int group_join(struct gd_bundle *b, int64_t id, const char *addr, char *type) {
        ssize_t gi = group_index(b, id);
        size_t at = 0;

        b->has_iommu_groups = true;
        if (gi < 0) {
                struct gd_bundle_group *nv = realloc(b->groups, (b->n_groups + 1) * sizeof(*nv));
                if (!nv) {
                        free(type);
                        return -ENOMEM;
                }
                b->groups = nv;
                while (at < b->n_groups && b->groups[at].id < id)
                        at++;
                memmove(b->groups + at + 1, b->groups + at, (b->n_groups - at) * sizeof(*nv));
                b->groups[at] = (struct gd_bundle_group) { .id = id, .type = type, .devices = calloc(1, sizeof(char *)) };
                b->n_groups++;
                if (!b->groups[at].devices)
                        return -ENOMEM;
                gi = (ssize_t) at;
        } else
                free(type);
        if (strv_push_dup(&b->groups[gi].devices, addr) < 0)
                return -ENOMEM;
        strv_sort(b->groups[gi].devices);
        return 0;
}

static int group_move(struct gd_bundle *b, const char *addr, int64_t id) {
        char *type = NULL;
        ssize_t old = device_group(b, addr);

        if (old >= 0 && b->groups[old].id == id)
                return 0;
        group_leave(b, addr, &type);
        return group_join(b, id, addr, type);
}

static int group_merge(struct gd_bundle *b, const struct gd_fault *f, char **ret_error) {
        for (size_t i = 0; i < f->n_groups; i++)
                if (group_index(b, f->groups[i]) < 0)
                        return faults_fail(ret_error, "the base has no IOMMU group %lld", (long long) f->groups[i]);
        for (size_t i = 1; i < f->n_groups; i++) {
                ssize_t gi = group_index(b, f->groups[i]);
                _cleanup_strv_free_ char **devs = TAKE_PTR(b->groups[gi].devices);
                int r;

                b->groups[gi].devices = calloc(1, sizeof(char *));
                group_drop(b, (size_t) gi);
                for (size_t j = 0; devs && devs[j]; j++)
                        if ((r = group_join(b, f->groups[0], devs[j], NULL)) < 0)
                                return r;
        }
        return 0;
}

/* ---- dispatch ---- */

/* A fault that gives a device attribute a value also makes it readable: an
 * imported base lists facts the paste did not prove (driver, reset_method)
 * as unreadable, and the testbed writes those after the recording. */
static int forget_unreadable(struct gd_bundle *b, const char *device, const char *attr) {
        _cleanup_free_ char *p = NULL;

        if (asprintf(&p, "/sys/bus/pci/devices/%s/%s", device, attr) < 0)
                return -ENOMEM;
        (void) faults_unreadable_remove(b, p);
        return 0;
}

/* A removed device takes its unreadable attributes with it; otherwise the
 * testbed would recreate its directory to hold them. */
static void forget_unreadable_below(struct gd_bundle *b, const char *device) {
        char prefix[64];
        size_t w = 0, n;

        snprintf(prefix, sizeof(prefix), "/sys/bus/pci/devices/%s/", device);
        n = strlen(prefix);
        for (size_t i = 0; b->unreadable && b->unreadable[i]; i++) {
                if (strncmp(b->unreadable[i], prefix, n) == 0) {
                        free(b->unreadable[i]);
                        continue;
                }
                b->unreadable[w++] = b->unreadable[i];
        }
        if (b->unreadable)
                b->unreadable[w] = NULL;
}

static int umockdev_fault(struct gd_bundle *b, const struct gd_fault *f, char **ret_error) {
        _cleanup_(urecs_clearp) struct urecs u = { 0 };
        _cleanup_strv_free_ char **removed = NULL;
        struct urec *d = NULL;
        int r = 0;

        if ((r = urecs_parse(b->umockdev, &u)) < 0)
                return r;
        if (f->device) {
                d = urecs_find(&u, f->device);
                if (!d)
                        return faults_fail(ret_error, "device %s is not in the base bundle", f->device);
        }

        switch (f->kind) {
        case GD_FAULT_ATTR_SET:
                r = urec_attr_set(d, f->name, f->value, f->value_len);
                if (r >= 0)
                        r = forget_unreadable(b, f->device, f->name);
                break;
        case GD_FAULT_ATTR_REMOVE:
                if (!urec_attr_remove(d, f->name))
                        return faults_fail(ret_error, "device %s has no attribute '%s'", f->device, f->name);
                r = forget_unreadable(b, f->device, f->name);
                break;
        case GD_FAULT_BIND:
                r = urec_bind(d, f->driver);
                if (r >= 0)
                        r = forget_unreadable(b, f->device, "driver");
                break;
        case GD_FAULT_UNBIND:
                if (!urec_unbind(d))
                        return faults_fail(ret_error, "device %s is not bound to a driver", f->device);
                r = forget_unreadable(b, f->device, "driver");
                break;
        case GD_FAULT_OVERRIDE:
                r = urec_attr_set(d, "driver_override", *f->driver ? f->driver : "(null)",
                                  *f->driver ? strlen(f->driver) : strlen("(null)"));
                break;
        case GD_FAULT_DEVICE_REMOVE:
                r = urecs_remove_tree(&u, f->device, &removed);
                for (size_t i = 0; r >= 0 && removed && removed[i]; i++) {
                        group_leave(b, removed[i], NULL);
                        forget_unreadable_below(b, removed[i]);
                }
                break;
        case GD_FAULT_GROUP_MOVE:
                return group_move(b, f->device, f->group);
        case GD_FAULT_GROUP_SPLIT: {
                int64_t next = 0;
                if (device_group(b, f->device) < 0)
                        return faults_fail(ret_error, "device %s is in no IOMMU group", f->device);
                for (size_t i = 0; i < b->n_groups; i++)
                        if (b->groups[i].id >= next)
                                next = b->groups[i].id + 1;
                return group_move(b, f->device, next);
        }
        case GD_FAULT_NON_ROOT:
                r = urecs_cut_config(&u, 128);
                break;
        default:
                return faults_fail(ret_error, "internal error: not a device fault");
        }
        if (r < 0)
                return r;
        {
                char *text = urecs_format(&u);
                if (!text)
                        return -ENOMEM;
                free(b->umockdev);
                b->umockdev = text;
                b->umockdev_line = 0;   /* its lines are no longer the file's */
        }
        return 0;
}

int gd_fault_apply(struct gd_bundle *b, const struct gd_fault *f, char **ret_error) {
        int r;

        switch (f->kind) {
        case GD_FAULT_CMDLINE_ADD:
        case GD_FAULT_CMDLINE_REMOVE:
                return faults_cmdline_file_edit(b, gd_hostpath(GD_PROC_CMDLINE)->path, f->text,
                                                f->kind == GD_FAULT_CMDLINE_ADD, ret_error);
        case GD_FAULT_BOOTCFG_ADD:
        case GD_FAULT_BOOTCFG_REMOVE:
                return faults_bootcfg_edit(b, f->text, f->kind == GD_FAULT_BOOTCFG_ADD, ret_error);
        case GD_FAULT_ATTR_SET:
        case GD_FAULT_ATTR_REMOVE:
        case GD_FAULT_BIND:
        case GD_FAULT_UNBIND:
        case GD_FAULT_OVERRIDE:
        case GD_FAULT_DEVICE_REMOVE:
        case GD_FAULT_GROUP_MOVE:
        case GD_FAULT_GROUP_SPLIT:
                return umockdev_fault(b, f, ret_error);
        case GD_FAULT_GROUP_MERGE:
                return group_merge(b, f, ret_error);
        case GD_FAULT_GROUPS_CLEAR:
                if (!f->enabled)
                        return 0;
                while (b->n_groups > 0)
                        group_drop(b, b->n_groups - 1);
                b->has_iommu_groups = false;
                return 0;
        case GD_FAULT_KMSG_DROP:
                return faults_kmsg_drop(b, f->text, ret_error);
        case GD_FAULT_KMSG_ADD:
                return faults_kmsg_add(b, f->text, ret_error);
        case GD_FAULT_FILE_WRITE:
                return faults_file_set(b, f->path, f->value, f->value_len, f->mtime);
        case GD_FAULT_FILE_REMOVE:
                if (!faults_file_remove(b, f->path) && !faults_unreadable_remove(b, f->path))
                        return faults_fail(ret_error, "the base has no file %s", f->path);
                return 0;
        case GD_FAULT_FILE_TOUCH: {
                struct gd_bundle_file *x = faults_file_find(b, f->path);
                int64_t mtime = f->mtime >= 0 ? f->mtime : (int64_t) time(NULL);
                if (x) {
                        x->mtime = mtime;
                        return 0;
                }
                return faults_file_set(b, f->path, "", 0, mtime);
        }
        case GD_FAULT_ACPI_HIDE: {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "/sys/firmware/acpi/tables/%s", f->text) < 0)
                        return -ENOMEM;
                if (!faults_file_remove(b, p))
                        return faults_fail(ret_error, "the base has no %s table (%s)", f->text, p);
                return 0;
        }
        case GD_FAULT_NON_ROOT:
                if (!f->enabled)
                        return 0;
                if ((r = umockdev_fault(b, f, ret_error)) < 0 ||
                    (r = faults_file_make_unreadable(b, "/proc/iomem")) < 0 ||
                    (r = faults_file_make_unreadable(b, "/dev/kmsg")) < 0)
                        return r;
                b->metadata.root = TRI_NO;
                return 0;
        default:
                break;
        }
        return faults_fail(ret_error, "internal error: unknown fault kind %d", (int) f->kind);
}

int gd_scenario_apply(const struct gd_scenario *s, struct gd_bundle *b, char **ret_error) {
        for (size_t i = 0; i < s->n_faults; i++) {
                _cleanup_free_ char *err = NULL;
                const struct gd_fault *f = &s->faults[i];
                int r = gd_fault_apply(b, f, &err);

                if (r == -EINVAL) {
                        if (ret_error && asprintf(ret_error, "%s:%d: faults: %s: %s", s->path, f->line,
                                                  gd_fault_kind_to_string(f->kind), err ? err : "failed") < 0)
                                *ret_error = NULL;
                        return r;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}
