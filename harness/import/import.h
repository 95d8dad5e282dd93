/* SPDX-License-Identifier: MIT */
/* gpudiag import: a bundle (doc/bundle-format.md) from text a person
 * pasted — lspci in its usual forms, an IOMMU group listing, kernel log
 * lines, /proc/cmdline, modprobe.d, /etc/modules, /etc/default/grub, lsmod.
 *
 * Only what the text proves goes into the bundle: a device's driver is
 * written only when `Kernel driver in use:` (or -k output without it) was
 * pasted, otherwise the driver link is listed under `unreadable:` so the
 * reader says unknown; files the text does not show stay absent. The library
 * never prints: problems with the text are collected as "FILE:LINE: ..."
 * warnings for the caller. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum gd_import_kind {
        GD_IMPORT_AUTO = 0,     /* detect per section */
        GD_IMPORT_LSPCI,
        GD_IMPORT_GROUPS,
        GD_IMPORT_DMESG,
        GD_IMPORT_CMDLINE,
        GD_IMPORT_MODPROBE,
        GD_IMPORT_GRUB,
        GD_IMPORT_MODULES,
        GD_IMPORT_LSMOD,
        _GD_IMPORT_KIND_MAX,
};

/* "lspci", "groups", ...; -EINVAL for an unknown name. */
int gd_import_kind_from_string(const char *s);

struct gd_import;

struct gd_import *gd_import_new(void);
struct gd_import *gd_import_free(struct gd_import *im);
static inline void gd_import_freep(struct gd_import **im) { gd_import_free(*im); }
#define _cleanup_import_ __attribute__((cleanup(gd_import_freep)))

/* Parses one input.  name is used in warnings ("name:LINE: ...").  Returns
 * 0 (also when the text had problems: see warnings) or -ENOMEM. */
int gd_import_feed(struct gd_import *im, const char *name, const char *text, size_t len,
                   enum gd_import_kind forced);

/* Warnings so far, "FILE:LINE: text", NULL-terminated; never NULL. */
char * const *gd_import_warnings(const struct gd_import *im);

/* Number of facts imported (devices, groups, files); 0 means nothing. */
size_t gd_import_n_facts(const struct gd_import *im);

/* Number of PCI devices whose IDs and class the text proves (lspci -nn or
 * -n lines, ls-iommu rows, config dumps, the kernel's enumeration lines):
 * the devices the bundle records.  A bundle without any cannot be
 * explained, so the caller refuses it. */
size_t gd_import_n_devices(const struct gd_import *im);

/* What the text proved, for the summary gpudiag import prints after it
 * wrote the bundle.  Valid after gd_import_write(). */
struct gd_import_facts {
        size_t devices;            /* PCI devices recorded */
        size_t devices_with_ids;   /* ... whose vendor:device the text proves */
        size_t devices_with_class; /* ... whose class it proves */
        size_t drivers;            /* ... whose driver (or none) it proves */
        size_t grouped;            /* ... in an IOMMU group */
        size_t groups_partial;     /* groups whose other members are unknown */
        size_t kmsg_lines;         /* kernel log records */
        size_t vm_messages;        /* QEMU / libvirt / Proxmox messages */
        size_t vm_configs;         /* VM configurations (Proxmox, libvirt) */
        bool cmdline, iomem, modprobe, lsmod, kernel_release, groups_listed;
};
void gd_import_facts(const struct gd_import *im, struct gd_import_facts *ret);
/* What the import inferred rather than read, as sentences (strv, never NULL). */
char * const *gd_import_inferred(const struct gd_import *im);

/* Resolves what needs all inputs (groups, bridge hierarchy) and writes the
 * bundle: format, metadata (tool, created, origin: imported, source), the
 * synthesised umockdev recording, iommu_groups (only when a group listing
 * or `IOMMU group:` line was seen; otherwise /sys/kernel/iommu_groups is
 * listed under unreadable: the text does not say what the groups are),
 * files, unreadable.  created is an
 * RFC 3339 UTC time.  Everything taken from the text (files, the source,
 * pasted configuration space) goes through redact, whose kinds the
 * metadata records (none when it is disabled or NULL); the caller has let
 * it learn the names in every input first.  Returns 0, -EIO when writing
 * failed, -ENOMEM. */
struct gd_redact;
int gd_import_write(struct gd_import *im, FILE *out, const char *source, const char *created,
                    struct gd_redact *redact);
/* The YAML nodes and the nesting depth of the bundle gd_import_write()
 * wrote, as its emitter counted them, for gd_bundle_load_written(). */
void gd_import_written_nodes(const struct gd_import *im, size_t *ret_nodes, unsigned *ret_depth);
