/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "hostile.h"
#include "testbed-run.h"

char *src_path(const char *rel) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        char *p;

        cr_assert(asprintf(&p, "%s/%s", src && *src ? src : ".", rel) >= 0);
        return p;
}

char *slurp(const char *path, size_t *ret_len) {
        char *buf = NULL;
        size_t len = 0;
        int r = read_file_capped(path, 512u << 20, &buf, &len);

        cr_assert_eq(r, 0, "%s: %s", path, strerror(-r));
        if (ret_len)
                *ret_len = len;
        return buf;
}

char *spew(const char *dir, const char *name, const void *data, size_t len) {
        char *path = path_join(dir, name);
        int fd;

        cr_assert_not_null(path);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
        for (const char *p = data; len > 0; ) {
                ssize_t n = write(fd, p, len);
                cr_assert_gt(n, 0);
                p += n;
                len -= (size_t) n;
        }
        close(fd);
        return path;
}

char *scratch_dir(const char *what) {
        char *dir;

        cr_assert(asprintf(&dir, "/tmp/gd-hostile-%s-XXXXXX", what) >= 0);
        cr_assert_not_null(mkdtemp(dir));
        return dir;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) ftw;
        if (flag == FTW_DP)
                (void) rmdir(path);
        else
                (void) unlink(path);
        return 0;
}

void scratch_remove(const char *dir) {
        if (dir)
                (void) nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *substitute(const char *text, const char *value) {
        static const char key[] = "@CANARY@";
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        cr_assert_not_null(f);
        for (const char *p = text, *q; *p; p = q + strlen(key)) {
                q = strstr(p, key);
                if (!q) {
                        fputs(p, f);
                        break;
                }
                fwrite(p, 1, (size_t) (q - p), f);
                fputs(value, f);
        }
        cr_assert_eq(fclose(f), 0);
        return out;
}

int gpudiag_run(const char *const *args, const char *stdin_path, char *const *env_extra, char **ret_out,
                char **ret_err) {
        _cleanup_strv_free_ char **env = NULL;
        char *argv[64] = { (char *) gpudiag_binary() };
        char *out = NULL, *err = NULL;
        int status;

        for (size_t i = 0; args[i]; i++) {
                cr_assert_lt(i + 2, ELEMENTSOF(argv));
                argv[i + 1] = (char *) args[i];
        }
        for (char **e = environ; *e; e++)
                cr_assert_eq(strv_push_dup(&env, *e), 0);
        for (char *const *e = env_extra; e && *e; e++)
                cr_assert_eq(strv_push_dup(&env, *e), 0);
        cr_assert_eq(program_run(argv, env, stdin_path, &out, &err, &status), 0);
        cr_assert(WIFEXITED(status), "gpudiag %s died with signal %d: %s", args[0], WTERMSIG(status), err);
        if (ret_out)
                *ret_out = out;
        else
                free(out);
        if (ret_err)
                *ret_err = err;
        else
                free(err);
        return WEXITSTATUS(status);
}

size_t count_of(const char *hay, const char *needle) {
        size_t n = 0;

        for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}
