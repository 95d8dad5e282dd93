/* SPDX-License-Identifier: MIT */
/* The vm family: one corrected set of lines per VM and card.
 *
 * Several rules may want the same hostpciN line changed: pass every
 * function (one line without a function number), move x-vga to the GPU's
 * line or drop it from a card that has no VGA function, add rombar=0.  Each
 * finding carries the whole corrected set, computed here once from every
 * rule's decision, so no two findings ask opposite things of one line and a
 * planner that applies them all gets one consistent config.  Proxmox only:
 * qemu-server applies x-vga, rombar and romfile to the first device of an
 * entry and passes every function of a slot given without a function number
 * (print_hostpci_devices() and parse_hostpci(), PVE/QemuServer/PCI.pm). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm-internal.h"

const char *vm_noun(const struct gd_vm *vm) {
        return vm->kind == GD_VM_PROXMOX ? "VM" : "libvirt domain";
}

int vm_evidence_entry(struct gd_finding *x, const struct gd_vm *vm, const struct gd_vm_pci *p) {
        return gd_finding_evidence(x, vm->source, p->line, "%s", p->text);
}

const struct gd_pci_dev *vm_entry_first_dev(const struct gd_host *h, const struct gd_vm_pci *p) {
        for (size_t i = 0; i < h->n_devs; i++)
                if (gd_vm_pci_matches(p, &h->devs[i]))
                        return &h->devs[i];
        return NULL;
}

bool vm_card_collect(const struct gd_host *h, const struct gd_vm *vm, const struct gd_target *t, struct vm_card *c) {
        *c = (struct vm_card) { .h = h, .vm = vm, .t = t };

        for (size_t i = 0; i < vm->n_pci; i++) {
                const struct gd_vm_pci *p = &vm->pci[i];
                bool names = false;

                for (size_t f = 0; f < t->n_functions && f < VM_CARD_MAX; f++)
                        if (gd_vm_pci_matches(p, t->functions[f])) {
                                c->passed[f] = true;
                                names = true;
                        }
                if (!names)
                        continue;
                if (!c->primary && gd_vm_pci_matches(p, t->gpu))
                        c->primary = p;
                /* One Proxmox line can list several hosts: one entry per line. */
                if (c->n > 0 && c->entries[c->n - 1]->line == p->line && streq(c->entries[c->n - 1]->key, p->key))
                        continue;
                if (c->n < VM_CARD_MAX)
                        c->entries[c->n++] = p;
        }
        if (c->n == 0)
                return false;
        if (!c->primary)
                c->primary = c->entries[0];
        c->all = true;
        for (size_t f = 0; f < t->n_functions && f < VM_CARD_MAX; f++)
                c->all = c->all && c->passed[f];
        return true;
}

bool vm_card_merge(const struct vm_card *c) {
        return c->vm->kind == GD_VM_PROXMOX && !c->all && !c->primary->mapping;
}

bool vm_card_xvga(const struct vm_card *c) {
        bool intent = false;

        for (size_t i = 0; i < c->n; i++)
                intent = intent || c->entries[i]->x_vga == TRI_YES;
        /* A card whose GPU is no VGA controller (a 3D controller) cannot be
         * the primary display: x-vga goes, whichever line held it. */
        return intent && (c->t->gpu->class_code >> 8) == PCI_CLASS_DISPLAY_VGA;
}

bool vm_card_rombar_off(const struct vm_card *c) {
        /* The guide: a headless NVIDIA card under SeaBIOS gets rombar=0. */
        return c->vm->kind == GD_VM_PROXMOX && c->vm->bios == GD_VM_BIOS_SEABIOS && c->t->gpu->vendor == 0x10de &&
               !vm_card_xvga(c) && c->primary->rombar != TRI_NO && !c->primary->mapping;
}

/* opts (",k=v,...") with key set to value, or removed (value NULL): in place
 * where it was, appended otherwise.  Newly allocated. */
static char *opt_set(const char *opts, const char *key, const char *value) {
        size_t kl = strlen(key), cap = strlen(opts) + kl + (value ? strlen(value) : 0) + 4;
        char *out = calloc(1, cap), *w = out;
        bool done = false;

        if (!out)
                return NULL;
        for (const char *it = opts; *it;) {
                size_t n;

                if (*it == ',')
                        it++;
                n = strcspn(it, ",");
                if (n > kl && strncmp(it, key, kl) == 0 && it[kl] == '=') {
                        if (value && !done)
                                w += sprintf(w, ",%s=%s", key, value);
                        done = true;
                } else if (n) {
                        *w++ = ',';
                        memcpy(w, it, n);
                        w += n;
                }
                it += n;
        }
        if (value && !done)
                sprintf(w, ",%s=%s", key, value);
        return out;
}

