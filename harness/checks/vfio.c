/* SPDX-License-Identifier: MIT */
/* The vfio family: are the vfio modules there, is vfio-pci told about every
 * function of the card (and only about devices that exist), and is its
 * configuration written where the kernel will read it.
 *
 *   vfio.modules-missing          vfio, vfio_iommu_type1, vfio_pci neither loaded nor built in
 *   vfio.virqfd-obsolete          vfio_virqfd in /etc/modules(-load.d) on a kernel >= 6.2
 *   vfio.ids-mismatch             ids= misses a function of the card, or names no present device
 *   vfio.builtin-ignores-modprobe CONFIG_VFIO_PCI=y and ids= only in modprobe.d
 *
 * The pure vfio-pci ids= helpers of vfio-ids.h are in vfio-ids.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hostpaths.h"
#include "base/strv.h"
#include "families.h"
#include "model/bootconfig.h"
#include "model/modconfig.h"
#include "remedy.h"
#include "vfio-ids.h"

/* ---- vfio.modules-missing -------------------------------------------- */

/* Every function on vfio-pci or one of its variant drivers: each is built
 * on vfio_pci_core and vfio, so a bound card proves them loaded, and a
 * card on a variant driver (nvgrace_gpu_vfio_pci) needs no vfio_pci. */
static bool target_all_vfio(const struct gd_host *h, const struct gd_target *t) {
        for (size_t i = 0; i < t->n_functions; i++)
                if (t->functions[i]->driver_known != TRI_YES || !gd_driver_is_vfio_class(h, t->functions[i]->driver) ||
                    streq(t->functions[i]->driver, "pci-stub"))
                        return false;
        return t->n_functions > 0;
}

static void check_modules(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        /* vfio_pci_core (a module of its own since 5.15, "vfio/pci: Split
         * the pci_driver code out of vfio_pci_core.c") is a hard dependency
         * of vfio_pci, so vfio_pci loaded implies it. */
        /* /sys/module/<name> is there for a loaded module and for a built-in
         * one with parameters (kernel/params.c param_sysfs_builtin());
         * vfio_iommu_type1 (allow_unsafe_interrupts, ...) and vfio_pci (ids,
         * ...) always have parameters, so its absence rules out built-in. */
        static const struct {
                const char *module, *kconfig;
                bool proven_by_binding; /* a device on vfio-pci proves it loaded */
                bool has_params;
        } needed[] = {
                { "vfio", "CONFIG_VFIO", true, false },
                { "vfio_iommu_type1", "CONFIG_VFIO_IOMMU_TYPE1", false, true },
                { "vfio_pci", "CONFIG_VFIO_PCI", true, true },
        };
        const struct gd_modconfig *m = h->modconfig;
        const struct gd_bootconfig *b = h->bootconfig;
        bool bound = false, missing[ELEMENTSOF(needed)] = { false }, builtin_unknown = false;
        size_t n_missing = 0;
        struct gd_finding *x;
        char names[128] = "";

        /* Without the loaded list nothing is proven missing: a card not on
         * vfio-pci is NOT READY through the driver findings already, and a
         * card on vfio-pci proves vfio and vfio_pci loaded. */
        if (!m || !m->loaded)
                return;
        for (size_t i = 0; i < t->n; i++)
                if (target_all_vfio(h, &t->items[i]))
                        bound = true;

        for (size_t i = 0; i < ELEMENTSOF(needed); i++) {
                const char *kc = gd_kconfig_get(b, needed[i].kconfig);
                const struct gd_sys_module *sm = gd_host_sys_module(h, needed[i].module);

                if (streq(kc, "y") || gd_modconfig_is_loaded(m, needed[i].module) || (sm && sm->state == 0))
                        continue;
                if (bound && needed[i].proven_by_binding)
                        continue;
                /* drivers/iommu/iommufd/Kconfig IOMMUFD_VFIO_CONTAINER: iommufd
                 * provides /dev/vfio/vfio itself and type1 is not built. */
                if (streq(needed[i].module, "vfio_iommu_type1") &&
                    streq(gd_kconfig_get(b, "CONFIG_IOMMUFD_VFIO_CONTAINER"), "y"))
                        continue;
                missing[i] = true;
                n_missing++;
                if (!kc && !(needed[i].has_params && sm && sm->state == -ENOENT))
                        builtin_unknown = true;
                if (names[0])
                        strncat(names, ", ", sizeof(names) - strlen(names) - 1);
                strncat(names, needed[i].module, sizeof(names) - strlen(names) - 1);
        }
        if (n_missing == 0)
                return;

        x = gd_findings_add(out, "vfio.modules-missing", "%s %s not loaded%s", names, n_missing > 1 ? "are" : "is",
                            builtin_unknown ? " (whether built into the kernel could not be read)" :
                            " (and not built into the kernel)");
        if (!x)
                return;
        for (size_t i = 0; i < ELEMENTSOF(needed); i++) {
                const char *kc;
                if (!missing[i])
                        continue;
                gd_finding_evidence(x, gd_hostpath(GD_PROC_MODULES)->path, 0, "%s is not listed", needed[i].module);
                if (gd_host_sys_module(h, needed[i].module) && gd_host_sys_module(h, needed[i].module)->state == -ENOENT)
                        gd_finding_evidence(x, "/sys/module", 0, "no %s directory (neither loaded nor built in)",
                                            needed[i].module);
                kc = gd_kconfig_get(b, needed[i].kconfig);
                if (kc && b->kconfig_source)
                        gd_finding_evidence(x, b->kconfig_source, 0, "%s=%s%s", needed[i].kconfig, kc,
                                            streq(kc, "m") ? " (a module: it must be loaded)" : "");
        }
        gd_finding_remedy(x, "Load them now: modprobe -a vfio vfio_iommu_type1 vfio_pci");
        gd_finding_remedy_append(x, "Load them at every boot: write these lines to /etc/modules-load.d/vfio.conf:");
        gd_finding_remedy_append(x, "  vfio\n  vfio_iommu_type1\n  vfio_pci");
        gd_finding_remedy_append(x, "and put them in the initramfs too, so vfio-pci binds before a host driver.");
        for (size_t i = 0; i < ELEMENTSOF(needed); i++)
                gd_finding_act(x, GD_ACT_MODULE_LOAD, needed[i].module);
        gd_remedy_initramfs_vfio(x, h);
        gd_finding_act(x, GD_ACT_REBOOT, NULL);
}

