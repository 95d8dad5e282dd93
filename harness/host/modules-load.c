/* SPDX-License-Identifier: MIT */
/* Modules loaded at boot: /etc/modules and the *.conf files of /etc/modules-load.d,
 * with the file and line of each. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/io.h"
#include "base/hostpaths.h"
#include "base/strv.h"
#include "host/modules-internal.h"

struct modload_ctx {
        struct gd_modconfig *m;
        const char *path;
};

static int modload_line(char *line, unsigned lineno, void *data) {
        struct modload_ctx *c = data;
        struct gd_modload_line *l;
        char *p = line, *end;

        while (isspace((unsigned char) *p))
                p++;
        if (!*p || *p == '#' || *p == ';')
                return 0;
        for (end = p; *end && !isspace((unsigned char) *end); end++)
                ;
        l = GROW(c->m->modload, c->m->n_modload);
        if (!l || !(l->module = strndup(p, (size_t) (end - p))))
                return -ENOMEM;
        collapse(end);
        if (*end && !(l->args = strdup(end)))
                return -ENOMEM;
        l->source = (struct gd_source) { c->path, lineno };
        return 0;
}

int read_modload(struct gd_modconfig *m) {
        static const char *const conf[] = { ".conf", NULL };
        _cleanup_free_ char *etc_modules = gd_config_path_join(GD_ETC_MODULES, NULL);
        _cleanup_free_ char *dir = gd_config_path_join(GD_ETC_MODULES_LOAD_D, NULL);
        _cleanup_strv_free_ char **files = NULL;
        int r;

        if (!etc_modules || !dir)
                return -ENOMEM;
        r = list_conf_dir(dir, conf, &files);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                m->modload_state = r;
        if (files)
                qsort(files, strv_length(files), sizeof(char *), cmp_basename);
        /* Debian links modules-load.d/modules.conf to ../modules: read once. */
        if (strv_push_dup(&m->modload_files, etc_modules) < 0)
                return -ENOMEM;
        for (size_t i = 0; files && files[i]; i++) {
                if (gd_io_same_file(files[i], etc_modules))
                        continue;
                if (strv_push_dup(&m->modload_files, files[i]) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; m->modload_files[i]; i++) {
                _cleanup_free_ char *text = NULL;
                struct modload_ctx c = { m, m->modload_files[i] };

                r = gd_io_read(c.path, GD_CAP_TEXT, &text, NULL);
                if (gd_conffiles_keep(&m->files, gd_config_path_strip(c.path), text, r) < 0)
                        return -ENOMEM;
                if (r == -ENOENT)
                        continue;
                if (r < 0) {
                        if (m->modload_state == 0)
                                m->modload_state = r;
                        continue;
                }
                if (for_each_line(text, modload_line, &c) < 0)
                        return -ENOMEM;
        }
        return 0;
}
