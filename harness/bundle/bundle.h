/* SPDX-License-Identifier: MIT */
/* A gpudiag bundle (doc/bundle-format.md), loaded and validated.
 *
 * gd_bundle_load() is the only way in: it reads the file (gzip or plain),
 * parses the YAML and checks every rule of the format, so a struct gd_bundle
 * always holds a valid bundle.  Replay does not turn it into a host model; it
 * builds a umockdev testbed from it (replay/testbed.h). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/macro.h"

#define GD_BUNDLE_FORMAT   "gpudiag-bundle/1"
/* Version 1 and `dirs`: directories that exist with nothing of the bundle
 * below them.  Written only by a bundle that has such a directory, so that
 * every other bundle stays readable by a gpudiag that knows version 1. */
#define GD_BUNDLE_FORMAT_2 "gpudiag-bundle/2"
/* Both the file and its decompressed content are capped at this. */
#define GD_BUNDLE_MAX      (256u * 1024u * 1024u)
/* gzip: past GD_BUNDLE_GZIP_FREE bytes, the content may be at most
 * GD_BUNDLE_GZIP_RATIO times the compressed data.  Collected bundles
 * compress 5 to 35 times (a synthetic 4,096-function host: 33); deflate
 * reaches about 1,000 only on repetition, which is what a gzip bomb is
 * (25 KB of "1," that unpack to 25 MB). */
#define GD_BUNDLE_GZIP_FREE  (16u * 1024u * 1024u)
#define GD_BUNDLE_GZIP_RATIO 256u

struct gd_bundle_metadata {
        char *tool;             /* each NULL when the bundle lacks it */
        char *created;
        char *kernel;
        char *origin;           /* collected | imported | synthetic */
        char *source;
        tri_t root;             /* collected with euid 0; unknown when absent */
        char **redacted;        /* strv, never NULL */
};

struct gd_bundle_group {
        int64_t id;             /* >= 0 */
        char *type;             /* NULL when absent */
        char **devices;         /* strv of dddd:bb:dd.f, never NULL */
};

struct gd_bundle_file {
        char *path;             /* absolute, no '.' or '..', under an allowed root */
        char *content;          /* NUL-terminated; may hold NULs before length */
        size_t length;
        int64_t mtime;          /* seconds since the epoch, -1 when not given */
};

struct gd_bundle {
        struct gd_bundle_metadata metadata;
        char *umockdev;         /* umockdev-record text; NULL when absent or streamed */
        int umockdev_line;      /* the file line of its first line; 0 when unknown */
        bool umockdev_streamed; /* gd_bundle_load_records(): the text went to a sink, record by record */
        size_t umockdev_records; /* how many (streamed only) */
        bool has_iommu_groups;  /* the key was present (possibly empty) */
        struct gd_bundle_group *groups;
        size_t n_groups;
        struct gd_bundle_file *files;
        size_t n_files;
        char **unreadable;      /* strv, never NULL */
        char **dirs;            /* strv, never NULL: directories, possibly empty (format 2) */
        char *lspci;            /* NULL when absent */
};

/* Loads and validates a bundle.  Returns 0 and *ret; -EINVAL when the content
 * is not a valid bundle, with *ret_error naming the problem and, when known,
 * the line ("line 12: files: ..."); -EFBIG/-EINVAL with *ret_error for size
 * and gzip problems; -E2BIG with *ret_error when the document has more YAML
 * nodes or deeper nesting than its size allows (bundle/yaml-doc.h); -errno for I/O errors (then *ret_error may be NULL).
 * ret_error may be NULL; nothing is returned through ret on failure. */
int gd_bundle_load(const char *path, struct gd_bundle **ret, char **ret_error);

/* The same, from bytes already in memory (gzip or plain). */
int gd_bundle_load_data(const void *data, size_t size, struct gd_bundle **ret, char **ret_error);

/* The same for a bundle gpudiag has just written (import checks its own
 * before it writes it), with the YAML nodes and nesting depth its emitter
 * counted (gd_emit_nodes()): every check of gd_bundle_load_data(), less
 * the parser's separate counting pass while those are within the limits;
 * past them -E2BIG, as there. */
int gd_bundle_load_written(const char *text, size_t len, size_t nodes, unsigned depth, struct gd_bundle **ret,
                           char **ret_error);

/* gd_bundle_load() for a bundle whose umockdev text is wanted only once, as
 * records (a replay testbed from --bundle): the text is checked as always,
 * but handed to sink->record() a record at a time (its lines up to the next
 * empty one, no final newline, NUL-terminated; line: the bundle line of its
 * first line, 0 when unknown) instead of being kept in b->umockdev, which
 * stays NULL (b->umockdev_streamed, umockdev_records).  A 4,096-function
 * host's text is 40 MB; it is never whole in memory.  A negative return of
 * record() (with *ret_error set, or not) ends the load with it. */
struct gd_bundle_records {
        int (*record)(const char *text, size_t len, int line, void *userdata, char **ret_error);
        void *userdata;
};
int gd_bundle_load_records(const char *path, const struct gd_bundle_records *sink, struct gd_bundle **ret,
                           char **ret_error);

/* Lookups; NULL when absent. */
const struct gd_bundle_file *gd_bundle_file(const struct gd_bundle *b, const char *path);
bool gd_bundle_is_unreadable(const struct gd_bundle *b, const char *path);

/* NULL-safe; returns NULL. */
struct gd_bundle *gd_bundle_free(struct gd_bundle *b);
static inline void gd_bundle_freep(struct gd_bundle **b) { gd_bundle_free(*b); }
#define _cleanup_bundle_ _cleanup_(gd_bundle_freep)

/* Writing (bundle-write.c), for gpudiag collect: a recording of the reader
 * (base/io-record.h) as a bundle, streamed to out through the event emitter
 * (base/emit.h) without building a struct gd_bundle.  Format and metadata
 * (tool, created, kernel from the recorded /proc/sys/kernel/osrelease,
 * origin: collected, root, the kinds redact replaces, and in source the
 * kernel log records dropped to fit the caps); the umockdev text of the
 * recorded devices (bundle/record.h); iommu_groups from the listings of
 * /sys/kernel/iommu_groups (left out when that directory was missing); every
 * other recorded content, stat or /sys listing that the path rules allow as
 * files (contents through redact; mtime when it was stat()ed); what could
 * not be read (other than missing) as unreadable; lspci when given; findings
 * (id, severity, subjects, summary).  replayed: the metadata of the bundle
 * whose testbed this is (collect --bundle), whose origin, time and root flag
 * are kept; NULL on a live host.  Host, domain and user names are learned
 * from everything recorded first.  Returns 0, -EIO when writing failed,
 * -ENOMEM. */
struct gd_findings;
struct gd_redact;
struct gd_io_recording;
int gd_bundle_write(FILE *out, const struct gd_io_recording *rec, const char *lspci, size_t lspci_len,
                    const struct gd_findings *findings, const struct gd_bundle_metadata *replayed,
                    struct gd_redact *redact);

/* True for an absolute, '.'/'..'-free path under /sys /proc /dev /etc /boot
 * /lib or /usr. */
bool gd_bundle_path_allowed(const char *path);
/* True for a path the testbed writes below its config root (/etc /boot /lib
 * /usr) rather than into its /sys /proc /dev tree. */
bool gd_bundle_path_is_config(const char *path);
/* True for dddd:bb:dd.f (lower- or upper-case hex). */
bool gd_pci_address_valid(const char *s);
