/* SPDX-License-Identifier: MIT */
/* Remedies spelled for this host: the file and line to change and the exact
 * command that applies it, for the boot loader and initramfs tool that
 * model/bootconfig.h detected (generic wording when they are unknown). */
#pragma once

#include "model/finding.h"
#include "model/host.h"

/* "Add FLAG to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then run
 *  update-grub and reboot." (or /etc/kernel/cmdline + proxmox-boot-tool refresh, ...) */
int gd_remedy_cmdline_add(struct gd_finding *x, const struct gd_host *h, const char *flag);
int gd_remedy_cmdline_remove(struct gd_finding *x, const struct gd_host *h, const char *flag);
/* The same text, without attaching the command-line action: for
 * vfio-pci.ids=, whose value the plan merges from every finding
 * (GD_ACT_VFIO_IDS), and for advice the plan must not follow by itself
 * (removing an ACS override would undo the isolation a VM relies on).
 * No action at all is attached: the caller attaches what the plan needs. */
int gd_remedy_cmdline_add_text(struct gd_finding *x, const struct gd_host *h, const char *flag);
int gd_remedy_cmdline_remove_text(struct gd_finding *x, const struct gd_host *h, const char *flag);
/* Appends the line that regenerates the boot loader config, then "reboot". */
int gd_remedy_apply_bootloader(struct gd_finding *x, const struct gd_host *h);
/* Appends the command that rebuilds the initramfs (update-initramfs -u -k all, dracut -f, mkinitcpio -P). */
int gd_remedy_apply_initramfs(struct gd_finding *x, const struct gd_host *h);
