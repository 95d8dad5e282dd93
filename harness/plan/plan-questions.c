/* SPDX-License-Identifier: MIT */
/* The plan's questions: what the host's files cannot tell (the GPU, the
 * boot loader, the initramfs tool), asked once each, and the answers a
 * person gives on the command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "plan-internal.h"

/* ---- answers ----------------------------------------------------------- */

static const struct {
        const char *name;
        enum gd_bootloader bootloader;
        const char *grub_mkconfig;
} boot_answers[] = {
        { "update-grub", GD_BOOTLOADER_GRUB, "update-grub" },
        { "grub2-mkconfig", GD_BOOTLOADER_GRUB, "grub2-mkconfig -o /boot/grub2/grub.cfg" },
        { "grub-mkconfig", GD_BOOTLOADER_GRUB, "grub-mkconfig -o /boot/grub/grub.cfg" },
        { "systemd-boot", GD_BOOTLOADER_SYSTEMD_BOOT, NULL },
        { "proxmox-boot-tool", GD_BOOTLOADER_PROXMOX_BOOT, NULL },
        { "kernelstub", GD_BOOTLOADER_KERNELSTUB, NULL },
};

int gd_plan_answer_bootloader(const char *name, struct gd_plan_answers *a) {
        for (size_t i = 0; i < ELEMENTSOF(boot_answers); i++)
                if (streq(name, boot_answers[i].name)) {
                        a->bootloader = boot_answers[i].bootloader;
                        a->grub_mkconfig = boot_answers[i].grub_mkconfig;
                        return 0;
                }
        return -EINVAL;
}

int gd_plan_answer_initramfs(const char *name, struct gd_plan_answers *a) {
        enum gd_initramfs_tool t = gd_initramfs_tool_from_name(name);

        if (t == GD_INITRAMFS_UNKNOWN)
                return -EINVAL;
        a->initramfs_tool = t;
        return 0;
}

const char *gd_plan_bootloader_choices(void) {
        return "update-grub, grub2-mkconfig, grub-mkconfig, systemd-boot, proxmox-boot-tool, kernelstub";
}

const char *gd_plan_initramfs_choices(void) {
        return "initramfs-tools, dracut, mkinitcpio, booster";
}

/* ---- questions ------------------------------------------------------------ */

static void question_choices(struct planner *P, struct gd_plan_question *q) {
        const struct gd_bootconfig *b = P->h->bootconfig;

        if (streq(q->id, "bootloader")) {
                for (size_t i = 0; i < ELEMENTSOF(boot_answers); i++)
                        /* GRUB known, its command not: only GRUB's commands. */
                        if (P->bootloader != GD_BOOTLOADER_GRUB || boot_answers[i].bootloader == GD_BOOTLOADER_GRUB)
                                if (strv_push_dup(&q->choices, boot_answers[i].name) < 0)
                                        P->oom = true;
        } else if (streq(q->id, "initramfs-tool")) {
                unsigned found = b ? b->initramfs_tools_found : 0;
                for (unsigned t = GD_INITRAMFS_TOOLS; t < _GD_INITRAMFS_MAX; t++)
                        if ((!found || !(found & (found - 1)) || (found & (1u << t))) &&
                            strv_push_dup(&q->choices, gd_initramfs_tool_name(t)) < 0)
                                P->oom = true;
        }
}

const char *planner_ask(struct planner *P, const char *id) {
        struct gd_plan *p = P->plan;
        struct gd_plan_question *q;
        const char *text, *option;

        for (size_t i = 0; i < p->n_questions; i++)
                if (streq(p->questions[i].id, id))
                        return p->questions[i].id;
        if (streq(id, "gpu")) {
                id = "gpu";
                option = "-s";
                text = "Which GPU goes to a VM? None is bound to vfio-pci, named by vfio-pci ids= or by a VM "
                       "configuration, and the host has several.";
        } else if (streq(id, "bootloader")) {
                id = "bootloader";
                option = "--bootloader";
                text = P->bootloader == GD_BOOTLOADER_GRUB
                        ? "Which command regenerates GRUB's configuration on this host? /etc/os-release does not tell."
                        : "Which boot loader does this host boot with? Its files (/etc/default/grub, "
                          "/etc/kernel/cmdline, /etc/kernel/proxmox-boot-uuids, /etc/kernelstub/configuration) "
                          "do not tell.";
        } else {
                id = "initramfs-tool";
                option = "--initramfs-tool";
                text = "Which tool builds this host's initramfs? Its files do not tell (none or several of "
                       "update-initramfs, dracut, mkinitcpio and booster found).";
        }
        q = reallocarray(p->questions, p->n_questions + 1, sizeof(*q));
        if (!q) {
                P->oom = true;
                return id;
        }
        p->questions = q;
        q = &q[p->n_questions++];
        *q = (struct gd_plan_question) { .id = id, .option = option, .text = strdup(text) };
        if (!q->text)
                P->oom = true;
        if (!streq(id, "gpu"))
                question_choices(P, q);
        return q->id;
}

void planner_ask_gpu(struct planner *P, const struct gd_targets *candidates) {
        struct gd_plan_question *q;

        planner_ask(P, "gpu");
        q = &P->plan->questions[P->plan->n_questions - 1];
        for (size_t i = 0; i < candidates->n; i++) {
                char name[512], *c = NULL;
                gd_pci_format_name(candidates->items[i].gpu, true, name, sizeof(name));
                if (asprintf(&c, "%s %s", candidates->items[i].gpu->address, name) < 0 ||
                    strv_consume(&q->choices, c) < 0)
                        P->oom = true;
        }
}

