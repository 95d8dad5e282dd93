/* SPDX-License-Identifier: MIT */
/* A shell command's exit status and output, for tests that run a tool. */
#pragma once

#include <stddef.h>

/* Runs cmd with popen(); out gets the first size-1 bytes of its stdout
 * (the rest is read and dropped, so the command is not killed by SIGPIPE).
 * Returns the exit status, -1 when it did not exit. */
int run_command(const char *cmd, char *out, size_t size);
