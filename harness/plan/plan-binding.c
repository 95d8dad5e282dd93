/* SPDX-License-Identifier: MIT */
/* Putting a device on vfio-pci by its address: kept there at every boot
 * with driverctl (its host driver is built in, so no module configuration
 * holds it back), or now, when nothing in the plan needs a reboot:
 * driverctl set-override when the host has driverctl, else the kernel's
 * driver_override (drivers/pci/pci-sysfs.c driver_override_store()), an
 * unbind and drivers_probe (drivers/base/bus.c).  Only a function of a
 * planned card; the device that drives the host console is said first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "plan-internal.h"

static const struct gd_pci_dev *console_device(const struct planner *P, const char *address) {
        const struct gd_pci_dev *d = gd_host_find_dev(P->h, address);
        return d && d->boot_vga == TRI_YES ? d : NULL;
}

static void console_note(struct planner *P, struct gd_plan_step *s, const char *address) {
        if (!s || !console_device(P, address))
                return;
        if (asprintf(&s->note, "%s drives the host console (boot_vga): on vfio-pci the host has no local display; "
                     "binding it now may freeze the screen. Work over SSH or a serial console.", address) < 0)
                P->oom = true;
}

static void driverctl_missing(struct planner *P) {
        struct gd_plan_step *s;

        for (size_t i = 0; i < P->plan->n_steps; i++)
                if (streq(P->plan->steps[i].title, "Install driverctl"))
                        return;
        s = planner_step(P, GD_PHASE_PREPARE, GD_STEP_PERSON, "Install driverctl");
        if (s && !(s->text = strdup("The plan keeps a device on vfio-pci with driverctl, which this host does "
                                    "not have (apt install driverctl, dnf install driverctl).")))
                P->oom = true;
}

void plan_override(struct planner *P, enum gd_plan_phase phase, const struct gd_finding *x, const char *addr,
                   bool persistent) {
        const struct gd_bootconfig *b = P->h->bootconfig;
        struct gd_plan_step *s;

        for (size_t k = 0; k < P->plan->n_steps; k++)
                if (P->plan->steps[k].argv && strv_contains(P->plan->steps[k].argv, addr)) {
                        planner_reason(P, &P->plan->steps[k].reasons, x);
                        return;
                }
        if (!planner_is_target(P, addr)) {
                planner_conflict(P, "%s would be bound to vfio-pci, but it is not a function of the card the plan "
                                 "is for", addr);
                return;
        }
        if (persistent || (b && b->driverctl == TRI_YES)) {
                if (!b || b->driverctl != TRI_YES)
                        driverctl_missing(P);
                s = phase == GD_PHASE_NOW
                        ? planner_step(P, phase, GD_STEP_COMMAND, "Bind %s to vfio-pci now (driverctl keeps it "
                                       "across reboots)", addr)
                        : planner_step(P, phase, GD_STEP_COMMAND, "Keep %s on vfio-pci at every boot (driverctl)",
                                       addr);
                planner_argv(P, s, "driverctl", "set-override", addr, "vfio-pci", NULL);
                if (s && (strv_push_dup(&s->undo_argv, "driverctl") < 0 ||
                          strv_push_dup(&s->undo_argv, "unset-override") < 0 || strv_push_dup(&s->undo_argv, addr) < 0))
                        P->oom = true;
        } else {
                _cleanup_free_ char *cmd = NULL, *undo = NULL;
                /* drivers/pci/pci-sysfs.c driver_override_store(), then the
                 * driver core's unbind and drivers_probe (drivers/base/bus.c). */
                s = planner_step(P, phase, GD_STEP_COMMAND, "Bind %s to vfio-pci now", addr);
                if (asprintf(&cmd, "d=/sys/bus/pci/devices/%s; echo vfio-pci > $d/driver_override; "
                             "if [ -e $d/driver ]; then echo %s > $d/driver/unbind; fi; "
                             "echo %s > /sys/bus/pci/drivers_probe", addr, addr, addr) < 0 ||
                    asprintf(&undo, "d=/sys/bus/pci/devices/%s; echo > $d/driver_override; "
                             "if [ -e $d/driver ]; then echo %s > $d/driver/unbind; fi; "
                             "echo %s > /sys/bus/pci/drivers_probe", addr, addr, addr) < 0) {
                        P->oom = true;
                        return;
                }
                planner_argv(P, s, "sh", "-c", cmd, NULL);
                if (s && (strv_push_dup(&s->undo_argv, "sh") < 0 || strv_push_dup(&s->undo_argv, "-c") < 0 ||
                          strv_push_dup(&s->undo_argv, undo) < 0))
                        P->oom = true;
        }
        if (!s)
                return;
        planner_reason(P, &s->reasons, x);
        console_note(P, s, addr);
}

void plan_bind_now(struct planner *P) {
        size_t n;
        _cleanup_free_ struct item *items = planner_items(P, GD_ACT_BIND_NOW, &n);

        for (size_t i = 0; i < n; i++)
                plan_override(P, GD_PHASE_NOW, items[i].x, items[i].a->arg, false);
}

