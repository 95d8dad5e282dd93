/* SPDX-License-Identifier: MIT */
/* Writes a umockdev-record text as a sysfs tree, laid out as umockdev's
 * UMockdevTestbed.add_from_string() / add_devicev() lay it out
 * (martinpitt/umockdev src/umockdev.vala): for each "P: /devices/..." block
 * a directory under sys/, its attributes (A: escaped text, H: hex), links
 * (L:), a "uevent" file of its properties (E:), a "subsystem" link, and
 * /sys/bus/<pci|usb>/devices/<name> or /sys/class/<subsystem>/<name>.
 *
 * We write the tree ourselves and use only umockdev's preload library to
 * redirect /sys, because the testbed object (a) calls error(), which aborts
 * the process, on malformed recordings that come from other machines, and
 * running it in a forked child after GLib started its threads deadlocked;
 * and (b) took seconds per bundle (a 64-device host: about 6 s), which
 * made a few hundred scenarios take minutes.  Writing plain files takes
 * milliseconds.  tests/test-groups-parity.c holds the result to the real
 * lspci. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/string-util.h"
#include "replay/testbed-internal.h"

struct record {
        const char *devpath;    /* "/devices/..." */
        size_t devpath_len;
        char *subsystem;
        char *uevent;           /* "KEY=value\n"... */
        size_t uevent_len;
};

static int fail(char **ret_error, const char *devpath, size_t len, const char *what, int r) {
        if (ret_error && asprintf(ret_error, "testbed: device %.*s: %s%s%s", (int) len, devpath, what,
                                  r < 0 && r != -EINVAL ? ": " : "",
                                  r < 0 && r != -EINVAL ? (r == -ELOOP ? "a recorded link leads out of the testbed"
                                                                       : strerror(-r)) : "") < 0)
                *ret_error = NULL;
        return r == -ENOMEM ? r : -EINVAL;
}

/* g_strcompress(), which umockdev applies to A: values: C escapes and
 * octal; an unknown escape keeps the character. */
static char *unescape(const char *s, size_t len, size_t *ret_len) {
        char *out = malloc(len + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] != '\\' || i + 1 == len) {
                        *o++ = s[i];
                        continue;
                }
                i++;
                switch (s[i]) {
                case 'b': *o++ = '\b'; break;
                case 'f': *o++ = '\f'; break;
                case 'n': *o++ = '\n'; break;
                case 'r': *o++ = '\r'; break;
                case 't': *o++ = '\t'; break;
                case 'v': *o++ = '\v'; break;
                case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
                        unsigned v = 0, k = 0;
                        while (k < 3 && i < len && s[i] >= '0' && s[i] <= '7') {
                                v = v * 8 + (unsigned) (s[i++] - '0');
                                k++;
                        }
                        i--;
                        *o++ = (char) v;
                        break;
                }
                default: *o++ = s[i]; break;
                }
        }
        *ret_len = (size_t) (o - out);
        return out;
}

static char *unhex(const char *s, size_t len, size_t *ret_len) {
        char *out = len % 2 ? NULL : malloc(len / 2 + 1);

        if (!out)
                return NULL;
        if (!unhex_into(s, len, out)) {
                free(out);
                return NULL;
        }
        *ret_len = len / 2;
        return out;
}

static int write_attr(struct tb_out *out, const struct record *rec, const char *name, size_t name_len,
                      const char *value, size_t value_len) {
        _cleanup_free_ char *path = NULL;

        if (asprintf(&path, "/sys%.*s/%.*s", (int) rec->devpath_len, rec->devpath, (int) name_len, name) < 0)
                return -ENOMEM;
        return tb_write(out, path, value, value_len, 0644, -1);
}

/* Links may dangle (a driver directory the fill creates later, a firmware
 * node not recorded); one that leads out of /sys is left out once the tree
 * is complete (testbed-links.c), since only then is every link of a chain
 * known. */
static int write_link(struct tb_out *out, const struct record *rec, const char *name, size_t name_len,
                      const char *target, size_t target_len, int line) {
        _cleanup_free_ char *path = NULL, *tgt = NULL, *parent = NULL;
        int r;

        if (asprintf(&path, "/sys%.*s/%.*s", (int) rec->devpath_len, rec->devpath, (int) name_len, name) < 0 ||
            !(tgt = strndup(target, target_len)) || !(parent = strdup(path)))
                return -ENOMEM;
        *strrchr(parent, '/') = '\0';
        r = tb_mkdir(out, parent);
        if (r < 0)
                return r;
        return tb_symlink(out, path, tgt, line);
}

