/* SPDX-License-Identifier: MIT */
/* What a signal that ends gpudiag must not leave behind.
 *
 * A testbed is tens of thousands of files in /dev/shm, a replay run
 * directory hundreds of MB: Ctrl-C (SIGINT), SIGTERM or a closed terminal
 * (SIGHUP) while they exist left them there.  They are registered here
 * while they exist, with the child processes working in them; the handler
 * kills those children, waits for them, removes the directories with
 * async-signal-safe calls only (openat, getdents64, unlinkat: no malloc,
 * no stdio), then ends the process with the same signal, as the shell
 * expects.  Only the process that registered an entry acts on it: a forked
 * child inherits the table but not the ownership.
 *
 * A process killed with SIGKILL cannot clean up; its directories carry its
 * pid in their name (gpudiag-testbed-<pid>-XXXXXX), and the next run
 * removes those whose process is gone (signal_cleanup_sweep()). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* At most this many of each at once; -ENOSPC past it. */
#define SIGNAL_CLEANUP_DIRS     32
#define SIGNAL_CLEANUP_CHILDREN 512

/* Registers dir (an absolute or working-directory-relative path, copied)
 * and installs the handlers for SIGINT, SIGTERM and SIGHUP on first use.
 * 0, -ENOSPC or -ENAMETOOLONG. */
int signal_cleanup_add_dir(const char *dir);
void signal_cleanup_remove_dir(const char *dir);

/* A child (group: its process group, kill(-pid)) to kill with SIGKILL and
 * reap before the directories go.  0 or -ENOSPC. */
int signal_cleanup_add_child(pid_t pid, bool group);
void signal_cleanup_remove_child(pid_t pid);

/* Removes everything below dir, and dir too unless keep_dir, never
 * following a link, with async-signal-safe calls only.  0, or -errno of
 * the first entry that could not be removed. */
int rm_rf_signal_safe(const char *dir, bool keep_dir);

/* Removes the entries of parent named "<prefix><pid>-..." that are
 * directories of this user whose process pid no longer exists.  Returns
 * the number removed. */
unsigned signal_cleanup_sweep(const char *parent, const char *prefix);
