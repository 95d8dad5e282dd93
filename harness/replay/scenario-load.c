/* SPDX-License-Identifier: MIT */
/* Loading a scenario (doc/scenario-format.md) with libfyaml.  Every problem
 * is an error that names the file, the line and the key: a typo in a
 * scenario must never turn into a silently weaker test. */
#include <errno.h>
#include <string.h>

#include "base/fileio.h"
#include "base/input-file.h"
#include "base/strv.h"
#include "replay/scenario-internal.h"

static const char *const fault_names[_GD_FAULT_MAX] = {
        [GD_FAULT_CMDLINE_ADD] = "cmdline-add",
        [GD_FAULT_CMDLINE_REMOVE] = "cmdline-remove",
        [GD_FAULT_BOOTCFG_ADD] = "bootcfg-add",
        [GD_FAULT_BOOTCFG_REMOVE] = "bootcfg-remove",
        [GD_FAULT_ATTR_SET] = "attr-set",
        [GD_FAULT_ATTR_REMOVE] = "attr-remove",
        [GD_FAULT_BIND] = "bind",
        [GD_FAULT_UNBIND] = "unbind",
        [GD_FAULT_OVERRIDE] = "override",
        [GD_FAULT_DEVICE_REMOVE] = "device-remove",
        [GD_FAULT_GROUP_MOVE] = "group-move",
        [GD_FAULT_GROUP_MERGE] = "group-merge",
        [GD_FAULT_GROUP_SPLIT] = "group-split",
        [GD_FAULT_GROUPS_CLEAR] = "groups-clear",
        [GD_FAULT_KMSG_DROP] = "kmsg-drop",
        [GD_FAULT_KMSG_ADD] = "kmsg-add",
        [GD_FAULT_FILE_WRITE] = "file-write",
        [GD_FAULT_FILE_REMOVE] = "file-remove",
        [GD_FAULT_FILE_TOUCH] = "file-touch",
        [GD_FAULT_ACPI_HIDE] = "acpi-hide",
        [GD_FAULT_NON_ROOT] = "non-root",
};

const char *gd_fault_kind_to_string(enum gd_fault_kind k) {
        return (unsigned) k < _GD_FAULT_MAX ? fault_names[k] : NULL;
}

int gd_fault_kind_from_string(const char *s) {
        for (int k = 0; k < _GD_FAULT_MAX; k++)
                if (streq(s, fault_names[k]))
                        return k;
        return -1;
}

/* Faults whose argument is a device address, as a scalar or {device: X}. */
static int fault_device(struct sc_ctx *c, struct fy_node *k, struct fy_node *v, const char *what, char **ret) {
        static const char *const allowed[] = { "device", NULL };
        struct fy_node *ks[1], *vs[1];
        int r;

        if (v && fy_node_is_mapping(v)) {
                r = sc_map_fields(c, k, v, what, allowed, ks, vs);
                if (r < 0)
                        return r;
                if ((r = sc_require(c, k, v, vs[0], what)) < 0)
                        return r;
                return sc_get_address(c, ks[0], vs[0], what, ret);
        }
        return sc_get_address(c, k, v, what, ret);
}

