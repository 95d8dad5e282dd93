/* SPDX-License-Identifier: MIT */
/* What a VM needs to use the GPU it was given (model/guestinfo.h), and the
 * DRM minors of each display function (gd_pci_dev.drm).
 *
 * Sources:
 *  - /proc/driver/nvidia/version: nv_procfs_init() creates /proc/driver/nvidia
 *    when nvidia.ko loads; gpus/<address>/information appears for each GPU
 *    whose probe succeeded (nv_pci_probe() -> nv_procfs_add_gpu()), with
 *    "Model:" and "Device Minor:" (the N of /dev/nvidiaN).  Of that file only
 *    those two lines are kept: it also holds the GPU's UUID.
 *  - /sys/bus/pci/devices/<addr>/drm/<minor>: drm_dev_register() adds the
 *    card and render minors below the PCI device of a DRM driver
 *    (amdgpu, i915, xe, nouveau, nvidia-drm); /sys/class/drm lists them all.
 *    Each minor's "dev" attribute is read so that a bundle carries it.
 *  - Device nodes, /dev/nvidiactl, /dev/nvidia-uvm, /dev/nvidiaN and
 *    /dev/dri/<minor>: a stat, below the config root (hostpaths.h).
 *  - The NVIDIA container toolkit (nvidia-ctk, nvidia-container-runtime),
 *    the engines (dockerd, containerd), the lines of their configs that name
 *    nvidia (nvidia-ctk runtime configure writes them), and CDI specs in
 *    /etc/cdi (nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml).  Of a
 *    config only the lines naming nvidia are kept: a daemon.json may hold
 *    proxy credentials. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/io.h"
#include "base/io-record.h"
#include "base/macro.h"
#include "base/strv.h"
#include "guest.h"
#include "model/guestinfo.h"

static bool address_like(const char *s) {
        unsigned a, b, c, d;
        char tail;

        return strlen(s) == 12 && sscanf(s, "%4x:%2x:%2x.%1x%c", &a, &b, &c, &d, &tail) == 4;
}

/* The value after "key:" on a line of text, trimmed; newly allocated. */
static char *field(const char *text, const char *key) {
        for (const char *p = text; p && *p;) {
                size_t len = strcspn(p, "\n");
                if (len > strlen(key) && strncmp(p, key, strlen(key)) == 0) {
                        const char *v = p + strlen(key), *e = p + len;
                        while (v < e && (*v == ' ' || *v == '\t'))
                                v++;
                        while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
                                e--;
                        return strndup(v, (size_t) (e - v));
                }
                p += len;
                p += *p == '\n';
        }
        return NULL;
}

/* Keeps the lines of text that start with one of keys (or, with keys NULL,
 * that contain needle), in place; returns the new length. */
static size_t keep_lines(char *text, const char *const *keys, const char *needle) {
        char *w = text;

        for (char *p = text; *p;) {
                size_t len = strcspn(p, "\n");
                bool keep = false, nl = p[len] == '\n';

                for (size_t i = 0; keys && keys[i]; i++)
                        keep = keep || strncmp(p, keys[i], strlen(keys[i])) == 0;
                if (!keys && needle) {
                        char c = p[len];
                        p[len] = '\0';
                        keep = strcasestr(p, needle) != NULL;
                        p[len] = c;
                }
                if (keep) {
                        /* w <= p: the kept text never outgrows the read. */
                        memmove(w, p, len);
                        w += len;
                        if (nl)
                                *w++ = '\n';
                }
                p += len;
                p += *p == '\n';
        }
        *w = '\0';
        return (size_t) (w - text);
}

