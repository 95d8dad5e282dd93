/* SPDX-License-Identifier: MIT */
/* Writes a gpudiag-bundle/1 document (doc/bundle-format.md) of this host
 * through the event emitter: every scalar has an explicit style, so a ':'
 * or '#' in a kernel log line or a config file cannot break the bundle. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "bundle/record.h"
#include "bundle/redact.h"
#include "config.h"
#include "model/finding.h"
#include "report/emit.h"

#define IOMMU_GROUPS "/sys/kernel/iommu_groups"

/* Block YAML, readable and diffable; report/emit.c works around libfyaml
 * 0.7.12's event-emitter bug with block sequences of mappings. */
#define BUNDLE_EMIT_MODE GD_EMIT_YAML
#define LSPCI_MAX (1024u * 1024u)
#define LSPCI_TIMEOUT_MS 10000

/* Bytes that are not UTF-8 become '?': a YAML stream is UTF-8, and the
 * files collect keeps are text (the kernel log is escaped by the kernel). */
static size_t utf8_seq(const unsigned char *s, size_t left) {
        unsigned char c = s[0];
        size_t n;

        if (c < 0x80)
                return c ? 1 : 0;
        n = c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;
        if (n == 0 || n > left)
                return 0;
        for (size_t k = 1; k < n; k++)
                if ((s[k] & 0xc0) != 0x80)
                        return 0;
        if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || (c == 0xf0 && s[1] < 0x90) ||
            (c == 0xf4 && s[1] > 0x8f))
                return 0;
        return n;
}

static void make_utf8(char *s, size_t len) {
        for (size_t i = 0; i < len; ) {
                size_t n = utf8_seq((const unsigned char *) s + i, len - i);
                if (n == 0) {
                        s[i++] = '?';
                        continue;
                }
                i += n;
        }
}

/* Emits text redacted; keep_hostname for files that name the distribution. */
static int emit_redacted(struct gd_emit *e, struct gd_redact *redact, const char *s, size_t len, bool keep_hostname,
                         bool block) {
        _cleanup_free_ char *red = NULL;
        size_t rlen;

        if (gd_redact_text(redact, s, len, keep_hostname, &red, &rlen) < 0)
                return -ENOMEM;
        make_utf8(red, rlen);
        if (block)
                gd_emit_text(e, red, rlen);
        else
                gd_emit_strn(e, red, rlen);
        return 0;
}