static int parse_fault(struct sc_ctx *c, struct fy_node *item, struct gd_fault *f) {
        struct fy_node_pair *p;
        struct fy_node *k, *v, *ks[4], *vs[4];
        void *it = NULL;
        const char *name;
        char what[64];
        int kind, r;

        f->mtime = -1;
        f->line = gd_yaml_node_line(item);
        if (!item || !fy_node_is_mapping(item) || fy_node_mapping_item_count(item) != 1)
                return sc_fail(c, gd_yaml_node_line(item), "faults",
                            "each fault must be a one-key mapping (e.g. '- unbind: 0000:01:00.1'), not %s",
                            item && fy_node_is_mapping(item) ? "a mapping with several keys" : bundle_type_name(item));
        p = fy_node_mapping_iterate(item, &it);
        k = fy_node_pair_key(p);
        v = fy_node_pair_value(p);
        name = k && fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : NULL;
        kind = gd_fault_kind_from_string(name);
        if (kind < 0) {
                _cleanup_free_ char *list = NULL;
                size_t len = 0;
                for (int i = 0; i < _GD_FAULT_MAX; i++)
                        len += strlen(fault_names[i]) + 1;
                list = calloc(1, len + 1);
                if (!list)
                        return -ENOMEM;
                for (int i = 0; i < _GD_FAULT_MAX; i++) {
                        if (i)
                                strcat(list, " ");
                        strcat(list, fault_names[i]);
                }
                return sc_fail(c, gd_yaml_node_line(k), "faults", "unknown fault '%s' (known: %s)", name ? name : "?", list);
        }
        f->kind = kind;
        snprintf(what, sizeof(what), "faults: %s", name);

        switch (f->kind) {
        case GD_FAULT_CMDLINE_ADD:
        case GD_FAULT_CMDLINE_REMOVE:
        case GD_FAULT_BOOTCFG_ADD:
        case GD_FAULT_BOOTCFG_REMOVE:
                if ((r = sc_get_string(c, k, v, what, false, &f->text, NULL)) < 0)
                        return r;
                if (strpbrk(f->text, "\n\r"))
                        return sc_fail(c, bundle_value_line(k, v), what, "a command-line flag is one line");
                return 0;
        case GD_FAULT_KMSG_DROP:
        case GD_FAULT_KMSG_ADD:
                if ((r = sc_get_string(c, k, v, what, false, &f->text, NULL)) < 0)
                        return r;
                if (strchr(f->text, '\n'))
                        return sc_fail(c, bundle_value_line(k, v), what, "a kernel log record is one line");
                return 0;
        case GD_FAULT_ACPI_HIDE:
                if ((r = sc_get_string(c, k, v, what, false, &f->text, NULL)) < 0)
                        return r;
                if (!streq(f->text, "DMAR") && !streq(f->text, "IVRS"))
                        return sc_fail(c, bundle_value_line(k, v), what, "must be DMAR or IVRS, not '%s'", f->text);
                return 0;
        case GD_FAULT_GROUPS_CLEAR:
        case GD_FAULT_NON_ROOT:
                return sc_get_bool(c, k, v, what, &f->enabled);
        case GD_FAULT_UNBIND:
        case GD_FAULT_DEVICE_REMOVE:
        case GD_FAULT_GROUP_SPLIT:
                return fault_device(c, k, v, what, &f->device);
        case GD_FAULT_FILE_REMOVE:
                return sc_get_path(c, k, v, what, &f->path);
        case GD_FAULT_GROUP_MERGE: {
                struct fy_node *g;
                void *git = NULL;

                if (!v || !fy_node_is_sequence(v) || fy_node_sequence_item_count(v) < 2)
                        return sc_fail(c, bundle_value_line(k, v), what, "must be a sequence of at least two group numbers");
                f->groups = calloc((size_t) fy_node_sequence_item_count(v), sizeof(int64_t));
                if (!f->groups)
                        return -ENOMEM;
                while ((g = fy_node_sequence_iterate(v, &git))) {
                        if ((r = sc_get_int(c, k, g, what, 0, &f->groups[f->n_groups])) < 0)
                                return r;
                        for (size_t i = 0; i < f->n_groups; i++)
                                if (f->groups[i] == f->groups[f->n_groups])
                                        return sc_fail(c, bundle_value_line(k, g), what, "group %lld is named twice",
                                                    (long long) f->groups[i]);
                        f->n_groups++;
                }
                return 0;
        }
        case GD_FAULT_ATTR_SET:
        case GD_FAULT_ATTR_REMOVE: {
                static const char *const allowed[] = { "device", "name", "value", NULL };
                static const char *const allowed_rm[] = { "device", "name", NULL };

                r = sc_map_fields(c, k, v, what, f->kind == GD_FAULT_ATTR_SET ? allowed : allowed_rm, ks, vs);
                if (r < 0)
                        return r;
                if ((r = sc_require(c, k, v, vs[0], "device")) < 0 || (r = sc_require(c, k, v, vs[1], "name")) < 0 ||
                    (f->kind == GD_FAULT_ATTR_SET && (r = sc_require(c, k, v, vs[2], "value")) < 0))
                        return r;
                if ((r = sc_get_address(c, ks[0], vs[0], "device", &f->device)) < 0 ||
                    (r = sc_get_string(c, ks[1], vs[1], "name", false, &f->name, NULL)) < 0)
                        return r;
                if (f->name[0] == '/' || strstr(f->name, "..") || strpbrk(f->name, "= \t\n"))
                        return sc_fail(c, bundle_value_line(ks[1], vs[1]), "name", "'%s' is not an attribute name", f->name);
                if (f->kind == GD_FAULT_ATTR_SET &&
                    (r = sc_get_string(c, ks[2], vs[2], "value", true, &f->value, &f->value_len)) < 0)
                        return r;
                return 0;
        }
        case GD_FAULT_BIND:
        case GD_FAULT_OVERRIDE: {
                static const char *const allowed[] = { "device", "driver", NULL };

                if ((r = sc_map_fields(c, k, v, what, allowed, ks, vs)) < 0)
                        return r;
                if ((r = sc_require(c, k, v, vs[0], "device")) < 0 || (r = sc_require(c, k, v, vs[1], "driver")) < 0)
                        return r;
                if ((r = sc_get_address(c, ks[0], vs[0], "device", &f->device)) < 0 ||
                    (r = sc_get_string(c, ks[1], vs[1], "driver", f->kind == GD_FAULT_OVERRIDE, &f->driver, NULL)) < 0)
                        return r;
                if (strpbrk(f->driver, "/ \t\n") || streq(f->driver, ".") || streq(f->driver, ".."))
                        return sc_fail(c, bundle_value_line(ks[1], vs[1]), "driver", "'%s' is not a driver name", f->driver);
                return 0;
        }
        case GD_FAULT_GROUP_MOVE: {
                static const char *const allowed[] = { "device", "group", NULL };

                if ((r = sc_map_fields(c, k, v, what, allowed, ks, vs)) < 0)
                        return r;
                if ((r = sc_require(c, k, v, vs[0], "device")) < 0 || (r = sc_require(c, k, v, vs[1], "group")) < 0)
                        return r;
                if ((r = sc_get_address(c, ks[0], vs[0], "device", &f->device)) < 0)
                        return r;
                return sc_get_int(c, ks[1], vs[1], "group", 0, &f->group);
        }
        case GD_FAULT_FILE_WRITE:
        case GD_FAULT_FILE_TOUCH: {
                static const char *const allowed[] = { "path", "content", "mtime", NULL };
                static const char *const allowed_touch[] = { "path", "mtime", NULL };

                if (f->kind == GD_FAULT_FILE_TOUCH && v && fy_node_is_scalar(v))
                        return sc_get_path(c, k, v, what, &f->path);
                r = sc_map_fields(c, k, v, what, f->kind == GD_FAULT_FILE_WRITE ? allowed : allowed_touch, ks, vs);
                if (r < 0)
                        return r;
                if ((r = sc_require(c, k, v, vs[0], "path")) < 0 ||
                    (f->kind == GD_FAULT_FILE_WRITE && (r = sc_require(c, k, v, vs[1], "content")) < 0))
                        return r;
                if ((r = sc_get_path(c, ks[0], vs[0], "path", &f->path)) < 0)
                        return r;
                if (f->kind == GD_FAULT_FILE_WRITE &&
                    (r = sc_get_string(c, ks[1], vs[1], "content", true, &f->value, &f->value_len)) < 0)
                        return r;
                {
                        int mi = f->kind == GD_FAULT_FILE_WRITE ? 2 : 1;
                        if (vs[mi] && (r = sc_get_int(c, ks[mi], vs[mi], "mtime", 0, &f->mtime)) < 0)
                                return r;
                }
                return 0;
        }
        default:
                break;
        }
        return sc_fail(c, gd_yaml_node_line(k), "faults", "internal error: fault '%s' has no parser", name);
}

