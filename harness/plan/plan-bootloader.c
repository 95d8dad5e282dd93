/* SPDX-License-Identifier: MIT */
/* The command that hands the boot loader the new configuration, for the
 * boot loader the plan goes by (plan-cmdline.c edits the configuration):
 *
 *  GRUB               the distribution's grub-mkconfig (update-grub, grub2-mkconfig
 *                     -o /boot/grub2/grub.cfg, grub-mkconfig -o /boot/grub/grub.cfg)
 *  proxmox-boot-tool  proxmox-boot-tool refresh (copies command line and initramfs
 *                     to every ESP it manages, for systemd-boot and GRUB alike)
 *  systemd-boot       kernel-install add RELEASE IMAGE (the entry of the running kernel)
 *  kernelstub         nothing: kernelstub -a / -d wrote the entry
 *  unknown            the "bootloader" question
 *
 * Each is undone by running it again on the restored configuration. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "plan-internal.h"

static void split_words(struct planner *P, struct gd_plan_step *s, const char *cmd) {
        _cleanup_free_ char *copy = strdup(cmd);
        char *save = NULL;

        if (!copy || !s) {
                P->oom = true;
                return;
        }
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
                if (strv_push_dup(&s->argv, w) < 0)
                        P->oom = true;
}

void plan_bootloader_refresh(struct planner *P) {
        const struct gd_bootconfig *b = P->h->bootconfig;
        const char *rel = P->h->kernel_release;
        struct gd_plan_step *s = NULL;

        switch (P->bootloader) {
        case GD_BOOTLOADER_GRUB:
                s = planner_step(P, GD_PHASE_BOOTLOADER, GD_STEP_COMMAND, "Regenerate GRUB's configuration");
                if (!s)
                        return;
                if (P->grub_mkconfig)
                        split_words(P, s, P->grub_mkconfig);
                else
                        s->question = planner_ask(P, "bootloader");
                break;
        case GD_BOOTLOADER_PROXMOX_BOOT:
                s = planner_step(P, GD_PHASE_BOOTLOADER, GD_STEP_COMMAND,
                                 "Copy the kernel command line and initramfs to the ESPs");
                planner_argv(P, s, "proxmox-boot-tool", "refresh", NULL);
                break;
        case GD_BOOTLOADER_SYSTEMD_BOOT: {
                _cleanup_free_ char *image = NULL;
                s = planner_step(P, GD_PHASE_BOOTLOADER, GD_STEP_COMMAND,
                                 "Write the boot entry of the running kernel with the new command line");
                if (!s)
                        return;
                /* Debian keeps the image in /boot; Fedora and Arch in /lib/modules. */
                if (rel && asprintf(&image, streq(b ? b->grub_mkconfig : NULL, "update-grub")
                                            ? "/boot/vmlinuz-%s" : "/lib/modules/%s/vmlinuz", rel) >= 0)
                        planner_argv(P, s, "kernel-install", "add", rel, image, NULL);
                else
                        planner_argv(P, s, "sh", "-c", "kernel-install add \"$(uname -r)\" /boot/vmlinuz-\"$(uname -r)\"",
                                     NULL);
                if (!(s->text = strdup("Check the entry's options with: bootctl list")))
                        P->oom = true;
                break;
        }
        case GD_BOOTLOADER_KERNELSTUB:
                return; /* kernelstub -a / -d wrote the boot entry itself */
        default:
                s = planner_step(P, GD_PHASE_BOOTLOADER, GD_STEP_COMMAND, "Regenerate the boot loader's configuration");
                if (s)
                        s->question = planner_ask(P, "bootloader");
                break;
        }
        if (!s)
                return;
        planner_reasons_add(P, &s->reasons, P->refresh_reasons);
        /* Undone by running it again, on the restored configuration. */
        for (size_t i = 0; s->argv && s->argv[i]; i++)
                if (strv_push_dup(&s->undo_argv, s->argv[i]) < 0)
                        P->oom = true;
}
