/* SPDX-License-Identifier: MIT */
/* Redaction of bundles: what gpudiag collect writes and what gpudiag
 * import makes of a paste (doc/bundle-format.md, metadata.redacted).
 *
 * One table of kinds (bundle/redact-kinds.c), each with a source line, and
 * positive and negative examples as data (fixtures/redact/kinds.yaml, held
 * to the table by tests/test-hostile-redaction.c).  One context serves a
 * whole bundle, so a value gets the same placeholder wherever it occurs
 * (the UUID on the command line and in /etc/kernel/cmdline, the host name
 * in the kernel log and in a VM config).  Placeholders keep the shape
 * parsers expect, so the bundle still replays:
 *   mac          02:00:00:00:00:NN in the spelling found (colons, dashes,
 *                none: 0200000000NN, enx0200000000NN)
 *   ip           192.0.2.N / 2001:db8::N (documentation ranges, RFC 5737/3849)
 *   uuid         00000000-0000-4000-8000-00000000000N; short (FAT) 0000-000N
 *   machine-id   0000000000004000800000000000000N (32 hex digits)
 *   partuuid     PARTUUID=0000000N-PP (an MBR disk signature; PP kept)
 *   serial       @serial-N@ after SerialNumber:, Serial Number:, serial=, ...
 *   smbios       @smbios-N@ for each value of a Proxmox smbios1: line
 *   hostname     @host-N@, domain @domain-N@ (names learned from the text)
 *   user         @user-N@ in /home/NAME, ~NAME, and wherever NAME recurs
 *   dsn, vpd     PCIe Device Serial Number bytes zeroed, VPD "SN" bytes '0'
 *   dmi-serial   DMI serials and UUIDs: collect does not read them
 * Host, domain and user names are learned first (gd_redact_learn(): the
 * running host's name, "Hostname set to <...>", shell prompts, resolv.conf
 * search lines, home directories), then replaced as whole words anywhere. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/macro.h"

struct gd_redact;

/* A context; when enabled is false every call copies its input unchanged
 * and gd_redact_kinds() is empty.  It knows no names yet. */
int gd_redact_new(bool enabled, struct gd_redact **ret);
/* Adds a host name to look for (a fully qualified one also its domain);
 * NULL, "" and names that identify nobody (localhost, pve) are ignored. */
int gd_redact_set_hostname(struct gd_redact *r, const char *hostname);
struct gd_redact *gd_redact_free(struct gd_redact *r);
static inline void gd_redact_freep(struct gd_redact **r) { gd_redact_free(*r); }
#define _cleanup_redact_ _cleanup_(gd_redact_freep)

bool gd_redact_enabled(const struct gd_redact *r);

/* Learns the host, domain and user names text[0..len) shows, for every
 * later gd_redact_text().  Call it on everything first.  0 or -ENOMEM. */
int gd_redact_learn(struct gd_redact *r, const char *text, size_t len);

/* What the context replaces, for metadata.redacted: the names of the
 * table's kinds, in its order; an empty list when disabled.
 * NULL-terminated, static. */
const char *const *gd_redact_kinds(const struct gd_redact *r);

/* A newly allocated, NUL-terminated redacted copy of text[0..len).  With
 * keep_hostname host and domain names are left alone (files such as
 * os-release name the distribution, which is often also the host's name).
 * Returns 0 or -ENOMEM. */
int gd_redact_text(struct gd_redact *r, const char *text, size_t len, bool keep_hostname, char **ret,
                   size_t *ret_len);

/* Redacts PCI configuration space in place: the 8 serial bytes of a PCIe
 * Device Serial Number extended capability (ID 0x0003) become zero, and the
 * data of an "SN" keyword in a VPD read-only section (tag 0x90) found in
 * the bytes becomes ASCII '0'.  Returns the number of fields replaced. */
unsigned gd_redact_config_space(struct gd_redact *r, uint8_t *cfg, size_t len);
