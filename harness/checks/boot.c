/* SPDX-License-Identifier: MIT */
/* Was the boot configuration applied?
 *
 * boot.cmdline-drift: the running kernel's command line (/proc/cmdline) and
 * the one the boot loader configuration will pass next boot
 * (model/bootconfig.h next_cmdline: /etc/kernel/cmdline, or
 * GRUB_CMDLINE_LINUX + GRUB_CMDLINE_LINUX_DEFAULT) disagree: a flag in the
 * configuration that the running kernel did not get (not regenerated, or
 * not rebooted), or an IOMMU/vfio flag the running kernel has that the
 * configuration no longer has (gone at next boot).  Keys compare as
 * parse_args() does, '-' and '_' alike (kernel/params.c parameq()).
 *
 * boot.initramfs-stale: a module configuration file (modprobe.d,
 * /etc/modules, modules-load.d, initramfs-tools/modules, mkinitcpio.conf,
 * dracut.conf.d) is newer than the initramfs of the running kernel, so the
 * vfio options and softdeps it holds may not apply in early boot. */
#include <string.h>
#include <time.h>

#include "families.h"
#include "model/bootconfig.h"
#include "remedy.h"

static bool key_eq(const char *a, const char *b) {
        for (; *a && *b; a++, b++)
                if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
                        return false;
        return *a == *b;
}

static bool has_arg(const struct gd_cmdline *c, const struct gd_cmdline_arg *a) {
        for (size_t i = 0; i < c->n_args; i++) {
                const struct gd_cmdline_arg *b = &c->args[i];
                if (key_eq(a->key, b->key) && (a->value ? b->value && strcmp(a->value, b->value) == 0 : !b->value))
                        return true;
        }
        return false;
}

/* Flags whose loss at next boot changes passthrough. */
static bool relevant(const char *key) {
        static const char *const keys[] = {
                "intel_iommu", "amd_iommu", "amd_iommu_intr", "iommu", "intremap", "nointremap",
                "pcie_acs_override", "video", "initcall_blacklist", "modprobe.blacklist", "module_blacklist",
                "pci", "pcie_aspm", "nomodeset",
        };
        static const char *const prefixes[] = {
                "vfio", "iommu.", "kvm", "ivrs_", "rd.driver.",
        };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (key_eq(key, keys[i]))
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (strncmp(key, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        return false;
}

/* Appends " key[=value]" to *list. */
static void list_add(char **list, const struct gd_cmdline_arg *a) {
        char *s = NULL;
        if (asprintf(&s, "%s%s%s%s%s", *list ? *list : "", *list ? " " : "", a->key,
                     a->value ? "=" : "", a->value ? a->value : "") < 0)
                return;
        free(*list);
        *list = s;
}

static void check_drift(const struct gd_host *h, struct gd_findings *out) {
        const struct gd_bootconfig *b = h->bootconfig;
        _cleanup_free_ char *missing = NULL, *dropped = NULL;
        struct gd_finding *x;

        if (!b || b->next_cmdline_state < 0 || h->cmdline_state < 0 || !b->next_cmdline_source)
                return;
        for (size_t i = 0; i < b->next_cmdline.n_args; i++)
                if (!has_arg(&h->cmdline, &b->next_cmdline.args[i]))
                        list_add(&missing, &b->next_cmdline.args[i]);
        for (size_t i = 0; i < h->cmdline.n_args; i++)
                if (relevant(h->cmdline.args[i].key) && !has_arg(&b->next_cmdline, &h->cmdline.args[i]))
                        list_add(&dropped, &h->cmdline.args[i]);
        if (!missing && !dropped)
                return;

        if (missing && dropped)
                x = gd_findings_add(out, "boot.cmdline-drift",
                                    "%s has %s, which the running kernel did not get, and lacks %s, which it has",
                                    b->next_cmdline_source, missing, dropped);
        else if (missing)
                x = gd_findings_add(out, "boot.cmdline-drift",
                                    "%s has %s, which the running kernel did not get (not applied or not rebooted)",
                                    b->next_cmdline_source, missing);
        else
                x = gd_findings_add(out, "boot.cmdline-drift",
                                    "the running kernel has %s, which %s no longer has: it is gone after the next boot",
                                    dropped, b->next_cmdline_source);
        if (!x)
                return;
        gd_finding_evidence_cmdline(x, h);
        gd_finding_evidence(x, b->next_cmdline_source, b->next_cmdline_line, "%s",
                            b->next_cmdline.raw ? b->next_cmdline.raw : "");
        if (missing) {
                gd_remedy_apply_bootloader(x, h);
                /* Written, not applied: the refresh and reboot are the fix. */
                gd_finding_act(x, GD_ACT_BOOTLOADER_REFRESH, GD_ACT_ALWAYS);
                gd_finding_act(x, GD_ACT_REBOOT, GD_ACT_ALWAYS);
        }
        else
                gd_finding_remedy(x, "If %s should stay, add it back to %s; otherwise nothing to do: the next boot "
                                  "drops it (apply the configuration first if you changed it by hand).",
                                  dropped, b->next_cmdline_source);
}

static void format_time(int64_t t, char *buf, size_t size) {
        time_t tt = (time_t) t;
        struct tm tm;

        if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
                snprintf(buf, size, "%lld", (long long) t);
}

static void check_initramfs(const struct gd_host *h, struct gd_findings *out) {
        const struct gd_bootconfig *b = h->bootconfig;
        char t1[64], t2[64];
        struct gd_finding *x;

        if (!b || b->initramfs_mtime < 0 || b->newest_modconf_mtime < 0 || !b->initramfs_path ||
            !b->newest_modconf_path || b->newest_modconf_mtime <= b->initramfs_mtime)
                return;
        format_time(b->initramfs_mtime, t1, sizeof(t1));
        format_time(b->newest_modconf_mtime, t2, sizeof(t2));
        x = gd_findings_add(out, "boot.initramfs-stale", "%s changed after %s was built",
                            b->newest_modconf_path, b->initramfs_path);
        if (!x)
                return;
        gd_finding_evidence(x, b->newest_modconf_path, 0, "modified %s", t2);
        gd_finding_evidence(x, b->initramfs_path, 0, "built %s", t1);
        gd_remedy_apply_initramfs(x, h);
        gd_finding_remedy_append(x, "Reboot.");
        gd_finding_act(x, GD_ACT_INITRAMFS_REBUILD, GD_ACT_ALWAYS);
        gd_finding_act(x, GD_ACT_REBOOT, GD_ACT_ALWAYS);
}

void gd_check_boot(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        check_drift(h, out);
        check_initramfs(h, out);
}
