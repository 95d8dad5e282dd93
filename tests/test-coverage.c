/* SPDX-License-Identifier: MIT */
/* The scenario library covers the catalogue: every finding id has a scenario
 * that expects it and one where it must not fire, every fault kind is used,
 * and scenarios/COVERAGE.md is what tools/coverage.py makes of it today. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run-command.h"

Test(coverage, every_id_and_fault_kind_is_covered_and_coverage_md_is_current) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        char cmd[1024], out[16384];
        int rc;

        if (!src)
                src = ".";
        rc = run_command("python3 -c 'import yaml' 2>&1", out, sizeof(out));
        if (rc != 0)
                cr_skip_test("python3 with PyYAML is not available (%s)", rc == 127 ? "no python3" : "no yaml module");

        snprintf(cmd, sizeof(cmd), "cd '%s' && python3 tools/coverage.py --check --root . 2>&1", src);
        rc = run_command(cmd, out, sizeof(out));
        if (rc == 77)
                cr_skip_test("tools/coverage.py: PyYAML missing");
        cr_assert_eq(rc, 0, "tools/coverage.py --check failed (rc %d):\n%s", rc, out);
}