/* A path key: plain when it is made of path characters only. */
static void emit_path_key(struct gd_emit *e, const char *path) {
        if (strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-+@") == strlen(path))
                gd_emit_key(e, path);
        else
                gd_emit_str(e, path);
}

static int emit_metadata(struct gd_emit *e, const struct gd_bundle_file *files, size_t n_files,
                         const struct gd_bundle_metadata *replayed, struct gd_redact *redact) {
        const struct gd_bundle_file *osrel = NULL;
        _cleanup_free_ char *kernel = NULL;
        char created[32];
        time_t now = time(NULL);
        struct tm tm;

        for (size_t i = 0; i < n_files; i++)
                if (streq(files[i].path, "/proc/sys/kernel/osrelease"))
                        osrel = &files[i];
        if (osrel)
                kernel = strndup(osrel->content, strcspn(osrel->content, "\n"));
        gmtime_r(&now, &tm);
        strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (replayed && replayed->created)
                snprintf(created, sizeof(created), "%s", replayed->created);

        gd_emit_key(e, "metadata");
        gd_emit_map_begin(e);
        gd_emit_kv_str(e, "tool", "gpudiag " GPUDIAG_VERSION);
        gd_emit_kv_str(e, "created", created);
        if (kernel && *kernel)
                gd_emit_kv_str(e, "kernel", kernel);
        if (replayed) {
                /* collect --bundle: the host is the one the bundle
                 * recorded, when and as it recorded it. */
                _cleanup_free_ char *source = NULL;

                if (asprintf(&source, "collected again by gpudiag collect --bundle%s from a bundle of origin %s%s%s",
                             gd_redact_enabled(redact) ? "" : " --no-redact",
                             replayed->origin ? replayed->origin : "unknown", replayed->source ? ": " : "",
                             replayed->source ? replayed->source : "") < 0)
                        return -ENOMEM;
                gd_emit_kv_str(e, "origin", replayed->origin ? replayed->origin : "collected");
                gd_emit_key(e, "source");
                if (emit_redacted(e, redact, source, strlen(source), false, false) < 0)
                        return -ENOMEM;
                if (replayed->root != TRI_UNKNOWN)
                        gd_emit_kv_bool(e, "root", replayed->root == TRI_YES);
        } else {
                gd_emit_kv_str(e, "origin", "collected");
                gd_emit_kv_str(e, "source", gd_redact_enabled(redact) ? "collected: gpudiag collect on the host itself"
                                                                     : "collected: gpudiag collect --no-redact on the host itself");
                gd_emit_kv_bool(e, "root", geteuid() == 0);
        }
        gd_emit_key(e, "redacted");
        gd_emit_flow_seq_begin(e);
        for (const char *const *k = gd_redact_kinds(redact); *k; k++)
                gd_emit_str(e, *k);
        gd_emit_seq_end(e);
        gd_emit_map_end(e);
        return 0;
}

static int cmp_group_name(const void *a, const void *b) {
        long x = strtol(*(char * const *) a, NULL, 10), y = strtol(*(char * const *) b, NULL, 10);
        return (x > y) - (x < y);
}

static bool numeric(const char *name) {
        return name[0] && strspn(name, "0123456789") == strlen(name) && strlen(name) < 10;
}

static bool is_address(const char *name) {
        return gd_pci_address_valid(name);
}

/* The group directories in numeric order. */
static int group_names(char ***ret) {
        int r = dir_list(IOMMU_GROUPS, numeric, ret);

        if (r >= 0)
                qsort(*ret, strv_length(*ret), sizeof(char *), cmp_group_name);
        return r;
}

/* iommu_groups: one entry per /sys/kernel/iommu_groups/N; absent when the
 * directory is. */
static void emit_groups(struct gd_emit *e) {
        _cleanup_strv_free_ char **groups = NULL;

        if (group_names(&groups) < 0)
                return;
        gd_emit_key(e, "iommu_groups");
        gd_emit_seq_begin(e);
        for (size_t i = 0; groups[i]; i++) {
                _cleanup_free_ char *dir = path_join(IOMMU_GROUPS, groups[i]), *type = NULL, *devdir = NULL;
                _cleanup_strv_free_ char **devs = NULL;

                devdir = dir ? path_join(dir, "devices") : NULL;
                if (dir)
                        (void) read_attr(dir, "type", &type);
                if (devdir)
                        (void) dir_list(devdir, is_address, &devs);
                gd_emit_map_begin(e);
                gd_emit_kv_int(e, "group", strtol(groups[i], NULL, 10));
                if (type && *type && !strchr(type, '\n'))
                        gd_emit_kv_str(e, "type", type);
                gd_emit_key(e, "devices");
                gd_emit_flow_seq_begin(e);
                for (size_t k = 0; devs && devs[k]; k++)
                        gd_emit_str(e, devs[k]);
                gd_emit_seq_end(e);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
}

static int cmp_file(const void *a, const void *b) {
        return strcmp((*(const struct gd_bundle_file * const *) a)->path, (*(const struct gd_bundle_file * const *) b)->path);
}

static int emit_files(struct gd_emit *e, const struct gd_bundle_file *files, size_t n, struct gd_redact *redact) {
        _cleanup_free_ const struct gd_bundle_file **sorted = NULL;

        gd_emit_key(e, "files");
        gd_emit_map_begin(e);
        if (n > 0) {
                sorted = calloc(n, sizeof(*sorted));
                if (!sorted)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++)
                        sorted[i] = &files[i];
                qsort(sorted, n, sizeof(*sorted), cmp_file);
        }
        for (size_t i = 0; i < n; i++) {
                const struct gd_bundle_file *f = sorted[i];
                bool keep_host = streq(f->path, "/etc/os-release");

                if (!gd_bundle_path_allowed(f->path) || (i > 0 && streq(f->path, sorted[i - 1]->path)))
                        continue;
                emit_path_key(e, f->path);
                if (f->mtime >= 0) {
                        gd_emit_map_begin(e);
                        gd_emit_key(e, "content");
                }
                if (emit_redacted(e, redact, f->content ? f->content : "", f->content ? f->length : 0, keep_host,
                                  true) < 0)
                        return -ENOMEM;
                if (f->mtime >= 0) {
                        gd_emit_kv_int(e, "mtime", f->mtime);
                        gd_emit_map_end(e);
                }
        }
        gd_emit_map_end(e);
        return 0;
}

static const char *find_lspci(void) {
        static const char *const candidates[] = {
                LSPCI_PATH, "/usr/bin/lspci", "/usr/sbin/lspci", "/sbin/lspci", "/bin/lspci",
        };
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++)
                if (candidates[i][0] && access(candidates[i], X_OK) == 0)
                        return candidates[i];
        return NULL;
}

