/* SPDX-License-Identifier: MIT */
/* Remedies spelled for this host's boot loader and initramfs tool.
 *
 * A command-line change is shown as the exact line before and after, in the
 * file the boot loader configuration reader found (model/bootconfig.h:
 * next_cmdline.raw is that line as written), followed by the command that
 * applies it.  Commands: update-grub / grub2-mkconfig / grub-mkconfig
 * (GRUB), proxmox-boot-tool refresh (Proxmox), kernel-install (systemd-boot
 * with /etc/kernel/cmdline), kernelstub -a / -d (Pop!_OS); initramfs:
 * update-initramfs -u -k all, dracut -f --regenerate-all, mkinitcpio -P,
 * booster's regenerate_images.
 *
 * Each helper also attaches the change as actions (model/action.h), which
 * gpudiag plan merges across findings; where the host's files do not tell
 * the boot loader or initramfs tool, the text says so once and the plan
 * asks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline-edit.h"
#include "model/bootconfig.h"
#include "remedy.h"

static const char *release_or_uname(const struct gd_host *h) {
        return h->kernel_release ? h->kernel_release : "$(uname -r)";
}

static const struct gd_bootconfig *usable_bootconfig(const struct gd_host *h) {
        const struct gd_bootconfig *b = h->bootconfig;

        if (!b || b->bootloader == GD_BOOTLOADER_UNKNOWN)
                return NULL;
        if (b->bootloader != GD_BOOTLOADER_KERNELSTUB &&
            (b->next_cmdline_state < 0 || !b->next_cmdline_source || !b->next_cmdline.raw))
                return NULL;
        return b;
}

/* The value the configuration gives flag's key ("intel_iommu" of
 * "intel_iommu=on"), when it gives one that differs from flag's. */
static const struct gd_cmdline_arg *next_conflict(const struct gd_bootconfig *b, const char *flag) {
        const char *eq = strchr(flag, '=');
        size_t klen = eq ? (size_t) (eq - flag) : strlen(flag);
        const struct gd_cmdline_arg *found = NULL;

        if (!eq)
                return NULL;
        for (size_t i = 0; i < b->next_cmdline.n_args; i++) {
                const struct gd_cmdline_arg *a = &b->next_cmdline.args[i];
                if (strlen(a->key) == klen && strncmp(a->key, flag, klen) == 0 && a->value)
                        found = a;
        }
        return found && strcmp(found->value, eq + 1) != 0 ? found : NULL;
}

static bool next_has(const struct gd_bootconfig *b, const char *flag) {
        const char *eq = strchr(flag, '=');
        size_t klen = eq ? (size_t) (eq - flag) : strlen(flag);

        for (size_t i = 0; i < b->next_cmdline.n_args; i++) {
                const struct gd_cmdline_arg *a = &b->next_cmdline.args[i];
                if (strlen(a->key) != klen || strncmp(a->key, flag, klen) != 0)
                        continue;
                if (eq ? (a->value && strcmp(a->value, eq + 1) == 0) : !a->value)
                        return true;
        }
        return false;
}

/* The boot loader configuration could not be read: one sentence, and the
 * plan asks which boot loader it is. */
static int unknown_bootloader(struct gd_finding *x, const char *verb, const char *flag, const char *prep) {
        int r = gd_finding_act(x, GD_ACT_BOOTLOADER_REFRESH, NULL);

        if (r >= 0)
                r = gd_finding_act(x, GD_ACT_REBOOT, NULL);
        if (r < 0)
                return r;
        return gd_finding_remedy_append(x, "%s %s %s the kernel command line in the boot loader configuration, "
                                        "apply it and reboot (this host's files do not tell which boot loader "
                                        "it uses: 'gpudiag plan' asks once and gives the exact edit).",
                                        verb, flag, prep);
}

static int show_change(struct gd_finding *x, const struct gd_bootconfig *b, const char *new_line) {
        if (b->next_cmdline_line > 0)
                return gd_finding_remedy_append(x, "In %s, line %u, change\n  %s\nto\n  %s",
                                                b->next_cmdline_source, b->next_cmdline_line,
                                                b->next_cmdline.raw, new_line);
        return gd_finding_remedy_append(x, "Add this line to %s:\n  %s", b->next_cmdline_source, new_line);
}

