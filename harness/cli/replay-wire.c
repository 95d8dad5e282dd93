/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/replay-wire.h"

/* ---- wire format: flags, seconds, then 7 strings as u32 length + bytes
 * (UINT32_MAX for NULL). ---- */

#define N_STR 8

static void str_fields(struct gd_scenario_result *r, char **v[N_STR]) {
        v[0] = &r->name;
        v[1] = &r->path;
        v[2] = &r->message;
        v[3] = &r->expected;
        v[4] = &r->actual;
        v[5] = &r->diff;
        v[6] = &r->log;
        v[7] = &r->slot_base;
}

char *replay_result_serialize(const struct gd_scenario_result *r, size_t *ret_len) {
        struct gd_scenario_result copy = *r;
        char **v[N_STR];
        size_t len = 2 + sizeof(double);
        char *blob, *q;

        str_fields(&copy, v);
        for (int i = 0; i < N_STR; i++)
                len += sizeof(uint32_t) + (*v[i] ? strlen(*v[i]) : 0);
        blob = q = malloc(len);
        if (!blob)
                return NULL;
        *q++ = (char) r->ok;
        *q++ = (char) (r->error | r->bad_input << 1);
        memcpy(q, &r->seconds, sizeof(double));
        q += sizeof(double);
        for (int i = 0; i < N_STR; i++) {
                uint32_t l = *v[i] ? (uint32_t) strlen(*v[i]) : UINT32_MAX;
                memcpy(q, &l, sizeof(l));
                q += sizeof(l);
                if (*v[i]) {
                        memcpy(q, *v[i], l);
                        q += l;
                }
        }
        *ret_len = len;
        return blob;
}

int replay_result_deserialize(const char *blob, size_t len, struct gd_scenario_result *ret) {
        struct gd_scenario_result r = { 0 };
        const char *p = blob, *end = blob + len;
        char **v[N_STR];
        bool bad = len < 2 + sizeof(double);

        if (!bad) {
                r.ok = p[0];
                r.error = p[1] & 1;
                r.bad_input = p[1] & 2;
                memcpy(&r.seconds, p + 2, sizeof(double));
                p += 2 + sizeof(double);
        }
        str_fields(&r, v);
        for (int i = 0; i < N_STR && !bad; i++) {
                uint32_t l;

                if ((size_t) (end - p) < sizeof(l)) {
                        bad = true;
                        break;
                }
                memcpy(&l, p, sizeof(l));
                p += sizeof(l);
                if (l == UINT32_MAX)
                        continue;
                if ((size_t) (end - p) < l || !(*v[i] = strndup(p, l)))
                        bad = true;
                else
                        p += l;
        }
        if (bad) {
                gd_scenario_result_clear(&r);
                return -EBADMSG;
        }
        *ret = r;
        return 0;
}
