/* SPDX-License-Identifier: MIT */
/* vfio-pci binding and module configuration: vfio-pci ids=, softdeps,
 * blacklists, module options, modules-load.d, driver overrides, and the
 * binding now when no reboot comes.
 *
 * ids= is one list, merged from every finding: the IDs in effect now stay
 * (less those a finding drops because no device has them), and the IDs of
 * the cards the plan is for are added.  It is written where it lives: the
 * options line that holds the list in effect (other parameters of that
 * line kept), the kernel command line when vfio-pci is built in or the
 * list is already there, else a new line of /etc/modprobe.d/vfio.conf.
 * softdep and blacklist lines are merged the same way: an existing softdep
 * of the module gets vfio-pci in its pre:, a module already blacklisted is
 * left alone.  A blacklist of a module another device of the host uses, or
 * a list that would leave a device now on vfio-pci unlisted, is a
 * conflict. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "checks/vfio-ids.h"
#include "model/modconfig.h"
#include "plan-internal.h"

#define VFIO_CONF "/etc/modprobe.d/vfio.conf"

/* ---- vfio-pci ids= --------------------------------------------------------- */

static void split_ids(struct planner *P, const char *list, char ***out) {
        _cleanup_free_ char *copy = strdup(list ? list : "");
        char *save = NULL;

        if (!copy) {
                P->oom = true;
                return;
        }
        for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
                if (*w && !strv_contains(*out, w) && strv_push_dup(out, w) < 0)
                        P->oom = true;
}

