/* SPDX-License-Identifier: MIT */
/* Module state and configuration through libkmod.
 *
 * libkmod gives the data: loaded modules (/proc/modules), blacklists,
 * softdeps, options and install commands from modprobe.d and from the kernel
 * command line, and alias resolution through the modules.*.bin indexes.  It
 * does not say which file or line an item came from, so for provenance only
 * we list and scan the same files in the same order (modules-provenance.c);
 * nothing here decides what the configuration *means* from that scan. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libkmod.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/io.h"
#include "base/hostpaths.h"
#include "base/strv.h"
#include "host/modules-internal.h"
#include "host/modules.h"

static inline void kmod_unrefp(struct kmod_ctx **c) { kmod_unref(*c); }
static inline void kmod_list_unrefp(struct kmod_list **l) { kmod_module_unref_list(*l); }
static inline void kmod_iterp(struct kmod_config_iter **i) { kmod_config_iter_free_iter(*i); }
static inline void kmod_modulep(struct kmod_module **m) { kmod_module_unref(*m); }
#define _cleanup_kmod_ _cleanup_(kmod_unrefp)
#define _cleanup_kmod_list_ _cleanup_(kmod_list_unrefp)
#define _cleanup_kmod_iter_ _cleanup_(kmod_iterp)

/* The library never prints. */
static void kmod_log_quiet(void *data, int priority, const char *file, int line,
                           const char *fn, const char *format, va_list args) {
}

/* ---- configuration through libkmod ----------------------------------- */

