/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "model/modconfig.h"

struct gd_modconfig *gd_modconfig_free(struct gd_modconfig *m) {
        if (!m)
                return NULL;
        free(m->release);
        free(m->modules_dir);
        strv_free(m->loaded);
        for (size_t i = 0; i < m->n_blacklists; i++)
                free(m->blacklists[i].module);
        free(m->blacklists);
        for (size_t i = 0; i < m->n_softdeps; i++) {
                free(m->softdeps[i].module);
                strv_free(m->softdeps[i].pre);
                strv_free(m->softdeps[i].post);
        }
        free(m->softdeps);
        for (size_t i = 0; i < m->n_options; i++) {
                free(m->options[i].module);
                free(m->options[i].options);
        }
        free(m->options);
        for (size_t i = 0; i < m->n_installs; i++) {
                free(m->installs[i].module);
                free(m->installs[i].command);
        }
        free(m->installs);
        for (size_t i = 0; i < m->n_vfio_ids; i++)
                free(m->vfio_ids[i].text);
        free(m->vfio_ids);
        for (size_t i = 0; i < m->n_modload; i++) {
                free(m->modload[i].module);
                free(m->modload[i].args);
        }
        free(m->modload);
        for (size_t i = 0; i < m->n_aliases; i++) {
                struct gd_alias_match *a = &m->aliases[i];
                for (size_t j = 0; j < a->n_modules; j++)
                        free(a->modules[j].name);
                free(a->modules);
                free(a->modalias);
        }
        free(m->aliases);
        /* Last: the sources above point into these. */
        strv_free(m->config_files);
        strv_free(m->modload_files);
        gd_conffiles_clear(&m->files);
        free(m);
        return NULL;
}

bool gd_modname_eq(const char *a, const char *b) {
        if (!a || !b)
                return false;
        for (; *a && *b; a++, b++) {
                char ca = *a == '-' ? '_' : *a, cb = *b == '-' ? '_' : *b;
                if (ca != cb)
                        return false;
        }
        return *a == *b;
}

const struct gd_alias_match *gd_modconfig_find_alias(const struct gd_modconfig *m, const char *modalias) {
        for (size_t i = 0; m && modalias && i < m->n_aliases; i++)
                if (strcmp(m->aliases[i].modalias, modalias) == 0)
                        return &m->aliases[i];
        return NULL;
}

const struct gd_mod_blacklist *gd_modconfig_find_blacklist(const struct gd_modconfig *m, const char *module) {
        for (size_t i = 0; m && i < m->n_blacklists; i++)
                if (gd_modname_eq(m->blacklists[i].module, module))
                        return &m->blacklists[i];
        return NULL;
}

bool gd_modconfig_is_loaded(const struct gd_modconfig *m, const char *module) {
        for (size_t i = 0; m && m->loaded && m->loaded[i]; i++)
                if (gd_modname_eq(m->loaded[i], module))
                        return true;
        return false;
}

/* libkmod (kmod_module_get_softdeps) takes the first softdep whose module
 * pattern fnmatch()es the normalised name. */
const struct gd_mod_softdep *gd_modconfig_find_softdep(const struct gd_modconfig *m, const char *module) {
        char name[256];
        size_t n;

        if (!m || !module || (n = strlen(module)) >= sizeof(name))
                return NULL;
        for (size_t i = 0; i <= n; i++)
                name[i] = module[i] == '-' ? '_' : module[i];
        for (size_t i = 0; i < m->n_softdeps; i++)
                if (fnmatch(m->softdeps[i].module, name, 0) == 0)
                        return &m->softdeps[i];
        return NULL;
}

bool gd_softdep_has_pre(const struct gd_mod_softdep *s, const char *module) {
        for (size_t i = 0; s && s->pre && s->pre[i]; i++)
                if (gd_modname_eq(s->pre[i], module))
                        return true;
        return false;
}

char *gd_modconfig_source_string(const struct gd_source *s) {
        char *r;

        if (!s || !s->path)
                return NULL;
        if (s->line == 0)
                return strdup(s->path);
        if (asprintf(&r, "%s:%u", s->path, s->line) < 0)
                return NULL;
        return r;
}

void gd_vfio_ids_free(struct gd_vfio_id *items, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(items[i].text);
        free(items);
}

int gd_vfio_ids_parse(const char *list, const struct gd_source *src, struct gd_vfio_id **items, size_t *n) {
        _cleanup_free_ char *copy = strdup(list ? list : "");
        char *p = copy, *id;

        if (!copy)
                return -ENOMEM;
        while ((id = strsep(&p, ","))) {
                unsigned f[6] = { 0, 0, PCI_ANY_ID, PCI_ANY_ID, 0, 0 };
                struct gd_vfio_id *grown, *v;
                int k;

                if (!*id)
                        continue;
                grown = realloc(*items, (*n + 1) * sizeof(**items));
                if (!grown)
                        return -ENOMEM;
                *items = grown;
                v = &grown[*n];
                memset(v, 0, sizeof(*v));
                v->text = strdup(id);
                if (!v->text)
                        return -ENOMEM;
                (*n)++;
                k = sscanf(id, "%x:%x:%x:%x:%x:%x", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5]);
                v->n_fields = k > 0 ? (unsigned) k : 0;
                v->valid = k >= 2;
                v->vendor = f[0], v->device = f[1];
                v->subvendor = f[2], v->subdevice = f[3];
                v->class_code = f[4], v->class_mask = f[5];
                v->effective = true;
                if (src)
                        v->source = *src;
        }
        return 0;
}
