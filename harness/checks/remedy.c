/* SPDX-License-Identifier: MIT */
/* Remedies spelled for this host's boot loader and initramfs tool.
 *
 * A command-line change is shown as the exact line before and after, in the
 * file the boot loader configuration reader found (model/bootconfig.h:
 * next_cmdline.raw is that line as written), followed by the command that
 * applies it.  Commands: update-grub / grub2-mkconfig / grub-mkconfig
 * (GRUB), proxmox-boot-tool refresh (Proxmox), kernel-install (systemd-boot
 * with /etc/kernel/cmdline), kernelstub -a / -d (Pop!_OS); initramfs:
 * update-initramfs -u -k all, dracut -f --regenerate-all, mkinitcpio -P. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

/* The line with flag added inside its quotes (GRUB assignment) or at its
 * end (/etc/kernel/cmdline).  An empty line becomes a new assignment. */
static char *line_with_flag(const char *line, const char *flag, bool grub) {
        const char *eq = grub ? strchr(line, '=') : NULL;
        size_t len = strlen(line);
        char *s = NULL;

        while (len > 0 && is_blank(line[len - 1]))
                len--;
        if (grub && (len == 0 || !eq)) {
                if (asprintf(&s, "GRUB_CMDLINE_LINUX_DEFAULT=\"%s\"", flag) < 0)
                        return NULL;
                return s;
        }
        if (grub && len >= 2 && (line[len - 1] == '"' || line[len - 1] == '\'')) {
                /* NAME="" -> NAME="flag"; NAME="quiet" -> NAME="quiet flag" */
                bool empty = line + len - 2 == eq || line[len - 2] == line[len - 1];
                if (asprintf(&s, "%.*s%s%s%s", (int) (len - 1), line, empty ? "" : " ", flag,
                             line + len - 1) < 0)
                        return NULL;
                return s;
        }
        if (grub) {
                /* NAME=quiet (unquoted): quote the new value. */
                if (asprintf(&s, "%.*s\"%.*s %s\"", (int) (eq - line + 1), line,
                             (int) (line + len - eq - 1), eq + 1, flag) < 0)
                        return NULL;
                return s;
        }
        if (asprintf(&s, "%.*s%s%s", (int) len, line, len ? " " : "", flag) < 0)
                return NULL;
        return s;
}

/* The line with every whole-word occurrence of flag removed (with one
 * neighbouring blank); NULL when the line does not contain it. */
static char *line_without_flag(const char *line, const char *flag) {
        size_t fl = strlen(flag);
        char *s = strdup(line);
        bool found = false;
        char *p;

        if (!s || fl == 0)
                return mfree_str(s);
        p = s;
        while ((p = strstr(p, flag))) {
                char before = p == s ? ' ' : p[-1];
                char after = p[fl];
                if ((is_blank(before) || before == '"' || before == '\'' || before == '=') &&
                    (after == '\0' || is_blank(after) || after == '"' || after == '\'')) {
                        char *from = p, *to = p + fl;
                        if (is_blank(*to))
                                to++;
                        else if (from > s && is_blank(from[-1]))
                                from--;
                        memmove(from, to, strlen(to) + 1);
                        found = true;
                        p = from;
                } else
                        p += fl;
        }
        if (!found)
                return mfree_str(s);
        return s;
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

static int show_change(struct gd_finding *x, const struct gd_bootconfig *b, const char *new_line) {
        if (b->next_cmdline_line > 0)
                return gd_finding_remedy_append(x, "In %s, line %u, change\n  %s\nto\n  %s",
                                                b->next_cmdline_source, b->next_cmdline_line,
                                                b->next_cmdline.raw, new_line);
        return gd_finding_remedy_append(x, "Add this line to %s:\n  %s", b->next_cmdline_source, new_line);
}

int gd_remedy_cmdline_add(struct gd_finding *x, const struct gd_host *h, const char *flag) {
        const struct gd_bootconfig *b = usable_bootconfig(h);
        const struct gd_cmdline_arg *conflict;
        _cleanup_free_ char *line = NULL;
        int r;

        if (!b)
                return gd_finding_remedy_append(
                        x, "Add %s to the kernel command line in the boot loader configuration "
                           "(GRUB: GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then update-grub or "
                           "grub2-mkconfig; systemd-boot: /etc/kernel/cmdline, then kernel-install or "
                           "proxmox-boot-tool refresh), then reboot.", flag);
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
                without = line_without_flag(b->next_cmdline.raw, old);
                if (without) {
                        line = line_with_flag(without, flag, b->next_cmdline_line == 0 ||
                                              strcmp(b->next_cmdline_source, "/etc/default/grub") == 0);
                        if (!line)
                                return -ENOMEM;
                        r = show_change(x, b, line);
                        return r < 0 ? r : gd_remedy_apply_bootloader(x, h);
                }
        }
        line = line_with_flag(b->next_cmdline.raw, flag, b->next_cmdline_line == 0 ||
                              strcmp(b->next_cmdline_source, "/etc/default/grub") == 0);
        if (!line)
                return -ENOMEM;
        r = show_change(x, b, line);
        return r < 0 ? r : gd_remedy_apply_bootloader(x, h);
}

