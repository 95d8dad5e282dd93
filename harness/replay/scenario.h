/* SPDX-License-Identifier: MIT */
/* Fault-injection scenarios (doc/scenario-format.md): load and validate a
 * scenario file, apply its faults to a loaded bundle, and run it against a
 * umockdev testbed.  Only built when HAVE_REPLAY (config.h).
 *
 *   gd_scenario_load()      scenario-load.c   YAML -> struct gd_scenario
 *   gd_fault_apply()        faults.c          one fault -> struct gd_bundle
 *   gd_scenario_run()       runner.c          base + faults -> testbed ->
 *                                             `explain --format json` -> compare
 *
 * Every error message names the scenario file and, when known, the line:
 * "scenarios/x.yaml:12: faults: bind: device 0000:05:00.0 is not in the base". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/macro.h"
#include "bundle/bundle.h"
#include "model/scenario-result.h"

#define GD_SCENARIO_FORMAT "gpudiag-scenario/1"

enum gd_fault_kind {
        GD_FAULT_CMDLINE_ADD,
        GD_FAULT_CMDLINE_REMOVE,
        GD_FAULT_BOOTCFG_ADD,
        GD_FAULT_BOOTCFG_REMOVE,
        GD_FAULT_ATTR_SET,
        GD_FAULT_ATTR_REMOVE,
        GD_FAULT_BIND,
        GD_FAULT_UNBIND,
        GD_FAULT_OVERRIDE,
        GD_FAULT_DEVICE_REMOVE,
        GD_FAULT_GROUP_MOVE,
        GD_FAULT_GROUP_MERGE,
        GD_FAULT_GROUP_SPLIT,
        GD_FAULT_GROUPS_CLEAR,
        GD_FAULT_KMSG_DROP,
        GD_FAULT_KMSG_ADD,
        GD_FAULT_FILE_WRITE,
        GD_FAULT_FILE_REMOVE,
        GD_FAULT_FILE_TOUCH,
        GD_FAULT_ACPI_HIDE,
        GD_FAULT_NON_ROOT,
        _GD_FAULT_MAX,
};

/* One fault.  Which fields are set depends on the kind:
 *   cmdline-*, bootcfg-*, kmsg-*   text
 *   acpi-hide                      text (DMAR or IVRS)
 *   attr-set                       device, name, value (a newline is appended
 *                                  unless the value ends in one, as sysfs does)
 *   attr-remove                    device, name
 *   bind, override                 device, driver
 *   unbind, device-remove,
 *   group-split                    device
 *   group-move                     device, group
 *   group-merge                    groups (at least two)
 *   file-write                     path, value (content), mtime
 *   file-remove                    path
 *   file-touch                     path, mtime
 *   groups-clear, non-root         enabled (false: the fault does nothing) */
struct gd_fault {
        enum gd_fault_kind kind;
        int line;               /* 1-based line of the fault in the scenario */
        char *text;
        char *device;
        char *name;
        char *driver;
        char *path;
        char *value;
        size_t value_len;
        int64_t mtime;          /* -1: not given */
        int64_t group;
        int64_t *groups;
        size_t n_groups;
        bool enabled;
};

struct gd_expect_verdict {
        char *address;
        char *verdict;          /* ready | not-ready | unknown */
        int line;
};

struct gd_expect_finding {
        char *id;               /* a catalogue id */
        char **subjects;        /* strv, never NULL */
        int line;
};

struct gd_scenario {
        char *path;             /* as given to gd_scenario_load() */
        char *name;
        char *description;      /* NULL when absent */
        char *base;             /* as written in the file */
        int base_line;
        struct gd_fault *faults;
        size_t n_faults;
        struct gd_expect_verdict *verdicts;
        size_t n_verdicts;
        struct gd_expect_finding *findings;
        size_t n_findings;
        char **absent;          /* strv, never NULL */
        int *absent_lines;
        char *role;             /* expected host.role (model/role.h); NULL when not given */
        int role_line;
};

