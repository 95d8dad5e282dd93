/* SPDX-License-Identifier: MIT */
/* Record mode of the I/O seam (base/io.h): `gpudiag collect` is the reader
 * run with a recording on.
 *
 * Between gd_io_record_start() and gd_io_record_stop() every access through
 * the seam is kept, one entry per path the host knows (the config root taken
 * off): the content of a read, the target of a link, the names of a
 * directory, the result of a stat, or the errno each of them gave.  A path
 * read twice is read once: the second read gets the recorded content, so
 * the recording holds one answer per question.  bundle/bundle-write.c turns
 * the recording into a bundle.
 *
 * A reader may say what it made of what it read, where that is less than
 * the whole: the first processor block of /proc/cpuinfo, the VM configs
 * that pass a device, /proc/iomem read without root (every address 0, so
 * no memory map at all).  Outside record mode these calls do nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/macro.h"

struct gd_io_entry {
        char *path;

        bool has_content;      /* read (gd_io_read*, the kernel log) */
        int content_error;     /* 0 or -errno */
        char *content;         /* NUL-terminated; may hold NULs before length */
        size_t length;
        size_t kmsg_dropped;   /* kernel log: older records dropped to fit the caps */

        bool has_link;         /* gd_io_readlink() */
        int link_error;
        char *target;

        bool has_list;         /* gd_io_list() */
        int list_error;
        char **names;          /* strv, sorted */

        bool has_stat;         /* gd_io_stat() */
        int stat_error;
        bool is_dir, is_reg;
        bool is_node;          /* a device node: its presence is the fact */
        int64_t mtime;
};

struct gd_io_recording;

/* Starts recording.  -EBUSY when a recording is already on, -ENOMEM. */
int gd_io_record_start(void);
bool gd_io_recording_on(void);

/* Ends recording and hands the recording out (entries sorted by path).
 * Returns 0, or -ENOMEM when memory ran out while recording (the recording
 * is then incomplete and freed), -EINVAL when none was on. */
int gd_io_record_stop(struct gd_io_recording **ret);

struct gd_io_recording *gd_io_recording_free(struct gd_io_recording *r);
static inline void gd_io_recording_freep(struct gd_io_recording **r) { gd_io_recording_free(*r); }
#define _cleanup_recording_ _cleanup_(gd_io_recording_freep)

size_t gd_io_recording_size(const struct gd_io_recording *r);
const struct gd_io_entry *gd_io_recording_entry(const struct gd_io_recording *r, size_t i);
const struct gd_io_entry *gd_io_recording_find(const struct gd_io_recording *r, const char *path);

/* ---- what the reader made of what it read --------------------------------- */

/* Of the content read from path, only these bytes mattered (a prefix, a
 * filtered copy). */
void gd_io_record_keep(const char *path, const char *content, size_t len);
/* Nothing of path mattered: leave it out. */
void gd_io_record_drop(const char *path);
/* path reads, but what it holds is no fact: record it as this error. */
void gd_io_record_error(const char *path, int error);
/* A file that stands in for data a bundle cannot carry (the lines of
 * modules.alias that match this host's devices, for libkmod's index);
 * mtime -1 for none.  Returns 0 or -ENOMEM. */
int gd_io_record_add(const char *path, const char *content, size_t len, int64_t mtime);
