/* SPDX-License-Identifier: MIT */
/* What umockdev's recording does not give a testbed: driver directories,
 * IOMMU groups, /proc, /dev and configuration files, and markers. */
#include <errno.h>
#include <time.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/strv.h"
#include "replay/testbed-internal.h"

/* Resolves a relative link target lexically against dir ("/sys/..."),
 * returning an absolute path, or NULL when it leaves /sys. */
char *testbed_resolve_in_sys(const char *dir, const char *target) {
        _cleanup_free_ char *joined = NULL;
        char *out, *o;

        if (target[0] == '/' || asprintf(&joined, "%s/%s", dir, target) < 0)
                return NULL;
        out = calloc(1, strlen(joined) + 2);
        if (!out)
                return NULL;
        o = out;
        for (const char *s = joined; *s; ) {
                const char *e;
                size_t len;

                while (*s == '/')
                        s++;
                e = strchrnul(s, '/');
                len = (size_t) (e - s);
                if (len == 0 || (len == 1 && s[0] == '.')) {
                } else if (len == 2 && s[0] == '.' && s[1] == '.') {
                        char *slash = strrchr(out, '/');
                        if (!slash) {
                                free(out);
                                return NULL;
                        }
                        *slash = '\0';
                        o = slash;
                } else {
                        *o++ = '/';
                        memcpy(o, s, len);
                        o += len;
                        *o = '\0';
                }
                s = e;
        }
        if (!startswith(out, "/sys/")) {
                free(out);
                return NULL;
        }
        return out;
}

static int fail_path(char **ret_error, const char *what, const char *path, int r) {
        if (ret_error && asprintf(ret_error, "testbed: cannot write %s %s: %s", what, path,
                                  r == -ELOOP ? "a recorded link leads out of the testbed" : strerror(-r)) < 0)
                *ret_error = NULL;
        return r == -ENOMEM ? r : -EINVAL;
}

static int add_drivers(struct tb_out *out, const struct recorded_device *d, size_t n, char **ret_error) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *dir = NULL, *target = NULL;
                int r;

                if (!d[i].driver)
                        continue;
                if (asprintf(&dir, "/sys%s", d[i].devpath) < 0)
                        return -ENOMEM;
                /* lspci and libpci read the driver only when the link
                 * resolves.  One whose text leaves /sys gets no directory;
                 * testbed-links.c leaves it out. */
                target = testbed_resolve_in_sys(dir, d[i].driver);
                if (!target)
                        continue;
                r = tb_mkdir(out, target);
                if (r < 0)
                        return fail_path(ret_error, "driver directory", target, r);
        }
        return 0;
}

/* The recorded devices by address (the last component of the devpath,
 * any case), for the group members: sorted once, searched per member
 * (a linear search per member was quadratic in a 100,000-device host). */
struct by_address {
        const char *address;
        const struct recorded_device *d;
};

static int cmp_address(const void *a, const void *b) {
        const struct by_address *x = a, *y = b;
        int c = strcasecmp(x->address, y->address);
        /* The first recorded of equal addresses, as the linear search found. */
        return c ? c : (x->d > y->d) - (x->d < y->d);
}

static struct by_address *index_devices(const struct recorded_device *d, size_t n) {
        struct by_address *ix = calloc(n + 1, sizeof(*ix));

        if (!ix)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                const char *base = strrchr(d[i].devpath, '/');
                ix[i] = (struct by_address) { .address = base ? base + 1 : d[i].devpath, .d = &d[i] };
        }
        qsort(ix, n, sizeof(*ix), cmp_address);
        return ix;
}