int gd_remedy_cmdline_remove(struct gd_finding *x, const struct gd_host *h, const char *flag) {
        const struct gd_bootconfig *b = usable_bootconfig(h);
        _cleanup_free_ char *line = NULL;
        int r;

        if (!b)
                return gd_finding_remedy_append(
                        x, "Remove %s from the kernel command line in the boot loader configuration "
                           "(GRUB: /etc/default/grub, then update-grub or grub2-mkconfig; systemd-boot: "
                           "/etc/kernel/cmdline, then kernel-install or proxmox-boot-tool refresh), then reboot.",
                        flag);
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
        line = line_without_flag(b->next_cmdline.raw, flag);
        if (line)
                r = show_change(x, b, line);
        else
                r = gd_finding_remedy_append(x, "Remove %s from the kernel command line in %s "
                                             "(it is set in a line other than line %u, e.g. GRUB_CMDLINE_LINUX).",
                                             flag, b->next_cmdline_source, b->next_cmdline_line);
        return r < 0 ? r : gd_remedy_apply_bootloader(x, h);
}

int gd_remedy_apply_bootloader(struct gd_finding *x, const struct gd_host *h) {
        const struct gd_bootconfig *b = h->bootconfig;
        const char *rel = release_or_uname(h);
        int r = 0;

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
                r = gd_finding_remedy_append(x, "Regenerate the boot loader configuration (update-grub, "
                                             "grub2-mkconfig, proxmox-boot-tool refresh or kernel-install, "
                                             "whichever this host uses).");
                break;
        }
        return r < 0 ? r : gd_finding_remedy_append(x, "Reboot.");
}

int gd_remedy_apply_initramfs(struct gd_finding *x, const struct gd_host *h) {
        const struct gd_bootconfig *b = h->bootconfig;

        switch (b ? b->initramfs_tool : GD_INITRAMFS_UNKNOWN) {
        case GD_INITRAMFS_TOOLS:
                return gd_finding_remedy_append(x, "Run: update-initramfs -u -k all");
        case GD_INITRAMFS_DRACUT:
                return gd_finding_remedy_append(x, "Run: dracut -f --regenerate-all");
        case GD_INITRAMFS_MKINITCPIO:
                return gd_finding_remedy_append(x, "Run: mkinitcpio -P");
        case GD_INITRAMFS_UNKNOWN:
        default:
                return gd_finding_remedy_append(x, "Rebuild the initramfs (update-initramfs -u -k all, "
                                                "dracut -f --regenerate-all or mkinitcpio -P, whichever "
                                                "this host uses).");
        }
}
