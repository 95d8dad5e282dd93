/* SPDX-License-Identifier: MIT */
/* Command-line layer: one file per command.  Only cli/ and report/ print. */
#pragma once

#include <stdbool.h>

#include "base/macro.h"
#include "model/host.h"

/* Exit codes, the same for every command (documented in gpudiag(1)). */
enum {
        GD_EXIT_OK = 0,        /* all targets ready / command succeeded */
        GD_EXIT_NOT_READY = 1, /* some target not ready or unknown */
        GD_EXIT_USAGE = 2,     /* usage error or bad input (bundle, scenario, paste) */
        GD_EXIT_HOST = 3,      /* the host could not be read at all */
};

enum gd_format {
        GD_FORMAT_TEXT,
        GD_FORMAT_JSON,
};

/* Options shared by the commands that read a host. */
struct gd_host_opts {
        const char *bundle;    /* --bundle FILE: replay instead of the live host */
        const char *root;      /* --root DIR: configuration root (default /) */
        enum gd_format format;
        const char *slot;      /* -s [[[[domain]:]bus]:][slot][.[func]] */
        const char *ids;       /* -d [vendor]:[device] */
        bool verbose;
        bool color;
};

int cmd_groups(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_import(int argc, char **argv);

/* Shared option parsing: returns the index of the first non-option argument
 * or -1 after printing a usage error.  usage() is printed for --help. */
int cli_parse_host_opts(int argc, char **argv, struct gd_host_opts *o, void (*usage)(void), bool *ret_help);

/* When --bundle is given and we are not already inside a testbed, rebuilds
 * the host from the bundle in a umockdev testbed and runs this same command
 * inside it.  Returns -1 when the caller should go on reading the host
 * directly (no bundle, or already replaying), else the exit code to return. */
int cli_replay_if_bundle(const struct gd_host_opts *o, int argc, char **argv);

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
/* Runs argv_exec (this program) inside a testbed of b; returns its exit code. */
int cli_run_in_testbed(const struct gd_bundle *b, const char *bundle_path, char **argv_exec);

/* -s and -d filters, with lspci's syntax (pciutils lib/filter.c). */
bool cli_filter_match(const struct gd_host_opts *o, const struct gd_pci_dev *d);
int cli_filter_check(const struct gd_host_opts *o);

/* "Device name" as lspci prints it: "Vendor Device". */
void cli_format_name(const struct gd_pci_dev *d, char *buf, size_t size);

_printf_(1, 2) void cli_error(const char *fmt, ...);
/* "gpudiag: warning: ..." on stderr. */
_printf_(1, 2) void cli_warning(const char *fmt, ...);
const char *cli_program(void);
