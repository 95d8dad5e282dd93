/* SPDX-License-Identifier: MIT */
/* The kinds of secret redaction replaces: one row each, tried in this
 * order at every position of a text (redact.c).  Each kind's examples, the
 * values it must replace and the look-alikes it must leave (PCI addresses,
 * vendor:device IDs, kernel versions, register values), are data:
 * fixtures/redact/kinds.yaml. */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "bundle/redact-internal.h"

static bool is_hex(char c) { return isxdigit((unsigned char) c); }
static bool is_alnum(char c) { return isalnum((unsigned char) c); }

bool redact_host_char(char c) {
        return is_alnum(c) || c == '-' || c == '_';
}

static size_t hex_run(const char *s, const char *end, size_t max) {
        size_t i = 0;
        while (s + i < end && i < max && is_hex(s[i]))
                i++;
        return i;
}

static char before(const struct redact_at *at) {
        return at->s > at->text ? at->s[-1] : '\n';
}

/* The label at s, any case, when the text there starts with it.  The
 * first byte first: every kind is tried at every byte of a text, and the
 * strlen() and strncasecmp() of every label there were a fifth of collect. */
static bool has_label(const struct redact_at *at, const char *label) {
        size_t n;

        if (at->s >= at->end || tolower((unsigned char) *at->s) != tolower((unsigned char) *label))
                return false;
        n = strlen(label);
        return (size_t) (at->end - at->s) >= n && strncasecmp(at->s, label, n) == 0;
}

/* ---- learned names: host, domain, user ----------------------------------- */

/* The longest learned name of kind k at s that ends where a name may end
 * (before '.' or a character no name has); 0 when none. */
static size_t learned_at(const struct redact_at *at, enum redact_names k, size_t *ret_index) {
        const char *s = at->s;
        size_t run = 0;

        while (s + run < at->end && run < 253 && (redact_host_char(s[run]) || s[run] == '.'))
                run++;
        for (size_t n = run; n > 0; n--) {
                if (n < run && s[n] != '.')
                        continue;
                if (s[n - 1] == '.')
                        continue;
                if ((*ret_index = strindex_get(at->r->names[k], s, n)))
                        return n;
        }
        return 0;
}

static size_t put_learned(const struct redact_at *at, struct redact_out *o, enum redact_names k,
                          enum redact_map m, const char *tag) {
        size_t learned, n, idx;
        char b = before(at);

        if (strindex_size(at->r->names[k]) == 0 || redact_host_char(b) || (k != NAMES_DOMAIN && b == '.') ||
            *at->s == '@')
                return 0;
        n = learned_at(at, k, &learned);
        if (n == 0 || !(idx = redact_index(at->r, m, at->s, n)))
                return 0;
        redact_putf(o, "@%s-%zu@", tag, idx);
        return n;
}

static size_t rewrite_host(const struct redact_at *at, struct redact_out *o) {
        return at->keep_hostname ? 0 : put_learned(at, o, NAMES_HOST, MAP_HOST, "host");
}

static size_t rewrite_domain(const struct redact_at *at, struct redact_out *o) {
        return at->keep_hostname ? 0 : put_learned(at, o, NAMES_DOMAIN, MAP_DOMAIN, "domain");
}

/* Directories named after their user (a home, removable media mounted for
 * a user by udisks, macOS homes in pasted paths). */
static const char *const user_dirs[] = { "/home/", "/var/home/", "/Users/", "/media/", "/run/media/" };

static size_t user_name_len(const char *s, const char *end) {
        size_t n = 0;

        if (s >= end || !(isalpha((unsigned char) *s) || *s == '_'))
                return 0;
        while (s + n < end && n < 64 && (redact_host_char(s[n]) || s[n] == '.'))
                n++;
        while (n > 0 && s[n - 1] == '.')
                n--;
        return n;
}