static int cmdline_add(struct gd_finding *x, const struct gd_host *h, const char *flag, bool act) {
        const struct gd_bootconfig *b = usable_bootconfig(h);
        const struct gd_cmdline_arg *conflict;
        _cleanup_free_ char *line = NULL;
        int r;

        r = act ? gd_finding_act(x, GD_ACT_CMDLINE_ADD, flag) : 0;
        if (r < 0)
                return r;
        if (!b)
                return unknown_bootloader(x, "Add", flag, "to");
        if (b->bootloader == GD_BOOTLOADER_KERNELSTUB) {
                r = gd_finding_remedy_append(x, "Run: kernelstub -a \"%s\"", flag);
                return r < 0 ? r : gd_remedy_apply_bootloader(x, h);
        }
        if (next_has(b, flag))
                return gd_remedy_apply_bootloader(x, h);
        conflict = next_conflict(b, flag);
        if (conflict) {
                /* intel_iommu=off -> intel_iommu=on in place, when it is on this line */
                _cleanup_free_ char *old = NULL, *without = NULL;
                if (asprintf(&old, "%s=%s", conflict->key, conflict->value) < 0)
                        return -ENOMEM;
                without = gd_cmdline_text_remove(b->next_cmdline.raw, old);
                if (without) {
                        line = gd_cmdline_text_add(without, flag, b->next_cmdline_line == 0 ||
                                              strcmp(b->next_cmdline_source, "/etc/default/grub") == 0);
                        if (!line)
                                return -ENOMEM;
                        r = show_change(x, b, line);
                        return r < 0 ? r : gd_remedy_apply_bootloader(x, h);
                }
        }
        line = gd_cmdline_text_add(b->next_cmdline.raw, flag, b->next_cmdline_line == 0 ||
                              strcmp(b->next_cmdline_source, "/etc/default/grub") == 0);
        if (!line)
                return -ENOMEM;
        r = show_change(x, b, line);
        return r < 0 ? r : gd_remedy_apply_bootloader(x, h);
}

static int cmdline_remove(struct gd_finding *x, const struct gd_host *h, const char *flag, bool act) {
        const struct gd_bootconfig *b = usable_bootconfig(h);
        _cleanup_free_ char *line = NULL;
        int r;

        r = act ? gd_finding_act(x, GD_ACT_CMDLINE_REMOVE, flag) : 0;
        if (r < 0)
                return r;
        if (!b)
                return unknown_bootloader(x, "Remove", flag, "from");
        if (b->bootloader == GD_BOOTLOADER_KERNELSTUB) {
                r = gd_finding_remedy_append(x, "Run: kernelstub -d \"%s\"", flag);
                return r < 0 ? r : gd_remedy_apply_bootloader(x, h);
        }
        if (!next_has(b, flag)) {
                /* Already gone from the configuration: only not applied yet. */
                r = gd_finding_remedy_append(x, "%s no longer has %s; apply the configuration:",
                                             b->next_cmdline_source, flag);
                return r < 0 ? r : gd_remedy_apply_bootloader(x, h);
        }
        line = gd_cmdline_text_remove(b->next_cmdline.raw, flag);
        if (line)
                r = show_change(x, b, line);
        else
                r = gd_finding_remedy_append(x, "Remove %s from the kernel command line in %s "
                                             "(it is set in a line other than line %u, e.g. GRUB_CMDLINE_LINUX).",
                                             flag, b->next_cmdline_source, b->next_cmdline_line);
        return r < 0 ? r : gd_remedy_apply_bootloader(x, h);
}

int gd_remedy_cmdline_add(struct gd_finding *x, const struct gd_host *h, const char *flag) {
        return cmdline_add(x, h, flag, true);
}

/* Text only: the actions a helper attached are taken off again. */
static void drop_actions_from(struct gd_finding *x, size_t n) {
        while (x->n_actions > n)
                gd_action_clear(&x->actions[--x->n_actions]);
}

