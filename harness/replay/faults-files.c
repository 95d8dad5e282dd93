/* SPDX-License-Identifier: MIT */
/* Faults on the bundle's files: /proc/cmdline, the boot loader's command
 * line, the kernel log, and any captured file (doc/scenario-format.md). */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "base/strv.h"
#include "replay/faults-internal.h"

_printf_(2, 3)
int faults_fail(char **ret_error, const char *fmt, ...) {
        va_list ap;

        if (ret_error) {
                free(*ret_error);
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return -EINVAL;
}

/* ---- files ---- */

struct gd_bundle_file *faults_file_find(struct gd_bundle *b, const char *path) {
        for (size_t i = 0; i < b->n_files; i++)
                if (streq(b->files[i].path, path))
                        return &b->files[i];
        return NULL;
}

bool faults_unreadable_remove(struct gd_bundle *b, const char *path) {
        size_t w = 0;
        bool found = false;

        for (size_t i = 0; b->unreadable[i]; i++) {
                if (streq(b->unreadable[i], path)) {
                        free(b->unreadable[i]);
                        found = true;
                        continue;
                }
                b->unreadable[w++] = b->unreadable[i];
        }
        b->unreadable[w] = NULL;
        return found;
}

bool faults_file_remove(struct gd_bundle *b, const char *path) {
        struct gd_bundle_file *f = faults_file_find(b, path);
        size_t i;

        if (!f)
                return false;
        i = (size_t) (f - b->files);
        free(f->path);
        free(f->content);
        memmove(b->files + i, b->files + i + 1, (b->n_files - i - 1) * sizeof(*b->files));
        b->n_files--;
        return true;
}

/* Sets the content (copied); mtime < -1 keeps the old one. */
int faults_file_set(struct gd_bundle *b, const char *path, const char *content, size_t len, int64_t mtime) {
        struct gd_bundle_file *f = faults_file_find(b, path);
        char *c = malloc(len + 1);

        if (!c)
                return -ENOMEM;
        memcpy(c, content, len);
        c[len] = '\0';
        if (!f) {
                struct gd_bundle_file *nv = realloc(b->files, (b->n_files + 1) * sizeof(*nv));
                if (!nv) {
                        free(c);
                        return -ENOMEM;
                }
                b->files = nv;
                f = &b->files[b->n_files];
                *f = (struct gd_bundle_file) { .path = strdup(path), .mtime = -1 };
                if (!f->path) {
                        free(c);
                        return -ENOMEM;
                }
                b->n_files++;
        }
        free(f->content);
        f->content = c;
        f->length = len;
        if (mtime >= -1)
                f->mtime = mtime;
        (void) faults_unreadable_remove(b, path);
        return 0;
}

int faults_file_make_unreadable(struct gd_bundle *b, const char *path) {
        (void) faults_file_remove(b, path);
        if (strv_contains(b->unreadable, path))
                return 0;
        return strv_push_dup(&b->unreadable, path);
}

/* ---- the kernel command line ---- */

/* Splits a command line into arguments, keeping double-quoted spaces. */
static int cmdline_split(const char *s, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        int r;

        if (!l)
                return -ENOMEM;
        for (;;) {
                const char *start;
                bool quoted = false;

                while (*s == ' ' || *s == '\t' || *s == '\n')
                        s++;
                if (!*s)
                        break;
                start = s;
                for (; *s && (quoted || (*s != ' ' && *s != '\t' && *s != '\n')); s++)
                        if (*s == '"')
                                quoted = !quoted;
                r = strv_consume(&l, strndup(start, (size_t) (s - start)));
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static bool arg_matches(const char *arg, const char *flag) {
        size_t n = strlen(flag);

        if (strchr(flag, '='))
                return streq(arg, flag);
        return strncmp(arg, flag, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* Adds or removes flag in line (no newline); *ret newly allocated. */
static int cmdline_edit(const char *line, const char *flag, bool add, char **ret, char **ret_error) {
        _cleanup_strv_free_ char **args = NULL;
        size_t len = 1, removed = 0;
        char *out, *q;
        int r;

        if ((r = cmdline_split(line, &args)) < 0)
                return r;
        if (add) {
                if ((r = strv_push_dup(&args, flag)) < 0)
                        return r;
        } else {
                size_t w = 0;
                for (size_t i = 0; args[i]; i++) {
                        if (arg_matches(args[i], flag)) {
                                free(args[i]);
                                removed++;
                                continue;
                        }
                        args[w++] = args[i];
                }
                args[w] = NULL;
                if (removed == 0)
                        return faults_fail(ret_error, "no argument '%s' to remove in \"%s\"", flag, line);
        }
        for (size_t i = 0; args[i]; i++)
                len += strlen(args[i]) + 1;
        out = q = malloc(len);
        if (!out)
                return -ENOMEM;
        *q = '\0';
        for (size_t i = 0; args[i]; i++)
                q = stpcpy(i ? stpcpy(q, " ") : q, args[i]);
        *ret = out;
        return 0;
}

/* Edits a one-line file such as /proc/cmdline or /etc/kernel/cmdline. */
int faults_cmdline_file_edit(struct gd_bundle *b, const char *path, const char *flag, bool add, char **ret_error) {
        struct gd_bundle_file *f = faults_file_find(b, path);
        _cleanup_free_ char *line = NULL, *edited = NULL, *out = NULL;
        size_t n;
        int r;

        if (!f)
                return faults_fail(ret_error, "the base has no %s", path);
        n = strcspn(f->content, "\n");
        line = strndup(f->content, n);
        if (!line)
                return -ENOMEM;
        if ((r = cmdline_edit(line, flag, add, &edited, ret_error)) < 0)
                return r;
        /* Keep what followed the line; /proc/cmdline ends in a newline. */
        if (asprintf(&out, "%s%s", edited, f->content[n] ? f->content + n : "\n") < 0)
                return -ENOMEM;
        return faults_file_set(b, path, out, strlen(out), -2);
}

/* GRUB_CMDLINE_LINUX_DEFAULT="..." in /etc/default/grub (the last one wins,
 * as when the shell sources it), or /etc/kernel/cmdline when present. */
int faults_bootcfg_edit(struct gd_bundle *b, const char *flag, bool add, char **ret_error) {
        static const char key[] = "GRUB_CMDLINE_LINUX_DEFAULT=";
        _cleanup_free_ char *value = NULL, *edited = NULL, *out = NULL;
        struct gd_bundle_file *f;
        const char *line = NULL, *p, *vstart, *vend, *eol;
        char quote = '"';
        int r;

        if (faults_file_find(b, "/etc/kernel/cmdline"))
                return faults_cmdline_file_edit(b, "/etc/kernel/cmdline", flag, add, ret_error);
        f = faults_file_find(b, "/etc/default/grub");
        if (!f)
                return faults_fail(ret_error, "the base has neither /etc/kernel/cmdline nor /etc/default/grub");

        for (p = f->content; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
                const char *s = p + strspn(p, " \t");
                if (startswith(s, key))
                        line = s;
        }
        if (!line) {
                if (!add)
                        return faults_fail(ret_error, "/etc/default/grub has no %s line", key);
                size_t n = f->length;
                if (asprintf(&out, "%s%s%s\"%s\"\n", f->content, n && f->content[n - 1] != '\n' ? "\n" : "",
                             key, flag) < 0)
                        return -ENOMEM;
                return faults_file_set(b, f->path, out, strlen(out), -2);
        }
        vstart = line + strlen(key);
        eol = vstart + strcspn(vstart, "\n");
        if (*vstart == '"' || *vstart == '\'') {
                quote = *vstart++;
                vend = memchr(vstart, quote, (size_t) (eol - vstart));
                if (!vend)
                        return faults_fail(ret_error, "/etc/default/grub: unterminated quote in %s", key);
        } else
                vend = vstart + strcspn(vstart, " \t\n#");
        value = strndup(vstart, (size_t) (vend - vstart));
        if (!value)
                return -ENOMEM;
        if ((r = cmdline_edit(value, flag, add, &edited, ret_error)) < 0)
                return r;
        if (asprintf(&out, "%.*s%s%c%s%c%s", (int) (line - f->content), f->content, key, quote, edited, quote,
                     vend + (*vend == quote ? 1 : 0)) < 0)
                return -ENOMEM;
        return faults_file_set(b, f->path, out, strlen(out), -2);
}

/* ---- the kernel log ---- */

int faults_kmsg_drop(struct gd_bundle *b, const char *text, char **ret_error) {
        struct gd_bundle_file *f = faults_file_find(b, "/dev/kmsg");
        _cleanup_free_ char *out = NULL;
        size_t n = 0, dropped = 0;
        bool dropping = false;

        if (!f)
                return faults_fail(ret_error, "the base has no kernel log (/dev/kmsg)");
        out = malloc(f->length + 1);
        if (!out)
                return -ENOMEM;
        for (const char *p = f->content; *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) + 1 : strlen(p);

                /* Continuation lines (" KEY=value") belong to their record. */
                if (*p != ' ') {
                        const char *semi = memchr(p, ';', len);
                        const char *msg = semi ? semi + 1 : p;
                        _cleanup_free_ char *m = strndup(msg, len - (size_t) (msg - p));
                        if (!m)
                                return -ENOMEM;
                        dropping = strstr(m, text) != NULL;
                        dropped += dropping;
                }
                if (!dropping) {
                        memcpy(out + n, p, len);
                        n += len;
                }
                p += len;
        }
        out[n] = '\0';
        if (dropped == 0)
                return faults_fail(ret_error, "no kernel log record contains \"%s\"", text);
        return faults_file_set(b, "/dev/kmsg", out, n, -2);
}

int faults_kmsg_add(struct gd_bundle *b, const char *text, char **ret_error) {
        struct gd_bundle_file *f = faults_file_find(b, "/dev/kmsg");
        _cleanup_free_ char *esc = NULL, *out = NULL;
        unsigned long long seq = 0, usec = 0;
        bool any = false;
        char *q;

        if (gd_bundle_is_unreadable(b, "/dev/kmsg"))
                return faults_fail(ret_error, "the base's kernel log is unreadable");
        for (const char *p = f ? f->content : ""; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "") {
                unsigned prio;
                unsigned long long s, u;
                if (sscanf(p, "%u,%llu,%llu", &prio, &s, &u) == 3) {
                        seq = s;
                        usec = u;
                        any = true;
                }
        }
        /* The kernel escapes control characters as \xNN. */
        esc = q = malloc(strlen(text) * 4 + 1);
        if (!esc)
                return -ENOMEM;
        for (const unsigned char *s = (const unsigned char *) text; *s; s++)
                q += *s < 0x20 || *s == 0x7f ? sprintf(q, "\\x%02x", *s) : (*q = (char) *s, 1);
        *q = '\0';
        if (asprintf(&out, "%s%s6,%llu,%llu,-;%s\n", f ? f->content : "",
                     f && f->length && f->content[f->length - 1] != '\n' ? "\n" : "",
                     any ? seq + 1 : 0, any ? usec + 1 : 0, esc) < 0)
                return -ENOMEM;
        return faults_file_set(b, "/dev/kmsg", out, strlen(out), -2);
}

