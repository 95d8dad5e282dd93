/* SPDX-License-Identifier: MIT */
/* Command-line layer: one file per command.  Only cli/ and report/ print. */
#pragma once

#include <stdbool.h>

#include "base/macro.h"
#include "model/host.h"
#include "model/pci-filter.h"

/* Exit codes, the same for every command (documented in gpudiag(1)). */
enum {
        GD_EXIT_OK = 0,        /* all targets ready / command succeeded */
        GD_EXIT_NOT_READY = 1, /* some target not ready or unknown */
        GD_EXIT_USAGE = 2,     /* usage error or bad input (bundle, scenario, paste) */
        GD_EXIT_HOST = 3,      /* the host could not be read at all */
        /* Not an exit code: main() ends by SIGPIPE, as lspci does when its
         * reader closes the pipe (the command re-executed under --bundle
         * died of it). */
        GD_EXIT_SIGPIPE = 256,
};

enum gd_format {
        GD_FORMAT_TEXT,
        GD_FORMAT_JSON,
        GD_FORMAT_PROMETHEUS,  /* explain */
        GD_FORMAT_DOT,         /* groups */
        GD_FORMAT_SH,          /* plan */
};

/* The name of a format, as --format takes it. */
const char *cli_format_name(enum gd_format f);
/* Prints "CMD: --format NAME is not available here (one of ...)" and returns
 * false when f is not among the n formats a command offers. */
bool cli_format_offered(const char *cmd, enum gd_format f, const enum gd_format *offered, size_t n);

/* Options shared by the commands that read a host. */
struct gd_host_opts {
        const char *bundle;    /* --bundle FILE: replay instead of the live host */
        const char *root;      /* --root DIR: configuration root (default /) */
        enum gd_format format;
        const char *slot;      /* -s [[[[domain]:]bus]:][slot][.[func]] */
        const char *ids;       /* -d [vendor]:[device] */
        struct gd_pci_filter filter; /* -s and -d, parsed */
        bool verbose;
        bool color;
};

int cmd_groups(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_undo(int argc, char **argv);

/* explain's pipeline, shared with report: reads the host (after
 * cli_replay_if_bundle()), finds the GPUs -s/-d pick and runs the checks.
 * Returns -1 with *ret_h, *ret_t, *ret_f filled, or the exit code after
 * printing why not.  *ret_collected: when the facts were read (seconds since
 * the epoch; the bundle's creation time under --bundle, -1 unknown). */
struct gd_targets;
struct gd_findings;
int cli_diagnose(const struct gd_host_opts *o, struct gd_host **ret_h, struct gd_targets *ret_t,
                 struct gd_findings *ret_f, long long *ret_collected);

/* Shared option parsing: returns the index of the first non-option argument
 * or -1 after printing a usage error.  usage() is printed for --help. */
int cli_parse_host_opts(int argc, char **argv, struct gd_host_opts *o, void (*usage)(void), bool *ret_help);

/* When --bundle is given and we are not already inside a testbed, rebuilds
 * the host from the bundle in a umockdev testbed and runs this same command
 * inside it.  Returns -1 when the caller should go on reading the host
 * directly (no bundle, or already replaying), else the exit code to return. */
int cli_replay_if_bundle(const struct gd_host_opts *o, int argc, char **argv);

/* The start that every command reading a host shares: options, --help, no
 * stray arguments, -d only where accepts_ids, --format only one of offered, and --bundle (the command then
 * runs again inside a testbed).  Returns -1 when the caller goes on to read
 * the host, else the exit code to return. */
int cli_host_command_start(const char *name, int argc, char **argv, struct gd_host_opts *o, void (*usage)(void),
                           bool accepts_ids, const enum gd_format *offered, size_t n_offered);

struct gd_bundle;
void cli_save_argv(int argc, char **argv);

/* Says why gd_host_read() failed with r and returns the exit status:
 * GD_EXIT_HOST, or GD_EXIT_USAGE inside the testbed of bundle. */
int cli_host_read_error(const char *bundle, int r);

/* Set in a replay run that re-executed itself under umockdev's preload. */
#define GD_PRELOADED_ENV "GPUDIAG_REPLAY_PRELOADED"
void cli_reexec_with_preload(void);
/* True inside a testbed that cli_replay_if_bundle() started. */
bool cli_inside_replay(void);
/* Loads a bundle, printing "FILE: problem" on failure. */
int cli_load_bundle(const char *path, struct gd_bundle **ret);
/* What the re-executed command may say about the bundle it replays (the
 * file's name, metadata created/origin/source), passed down in the
 * environment by cli_replay_if_bundle(); NULL outside a replay or when the
 * bundle lacks it. */
const char *cli_bundle_info(const char *key);
/* metadata.created as seconds since the epoch; -1 when absent or not
 * "YYYY-MM-DDTHH:MM:SSZ". */
long long cli_bundle_created(void);
/* Runs argv_exec (this program) inside a testbed written from *tree (of
 * the bundle *b, whose file contents the tree refers to); returns its exit
 * code.  Both are freed, and set to NULL, once the testbed is written.
 * *progress (report/progress.h, may be NULL) is ended, and set to NULL,
 * before the command starts. */
struct gd_progress;
struct gd_testbed_tree;
int cli_run_in_testbed(struct gd_bundle **b, struct gd_testbed_tree **tree, const char *bundle_path,
                       char **argv_exec, struct gd_progress **progress);
/* The same for a loaded bundle b, which stays the caller's. */
int cli_run_in_testbed_of(const struct gd_bundle *b, const char *bundle_path, char **argv_exec,
                          struct gd_progress **progress);

/* -s and -d as parsed into o->filter, with a message on error (0 or
 * -EINVAL); cli_parse_host_opts() calls it, commands with their own
 * options (report) too. */
int cli_parse_filter(struct gd_host_opts *o);
/* Keeps the cards with a function that -s/-d match (every form lspci -s
 * takes: "01:00.0", "1:0.1", "01:00", with or without the domain). */
struct gd_targets;
void cli_filter_targets(const struct gd_host_opts *o, struct gd_targets *t);

_printf_(1, 2) void cli_error(const char *fmt, ...);
/* "gpudiag: warning: ..." on stderr. */
_printf_(1, 2) void cli_warning(const char *fmt, ...);
const char *cli_program(void);
