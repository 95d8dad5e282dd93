/* SPDX-License-Identifier: MIT */
/* The one I/O seam of the reader.
 *
 * Every host/ reader opens, reads, lists, stats and resolves links through
 * these functions, never through open(), opendir(), readlink() or stat()
 * itself.  That is what makes `gpudiag collect` the reader in record mode
 * (base/io-record.h): every access and its result -- the content, the link
 * target, the names of a directory, the errno -- goes into a recording, and
 * collect writes the recording as the bundle.  No list of paths to collect
 * is kept beside the readers: a check that reads a new file is collected by
 * reading it.  What libraries read on their own (libpci, libkmod) and what
 * lspci needs under umockdev is declared in host/declared.c.
 *
 * Paths are the paths the reader opens: /sys and /proc as they are (under
 * umockdev's preload those are the testbed's), configuration and /dev below
 * the config root (base/hostpaths.h).  The recording names each by the path
 * the host knows, the config root taken off.
 *
 * A replay testbed marks a path the bundle did not have, or could not read,
 * with a file holding GD_ABSENT_MARKER or GD_UNREADABLE_MARKER (fileio.h);
 * every function here reads such a file as -ENOENT or -EACCES, never as
 * data. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- caps: the one table ------------------------------------------------ */

/* Nothing the reader reads is unbounded: every read names one of these, and
 * a file past it is -EFBIG, not a silent truncation. */
enum gd_io_cap {
        GD_CAP_ATTR,           /* a sysfs attribute: show() hands out at most a page */
        GD_CAP_CONFIG_SPACE,   /* PCI configuration space: 4 KiB (PCIe extended) */
        GD_CAP_TEXT,           /* /proc files and configuration files */
        GD_CAP_VM_CONFIG,      /* one Proxmox or libvirt VM config: one with many snapshots stays far below */
        GD_CAP_MODULES_ALIAS,  /* modules.alias of a distribution kernel: ~10 MiB */
        _GD_CAP_MAX,
};

struct gd_io_cap_info {
        size_t bytes;
        const char *name;      /* "64 KiB", for messages */
};

const struct gd_io_cap_info *gd_io_cap(enum gd_io_cap cap);

/* The kernel log's caps (host/kmsg.c reads with these; so does collect). */
struct gd_kmsg_limits {
        size_t records;        /* 10,000,000 records */
        size_t bytes;          /* 256 MiB of records */
        size_t line;           /* 1 MiB: no kernel record comes near; a longer "line" is not a log */
        const char *name;      /* "10,000,000 records or 256 MiB", for messages */
        const char *line_name; /* "1 MiB": the line cap, for messages (-EMSGSIZE) */
};

extern const struct gd_kmsg_limits gd_kmsg_limits;

/* ---- reading -------------------------------------------------------------- */

/* The whole file (NUL-terminated in *ret; ret_len may be NULL) when it is at
 * most the cap.  Returns 0 or -errno: -EFBIG past the cap, -ENOENT/-EACCES
 * for a testbed's markers. */
int gd_io_read(const char *path, enum gd_io_cap cap, char **ret, size_t *ret_len);

/* A one-value sysfs attribute dir/attr, trailing newlines and blanks
 * removed.  The recording keeps the value as read. */
int gd_io_read_attr(const char *dir, const char *attr, char **ret);

/* A gzip-compressed file (/proc/config.gz) decompressed, at most the cap;
 * plain text passes through as zlib's gzread() does.  The recording keeps
 * the text. */
int gd_io_read_gz(const char *path, enum gd_io_cap cap, char **ret, size_t *ret_len);

/* The target of the symbolic link path, as readlink() gives it. */
int gd_io_readlink(const char *path, char **ret);

/* The last component of the target of the link dir/name (a driver, a group). */
int gd_io_link_basename(const char *dir, const char *name, char **ret);

/* The names in dir, without "." and "..", sorted by strcmp, as a
 * NULL-terminated list.  opendir() and readdir(), never scandir(): glibc's
 * scandir() opens the directory through an internal call that umockdev's
 * preload does not trap (in a testbed it listed this machine's /sys).
 * -E2BIG past DIR_LIST_MAX names (fileio.h).  A testbed's marker file in
 * place of the directory reads as -ENOENT or -EACCES. */
#define GD_IO_LIST_NO_DIRS (1u << 0)   /* leave subdirectories out (d_type DT_DIR) */
int gd_io_list(const char *dir, unsigned flags, char ***ret);

struct gd_io_stat {
        bool is_dir;
        bool is_reg;
        bool is_node;          /* a character or block device (/dev/nvidia0) */
        int64_t mtime;         /* seconds since the epoch */
};

/* stat() (following links); ret may be NULL for an existence test. */
int gd_io_stat(const char *path, struct gd_io_stat *ret);

/* True when a and b are the same file (device and inode): which of two
 * names to read.  Not recorded: it decides which reads happen, and those
 * are. */
bool gd_io_same_file(const char *a, const char *b);

/* ---- the kernel log -------------------------------------------------------- */

/* The length of the record on a /dev/kmsg line without its line end, or 0
 * when the line is no record: empty, or a dictionary line (" SUBSYSTEM=pci",
 * " DEVICE=+pci:0000:01:00.0") that belongs to the record before it
 * (Documentation/ABI/testing/dev-kmsg). */
size_t gd_kmsg_record_length(const char *line, size_t len);

/* Reads every record of the kernel log at path without ever blocking: the
 * real /dev/kmsg hands out one record per read() and EAGAIN once caught up,
 * a replay testbed serves a regular file, whose reads cut lines anywhere.
 * record() gets each record (no line end; dictionary and empty lines are
 * skipped) and returns 0 or -errno, which ends the reading.  Past a cap of
 * limits the reading ends with -EFBIG; in record mode the reading goes on to
 * the end, and the recording keeps the newest records that fit the caps,
 * saying how many older ones it dropped.  Returns 0 or -errno (-EPERM or
 * -EACCES when dmesg_restrict denies the open, -ENOENT/-EACCES for markers). */
int gd_io_kmsg(const char *path, const struct gd_kmsg_limits *limits,
               int (*record)(const char *text, size_t len, void *userdata), void *userdata);

/* gd_io_kmsg() for a reader that keeps few records of a long log.  quiet()
 * (optional) is asked about a block of whole lines, each of them a record
 * (none empty or a dictionary line, none past the line cap, all within the
 * caps): true when record() would keep none of them, which are then only
 * counted, and skipped() gets their number.  Never in record mode: the
 * recording keeps every record. */
struct gd_kmsg_reader {
        int (*record)(const char *text, size_t len, void *userdata);
        bool (*quiet)(const char *block, size_t len, void *userdata);
        void (*skipped)(size_t n, void *userdata);
};
int gd_io_kmsg_read(const char *path, const struct gd_kmsg_limits *limits, const struct gd_kmsg_reader *reader,
                    void *userdata);
