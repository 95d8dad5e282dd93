/* SPDX-License-Identifier: MIT */
/* The VM configuration reader (model/vmconfig.h).  The parsers are pure
 * functions on strings; gd_vmconfig_read() reads the directories below the
 * config root. */
#pragma once

#include "model/vmconfig.h"

/* A Proxmox VE qemu-server config.  Only the current configuration counts:
 * parse_vm_config() in PVE/QemuServer.pm starts a new section at the first
 * "[PENDING]", "[special:...]" or "[snapname]" line, so everything from
 * there on (pending changes, snapshots) is skipped.  Lines are "key: value";
 * '#' lines are the description.  hostpciN values are property strings
 * (PVE/QemuServer/PCI.pm $hostpci_fmt): the default key is host,
 * "HOSTPCIID[;HOSTPCIID2...]" with HOSTPCIID "[domain:]bus:dev[.func]"
 * (no function = every function of the slot, PVE::SysFSTools::lspci()),
 * or mapping=NAME (PVE 8 resource mappings, left unresolved); options
 * pcie, x-vga, rombar, romfile.  name is the VMID; source the path for
 * evidence.  Returns 0, -EINVAL (NULL text), -ENOMEM; *ret untouched on error. */
int gd_vmconfig_parse_proxmox(const char *text, const char *name, const char *source, struct gd_vm *ret);

/* A libvirt domain XML, scanned (not parsed: libfyaml reads YAML, not XML,
 * and libxml2 is not worth a dependency for three elements) for <name>,
 * <os><type machine='...'>, and each <hostdev mode='subsystem' type='pci'>
 * with the <address domain= bus= slot= function=/> inside its <source>,
 * <rom bar= file=/>, and multifunction= on its guest <address>.  Comments
 * are skipped; attribute values in '...' or "...".  Returns 0, -EINVAL (no
 * <domain> element), -ENOMEM; *ret untouched on error. */
int gd_vmconfig_parse_libvirt(const char *text, const char *source, struct gd_vm *ret);

/* Reads /etc/pve/qemu-server/[*].conf and /etc/libvirt/qemu/[*].xml below the
 * config root; files that cannot be read or parsed are skipped, and VMs
 * without a PCI device are not kept.  Returns 0 or -ENOMEM. */
int gd_vmconfig_read(const char *node, struct gd_vmconfig **ret);

/* "[dddd:]bb:ss[.f]" (qemu-server's $PCIRE), n bytes at s, into p's
 * address; false when it does not parse. */
bool gd_vm_parse_pve_pciid(const char *s, size_t n, struct gd_vm_pci *p);

/* Resolves every hostpciN: mapping=NAME of c through the text of
 * /etc/pve/mapping/pci.cfg (source names it in evidence) for node, the way
 * qemu-server does (PVE::Mapping::PCI::find_on_current_node(): the section
 * NAME, its "map" lines whose node= is this node; the first path of the
 * first line).  Pure.  text NULL: no such file (mappings -ENOENT); node
 * NULL: only a mapping with a single map line resolves.  0 or -ENOMEM. */
int gd_pve_mapping_resolve(struct gd_vmconfig *c, const char *text, const char *source, const char *node);