/* Parses and validates a scenario file.  Returns 0 and *ret, or -EINVAL with
 * *ret_error "PATH:LINE: key: problem" (unknown keys and faults, wrong types,
 * unknown finding ids, bad addresses, bad YAML), or -errno for I/O errors
 * (then *ret_error is "PATH: strerror").  ret_error may be NULL. */
int gd_scenario_load(const char *path, struct gd_scenario **ret, char **ret_error);

struct gd_scenario *gd_scenario_free(struct gd_scenario *s);
static inline void gd_scenario_freep(struct gd_scenario **s) { gd_scenario_free(*s); }
#define _cleanup_scenario_ _cleanup_(gd_scenario_freep)

const char *gd_fault_kind_to_string(enum gd_fault_kind k);
/* -1 when unknown. */
int gd_fault_kind_from_string(const char *s);

/* Applies one fault to b.  Returns 0, or -EINVAL with *ret_error (without
 * the file and line) when the fault names a device, group or file that b
 * lacks or would change nothing; -ENOMEM.  On -EINVAL b may be partially
 * edited but stays a consistent bundle. */
int gd_fault_apply(struct gd_bundle *b, const struct gd_fault *f, char **ret_error);

/* Applies every fault in order; errors are "PATH:LINE: faults: KIND: ...". */
int gd_scenario_apply(const struct gd_scenario *s, struct gd_bundle *b, char **ret_error);

/* Finds the base bundle: an absolute path as is; else relative to the
 * scenario's directory; else <srcdir>/sysfs-snapshots/<base>, srcdir being
 * the nearest directory above the scenario that has sysfs-snapshots/.
 * Returns 0 and the path, -ENOENT when none exists. */
int gd_scenario_find_base(const struct gd_scenario *s, char **ret_path);


/* Runs the scenario file at path: loads it and its base, applies the faults,
 * builds the testbed, runs `self explain --format json` inside it and
 * compares with the expectations.  Always fills *ret (also for bad
 * scenarios: ok false, error true); returns 0, or -ENOMEM. */
int gd_scenario_run(const char *path, const char *self, struct gd_scenario_result *ret);

/* A directory that outlives the scenarios of one replay worker: it holds
 * the testbed of base (a bundle path; NULL when unknown), and each scenario
 * turns it into its own testbed by writing only what its faults change,
 * then back (gd_testbed_switch()). */
struct gd_replay_slot {
        const char *dir;
        const char *base;
};

/* gd_scenario_run() in slot: the same result, and ret->slot_base. */
int gd_scenario_run_in(const char *path, const char *self, const struct gd_replay_slot *slot,
                       struct gd_scenario_result *ret);

/* The path of the scenario's base bundle, for running scenarios of one base
 * one after another; NULL when the scenario or its base cannot be found. */
char *gd_scenario_base_path(const char *path);

/* When this process runs under umockdev's preload library (LD_PRELOAD at
 * its start; inert while UMOCKDEV_DIR is unset), gd_scenario_run() calls
 * explain_json instead of executing `self explain --format json`: it points
 * UMOCKDEV_DIR, GPUDIAG_CONFIG_ROOT and GPUDIAG_REPLAY at the testbed,
 * sends stdout and stderr to memory files, and takes explain_json's return
 * value as the exit status.  Call it only in a process that is thrown away
 * after one scenario (the replay command's per-scenario child).  Returns
 * true when the preload is loaded here and the hook is set. */
bool gd_scenario_explain_in_process(int (*explain_json)(void));

/* Loads the base bundle (a path from gd_scenario_base_path()) and its
 * testbed tree into a cache that gd_scenario_run() uses, also in processes
 * forked afterwards; errors are left for gd_scenario_run() to report.
 * Starts no threads. */
void gd_scenario_prepare_base(const char *base);

/* Runs self with argv inside the testbed built from b; stdout goes to
 * out_fd and stderr to err_fd (-1: /dev/null).  Returns the wait status
 * (>= 0) or -errno. */
struct gd_testbed;
int gd_testbed_run_fd(const struct gd_testbed *t, const char *self, char *const argv[], int out_fd, int err_fd);
