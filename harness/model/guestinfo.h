/* SPDX-License-Identifier: MIT */
/* What a VM needs to use the GPU it was given, as the reader found it
 * (host/guest.c): the NVIDIA driver's /proc files, device nodes, and the
 * NVIDIA container toolkit with the container runtimes that use it.  Read
 * on every host (a few files); the guest checks look at it only where the
 * role is a guest's (model/role.h).
 *
 * Every entry keeps its path as the host knows it, for evidence.  A state is
 * 0 (read / present), -ENOENT (absent) or another -errno (unknown). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "model/host.h"

/* /proc/driver/nvidia/gpus/<address>/information: nv_procfs_add_gpu() makes
 * the directory when nvidia's probe of the device succeeds. */
struct gd_nvidia_gpu {
        char *address;         /* the directory name, "0000:00:06.0" */
        char *model;           /* "Model:" */
        int minor;             /* "Device Minor:", -1 when absent: /dev/nvidia<minor> */
        int state;             /* of the information file */
};

/* A path whose presence (and, for a few configs, whose lines naming the
 * NVIDIA runtime) is a fact: device nodes, toolkit binaries, configs. */
struct gd_guest_path {
        char *path;
        int state;
        char *content;         /* what the reader kept of a config; NULL for a stat */
};

struct gd_guestinfo {
        /* /proc/driver/nvidia/version exists whenever nvidia.ko is loaded
         * (nv_procfs_init()); its state tells whether the /proc facts below
         * were captured at all: a bundle from before they were read has
         * none of them, which must not read as "absent". */
        char *nvidia_version;  /* first line */
        int nvidia_version_state;
        struct gd_nvidia_gpu *nvidia_gpus;
        size_t n_nvidia_gpus;
        int nvidia_gpus_state; /* the listing of /proc/driver/nvidia/gpus */

        int drm_class_state;   /* /sys/class/drm listed (0): the DRM facts were captured */

        struct gd_guest_path *paths;  /* device nodes, toolkit, runtimes, configs */
        size_t n_paths;
        char **cdi_specs;      /* /etc/cdi names (nvidia.yaml ...) */
        int cdi_state;
};

struct gd_guestinfo *gd_guestinfo_free(struct gd_guestinfo *g);
const struct gd_guest_path *gd_guest_path_find(const struct gd_guestinfo *g, const char *path);
const struct gd_nvidia_gpu *gd_guest_nvidia_gpu(const struct gd_guestinfo *g, const char *address);