static void slot_of(const struct gd_pci_dev *d, char buf[static GD_ADDR_LEN]) {
        snprintf(buf, GD_ADDR_LEN, "%04x:%02x:%02x", d->domain & 0xffff, d->bus & 0xff, d->dev & 0x1f);
}

/* The value of an entry's line now ("0000:01:00,pcie=1"). */
static const char *current_value(const struct gd_vm_pci *p) {
        const char *v = strchr(p->text, ':');
        return v ? v + 1 + strspn(v + 1, " \t") : p->text;
}

/* The value the entry's line should have; NULL when the line goes. */
static char *desired_value(const struct vm_card *c, const struct gd_vm_pci *p) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        char host[GD_ADDR_LEN + 64];
        char *out = NULL;
        bool primary = p == c->primary;

        if (!primary && vm_card_merge(c))
                return NULL;
        if (primary && vm_card_merge(c))
                slot_of(c->t->gpu, host);
        else if (p->mapping)
                snprintf(host, sizeof(host), "mapping=%s", p->mapping);
        else
                snprintf(host, sizeof(host), "%s", p->host_text ? p->host_text : "");
        a = opt_set(p->options, "x-vga", primary && vm_card_xvga(c) ? "1" : NULL);
        /* Keep x-vga written as the user wrote it (x-vga=on) when it stays. */
        if (a && primary && vm_card_xvga(c) && p->x_vga == TRI_YES) {
                free(a);
                a = strdup(p->options);
        }
        b = a && primary && vm_card_rombar_off(c) ? opt_set(a, "rombar", "0") : (a ? strdup(a) : NULL);
        if (!b || asprintf(&out, "%s%s", host, b) < 0)
                return NULL;
        return out;
}

/* Whether any rule changes the entry's line (so it is rewritten at all). */
static bool entry_changes(const struct vm_card *c, const struct gd_vm_pci *p) {
        if (p != c->primary)
                return vm_card_merge(c) || p->x_vga == TRI_YES;
        return vm_card_merge(c) || (p->x_vga == TRI_YES) != vm_card_xvga(c) || vm_card_rombar_off(c);
}

void vm_edit_line(struct gd_finding *x, const struct gd_vm *vm, unsigned line, const char *key, const char *old_value,
                  const char *new_value) {
        _cleanup_free_ char *text = NULL;

        gd_finding_edit(x, vm->source, line, key, old_value, new_value);
        if (vm->kind != GD_VM_PROXMOX)
                return;
        if (!new_value) {
                if (line > 0)
                        gd_finding_act_line(x, GD_ACT_LINE_REMOVE, vm->source, line, NULL, key, NULL);
                return;
        }
        if (asprintf(&text, "%s: %s", key, new_value) < 0)
                return;
        /* A new option goes before line 1: the top of the file is the VM's
         * own section, above any [snapshot]. */
        gd_finding_act_line(x, line > 0 ? GD_ACT_LINE_REPLACE : GD_ACT_LINE_INSERT, vm->source, line > 0 ? line : 1,
                            NULL, NULL, text);
}

void vm_edit_card(struct gd_finding *x, const struct vm_card *c) {
        bool said = false;

        if (c->vm->kind != GD_VM_PROXMOX)
                return;
        for (size_t i = 0; i < c->n; i++) {
                const struct gd_vm_pci *p = c->entries[i];
                _cleanup_free_ char *want = NULL;
                const char *now = current_value(p);

                if (!entry_changes(c, p))
                        continue;
                want = desired_value(c, p);
                if ((want && streq(want, now)) || (!want && p == c->primary))
                        continue;
                if (!said)
                        gd_finding_remedy_append(x, "In %s (one line per card, whatever else is wrong with it):",
                                                 c->vm->source);
                said = true;
                if (want)
                        gd_finding_remedy_append(x, "  line %u: %s: %s", p->line, p->key, want);
                else
                        gd_finding_remedy_append(x, "  delete line %u (%s: %s)", p->line, p->key, now);
                vm_edit_line(x, c->vm, p->line, p->key, now, want);
        }
}

void vm_edit_option(struct gd_finding *x, const struct gd_vm *vm, const char *key, const struct gd_vm_option *o,
                    const char *value) {
        if (vm->kind == GD_VM_PROXMOX) {
                if (o->text)
                        gd_finding_remedy_append(x, "In %s replace line %u '%s: %s' with '%s: %s' (qm set %s --%s %s).",
                                                 vm->source, o->line, key, o->text, key, value, vm->name, key, value);
                else
                        gd_finding_remedy_append(x, "Add the line '%s: %s' to %s (qm set %s --%s %s).", key, value,
                                                 vm->source, vm->name, key, value);
        }
        vm_edit_line(x, vm, o->line, key, o->text, value);
}
