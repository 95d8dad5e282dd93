/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup-on-signal.h"
#include "fileio.h"
#include "macro.h"

/* An entry is written completely before used is set, and used is cleared
 * before it is reused: the handler, which interrupts this (single-threaded)
 * process between two instructions, never sees half an entry. */
static struct {
        volatile sig_atomic_t used;
        pid_t owner;
        char path[PATH_MAX];
} dirs[SIGNAL_CLEANUP_DIRS];

static struct {
        volatile sig_atomic_t used;
        pid_t owner;
        pid_t pid;
        bool group;
} children[SIGNAL_CLEANUP_CHILDREN];

static const int fatal[] = { SIGINT, SIGTERM, SIGHUP };

/* ---- removal without malloc --------------------------------------------- */

struct linux_dirent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

/* Directories whose place in their parent's listing is kept while they are
 * emptied; deeper ones are found again by listing the parent anew. */
#define RM_DEPTH 64
/* Directories that could not be emptied, by inode: not entered again. */
#define STUCK_MAX 64

static bool is_dot(const char *name) {
        return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

static bool stuck(const ino_t *s, size_t n, ino_t ino) {
        for (size_t i = 0; i < n; i++)
                if (s[i] == ino)
                        return true;
        return false;
}

struct rm_level {
        int64_t resume;                 /* the parent's listing after this directory */
        bool resumed;                   /* this listing went on after a child */
        bool progress;                  /* this pass removed something */
        bool left;                      /* this pass left something */
        char name[256];                 /* this directory's name in its parent */
};

static void note(int *first_error, bool *left, int r) {
        if (!*first_error)
                *first_error = r;
        *left = true;
}

/* Iterative, one directory open at a time.  Each entry is removed by the
 * kind its listing gives (d_type; for DT_UNKNOWN an unlink() says EISDIR), a
 * directory is entered, emptied, left through ".." (for a directory opened
 * with O_NOFOLLOW the one it was entered from) and removed, and the parent's
 * listing goes on after it (lseek() to its d_off).  A listing that went on
 * that way is read once more from the start when that pass removed
 * something: a file system whose offsets are positions (not cookies) may
 * have moved entries past the place.  Below RM_DEPTH levels a directory is
 * listed from its start after each child, as the remover before this one
 * did everywhere: that was quadratic in a directory of 4,040 IOMMU groups,
 * with two failing calls per subdirectory each time.  A directory that
 * cannot be emptied is remembered and not entered again. */
int rm_rf_signal_safe(const char *dir, bool keep_dir) {
        _Alignas(struct linux_dirent64) char buf[4096];
        struct rm_level level[RM_DEPTH];
        ino_t stuck_ino[STUCK_MAX];
        size_t n_stuck = 0;
        unsigned depth = 0;
        bool deep_left = false;
        int fd, first_error = 0;

        fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                if (errno == ENOTDIR || errno == ELOOP)
                        return keep_dir || unlink(dir) == 0 ? 0 : -errno;
                return -errno;
        }
        level[0] = (struct rm_level) {};
        for (;;) {
                struct rm_level *here = depth < RM_DEPTH ? &level[depth] : NULL;
                bool *left = here ? &here->left : &deep_left;
                bool entered = false;
                long n;

                while (!entered && (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
                        for (long off = 0; off < n && !entered; ) {
                                struct linux_dirent64 *d = (struct linux_dirent64 *) (buf + off);
                                const char *name = d->d_name;
                                int sub;

                                off += d->d_reclen;
                                if (is_dot(name))
                                        continue;
                                if (d->d_type != DT_DIR) {
                                        if (unlinkat(fd, name, 0) == 0) {
                                                if (here)
                                                        here->progress = true;
                                                continue;
                                        }
                                        if (errno == ENOENT)
                                                continue;
                                        if (errno != EISDIR && errno != EPERM) {
                                                note(&first_error, left, -errno);
                                                continue;
                                        }
                                }
                                /* Below the kept levels the parent is listed
                                 * anew: an emptied directory goes when met. */
                                if (!(here && depth + 1 < RM_DEPTH) && unlinkat(fd, name, AT_REMOVEDIR) == 0)
                                        continue;
                                if (stuck(stuck_ino, n_stuck, (ino_t) d->d_ino) ||
                                    (sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
                                        note(&first_error, left, -EBUSY);
                                        continue;
                                }
                                if (here && depth + 1 < RM_DEPTH) {
                                        size_t len = strlen(name);

                                        if (len >= sizeof(level[0].name)) {
                                                close(sub);
                                                note(&first_error, left, -ENAMETOOLONG);
                                                continue;
                                        }
                                        here->resumed = true;
                                        level[depth + 1] = (struct rm_level) { .resume = d->d_off };
                                        memcpy(level[depth + 1].name, name, len + 1);
                                } else
                                        deep_left = false;
                                close(fd);
                                fd = sub;
                                depth++;
                                entered = true;
                        }
                if (entered)
                        continue;
                /* The end of this directory's listing. */
                if (here && here->resumed && here->progress) {
                        here->resumed = here->progress = here->left = false;
                        (void) lseek(fd, 0, SEEK_SET);
                        continue;
                }
                if (*left) {
                        struct stat st;

                        if (n_stuck == STUCK_MAX || fstat(fd, &st) < 0)
                                break;          /* give up rather than loop */
                        stuck_ino[n_stuck++] = st.st_ino;
                }
                if (depth == 0)
                        break;
                {
                        int parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                        close(fd);
                        if (parent < 0)
                                return -errno;
                        fd = parent;
                        depth--;
                }
                if (depth + 1 < RM_DEPTH) {
                        if (unlinkat(fd, level[depth + 1].name, AT_REMOVEDIR) == 0 || errno == ENOENT)
                                level[depth].progress = true;
                        else
                                note(&first_error, &level[depth].left, -errno);
                        (void) lseek(fd, level[depth + 1].resume, SEEK_SET);
                } else {
                        /* Too deep to know the place: from the start. */
                        deep_left = false;
                        (void) lseek(fd, 0, SEEK_SET);
                }
        }
        close(fd);
        if (!keep_dir && rmdir(dir) < 0 && errno != ENOENT && !first_error)
                first_error = -errno;
        return first_error;
}

/* ---- the handler -------------------------------------------------------- */

static void on_fatal_signal(int sig) {
        pid_t self = getpid();
        int saved = errno;

        for (size_t i = 0; i < ELEMENTSOF(children); i++)
                if (children[i].used && children[i].owner == self)
                        (void) kill(children[i].group ? -children[i].pid : children[i].pid, SIGKILL);
        for (size_t i = 0; i < ELEMENTSOF(children); i++)
                if (children[i].used && children[i].owner == self)
                        while (waitpid(children[i].pid, NULL, 0) < 0 && errno == EINTR)
                                ;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (dirs[i].used && dirs[i].owner == self)
                        (void) rm_rf_signal_safe(dirs[i].path, false);
        /* Die of the signal itself: it is blocked while this runs and is
         * delivered with the default action on return. */
        signal(sig, SIG_DFL);
        (void) kill(self, sig);
        errno = saved;
}

static void install(void) {
        static bool installed;
        struct sigaction sa = { .sa_handler = on_fatal_signal };

        if (installed)
                return;
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < ELEMENTSOF(fatal); i++)
                sigaddset(&sa.sa_mask, fatal[i]);
        for (size_t i = 0; i < ELEMENTSOF(fatal); i++) {
                struct sigaction old;

                /* A signal ignored by who started us (nohup) stays ignored. */
                if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
                        continue;
                (void) sigaction(fatal[i], &sa, NULL);
        }
        installed = true;
}

int signal_cleanup_add_dir(const char *dir) {
        size_t len = strlen(dir);

        if (len >= PATH_MAX)
                return -ENAMETOOLONG;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (!dirs[i].used) {
                        memcpy(dirs[i].path, dir, len + 1);
                        dirs[i].owner = getpid();
                        __atomic_signal_fence(__ATOMIC_SEQ_CST);
                        dirs[i].used = 1;
                        install();
                        return 0;
                }
        return -ENOSPC;
}

void signal_cleanup_remove_dir(const char *dir) {
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (dirs[i].used && dirs[i].owner == getpid() && streq(dirs[i].path, dir))
                        dirs[i].used = 0;
}

int signal_cleanup_add_child(pid_t pid, bool group) {
        for (size_t i = 0; i < ELEMENTSOF(children); i++)
                if (!children[i].used) {
                        children[i].pid = pid;
                        children[i].group = group;
                        children[i].owner = getpid();
                        __atomic_signal_fence(__ATOMIC_SEQ_CST);
                        children[i].used = 1;
                        install();
                        return 0;
                }
        return -ENOSPC;
}

void signal_cleanup_remove_child(pid_t pid) {
        for (size_t i = 0; i < ELEMENTSOF(children); i++)
                if (children[i].used && children[i].owner == getpid() && children[i].pid == pid)
                        children[i].used = 0;
}

/* ---- what a SIGKILL left ------------------------------------------------ */

unsigned signal_cleanup_sweep(const char *parent, const char *prefix) {
        _cleanup_closedir_ DIR *d = opendir(parent);
        size_t pl = strlen(prefix);
        struct dirent *de;
        unsigned removed = 0;

        while (d && (de = readdir(d))) {
                _cleanup_free_ char *path = NULL;
                struct stat st;
                char *end;
                long pid;

                if (strncmp(de->d_name, prefix, pl) != 0)
                        continue;
                errno = 0;
                pid = strtol(de->d_name + pl, &end, 10);
                if (errno || end == de->d_name + pl || *end != '-' || pid <= 0 || pid > INT_MAX)
                        continue;
                /* Gone: kill() says ESRCH.  EPERM means it lives, as
                 * someone else. */
                if (kill((pid_t) pid, 0) == 0 || errno != ESRCH)
                        continue;
                path = path_join(parent, de->d_name);
                if (!path || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
                        continue;
                if (rm_rf_signal_safe(path, false) == 0)
                        removed++;
        }
        return removed;
}
