/* SPDX-License-Identifier: MIT */
/* The names redaction learns before it replaces anything: a host's name
 * and domain and its users' names are words, told apart from other words
 * only by where they were seen.  Names that identify nobody (localhost,
 * Proxmox's default "pve", root) are not learned: replacing them would
 * only make kernel messages and paths harder to read. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "bundle/redact-internal.h"

/* At most this many names of a kind: a paste of a million home
 * directories must not make every word a lookup in a million. */
#define MAX_NAMES 4096

static const char *const common_hosts[] = {
        "localhost", "localhost.localdomain", "(none)", "pve", "proxmox", "debian", "ubuntu", "fedora",
        "archlinux", "arch", "raspberrypi", "unraid", "truenas", "nixos", "linux", "host", "server", "kernel",
};
static const char *const common_users[] = {
        "root", "user", "admin", "nobody", "daemon", "bin", "sys", "guest", "test",
};

static bool listed(const char *const *l, size_t n, const char *s, size_t len) {
        for (size_t i = 0; i < n; i++)
                if (strlen(l[i]) == len && strncasecmp(l[i], s, len) == 0)
                        return true;
        return false;
}

int redact_learn_name(struct gd_redact *r, enum redact_names k, const char *s, size_t len) {
        bool digits = strspn(s, "0123456789") >= len;

        if (len < 2 || len > 253 || digits || strindex_size(r->names[k]) >= MAX_NAMES)
                return 0;
        if (k == NAMES_HOST && listed(common_hosts, ELEMENTSOF(common_hosts), s, len))
                return 0;
        if (k == NAMES_USER && listed(common_users, ELEMENTSOF(common_users), s, len))
                return 0;
        /* A one-label domain (lan, local, home) identifies nobody. */
        if (k == NAMES_DOMAIN && !memchr(s, '.', len))
                return 0;
        return strindex_put(r->names[k], s, len) ? 0 : -ENOMEM;
}

/* A host name, and when it is fully qualified its first label and its
 * domain too. */
static int learn_host(struct gd_redact *r, const char *s, size_t len) {
        const char *dot = memchr(s, '.', len);
        int e;

        while (len > 0 && s[len - 1] == '.')
                len--;
        if (len == 0)
                return 0;
        if (listed(common_hosts, ELEMENTSOF(common_hosts), s, len))
                return 0;
        if ((e = redact_learn_name(r, NAMES_HOST, s, len)) < 0)
                return e;
        if (!dot || dot == s)
                return 0;
        if ((e = redact_learn_name(r, NAMES_HOST, s, (size_t) (dot - s))) < 0)
                return e;
        return redact_learn_name(r, NAMES_DOMAIN, dot + 1, len - (size_t) (dot + 1 - s));
}

int gd_redact_set_hostname(struct gd_redact *r, const char *hostname) {
        return hostname ? learn_host(r, hostname, strlen(hostname)) : 0;
}

static size_t name_len(const char *s, const char *end, bool dots) {
        size_t n = 0;

        while (s + n < end && n < 253 && (redact_host_char(s[n]) || (dots && s[n] == '.')))
                n++;
        while (n > 0 && s[n - 1] == '.')
                n--;
        return n;
}

static bool at_word(const char *text, const char *p) {
        return p == text || !(isalnum((unsigned char) p[-1]) || p[-1] == '_');
}

struct literal {
        const char *text;
        size_t len;
};
#define LITERAL(s) { s, sizeof(s) - 1 }

