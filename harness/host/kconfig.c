/* SPDX-License-Identifier: MIT */
/* The kernel build configuration: /boot/config-<release>, else
 * /proc/config.gz, and the parser for its "CONFIG_X=..." text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/hostpaths.h"
#include "base/macro.h"
#include "bootconfig-internal.h"
#include "bootconfig.h"

static void kconfig_free(struct gd_kconfig_entry *e, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(e[i].name);
                free(e[i].value);
        }
        free(e);
}

int gd_kconfig_parse(const char *text, struct gd_kconfig_entry **ret, size_t *ret_n) {
        struct gd_kconfig_entry *e = NULL;
        size_t n = 0, cap = 0;
        const char *p = text;

        if (!text || !ret || !ret_n)
                return -EINVAL;

        while (*p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                const char *name = NULL, *value = NULL;
                size_t name_len = 0, value_len = 0;

                if (len > 0 && p[len - 1] == '\r')
                        len--;
                if (len > 9 && strncmp(p, "# CONFIG_", 9) == 0) {
                        /* "# CONFIG_FOO is not set" */
                        const char *sp = memchr(p + 2, ' ', len - 2);
                        if (sp && (size_t) (p + len - sp) == strlen(" is not set") &&
                            memcmp(sp, " is not set", strlen(" is not set")) == 0) {
                                name = p + 2;
                                name_len = (size_t) (sp - name);
                                value = "n";
                                value_len = 1;
                        }
                } else if (len > 7 && strncmp(p, "CONFIG_", 7) == 0) {
                        const char *eq = memchr(p, '=', len);
                        if (eq) {
                                name = p;
                                name_len = (size_t) (eq - p);
                                value = eq + 1;
                                value_len = (size_t) (p + len - value);
                        }
                }
                if (name) {
                        if (n == cap) {
                                struct gd_kconfig_entry *ne;
                                cap = cap ? cap * 2 : 256;
                                ne = reallocarray(e, cap, sizeof(*ne));
                                if (!ne) {
                                        kconfig_free(e, n);
                                        return -ENOMEM;
                                }
                                e = ne;
                        }
                        e[n].name = strndup(name, name_len);
                        e[n].value = strndup(value, value_len);
                        if (!e[n].name || !e[n].value) {
                                free(e[n].name);
                                free(e[n].value);
                                kconfig_free(e, n);
                                return -ENOMEM;
                        }
                        n++;
                }
                p = nl ? nl + 1 : p + len;
                if (!nl)
                        break;
        }
        *ret = e;
        *ret_n = n;
        return 0;
}

/* /proc/config.gz through zlib; gzread also passes plain text through, as
 * a replay testbed or a bundle holds it. */
static int read_config_gz(char **ret) {
        return gd_io_read_gz(gd_hostpath(GD_PROC_CONFIG_GZ)->path, GD_CAP_TEXT, ret, NULL);
}

int bootconfig_read_kconfig(struct gd_bootconfig *b, const char *release) {
        _cleanup_free_ char *sub = NULL, *text = NULL;
        const char *source;
        int r;

        if (asprintf(&sub, "config-%s", release) < 0)
                return -ENOMEM;
        r = bootconfig_read_config(GD_BOOT, sub, &text);
        if (r == 0) {
                source = NULL;
        } else {
                r = read_config_gz(&text);
                if (r < 0)
                        return r;
                source = gd_hostpath(GD_PROC_CONFIG_GZ)->path;
        }
        r = gd_kconfig_parse(text, &b->kconfig, &b->n_kconfig);
        if (r < 0)
                return r;
        if (source)
                b->kconfig_source = strdup(source);
        else if (asprintf(&b->kconfig_source, "%s/%s", gd_configpath(GD_BOOT), sub) < 0)
                b->kconfig_source = NULL;
        return b->kconfig_source ? 0 : -ENOMEM;
}