/* ---- vfio.virqfd-obsolete -------------------------------------------- */

static void check_virqfd(const struct gd_host *h, struct gd_findings *out) {
        const struct gd_modconfig *m = h->modconfig;
        const char *release = h->kernel_release ? h->kernel_release : m ? m->release : NULL;
        unsigned major, minor;
        struct gd_finding *x = NULL;

        /* vfio_virqfd.ko was folded into vfio.ko for Linux 6.2 (commit
         * e2d55709398e "vfio: Fold vfio_virqfd.ko into vfio.ko";
         * drivers/vfio/Kconfig VFIO_VIRQFD became a bool). */
        if (!m || !gd_kernel_version(release, &major, &minor) || major < 6 || (major == 6 && minor < 2))
                return;
        for (size_t i = 0; i < m->n_modload; i++) {
                const struct gd_modload_line *l = &m->modload[i];
                if (!gd_modname_eq(l->module, "vfio_virqfd"))
                        continue;
                if (!x) {
                        x = gd_findings_add(out, "vfio.virqfd-obsolete",
                                            "vfio_virqfd is listed for loading, but kernel %s has it inside vfio.ko",
                                            release);
                        if (!x)
                                return;
                }
                gd_finding_evidence(x, l->source.path, l->source.line, "%s%s%s", l->module,
                                    l->args ? " " : "", l->args ? l->args : "");
                gd_finding_remedy_append(x, "Delete line %u of %s (systemd-modules-load reports "
                                         "'Failed to find module' for it at every boot).",
                                         l->source.line, l->source.path ? l->source.path : "(unknown file)");
                if (l->source.path)
                        gd_finding_act_line(x, GD_ACT_LINE_REMOVE, l->source.path, l->source.line, NULL,
                                            l->module, NULL);
        }
}

/* ---- vfio.ids-mismatch ----------------------------------------------- */

static bool id_present(const struct gd_host *h, const struct gd_vfio_id *id) {
        for (size_t i = 0; i < h->n_devs; i++)
                if (gd_vfio_id_matches(id, &h->devs[i]))
                        return true;
        return false;
}