static size_t rewrite_user(const struct redact_at *at, struct redact_out *o) {
        size_t idx, n;

        /* Every one starts with '/': no strlen() of each at every byte. */
        for (size_t i = 0; *at->s == '/' && i < ELEMENTSOF(user_dirs); i++) {
                size_t pl = strlen(user_dirs[i]);

                if ((size_t) (at->end - at->s) <= pl || memcmp(at->s, user_dirs[i], pl) != 0 ||
                    (i == 0 && before(at) != '\n' && is_alnum(before(at))))
                        continue;
                n = user_name_len(at->s + pl, at->end);
                if (n == 0 || !(idx = redact_index(at->r, MAP_USER, at->s + pl, n)))
                        return 0;
                redact_put(o, at->s, pl);
                redact_putf(o, "@user-%zu@", idx);
                return pl + n;
        }
        /* ~NAME, as a shell writes another user's home. */
        if (*at->s == '~' && !is_alnum(before(at)) && before(at) != '~') {
                n = user_name_len(at->s + 1, at->end);
                if (n == 0 || !(idx = redact_index(at->r, MAP_USER, at->s + 1, n)))
                        return 0;
                redact_putf(o, "~@user-%zu@", idx);
                return 1 + n;
        }
        return put_learned(at, o, NAMES_USER, MAP_USER, "user");
}

/* ---- labelled values: serials, Proxmox smbios1 --------------------------- */

enum value_shape {
        VALUE_LINE,             /* to the end of the line */
        VALUE_WORD,             /* to a comma, blank, quote or ';' */
        VALUE_HEXDASH,          /* hex digits and dashes (lspci -vv's DSN) */
        VALUE_XML,              /* to the next '<' */
};

struct label {
        const char *text;
        enum value_shape shape;
};

/* Where serial numbers are written: the USB core's "SerialNumber:" line
 * (drivers/usb/core/hub.c announce_device()), NVIDIA's "NVRM: GPU Board
 * Serial Number:", lspci -vv's "[SN] Serial number:" and "Device Serial
 * Number", dmidecode and smartctl's "Serial Number:", QEMU and Proxmox
 * drive options (serial=), libvirt's <serial>, udev's ID_SERIAL. */
static const struct label serial_labels[] = {
        { "SerialNumber:", VALUE_LINE },
        { "Serial Number:", VALUE_LINE },
        { "Serial Number ", VALUE_HEXDASH },
        { "serial=", VALUE_WORD },
        { "serial_number=", VALUE_WORD },
        { "ID_SERIAL=", VALUE_WORD },
        { "ID_SERIAL_SHORT=", VALUE_WORD },
        { "<serial>", VALUE_XML },
};

static size_t value_len(const char *s, const char *end, enum value_shape shape) {
        size_t n = 0;

        switch (shape) {
        case VALUE_LINE:
                while (s + n < end && s[n] != '\n' && s[n] != '\r')
                        n++;
                while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                        n--;
                break;
        case VALUE_WORD:
                while (s + n < end && !strchr(",; \t\n\r\"'<>)", s[n]))
                        n++;
                break;
        case VALUE_HEXDASH:
                while (s + n < end && (is_hex(s[n]) || s[n] == '-'))
                        n++;
                if (n < 8 || (s + n < end && is_alnum(s[n])))
                        n = 0;
                break;
        case VALUE_XML:
                while (s + n < end && s[n] != '<' && s[n] != '\n')
                        n++;
                break;
        }
        return n;
}

static size_t rewrite_serial(const struct redact_at *at, struct redact_out *o) {
        if (is_alnum(before(at)) || before(at) == '_')
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(serial_labels); i++) {
                const struct label *l = &serial_labels[i];
                size_t ll = strlen(l->text), sp = 0, n, idx;

                if (!has_label(at, l->text))
                        continue;
                while (at->s + ll + sp < at->end && at->s[ll + sp] == ' ')
                        sp++;
                n = value_len(at->s + ll + sp, at->end, l->shape);
                if (n == 0 || at->s[ll + sp] == '@' || !(idx = redact_index(at->r, MAP_SERIAL, at->s + ll + sp, n)))
                        return 0;
                redact_put(o, at->s, ll + sp);
                redact_putf(o, "@serial-%zu@", idx);
                return ll + sp + n;
        }
        return 0;
}

