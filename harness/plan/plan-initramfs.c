/* SPDX-License-Identifier: MIT */
/* The initramfs: the modules it must load early (so vfio-pci claims the
 * card before a GPU driver does), written where this host's tool reads
 * them, and the command that rebuilds it.
 *
 *  initramfs-tools  /etc/initramfs-tools/modules, one module a line
 *                   (initramfs-tools(7), "MODULES"), update-initramfs -u -k all
 *  dracut           force_drivers+=" ... " in /etc/dracut.conf.d/vfio.conf
 *                   (dracut.conf(5)), dracut -f --regenerate-all
 *  mkinitcpio       MODULES=(...) of /etc/mkinitcpio.conf, in order, vfio_pci
 *                   first (mkinitcpio.conf(5)), mkinitcpio -P
 *  booster          modules_force_load: a,b of /etc/booster.yaml (booster(1)),
 *                   /usr/lib/booster/regenerate_images
 *
 * A tool the host's files do not name is asked for once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "model/modconfig.h"
#include "plan-internal.h"

/* True when the whitespace- or comma-separated words of s hold module. */
static bool words_have(const char *s, const char *module) {
        _cleanup_free_ char *copy = strdup(s ? s : "");
        char *save = NULL;

        for (char *w = copy ? strtok_r(copy, " \t,()\"'=+", &save) : NULL; w; w = strtok_r(NULL, " \t,()\"'=+", &save))
                if (gd_modname_eq(w, module))
                        return true;
        return false;
}

static void initramfs_tools(struct planner *P, char * const *mods, char * const *reasons) {
        struct pfile *pf = pfile_get(P, "/etc/initramfs-tools/modules", GD_PHASE_INITRAMFS);

        if (!pf)
                return;
        for (size_t i = 0; mods[i]; i++) {
                bool listed = false;
                for (size_t n = 1; n <= pf->n_lines && !listed; n++) {
                        _cleanup_free_ char *l = pfile_current_line(pf, n);
                        size_t w = l ? strspn(l, " \t") : 0;
                        listed = l && l[w] != '#' && strcspn(l + w, " \t") == strlen(mods[i]) &&
                                 gd_modname_eq(strndupa(l + w, strlen(mods[i])), mods[i]);
                }
                if (listed)
                        continue;
                pfile_append(P, pf, mods[i]);
                pfile_change(P, pf, NULL, "load %s in the initramfs", mods[i]);
        }
        planner_reasons_add(P, &pf->reasons, reasons);
}

static void dracut(struct planner *P, char * const *mods, char * const *reasons) {
        const struct gd_bootconfig *b = P->h->bootconfig;
        _cleanup_free_ char *missing = NULL;
        struct pfile *pf;
        size_t len = 0;
        FILE *f = open_memstream(&missing, &len);

        if (!f) {
                P->oom = true;
                return;
        }
        for (size_t i = 0; mods[i]; i++) {
                bool listed = false;
                /* Any dracut configuration file that force-loads or adds it. */
                for (size_t k = 0; b && k < b->files.n && !listed; k++) {
                        const struct gd_conffile *cf = &b->files.items[k];
                        if (cf->state < 0 || !(streq(cf->path, "/etc/dracut.conf") ||
                                               startswith(cf->path, "/etc/dracut.conf.d/")))
                                continue;
                        for (size_t n = 1; n <= gd_text_line_count(cf->text) && !listed; n++) {
                                const char *l;
                                size_t ll;
                                _cleanup_free_ char *line = NULL;
                                if (!gd_text_line(cf->text, n, &l, &ll) || !(line = strndup(l, ll)))
                                        continue;
                                if ((strstr(line, "force_drivers") || strstr(line, "add_drivers")) &&
                                    line[strspn(line, " \t")] != '#')
                                        listed = words_have(strchr(line, '=') ? strchr(line, '=') : line, mods[i]);
                        }
                }
                if (!listed)
                        fprintf(f, " %s", mods[i]);
        }
        if (fclose(f) != 0) {
                P->oom = true;
                return;
        }
        if (!missing || !*missing)
                return;
        pf = pfile_get(P, "/etc/dracut.conf.d/vfio.conf", GD_PHASE_INITRAMFS);
        if (pf) {
                _cleanup_free_ char *line = NULL;
                if (asprintf(&line, "force_drivers+=\"%s \"", missing) < 0) {
                        P->oom = true;
                        return;
                }
                pfile_append(P, pf, line);
                pfile_change(P, pf, NULL, "load%s in the initramfs", missing);
                planner_reasons_add(P, &pf->reasons, reasons);
        }
}

