/* SPDX-License-Identifier: MIT */
/* umockdev-record text of PCI devices and IOMMU units (see record.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "base/utf8.h"
#include "bundle/record.h"
#include "bundle/redact.h"

#define SYS_PCI_DEVICES "/sys/bus/pci/devices"
#define SYS_CLASS_IOMMU "/sys/class/iommu"
#define CONFIG_MAX 4096u
#define MAX_DEVICES 100000

/* Plain reads without side effects.  Everything else a PCI device
 * directory has is left out on purpose: resourceN and resourceN_wc (BAR
 * mappings), rom (enables the ROM BAR), vpd (can hang on broken devices),
 * reset, remove, rescan (write-only actions), config (read separately). */
static const char *const pci_attrs[] = {
        "ari_enabled", "boot_vga", "broken_parity_status", "class", "consistent_dma_mask_bits",
        "current_link_speed", "current_link_width", "d3cold_allowed", "device", "dma_mask_bits",
        "driver_override", "enable", "irq", "local_cpulist", "local_cpus", "max_link_speed",
        "max_link_width", "modalias", "msi_bus", "numa_node", "power_state", "reset_method", "resource",
        "revision", "secondary_bus_number", "sriov_drivers_autoprobe", "sriov_numvfs", "sriov_offset",
        "sriov_stride", "sriov_totalvfs", "sriov_vf_device", "subordinate_bus_number", "subsystem_device",
        "subsystem_vendor", "vendor", "power/control", "power/runtime_status", NULL,
};

static const char *const iommu_attrs[] = {
        "intel-iommu/address", "intel-iommu/cap", "intel-iommu/ecap", "intel-iommu/version",
        "intel-iommu/domains_supported", "intel-iommu/domains_used",
        "amd-iommu/cap", "amd-iommu/features", NULL,
};

static const char *const links[] = { "driver", "iommu_group", "iommu", "firmware_node", "physfn", NULL };

int gd_record_escape(FILE *out, const char *s, size_t len) {
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];
                const char *e = NULL;

                switch (c) {
                case '\b': e = "\\b"; break;
                case '\f': e = "\\f"; break;
                case '\n': e = "\\n"; break;
                case '\r': e = "\\r"; break;
                case '\t': e = "\\t"; break;
                case '\v': e = "\\v"; break;
                case '\\': e = "\\\\"; break;
                case '"':  e = "\\\""; break;
                }
                if (e)
                        fputs(e, out);
                else if (c < 0x20 || c >= 0x7f)
                        fprintf(out, "\\%03o", c);
                else
                        fputc(c, out);
        }
        return ferror(out) ? -EIO : 0;
}

/* GLib's g_utf8_validate() with a length, as umockdev-record uses to choose
 * A: or H:: well-formed UTF-8 (base/utf8.c) without NUL bytes. */
static bool utf8_ok(const uint8_t *s, size_t len) {
        return !memchr(s, '\0', len) && utf8_valid((const char *) s, len, NULL);
}

/* Reads a regular file (never through a link) without blocking, at most max
 * bytes; -EFBIG past it. */
