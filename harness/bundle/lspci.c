/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bundle/lspci.h"
#include "config.h"

#define LSPCI_MAX (1024u * 1024u)
#define LSPCI_TIMEOUT_MS 10000

struct gd_lspci {
        pid_t pid;
        int fd;
        struct timespec start;
};

static const char *find_lspci(void) {
        static const char *const candidates[] = {
                LSPCI_PATH, "/usr/bin/lspci", "/usr/sbin/lspci", "/sbin/lspci", "/bin/lspci",
        };
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++)
                if (candidates[i][0] && access(candidates[i], X_OK) == 0)
                        return candidates[i];
        return NULL;
}

struct gd_lspci *gd_lspci_start(void) {
        const char *lspci = find_lspci();
        struct gd_lspci *l;
        int pipefd[2];

        if (!lspci || !(l = calloc(1, sizeof(*l))))
                return NULL;
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                free(l);
                return NULL;
        }
        l->pid = fork();
        if (l->pid < 0) {
                close(pipefd[0]);
                close(pipefd[1]);
                free(l);
                return NULL;
        }
        if (l->pid == 0) {
                int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(pipefd[1], STDOUT_FILENO) < 0 ||
                    dup2(devnull, STDERR_FILENO) < 0)
                        _exit(127);
                execl(lspci, "lspci", "-nnk", (char *) NULL);
                _exit(127);
        }
        close(pipefd[1]);
        l->fd = pipefd[0];
        clock_gettime(CLOCK_MONOTONIC, &l->start);
        return l;
}

char *gd_lspci_finish(struct gd_lspci *l, size_t *ret_len) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int status;

        if (!l)
                return NULL;
        buf = malloc(LSPCI_MAX + 1);
        for (;;) {
                struct pollfd p = { .fd = l->fd, .events = POLLIN };
                struct timespec now;
                long elapsed;
                ssize_t n;

                clock_gettime(CLOCK_MONOTONIC, &now);
                elapsed = (now.tv_sec - l->start.tv_sec) * 1000 + (now.tv_nsec - l->start.tv_nsec) / 1000000;
                if (!buf || elapsed >= LSPCI_TIMEOUT_MS || poll(&p, 1, (int) (LSPCI_TIMEOUT_MS - elapsed)) == 0) {
                        kill(l->pid, SIGKILL);
                        len = 0;
                        break;
                }
                n = read(l->fd, buf + len, LSPCI_MAX - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t) n;
                if (len == LSPCI_MAX) {
                        kill(l->pid, SIGKILL);
                        len = 0;
                        break;
                }
        }
        close(l->fd);
        while (waitpid(l->pid, &status, 0) < 0)
                if (errno != EINTR) {
                        status = -1;
                        break;
                }
        free(l);
        if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || len == 0)
                return NULL;
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        return TAKE_PTR(buf);
}
