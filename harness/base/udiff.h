/* SPDX-License-Identifier: MIT */
/* Unified diffs of two texts, as `diff -u` writes them and `patch` reads
 * them: the form every file edit of `gpudiag plan` is shown in. */
#pragma once

/* The diff that turns before into after, with three lines of context, the
 * headers "--- old_name" and "+++ new_name" (before NULL: a new file, from
 * /dev/null), hunks "@@ -l,n +l,n @@" (",1" left out, as GNU diff does),
 * and "\ No newline at end of file" where a text's last line has none.
 * *ret is NULL when the texts are equal.  Returns 0 or -ENOMEM. */
int gd_udiff(const char *before, const char *after, const char *old_name, const char *new_name, char **ret);