static bool target_intended(const struct gd_target *t, const struct gd_vfio_ids *ids) {
        for (size_t i = 0; i < t->n_functions; i++)
                if (gd_vfio_ids_match(ids, t->functions[i]))
                        return true;
        return false;
}

/* The corrected list: the user's ids that match a present device (on an
 * imported host, whose paste need not list every device: every valid one), in
 * their order, then every function of every intended card not yet covered. */
static char *corrected_ids(const struct gd_host *h, const struct gd_targets *t, const struct gd_vfio_ids *ids) {
        _cleanup_strv_free_ char **list = NULL;
        char *out = NULL;
        size_t len = 0;
        FILE *f;

        for (size_t i = 0; i < ids->n; i++)
                if (ids->items[i].valid && (h->imported || id_present(h, &ids->items[i])) &&
                    !strv_contains(list, ids->items[i].text)) {
                        if (strv_push_dup(&list, ids->items[i].text) < 0)
                                return NULL;
                }
        for (size_t i = 0; i < t->n; i++) {
                const struct gd_target *tt = &t->items[i];
                if (!target_intended(tt, ids))
                        continue;
                for (size_t j = 0; j < tt->n_functions; j++) {
                        const struct gd_pci_dev *d = tt->functions[j];
                        char id[16];
                        if (gd_vfio_ids_match(ids, d) || d->ids_unknown)
                                continue;
                        snprintf(id, sizeof(id), "%04x:%04x", d->vendor, d->device);
                        if (!strv_contains(list, id) && strv_push_dup(&list, id) < 0)
                                return NULL;
                }
        }
        f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        for (size_t i = 0; list && list[i]; i++)
                fprintf(f, "%s%s", i ? "," : "", list[i]);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* The options line written at src with its ids= value replaced (other
 * parameters such as disable_vga=1 kept); newly allocated. */
static char *options_line_with_ids(const struct gd_host *h, const struct gd_source *src, const char *fixed) {
        const struct gd_modconfig *m = h->modconfig;
        _cleanup_free_ char *copy = NULL;
        char *out = NULL, *save = NULL;
        size_t len = 0;
        bool replaced = false;
        FILE *f;

        for (size_t i = 0; m && i < m->n_options; i++) {
                const struct gd_mod_options *o = &m->options[i];
                if (!gd_modname_eq(o->module, "vfio_pci") || !streq(o->source.path, src->path) ||
                    o->source.line != src->line)
                        continue;
                copy = strdup(o->options);
                break;
        }
        f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        fputs("options vfio-pci", f);
        for (char *tok = copy ? strtok_r(copy, " \t", &save) : NULL; tok; tok = strtok_r(NULL, " \t", &save)) {
                if (startswith(tok, "ids=")) {
                        if (!replaced)
                                fprintf(f, " ids=%s", fixed);
                        replaced = true;
                } else
                        fprintf(f, " %s", tok);
        }
        if (!replaced)
                fprintf(f, " ids=%s", fixed);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* Where the effective ids= are written, and the remedy that rewrites them. */
static void remedy_rewrite_ids(struct gd_finding *x, const struct gd_host *h, const struct gd_vfio_ids *ids,
                               const char *fixed) {
        const struct gd_source *src = ids->n ? &ids->items[0].source : NULL;
        _cleanup_free_ char *flag = NULL;

        if (ids->builtin == TRI_YES || gd_source_is_cmdline(src)) {
                /* Edit what the boot loader will pass next boot, not the
                 * running command line. */
                const struct gd_cmdline_arg *next =
                        h->bootconfig ? gd_cmdline_find_last(&h->bootconfig->next_cmdline, "vfio_pci.ids") : NULL;
                if (next && streq(next->value, fixed)) {
                        gd_finding_remedy_append(x, "The boot loader configuration already has this list; apply it:");
                        gd_remedy_apply_bootloader(x, h);
                        return;
                }
                /* Text only: the plan merges the ids of every finding
                 * (GD_ACT_VFIO_IDS / _DROP, attached by the caller). */
                if (next && asprintf(&flag, "%s=%s", next->key, next->value ? next->value : "") >= 0)
                        gd_remedy_cmdline_remove_text(x, h, flag);
                free(flag);
                flag = NULL;
                if (asprintf(&flag, "vfio-pci.ids=%s", fixed) >= 0)
                        gd_remedy_cmdline_add_text(x, h, flag);
                gd_finding_act(x, GD_ACT_BOOTLOADER_REFRESH, NULL);
                gd_finding_act(x, GD_ACT_REBOOT, NULL);
                return;
        }
        if (src && src->path) {
                _cleanup_free_ char *line = options_line_with_ids(h, src, fixed);
                gd_finding_remedy_append(x, "In %s line %u, write: %s", src->path, src->line,
                                         line ? line : "options vfio-pci ids=");
                if (!line)
                        gd_finding_remedy_append(x, "  (ids=%s)", fixed);
        }
        else
                gd_finding_remedy_append(x, "In /etc/modprobe.d/vfio.conf write: options vfio-pci ids=%s", fixed);
        gd_finding_remedy_append(x, "then rebuild the initramfs, so the options apply during early boot.");
        gd_remedy_initramfs_vfio(x, h);
}

static void evidence_ids(struct gd_finding *x, const struct gd_vfio_ids *ids) {
        /* One evidence line per place the list was written. */
        const char *last_path = NULL;
        unsigned last_line = 0;

        for (size_t i = 0; i < ids->n; i++) {
                const struct gd_source *s = &ids->items[i].source;
                _cleanup_free_ char *all = NULL;
                size_t len = 0;
                FILE *f;

                if (i > 0 && streq(s->path, last_path) && s->line == last_line)
                        continue;
                last_path = s->path, last_line = s->line;
                f = open_memstream(&all, &len);
                if (!f)
                        return;
                for (size_t j = i, k = 0; j < ids->n; j++)
                        if (streq(ids->items[j].source.path, s->path) && ids->items[j].source.line == s->line)
                                fprintf(f, "%s%s", k++ ? "," : "", ids->items[j].text);
                if (fclose(f) != 0)
                        return;
                gd_finding_evidence(x, s->path ? s->path : "module configuration (file unknown)", s->line,
                                    "vfio-pci ids=%s", all);
        }
}

static void check_ids(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        _cleanup_(gd_vfio_ids_clear) struct gd_vfio_ids ids = { 0 };
        _cleanup_free_ char *fixed = NULL;
        struct gd_finding *x;
        bool stale = false;

        if (gd_vfio_ids_effective(h, &ids) < 0 || ids.n == 0)
                return;
        fixed = corrected_ids(h, t, &ids);
        if (!fixed)
                return;

        /* A card the list names at least once is meant for vfio-pci; every
         * function of it must be listed.  Cards it never names (the host's
         * own GPU) are not its business. */
        for (size_t i = 0; i < t->n; i++) {
                const struct gd_target *tt = &t->items[i];
                size_t n_missing = 0;

                if (!target_intended(tt, &ids))
                        continue;
                /* A function whose IDs a paste did not show may be listed
                 * or not: unknown, not missing. */
                for (size_t j = 0; j < tt->n_functions; j++)
                        if (!gd_vfio_ids_match(&ids, tt->functions[j]) && !tt->functions[j]->ids_unknown)
                                n_missing++;
                if (n_missing == 0)
                        continue;
                x = gd_findings_add(out, "vfio.ids-mismatch",
                                    "vfio-pci ids= misses %zu function%s of the card at %s", n_missing,
                                    n_missing > 1 ? "s" : "", tt->gpu->address);
                if (!x)
                        return;
                for (size_t j = 0; j < tt->n_functions; j++) {
                        const struct gd_pci_dev *d = tt->functions[j];
                        _cleanup_free_ char *desc = NULL;
                        char id[16];
                        /* A pasted function whose IDs the paste does not
                         * show cannot be named in ids=. */
                        if (gd_vfio_ids_match(&ids, d) || d->ids_unknown)
                                continue;
                        snprintf(id, sizeof(id), "%04x:%04x", d->vendor, d->device);
                        gd_finding_act(x, GD_ACT_VFIO_IDS, id);
                        gd_finding_subject(x, d->address);
                        desc = gd_describe_dev(d);
                        gd_finding_evidence_attr(x, d, "device", desc ? desc : d->address);
                }
                gd_finding_subject(x, tt->gpu->address);
                evidence_ids(x, &ids);
                gd_finding_remedy(x, "List every function of the card (the corrected list): ids=%s", fixed);
                remedy_rewrite_ids(x, h, &ids, fixed);
        }

        /* Ids the kernel skips ("invalid id string", vfio_pci_fill_ids())
         * and ids no device on this host has. */
        /* "No device has it" needs every device of the host: an imported
         * paste lists some. */
        for (size_t i = 0; i < ids.n; i++)
                if (!ids.items[i].valid || (!h->imported && !id_present(h, &ids.items[i])))
                        stale = true;
        if (!stale)
                return;
        x = gd_findings_add(out, "vfio.ids-mismatch", "vfio-pci ids= names IDs that no device on this host has");
        if (!x)
                return;
        for (size_t i = 0; i < ids.n; i++) {
                const struct gd_vfio_id *v = &ids.items[i];
                if (v->valid && (h->imported || id_present(h, v)))
                        continue;
                gd_finding_evidence(x, v->source.path ? v->source.path : "module configuration (file unknown)",
                                    v->source.line, "%s: %s", v->text,
                                    v->valid ? "no PCI device has this ID"
                                             : "not vendor:device in hex; the kernel skips it (\"invalid id string\")");
                gd_finding_act(x, GD_ACT_VFIO_IDS_DROP, v->text);
        }
        if (fixed[0]) {
                gd_finding_remedy(x, "Drop them (the corrected list): ids=%s", fixed);
                remedy_rewrite_ids(x, h, &ids, fixed);
        } else
                gd_finding_remedy(x, "Remove the vfio-pci ids= setting, or list the vendor:device IDs shown by "
                                     "'lspci -nn' for every function of the card.");
}

/* ---- vfio.builtin-ignores-modprobe ----------------------------------- */

static void check_builtin(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        const struct gd_modconfig *m = h->modconfig;
        const struct gd_bootconfig *b = h->bootconfig;
        _cleanup_free_ char *flag = NULL;
        size_t n_conf = 0;
        struct gd_finding *x;
        struct gd_vfio_ids as_ids;

        /* A built-in vfio-pci takes its parameters from the kernel command
         * line only (kernel/params.c parse_args() at boot); modprobe is never
         * run for it, so modprobe.d options never reach it. */
        if (gd_vfio_pci_builtin(h) != TRI_YES || !m)
                return;
        if (gd_cmdline_find_last(&h->cmdline, "vfio_pci.ids"))
                return;
        for (size_t i = 0; i < m->n_vfio_ids; i++)
                if (!gd_source_is_cmdline(&m->vfio_ids[i].source) && m->vfio_ids[i].effective)
                        n_conf++;
        if (n_conf == 0)
                return;
        as_ids = (struct gd_vfio_ids) { .items = m->vfio_ids, .n = m->n_vfio_ids, .builtin = TRI_YES };

        x = gd_findings_add(out, "vfio.builtin-ignores-modprobe",
                            "vfio-pci is built into this kernel, so 'options vfio-pci ids=' in modprobe.d is ignored");
        if (!x)
                return;
        for (size_t i = 0; i < t->n; i++)
                if (target_intended(&t->items[i], &as_ids))
                        gd_finding_subject_target(x, &t->items[i]);
        gd_finding_evidence(x, b->kconfig_source ? b->kconfig_source : "kernel config", 0, "CONFIG_VFIO_PCI=y");
        evidence_ids(x, &as_ids);
        {
                _cleanup_free_ char *list = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&list, &len);
                if (!f)
                        return;
                for (size_t i = 0, k = 0; i < m->n_vfio_ids; i++)
                        if (m->vfio_ids[i].effective)
                                fprintf(f, "%s%s", k++ ? "," : "", m->vfio_ids[i].text);
                if (fclose(f) != 0)
                        return;
                if (asprintf(&flag, "vfio-pci.ids=%s", list) < 0)
                        return;
                gd_finding_act(x, GD_ACT_VFIO_IDS, list);
        }
        gd_remedy_cmdline_add_text(x, h, flag);
        gd_finding_act(x, GD_ACT_BOOTLOADER_REFRESH, NULL);
        gd_finding_act(x, GD_ACT_REBOOT, NULL);
}

void gd_check_vfio(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        check_modules(h, t, out);
        check_virqfd(h, out);
        check_ids(h, t, out);
        check_builtin(h, t, out);
}
