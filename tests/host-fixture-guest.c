/* SPDX-License-Identifier: MIT */
/* The host fixture lines of fixtures/hosts/README about where gpudiag runs
 * and what a guest needs (model/guestinfo.h), into struct gd_host. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "host-fixture.h"
#include "host/vmconfig.h"
#include "model/guestinfo.h"
#include "model/vmconfig.h"

static struct gd_guestinfo *guest(struct gd_host *h) {
        if (!h->guest) {
                h->guest = calloc(1, sizeof(*h->guest));
                cr_assert_not_null(h->guest);
                h->guest->nvidia_version_state = h->guest->nvidia_gpus_state = -ENODATA;
                h->guest->drm_class_state = h->guest->cdi_state = -ENODATA;
        }
        return h->guest;
}

static int state_of(const char *v, const char *file, unsigned line) {
        if (streq(v, "present"))
                return 0;
        if (streq(v, "absent"))
                return -ENOENT;
        if (streq(v, "?"))
                return -EACCES;
        cr_assert_fail("%s:%u: present, absent or ? expected, not '%s'", file, line, v);
        return 0;
}

static const char *srcdir(void) {
        const char *s = getenv("GPUDIAG_SRCDIR");
        return s && *s ? s : ".";
}

bool host_fixture_apply_guest(struct gd_host *h, char **w, size_t n, const char *rest, const char *file, unsigned line) {
        const char *k = w[0];

        if (streq(k, "xen-capabilities") && n <= 2) {
                free(h->xen_capabilities);
                h->xen_capabilities = strdup(n == 2 ? w[1] : "");
                h->xen_capabilities_state = n == 2 && streq(w[1], "?") ? -EACCES : 0;
        } else if (streq(k, "hostname") && n == 2) {
                free(h->hostname);
                h->hostname = strdup(w[1]);
        } else if (streq(k, "sysmodule") && n >= 3) {
                struct gd_sys_module *m = GROW(h->sys_modules, h->n_sys_modules);
                cr_assert_not_null(m);
                m->name = strdup(w[1]);
                m->state = state_of(w[2], file, line);
                m->holders_state = n > 3 ? 0 : -ENODATA;
                for (size_t i = 3; i < n; i++)
                        cr_assert_eq(strv_push_dup(&m->holders, w[i]), 0);
        } else if (streq(k, "modparam") && n == 4) {
                struct gd_module_param *p = GROW(h->module_params, h->n_module_params);
                cr_assert_not_null(p);
                p->module = strdup(w[1]);
                p->param = strdup(w[2]);
                p->state = streq(w[3], "absent") ? -ENOENT : 0;
                p->value = p->state == 0 ? strdup(w[3]) : NULL;
        } else if (streq(k, "nvidia-version") && n == 2 && streq(w[1], "?")) {
                /* not captured: a bundle from before the /proc facts were read */
                struct gd_guestinfo *g = guest(h);
                g->nvidia_version = mfree_str(g->nvidia_version);
                g->nvidia_version_state = -ENOENT;
                g->nvidia_gpus_state = -ENODATA;
        } else if (streq(k, "nvidia-version")) {
                struct gd_guestinfo *g = guest(h);
                free(g->nvidia_version);
                g->nvidia_version = strdup(rest);
                g->nvidia_version_state = 0;
                if (g->nvidia_gpus_state == -ENODATA)
                        g->nvidia_gpus_state = 0;
        } else if (streq(k, "nvidia-gpus") && n == 2 && streq(w[1], "none")) {
                struct gd_guestinfo *g = guest(h);
                for (size_t i = 0; i < g->n_nvidia_gpus; i++) {
                        free(g->nvidia_gpus[i].address);
                        free(g->nvidia_gpus[i].model);
                }
                g->n_nvidia_gpus = 0;
                g->nvidia_gpus_state = 0;
        } else if (streq(k, "nvidia-gpu") && n == 3) {
                struct gd_guestinfo *g = guest(h);
                struct gd_nvidia_gpu *x = GROW(g->nvidia_gpus, g->n_nvidia_gpus);
                cr_assert_not_null(x);
                x->address = strdup(w[1]);
                x->minor = atoi(w[2]);
                g->nvidia_gpus_state = 0;
        } else if (streq(k, "guest-path") && n >= 3) {
                struct gd_guestinfo *g = guest(h);
                struct gd_guest_path *p = (struct gd_guest_path *) gd_guest_path_find(g, w[1]);

                if (p) {        /* again for one path: it now says this */
                        free(p->path);
                        free(p->content);
                } else
                        p = GROW(g->paths, g->n_paths);
                cr_assert_not_null(p);
                p->path = strdup(w[1]);
                p->state = state_of(w[2], file, line);
                p->content = n > 3 ? strdup(w[3]) : NULL;
        } else if (streq(k, "cdi") && n >= 2) {
                struct gd_guestinfo *g = guest(h);
                g->cdi_state = 0;
                for (size_t i = 1; i < n; i++)
                        cr_assert_eq(strv_push_dup(&g->cdi_specs, w[i]), 0);
        } else if (streq(k, "drm-class") && n == 2) {
                guest(h)->drm_class_state = state_of(w[1], file, line);
        } else if (streq(k, "pve-mapping") && n == 2) {
                _cleanup_free_ char *path = NULL, *text = NULL;
                cr_assert_not_null(h->vmconfig, "%s:%u: pve-mapping before any vm line", file, line);
                cr_assert_geq(asprintf(&path, "%s/fixtures/vmconfig/%s", srcdir(), w[1]), 0);
                cr_assert_eq(read_file_capped(path, GD_TEXT_FILE_MAX, &text, NULL), 0, "%s:%u: cannot read %s",
                             file, line, path);
                cr_assert_eq(gd_pve_mapping_resolve(h->vmconfig, text, "/etc/pve/mapping/pci.cfg", h->hostname), 0);
        } else
                return false;
        return true;
}