static bool name_valid(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '-'))
                        return false;
        return true;
}

static int from_document(struct sc_ctx *c, struct fy_document *doc, struct gd_scenario *s) {
        static const char *const allowed[] = { "name", "description", "base", "faults", "expect", "format", NULL };
        struct fy_node *root = fy_document_root(doc), *ks[6], *vs[6], *item;
        void *it = NULL;
        int r;

        if (!root || bundle_is_null(root))
                return sc_fail(c, 0, "scenario", "empty document");
        if ((r = sc_map_fields(c, NULL, root, "scenario", allowed, ks, vs)) < 0)
                return r;
        if (vs[5]) {
                _cleanup_free_ char *fmt = NULL;
                if ((r = sc_get_string(c, ks[5], vs[5], "format", false, &fmt, NULL)) < 0)
                        return r;
                if (!streq(fmt, GD_SCENARIO_FORMAT))
                        return sc_fail(c, bundle_value_line(ks[5], vs[5]), "format", "must be %s, not '%s'", GD_SCENARIO_FORMAT, fmt);
        }
        if ((r = sc_require(c, NULL, root, vs[0], "name")) < 0 ||
            (r = sc_get_string(c, ks[0], vs[0], "name", false, &s->name, NULL)) < 0)
                return r;
        if (!name_valid(s->name))
                return sc_fail(c, bundle_value_line(ks[0], vs[0]), "name", "'%s' must be made of [a-z0-9.-]", s->name);
        if (vs[1] && (r = sc_get_string(c, ks[1], vs[1], "description", true, &s->description, NULL)) < 0)
                return r;
        if ((r = sc_require(c, NULL, root, vs[2], "base")) < 0 ||
            (r = sc_get_string(c, ks[2], vs[2], "base", false, &s->base, NULL)) < 0)
                return r;
        s->base_line = bundle_value_line(ks[2], vs[2]);

        if (vs[3] && !bundle_is_null(vs[3])) {
                if (!fy_node_is_sequence(vs[3]) || fy_node_is_alias(vs[3]))
                        return sc_fail(c, bundle_value_line(ks[3], vs[3]), "faults", "must be a sequence, not %s", bundle_type_name(vs[3]));
                s->faults = calloc((size_t) fy_node_sequence_item_count(vs[3]) + 1, sizeof(*s->faults));
                if (!s->faults)
                        return -ENOMEM;
                while ((item = fy_node_sequence_iterate(vs[3], &it))) {
                        r = parse_fault(c, item, &s->faults[s->n_faults++]);
                        if (r < 0)
                                return r;
                }
        }
        if ((r = sc_require(c, NULL, root, vs[4], "expect")) < 0)
                return r;
        return sc_parse_expect(c, s, ks[4], vs[4]);
}

