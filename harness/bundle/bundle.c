/* SPDX-License-Identifier: MIT */
/* struct gd_bundle: freeing, lookups, and the path and address rules of
 * doc/bundle-format.md that both the reader and the testbed use. */
#include <ctype.h>
#include <string.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "bundle/bundle.h"

static const char *const allowed_roots[] = { "/sys", "/proc", "/dev", "/etc", "/boot", "/lib", "/usr", "/var/log" };
static const char *const config_roots[] = { "/etc", "/boot", "/lib", "/usr", "/var/log" };

static bool path_under(const char *path, const char *root) {
        size_t n = strlen(root);
        return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

bool gd_bundle_path_allowed(const char *path) {
        if (!path_is_safe_absolute(path))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(allowed_roots); i++)
                if (path_under(path, allowed_roots[i]))
                        return true;
        return false;
}

bool gd_bundle_path_is_config(const char *path) {
        for (size_t i = 0; i < ELEMENTSOF(config_roots); i++)
                if (path_under(path, config_roots[i]))
                        return true;
        return false;
}

static bool hex_run(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!isxdigit((unsigned char) s[i]))
                        return false;
        return true;
}

bool gd_pci_address_valid(const char *s) {
        /* dddd:bb:dd.f */
        return s && strlen(s) == 12 &&
                hex_run(s, 4) && s[4] == ':' &&
                hex_run(s + 5, 2) && s[7] == ':' &&
                hex_run(s + 8, 2) && s[10] == '.' &&
                s[11] >= '0' && s[11] <= '7';
}

const struct gd_bundle_file *gd_bundle_file(const struct gd_bundle *b, const char *path) {
        for (size_t i = 0; b && i < b->n_files; i++)
                if (streq(b->files[i].path, path))
                        return &b->files[i];
        return NULL;
}

bool gd_bundle_is_unreadable(const struct gd_bundle *b, const char *path) {
        return b && strv_contains(b->unreadable, path);
}

struct gd_bundle *gd_bundle_free(struct gd_bundle *b) {
        if (!b)
                return NULL;

        free(b->metadata.tool);
        free(b->metadata.created);
        free(b->metadata.kernel);
        free(b->metadata.origin);
        free(b->metadata.source);
        strv_free(b->metadata.redacted);
        free(b->umockdev);
        for (size_t i = 0; i < b->n_groups; i++) {
                free(b->groups[i].type);
                strv_free(b->groups[i].devices);
        }
        free(b->groups);
        for (size_t i = 0; i < b->n_files; i++) {
                free(b->files[i].path);
                free(b->files[i].content);
        }
        free(b->files);
        strv_free(b->unreadable);
        strv_free(b->dirs);
        free(b->lspci);
        free(b);
        return NULL;
}
