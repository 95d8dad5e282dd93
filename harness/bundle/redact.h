/* SPDX-License-Identifier: MIT */
/* Redaction for collected bundles (doc/bundle-format.md, metadata.redacted).
 *
 * One context is used for the whole bundle, so that a value is replaced by
 * the same placeholder wherever it occurs (the UUID on the command line and
 * in /etc/kernel/cmdline, the host name in the kernel log and in lspci).
 * Placeholders keep the shape parsers expect, so the bundle still replays:
 *   MAC        02:00:00:00:00:NN          (locally administered)
 *   IPv4/IPv6  192.0.2.N / 2001:db8::N    (documentation ranges, RFC 5737/3849)
 *   UUID       00000000-0000-4000-8000-00000000000N, short (FAT) ones 0000-000N
 *   host name  @host-N@
 *   user       /home/@user-N@/
 *   config     PCIe Device Serial Number bytes zeroed, VPD "SN" bytes '0'
 * DMI serials and UUIDs are not redacted here: collect does not read them
 * unless redaction is off. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/macro.h"

struct gd_redact;

/* A context; when enabled is false every call copies its input unchanged
 * and gd_redact_kinds() is empty.  The host name is gethostname()'s. */
int gd_redact_new(bool enabled, struct gd_redact **ret);
/* Replaces the host name to look for (tests; NULL or "" for none). */
int gd_redact_set_hostname(struct gd_redact *r, const char *hostname);
struct gd_redact *gd_redact_free(struct gd_redact *r);
static inline void gd_redact_freep(struct gd_redact **r) { gd_redact_free(*r); }
#define _cleanup_redact_ _cleanup_(gd_redact_freep)

bool gd_redact_enabled(const struct gd_redact *r);

/* What the context replaces, for metadata.redacted: "dsn", "vpd",
 * "dmi-serial", "mac", "hostname", "ip", "uuid", "user"; an empty list when
 * disabled.  NULL-terminated, static. */
const char *const *gd_redact_kinds(const struct gd_redact *r);

/* A newly allocated, NUL-terminated redacted copy of text[0..len).  With
 * keep_hostname the host name is left alone (files such as os-release name
 * the distribution, which is often also the host's name).  Returns 0 or
 * -ENOMEM. */
int gd_redact_text(struct gd_redact *r, const char *text, size_t len, bool keep_hostname, char **ret,
                   size_t *ret_len);

/* Redacts PCI configuration space in place: the 8 serial bytes of a PCIe
 * Device Serial Number extended capability (ID 0x0003) become zero, and the
 * data of an "SN" keyword in a VPD read-only section (tag 0x90) found in
 * the bytes becomes ASCII '0'.  Returns the number of fields replaced. */
unsigned gd_redact_config_space(struct gd_redact *r, uint8_t *cfg, size_t len);