/* The subsystem link and the bus or class entry, as add_devicev() makes
 * them: pci and usb are buses, everything else a class. */
static int write_subsystem(struct tb_out *out, const struct record *rec) {
        _cleanup_free_ char *name = NULL, *up = NULL, *link = NULL, *entry_dir = NULL, *entry = NULL, *target = NULL;
        bool bus = streq(rec->subsystem, "pci") || streq(rec->subsystem, "usb");
        const char *base = memrchr(rec->devpath, '/', rec->devpath_len);
        size_t depth = 0;
        int r;

        name = strndup(base + 1, rec->devpath_len - (size_t) (base + 1 - rec->devpath));
        if (!name)
                return -ENOMEM;
        for (size_t i = 0; i < rec->devpath_len; i++)
                depth += rec->devpath[i] == '/';
        up = calloc(depth + 1, 3);
        if (!up)
                return -ENOMEM;
        for (size_t i = 0; i < depth; i++)
                strcat(up, "../");

        if (asprintf(&entry_dir, bus ? "/sys/bus/%s/devices" : "/sys/class/%s", rec->subsystem) < 0 ||
            asprintf(&link, "/sys%.*s/subsystem", (int) rec->devpath_len, rec->devpath) < 0 ||
            asprintf(&target, bus ? "%sbus/%s" : "%sclass/%s", up, rec->subsystem) < 0)
                return -ENOMEM;
        r = tb_mkdir(out, entry_dir);
        if (r < 0)
                return r;
        r = tb_symlink(out, link, target, 0);
        if (r < 0)
                return r;

        target = mfree_str(target);
        link = mfree_str(link);
        if (asprintf(&entry, "%s/%s", entry_dir, name) < 0 ||
            asprintf(&target, bus ? "../../../devices%.*s" : "../../devices%.*s",
                     (int) rec->devpath_len - 8, rec->devpath + 8) < 0)
                return -ENOMEM;
        return tb_symlink(out, entry, target, 0);
}

void testbed_devices_free(struct gd_testbed_tree *t) {
        for (size_t i = 0; i < t->n_devices; i++) {
                free(t->devices[i].devpath);
                free(t->devices[i].driver);
        }
        free(t->devices);
        t->devices = NULL;
        t->n_devices = t->cap_devices = 0;
}

static struct recorded_device *device_new(struct gd_testbed_tree *t, const char *devpath, size_t len) {
        struct recorded_device *d;

        if (t->n_devices == t->cap_devices) {
                size_t cap = t->cap_devices ? t->cap_devices * 2 : 64;
                struct recorded_device *nd = reallocarray(t->devices, cap, sizeof(*nd));

                if (!nd)
                        return NULL;
                t->devices = nd;
                t->cap_devices = cap;
        }
        d = &t->devices[t->n_devices];
        *d = (struct recorded_device) { .devpath = strndup(devpath, len) };
        if (!d->devpath)
                return NULL;
        t->n_devices++;
        return d;
}

/* Writes one "P:" block; returns the rest of the text.  *line: the bundle
 * line of the block's first line (0: unknown), advanced past it. */