static int split_softdep(const char *value, char ***pre, char ***post) {
        _cleanup_free_ char *copy = strdup(value ? value : "");
        char ***cur = NULL, *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
                if (streq(t, "pre:"))
                        cur = pre;
                else if (streq(t, "post:"))
                        cur = post;
                else if (cur && strv_push_dup(cur, t) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int read_config(struct kmod_ctx *ctx, struct provenance *p, struct gd_modconfig *m) {
        _cleanup_kmod_iter_ struct kmod_config_iter *bl = kmod_config_get_blacklists(ctx);
        _cleanup_kmod_iter_ struct kmod_config_iter *sd = kmod_config_get_softdeps(ctx);
        _cleanup_kmod_iter_ struct kmod_config_iter *op = kmod_config_get_options(ctx);
        _cleanup_kmod_iter_ struct kmod_config_iter *in = kmod_config_get_install_commands(ctx);

        while (bl && kmod_config_iter_next(bl)) {
                struct gd_mod_blacklist *b = GROW(m->blacklists, m->n_blacklists);
                if (!b || !(b->module = strdup(kmod_config_iter_get_key(bl))))
                        return -ENOMEM;
                b->source = provenance_find(p, "blacklist", b->module, NULL);
        }
        while (sd && kmod_config_iter_next(sd)) {
                struct gd_mod_softdep *s = GROW(m->softdeps, m->n_softdeps);
                const char *v = kmod_config_iter_get_value(sd);
                if (!s || !(s->module = strdup(kmod_config_iter_get_key(sd))) ||
                    split_softdep(v, &s->pre, &s->post) < 0)
                        return -ENOMEM;
                s->source = provenance_find(p, "softdep", s->module, v);
        }
        while (op && kmod_config_iter_next(op)) {
                struct gd_mod_options *o = GROW(m->options, m->n_options);
                if (!o || !(o->module = strdup(kmod_config_iter_get_key(op))) ||
                    !(o->options = strdup(kmod_config_iter_get_value(op))))
                        return -ENOMEM;
                o->source = provenance_find(p, "options", o->module, o->options);
        }
        while (in && kmod_config_iter_next(in)) {
                struct gd_mod_install *c = GROW(m->installs, m->n_installs);
                if (!c || !(c->module = strdup(kmod_config_iter_get_key(in))) ||
                    !(c->command = strdup(kmod_config_iter_get_value(in))))
                        return -ENOMEM;
                c->source = provenance_find(p, "install", c->module, c->command);
        }
        return 0;
}

static int read_vfio_ids(struct gd_modconfig *m) {
        size_t last_start = 0;

        for (size_t i = 0; i < m->n_options; i++) {
                _cleanup_free_ char *copy = NULL;
                char *p;

                if (!gd_modname_eq(m->options[i].module, "vfio_pci"))
                        continue;
                copy = strdup(m->options[i].options);
                if (!copy)
                        return -ENOMEM;
                /* Parameters are blank-separated; a value may be quoted. */
                for (p = copy; *p; ) {
                        char *tok, *val;
                        bool q = false;

                        while (isspace((unsigned char) *p))
                                p++;
                        if (!*p)
                                break;
                        tok = p;
                        for (; *p && (q || !isspace((unsigned char) *p)); p++)
                                if (*p == '"')
                                        q = !q;
                        if (*p)
                                *p++ = '\0';
                        val = strchr(tok, '=');
                        if (!val)
                                continue;
                        *val++ = '\0';
                        if (!gd_modname_eq(tok, "ids"))
                                continue;
                        if (*val == '"') {
                                size_t l = strlen(++val);
                                if (l > 0 && val[l - 1] == '"')
                                        val[l - 1] = '\0';
                        }
                        last_start = m->n_vfio_ids;
                        if (gd_vfio_ids_parse(val, &m->options[i].source, &m->vfio_ids, &m->n_vfio_ids) < 0)
                                return -ENOMEM;
                }
        }
        /* module_param_string keeps the last ids= it is given. */
        for (size_t i = 0; i < last_start; i++)
                m->vfio_ids[i].effective = false;
        return 0;
}

static void strip_config_root(char **files) {
        const char *root = gd_config_root();
        size_t n = strlen(root);

        if (streq(root, "/"))
                return;
        for (size_t i = 0; files && files[i]; i++)
                if (strncmp(files[i], root, n) == 0 && files[i][n] == '/')
                        memmove(files[i], files[i] + n, strlen(files[i] + n) + 1);
}

/* ---- loaded modules and aliases -------------------------------------- */

static int read_loaded(struct kmod_ctx *ctx, struct gd_modconfig *m) {
        _cleanup_kmod_list_ struct kmod_list *list = NULL;
        struct kmod_list *l;
        int r;

        r = kmod_module_new_from_loaded(ctx, &list);
        if (r < 0) {
                m->loaded_state = r;
                return 0;
        }
        m->loaded = calloc(1, sizeof(char *));
        if (!m->loaded)
                return -ENOMEM;
        kmod_list_foreach(l, list) {
                _cleanup_(kmod_modulep) struct kmod_module *mod = kmod_module_get_module(l);
                const char *name = kmod_module_get_name(mod);
                /* A replay testbed's absent marker is a line, not a module. */
                if (name && name[0] == '@') {
                        m->loaded = strv_free(m->loaded);
                        m->loaded_state = startswith(GD_UNREADABLE_MARKER, name) ? -EACCES : -ENOENT;
                        return 0;
                }
                if (strv_push_dup(&m->loaded, name) < 0)
                        return -ENOMEM;
        }
        strv_sort(m->loaded);
        m->loaded_state = 0;
        return 0;
}

static int resolve_alias(struct kmod_ctx *ctx, struct gd_modconfig *m, struct gd_alias_match *a) {
        _cleanup_kmod_list_ struct kmod_list *list = NULL;
        struct kmod_list *l;
        int r;

        r = ctx ? kmod_module_new_from_lookup(ctx, a->modalias, &list) : m->ctx_state;
        if (r < 0) {
                a->state = r;
                a->known = TRI_UNKNOWN;
                return 0;
        }
        /* Without the indexes libkmod answers "nothing" rather than failing. */
        a->known = list || m->resources_state == 0 ? TRI_YES : TRI_UNKNOWN;
        kmod_list_foreach(l, list) {
                _cleanup_(kmod_modulep) struct kmod_module *mod = kmod_module_get_module(l);
                struct gd_alias_module *am = GROW(a->modules, a->n_modules);
                const struct gd_mod_softdep *sd;

                if (!am || !(am->name = strdup(kmod_module_get_name(mod))))
                        return -ENOMEM;
                am->builtin = kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN ? TRI_YES :
                              m->resources_state == 0 ? TRI_NO : TRI_UNKNOWN;
                am->blacklisted = gd_modconfig_find_blacklist(m, am->name) != NULL;
                for (size_t i = 0; i < m->n_installs; i++)
                        if (gd_modname_eq(m->installs[i].module, am->name))
                                am->install_command = true;
                sd = gd_modconfig_find_softdep(m, am->name);
                am->softdep_pre_vfio_pci = gd_softdep_has_pre(sd, "vfio_pci");
        }
        return 0;
}

static int cmp_alias(const void *a, const void *b) {
        return strcmp(((const struct gd_alias_match *) a)->modalias, ((const struct gd_alias_match *) b)->modalias);
}

static int read_aliases(struct kmod_ctx *ctx, struct gd_modconfig *m, char * const *modaliases) {
        for (size_t i = 0; modaliases && modaliases[i]; i++) {
                struct gd_alias_match *a;

                if (gd_modconfig_find_alias(m, modaliases[i]))
                        continue;
                a = GROW(m->aliases, m->n_aliases);
                if (!a || !(a->modalias = strdup(modaliases[i])))
                        return -ENOMEM;
                if (resolve_alias(ctx, m, a) < 0)
                        return -ENOMEM;
        }
        if (m->n_aliases > 1)
                qsort(m->aliases, m->n_aliases, sizeof(*m->aliases), cmp_alias);
        return 0;
}

/* ---- the reader ------------------------------------------------------- */

static int read_release(char **ret) {
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        int r;

        r = gd_io_read(gd_hostpath(GD_PROC_OSRELEASE)->path, GD_CAP_ATTR, &s, &len);
        if (r < 0)
                return r;
        while (len > 0 && isspace((unsigned char) s[len - 1]))
                s[--len] = '\0';
        *ret = TAKE_PTR(s);
        return 0;
}

int gd_modconfig_read(const char *release, char * const *modaliases, struct gd_modconfig **ret) {
        /* kmod's default search path, below the config root.  /run and
         * /usr/local are only there live; a bundle does not carry them. */
        static const char *const conf_dirs[] = {
                "/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
                "/usr/lib/modprobe.d", "/lib/modprobe.d",
        };
        static const char *const conf_suffixes[] = { ".conf", ".alias", NULL };
        _cleanup_modconfig_ struct gd_modconfig *m = NULL;
        _cleanup_kmod_ struct kmod_ctx *ctx = NULL;
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_free_ char *softdep_file = NULL;
        struct provenance prov = {};
        int r;

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->ctx_state = m->resources_state = m->loaded_state = -ENODATA;

        if (release)
                m->release = strdup(release);
        else if ((r = read_release(&m->release)) < 0)
                m->release = NULL;
        if (release && !m->release)
                return -ENOMEM;
        if (m->release && (!*m->release || strchr(m->release, '/') || streq(m->release, "..")))
                return -EINVAL;

        for (size_t i = 0; i < ELEMENTSOF(conf_dirs); i++)
                if (strv_consume(&paths, path_join(gd_config_root(), conf_dirs[i])) < 0)
                        return -ENOMEM;

        /* With no release, point libkmod at a directory that cannot exist
         * rather than let it take uname()'s, which may not be this host's. */
        m->modules_dir = gd_config_path_join(GD_LIB_MODULES, m->release ? m->release : "@unknown-release@");
        if (!m->modules_dir)
                return -ENOMEM;

        ctx = kmod_new(m->modules_dir, (const char * const *) paths);
        if (!ctx) {
                m->ctx_state = -ENOMEM;
                m->aliases_known = TRI_UNKNOWN;
        } else {
                kmod_set_log_fn(ctx, kmod_log_quiet, NULL);
                m->ctx_state = 0;
                m->resources_state = m->release ? kmod_load_resources(ctx) : -ENOENT;
                m->aliases_known = m->resources_state == 0 ? TRI_YES : TRI_UNKNOWN;
        }

        /* The files libkmod read (kmod_config_new): modules.softdep of the
         * release, then each directory's *.conf, sorted by name. */
        softdep_file = path_join(m->modules_dir, "modules.softdep");
        if (!softdep_file)
                return -ENOMEM;
        if (gd_io_stat(softdep_file, NULL) == 0 && strv_push_dup(&m->config_files, softdep_file) < 0)
                return -ENOMEM;
        for (size_t i = 0; paths[i]; i++)
                if (list_conf_dir(paths[i], conf_suffixes, &m->config_files) == -ENOMEM)
                        return -ENOMEM;
        if (m->config_files)
                qsort(m->config_files, strv_length(m->config_files), sizeof(char *), cmp_basename);

        r = provenance_load(&prov, m->config_files, &m->files);
        if (r >= 0 && ctx)
                r = read_config(ctx, &prov, m);
        provenance_clear(&prov);
        if (r < 0)
                return r;

        if ((ctx && read_loaded(ctx, m) < 0) || read_aliases(ctx, m, modaliases) < 0)
                return -ENOMEM;
        if (read_vfio_ids(m) < 0 || read_modload(m) < 0)
                return -ENOMEM;

        /* Evidence names files as the host knows them: drop the config root
         * (a replay testbed's directory) in place, so that every gd_source
         * pointing into these strings follows. */
        strip_config_root(m->config_files);
        strip_config_root(m->modload_files);

        *ret = TAKE_PTR(m);
        return 0;
}
