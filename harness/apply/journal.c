/* SPDX-License-Identifier: MIT */
/* The journal of gpudiag apply: its directory, its manifest and its copies
 * (the format is in apply.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply-internal.h"
#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/strv.h"

#define MANIFEST "manifest"
#define MAGIC "gpudiag-journal 1"

/* The time as a directory name (compact) or for the manifest (ISO 8601). */
static void utc_stamp(char *buf, size_t size, bool compact) {
        time_t now = time(NULL);
        struct tm tm;

        if (!gmtime_r(&now, &tm) ||
            strftime(buf, size, compact ? "%Y%m%dT%H%M%SZ" : "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, size, "%lld", (long long) now);
}

static int mkdir_parents(const char *path, mode_t mode) {
        _cleanup_free_ char *copy = strdup(path);

        if (!copy)
                return -ENOMEM;
        for (char *p = copy + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(copy, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        if (mkdir(copy, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int journal_mkdir_parents(const char *path) {
        return mkdir_parents(path, 0755);
}

/* ---- records ---------------------------------------------------------- */

static bool field_ok(const char *s) {
        return s && !strpbrk(s, "\t\n");
}

int journal_record(struct gd_journal *j, const char *kind, char * const *fields) {
        for (size_t i = 0; fields && fields[i]; i++)
                if (!field_ok(fields[i]))
                        return -EINVAL;
        fputs(kind, j->manifest);
        for (size_t i = 0; fields && fields[i]; i++)
                fprintf(j->manifest, "\t%s", fields[i]);
        fputc('\n', j->manifest);
        if (fflush(j->manifest) != 0 || fsync(fileno(j->manifest)) < 0)
                return -EIO;
        return 0;
}

static int record_push(struct gd_journal *j, enum jrec_kind kind, const char *path, unsigned n, int status,
                       char * const *argv) {
        struct jrec *r = reallocarray(j->recs, j->n_recs + 1, sizeof(*r));

        if (!r)
                return -ENOMEM;
        j->recs = r;
        r = &r[j->n_recs];
        *r = (struct jrec) { .kind = kind, .n = n, .status = status };
        if (path && !(r->path = strdup(path)))
                return -ENOMEM;
        for (size_t i = 0; argv && argv[i]; i++)
                if (strv_push_dup(&r->argv, argv[i]) < 0) {
                        free(r->path);
                        strv_free(r->argv);
                        return -ENOMEM;
                }
        j->n_recs++;
        return 0;
}

int journal_add(struct gd_journal *j, enum jrec_kind kind, const char *path, unsigned n, int status,
                char * const *argv) {
        static const char *const names[] = {
                [JREC_FILE] = "file", [JREC_NEW] = "new", [JREC_TOUCHED] = "touched",
                [JREC_COMMAND] = "command", [JREC_UNDO] = "undo",
        };
        _cleanup_strv_free_ char **fields = NULL;
        char num[32];
        int r;

        if (kind == JREC_COMMAND) {
                snprintf(num, sizeof(num), "%d", status);
                if (strv_push_dup(&fields, num) < 0)
                        return -ENOMEM;
        } else if (kind != JREC_UNDO) {
                snprintf(num, sizeof(num), "%u", n);
                if (strv_push_dup(&fields, path) < 0 || strv_push_dup(&fields, num) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; argv && argv[i]; i++)
                if (strv_push_dup(&fields, argv[i]) < 0)
                        return -ENOMEM;
        r = journal_record(j, names[kind], fields);
        if (r < 0)
                return r;
        return record_push(j, kind, path, n, status, argv);
}

char *journal_copy_path(const struct gd_journal *j, unsigned n, bool after) {
        char *p = NULL;

        if (asprintf(&p, "%s/files/%u%s", j->dir, n, after ? ".after" : "") < 0)
                return NULL;
        return p;
}

/* ---- create, open ------------------------------------------------------ */

int gd_journal_create(const char *dir, struct gd_journal **ret, char **ret_path) {
        _cleanup_free_ char *run = NULL, *files = NULL, *manifest = NULL;
        struct gd_journal *j;
        char stamp[32];
        int fd, r;

        r = mkdir_parents(dir, 0755);
        if (r < 0)
                return r;
        utc_stamp(stamp, sizeof(stamp), true);
        for (unsigned k = 1;; k++) {
                free(run);
                if ((k == 1 ? asprintf(&run, "%s/%s", dir, stamp) : asprintf(&run, "%s/%s-%u", dir, stamp, k)) < 0)
                        return -ENOMEM;
                if (mkdir(run, 0700) == 0)
                        break;
                if (errno != EEXIST || k > 1000)
                        return -errno;
        }
        if (asprintf(&files, "%s/files", run) < 0 || asprintf(&manifest, "%s/" MANIFEST, run) < 0)
                return -ENOMEM;
        if (mkdir(files, 0700) < 0)
                return -errno;
        fd = open(manifest, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        j = calloc(1, sizeof(*j));
        if (!j) {
                close(fd);
                return -ENOMEM;
        }
        j->manifest = fdopen(fd, "a");
        j->dir = strdup(run);
        j->root = strdup(gd_config_root());
        if (!j->manifest || !j->dir || !j->root) {
                if (!j->manifest)
                        close(fd);
                gd_journal_free(j);
                return -ENOMEM;
        }
        fputs(MAGIC "\n", j->manifest);
        r = journal_record(j, "root", (char *[]) { j->root, NULL });
        if (r < 0) {
                gd_journal_free(j);
                return r;
        }
        if (ret_path && !(*ret_path = strdup(run))) {
                gd_journal_free(j);
                return -ENOMEM;
        }
        *ret = j;
        return 0;
}

static int parse_manifest(struct gd_journal *j, char *text) {
        char *save = NULL;
        char *line = strtok_r(text, "\n", &save);

        if (!line || !streq(line, MAGIC))
                return -EBADMSG;
        while ((line = strtok_r(NULL, "\n", &save))) {
                _cleanup_strv_free_ char **f = NULL;
                char *fs = NULL, *w;
                size_t n;
                int r = 0;

                for (w = strtok_r(line, "\t", &fs); w; w = strtok_r(NULL, "\t", &fs))
                        if (strv_push_dup(&f, w) < 0)
                                return -ENOMEM;
                n = strv_length(f);
                if (n == 0)
                        return -EBADMSG;
                if (streq(f[0], "root") && n == 2) {
                        free(j->root);
                        if (!(j->root = strdup(f[1])))
                                return -ENOMEM;
                } else if ((streq(f[0], "file") || streq(f[0], "new") || streq(f[0], "touched")) && n == 3 &&
                           path_is_safe_absolute(f[1])) {
                        enum jrec_kind k = streq(f[0], "file") ? JREC_FILE : streq(f[0], "new") ? JREC_NEW : JREC_TOUCHED;
                        unsigned num = (unsigned) strtoul(f[2], NULL, 10);
                        r = record_push(j, k, f[1], num, 0, NULL);
                        if (num >= j->next_n)
                                j->next_n = num + 1;
                } else if (streq(f[0], "command") && n >= 3) {
                        r = record_push(j, JREC_COMMAND, NULL, 0, atoi(f[1]), f + 2);
                } else if (streq(f[0], "undo") && n >= 2) {
                        r = record_push(j, JREC_UNDO, NULL, 0, 0, f + 1);
                } else if (streq(f[0], "complete") && n == 1) {
                        j->complete = true;
                } else if (streq(f[0], "undone")) {
                        j->undone = true;
                } else
                        return -EBADMSG;
                if (r < 0)
                        return r;
        }
        return 0;
}

static int open_at(const char *path, struct gd_journal **ret) {
        _cleanup_free_ char *manifest = NULL, *text = NULL;
        struct gd_journal *j;
        int r, fd;

        if (asprintf(&manifest, "%s/" MANIFEST, path) < 0)
                return -ENOMEM;
        r = read_file_capped(manifest, 16u * 1024u * 1024u, &text, NULL);
        if (r < 0)
                return r;
        j = calloc(1, sizeof(*j));
        if (!j || !(j->dir = strdup(path))) {
                free(j);
                return -ENOMEM;
        }
        r = parse_manifest(j, text);
        if (r < 0) {
                gd_journal_free(j);
                return r;
        }
        fd = open(manifest, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0 || !(j->manifest = fdopen(fd, "a"))) {
                r = -errno;
                if (fd >= 0)
                        close(fd);
                gd_journal_free(j);
                return r;
        }
        *ret = j;
        return 0;
}

int gd_journal_open(const char *dir, const char *path, struct gd_journal **ret) {
        _cleanup_strv_free_ char **names = NULL;
        int r;

        if (path)
                return open_at(path, ret);
        r = dir_list(dir, NULL, &names);
        if (r < 0)
                return r;
        for (size_t i = strv_length(names); i > 0; i--) {
                _cleanup_free_ char *run = path_join(dir, names[i - 1]);
                struct gd_journal *j = NULL;

                if (!run)
                        return -ENOMEM;
                if (open_at(run, &j) < 0)
                        continue;
                if (!j->undone) {
                        *ret = j;
                        return 0;
                }
                gd_journal_free(j);
        }
        return -ENOENT;
}

struct gd_journal *gd_journal_free(struct gd_journal *j) {
        if (!j)
                return NULL;
        if (j->manifest)
                fclose(j->manifest);
        for (size_t i = 0; i < j->n_recs; i++) {
                free(j->recs[i].path);
                strv_free(j->recs[i].argv);
        }
        free(j->recs);
        free(j->dir);
        free(j->root);
        free(j);
        return NULL;
}

const char *gd_journal_path(const struct gd_journal *j) {
        return j->dir;
}

bool gd_journal_undone(const struct gd_journal *j) {
        return j->undone;
}

int gd_journal_complete(struct gd_journal *j) {
        j->complete = true;
        return journal_record(j, "complete", NULL);
}

int gd_journal_mark_undone(struct gd_journal *j) {
        char stamp[32];

        utc_stamp(stamp, sizeof(stamp), false);
        j->undone = true;
        return journal_record(j, "undone", (char *[]) { stamp, NULL });
}
