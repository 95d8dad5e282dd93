/* SPDX-License-Identifier: MIT */
/* Structured remedies: what a finding asks to be done, as data.
 *
 * A finding keeps its remedy text for people (explain) and carries actions
 * beside it for `gpudiag plan`: each action is one change of one kind
 * (a kernel argument, a vfio-pci id, a softdep, a line of a file, a command
 * to run, a thing only a person can do).  Actions say *what*, never *how on
 * this host*: the planner (harness/plan/) merges the actions of every
 * finding, resolves each against this host's files, boot loader and
 * initramfs tool, and orders them.  So one finding never writes a file
 * another finding writes too, and the "whichever this host uses" of a
 * remedy is asked once, by the plan. */
#pragma once

#include <stdbool.h>

enum gd_action_kind {
        /* Only a person can do these; apply never does. */
        GD_ACT_FIRMWARE,          /* text: the setting to change in the firmware setup */
        GD_ACT_MOVE_CARD,         /* arg: the GPU's address; text: where to */
        GD_ACT_MANUAL,            /* text: anything else (install a package, run as root) */

        /* Kernel command line, edited where the boot loader reads it. */
        GD_ACT_CMDLINE_ADD,       /* arg: "intel_iommu=on" or a flag; replaces another value of the key */
        GD_ACT_CMDLINE_REMOVE,    /* arg: exactly this word ("intel_iommu=off") */

        /* vfio-pci binding and module configuration. */
        GD_ACT_VFIO_IDS,          /* arg: "10de:1e07,10de:10f7": merged into vfio-pci ids= */
        GD_ACT_VFIO_IDS_DROP,     /* arg: one id as written, dropped from vfio-pci ids= */
        GD_ACT_SOFTDEP,           /* arg: a module that must load after vfio-pci */
        GD_ACT_BLACKLIST,         /* arg: a module nothing else on the host uses */
        GD_ACT_MODULE_LOAD,       /* arg: a module to load at every boot (modules-load.d) */
        GD_ACT_OPTION_REMOVE,     /* arg: a parameter name; path/line: the options line holding it */
        GD_ACT_LINE_REMOVE,       /* path/line/old_text: delete this line */
        GD_ACT_FILE_LINE,         /* path, text: the file must hold this line (a udev rule) */

        /* initramfs, boot loader, reboot.  Without an argument they follow
         * the changes the finding asks for (no change made, nothing to
         * rebuild); with arg GD_ACT_ALWAYS the finding itself needs them
         * (a configuration written but never applied). */
        GD_ACT_INITRAMFS_MODULE,  /* arg: a module the initramfs loads early */
        GD_ACT_INITRAMFS_REBUILD,
        GD_ACT_BOOTLOADER_REFRESH,
        GD_ACT_REBOOT,

        /* Now, without a reboot. */
        GD_ACT_BIND_NOW,          /* arg: an address to put on vfio-pci now (the configuration does it at boot) */
        GD_ACT_DRIVER_OVERRIDE,   /* arg: an address kept on vfio-pci by driverctl at every boot
                                   * (its host driver is built in: no module configuration holds it back) */

        /* A VM configuration line (Proxmox / libvirt). */
        GD_ACT_LINE_REPLACE,      /* path/line/old_text -> text */
        GD_ACT_LINE_INSERT,       /* path, text: a new line before line */
        _GD_ACT_MAX,
};

#define GD_ACT_ALWAYS "always"

struct gd_action {
        enum gd_action_kind kind;
        char *arg;
        char *path;            /* a file as the host names it */
        unsigned line;         /* 1-based; 0: none */
        char *old_text;        /* the line as read, so an edit never hits a changed file */
        char *text;
};

/* "cmdline-add", "vfio-ids", ... as JSON and tests name them. */
const char *gd_action_kind_name(enum gd_action_kind k);
/* True for the kinds only a person can do. */
bool gd_action_needs_person(enum gd_action_kind k);

void gd_action_clear(struct gd_action *a);
/* A deep copy; 0 or -ENOMEM. */
int gd_action_copy(const struct gd_action *a, struct gd_action *ret);