static int read_nvidia_gpu(struct gd_guestinfo *g, const char *dir, const char *name) {
        static const char *const keys[] = { "Model:", "Device Minor:", NULL };
        struct gd_nvidia_gpu *gpu = GROW(g->nvidia_gpus, g->n_nvidia_gpus);
        _cleanup_free_ char *path = NULL, *text = NULL, *minor = NULL;

        if (!gpu || !(gpu->address = strdup(name)) || asprintf(&path, "%s/%s/information", dir, name) < 0)
                return -ENOMEM;
        gpu->minor = -1;
        gpu->state = gd_io_read(path, GD_CAP_ATTR, &text, NULL);
        if (gpu->state < 0)
                return gpu->state == -ENOMEM ? -ENOMEM : 0;
        gd_io_record_keep(path, text, keep_lines(text, keys, NULL));
        gpu->model = field(text, "Model:");
        minor = field(text, "Device Minor:");
        if (minor && strspn(minor, "0123456789") == strlen(minor) && strlen(minor) > 0 && strlen(minor) < 6)
                gpu->minor = atoi(minor);
        return 0;
}

static int read_nvidia(struct gd_guestinfo *g) {
        const char *dir = gd_hostpath(GD_PROC_NVIDIA_GPUS)->path;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *version = NULL;

        g->nvidia_gpus_state = -ENODATA;
        g->nvidia_version_state = gd_io_read(gd_hostpath(GD_PROC_NVIDIA_VERSION)->path, GD_CAP_ATTR, &version, NULL);
        if (g->nvidia_version_state < 0)
                return g->nvidia_version_state == -ENOMEM ? -ENOMEM : 0;
        version[strcspn(version, "\n")] = '\0';
        g->nvidia_version = TAKE_PTR(version);
        g->nvidia_gpus_state = gd_io_list(dir, 0, &names);
        for (size_t i = 0; g->nvidia_gpus_state == 0 && names[i]; i++)
                if (address_like(names[i]) && read_nvidia_gpu(g, dir, names[i]) < 0)
                        return -ENOMEM;
        return g->nvidia_gpus_state == -ENOMEM ? -ENOMEM : 0;
}

static bool drm_minor_name(const char *name) {
        return (startswith(name, "card") && strspn(name + 4, "0123456789") == strlen(name + 4) && name[4]) ||
               (startswith(name, "renderD") && strspn(name + 7, "0123456789") == strlen(name + 7) && name[7]);
}

