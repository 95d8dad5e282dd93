/* SPDX-License-Identifier: MIT */
/* Shared between collect.c, collect-kernel.c and collect-config.c; not part
 * of the API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle/bundle.h"
#include "model/host.h"

struct capture {
        struct gd_bundle_file *files;
        size_t n;
        char **unreadable;
};

void capture_clear(struct capture *c);
/* Takes content (NULL: ""). */
int add_file(struct capture *c, const char *path, char *content, size_t len, int64_t mtime);
/* A path that exists but could not be read goes to unreadable; a missing
 * one is simply not in the bundle (replay writes it as absent). */
int add_error(struct capture *c, const char *path, int r);

/* collect-kernel.c: every /proc and /dev path of the hostpaths table, and
 * /sys outside the PCI tree (serial numbers only when !redact). */
int capture_hostpaths(struct capture *c);
int capture_sys(struct capture *c, bool redact);
/* Only the kernel configuration lines the checks ask about. */
char *kconfig_filter(const char *text, size_t *ret_len);

/* collect-config.c: the configuration files below the config root, the
 * kernel config, initramfs presence and modules.alias/builtin of h's release. */
int capture_config(struct capture *c, const struct gd_host *h);
