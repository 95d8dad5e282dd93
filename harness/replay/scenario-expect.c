/* SPDX-License-Identifier: MIT */
/* The "expect" section of a scenario: verdict per GPU address, findings
 * that must appear (ids checked against the catalogue), findings that must
 * not, and where gpudiag runs (the role, model/role.h). */
#include <errno.h>
#include <string.h>

#include "base/strv.h"
#include "checks/check.h"
#include "replay/scenario-internal.h"

int sc_parse_expect(struct sc_ctx *c, struct gd_scenario *s, struct fy_node *key, struct fy_node *n) {
        static const char *const allowed[] = { "verdict", "findings", "absent", "role", NULL };
        struct fy_node *ks[4], *vs[4], *item;
        struct fy_node_pair *p;
        void *it = NULL;
        int r;

        if ((r = sc_map_fields(c, key, n, "expect", allowed, ks, vs)) < 0)
                return r;
        if (!vs[0] && !vs[1] && !vs[2] && !vs[3])
                return sc_fail(c, bundle_value_line(key, n), "expect",
                               "needs at least one of verdict, findings, absent, role");
        if (vs[3]) {
                bool known = false;

                if ((r = sc_get_string(c, ks[3], vs[3], "expect: role", false, &s->role, NULL)) < 0)
                        return r;
                s->role_line = gd_yaml_node_line(vs[3]);
                for (int i = 0; i < _GD_ROLE_MAX; i++)
                        known = known || streq(s->role, gd_role_to_string(i));
                if (!known)
                        return sc_fail(c, bundle_value_line(ks[3], vs[3]), "expect: role", "'%s' is not host, guest, "
                                       "guest-with-viommu, xen-dom0, xen-domu or unknown", s->role);
        }

        if (vs[0]) {
                if (!fy_node_is_mapping(vs[0]) || fy_node_is_alias(vs[0]))
                        return sc_fail(c, bundle_value_line(ks[0], vs[0]), "expect: verdict",
                                    "must be a mapping of GPU address to ready | not-ready | unknown, not %s",
                                    bundle_type_name(vs[0]));
                s->verdicts = calloc((size_t) fy_node_mapping_item_count(vs[0]) + 1, sizeof(*s->verdicts));
                if (!s->verdicts)
                        return -ENOMEM;
                while ((p = fy_node_mapping_iterate(vs[0], &it))) {
                        struct gd_expect_verdict *ev = &s->verdicts[s->n_verdicts];
                        struct fy_node *pk = fy_node_pair_key(p), *pv = fy_node_pair_value(p);

                        if ((r = sc_get_address(c, pk, pk, "expect: verdict", &ev->address)) < 0)
                                return r;
                        ev->line = gd_yaml_node_line(pk);
                        s->n_verdicts++;
                        if ((r = sc_get_string(c, pk, pv, "expect: verdict", false, &ev->verdict, NULL)) < 0)
                                return r;
                        if (!streq(ev->verdict, "ready") && !streq(ev->verdict, "not-ready") &&
                            !streq(ev->verdict, "unknown"))
                                return sc_fail(c, bundle_value_line(pk, pv), "expect: verdict",
                                            "'%s' is not ready, not-ready or unknown", ev->verdict);
                }
        }

        if (vs[1]) {
                if (!fy_node_is_sequence(vs[1]) || fy_node_is_alias(vs[1]))
                        return sc_fail(c, bundle_value_line(ks[1], vs[1]), "expect: findings",
                                    "must be a sequence of {id, subjects}, not %s", bundle_type_name(vs[1]));
                s->findings = calloc((size_t) fy_node_sequence_item_count(vs[1]) + 1, sizeof(*s->findings));
                if (!s->findings)
                        return -ENOMEM;
                it = NULL;
                while ((item = fy_node_sequence_iterate(vs[1], &it))) {
                        static const char *const fa[] = { "id", "subjects", NULL };
                        struct gd_expect_finding *ef = &s->findings[s->n_findings];
                        struct fy_node *fk[2], *fv[2], *sub;
                        void *sit = NULL;

                        if ((r = sc_map_fields(c, ks[1], item, "expect: findings", fa, fk, fv)) < 0)
                                return r;
                        s->n_findings++;
                        ef->line = gd_yaml_node_line(item);
                        if ((r = sc_require(c, ks[1], item, fv[0], "expect: findings: id")) < 0 ||
                            (r = sc_get_string(c, fk[0], fv[0], "expect: findings: id", false, &ef->id, NULL)) < 0)
                                return r;
                        if (!gd_catalogue_find(ef->id))
                                return sc_fail(c, bundle_value_line(fk[0], fv[0]), "expect: findings: id",
                                            "'%s' is not a finding id of the catalogue", ef->id);
                        ef->subjects = calloc(1, sizeof(char *));
                        if (!ef->subjects)
                                return -ENOMEM;
                        if (!fv[1])
                                continue;
                        if (!fy_node_is_sequence(fv[1]))
                                return sc_fail(c, bundle_value_line(fk[1], fv[1]), "expect: findings: subjects",
                                            "must be a sequence of PCI addresses or group:N, not %s",
                                            bundle_type_name(fv[1]));
                        while ((sub = fy_node_sequence_iterate(fv[1], &sit))) {
                                char *x = NULL;

                                if ((r = sc_get_string(c, fk[1], sub, "expect: findings: subjects", false, &x, NULL)) < 0)
                                        return r;
                                if ((r = strv_consume(&ef->subjects, x)) < 0)
                                        return r;
                        }
                }
        }

        if (vs[2]) {
                if (!fy_node_is_sequence(vs[2]) || fy_node_is_alias(vs[2]))
                        return sc_fail(c, bundle_value_line(ks[2], vs[2]), "expect: absent",
                                    "must be a sequence of finding ids, not %s", bundle_type_name(vs[2]));
                s->absent_lines = calloc((size_t) fy_node_sequence_item_count(vs[2]) + 1, sizeof(int));
                if (!s->absent_lines)
                        return -ENOMEM;
                it = NULL;
                while ((item = fy_node_sequence_iterate(vs[2], &it))) {
                        char *x = NULL;

                        if ((r = sc_get_string(c, ks[2], item, "expect: absent", false, &x, NULL)) < 0)
                                return r;
                        s->absent_lines[strv_length(s->absent)] = gd_yaml_node_line(item);
                        if ((r = strv_consume(&s->absent, x)) < 0)
                                return r;
                        if (!gd_catalogue_find(x))
                                return sc_fail(c, gd_yaml_node_line(item), "expect: absent",
                                            "'%s' is not a finding id of the catalogue", x);
                        for (size_t i = 0; i < s->n_findings; i++)
                                if (streq(s->findings[i].id, x))
                                        return sc_fail(c, gd_yaml_node_line(item), "expect: absent",
                                                    "'%s' is also listed under findings", x);
                }
        }
        return 0;
}

