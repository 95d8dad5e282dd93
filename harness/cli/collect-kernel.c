/* SPDX-License-Identifier: MIT */
/* gpudiag collect: what the kernel shows in /proc, /dev and /sys outside
 * the PCI tree (the kernel log, /proc/config.gz, DMI, ACPI table names). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "collect-internal.h"

#define KMSG_MAX_BYTES (4u * 1024u * 1024u)
#define KMSG_MAX_RECORDS 50000

/* ---- /proc and /dev ----------------------------------------------------- */

/* The kernel log without blocking: one record per read() from /dev/kmsg
 * (EAGAIN: the end; EPIPE: records overwritten while reading), or lines
 * from a plain file in a replay testbed.  Dictionary continuation lines
 * (" SUBSYSTEM=pci") are dropped: the reader skips them. */
static int capture_kmsg(struct capture *c, const char *path) {
        /* path is the bundle's name; the file opened may be below the
         * config root (base/hostpaths.h, gd_hostpath_resolve). */
        _cleanup_free_ char *open_path = gd_hostpath_resolve(GD_DEV_KMSG);
        _cleanup_close_ int fd = open_path ? open(open_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) : -1;
        _cleanup_free_ char *raw = NULL;
        char *out, *w;
        size_t len = 0, records = 0;

        if (fd < 0)
                return add_error(c, path, -errno);
        raw = malloc(KMSG_MAX_BYTES + 16384 + 2);
        if (!raw)
                return -ENOMEM;
        while (len < KMSG_MAX_BYTES && records < KMSG_MAX_RECORDS) {
                ssize_t n = read(fd, raw + len, 16384);

                if (n < 0) {
                        if (errno == EINTR || errno == EPIPE)
                                continue;
                        if (errno == EAGAIN || len > 0)
                                break;
                        return add_error(c, path, -errno);
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (raw[len - 1] != '\n')
                        raw[len++] = '\n';
                records++;
        }
        raw[len] = '\0';
        if (strcmp(raw, GD_ABSENT_MARKER) == 0)
                return 0;
        if (strcmp(raw, GD_UNREADABLE_MARKER) == 0)
                return add_error(c, path, -EACCES);

        out = w = malloc(len + 1);
        if (!out)
                return -ENOMEM;
        for (char *p = raw; *p; ) {
                char *nl = strchrnul(p, '\n');
                size_t n = (size_t) (nl - p);

                if (n > 0 && p[0] != ' ') {
                        memcpy(w, p, n);
                        w += n;
                        *w++ = '\n';
                }
                p = *nl ? nl + 1 : nl;
        }
        *w = '\0';
        return add_file(c, path, out, (size_t) (w - out), -1);
}

static const char *const kconfig_words[] = {
        "IOMMU", "VFIO", "SYSFB", "SIMPLEDRM", "FB_EFI", "FB_VESA", "FB_SIMPLE", "IRQ_REMAP", "KVM",
        "CONFIG_MODULES=", "CONFIG_PCI_IOV", "CONFIG_DRM_NOUVEAU", "CONFIG_DRM_AMDGPU", "CONFIG_DRM_RADEON",
        NULL,
};

/* Only the kernel configuration lines the checks ask about: the whole
 * file is a few thousand lines. */
char *kconfig_filter(const char *text, size_t *ret_len) {
        char *out = malloc(strlen(text) + 1), *w = out;

        if (!out)
                return NULL;
        for (const char *p = text; *p; ) {
                const char *nl = strchrnul(p, '\n');
                size_t n = (size_t) (nl - p);
                bool keep = false;

                if (startswith(p, "CONFIG_") || startswith(p, "# CONFIG_"))
                        for (const char *const *k = kconfig_words; *k && !keep; k++)
                                keep = memmem(p, n, *k, strlen(*k)) != NULL;
                if (keep) {
                        memcpy(w, p, n);
                        w += n;
                        *w++ = '\n';
                }
                p = *nl ? nl + 1 : nl;
        }
        *w = '\0';
        *ret_len = (size_t) (w - out);
        return out;
}

/* /proc/config.gz through zlib (gzread passes a testbed's plain text through). */
static int capture_config_gz(struct capture *c, const char *path) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = GD_TEXT_FILE_MAX;
        char *filtered;
        gzFile gz;
        int n;

        if (access(path, F_OK) < 0)
                return add_error(c, path, -errno);
        gz = gzopen(path, "rb");
        if (!gz)
                return add_error(c, path, errno ? -errno : -EIO);
        buf = malloc(cap + 1);
        if (!buf) {
                gzclose(gz);
                return -ENOMEM;
        }
        while (len < cap && (n = gzread(gz, buf + len, (unsigned) (cap - len))) > 0)
                len += (size_t) n;
        n = gzclose(gz) == Z_OK && len < cap;
        if (!n)
                return add_error(c, path, -EIO);
        buf[len] = '\0';
        if (strcmp(buf, GD_ABSENT_MARKER) == 0)
                return 0;
        if (strcmp(buf, GD_UNREADABLE_MARKER) == 0)
                return add_error(c, path, -EACCES);
        filtered = kconfig_filter(buf, &len);
        return filtered ? add_file(c, path, filtered, len, -1) : -ENOMEM;
}

