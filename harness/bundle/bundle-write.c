/* SPDX-License-Identifier: MIT */
/* Writes a gpudiag-bundle/1 document (doc/bundle-format.md) of this host
 * through the event emitter: every scalar has an explicit style, so a ':'
 * or '#' in a kernel log line or a config file cannot break the bundle. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/emit.h"
#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/io.h"
#include "base/io-record.h"
#include "base/strv.h"
#include "base/utf8.h"
#include "bundle/bundle.h"
#include "bundle/record.h"
#include "bundle/redact.h"
#include "config.h"
#include "model/finding.h"

#define IOMMU_GROUPS "/sys/kernel/iommu_groups"

/* Block YAML, readable and diffable; base/emit.c works around libfyaml
 * 0.7.12's event-emitter bug with block sequences of mappings. */
#define BUNDLE_EMIT_MODE GD_EMIT_YAML

/* Bytes that are not UTF-8, and NUL, become '?': a YAML stream is UTF-8,
 * and the files collect keeps are text (the kernel log is escaped by the
 * kernel). */
static void make_utf8(char *s, size_t len) {
        for (size_t i = 0; i < len; ) {
                size_t n = s[i] ? utf8_sequence_length(s + i, len - i) : 0;
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

/* The kernel log the bundle keeps, when collect dropped older records to
 * fit the reader's caps (base/io.h): said where people read the bundle's
 * origin. */
static char *kmsg_note(const struct gd_io_recording *rec) {
        const struct gd_io_entry *k = gd_io_recording_find(rec, gd_hostpath(GD_DEV_KMSG)->path);
        char *note = NULL;

        if (!k || k->kmsg_dropped == 0)
                return NULL;
        if (asprintf(&note, "; the kernel log was longer than gpudiag reads (%s): "
                            "its %zu oldest records were dropped, the newest kept",
                     gd_kmsg_limits.name, k->kmsg_dropped) < 0)
                return NULL;
        return note;
}

static int emit_metadata(struct gd_emit *e, const struct gd_io_recording *rec,
                         const struct gd_bundle_metadata *replayed, struct gd_redact *redact) {
        const struct gd_io_entry *osrel = gd_io_recording_find(rec, gd_hostpath(GD_PROC_OSRELEASE)->path);
        _cleanup_free_ char *kernel = NULL, *note = kmsg_note(rec), *source = NULL;
        char created[32];
        time_t now = time(NULL);
        struct tm tm;

        if (osrel && osrel->has_content && osrel->content_error == 0)
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
                if (asprintf(&source, "collected again by gpudiag collect --bundle%s from a bundle of origin %s%s%s%s",
                             gd_redact_enabled(redact) ? "" : " --no-redact",
                             replayed->origin ? replayed->origin : "unknown", replayed->source ? ": " : "",
                             replayed->source ? replayed->source : "", note ? note : "") < 0)
                        return -ENOMEM;
                gd_emit_kv_str(e, "origin", replayed->origin ? replayed->origin : "collected");
                gd_emit_key(e, "source");
                if (emit_redacted(e, redact, source, strlen(source), false, false) < 0)
                        return -ENOMEM;
                if (replayed->root != TRI_UNKNOWN)
                        gd_emit_kv_bool(e, "root", replayed->root == TRI_YES);
        } else {
                if (asprintf(&source, "collected: gpudiag collect%s on the host itself%s",
                             gd_redact_enabled(redact) ? "" : " --no-redact", note ? note : "") < 0)
                        return -ENOMEM;
                gd_emit_kv_str(e, "origin", "collected");
                gd_emit_kv_str(e, "source", source);
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

static bool error_is_absence(int error) {
        return error == -ENOENT || error == -ENOTDIR;
}

/* An error that is not absence: the path is there, and could not be read. */
static bool is_failure(int error) {
        return error < 0 && !error_is_absence(error);
}

static bool is_group_path(const char *path) {
        return streq(path, IOMMU_GROUPS) || startswith(path, IOMMU_GROUPS "/");
}

/* iommu_groups: the groups the reader listed in /sys/kernel/iommu_groups,
 * each with its type and the devices it listed; absent when the directory
 * was, and the directory unreadable when the listing failed otherwise. */
static int emit_groups(struct gd_emit *e, const struct gd_io_recording *rec, char ***unreadable) {
        const struct gd_io_entry *top = gd_io_recording_find(rec, IOMMU_GROUPS);
        _cleanup_free_ char **groups = NULL;
        size_t n = 0;

        if (!top || !top->has_list || error_is_absence(top->list_error))
                return 0;
        if (top->list_error < 0)
                return strv_push_dup(unreadable, IOMMU_GROUPS);
        groups = calloc(strv_length(top->names) + 1, sizeof(char *));
        if (!groups)
                return -ENOMEM;
        for (size_t i = 0; top->names[i]; i++)
                if (numeric(top->names[i]))
                        groups[n++] = top->names[i];
        qsort(groups, n, sizeof(char *), cmp_group_name);

        gd_emit_key(e, "iommu_groups");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *type_path = NULL, *devs_path = NULL;
                const struct gd_io_entry *type, *devs;

                if (asprintf(&type_path, IOMMU_GROUPS "/%s/type", groups[i]) < 0 ||
                    asprintf(&devs_path, IOMMU_GROUPS "/%s/devices", groups[i]) < 0)
                        return -ENOMEM;
                type = gd_io_recording_find(rec, type_path);
                devs = gd_io_recording_find(rec, devs_path);
                /* Members that could not be listed (an imported paste named
                 * only the device's own group): unknown, not none. */
                if (devs && devs->has_list && is_failure(devs->list_error) &&
                    strv_push_dup(unreadable, devs_path) < 0)
                        return -ENOMEM;
                gd_emit_map_begin(e);
                gd_emit_kv_int(e, "group", strtol(groups[i], NULL, 10));
                if (type && type->has_content && type->content_error == 0) {
                        size_t len = type->length;
                        while (len > 0 && (type->content[len - 1] == '\n' || type->content[len - 1] == ' '))
                                len--;
                        if (len > 0 && !memchr(type->content, '\n', len)) {
                                gd_emit_key(e, "type");
                                gd_emit_strn(e, type->content, len);
                        }
                }
                gd_emit_key(e, "devices");
                gd_emit_flow_seq_begin(e);
                for (size_t k = 0; devs && devs->has_list && devs->list_error == 0 && devs->names[k]; k++)
                        if (gd_pci_address_valid(devs->names[k]))
                                gd_emit_str(e, devs->names[k]);
                gd_emit_seq_end(e);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        return 0;
}

/* What a recorded path holds for the bundle's files, when anything: its
 * content (a stat alone: a file whose presence and time are the fact), and
 * its mtime when it was stat()ed. */
struct file_view {
        const char *path;
        const char *content;
        size_t length;
        int64_t mtime;
        char *owned_path;      /* a name of a listed /sys directory */
};

static int add_view(struct file_view **v, size_t *n, struct file_view f) {
        struct file_view *nv = reallocarray(*v, *n + 1, sizeof(**v));

        if (!nv) {
                free(f.owned_path);
                return -ENOMEM;
        }
        *v = nv;
        nv[(*n)++] = f;
        return 0;
}

static void views_free(struct file_view *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i].owned_path);
        free(v);
}

static int cmp_view(const void *a, const void *b) {
        return strcmp(((const struct file_view *) a)->path, ((const struct file_view *) b)->path);
}

/* A listing of a directory below /sys whose names are the fact (the ACPI
 * tables: presence is what the reader asks): each name not recorded
 * otherwise becomes an empty file, so the directory and its names exist on
 * replay.  Elsewhere a name alone is nothing to replay. */
static int add_listed(const struct gd_io_recording *rec, const struct gd_io_entry *e, struct file_view **v,
                      size_t *n) {
        for (size_t i = 0; e->names[i]; i++) {
                char *p = path_join(e->path, e->names[i]);
                int r;

                if (!p)
                        return -ENOMEM;
                if (gd_io_recording_find(rec, p) || !gd_bundle_path_allowed(p)) {
                        free(p);
                        continue;
                }
                r = add_view(v, n, (struct file_view) { .path = p, .content = "", .mtime = -1, .owned_path = p });
                if (r < 0)
                        return r;
        }
        return 0;
}

static int collect_files(const struct gd_io_recording *rec, struct file_view **ret, size_t *ret_n,
                         char ***unreadable) {
        struct file_view *v = NULL;
        size_t n = 0;
        int r = 0;

        for (size_t i = 0; r >= 0 && i < gd_io_recording_size(rec); i++) {
                const struct gd_io_entry *e = gd_io_recording_entry(rec, i);
                bool stat_ok = e->has_stat && e->stat_error == 0;

                if (!gd_bundle_path_allowed(e->path) || gd_record_path_is_device(e->path) || is_group_path(e->path))
                        continue;
                if (e->has_content && e->content_error == 0)
                        r = add_view(&v, &n, (struct file_view) {
                                .path = e->path, .content = e->content, .length = e->length,
                                .mtime = stat_ok && e->is_reg ? e->mtime : -1,
                        });
                else if (!e->has_content && stat_ok && e->is_reg)
                        r = add_view(&v, &n, (struct file_view) { .path = e->path, .content = "", .mtime = e->mtime });
                else if (!e->has_content && stat_ok && e->is_node)
                        /* A device node: presence is the fact; replay makes
                         * it an empty file below the config root. */
                        r = add_view(&v, &n, (struct file_view) { .path = e->path, .content = "", .mtime = -1 });
                else if ((e->has_content && is_failure(e->content_error)) ||
                         (e->has_stat && is_failure(e->stat_error)) ||
                         (e->has_list && is_failure(e->list_error)))
                        r = strv_push_dup(unreadable, e->path);
                if (r >= 0 && e->has_list && e->list_error == 0 && startswith(e->path, "/sys/"))
                        r = add_listed(rec, e, &v, &n);
        }
        if (r < 0) {
                views_free(v, n);
                return r;
        }
        if (n > 1)
                qsort(v, n, sizeof(*v), cmp_view);
        *ret = v;
        *ret_n = n;
        return 0;
}

/* Whether anything of the bundle lies below dir: a file (views sorted by
 * path) or a path of list. */
static bool has_below(const char *dir, const struct file_view *files, size_t n, char * const *list) {
        size_t len = strlen(dir);

        for (size_t i = 0; i < n; i++)
                if (strncmp(files[i].path, dir, len) == 0 && files[i].path[len] == '/')
                        return true;
        for (size_t i = 0; list && list[i]; i++)
                if (strncmp(list[i], dir, len) == 0 && list[i][len] == '/')
                        return true;
        return false;
}

/* dirs: the directories the reader listed, or found by stat(), that the
 * rest of the bundle does not create: without them a replay would have no
 * such directory at all, and an empty /sys/class/iommu ("no IOMMU unit") or
 * /etc/dracut.conf.d (dracut) reads differently from a missing one. */
static int collect_dirs(const struct gd_io_recording *rec, const struct file_view *files, size_t n_files,
                        char * const *unreadable, bool iommu_records, char ***ret) {
        _cleanup_strv_free_ char **dirs = NULL;
        int r;

        for (size_t i = 0; i < gd_io_recording_size(rec); i++) {
                const struct gd_io_entry *e = gd_io_recording_entry(rec, i);
                bool is_dir = (e->has_list && e->list_error == 0) || (e->has_stat && e->stat_error == 0 && e->is_dir);
                bool class_iommu = streq(e->path, "/sys/class/iommu");

                if (!is_dir || !gd_bundle_path_allowed(e->path) || is_group_path(e->path) ||
                    (gd_record_path_is_device(e->path) && !class_iommu) || (class_iommu && iommu_records))
                        continue;
                if (has_below(e->path, files, n_files, unreadable))
                        continue;
                r = strv_push_dup(&dirs, e->path);
                if (r < 0)
                        return r;
        }
        /* A directory below another makes that one too. */
        for (size_t i = 0; dirs && dirs[i]; i++)
                if (has_below(dirs[i], NULL, 0, dirs)) {
                        free(dirs[i]);
                        memmove(dirs + i, dirs + i + 1, strv_length(dirs + i + 1) * sizeof(char *) + sizeof(char *));
                        i--;
                }
        *ret = TAKE_PTR(dirs);
        return 0;
}

static int emit_files(struct gd_emit *e, const struct file_view *files, size_t n, struct gd_redact *redact) {
        gd_emit_key(e, "files");
        gd_emit_map_begin(e);
        for (size_t i = 0; i < n; i++) {
                const struct file_view *f = &files[i];
                bool keep_host = streq(f->path, "/etc/os-release");

                if (i > 0 && streq(f->path, files[i - 1].path))
                        continue;
                emit_path_key(e, f->path);
                if (f->mtime >= 0) {
                        gd_emit_map_begin(e);
                        gd_emit_key(e, "content");
                }
                if (emit_redacted(e, redact, f->content, f->length, keep_host, true) < 0)
                        return -ENOMEM;
                if (f->mtime >= 0) {
                        gd_emit_kv_int(e, "mtime", f->mtime);
                        gd_emit_map_end(e);
                }
        }
        gd_emit_map_end(e);
        return 0;
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

int gd_bundle_write(FILE *out, const struct gd_io_recording *rec, const char *lspci, size_t lspci_len,
                    const struct gd_findings *findings, const struct gd_bundle_metadata *replayed,
                    struct gd_redact *redact) {
        _cleanup_emit_ struct gd_emit *e = NULL;
        _cleanup_free_ char *umockdev = NULL;
        _cleanup_strv_free_ char **unread = NULL, **dirs = NULL;
        struct file_view *files = NULL;
        size_t umockdev_len = 0, n_files = 0;
        int r;

        /* Host, domain and user names first, from everything recorded:
         * the kernel log says "Hostname set to <...>" long before a VM
         * config or the lspci view names the host again. */
        if (!replayed && gd_redact_enabled(redact)) {
                char host[256] = "";

                if (gethostname(host, sizeof(host) - 1) == 0 && gd_redact_set_hostname(redact, host) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < gd_io_recording_size(rec); i++) {
                const struct gd_io_entry *en = gd_io_recording_entry(rec, i);

                if (en->has_content && en->content_error == 0 && en->content &&
                    gd_redact_learn(redact, en->content, en->length) < 0)
                        return -ENOMEM;
        }
        if (lspci && gd_redact_learn(redact, lspci, lspci_len) < 0)
                return -ENOMEM;
        if (replayed && replayed->source && gd_redact_learn(redact, replayed->source, strlen(replayed->source)) < 0)
                return -ENOMEM;

        r = gd_record_umockdev(rec, redact, &umockdev, &umockdev_len, &unread);
        if (r < 0)
                return r;
        r = collect_files(rec, &files, &n_files, &unread);
        if (r < 0)
                return r;
        r = collect_dirs(rec, files, n_files, unread, strstr(umockdev, "\nE: SUBSYSTEM=iommu\n") != NULL, &dirs);
        if (r < 0) {
                views_free(files, n_files);
                return r;
        }

        e = gd_emit_new(out, BUNDLE_EMIT_MODE);
        if (!e) {
                views_free(files, n_files);
                return -ENOMEM;
        }
        gd_emit_map_begin(e);
        gd_emit_kv_str(e, "format", dirs ? GD_BUNDLE_FORMAT_2 : GD_BUNDLE_FORMAT);
        if (emit_metadata(e, rec, replayed, redact) < 0) {
                views_free(files, n_files);
                return -ENOMEM;
        }

        gd_emit_key(e, "umockdev");
        make_utf8(umockdev, umockdev_len);
        gd_emit_text(e, umockdev, umockdev_len);

        r = emit_groups(e, rec, &unread);
        if (r >= 0)
                r = emit_files(e, files, n_files, redact);
        views_free(files, n_files);
        if (r < 0)
                return r;

        strv_sort(unread);
        gd_emit_key(e, "unreadable");
        gd_emit_flow_seq_begin(e);
        for (size_t i = 0; unread && unread[i]; i++)
                if (gd_bundle_path_allowed(unread[i]) && (i == 0 || !streq(unread[i], unread[i - 1])))
                        gd_emit_str(e, unread[i]);
        gd_emit_seq_end(e);

        if (dirs) {
                gd_emit_key(e, "dirs");
                gd_emit_flow_seq_begin(e);
                for (size_t i = 0; dirs[i]; i++)
                        gd_emit_str(e, dirs[i]);
                gd_emit_seq_end(e);
        }

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