static size_t rewrite_uuid(const struct redact_at *at, struct redact_out *o);

/* Proxmox VE's smbios1: (qm.conf(5)): the firmware's identity handed to
 * the guest; serial, sku, manufacturer ... often the host's own, some in
 * base64.  Every value goes, base64=1 and the uuid's shape stay. */
static size_t rewrite_smbios(const struct redact_at *at, struct redact_out *o) {
        const char *p, *eol;

        if (!has_label(at, "smbios1:") || is_alnum(before(at)))
                return 0;
        eol = memchr(at->s, '\n', (size_t) (at->end - at->s));
        eol = eol ? eol : at->end;
        redact_put(o, at->s, 8);
        for (p = at->s + 8; p < eol; ) {
                const char *comma = memchr(p, ',', (size_t) (eol - p)), *eq;
                const char *item_end = comma ? comma : eol;
                size_t idx;

                eq = memchr(p, '=', (size_t) (item_end - p));
                if (!eq || (eq - p >= 6 && strncmp(eq - 6, "base64", 6) == 0 && item_end - eq == 2)) {
                        redact_put(o, p, (size_t) (item_end - p));
                } else if (eq - p >= 4 && strncmp(eq - 4, "uuid", 4) == 0) {
                        struct redact_at u = *at;
                        size_t n;

                        redact_put(o, p, (size_t) (eq + 1 - p));
                        u.s = eq + 1;
                        u.end = item_end;
                        n = rewrite_uuid(&u, o);
                        redact_put(o, eq + 1 + n, (size_t) (item_end - eq - 1 - n));
                } else {
                        if (!(idx = redact_index(at->r, MAP_SMBIOS, eq + 1, (size_t) (item_end - eq - 1))))
                                return 0;
                        redact_put(o, p, (size_t) (eq + 1 - p));
                        redact_putf(o, "@smbios-%zu@", idx);
                }
                if (comma)
                        redact_put(o, ",", 1);
                p = comma ? comma + 1 : eol;
        }
        return (size_t) (eol - at->s);
}

/* ---- identifiers: UUIDs, machine ID, PARTUUID ---------------------------- */

/* 8-4-4-4-12 hex, also after a '-' (NVIDIA's GPU-<uuid>, luks-<uuid>). */
static size_t uuid_len(const char *s, const char *end) {
        static const size_t groups[] = { 8, 4, 4, 4, 12 };
        const char *p = s;

        for (size_t g = 0; g < ELEMENTSOF(groups); g++) {
                if (hex_run(p, end, groups[g] + 1) != groups[g])
                        return 0;
                p += groups[g];
                if (g < 4) {
                        if (p >= end || *p != '-')
                                return 0;
                        p++;
                }
        }
        return p < end && is_alnum(*p) ? 0 : (size_t) (p - s);
}

/* XXXX-XXXX, a FAT volume serial: after "UUID=", or alone on a line (as in
 * /etc/kernel/proxmox-boot-uuids). */
static size_t short_uuid_len(const struct redact_at *at) {
        const char *s = at->s, *p = s + 9;
        bool after_uuid, own_line;

        if (at->end - s < 9 || hex_run(s, at->end, 5) != 4 || s[4] != '-' || hex_run(s + 5, at->end, 5) != 4)
                return 0;
        after_uuid = s - at->text >= 5 && strncasecmp(s - 5, "UUID=", 5) == 0;
        own_line = (s == at->text || s[-1] == '\n') && (p == at->end || *p == '\n');
        if (p < at->end && (is_alnum(*p) || *p == '-'))
                return 0;
        return after_uuid || own_line ? 9 : 0;
}

static size_t rewrite_uuid(const struct redact_at *at, struct redact_out *o) {
        size_t n, idx;

        if (is_alnum(before(at)))
                return 0;
        if ((n = uuid_len(at->s, at->end))) {
                if (strncmp(at->s, "00000000-0000-", 14) == 0)
                        redact_put(o, at->s, n);        /* nil, or already a placeholder */
                else if ((idx = redact_index(at->r, MAP_UUID, at->s, n)))
                        redact_putf(o, "00000000-0000-4000-8000-%012zx", idx);
                else
                        return 0;
                return n;
        }
        if ((n = short_uuid_len(at)) && (idx = redact_index(at->r, MAP_SHORT_UUID, at->s, n))) {
                redact_putf(o, "0000-%04zX", idx & 0xffff);
                return n;
        }
        return 0;
}

