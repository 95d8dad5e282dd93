/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

#define REDRAW_MS 100
#define ERASE "\r\033[K"

struct gd_progress {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t wake;
        bool stop, drawn;
        char command[32];
        char step[128];
        char unit[32];
        size_t done, total;
        struct timespec start;
        long delay_ms;
};

static struct gd_progress *current;
static bool atfork_set;

/* A forked child has no drawing thread and must not touch the parent's
 * lock, which that thread may have held at fork(). */
static void forget_in_child(void) {
        current = NULL;
}

static double elapsed(const struct gd_progress *p) {
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        return (double) (now.tv_sec - p->start.tv_sec) + (double) (now.tv_nsec - p->start.tv_nsec) / 1e9;
}

static void write_all(const char *s, size_t len) {
        while (len > 0) {
                ssize_t n = write(STDERR_FILENO, s, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                s += n;
                len -= (size_t) n;
        }
}

/* Called with p->lock held.  One line, cut to the terminal's width: a
 * wrapped line could not be erased by a carriage return. */
static void draw(struct gd_progress *p) {
        char line[512], count[96] = "";
        struct winsize ws;
        size_t width = 80, len;

        if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
                width = ws.ws_col;
        if (p->total > 0)
                snprintf(count, sizeof(count), ", %zu/%zu %s", p->done, p->total, p->unit);
        snprintf(line, sizeof(line), "gpudiag %s: %s%s, %.1f s", p->command, p->step, count, elapsed(p));
        len = strlen(line);
        if (len > width - 1)
                len = width - 1;
        write_all(ERASE, strlen(ERASE));
        write_all(line, len);
        p->drawn = true;
}

static void deadline_in(struct timespec *ts, long ms) {
        clock_gettime(CLOCK_MONOTONIC, ts);
        ts->tv_sec += ms / 1000;
        ts->tv_nsec += (ms % 1000) * 1000000L;
        if (ts->tv_nsec >= 1000000000L) {
                ts->tv_sec++;
                ts->tv_nsec -= 1000000000L;
        }
}

static void *run(void *arg) {
        struct gd_progress *p = arg;
        struct timespec ts;
        long wait_ms = p->delay_ms;

        pthread_mutex_lock(&p->lock);
        while (!p->stop) {
                deadline_in(&ts, wait_ms);
                while (!p->stop && pthread_cond_timedwait(&p->wake, &p->lock, &ts) != ETIMEDOUT)
                        ;
                if (p->stop)
                        break;
                draw(p);
                wait_ms = REDRAW_MS;
        }
        pthread_mutex_unlock(&p->lock);
        return NULL;
}

static bool terminal_wanted(void) {
        const char *term = getenv("TERM");

        return isatty(STDERR_FILENO) && term && *term && strcmp(term, "dumb") != 0;
}

struct gd_progress *gd_progress_begin(const char *command, const char *step) {
        struct gd_progress *p;
        pthread_condattr_t ca;
        const char *delay = getenv("GPUDIAG_PROGRESS_DELAY_MS");

        if (current || !terminal_wanted())
                return NULL;
        p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        snprintf(p->command, sizeof(p->command), "%s", command);
        snprintf(p->step, sizeof(p->step), "%s", step);
        p->delay_ms = delay && *delay ? strtol(delay, NULL, 10) : 1000;
        if (p->delay_ms < 0)
                p->delay_ms = 1000;
        clock_gettime(CLOCK_MONOTONIC, &p->start);
        pthread_mutex_init(&p->lock, NULL);
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&p->wake, &ca);
        pthread_condattr_destroy(&ca);
        if (!atfork_set) {
                pthread_atfork(NULL, NULL, forget_in_child);
                atfork_set = true;
        }
        /* Without a delay the line is there from the start, however quick
         * the work (what the tests rely on). */
        if (p->delay_ms == 0)
                draw(p);
        if (pthread_create(&p->thread, NULL, run, p) != 0) {
                if (p->drawn)
                        write_all(ERASE, strlen(ERASE));
                pthread_cond_destroy(&p->wake);
                pthread_mutex_destroy(&p->lock);
                free(p);
                return NULL;
        }
        current = p;
        return p;
}

void gd_progress_step(struct gd_progress *p, const char *step) {
        if (!p || p != current)
                return;
        pthread_mutex_lock(&p->lock);
        snprintf(p->step, sizeof(p->step), "%s", step);
        /* A new step shows at once once the line is up. */
        if (p->drawn)
                draw(p);
        pthread_mutex_unlock(&p->lock);
}

void gd_progress_count(struct gd_progress *p, size_t done, size_t total, const char *unit) {
        if (!p || p != current)
                return;
        pthread_mutex_lock(&p->lock);
        p->done = done;
        p->total = total;
        snprintf(p->unit, sizeof(p->unit), "%s", unit);
        pthread_mutex_unlock(&p->lock);
}

struct gd_progress *gd_progress_end(struct gd_progress *p) {
        if (!p || p != current)
                return NULL;
        pthread_mutex_lock(&p->lock);
        p->stop = true;
        pthread_cond_signal(&p->wake);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
        if (p->drawn)
                write_all(ERASE, strlen(ERASE));
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
        current = NULL;
        free(p);
        return NULL;
}

void gd_progress_end_current(void) {
        gd_progress_end(current);
}