/* What one line shows. */
static int learn_line(struct gd_redact *r, const char *text, const char *l, const char *eol) {
        /* With their lengths: strlen() of each at every byte of a text was
         * a seventh of collect. */
        static const struct literal user_labels[] = {
                LITERAL("of user "), LITERAL("for user "), LITERAL("USER="), LITERAL("LOGNAME="), LITERAL("SUDO_USER="),
        };
        static const struct literal user_dirs[] = {
                LITERAL("/home/"), LITERAL("/var/home/"), LITERAL("/Users/"), LITERAL("/media/"), LITERAL("/run/media/"),
        };
        const char *p = l, *q;
        size_t n;
        int e;

        while (p < eol && (*p == ' ' || *p == '\t'))
                p++;
        /* A shell prompt: user@host:~# or [user@host ~]$ */
        q = p + (p < eol && *p == '[');
        n = name_len(q, eol, true);
        if (n > 0 && q + n < eol && q[n] == '@') {
                size_t h = name_len(q + n + 1, eol, true);
                const char *after = q + n + 1 + h;

                if (h > 0 && after < eol && (*after == ':' || *after == ' ')) {
                        if ((e = redact_learn_name(r, NAMES_USER, q, n)) < 0 || (e = learn_host(r, q + n + 1, h)) < 0)
                                return e;
                }
        }
        /* resolv.conf */
        if ((size_t) (eol - p) > 7 && (strncmp(p, "search ", 7) == 0 || strncmp(p, "domain ", 7) == 0))
                for (q = p + 7; q < eol; ) {
                        while (q < eol && (*q == ' ' || *q == '\t'))
                                q++;
                        n = name_len(q, eol, true);
                        if (n == 0)
                                break;
                        if ((e = redact_learn_name(r, NAMES_DOMAIN, q, n)) < 0)
                                return e;
                        q += n;
                }
        for (q = l; q < eol; q++) {
                /* systemd: "Hostname set to <name>." */
                if (*q == 'H' && (size_t) (eol - q) > 17 && strncmp(q, "Hostname set to <", 17) == 0) {
                        n = name_len(q + 17, eol, true);
                        if ((e = learn_host(r, q + 17, n)) < 0)
                                return e;
                }
                if (*q == '~' && at_word(text, q) && q + 1 < eol && isalpha((unsigned char) q[1])) {
                        n = name_len(q + 1, eol, true);
                        if ((e = redact_learn_name(r, NAMES_USER, q + 1, n)) < 0)
                                return e;
                }
                for (size_t i = 0; *q == '/' && i < ELEMENTSOF(user_dirs); i++) {
                        size_t dl = user_dirs[i].len;
                        if ((size_t) (eol - q) > dl && memcmp(q, user_dirs[i].text, dl) == 0 &&
                            isalpha((unsigned char) q[dl]) &&
                            (e = redact_learn_name(r, NAMES_USER, q + dl, name_len(q + dl, eol, true))) < 0)
                                return e;
                }
                for (size_t i = 0; i < ELEMENTSOF(user_labels); i++) {
                        size_t ll = user_labels[i].len;
                        if (*q == user_labels[i].text[0] && at_word(text, q) && (size_t) (eol - q) > ll &&
                            memcmp(q, user_labels[i].text, ll) == 0 &&
                            (e = redact_learn_name(r, NAMES_USER, q + ll, name_len(q + ll, eol, true))) < 0)
                                return e;
                }
        }
        return 0;
}

/* NAME@HOST anywhere, once HOST is a known host: NAME is one of its users
 * ("# from mallory@pve-canary", a mail address at the host). */
static int learn_users_at_hosts(struct gd_redact *r, const char *text, const char *end) {
        for (const char *at = memchr(text, '@', (size_t) (end - text)); at;
             at = at + 1 < end ? memchr(at + 1, '@', (size_t) (end - at - 1)) : NULL) {
                const char *start = at;
                size_t h = name_len(at + 1, end, false);
                int e;

                if (h == 0 || !strindex_get(r->names[NAMES_HOST], at + 1, h))
                        continue;
                while (start > text && (redact_host_char(start[-1]) || start[-1] == '.'))
                        start--;
                if (start < at && isalpha((unsigned char) *start) &&
                    (e = redact_learn_name(r, NAMES_USER, start, (size_t) (at - start))) < 0)
                        return e;
        }
        return 0;
}

int gd_redact_learn(struct gd_redact *r, const char *text, size_t len) {
        const char *end = text + len;

        if (!gd_redact_enabled(r))
                return 0;
        for (const char *l = text; l < end; ) {
                const char *eol = memchr(l, '\n', (size_t) (end - l));
                int e;

                eol = eol ? eol : end;
                if ((e = learn_line(r, text, l, eol)) < 0)
                        return e;
                l = eol + 1;
        }
        return learn_users_at_hosts(r, text, end);
}
