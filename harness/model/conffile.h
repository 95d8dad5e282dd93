/* SPDX-License-Identifier: MIT */
/* The configuration files the reader parsed, kept as read.
 *
 * A remedy that edits a file is only exact when it is computed against the
 * content the facts came from: the line numbers of evidence, and the diffs
 * of `gpudiag plan`, are both relative to this text.  The readers that
 * parse a configuration file (modprobe.d, modules-load.d, /etc/default/grub
 * and grub.d, /etc/kernel/cmdline, the initramfs tools' files, VM configs)
 * keep each one here, by the path the host knows (the config root taken
 * off); a file they looked for and did not find is kept as absent, which is
 * a fact too: a plan may create it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct gd_conffile {
        char *path;            /* /etc/modprobe.d/vfio.conf */
        char *text;            /* the content as read; NULL when state < 0 */
        int state;             /* 0 read, -ENOENT absent (the reader looked), other -errno unreadable */
};

struct gd_conffiles {
        struct gd_conffile *items;
        size_t n;
};

/* Keeps a file (text may be NULL for state < 0); a second call for one
 * path replaces nothing (the first read is the one facts came from).
 * Returns 0 or -ENOMEM. */
int gd_conffiles_keep(struct gd_conffiles *c, const char *path, const char *text, int state);
const struct gd_conffile *gd_conffiles_find(const struct gd_conffiles *c, const char *path);
void gd_conffiles_clear(struct gd_conffiles *c);

/* The number of lines of text (a last line without '\n' counts). */
size_t gd_text_line_count(const char *text);
/* Line n (1-based) of text without its '\n': start and length; false past
 * the end. */
bool gd_text_line(const char *text, size_t n, const char **ret_start, size_t *ret_len);

struct gd_host;
/* The file as the reader kept it, from any part of the model (module,
 * boot or VM configuration); NULL when no reader looked at it. */
const struct gd_conffile *gd_host_conffile(const struct gd_host *h, const char *path);