static void gd_yaml_clearp(struct gd_yaml *y) {
        gd_yaml_clear(y);
}

/* A scenario is a small hand-written file: capped, so that a FIFO or a
 * huge file named by mistake is refused rather than read forever. */
#define SCENARIO_MAX (4u * 1024u * 1024u)

int gd_scenario_load(const char *path, struct gd_scenario **ret, char **ret_error) {
        /* text first: cleaned up last, after the document that points into it. */
        _cleanup_free_ char *text = NULL, *msg = NULL;
        _cleanup_(gd_yaml_clearp) struct gd_yaml y = { 0 };
        _cleanup_scenario_ struct gd_scenario *s = NULL;
        struct sc_ctx c = { .path = path, .error = ret_error };
        enum gd_yaml_problem problem;
        size_t len = 0;
        int line, r;

        if (ret_error)
                *ret_error = NULL;
        r = input_read_regular(path, SCENARIO_MAX, &text, &len);
        if (r < 0) {
                const char *kind = r == -EINVAL || r == -EISDIR ? input_file_kind(path) : NULL;

                if (ret_error && (kind ? asprintf(ret_error, "%s: %s, not a scenario file", path, kind) :
                                  asprintf(ret_error, "%s: %s", path,
                                           r == -EFBIG ? "larger than 4 MiB, not a scenario" : strerror(-r))) < 0)
                        *ret_error = NULL;
                return r;
        }
        s = calloc(1, sizeof(*s));
        if (!s || !(s->path = strdup(path)) || !(s->absent = calloc(1, sizeof(char *))))
                return -ENOMEM;

        r = gd_yaml_load(&y, text, len, &problem, &line, &msg);
        if (r == -EINVAL)
                switch (problem) {
                case GD_YAML_NOT_UTF8:
                        return sc_fail(&c, line, "YAML", "not UTF-8 text (%s)", msg ? msg : "?");
                case GD_YAML_EMPTY:
                        return sc_fail(&c, 0, "scenario", "empty document");
                case GD_YAML_EXTRA_DOC:
                        if (line)
                                return sc_fail(&c, line, "YAML", "more than one document; a scenario is one document");
                        return sc_fail(&c, 0, "YAML", "parse error after the document");
                default:
                        return sc_fail(&c, line, "YAML", "%s", msg ? msg : "parse error");
                }
        if (r < 0)
                return r;
        r = from_document(&c, y.doc, s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

struct gd_scenario *gd_scenario_free(struct gd_scenario *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_faults; i++) {
                struct gd_fault *f = &s->faults[i];
                free(f->text);
                free(f->device);
                free(f->name);
                free(f->driver);
                free(f->path);
                free(f->value);
                free(f->groups);
        }
        free(s->faults);
        for (size_t i = 0; i < s->n_verdicts; i++) {
                free(s->verdicts[i].address);
                free(s->verdicts[i].verdict);
        }
        free(s->verdicts);
        for (size_t i = 0; i < s->n_findings; i++) {
                free(s->findings[i].id);
                strv_free(s->findings[i].subjects);
        }
        free(s->findings);
        strv_free(s->absent);
        free(s->role);
        free(s->absent_lines);
        free(s->path);
        free(s->name);
        free(s->description);
        free(s->base);
        free(s);
        return NULL;
}