static void mkinitcpio(struct planner *P, char * const *mods, char * const *reasons) {
        struct pfile *pf = pfile_get(P, "/etc/mkinitcpio.conf", GD_PHASE_INITRAMFS);
        _cleanup_free_ char *front = NULL;
        size_t at = 0, len = 0;
        FILE *f;

        if (!pf)
                return;
        /* The last MODULES=(...) assignment on one line counts. */
        for (size_t n = 1; n <= pf->n_lines; n++) {
                _cleanup_free_ char *l = pfile_current_line(pf, n);
                if (l && startswith(l, "MODULES=(") && strchr(l, ')'))
                        at = n;
        }
        f = open_memstream(&front, &len);
        if (!f) {
                P->oom = true;
                return;
        }
        {
                _cleanup_free_ char *cur = at ? pfile_current_line(pf, at) : NULL;
                for (size_t i = 0; mods[i]; i++)
                        if (!cur || !words_have(cur + strlen("MODULES"), mods[i]))
                                fprintf(f, "%s%s", len ? " " : "", mods[i]), fflush(f);
                if (fclose(f) != 0) {
                        P->oom = true;
                        return;
                }
                if (!front || !*front)
                        return;
                if (cur) {
                        const char *open = cur + strlen("MODULES=(");
                        bool empty = *open == ')';
                        _cleanup_free_ char *line = NULL;
                        if (asprintf(&line, "MODULES=(%s%s%s", front, empty ? "" : " ", open) < 0) {
                                P->oom = true;
                                return;
                        }
                        pfile_rewrite(P, pf, at, line);
                } else {
                        _cleanup_free_ char *line = NULL;
                        if (asprintf(&line, "MODULES=(%s)", front) < 0) {
                                P->oom = true;
                                return;
                        }
                        pfile_append(P, pf, line);
                }
        }
        pfile_change(P, pf, NULL, "%s first in MODULES=()", front);
        planner_reasons_add(P, &pf->reasons, reasons);
}

static void booster(struct planner *P, char * const *mods, char * const *reasons) {
        struct pfile *pf = pfile_get(P, "/etc/booster.yaml", GD_PHASE_INITRAMFS);
        _cleanup_free_ char *cur = NULL, *added = NULL;
        size_t at = 0, len = 0;
        FILE *f;

        if (!pf)
                return;
        for (size_t n = 1; n <= pf->n_lines; n++) {
                _cleanup_free_ char *l = pfile_current_line(pf, n);
                if (l && startswith(l, "modules_force_load:"))
                        at = n;
        }
        cur = at ? pfile_current_line(pf, at) : NULL;
        f = open_memstream(&added, &len);
        if (!f) {
                P->oom = true;
                return;
        }
        for (size_t i = 0; mods[i]; i++)
                if (!cur || !words_have(cur + strlen("modules_force_load:"), mods[i]))
                        fprintf(f, "%s%s", len ? "," : "", mods[i]), fflush(f);
        if (fclose(f) != 0) {
                P->oom = true;
                return;
        }
        if (!added || !*added)
                return;
        if (cur) {
                _cleanup_free_ char *line = NULL;
                const char *v = cur + strlen("modules_force_load:");
                v += strspn(v, " \t");
                if (asprintf(&line, "modules_force_load: %s%s%s", v, *v ? "," : "", added) < 0) {
                        P->oom = true;
                        return;
                }
                pfile_rewrite(P, pf, at, line);
        } else {
                _cleanup_free_ char *line = NULL;
                if (asprintf(&line, "modules_force_load: %s", added) < 0) {
                        P->oom = true;
                        return;
                }
                pfile_append(P, pf, line);
        }
        pfile_change(P, pf, NULL, "load %s in the initramfs", added);
        planner_reasons_add(P, &pf->reasons, reasons);
}

