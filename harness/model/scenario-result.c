/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "model/scenario-result.h"

void gd_scenario_result_clear(struct gd_scenario_result *r) {
        free(r->name);
        free(r->path);
        free(r->message);
        free(r->expected);
        free(r->actual);
        free(r->diff);
        free(r->log);
        free(r->slot_base);
        *r = (struct gd_scenario_result) { 0 };
}