/* `lspci -nnk` as the host prints it; NULL when lspci is missing or fails. */
static char *run_lspci(size_t *ret_len) {
        const char *lspci = find_lspci();
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int pipefd[2], status;
        pid_t pid;
        struct timespec start, now;

        if (!lspci || pipe2(pipefd, O_CLOEXEC) < 0)
                return NULL;
        buf = malloc(LSPCI_MAX + 1);
        pid = buf ? fork() : -1;
        if (pid < 0) {
                close(pipefd[0]);
                close(pipefd[1]);
                return NULL;
        }
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(pipefd[1], STDOUT_FILENO) < 0 ||
                    dup2(devnull, STDERR_FILENO) < 0)
                        _exit(127);
                execl(lspci, "lspci", "-nnk", (char *) NULL);
                _exit(127);
        }
        close(pipefd[1]);
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
                long elapsed;
                ssize_t n;

                clock_gettime(CLOCK_MONOTONIC, &now);
                elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
                if (elapsed >= LSPCI_TIMEOUT_MS || poll(&p, 1, (int) (LSPCI_TIMEOUT_MS - elapsed)) == 0) {
                        kill(pid, SIGKILL);
                        len = 0;
                        break;
                }
                n = read(pipefd[0], buf + len, LSPCI_MAX - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t) n;
                if (len == LSPCI_MAX) {
                        kill(pid, SIGKILL);
                        len = 0;
                        break;
                }
        }
        close(pipefd[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return NULL;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || len == 0)
                return NULL;
        buf[len] = '\0';
        *ret_len = len;
        return TAKE_PTR(buf);
}

static int emit_findings(struct gd_emit *e, const struct gd_findings *f, struct gd_redact *redact) {
        gd_emit_key(e, "findings");
        gd_emit_seq_begin(e);
        for (size_t i = 0; f && i < f->n; i++) {
                const struct gd_finding *x = &f->items[i];

                gd_emit_map_begin(e);
                gd_emit_kv_str(e, "id", x->id);
                gd_emit_kv_str(e, "severity", gd_severity_to_string(x->severity));
                gd_emit_key(e, "subjects");
                gd_emit_flow_seq_begin(e);
                for (size_t k = 0; x->subjects && x->subjects[k]; k++)
                        gd_emit_str(e, x->subjects[k]);
                gd_emit_seq_end(e);
                gd_emit_key(e, "summary");
                if (emit_redacted(e, redact, x->summary ? x->summary : "", x->summary ? strlen(x->summary) : 0,
                                  false, false) < 0)
                        return -ENOMEM;
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        return 0;
}

int gd_bundle_write(FILE *out, const struct gd_bundle_file *files, size_t n_files, char * const *unreadable,
                    const struct gd_findings *findings, const struct gd_bundle_metadata *replayed,
                    struct gd_redact *redact, char **ret_error) {
        _cleanup_emit_ struct gd_emit *e = NULL;
        _cleanup_free_ char *rec = NULL, *lspci = NULL;
        _cleanup_strv_free_ char **unread = NULL;
        size_t rec_len = 0, lspci_len = 0;
        int r;

        /* Host, domain and user names first, from everything captured:
         * the kernel log says "Hostname set to <...>" long before a VM
         * config or the lspci view names the host again. */
        if (!replayed && gd_redact_enabled(redact)) {
                char host[256] = "";

                if (gethostname(host, sizeof(host) - 1) == 0 && gd_redact_set_hostname(redact, host) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n_files; i++)
                if (files[i].content && gd_redact_learn(redact, files[i].content, files[i].length) < 0)
                        return -ENOMEM;
        if (replayed && replayed->source && gd_redact_learn(redact, replayed->source, strlen(replayed->source)) < 0)
                return -ENOMEM;

        r = gd_record_host(redact, &rec, &rec_len);
        if (r < 0) {
                if (ret_error && asprintf(ret_error, "cannot record /sys/bus/pci/devices: %s", strerror(-r)) < 0)
                        *ret_error = NULL;
                return r == -ENOMEM ? r : -ENODEV;
        }
        lspci = run_lspci(&lspci_len);

        e = gd_emit_new(out, BUNDLE_EMIT_MODE);
        if (!e)
                return -ENOMEM;
        gd_emit_map_begin(e);
        gd_emit_kv_str(e, "format", GD_BUNDLE_FORMAT);
        if (emit_metadata(e, files, n_files, replayed, redact) < 0)
                return -ENOMEM;

        gd_emit_key(e, "umockdev");
        make_utf8(rec, rec_len);
        gd_emit_text(e, rec, rec_len);

        emit_groups(e);
        r = emit_files(e, files, n_files, redact);
        if (r < 0)
                return r;

        for (size_t i = 0; unreadable && unreadable[i]; i++)
                if (gd_bundle_path_allowed(unreadable[i]) && !strv_contains(unread, unreadable[i]) &&
                    strv_push_dup(&unread, unreadable[i]) < 0)
                        return -ENOMEM;
        strv_sort(unread);
        gd_emit_key(e, "unreadable");
        gd_emit_flow_seq_begin(e);
        for (size_t i = 0; unread && unread[i]; i++)
                gd_emit_str(e, unread[i]);
        gd_emit_seq_end(e);

        if (lspci) {
                gd_emit_key(e, "lspci");
                if (emit_redacted(e, redact, lspci, lspci_len, false, true) < 0)
                        return -ENOMEM;
        }
        r = emit_findings(e, findings, redact);
        if (r < 0)
                return r;
        gd_emit_map_end(e);
        return gd_emit_finish(e);
}