void plan_initramfs(struct planner *P) {
        _cleanup_strv_free_ char **mods = NULL, **reasons = NULL;
        size_t n;
        _cleanup_free_ struct item *items = planner_items(P, GD_ACT_INITRAMFS_MODULE, &n);

        for (size_t i = 0; i < n; i++) {
                if (!strv_contains(mods, items[i].a->arg) && strv_push_dup(&mods, items[i].a->arg) < 0)
                        P->oom = true;
                planner_reason(P, &reasons, items[i].x);
        }
        if (!mods)
                return;
        switch (P->initramfs) {
        case GD_INITRAMFS_TOOLS:
                initramfs_tools(P, mods, reasons);
                break;
        case GD_INITRAMFS_DRACUT:
                dracut(P, mods, reasons);
                break;
        case GD_INITRAMFS_MKINITCPIO:
                mkinitcpio(P, mods, reasons);
                break;
        case GD_INITRAMFS_BOOSTER:
                booster(P, mods, reasons);
                break;
        default: {
                struct gd_plan_step *s = planner_step(P, GD_PHASE_INITRAMFS, GD_STEP_PERSON,
                                                      "Load vfio-pci in the initramfs");
                _cleanup_free_ char *list = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&list, &len);

                if (!s || !f) {
                        if (f)
                                fclose(f);
                        P->oom = true;
                        return;
                }
                for (size_t i = 0; mods[i]; i++)
                        fprintf(f, "%s%s", i ? ", " : "", mods[i]);
                if (fclose(f) != 0 ||
                    asprintf(&s->text, "Add %s to the module list of this host's initramfs tool.", list) < 0)
                        P->oom = true;
                s->question = planner_ask(P, "initramfs-tool");
                planner_reasons_add(P, &s->reasons, reasons);
                break;
        }
        }
        /* A list already complete leaves nothing to rebuild for. */
        if (pfiles_changed(P, GD_PHASE_INITRAMFS))
                P->modules_changed = true;
        planner_reasons_add(P, &P->rebuild_reasons, reasons);
}

void plan_rebuild(struct planner *P) {
        struct gd_plan_step *s;

        if (!P->want_rebuild && !P->modules_changed)
                return;
        s = planner_step(P, GD_PHASE_INITRAMFS, GD_STEP_COMMAND, "Rebuild the initramfs");
        if (!s)
                return;
        switch (P->initramfs) {
        case GD_INITRAMFS_TOOLS:
                planner_argv(P, s, "update-initramfs", "-u", "-k", "all", NULL);
                break;
        case GD_INITRAMFS_DRACUT:
                planner_argv(P, s, "dracut", "-f", "--regenerate-all", NULL);
                break;
        case GD_INITRAMFS_MKINITCPIO:
                planner_argv(P, s, "mkinitcpio", "-P", NULL);
                break;
        case GD_INITRAMFS_BOOSTER:
                planner_argv(P, s, "/usr/lib/booster/regenerate_images", NULL);
                break;
        default:
                s->question = planner_ask(P, "initramfs-tool");
                break;
        }
        /* Undoing the edits means building it again from the restored files. */
        if (s->argv)
                for (size_t i = 0; s->argv[i]; i++)
                        if (strv_push_dup(&s->undo_argv, s->argv[i]) < 0)
                                P->oom = true;
        if (!s->argv && !s->text && !(s->text = strdup("Rebuild it with this host's initramfs tool.")))
                P->oom = true;
        planner_reasons_add(P, &s->reasons, P->rebuild_reasons);
        /* The findings behind the module configuration it copies. */
        for (size_t i = 0; i < P->n_files; i++)
                if (P->files[i].phase == GD_PHASE_MODULES || P->files[i].phase == GD_PHASE_INITRAMFS)
                        planner_reasons_add(P, &s->reasons, P->files[i].reasons);
        planner_reasons_add(P, &P->reboot_reasons, s->reasons);
}
