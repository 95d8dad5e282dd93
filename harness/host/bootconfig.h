/* SPDX-License-Identifier: MIT */
/* The boot configuration reader: boot loader, initramfs tool, the command
 * line the boot loader will pass next boot, the kernel build configuration
 * and the timestamps that tell a stale initramfs (model/bootconfig.h).
 *
 * Everything below the config root (gd_config_path_join), except
 * /proc/config.gz (gd_hostpath).  The parsers are pure functions on strings
 * so that tests need no file system. */
#pragma once

#include "model/bootconfig.h"
#include "model/host.h"

/* /etc/default/grub and then /etc/default/grub.d/NAME.cfg in glob order,
 * evaluated the way grub-mkconfig sources them with sh (GRUB's
 * util/grub-mkconfig.in: ". ${sysconfdir}/default/grub", then "for x in
 * ${sysconfdir}/default/grub.d/NAME.cfg ; do . "${x}" ; done"), one shell
 * environment across the files: "..." (with $VAR / ${VAR} expansion and
 * \-escapes), '...' (literal), bare words (expanded), later assignments win
 * (so a grub.d file overrides /etc/default/grub), an optional leading
 * "export ", '#' comments.  Only assignments are evaluated; anything else
 * (if, commands) is skipped line by line. */
struct gd_grub_assignment {
        const char *path;              /* the file, as given to the parser */
        unsigned line;                 /* 1-based first line of the statement */
        char *text;                    /* the statement as written (it may span lines) */
        bool is_default;               /* GRUB_CMDLINE_LINUX_DEFAULT, else GRUB_CMDLINE_LINUX */
        char *value;                   /* what the variable holds after it */
};

struct gd_grub_default {
        char *cmdline_linux;           /* value of GRUB_CMDLINE_LINUX, NULL when never assigned */
        char *cmdline_linux_default;   /* value of GRUB_CMDLINE_LINUX_DEFAULT, NULL when never assigned */
        unsigned line_linux, line_default;        /* 1-based line of the last assignment, 0 none */
        char *text_linux, *text_default;          /* that assignment as written */
        const char *path_linux, *path_default;    /* the file of that assignment */
        struct gd_grub_assignment *assignments;   /* every assignment of the two, in order */
        size_t n_assignments;
};

/* One file, named /etc/default/grub.  Returns 0, -EINVAL (NULL text),
 * -ENOMEM, -E2BIG (a value grown past 64 KiB).  *ret is untouched on error. */
int gd_grub_default_parse(const char *text, struct gd_grub_default *ret);
/* n files in the order grub-mkconfig sources them; paths are not copied
 * (the result points at them).  Errors as gd_grub_default_parse(). */
int gd_grub_default_parse_files(const char *const *paths, const char *const *texts, size_t n,
                                struct gd_grub_default *ret);
void gd_grub_default_clear(struct gd_grub_default *g);

/* The "kernel_options" of kernelstub's JSON configuration ("user", else
 * "default"), joined with spaces in *ret.  0, -EINVAL (malformed or NULL),
 * -ENOENT (no kernel_options), -ENOMEM. */
int gd_kernelstub_options_parse(const char *json, char **ret);

/* Kernel .config text: "CONFIG_X=y|m|value" and "# CONFIG_X is not set"
 * (stored as "n").  Returns 0, -EINVAL, -ENOMEM; *ret untouched on error. */
int gd_kconfig_parse(const char *text, struct gd_kconfig_entry **ret, size_t *ret_n);

/* The grub-mkconfig command for the distribution named by /etc/os-release
 * text (ID, then each word of ID_LIKE): "update-grub" (Debian, Ubuntu and
 * their derivatives, Proxmox), "grub2-mkconfig -o /boot/grub2/grub.cfg"
 * (Fedora, RHEL and rebuilds, openSUSE), "grub-mkconfig -o
 * /boot/grub/grub.cfg" (Arch and derivatives); NULL when unknown.  Returns
 * a static string. */
const char *gd_os_release_grub_mkconfig(const char *os_release_text);

/* Reads the boot configuration for h->kernel_release (may be NULL: then no
 * kernel config or initramfs).  Facts that cannot be read stay unknown in
 * the result.  Returns 0 or -ENOMEM. */
int gd_bootconfig_read(const struct gd_host *h, struct gd_bootconfig **ret);
