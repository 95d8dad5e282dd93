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

#ifdef FUZZ_YAML
#include "bundle/yaml-doc.h"

/* gpudiag parses a bundle or scenario in a child first, because libfyaml
 * 0.7.12 crashes on some malformed YAML (bundle/yaml-doc.c).  A fork per
 * input cut these targets from 27,000 to 100 runs a second, so they parse
 * in place; `make fuzz` replays every crash found with
 * GPUDIAG_FUZZ_SANDBOX=1, and a crash the sandbox turns into a refusal is
 * libfyaml's, contained, not gpudiag's. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        if (!getenv("GPUDIAG_FUZZ_SANDBOX"))
                gd_yaml_parse_in_place();
        return 0;
}
#endif

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