static char *join_ids(char * const *l) {
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        if (!f)
                return NULL;
        for (size_t i = 0; l && l[i]; i++)
                fprintf(f, "%s%s", i ? "," : "", l[i]);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* True when some id of list stands for vendor:device of id (two fields). */
static bool covered(const struct gd_vfio_id *list, size_t n, const struct gd_vfio_id *id) {
        for (size_t i = 0; i < n; i++)
                if (list[i].valid && list[i].n_fields == 2 && list[i].vendor == id->vendor &&
                    list[i].device == id->device)
                        return true;
        return false;
}

/* No device on vfio-pci now that the old list names may be left out of
 * the new one: that would take it off vfio-pci at the next boot. */
static void check_kept(struct planner *P, const char *old, const char *new) {
        struct gd_vfio_id *o = NULL, *n = NULL;
        size_t no = 0, nn = 0;
        struct gd_vfio_ids os, ns;

        if (gd_vfio_ids_parse(old, NULL, &o, &no) < 0 || gd_vfio_ids_parse(new, NULL, &n, &nn) < 0) {
                P->oom = true;
                goto out;
        }
        os = (struct gd_vfio_ids) { .items = o, .n = no };
        ns = (struct gd_vfio_ids) { .items = n, .n = nn };
        for (size_t i = 0; i < P->h->n_devs; i++) {
                const struct gd_pci_dev *d = &P->h->devs[i];
                if (d->driver_known == TRI_YES && gd_driver_is_vfio(d->driver) && gd_vfio_ids_match(&os, d) &&
                    !gd_vfio_ids_match(&ns, d))
                        planner_conflict(P, "vfio-pci ids=%s would leave out %s [%04x:%04x], on vfio-pci now",
                                         new, d->address, d->vendor, d->device);
        }
out:
        gd_vfio_ids_free(o, no);
        gd_vfio_ids_free(n, nn);
}

/* The options line ("options MODULE PARAM...") with its ids= set to list,
 * or dropped when list is empty; *ret_empty when no parameter is left. */
static char *options_with_ids(const char *line, const char *list, bool *ret_empty) {
        _cleanup_free_ char *copy = strdup(line);
        char *out = NULL, *save = NULL;
        size_t len = 0, words = 0;
        bool replaced = false;
        FILE *f;

        if (!copy)
                return NULL;
        f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                if (words >= 2 && startswith(w, "ids=")) {
                        if (!replaced && *list) {
                                fprintf(f, " ids=%s", list);
                                words++;
                        }
                        replaced = true;
                        continue;
                }
                fprintf(f, "%s%s", words ? " " : "", w);
                words++;
        }
        if (!replaced && *list) {
                fprintf(f, " ids=%s", list);
                words++;
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        *ret_empty = words <= 2;
        return out;
}

static void plan_ids(struct planner *P, char **ret_cmdline_ids) {
        _cleanup_(gd_vfio_ids_clear) struct gd_vfio_ids ids = { 0 };
        _cleanup_strv_free_ char **add = NULL, **drop = NULL, **existing = NULL, **final = NULL;
        _cleanup_free_ char *old_list = NULL, *new_list = NULL;
        struct gd_vfio_id *parsed = NULL;
        size_t n, n_parsed = 0;
        bool builtin = gd_vfio_pci_builtin(P->h) == TRI_YES, on_cmdline;
        const struct gd_source *src = NULL;
        const struct gd_cmdline_arg *next_arg = NULL;

        {
                _cleanup_free_ struct item *items = planner_items(P, GD_ACT_VFIO_IDS, &n);
                for (size_t i = 0; i < n; i++) {
                        split_ids(P, items[i].a->arg, &add);
                        planner_reason(P, &P->ids_reasons, items[i].x);
                }
        }
        {
                _cleanup_free_ struct item *items = planner_items(P, GD_ACT_VFIO_IDS_DROP, &n);
                for (size_t i = 0; i < n; i++) {
                        split_ids(P, items[i].a->arg, &drop);
                        planner_reason(P, &P->ids_reasons, items[i].x);
                }
        }
        if (!add && !drop)
                return;
        if (gd_vfio_ids_effective(P->h, &ids) < 0) {
                P->oom = true;
                return;
        }
        if (ids.n > 0)
                src = &ids.items[0].source;
        on_cmdline = builtin || (src && gd_source_is_cmdline(src));
        if (on_cmdline) {
                const struct gd_bootconfig *b = P->h->bootconfig;
                next_arg = b && b->next_cmdline_state == 0 ? gd_cmdline_find_last(&b->next_cmdline, "vfio_pci.ids")
                                                           : NULL;
                if (next_arg)
                        split_ids(P, next_arg->value, &existing);
                else if (!builtin)
                        for (size_t i = 0; i < ids.n; i++)
                                split_ids(P, ids.items[i].text, &existing);
        } else
                for (size_t i = 0; i < ids.n; i++)
                        split_ids(P, ids.items[i].text, &existing);

        old_list = join_ids(existing);
        if (!old_list || gd_vfio_ids_parse(old_list, NULL, &parsed, &n_parsed) < 0) {
                P->oom = true;
                gd_vfio_ids_free(parsed, n_parsed);
                return;
        }
        for (size_t i = 0; existing && existing[i]; i++)
                if (!strv_contains(drop, existing[i]) && strv_push_dup(&final, existing[i]) < 0)
                        P->oom = true;
        for (size_t i = 0; add && add[i]; i++) {
                struct gd_vfio_id *one = NULL;
                size_t n_one = 0;
                if (gd_vfio_ids_parse(add[i], NULL, &one, &n_one) < 0) {
                        P->oom = true;
                        break;
                }
                if (n_one == 1 && !covered(parsed, n_parsed, &one[0]) && !strv_contains(final, add[i]) &&
                    strv_push_dup(&final, add[i]) < 0)
                        P->oom = true;
                gd_vfio_ids_free(one, n_one);
        }
        gd_vfio_ids_free(parsed, n_parsed);
        new_list = join_ids(final);
        if (!new_list) {
                P->oom = true;
                return;
        }
        if (streq(new_list, old_list))
                return;
        check_kept(P, old_list, new_list);

        if (on_cmdline) {
                if (asprintf(ret_cmdline_ids, "%s=%s", next_arg ? next_arg->key : "vfio-pci.ids", new_list) < 0)
                        P->oom = true;
                return;
        }
        if (src && src->path && startswith(src->path, "/etc/")) {
                struct pfile *pf = pfile_get(P, src->path, GD_PHASE_MODULES);
                _cleanup_free_ char *cur = pf ? pfile_current_line(pf, src->line) : NULL, *line = NULL;
                bool empty;

                if (!pf)
                        return;
                if (!cur || !startswith(cur, "options")) {
                        planner_conflict(P, "%s line %u is not the options line the reader found there", src->path,
                                         src->line);
                        return;
                }
                line = options_with_ids(cur, new_list, &empty);
                if (!line) {
                        P->oom = true;
                        return;
                }
                if (empty)
                        pfile_delete(P, pf, src->line);
                else
                        pfile_rewrite(P, pf, src->line, line);
                pfile_change(P, pf, NULL, "vfio-pci ids=%s (was %s)", new_list, old_list);
                planner_reasons_add(P, &pf->reasons, P->ids_reasons);
        } else if (*new_list) {
                struct pfile *pf = pfile_get(P, VFIO_CONF, GD_PHASE_MODULES);
                _cleanup_free_ char *line = NULL;

                if (!pf)
                        return;
                if (asprintf(&line, "options vfio-pci ids=%s", new_list) < 0) {
                        P->oom = true;
                        return;
                }
                pfile_append(P, pf, line);
                pfile_change(P, pf, NULL, "vfio-pci ids=%s", new_list);
                planner_reasons_add(P, &pf->reasons, P->ids_reasons);
        }
        P->modules_changed = true;
}

/* ---- softdep, blacklist ------------------------------------------------------ */

/* The softdep line with vfio-pci first in its pre:. */
static char *softdep_with_vfio(const char *line) {
        const char *pre = strstr(line, "pre:");
        char *out = NULL;

        if (pre) {
                if (asprintf(&out, "%.*spre: vfio-pci%s", (int) (pre - line), line, pre + 4) < 0)
                        return NULL;
        } else {
                /* softdep MODULE post: ... -> softdep MODULE pre: vfio-pci post: ... */
                const char *p = line + strlen("softdep");
                p += strspn(p, " \t");
                p += strcspn(p, " \t");
                if (asprintf(&out, "%.*s pre: vfio-pci%s", (int) (p - line), line, p) < 0)
                        return NULL;
        }
        return out;
}

static void plan_softdeps(struct planner *P) {
        const struct gd_modconfig *m = P->h->modconfig;
        size_t n;
        _cleanup_free_ struct item *items = planner_items(P, GD_ACT_SOFTDEP, &n);

        for (size_t i = 0; i < n; i++) {
                const char *mod = items[i].a->arg;
                const struct gd_mod_softdep *sd = gd_modconfig_find_softdep(m, mod);
                struct pfile *pf;

                if (gd_softdep_has_pre(sd, "vfio_pci"))
                        continue;
                if (sd && sd->source.path && startswith(sd->source.path, "/etc/") && sd->source.line) {
                        _cleanup_free_ char *cur = NULL, *line = NULL;
                        pf = pfile_get(P, sd->source.path, GD_PHASE_MODULES);
                        cur = pf ? pfile_current_line(pf, sd->source.line) : NULL;
                        if (!pf)
                                continue;
                        if (!cur || !startswith(cur, "softdep")) {
                                planner_conflict(P, "%s line %u is not the softdep line the reader found there",
                                                 sd->source.path, sd->source.line);
                                continue;
                        }
                        if (strstr(cur, "vfio-pci") || strstr(cur, "vfio_pci"))
                                continue;
                        line = softdep_with_vfio(cur);
                        if (!line) {
                                P->oom = true;
                                return;
                        }
                        pfile_rewrite(P, pf, sd->source.line, line);
                        pfile_change(P, pf, items[i].x, "vfio-pci first in the softdep of %s", mod);
                } else {
                        _cleanup_free_ char *line = NULL;
                        pf = pfile_get(P, VFIO_CONF, GD_PHASE_MODULES);
                        if (!pf)
                                continue;
                        if (asprintf(&line, "softdep %s pre: vfio-pci", mod) < 0) {
                                P->oom = true;
                                continue;
                        }
                        if (pf->insert[pf->n_lines + 1] && strstr(pf->insert[pf->n_lines + 1], line))
                                continue;
                        pfile_append(P, pf, line);
                        pfile_change(P, pf, items[i].x, "softdep %s pre: vfio-pci", mod);
                }
                P->modules_changed = true;
        }
}

/* A device outside the plan's cards that uses module, or would get it. */
static const struct gd_pci_dev *other_user(const struct planner *P, const char *module) {
        for (size_t i = 0; i < P->h->n_devs; i++) {
                const struct gd_pci_dev *d = &P->h->devs[i];
                const struct gd_alias_match *a;

                if (planner_is_target(P, d->address))
                        continue;
                if (d->driver_known == TRI_YES && d->driver && gd_modname_eq(d->driver, module))
                        return d;
                a = gd_modconfig_find_alias(P->h->modconfig, d->modalias);
                for (size_t j = 0; a && a->known == TRI_YES && j < a->n_modules; j++)
                        if (gd_modname_eq(a->modules[j].name, module) &&
                            (d->driver_known != TRI_YES || d->driver))
                                return d;
        }
        return NULL;
}

static void plan_blacklists(struct planner *P) {
        size_t n;
        _cleanup_free_ struct item *items = planner_items(P, GD_ACT_BLACKLIST, &n);

        for (size_t i = 0; i < n; i++) {
                const char *mod = items[i].a->arg;
                const struct gd_pci_dev *d = other_user(P, mod);
                _cleanup_free_ char *line = NULL;
                struct pfile *pf;

                if (d) {
                        planner_conflict(P, "blacklist %s would take it from %s, which is not a function of the "
                                         "card the plan is for", mod, d->address);
                        continue;
                }
                if (gd_modconfig_find_blacklist(P->h->modconfig, mod))
                        continue;
                pf = pfile_get(P, VFIO_CONF, GD_PHASE_MODULES);
                if (!pf)
                        continue;
                if (asprintf(&line, "blacklist %s", mod) < 0) {
                        P->oom = true;
                        continue;
                }
                if (pf->insert[pf->n_lines + 1] && strstr(pf->insert[pf->n_lines + 1], line))
                        continue;
                pfile_append(P, pf, line);
                pfile_change(P, pf, items[i].x, "blacklist %s", mod);
                P->modules_changed = true;
        }
}

/* ---- options, lines, modules-load.d ------------------------------------------ */

static void plan_option_removals(struct planner *P) {
        size_t n;
        _cleanup_free_ struct item *items = planner_items(P, GD_ACT_OPTION_REMOVE, &n);

        for (size_t i = 0; i < n; i++) {
                const struct gd_action *a = items[i].a;
                struct pfile *pf = pfile_get(P, a->path, GD_PHASE_MODULES);
                _cleanup_free_ char *cur = pf ? pfile_current_line(pf, a->line) : NULL, *copy = NULL, *out = NULL;
                char *save = NULL;
                size_t len = 0, words = 0;
                FILE *f;

                if (!pf)
                        continue;
                if (!cur || !startswith(cur, "options")) {
                        planner_conflict(P, "%s line %u is not the options line the reader found there", a->path,
                                         a->line);
                        continue;
                }
                copy = strdup(cur);
                f = copy ? open_memstream(&out, &len) : NULL;
                if (!f) {
                        P->oom = true;
                        return;
                }
                for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                        size_t pl = strlen(a->arg);
                        if (words >= 2 && strncmp(w, a->arg, pl) == 0 && (w[pl] == '\0' || w[pl] == '='))
                                continue;
                        fprintf(f, "%s%s", words ? " " : "", w);
                        words++;
                }
                if (fclose(f) != 0) {
                        P->oom = true;
                        return;
                }
                if (words <= 2)
                        pfile_delete(P, pf, a->line);
                else
                        pfile_rewrite(P, pf, a->line, out);
                pfile_change(P, pf, items[i].x, "drop %s from the options of %s", a->arg, a->text ? a->text : "");
                P->modules_changed = true;
        }
}