int gd_remedy_cmdline_add_text(struct gd_finding *x, const struct gd_host *h, const char *flag) {
        size_t n = x->n_actions;
        int r = cmdline_add(x, h, flag, false);

        drop_actions_from(x, n);
        return r;
}

int gd_remedy_cmdline_remove(struct gd_finding *x, const struct gd_host *h, const char *flag) {
        return cmdline_remove(x, h, flag, true);
}

int gd_remedy_cmdline_remove_text(struct gd_finding *x, const struct gd_host *h, const char *flag) {
        size_t n = x->n_actions;
        int r = cmdline_remove(x, h, flag, false);

        drop_actions_from(x, n);
        return r;
}

int gd_remedy_apply_bootloader(struct gd_finding *x, const struct gd_host *h) {
        const struct gd_bootconfig *b = h->bootconfig;
        const char *rel = release_or_uname(h);
        int r;

        r = gd_finding_act(x, GD_ACT_BOOTLOADER_REFRESH, NULL);
        if (r >= 0)
                r = gd_finding_act(x, GD_ACT_REBOOT, NULL);
        if (r < 0)
                return r;
        switch (b ? b->bootloader : GD_BOOTLOADER_UNKNOWN) {
        case GD_BOOTLOADER_GRUB:
                if (b->grub_mkconfig)
                        r = gd_finding_remedy_append(x, "Run: %s", b->grub_mkconfig);
                else
                        r = gd_finding_remedy_append(x, "Run: update-grub (Debian, Ubuntu), "
                                                     "grub2-mkconfig -o /boot/grub2/grub.cfg (Fedora, RHEL, openSUSE) "
                                                     "or grub-mkconfig -o /boot/grub/grub.cfg (Arch)");
                break;
        case GD_BOOTLOADER_PROXMOX_BOOT:
                r = gd_finding_remedy_append(x, "Run: proxmox-boot-tool refresh");
                break;
        case GD_BOOTLOADER_SYSTEMD_BOOT:
                /* Debian keeps the image in /boot; Fedora and Arch in /lib/modules. */
                if (b->grub_mkconfig && strcmp(b->grub_mkconfig, "update-grub") == 0)
                        r = gd_finding_remedy_append(x, "Run: kernel-install add %s /boot/vmlinuz-%s", rel, rel);
                else
                        r = gd_finding_remedy_append(x, "Run: kernel-install add %s /lib/modules/%s/vmlinuz", rel, rel);
                if (r >= 0)
                        r = gd_finding_remedy_append(x, "Check the entry's options with: bootctl list");
                break;
        case GD_BOOTLOADER_KERNELSTUB:
                break; /* kernelstub writes the boot entry itself */
        case GD_BOOTLOADER_UNKNOWN:
        default:
                r = gd_finding_remedy_append(x, "Regenerate the boot loader configuration (this host's files do "
                                             "not tell which boot loader it uses: 'gpudiag plan' asks once).");
                break;
        }
        return r < 0 ? r : gd_finding_remedy_append(x, "Reboot.");
}

int gd_remedy_apply_initramfs(struct gd_finding *x, const struct gd_host *h) {
        const struct gd_bootconfig *b = h->bootconfig;
        int r = gd_finding_act(x, GD_ACT_INITRAMFS_REBUILD, NULL);

        if (r < 0)
                return r;
        switch (b ? b->initramfs_tool : GD_INITRAMFS_UNKNOWN) {
        case GD_INITRAMFS_TOOLS:
                return gd_finding_remedy_append(x, "Run: update-initramfs -u -k all");
        case GD_INITRAMFS_DRACUT:
                return gd_finding_remedy_append(x, "Run: dracut -f --regenerate-all");
        case GD_INITRAMFS_MKINITCPIO:
                return gd_finding_remedy_append(x, "Run: mkinitcpio -P");
        case GD_INITRAMFS_BOOSTER:
                return gd_finding_remedy_append(x, "Run: /usr/lib/booster/regenerate_images");
        case GD_INITRAMFS_UNKNOWN:
        default:
                return gd_finding_remedy_append(x, "Rebuild the initramfs (this host's files do not tell which "
                                                "tool builds it: 'gpudiag plan' asks once).");
        }
}
