/* SPDX-License-Identifier: MIT */
/* Criterion-asserting testbed loader, kept apart from testbed-run.c so that
 * file stays free of Criterion. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/macro.h"
#include "testbed-run.h"

struct gd_testbed *testbed_from_file(const char *path) {
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_free_ char *error = NULL;
        struct gd_testbed *t = NULL;
        int r;

        r = gd_bundle_load(path, &b, &error);
        cr_assert_eq(r, 0, "%s: %s", path, error ? error : strerror(-r));
        r = gd_testbed_build(b, &t, &error);
        cr_assert_eq(r, 0, "%s: %s", path, error ? error : strerror(-r));
        return t;
}