static int read_drm(struct gd_host *h, struct gd_guestinfo *g) {
        _cleanup_strv_free_ char **all = NULL;

        g->drm_class_state = gd_io_list("/sys/class/drm", 0, &all);
        for (size_t i = 0; i < h->n_devs; i++) {
                struct gd_pci_dev *d = &h->devs[i];
                _cleanup_free_ char *dir = NULL;
                _cleanup_strv_free_ char **names = NULL;
                int r;

                if (!gd_pci_is_display(d))
                        continue;
                if (asprintf(&dir, "/sys/bus/pci/devices/%s/drm", d->address) < 0)
                        return -ENOMEM;
                r = gd_io_list(dir, 0, &names);
                if (r == -ENOMEM)
                        return r;
                d->drm_state = r == 0 || r == -ENOENT ? 1 : r;
                for (size_t k = 0; r == 0 && names[k]; k++) {
                        _cleanup_free_ char *minor = NULL, *dev = NULL;

                        if (!drm_minor_name(names[k]))
                                continue;
                        minor = path_join(dir, names[k]);
                        if (!minor)
                                return -ENOMEM;
                        /* The recording carries the minor by this attribute. */
                        (void) gd_io_read_attr(minor, "dev", &dev);
                        if (strv_push_dup(&d->drm, names[k]) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

static int add_path(struct gd_guestinfo *g, const char *path, int state, char *content) {
        struct gd_guest_path *p = GROW(g->paths, g->n_paths);

        if (!p || !(p->path = strdup(path))) {
                free(content);
                return -ENOMEM;
        }
        p->state = state;
        p->content = content;
        return 0;
}

static int stat_dev(struct gd_guestinfo *g, const char *path) {
        _cleanup_free_ char *where = gd_dev_path_resolve(path);

        if (!where)
                return -ENOMEM;
        return add_path(g, path, gd_io_stat(where, NULL), NULL);
}

static int read_nodes(const struct gd_host *h, struct gd_guestinfo *g) {
        if (g->nvidia_version_state == 0) {
                if (stat_dev(g, "/dev/nvidiactl") < 0 || stat_dev(g, "/dev/nvidia-uvm") < 0)
                        return -ENOMEM;
                for (size_t i = 0; i < g->n_nvidia_gpus; i++) {
                        char path[32];
                        if (g->nvidia_gpus[i].minor < 0)
                                continue;
                        snprintf(path, sizeof(path), "/dev/nvidia%d", g->nvidia_gpus[i].minor);
                        if (stat_dev(g, path) < 0)
                                return -ENOMEM;
                }
        }
        for (size_t i = 0; i < h->n_devs; i++)
                for (size_t k = 0; h->devs[i].drm && h->devs[i].drm[k]; k++) {
                        _cleanup_free_ char *path = path_join("/dev/dri", h->devs[i].drm[k]);
                        if (!path || stat_dev(g, path) < 0)
                                return -ENOMEM;
                }
        return 0;
}

static int stat_config(struct gd_guestinfo *g, enum gd_configpath base, const char *name) {
        _cleanup_free_ char *where = gd_config_path_join(base, name), *logical = NULL;

        logical = name ? path_join(gd_configpath(base), name) : strdup(gd_configpath(base));
        if (!where || !logical)
                return -ENOMEM;
        return add_path(g, logical, gd_io_stat(where, NULL), NULL);
}

/* A config of which only the lines naming nvidia matter. */
static int read_config_lines(struct gd_guestinfo *g, enum gd_configpath p) {
        _cleanup_free_ char *where = gd_config_path_join(p, NULL);
        char *text = NULL;
        int r;

        if (!where)
                return -ENOMEM;
        r = gd_io_read(where, GD_CAP_TEXT, &text, NULL);
        if (r == 0)
                gd_io_record_keep(where, text, keep_lines(text, NULL, "nvidia"));
        return add_path(g, gd_configpath(p), r, text);
}

static int read_toolkit(struct gd_guestinfo *g) {
        static const char *const binaries[] = {
                "nvidia-ctk", "nvidia-container-toolkit", "nvidia-container-runtime", "nvidia-container-cli",
                "dockerd", "containerd", "podman",
        };
        _cleanup_free_ char *cdi = gd_config_path_join(GD_ETC_CDI, NULL);
        _cleanup_strv_free_ char **names = NULL;

        for (size_t i = 0; i < ELEMENTSOF(binaries); i++)
                if (stat_config(g, GD_USR_BIN, binaries[i]) < 0)
                        return -ENOMEM;
        if (stat_config(g, GD_ETC_NVIDIA_CONTAINER_RUNTIME, "config.toml") < 0 ||
            read_config_lines(g, GD_ETC_DOCKER_DAEMON_JSON) < 0 || read_config_lines(g, GD_ETC_CONTAINERD_CONFIG) < 0)
                return -ENOMEM;
        if (!cdi)
                return -ENOMEM;
        /* Only NVIDIA's specs are stat()ed, so only they are collected; a
         * directory without one reads the same as none. */
        g->cdi_state = gd_io_list(cdi, GD_IO_LIST_NO_DIRS, &names);
        for (size_t i = 0; g->cdi_state == 0 && names[i]; i++) {
                _cleanup_free_ char *path = NULL;
                if (!strcasestr(names[i], "nvidia") || !(endswith(names[i], ".yaml") || endswith(names[i], ".json")))
                        continue;
                path = path_join(cdi, names[i]);
                if (!path)
                        return -ENOMEM;
                if (gd_io_stat(path, NULL) == 0 && strv_push_dup(&g->cdi_specs, names[i]) < 0)
                        return -ENOMEM;
        }
        return g->cdi_state == -ENOMEM ? -ENOMEM : 0;
}

int gd_guest_read(struct gd_host *h) {
        struct gd_guestinfo *g = calloc(1, sizeof(*g));
        int r;

        if (!g)
                return -ENOMEM;
        r = read_nvidia(g);
        if (r >= 0)
                r = read_drm(h, g);
        if (r >= 0)
                r = read_nodes(h, g);
        if (r >= 0)
                r = read_toolkit(g);
        if (r < 0) {
                gd_guestinfo_free(g);
                return r;
        }
        h->guest = g;
        return 0;
}