/* systemd's machine ID: 32 lower-case hex digits (machine-id(5)), seen in
 * /run/log/journal/<id>, /var/log/journal/<id> and boot entries. */
static size_t rewrite_machine_id(const struct redact_at *at, struct redact_out *o) {
        size_t idx;

        if (is_alnum(before(at)) || hex_run(at->s, at->end, 33) != 32 ||
            (at->s + 32 < at->end && is_alnum(at->s[32])) || strspn(at->s, "0") >= 32)
                return 0;
        if (!(idx = redact_index(at->r, MAP_MACHINE_ID, at->s, 32)))
                return 0;
        redact_putf(o, "00000000000040008000%012zx", idx);
        return 32;
}

/* PARTUUID=SSSSSSSS-PP: an MBR disk signature and a partition number
 * (GPT partitions have a full UUID there, the uuid kind's). */
static size_t rewrite_partuuid(const struct redact_at *at, struct redact_out *o) {
        const char *v = at->s + 9;
        size_t idx;

        if (!has_label(at, "PARTUUID=") || at->end - v < 11 || hex_run(v, at->end, 9) != 8 || v[8] != '-' ||
            hex_run(v + 9, at->end, 3) != 2 || (v + 11 < at->end && is_alnum(v[11])))
                return 0;
        if (!(idx = redact_index(at->r, MAP_PARTUUID, v, 8)))
                return 0;
        redact_put(o, at->s, 9);
        redact_putf(o, "%08zx-%.2s", idx, v + 9);
        return 20;
}

/* ---- MAC addresses ------------------------------------------------------- */

/* The placeholder's 12 digits, 02:00:00:00:HH:LL (locally administered),
 * written over the found spelling: its separators and its letter case. */
static void put_mac(struct redact_out *o, const char *orig, size_t n, size_t idx) {
        char digits[13], out[32];
        bool upper = false;
        size_t d = 0;

        snprintf(digits, sizeof(digits), "02000000%02zx%02zx", (idx >> 8) & 0xff, idx & 0xff);
        for (size_t i = 0; i < n; i++)
                upper |= orig[i] >= 'A' && orig[i] <= 'F';
        for (size_t i = 0; i < n && i < sizeof(out); i++)
                out[i] = is_hex(orig[i]) && d < 12 ?
                        (upper ? (char) toupper((unsigned char) digits[d++]) : digits[d++]) : orig[i];
        redact_put(o, out, n);
}

/* The hex digits of a MAC in orig, without separators, lower case. */
static size_t mac_key(const char *orig, size_t n, char key[static 13]) {
        size_t d = 0;

        for (size_t i = 0; i < n && d < 12; i++)
                if (is_hex(orig[i]))
                        key[d++] = (char) tolower((unsigned char) orig[i]);
        key[d] = '\0';
        return d;
}

static size_t put_mac_value(const struct redact_at *at, struct redact_out *o, const char *v, size_t n) {
        char key[13];
        size_t idx;

        if (mac_key(v, n, key) != 12)
                return 0;
        if (streq(key, "000000000000") || streq(key, "ffffffffffff")) {
                redact_put(o, v, n);
                return n;
        }
        if (!(idx = redact_index(at->r, MAP_MAC, key, 12)))
                return 0;
        put_mac(o, v, n, idx);
        return n;
}

/* Six groups of two hex digits with one separator, ':' or '-', and not
 * part of a longer such run (a PCIe DSN has eight: a serial, not a MAC). */
