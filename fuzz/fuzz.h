/* SPDX-License-Identifier: MIT */
/* Shared by the libFuzzer targets: the input as a NUL-terminated string
 * (the parsers take C strings), and a crash that names the broken promise. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs above this are not interesting and only slow the fuzzer down. */
#define FUZZ_MAX_INPUT (256u * 1024u)

static inline char *fuzz_strndup(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

#define fuzz_assert(expr) do { \
        if (!(expr)) { \
                fprintf(stderr, "%s:%d: promise broken: %s\n", __FILE__, __LINE__, #expr); \
                abort(); \
        } \
} while (0)
