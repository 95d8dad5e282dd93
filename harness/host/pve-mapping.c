/* SPDX-License-Identifier: MIT */
/* Proxmox VE resource mappings: hostpciN: mapping=NAME resolved through
 * /etc/pve/mapping/pci.cfg, as qemu-server does it.
 *
 * The file is a PVE::SectionConfig (PVE::Mapping::PCI, pve-guest-common):
 * a section starts with a line holding only its id (parse_section_header()),
 * and its properties are the indented lines below, "map" repeatable:
 *
 *   rtx4090
 *           map id=10de:2684,iommugroup=14,node=pve1,path=0000:01:00,subsystem-id=1043:889c
 *           description The big one
 *
 * find_on_current_node() keeps the map lines whose node= is
 * PVE::INotify::nodename() (the host name without its domain); parse_hostpci()
 * in PVE/QemuServer/PCI.pm dies "PCI device mapping not found for 'NAME'" when
 * there is none, and "PCI device mapping invalid (hardware probably
 * changed)" when assert_valid() finds the path's vendor:device (or
 * subsystem, IOMMU group) different from the map line's.  A path without a
 * function maps every function; "a;b" lists alternatives, the first
 * available one used at start. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/macro.h"
#include "vmconfig.h"

/* The value of key in a property string (n bytes), newly allocated; NULL if absent. */
static char *prop(const char *s, size_t n, const char *key) {
        size_t kl = strlen(key);

        for (const char *it = s; it < s + n;) {
                size_t l = strcspn(it, ",");
                if (l > (size_t) (s + n - it))
                        l = (size_t) (s + n - it);
                if (l > kl && strncmp(it, key, kl) == 0 && it[kl] == '=')
                        return strndup(it + kl + 1, l - kl - 1);
                it += l;
                if (it < s + n && *it == ',')
                        it++;
        }
        return NULL;
}

static bool node_is(const char *node, const char *want) {
        size_t n = strcspn(want, ".");
        return node && strlen(node) == n && strncmp(node, want, n) == 0;
}

static int resolve_one(struct gd_vm_pci *p, const char *text, const char *source, const char *node) {
        bool in_section = false;
        unsigned line = 0, n_maps = 0, only_line = 0;
        _cleanup_free_ char *only_path = NULL, *only_id = NULL;

        p->mapping_state = -ENOENT;
        for (const char *l = text; l && *l;) {
                size_t n = strcspn(l, "\n");
                const char *v;

                line++;
                if (n > 0 && l[0] != ' ' && l[0] != '\t' && l[0] != '#') {
                        size_t idl = strcspn(l, " \t\r\n");
                        in_section = idl == strlen(p->mapping) && strncmp(l, p->mapping, idl) == 0;
                        if (in_section)
                                p->mapping_state = -ENXIO;
                } else if (in_section && (v = l + strspn(l, " \t"), strncmp(v, "map ", 4) == 0)) {
                        size_t vl = n - (size_t) (v - l) - 4;
                        _cleanup_free_ char *nd = prop(v + 4, vl, "node"), *path = prop(v + 4, vl, "path"),
                                            *id = prop(v + 4, vl, "id");

                        if (!path)
                                goto next;
                        n_maps++;
                        if (node ? node_is(nd, node) || node_is(node, nd ? nd : "") : n_maps == 1) {
                                if (!only_path) {
                                        only_path = TAKE_PTR(path);
                                        only_id = TAKE_PTR(id);
                                        only_line = line;
                                }
                        }
                }
        next:
                l += n;
                l += *l == '\n';
        }
        if (p->mapping_state == -ENOENT)
                return 0;
        if (!only_path || (!node && n_maps != 1)) {
                p->mapping_state = node || n_maps == 0 ? -ENXIO : -ENODATA;
                return 0;
        }
        free(p->mapping_source);
        if (!(p->mapping_source = strdup(source)))
                return -ENOMEM;
        p->mapping_line = only_line;
        p->mapping_id = TAKE_PTR(only_id);
        p->mapping_state = 0;
        /* The first alternative; qemu-server takes the first one free. */
        if (!gd_vm_parse_pve_pciid(only_path, strcspn(only_path, ";"), p))
                p->mapping_state = -EINVAL;
        return 0;
}

int gd_pve_mapping_resolve(struct gd_vmconfig *c, const char *text, const char *source, const char *node) {
        for (size_t v = 0; c && v < c->n_vms; v++)
                for (size_t i = 0; i < c->vms[v].n_pci; i++) {
                        struct gd_vm_pci *p = &c->vms[v].pci[i];

                        if (!p->mapping)
                                continue;
                        if (!text) {
                                p->mapping_state = -ENOENT;
                                continue;
                        }
                        if (resolve_one(p, text, source, node) < 0)
                                return -ENOMEM;
                }
        return 0;
}