static size_t grouped_mac_len(const char *text, const char *s, const char *end) {
        char sep;

        if (end - s < 17 || hex_run(s, end, 3) != 2 || (s[2] != ':' && s[2] != '-'))
                return 0;
        sep = s[2];
        if (s > text && (is_alnum(s[-1]) || (s[-1] == sep && s - 1 > text && is_hex(s[-2]))))
                return 0;
        for (int g = 0; g < 6; g++) {
                const char *p = s + 3 * g;
                if (hex_run(p, end, 3) != 2 || (g < 5 && p[2] != sep))
                        return 0;
        }
        if (s + 17 < end && (is_alnum(s[17]) || (s[17] == sep && s + 18 < end && is_hex(s[18]))))
                return 0;
        return 17;
}

static size_t rewrite_mac(const struct redact_at *at, struct redact_out *o) {
        const char *s = at->s;
        size_t n;

        /* PXE's BOOTIF=01-xx-xx-xx-xx-xx-xx: ARP type 1, then the MAC. */
        if (has_label(at, "BOOTIF=01-") && !is_alnum(before(at)) &&
            grouped_mac_len(s + 9, s + 10, at->end) == 17) {
                redact_put(o, s, 10);
                return put_mac_value(at, o, s + 10, 17) ? 27 : 0;
        }
        if ((n = grouped_mac_len(at->text, s, at->end)))
                return put_mac_value(at, o, s, n);
        /* systemd's MAC-named interfaces: enx + 12 hex digits. */
        if (has_label(at, "enx") && !is_alnum(before(at)) && hex_run(s + 3, at->end, 13) == 12 &&
            !(s + 15 < at->end && is_alnum(s[15]))) {
                redact_put(o, s, 3);
                return put_mac_value(at, o, s + 3, 12) ? 15 : 0;
        }
        /* Twelve hex digits alone (e1000=bc2411aa8e02, a MAC without
         * separators): letters and digits both, so no decimal number; not
         * a whole text, which is a register value (intel-iommu/ecap). */
        if (!is_alnum(before(at)) && !strchr(":-.", before(at)) && hex_run(s, at->end, 13) == 12 &&
            !(s + 12 < at->end && (is_alnum(s[12]) || s[12] == '.' ||
                                   ((s[12] == ':' || s[12] == '-') && s + 13 < at->end && is_hex(s[13]))))) {
                size_t letters = 0, rest = (size_t) (at->end - s - 12);
                bool whole = s == at->text && strspn(s + 12, " \t\r\n") == rest;

                for (size_t i = 0; i < 12; i++)
                        letters += isalpha((unsigned char) s[i]) != 0;
                if (letters > 0 && letters < 12 && !whole)
                        return put_mac_value(at, o, s, 12);
        }
        return 0;
}

/* ---- IP addresses -------------------------------------------------------- */

static size_t rewrite_ipv6(const struct redact_at *at, struct redact_out *o) {
        static const uint8_t loop[16] = { [15] = 1 };
        static const uint8_t any[16] = {};
        char buf[INET6_ADDRSTRLEN + 1];
        struct in6_addr a;
        const char *s = at->s, *p = s;
        size_t n, idx;

        if (is_alnum(before(at)) || before(at) == ':' || before(at) == '.' || (!is_hex(*s) && *s != ':'))
                return 0;
        while (p < at->end && (is_hex(*p) || *p == ':' || *p == '.') && p - s <= INET6_ADDRSTRLEN)
                p++;
        n = (size_t) (p - s);
        while (n > 0 && s[n - 1] == '.')
                n--;
        if (s + n < at->end && is_alnum(s[n]))
                return 0;
        /* An address followed by ':' ("fe80::1: link up"), which the
         * parser does not take. */
        for (;;) {
                if (n < 3 || n > INET6_ADDRSTRLEN || !memchr(s, ':', n))
                        return 0;
                memcpy(buf, s, n);
                buf[n] = '\0';
                if (inet_pton(AF_INET6, buf, &a) == 1)
                        break;
                if (s[n - 1] != ':')
                        return 0;
                n--;
        }
        if (memcmp(&a, loop, 16) == 0 || memcmp(&a, any, 16) == 0 ||
            (a.s6_addr[0] == 0x20 && a.s6_addr[1] == 0x01 && a.s6_addr[2] == 0x0d && a.s6_addr[3] == 0xb8))
                redact_put(o, s, n);
        else if ((idx = redact_index(at->r, MAP_IPV6, s, n)))
                redact_putf(o, "2001:db8::%zx", idx);
        else
                return 0;
        return n;
}

