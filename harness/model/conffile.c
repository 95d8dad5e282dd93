/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/macro.h"
#include "model/bootconfig.h"
#include "model/conffile.h"
#include "model/modconfig.h"
#include "model/vmconfig.h"

int gd_conffiles_keep(struct gd_conffiles *c, const char *path, const char *text, int state) {
        struct gd_conffile *grown, *f;

        if (!path)
                return 0;
        if (gd_conffiles_find(c, path))
                return 0;
        grown = reallocarray(c->items, c->n + 1, sizeof(*grown));
        if (!grown)
                return -ENOMEM;
        c->items = grown;
        f = &grown[c->n];
        *f = (struct gd_conffile) { .state = state };
        f->path = strdup(path);
        if (state >= 0)
                f->text = strdup(text ? text : "");
        if (!f->path || (state >= 0 && !f->text)) {
                free(f->path);
                free(f->text);
                return -ENOMEM;
        }
        c->n++;
        return 0;
}

const struct gd_conffile *gd_conffiles_find(const struct gd_conffiles *c, const char *path) {
        for (size_t i = 0; c && path && i < c->n; i++)
                if (streq(c->items[i].path, path))
                        return &c->items[i];
        return NULL;
}

void gd_conffiles_clear(struct gd_conffiles *c) {
        for (size_t i = 0; i < c->n; i++) {
                free(c->items[i].path);
                free(c->items[i].text);
        }
        free(c->items);
        c->items = NULL;
        c->n = 0;
}

size_t gd_text_line_count(const char *text) {
        size_t n = 0;

        for (const char *p = text; p && *p;) {
                const char *nl = strchr(p, '\n');
                n++;
                p = nl ? nl + 1 : p + strlen(p);
        }
        return n;
}

bool gd_text_line(const char *text, size_t n, const char **ret_start, size_t *ret_len) {
        const char *p = text;

        if (!text || n == 0)
                return false;
        for (size_t i = 1; i < n; i++) {
                const char *nl = strchr(p, '\n');
                if (!nl)
                        return false;
                p = nl + 1;
        }
        if (!*p)
                return false;
        *ret_start = p;
        *ret_len = strcspn(p, "\n");
        return true;
}

const struct gd_conffile *gd_host_conffile(const struct gd_host *h, const char *path) {
        const struct gd_conffile *f = NULL;

        if (h->modconfig)
                f = gd_conffiles_find(&h->modconfig->files, path);
        if (!f && h->bootconfig)
                f = gd_conffiles_find(&h->bootconfig->files, path);
        if (!f && h->vmconfig)
                f = gd_conffiles_find(&h->vmconfig->files, path);
        return f;
}
