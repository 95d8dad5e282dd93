/* SPDX-License-Identifier: MIT */
/* Carrying out one step of a plan, and undoing a journal (apply.h).
 *
 * A file is written only when it still holds the content the plan was
 * computed from (a new file: when it still does not exist), through a
 * temporary file in its directory renamed over it, with the mode and owner
 * it had; a link is followed to the file it names, which must stay below
 * the config root.  Its copy goes into the journal, and the journal's
 * record is on disk, before the file changes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply-internal.h"
#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/strv.h"

/* Configuration files, VM configs: far below this. */
#define FILE_MAX (64u * 1024u * 1024u)

char *gd_apply_real_path(const char *host_path) {
        const char *root = gd_config_root();
        return streq(root, "/") ? strdup(host_path) : path_join(root, host_path);
}

static char *real_path_in(const char *root, const char *host_path) {
        return streq(root, "/") ? strdup(host_path) : path_join(root, host_path);
}

/* The file to write for path: the target of a link, when it is one; -EPERM
 * when that leaves the root. */
static int resolve(const char *root, const char *path, char **ret) {
        char buf[PATH_MAX], rootbuf[PATH_MAX];
        struct stat st;

        if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode))
                return (*ret = strdup(path)) ? 0 : -ENOMEM;
        if (!realpath(path, buf))
                return -errno;
        if (!streq(root, "/")) {
                size_t n;
                if (!realpath(root, rootbuf))
                        return -errno;
                n = strlen(rootbuf);
                if (strncmp(buf, rootbuf, n) != 0 || buf[n] != '/')
                        return -EPERM;
        }
        return (*ret = strdup(buf)) ? 0 : -ENOMEM;
}

/* Writes content to path through a temporary file renamed over it; mode
 * and owner from like (a stat of the file replaced), else 0644. */
static int write_atomic(const char *path, const char *content, size_t len, const struct stat *like) {
        _cleanup_free_ char *tmp = NULL, *dir = strdup(path);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        int fd, r = 0;

        if (!slash)
                return -ENOMEM;
        *slash = '\0';
        if (asprintf(&tmp, "%s/.gpudiag-XXXXXX", *dir ? dir : "/") < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        for (size_t done = 0; done < len && r == 0;) {
                ssize_t w = write(fd, content + done, len - done);
                if (w < 0 && errno != EINTR)
                        r = -errno;
                else if (w > 0)
                        done += (size_t) w;
        }
        if (r == 0 && fchmod(fd, like ? like->st_mode & 07777 : 0644) < 0)
                r = -errno;
        if (r == 0 && like && fchown(fd, like->st_uid, like->st_gid) < 0 && errno != EPERM)
                r = -errno;
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

/* A copy of src (or of text) into the journal, with src's mode. */
static int copy_in(const char *dst, const char *text, size_t len, const struct stat *like) {
        return write_atomic(dst, text, len, like);
}

static int read_whole(const char *path, char **ret, size_t *ret_len) {
        return read_file_capped(path, FILE_MAX, ret, ret_len);
}

static int edit(struct gd_journal *j, const struct gd_plan_step *s) {
        _cleanup_free_ char *real = gd_apply_real_path(s->path), *target = NULL, *cur = NULL;
        _cleanup_free_ char *copy = NULL, *after_copy = NULL;
        unsigned n = j->next_n++;
        size_t cur_len = 0;
        struct stat st;
        int r;

        if (!real)
                return -ENOMEM;
        r = resolve(j->root, real, &target);
        if (r < 0)
                return r;
        if (!s->before) {
                if (lstat(target, &st) == 0)
                        return -ESTALE;
                if (errno != ENOENT)
                        return -errno;
        } else {
                r = read_whole(target, &cur, &cur_len);
                if (r == -ENOENT)
                        return -ESTALE;
                if (r < 0)
                        return r;
                if (cur_len != strlen(s->before) || memcmp(cur, s->before, cur_len) != 0)
                        return -ESTALE;
                if (stat(target, &st) < 0)
                        return -errno;
        }
        copy = journal_copy_path(j, n, false);
        after_copy = journal_copy_path(j, n, true);
        if (!copy || !after_copy)
                return -ENOMEM;
        if (s->before && (r = copy_in(copy, cur, cur_len, &st)) < 0)
                return r;
        r = copy_in(after_copy, s->after, strlen(s->after), s->before ? &st : NULL);
        if (r < 0)
                return r;
        r = journal_add(j, s->before ? JREC_FILE : JREC_NEW, s->path, n, 0, NULL);
        if (r < 0)
                return r;
        if (!s->before) {
                _cleanup_free_ char *dir = strdup(target);
                char *slash = dir ? strrchr(dir, '/') : NULL;
                if (!slash)
                        return -ENOMEM;
                *slash = '\0';
                if (*dir && (r = journal_mkdir_parents(dir)) < 0)
                        return r;
        }
        return write_atomic(target, s->after, strlen(s->after), s->before ? &st : NULL);
}

static int run(char * const *argv, int *ret_status) {
        pid_t pid;
        int status;

        if (!argv || !argv[0])
                return -EINVAL;
        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                execvp(argv[0], argv);
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return *ret_status == 0 ? 0 : -ECHILD;
}

static int command(struct gd_journal *j, const struct gd_plan_step *s, int *ret_status) {
        int status = 0, r;

        /* Files the command rewrites itself: copied first, for a person
         * (undo runs the command's inverse instead). */
        for (size_t i = 0; s->touches && s->touches[i]; i++) {
                _cleanup_free_ char *real = gd_apply_real_path(s->touches[i]), *text = NULL, *copy = NULL;
                size_t len = 0;
                struct stat st;
                unsigned n = j->next_n++;

                if (!real)
                        return -ENOMEM;
                if (read_whole(real, &text, &len) < 0 || stat(real, &st) < 0)
                        continue;
                copy = journal_copy_path(j, n, false);
                if (!copy)
                        return -ENOMEM;
                if ((r = copy_in(copy, text, len, &st)) < 0 ||
                    (r = journal_add(j, JREC_TOUCHED, s->touches[i], n, 0, NULL)) < 0)
                        return r;
        }
        r = run(s->argv, &status);
        if (ret_status)
                *ret_status = status;
        if (r < 0 && r != -ECHILD)
                return r;
        {
                int r2 = journal_add(j, JREC_COMMAND, NULL, 0, status, s->argv);
                if (r2 >= 0 && s->undo_argv && status == 0)
                        r2 = journal_add(j, JREC_UNDO, NULL, 0, 0, s->undo_argv);
                if (r2 < 0)
                        return r2;
        }
        return r;
}

int gd_apply_step(struct gd_journal *j, const struct gd_plan_step *s, int *ret_status) {
        if (gd_step_needs_person(s))
                return -EINVAL;
        if (s->kind == GD_STEP_EDIT)
                return edit(j, s);
        if (s->kind == GD_STEP_COMMAND)
                return command(j, s, ret_status);
        return -EINVAL;
}

/* ---- undo -------------------------------------------------------------- */

void gd_undo_items_free(struct gd_undo_item *items, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(items[i].path);
                strv_free(items[i].argv);
        }
        free(items);
}

static bool holds(const char *path, const char *expected_path) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        size_t la = 0, lb = 0;

        if (read_whole(path, &a, &la) < 0 || read_whole(expected_path, &b, &lb) < 0)
                return false;
        return la == lb && memcmp(a, b, la) == 0;
}

