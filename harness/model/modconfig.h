/* SPDX-License-Identifier: MIT */
/* Module state and module configuration, as libkmod sees it.
 *
 * Filled by host/modules.c (gd_modconfig_read), read by checks.  Module names
 * are stored as libkmod normalises them ('-' → '_': "vfio_pci"); compare
 * with gd_modname_eq(), never with strcmp() or a prefix match.
 *
 * Provenance: libkmod does not say which file or line an item came from, so
 * the reader scans the same files in the same order to attach "file:line".
 * source.path points into config_files (or at "/proc/cmdline"); NULL when no
 * line could be matched.  Items that libkmod took from the kernel command
 * line (modprobe.blacklist=, module.param=) carry "/proc/cmdline", line 0. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/macro.h"
#include "model/conffile.h"
#include "model/host.h"

struct gd_mod_blacklist {
        char *module;
        struct gd_source source;
};

struct gd_mod_softdep {
        char *module;          /* may be a glob, as libkmod matches it with fnmatch() */
        char **pre, **post;    /* as written (not normalised), NULL when none */
        struct gd_source source;
};

struct gd_mod_options {
        char *module;
        char *options;         /* "ids=10de:2204,10de:1aef disable_vga=1" */
        struct gd_source source;
};

struct gd_mod_install {
        char *module;
        char *command;         /* "/bin/false" */
        struct gd_source source;
};

/* One id of `options vfio-pci ids=...` (or vfio-pci.ids= on the command line,
 * which libkmod reports as an option).  Parsed as the kernel's
 * vfio_pci_fill_ids() does: sscanf("%x:%x:%x:%x:%x:%x"), fewer than two
 * fields is "invalid id string" and the id is skipped by the kernel. */
/* include/linux/mod_devicetable.h: a subsystem ID that matches any. */
#define PCI_ANY_ID 0xffffffffu

struct gd_vfio_id {
        char *text;            /* as written */
        bool valid;            /* the kernel would accept it */
        unsigned n_fields;     /* fields sscanf() matched, 0-6 */
        uint32_t vendor, device;
        uint32_t subvendor, subdevice; /* 0xffffffff (PCI_ANY_ID) when absent */
        uint32_t class_code, class_mask;
        bool effective;        /* from the last ids= given: module_param_string keeps the last */
        struct gd_source source;
};

/* Parses an ids= value as vfio_pci_fill_ids() (drivers/vfio/pci/vfio_pci.c)
 * does: strsep(","), empty ids skipped, sscanf("%x:%x:%x:%x:%x:%x"), fewer
 * than two fields invalid.  Appends to *items, each effective and with src
 * (may be NULL).  Returns 0 or -ENOMEM.  The reader (host/modules.c) and the
 * checks (a command-line ids=) share it. */
int gd_vfio_ids_parse(const char *list, const struct gd_source *src, struct gd_vfio_id **items, size_t *n);
void gd_vfio_ids_free(struct gd_vfio_id *items, size_t n);

/* A line of /etc/modules or /etc/modules-load.d/NAME.conf, as written. */
struct gd_modload_line {
        char *module;          /* first word, not normalised ("vfio_virqfd") */
        char *args;            /* the rest of the line, NULL when none */
        struct gd_source source;
};

/* A module that a device's modalias resolves to. */
struct gd_alias_module {
        char *name;
        tri_t builtin;         /* modules.builtin index; UNKNOWN when it could not be read */
        bool blacklisted;      /* a blacklist entry: stops alias loading, not explicit loads */
        bool install_command;  /* an install command replaces loading */
        bool softdep_pre_vfio_pci; /* the first softdep matching it has vfio-pci / vfio_pci in pre: */
};

struct gd_alias_match {
        char *modalias;
        struct gd_alias_module *modules; /* in libkmod's order */
        size_t n_modules;
        /* TRI_YES: modules is the answer modprobe would get (a config alias
         * matched, or the module indexes were loaded).  TRI_UNKNOWN: no
         * config alias matched and modules.alias.bin could not be read, so
         * n_modules == 0 means nothing. */
        tri_t known;
        int state;             /* 0, or -errno from kmod_module_new_from_lookup() */
};

struct gd_modconfig {
        char *release;         /* kernel release the indexes were read for */
        char *modules_dir;     /* <root>/lib/modules/<release> */
        int ctx_state;         /* 0, or -errno when kmod_new() failed (nothing else is known) */

        /* Indexes (modules.dep.bin, modules.alias.bin, modules.builtin.bin, ...):
         * 0 when kmod_load_resources() succeeded, else -errno (-ENOENT: not
         * there, e.g. no /lib/modules/<release>). */
        int resources_state;
        tri_t aliases_known;   /* YES when resources_state == 0 */

        /* Loaded modules, from /proc/modules, sorted. */
        char **loaded;
        int loaded_state;      /* 0 or -errno */

        /* The configuration files libkmod read, in its order (sorted by
         * name, the first directory wins for one name). */
        char **config_files;

        struct gd_mod_blacklist *blacklists;
        size_t n_blacklists;
        struct gd_mod_softdep *softdeps;
        size_t n_softdeps;
        struct gd_mod_options *options;
        size_t n_options;
        struct gd_mod_install *installs;
        size_t n_installs;

        /* vfio-pci ids= from the options above, in order. */
        struct gd_vfio_id *vfio_ids;
        size_t n_vfio_ids;

        /* /etc/modules, then /etc/modules-load.d/NAME.conf by name. */
        struct gd_modload_line *modload;
        size_t n_modload;
        char **modload_files;  /* files read, for gd_source.path */
        int modload_state;     /* 0, or -errno of the first unreadable file (absent is 0) */

        /* One per modalias given to the reader, sorted by modalias. */
        struct gd_alias_match *aliases;
        size_t n_aliases;

        /* modprobe.d, /etc/modules and modules-load.d files as read. */
        struct gd_conffiles files;
};

struct gd_modconfig *gd_modconfig_free(struct gd_modconfig *m);
static inline void gd_modconfig_freep(struct gd_modconfig **m) { gd_modconfig_free(*m); }
#define _cleanup_modconfig_ _cleanup_(gd_modconfig_freep)

/* Module names are equal when they differ only in '-' versus '_'. */
bool gd_modname_eq(const char *a, const char *b);

/* Look-ups for checks; pure. */
const struct gd_alias_match *gd_modconfig_find_alias(const struct gd_modconfig *m, const char *modalias);
const struct gd_mod_blacklist *gd_modconfig_find_blacklist(const struct gd_modconfig *m, const char *module);
bool gd_modconfig_is_loaded(const struct gd_modconfig *m, const char *module);
/* The softdep libkmod would use for module (the first whose pattern matches). */
const struct gd_mod_softdep *gd_modconfig_find_softdep(const struct gd_modconfig *m, const char *module);
bool gd_softdep_has_pre(const struct gd_mod_softdep *s, const char *module);

/* "path:line" or "path" for evidence; newly allocated, NULL when unknown. */
char *gd_modconfig_source_string(const struct gd_source *s);