static void plan_line_removals(struct planner *P) {
        size_t n;
        _cleanup_free_ struct item *items = planner_items(P, GD_ACT_LINE_REMOVE, &n);

        for (size_t i = 0; i < n; i++) {
                const struct gd_action *a = items[i].a;
                /* A VM configuration's line: the VM phase, no module change. */
                bool vm = startswith(a->path, "/etc/pve/") || startswith(a->path, "/etc/libvirt/");
                struct pfile *pf = pfile_get(P, a->path, vm ? GD_PHASE_VM : GD_PHASE_MODULES);
                _cleanup_free_ char *cur = pf ? pfile_current_line(pf, a->line) : NULL;
                size_t w;

                if (!pf)
                        continue;
                if (!cur)
                        continue;      /* deleted already */
                w = strspn(cur, " \t");
                if (!a->arg || strncmp(cur + w, a->arg, strlen(a->arg)) != 0) {
                        planner_conflict(P, "%s line %u is not '%s' as the reader found it", a->path, a->line,
                                         a->arg ? a->arg : "");
                        continue;
                }
                pfile_delete(P, pf, a->line);
                pfile_change(P, pf, items[i].x, "delete line %u (%s)", a->line, cur);
                if (!vm)
                        P->modules_changed = true;
        }
}

static void plan_module_loads(struct planner *P) {
        const struct gd_modconfig *m = P->h->modconfig;
        size_t n;
        _cleanup_free_ struct item *items = planner_items(P, GD_ACT_MODULE_LOAD, &n);

        for (size_t i = 0; i < n; i++) {
                const char *mod = items[i].a->arg;
                _cleanup_free_ char *path = NULL;
                bool listed = false;
                struct pfile *pf;

                for (size_t j = 0; m && j < m->n_modload; j++)
                        listed |= gd_modname_eq(m->modload[j].module, mod);
                if (listed)
                        continue;
                if (asprintf(&path, "/etc/modules-load.d/%s.conf", startswith(mod, "vfio") ? "vfio" : mod) < 0) {
                        P->oom = true;
                        return;
                }
                pf = pfile_get(P, path, GD_PHASE_MODULES);
                if (!pf || (pf->insert[pf->n_lines + 1] && strstr(pf->insert[pf->n_lines + 1], mod)))
                        continue;
                pfile_append(P, pf, mod);
                pfile_change(P, pf, items[i].x, "load %s at boot", mod);
                P->modules_changed = true;
        }
}

void plan_modules(struct planner *P, char **ret_cmdline_ids) {
        size_t n;

        plan_ids(P, ret_cmdline_ids);
        plan_softdeps(P);
        plan_blacklists(P);
        plan_option_removals(P);
        plan_line_removals(P);
        plan_module_loads(P);
        {
                _cleanup_free_ struct item *items = planner_items(P, GD_ACT_DRIVER_OVERRIDE, &n);
                for (size_t i = 0; i < n; i++)
                        plan_override(P, GD_PHASE_MODULES, items[i].x, items[i].a->arg, true);
        }
}
