/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/wait.h>

#include "run-command.h"

int run_command(const char *cmd, char *out, size_t size) {
        FILE *p = popen(cmd, "r");
        size_t n = 0;
        int status;

        cr_assert_not_null(p, "popen %s", cmd);
        while (n + 1 < size) {
                size_t k = fread(out + n, 1, size - 1 - n, p);
                if (k == 0)
                        break;
                n += k;
        }
        out[n] = '\0';
        while (fgetc(p) != EOF)
                ;
        status = pclose(p);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
