/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "model/guestinfo.h"

struct gd_guestinfo *gd_guestinfo_free(struct gd_guestinfo *g) {
        if (!g)
                return NULL;
        free(g->nvidia_version);
        for (size_t i = 0; i < g->n_nvidia_gpus; i++) {
                free(g->nvidia_gpus[i].address);
                free(g->nvidia_gpus[i].model);
        }
        free(g->nvidia_gpus);
        for (size_t i = 0; i < g->n_paths; i++) {
                free(g->paths[i].path);
                free(g->paths[i].content);
        }
        free(g->paths);
        strv_free(g->cdi_specs);
        free(g);
        return NULL;
}

const struct gd_guest_path *gd_guest_path_find(const struct gd_guestinfo *g, const char *path) {
        for (size_t i = 0; g && i < g->n_paths; i++)
                if (streq(g->paths[i].path, path))
                        return &g->paths[i];
        return NULL;
}

const struct gd_nvidia_gpu *gd_guest_nvidia_gpu(const struct gd_guestinfo *g, const char *address) {
        for (size_t i = 0; g && i < g->n_nvidia_gpus; i++)
                if (streq(g->nvidia_gpus[i].address, address))
                        return &g->nvidia_gpus[i];
        return NULL;
}