static int write_block(struct tb_out *out, const char **text, int *line, char **ret_error) {
        const char *p = *text, *nl;
        struct record rec = { 0 };
        struct recorded_device *dev;
        _cleanup_free_ char *dir = NULL;
        int r = 0;

        nl = strchrnul(p, '\n');
        if (strncmp(p, "P: /devices/", 12) != 0)
                return fail(ret_error, p, (size_t) (nl - p), "a block must start with \"P: /devices/...\"", -EINVAL);
        rec.devpath = p + 3;
        rec.devpath_len = (size_t) (nl - rec.devpath);
        dev = device_new(out->tree, rec.devpath, rec.devpath_len);
        if (!dev)
                return -ENOMEM;
        if (asprintf(&dir, "/sys%.*s", (int) rec.devpath_len, rec.devpath) < 0)
                return -ENOMEM;
        r = tb_mkdir(out, dir);
        if (r < 0)
                return fail(ret_error, rec.devpath, rec.devpath_len, "cannot create its directory", r);

        for (p = *nl ? nl + 1 : nl; *p && *p != '\n'; p = *nl ? nl + 1 : nl) {
                const char *key, *eq, *val;
                size_t klen, vlen;

                if (*line > 0)
                        (*line)++;

                nl = strchrnul(p, '\n');
                if (nl - p < 3 || p[1] != ':' || p[2] != ' ') {
                        r = fail(ret_error, rec.devpath, rec.devpath_len, "malformed line", -EINVAL);
                        break;
                }
                key = p + 3;
                if (p[0] == 'S' || p[0] == 'N')
                        continue;       /* device nodes: PCI devices have none */
                eq = memchr(key, '=', (size_t) (nl - key));
                if (!eq) {
                        r = fail(ret_error, rec.devpath, rec.devpath_len, "a line without '='", -EINVAL);
                        break;
                }
                klen = (size_t) (eq - key);
                val = eq + 1;
                vlen = (size_t) (nl - val);
                if (p[0] == 'E') {
                        char *nu = realloc(rec.uevent, rec.uevent_len + klen + vlen + 3);
                        if (!nu) {
                                r = -ENOMEM;
                                break;
                        }
                        rec.uevent = nu;
                        rec.uevent_len += (size_t) sprintf(nu + rec.uevent_len, "%.*s=%.*s\n", (int) klen, key,
                                                           (int) vlen, val);
                        if (klen == 9 && memcmp(key, "SUBSYSTEM", 9) == 0) {
                                free(rec.subsystem);
                                rec.subsystem = strndup(val, vlen);
                        }
                } else if (p[0] == 'A' || p[0] == 'H') {
                        size_t dlen = 0;
                        _cleanup_free_ char *data = p[0] == 'A' ? unescape(val, vlen, &dlen) : unhex(val, vlen, &dlen);
                        if (!data) {
                                r = fail(ret_error, rec.devpath, rec.devpath_len, "an attribute value is not valid hex",
                                         -EINVAL);
                                break;
                        }
                        r = write_attr(out, &rec, key, klen, data, dlen);
                        if (r < 0) {
                                r = fail(ret_error, rec.devpath, rec.devpath_len, "cannot write an attribute", r);
                                break;
                        }
                } else if (p[0] == 'L') {
                        /* testbed_fill() makes the driver's directory and the
                         * group's link from these. */
                        if (klen == 6 && memcmp(key, "driver", 6) == 0 && vlen > 0) {
                                free(dev->driver);
                                dev->driver = strndup(val, vlen);
                                if (!dev->driver) {
                                        r = -ENOMEM;
                                        break;
                                }
                        } else if (klen == 11 && memcmp(key, "iommu_group", 11) == 0)
                                dev->has_iommu_group = true;
                        r = write_link(out, &rec, key, klen, val, vlen, *line);
                        if (r < 0) {
                                r = fail(ret_error, rec.devpath, rec.devpath_len, "cannot create a link", r);
                                break;
                        }
                } else {
                        r = fail(ret_error, rec.devpath, rec.devpath_len, "unknown line type", -EINVAL);
                        break;
                }
        }

        if (r >= 0 && !rec.subsystem)
                r = fail(ret_error, rec.devpath, rec.devpath_len, "no SUBSYSTEM property", -EINVAL);
        if (r >= 0)
                r = write_attr(out, &rec, "uevent", 6, rec.uevent ? rec.uevent : "", rec.uevent_len);
        if (r >= 0) {
                r = write_subsystem(out, &rec);
                if (r < 0)
                        r = fail(ret_error, rec.devpath, rec.devpath_len,
                                 r == -EEXIST ? "recorded twice" : "cannot link its subsystem", r);
        }
        free(rec.uevent);
        free(rec.subsystem);
        while (*p == '\n') {
                p++;
                if (*line > 0)
                        (*line)++;
        }
        *text = p;
        return r < 0 ? r : 0;
}

int testbed_write_record(struct tb_out *out, const char *text, int line, char **ret_error) {
        const char *p = text;
        int r = write_block(out, &p, &line, ret_error);

        /* One record: nothing after it. */
        return r < 0 ? r : *p ? -EINVAL : 0;
}

int testbed_write_recording(struct tb_out *out, const char *text, int first_line, char **ret_error) {
        const char *p = text;
        int line = first_line;

        while (*p == '\n') {
                p++;
                if (line > 0)
                        line++;
        }
        while (*p) {
                int r = write_block(out, &p, &line, ret_error);
                if (r < 0)
                        return r;
                if (line > 0)
                        line++;         /* the next block's P: line */
        }
        return 0;
}