int gd_undo_items(struct gd_journal *j, struct gd_undo_item **ret, size_t *ret_n) {
        struct gd_undo_item *items = NULL;
        size_t n = 0;

        /* Files, the last written first; then the commands in apply's order. */
        for (size_t pass = 0; pass < 2; pass++)
                for (size_t k = 0; k < j->n_recs; k++) {
                        size_t i = pass == 0 ? j->n_recs - 1 - k : k;
                        const struct jrec *r = &j->recs[i];
                        struct gd_undo_item *it;

                        if (pass == 0 && r->kind != JREC_FILE && r->kind != JREC_NEW)
                                continue;
                        if (pass == 1 && (r->kind != JREC_UNDO || i == 0 || j->recs[i - 1].kind != JREC_COMMAND ||
                                          j->recs[i - 1].status != 0))
                                continue;
                        it = reallocarray(items, n + 1, sizeof(*it));
                        if (!it) {
                                gd_undo_items_free(items, n);
                                return -ENOMEM;
                        }
                        items = it;
                        it = &items[n++];
                        *it = (struct gd_undo_item) { .created = r->kind == JREC_NEW };
                        if (pass == 0) {
                                _cleanup_free_ char *real = real_path_in(j->root, r->path);
                                _cleanup_free_ char *after = journal_copy_path(j, r->n, true);
                                it->path = strdup(r->path);
                                if (!it->path || !real || !after) {
                                        gd_undo_items_free(items, n);
                                        return -ENOMEM;
                                }
                                it->changed = !holds(real, after);
                        } else if (!(it->argv = strv_copy(r->argv))) {
                                gd_undo_items_free(items, n);
                                return -ENOMEM;
                        }
                }
        *ret = items;
        *ret_n = n;
        return 0;
}

int gd_undo_file(struct gd_journal *j, const struct gd_undo_item *item) {
        _cleanup_free_ char *real = NULL, *target = NULL, *copy = NULL, *text = NULL;
        const struct jrec *rec = NULL;
        size_t len = 0;
        struct stat st;
        int r;

        for (size_t i = j->n_recs; i > 0 && !rec; i--)
                if ((j->recs[i - 1].kind == JREC_FILE || j->recs[i - 1].kind == JREC_NEW) &&
                    streq(j->recs[i - 1].path, item->path))
                        rec = &j->recs[i - 1];
        if (!rec)
                return -ENOENT;
        real = real_path_in(j->root, rec->path);
        if (!real)
                return -ENOMEM;
        r = resolve(j->root, real, &target);
        if (r < 0)
                return r;
        if (rec->kind == JREC_NEW)
                return unlink(target) < 0 && errno != ENOENT ? -errno : 0;
        copy = journal_copy_path(j, rec->n, false);
        if (!copy)
                return -ENOMEM;
        r = read_whole(copy, &text, &len);
        if (r < 0)
                return r;
        if (stat(copy, &st) < 0)
                return -errno;
        {
                /* The owner of the file as it is now; the mode of the copy,
                 * which is the file's mode before apply. */
                struct stat now;
                if (stat(target, &now) == 0) {
                        st.st_uid = now.st_uid;
                        st.st_gid = now.st_gid;
                }
        }
        return write_atomic(target, text, len, &st);
}

int gd_undo_command(const struct gd_undo_item *item, int *ret_status) {
        int status = 0, r = run(item->argv, &status);

        if (ret_status)
                *ret_status = status;
        return r;
}
