/* SPDX-License-Identifier: MIT */
/* A check that says "intel_iommu=on is set" must see the command line as the
 * kernel saw it, so this mirrors next_arg() and parse_args() step by step,
 * including their odd corners (only a leading quote of the value and a
 * trailing quote of the token are removed; a '=' at the very start of a
 * token does not count), instead of doing a cleaner shell-like split. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/hostpaths.h"
#include "base/macro.h"
#include "base/strv.h"
#include "cmdline.h"

/* The kernel's isspace() (lib/ctype.c): \t \n \v \f \r, space, and 0xa0,
 * Latin-1 no-break space.  The last one means the kernel splits a UTF-8
 * sequence that contains byte 0xa0 ("à" is c3 a0); we do the same, since
 * what matters is what the kernel acted on. */
static bool kernel_isspace(char c) {
        unsigned char u = (unsigned char) c;
        return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0;
}

static char *skip_spaces(char *s) {
        while (kernel_isspace(*s))
                s++;
        return s;
}

/* Cuts the next token out of args in place, as next_arg() does; returns
 * where the following token starts. */
static char *next_arg(char *args, char **ret_key, char **ret_value) {
        bool in_quote = false, quoted = false;
        size_t i, equals = 0;
        char *value = NULL;

        if (*args == '"') {
                args++;
                in_quote = quoted = true;
        }

        for (i = 0; args[i]; i++) {
                if (kernel_isspace(args[i]) && !in_quote)
                        break;
                /* 0 doubles as "not found", so "=x" has no value. */
                if (equals == 0 && args[i] == '=')
                        equals = i;
                if (args[i] == '"')
                        in_quote = !in_quote;
        }

        if (equals > 0) {
                args[equals] = '\0';
                value = args + equals + 1;
                if (*value == '"') {
                        value++;
                        if (args[i - 1] == '"')
                                args[i - 1] = '\0';
                }
        }
        if (quoted && i > 0 && args[i - 1] == '"')
                args[i - 1] = '\0';

        *ret_key = args;
        *ret_value = value;

        if (args[i] == '\0')
                return args + i;
        args[i] = '\0';
        return skip_spaces(args + i + 1);
}

static bool is_dashes(const char *key, const char *value) {
        return !value && strcmp(key, "--") == 0;
}

static int push_arg(struct gd_cmdline *c, const char *key, const char *value) {
        _cleanup_free_ char *k = NULL, *v = NULL;
        struct gd_cmdline_arg *a;

        k = strdup(key);
        if (!k)
                return -ENOMEM;
        if (value) {
                v = strdup(value);
                if (!v)
                        return -ENOMEM;
        }
        a = reallocarray(c->args, c->n_args + 1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        c->args = a;
        c->args[c->n_args++] = (struct gd_cmdline_arg) {
                .key = TAKE_PTR(k),
                .value = TAKE_PTR(v),
        };
        return 0;
}

/* init receives "key=value" re-joined without the quotes (init/main.c,
 * repair_env_string()). */
static int push_init_arg(struct gd_cmdline *c, const char *key, const char *value) {
        char *s;

        if (!value)
                return strv_push_dup(&c->init_args, key);
        if (asprintf(&s, "%s=%s", key, value) < 0)
                return -ENOMEM;
        return strv_consume(&c->init_args, s);
}

int gd_cmdline_parse(const char *raw, struct gd_cmdline *ret) {
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};
        _cleanup_free_ char *buf = NULL;
        char *args, *key, *value;
        size_t len;
        int r;

        if (!raw || !ret)
                return -EINVAL;

        len = strlen(raw);
        while (len > 0 && raw[len - 1] == '\n')
                len--;
        c.raw = strndup(raw, len);
        buf = strndup(raw, len);
        if (!c.raw || !buf)
                return -ENOMEM;

        args = skip_spaces(buf);
        while (*args) {
                args = next_arg(args, &key, &value);
                if (is_dashes(key, value))
                        break;
                r = push_arg(&c, key, value);
                if (r < 0)
                        return r;
        }

        /* start_kernel() runs parse_args() again over the rest with
         * set_init_arg(); that pass too stops at a bare "--", and what
         * follows a second one reaches nobody. */
        while (*args) {
                args = next_arg(args, &key, &value);
                if (is_dashes(key, value))
                        break;
                r = push_init_arg(&c, key, value);
                if (r < 0)
                        return r;
        }

        *ret = c;
        c = (struct gd_cmdline) {};
        return 0;
}

int gd_cmdline_read(struct gd_cmdline *ret) {
        _cleanup_free_ char *raw = NULL;
        int r;

        if (!ret)
                return -EINVAL;
        r = gd_io_read(gd_hostpath(GD_PROC_CMDLINE)->path, GD_CAP_ATTR, &raw, NULL);
        if (r < 0)
                return r;
        return gd_cmdline_parse(raw, ret);
}