static const struct recorded_device *find_device(const struct by_address *ix, size_t n, const char *addr) {
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (strcasecmp(ix[mid].address, addr) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < n && strcasecmp(ix[lo].address, addr) == 0 ? ix[lo].d : NULL;
}

static char *dotdots(const char *devpath) {
        /* "/devices/a/b" -> "../../../" (one per component) */
        size_t k = 0;
        char *s;

        for (const char *p = devpath; *p; p++)
                k += *p == '/';
        s = malloc(3 * k + 1);
        if (!s)
                return NULL;
        for (size_t i = 0; i < k; i++)
                memcpy(s + 3 * i, "../", 3);
        s[3 * k] = '\0';
        return s;
}

static int add_groups(struct tb_out *out, const struct gd_bundle *b, const struct recorded_device *d, size_t n,
                      char **ret_error) {
        _cleanup_free_ struct by_address *ix = NULL;
        int r;

        if (!b->has_iommu_groups)
                return 0;
        ix = index_devices(d, n);
        if (!ix)
                return -ENOMEM;
        r = tb_mkdir(out, "/sys/kernel/iommu_groups");
        if (r < 0)
                return fail_path(ret_error, "directory", "/sys/kernel/iommu_groups", r);

        for (size_t g = 0; g < b->n_groups; g++) {
                const struct gd_bundle_group *grp = &b->groups[g];
                _cleanup_free_ char *gdir = NULL;

                bool members_unknown;

                if (asprintf(&gdir, "/sys/kernel/iommu_groups/%" PRId64 "/devices", grp->id) < 0)
                        return -ENOMEM;
                /* A group whose other members the bundle does not know (an
                 * imported kernel log named one): the group and its
                 * devices' links exist, its devices directory is the
                 * unreadable marker written below. */
                members_unknown = gd_bundle_is_unreadable(b, gdir);
                if (members_unknown) {
                        _cleanup_free_ char *top = strndup(gdir, strlen(gdir) - strlen("/devices"));

                        if (!top)
                                return -ENOMEM;
                        r = tb_mkdir(out, top);
                } else
                        r = tb_mkdir(out, gdir);
                if (r < 0)
                        return fail_path(ret_error, "directory", gdir, r);
                if (grp->type) {
                        _cleanup_free_ char *tp = NULL, *content = NULL;

                        if (asprintf(&tp, "/sys/kernel/iommu_groups/%" PRId64 "/type", grp->id) < 0 ||
                            asprintf(&content, "%s\n", grp->type) < 0)
                                return -ENOMEM;
                        r = tb_write(out, tp, content, strlen(content), 0444, -1);
                        if (r < 0)
                                return fail_path(ret_error, "file", tp, r);
                }

                for (size_t i = 0; grp->devices[i]; i++) {
                        const struct recorded_device *dev = find_device(ix, n, grp->devices[i]);
                        _cleanup_free_ char *link = NULL, *target = NULL;

                        if (members_unknown)
                                goto device_link;
                        if (asprintf(&link, "%s/%s", gdir, grp->devices[i]) < 0)
                                return -ENOMEM;
                        /* Unrecorded: a dangling link, as for a device that vanished. */
                        if (asprintf(&target, "../../../..%s", dev ? dev->devpath : "/bus/pci/devices/") < 0)
                                return -ENOMEM;
                        if (!dev) {
                                char *t2;
                                if (asprintf(&t2, "%s%s", target, grp->devices[i]) < 0)
                                        return -ENOMEM;
                                free(target);
                                target = t2;
                        }
                        r = tb_symlink(out, link, target, 0);
                        if (r < 0)
                                return fail_path(ret_error, "link", link, r);

device_link:
                        if (dev && !dev->has_iommu_group) {
                                _cleanup_free_ char *up = dotdots(dev->devpath), *dlink = NULL, *dtarget = NULL;

                                if (!up ||
                                    asprintf(&dlink, "/sys%s/iommu_group", dev->devpath) < 0 ||
                                    asprintf(&dtarget, "%skernel/iommu_groups/%" PRId64, up, grp->id) < 0)
                                        return -ENOMEM;
                                r = tb_symlink(out, dlink, dtarget, 0);
                                if (r < 0)
                                        return fail_path(ret_error, "link", dlink, r);
                        }
                }
        }
        return 0;
}

/* Files without an mtime get the bundle's creation time, so that replaying
 * the same bundle twice compares the same times (a stale-initramfs check
 * must not depend on when the replay ran); 0 when the bundle has no date. */
static int64_t default_mtime(const struct gd_bundle *b) {
        struct tm tm = { 0 };
        const char *end;

        if (!b->metadata.created)
                return 0;
        end = strptime(b->metadata.created, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!end || (*end && *end != 'Z'))
                return 0;
        return (int64_t) timegm(&tm);
}

/* /etc, /boot, /lib, /usr and /dev files live below the config root; see
 * gd_hostpath_resolve() for why /dev is not served through the preload. */
static bool in_config_root(const char *path) {
        return gd_bundle_path_is_config(path) || startswith(path, "/dev/");
}

/* Whether the bundle has a file or a directory below dir: then the testbed
 * has the directory, and a table path that is a directory
 * (/proc/driver/nvidia/gpus) needs no marker. */
static bool bundle_has_below(const struct gd_bundle *b, const char *dir) {
        size_t len = strlen(dir);

        for (size_t i = 0; i < b->n_files; i++)
                if (strncmp(b->files[i].path, dir, len) == 0 && b->files[i].path[len] == '/')
                        return true;
        for (size_t i = 0; b->dirs[i]; i++)
                if (streq(b->dirs[i], dir) || (strncmp(b->dirs[i], dir, len) == 0 && b->dirs[i][len] == '/'))
                        return true;
        return false;
}

static int add_files(struct tb_out *out, const struct gd_bundle *b, char **ret_error) {
        int64_t fallback = default_mtime(b);

        for (size_t i = 0; i < b->n_files; i++) {
                const struct gd_bundle_file *f = &b->files[i];
                _cleanup_free_ char *where = NULL;
                int r;

                where = in_config_root(f->path) ? path_join("/config", f->path) : strdup(f->path);
                if (!where)
                        return -ENOMEM;
                r = tb_write_borrowed(out, where, f->content, f->length, 0644,
                                      f->mtime >= 0 ? f->mtime : fallback);
                if (r < 0)
                        return fail_path(ret_error, "file", f->path, r);
        }

        /* Directories with nothing of the bundle below them (format 2). */
        for (size_t i = 0; b->dirs && b->dirs[i]; i++) {
                _cleanup_free_ char *where = in_config_root(b->dirs[i]) ? path_join("/config", b->dirs[i]) :
                                                                         strdup(b->dirs[i]);
                int r;

                if (!where)
                        return -ENOMEM;
                r = tb_mkdir(out, where);
                if (r < 0)
                        return fail_path(ret_error, "directory", b->dirs[i], r);
        }

        for (size_t i = 0; b->unreadable[i]; i++) {
                const char *path = b->unreadable[i];
                _cleanup_free_ char *where = NULL;
                bool proc_dev = startswith(path, "/proc/") || startswith(path, "/dev/");
                int r;

                where = in_config_root(path) ? path_join("/config", path) : strdup(path);
                if (!where)
                        return -ENOMEM;
                /* /proc and /dev: the preload would fall through to this
                 * machine's file for a missing one, and modes mean nothing
                 * to root, so the marker.  Elsewhere the marker too, with
                 * mode 000 so a non-root reader gets EACCES as on the host. */
                r = tb_write(out, where, GD_UNREADABLE_MARKER, strlen(GD_UNREADABLE_MARKER),
                                       proc_dev ? 0444 : 0000, -1);
                if (r < 0)
                        return fail_path(ret_error, "file", path, r);
        }

        for (int i = 0; i < _GD_HOSTPATH_MAX; i++) {
                const char *path = gd_hostpath(i)->path;
                int r;

                /* Below the config root a missing file is simply missing. */
                if (gd_bundle_file(b, path) || gd_bundle_is_unreadable(b, path) || in_config_root(path) ||
                    bundle_has_below(b, path))
                        continue;
                r = tb_write(out, path, GD_ABSENT_MARKER, strlen(GD_ABSENT_MARKER), 0444, -1);
                if (r < 0)
                        return fail_path(ret_error, "absent marker", path, r);
        }
        return 0;
}

int testbed_fill(struct tb_out *out, const struct gd_bundle *b, char **ret_error) {
        const struct recorded_device *d = out->tree->devices;
        size_t n = out->tree->n_devices;
        int r;

        r = add_drivers(out, d, n, ret_error);
        if (r >= 0)
                r = add_groups(out, b, d, n, ret_error);
        if (r >= 0)
                r = add_files(out, b, ret_error);
        testbed_devices_free(out->tree);
        return r;
}