static size_t rewrite_ipv4(const struct redact_at *at, struct redact_out *o) {
        static const char *const nets[] = { "192.0.2", "198.51.100", "203.0.113" };
        char buf[16];
        struct in_addr a;
        const char *s = at->s, *p = s;
        uint8_t b[4];
        size_t n, idx;

        if (!isdigit((unsigned char) *s) || is_alnum(before(at)) || before(at) == '.' || before(at) == '_')
                return 0;
        while (p < at->end && (isdigit((unsigned char) *p) || *p == '.') && p - s < 16)
                p++;
        n = (size_t) (p - s);
        /* "1.2.3.4." at a sentence end is fine; "1.2.3.4.5" is no address. */
        if (n > 0 && s[n - 1] == '.')
                n--;
        if (n < 7 || n > 15 || (p < at->end && is_alnum(*p)))
                return 0;
        if (s + n < at->end && s[n] == '.' && s + n + 1 < at->end && isdigit((unsigned char) s[n + 1]))
                return 0;
        memcpy(buf, s, n);
        buf[n] = '\0';
        if (inet_pton(AF_INET, buf, &a) != 1)
                return 0;
        memcpy(b, &a, 4);
        /* Loopback, unspecified, masks and documentation ranges identify nobody. */
        if (b[0] == 0 || b[0] == 127 || b[0] == 255 || (b[0] == 192 && b[1] == 0 && b[2] == 2)) {
                redact_put(o, s, n);
                return n;
        }
        if (!(idx = redact_index(at->r, MAP_IPV4, s, n)))
                return 0;
        redact_putf(o, "%s.%zu", nets[(idx - 1) / 254 % ELEMENTSOF(nets)], (idx - 1) % 254 + 1);
        return n;
}

static size_t rewrite_ip(const struct redact_at *at, struct redact_out *o) {
        size_t n = rewrite_ipv6(at, o);
        return n ? n : rewrite_ipv4(at, o);
}

/* The order matters where two kinds could claim one text: a learned name
 * before the words in it, labelled values before the identifiers inside
 * them, MACs before IPv6 (six hex pairs are no IPv6 address anyway).
 * user ("x/var/home/NAME") and partuuid ("xPARTUUID=") also match inside a
 * word; every other kind starts only after a byte that is no letter or
 * digit (its rewrite() checks that too). */
const struct redact_kind redact_kinds[] = {
        { "hostname",   "the host's own name, learned from the text and the host", rewrite_host, true },
        { "domain",     "the host's domain (its fully qualified name, resolv.conf search lines)", rewrite_domain, true },
        { "user",       "user names: /home/NAME, ~NAME, prompts, and wherever a learned name recurs", rewrite_user },
        { "smbios",     "Proxmox smbios1: values (the firmware identity a VM gets)", rewrite_smbios, true },
        { "serial",     "serial numbers after the labels that introduce them", rewrite_serial, true },
        { "partuuid",   "PARTUUID=SSSSSSSS-PP of MBR disks", rewrite_partuuid },
        { "uuid",       "UUIDs (file systems, LUKS, VMs, NVIDIA GPUs) and FAT volume serials", rewrite_uuid, true },
        { "machine-id", "systemd's machine ID (32 hex digits)", rewrite_machine_id, true },
        { "mac",        "MAC addresses in every spelling: colons, dashes, none, enx..., BOOTIF=01-...", rewrite_mac, true },
        { "ip",         "IPv4 and IPv6 addresses", rewrite_ip, true },
        { "dsn",        "the PCIe Device Serial Number capability in configuration space", NULL },
        { "vpd",        "the VPD serial number (SN) in configuration space", NULL },
        { "dmi-serial", "DMI serials and the product UUID (collect does not read them)", NULL },
};
const size_t redact_n_kinds = ELEMENTSOF(redact_kinds);