static int read_plain(const char *path, size_t max, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0;

        if (lstat(path, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        buf = malloc(max + 2);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, buf + len, max + 1 - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len > max)
                        return -EFBIG;
        }
        buf[len] = '\0';
        *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

struct entry {
        char *name;     /* sort key */
        char *line;     /* whole line without '\n' */
};

static int cmp_entry(const void *a, const void *b) {
        return strcmp(((const struct entry *) a)->name, ((const struct entry *) b)->name);
}

struct device {
        struct entry *e;
        size_t n;
};

static void device_clear(struct device *d) {
        for (size_t i = 0; i < d->n; i++) {
                free(d->e[i].name);
                free(d->e[i].line);
        }
        free(d->e);
        *d = (struct device) {};
}

/* Takes line (NULL: ENOMEM). */
static int device_add(struct device *d, const char *name, char *line) {
        struct entry *ne;

        if (!line)
                return -ENOMEM;
        ne = realloc(d->e, (d->n + 1) * sizeof(*ne));
        if (!ne) {
                free(line);
                return -ENOMEM;
        }
        d->e = ne;
        ne[d->n] = (struct entry) { strdup(name), line };
        if (!ne[d->n].name) {
                free(line);
                return -ENOMEM;
        }
        d->n++;
        return 0;
}

static char *format_attr(struct gd_redact *redact, const char *name, const char *v, size_t len) {
        _cleanup_free_ char *red = NULL;
        char *buf = NULL;
        size_t size = 0, rlen = len;
        FILE *f;

        if (utf8_ok((const uint8_t *) v, len)) {
                if (gd_redact_text(redact, v, len, false, &red, &rlen) < 0)
                        return NULL;
                v = red;
                len = rlen;
        }
        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        if (utf8_ok((const uint8_t *) v, len)) {
                fprintf(f, "A: %s=", name);
                gd_record_escape(f, v, len);
        } else {
                fprintf(f, "H: %s=", name);
                for (size_t i = 0; i < len; i++)
                        fprintf(f, "%02X", (unsigned char) v[i]);
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static int add_attrs(struct device *d, struct gd_redact *redact, const char *dir, const char *const *attrs) {
        for (size_t i = 0; attrs[i]; i++) {
                _cleanup_free_ char *path = path_join(dir, attrs[i]), *v = NULL;
                size_t len;

                if (!path)
                        return -ENOMEM;
                /* Missing, EACCES, EIO, "no such device": left out, as umockdev-record does. */
                if (read_plain(path, GD_ATTR_MAX, &v, &len) < 0)
                        continue;
                if (device_add(d, attrs[i], format_attr(redact, attrs[i], v, len)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int add_links(struct device *d, const char *dir) {
        for (size_t i = 0; links[i]; i++) {
                _cleanup_free_ char *path = path_join(dir, links[i]);
                char target[PATH_MAX];
                char *line;
                ssize_t n;

                if (!path)
                        return -ENOMEM;
                n = readlink(path, target, sizeof(target) - 1);
                if (n <= 0)
                        continue;
                target[n] = '\0';
                if (strchr(target, '\n'))
                        continue;
                if (asprintf(&line, "L: %s=%s", links[i], target) < 0)
                        return -ENOMEM;
                if (device_add(d, links[i], line) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int add_config(struct device *d, struct gd_redact *redact, const char *dir) {
        _cleanup_free_ char *path = path_join(dir, "config"), *v = NULL;
        char *line;
        size_t len;

        if (!path)
                return -ENOMEM;
        if (read_plain(path, CONFIG_MAX, &v, &len) < 0 || len == 0)
                return 0;
        gd_redact_config_space(redact, (uint8_t *) v, len);
        line = malloc(strlen("H: config=") + 2 * len + 1);
        if (!line)
                return -ENOMEM;
        strcpy(line, "H: config=");
        for (size_t i = 0; i < len; i++)
                sprintf(line + 10 + 2 * i, "%02X", (unsigned char) v[i]);
        return device_add(d, "config", line);
}

/* The last component of the target of dir/subsystem, or NULL. */
static char *subsystem_of(const char *dir) {
        _cleanup_free_ char *name = NULL;
        return read_link_basename(dir, "subsystem", &name) == 0 ? TAKE_PTR(name) : NULL;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

/* One record: sysdir is the resolved /sys/devices/... directory. */
static int record_one(FILE *out, struct gd_redact *redact, const char *sysdir) {
        _cleanup_(device_clear) struct device d = {};
        _cleanup_free_ char *subsystem = subsystem_of(sysdir), *uevent = NULL, *upath = NULL;
        _cleanup_strv_free_ char **env = NULL;
        size_t len = 0;
        int r;

        upath = path_join(sysdir, "uevent");
        if (!upath)
                return -ENOMEM;
        if (read_plain(upath, GD_ATTR_MAX, &uevent, &len) == 0) {
                _cleanup_free_ char *red = NULL;
                char *save = NULL;

                if (gd_redact_text(redact, uevent, len, false, &red, NULL) < 0)
                        return -ENOMEM;
                for (char *l = strtok_r(red, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                        if (*l && !startswith(l, "SUBSYSTEM=") && strv_push_dup(&env, l) < 0)
                                return -ENOMEM;
        }
        if (subsystem) {
                char *l;
                if (asprintf(&l, "SUBSYSTEM=%s", subsystem) < 0 || strv_consume(&env, l) < 0)
                        return -ENOMEM;
        }
        if (env)
                qsort(env, strv_length(env), sizeof(char *), cmp_str);

        if (streq(subsystem, "pci")) {
                r = add_attrs(&d, redact, sysdir, pci_attrs);
                if (r >= 0)
                        r = add_config(&d, redact, sysdir);
        } else if (streq(subsystem, "iommu"))
                r = add_attrs(&d, redact, sysdir, iommu_attrs);
        else
                r = 0;
        if (r >= 0)
                r = add_links(&d, sysdir);
        if (r < 0)
                return r;
        if (d.n)
                qsort(d.e, d.n, sizeof(*d.e), cmp_entry);

        fprintf(out, "P: %s\n", sysdir + strlen("/sys"));
        for (size_t i = 0; env && env[i]; i++)
                fprintf(out, "E: %s\n", env[i]);
        for (size_t i = 0; i < d.n; i++)
                fprintf(out, "%s\n", d.e[i].line);
        fputc('\n', out);
        return ferror(out) ? -EIO : 0;
}

/* /sys/<...>/<name> (a link into /sys/devices) resolved lexically, so that
 * it works the same under umockdev's preload. */
static char *resolve_device(const char *dir, const char *name) {
        _cleanup_free_ char *path = path_join(dir, name);
        char target[PATH_MAX];
        const char *dev;
        ssize_t n;

        if (!path)
                return NULL;
        n = readlink(path, target, sizeof(target) - 1);
        if (n <= 0)
                return NULL;
        target[n] = '\0';
        dev = strstr(target, "devices/");
        if (!dev || strstr(dev, "/..") || strstr(dev, "/./") || strchr(dev, '\n'))
                return NULL;
        return path_join("/sys", dev);
}

/* The nearest ancestor with a uevent and a subsystem, as umockdev-record's
 * parent(); NULL at /sys/devices. */
static char *parent_device(const char *sysdir) {
        _cleanup_free_ char *p = strdup(sysdir);

        while (p) {
                _cleanup_free_ char *u = NULL, *s = NULL;
                char *slash = strrchr(p, '/');
                struct stat st;

                if (!slash || slash == p)
                        return NULL;
                *slash = '\0';
                if (strcmp(p, "/sys/devices") == 0 || !startswith(p, "/sys/devices/"))
                        return NULL;
                u = path_join(p, "uevent");
                s = path_join(p, "subsystem");
                if (!u || !s)
                        return NULL;
                if (lstat(u, &st) == 0 && lstat(s, &st) == 0)
                        return TAKE_PTR(p);
        }
        return NULL;
}

static int record_with_parents(FILE *out, struct gd_redact *redact, char *sysdir, char ***seen) {
        _cleanup_free_ char *dev = sysdir;

        while (dev) {
                char *next;
                int r;

                if (strv_contains(*seen, dev))
                        return 0;
                if (strv_length(*seen) >= MAX_DEVICES)
                        return -E2BIG;
                if (strv_push_dup(seen, dev) < 0)
                        return -ENOMEM;
                r = record_one(out, redact, dev);
                if (r < 0)
                        return r;
                next = parent_device(dev);
                free(dev);
                dev = next;
        }
        return 0;
}

static int record_dir(FILE *out, struct gd_redact *redact, const char *dir, char ***seen, bool required) {
        _cleanup_strv_free_ char **names = NULL;
        int r = dir_list(dir, NULL, &names);

        if (r < 0)
                return required || r == -ENOMEM ? r : 0;
        for (size_t i = 0; names[i]; i++) {
                char *sysdir = resolve_device(dir, names[i]);

                if (!sysdir)
                        continue;
                r = record_with_parents(out, redact, sysdir, seen); /* takes sysdir */
                if (r < 0)
                        return r;
        }
        return 0;
}

int gd_record_host(struct gd_redact *redact, char **ret, size_t *ret_len) {
        _cleanup_strv_free_ char **seen = NULL;
        char *buf = NULL;
        size_t size = 0;
        FILE *out;
        int r;

        out = open_memstream(&buf, &size);
        if (!out)
                return -ENOMEM;
        r = record_dir(out, redact, SYS_PCI_DEVICES, &seen, true);
        if (r >= 0)
                r = record_dir(out, redact, SYS_CLASS_IOMMU, &seen, false);
        if (fclose(out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        *ret_len = size;
        return 0;
}
