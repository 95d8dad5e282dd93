/* SPDX-License-Identifier: MIT */
/* Shared between redact.c (the context and the pass) and redact-kinds.c
 * (the table); not part of the API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base/strindex.h"
#include "bundle/redact.h"

/* Learned names and the placeholders of each value kind. */
enum redact_names {
        NAMES_HOST,
        NAMES_DOMAIN,
        NAMES_USER,
        _NAMES_MAX,
};

enum redact_map {
        MAP_MAC,
        MAP_IPV4,
        MAP_IPV6,
        MAP_UUID,
        MAP_SHORT_UUID,
        MAP_MACHINE_ID,
        MAP_PARTUUID,
        MAP_SERIAL,
        MAP_SMBIOS,
        MAP_HOST,
        MAP_DOMAIN,
        MAP_USER,
        _MAP_MAX,
};

struct gd_redact {
        bool enabled;
        struct strindex *names[_NAMES_MAX];     /* learned, by kind */
        struct strindex *maps[_MAP_MAX];        /* originals; placeholder N */
        bool oom;               /* a placeholder could not be numbered: the pass fails */
};

/* The output of a pass. */
struct redact_out {
        char *buf;
        size_t len, cap;
        bool failed;
};
void redact_put(struct redact_out *o, const char *s, size_t n);
_printf_(2, 3) void redact_putf(struct redact_out *o, const char *fmt, ...);

/* Where a matcher looks: the whole text, and the position tried. */
struct redact_at {
        struct gd_redact *r;
        const char *text, *end;
        const char *s;
        bool keep_hostname;
};

/* The placeholder number of a value; 0 on ENOMEM (the pass then fails). */
size_t redact_index(struct gd_redact *r, enum redact_map m, const char *s, size_t len);

/* A kind of secret.  rewrite() is tried at every position of the text:
 * when what starts there is this kind's, it writes the replacement and
 * returns the bytes it consumed; 0 when it does not match. */
struct redact_kind {
        const char *name;               /* as in metadata.redacted */
        const char *what;               /* for people: where such values are seen */
        size_t (*rewrite)(const struct redact_at *at, struct redact_out *o);
        /* rewrite() never matches right after a letter or a digit, and the
         * pass does not ask it there (three bytes in four of a text are
         * inside a word).  tests/test-hostile-redaction.c tries every kind
         * so marked after a letter or digit in every example text. */
        bool after_word_only;
};

/* The table, in the order the pass tries it; n_kinds entries. */
extern const struct redact_kind redact_kinds[];
extern const size_t redact_n_kinds;

/* Learning (redact-learn.c). */
int redact_learn_name(struct gd_redact *r, enum redact_names k, const char *s, size_t len);
bool redact_host_char(char c);