int capture_hostpaths(struct capture *c) {
        for (int i = 0; i < _GD_HOSTPATH_MAX; i++) {
                const char *path = gd_hostpath(i)->path;
                char *text = NULL;
                size_t len = 0;
                int r;

                if (i == GD_DEV_KMSG)
                        r = capture_kmsg(c, path);
                else if (i == GD_PROC_CONFIG_GZ)
                        r = capture_config_gz(c, path);
                else {
                        r = read_file_capped(path, GD_TEXT_FILE_MAX, &text, &len);
                        /* Readable without root, but every address reads as 0:
                         * a replay must not take that for the memory map. */
                        if (r >= 0 && i == GD_PROC_IOMEM && geteuid() != 0) {
                                free(text);
                                r = -EACCES;
                        }
                        if (r < 0) {
                                r = add_error(c, path, r);
                        } else {
                                /* The reader wants the first processor block only. */
                                char *blank = i == GD_PROC_CPUINFO ? strstr(text, "\n\n") : NULL;
                                if (blank) {
                                        blank[1] = '\0';
                                        len = (size_t) (blank + 1 - text);
                                }
                                r = add_file(c, path, text, len, -1);
                        }
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- /sys outside the PCI tree ----------------------------------------- */

int capture_sys(struct capture *c, bool redact) {
        static const char *const attrs[] = {
                "/sys/hypervisor/type", "/sys/class/dmi/id/sys_vendor", "/sys/class/dmi/id/product_name",
        };
        static const char *const serials[] = {
                "/sys/class/dmi/id/product_serial", "/sys/class/dmi/id/product_uuid",
                "/sys/class/dmi/id/board_serial", "/sys/class/dmi/id/chassis_serial",
        };
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(attrs) + (redact ? 0 : ELEMENTSOF(serials)); i++) {
                const char *path = i < ELEMENTSOF(attrs) ? attrs[i] : serials[i - ELEMENTSOF(attrs)];
                char *text = NULL;
                size_t len = 0;

                r = read_file_capped(path, GD_ATTR_MAX, &text, &len);
                r = r < 0 ? add_error(c, path, r) : add_file(c, path, text, len, -1);
                if (r < 0)
                        return r;
        }

        /* ACPI tables: presence is the fact (DMAR, IVRS); the bodies are
         * root-only and not kept.  Every name is kept so that the tables
         * directory exists on replay and a missing DMAR reads as "no". */
        d = opendir("/sys/firmware/acpi/tables");
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *path = NULL;
                struct stat st;

                if (de->d_name[0] == '.' || asprintf(&path, "/sys/firmware/acpi/tables/%s", de->d_name) < 0)
                        continue;
                if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || !gd_bundle_path_allowed(path))
                        continue;
                r = add_file(c, path, NULL, 0, -1);
                if (r < 0)
                        return r;
        }
        return 0;
}
