/* SPDX-License-Identifier: MIT */
/* vfio-pci ids=: which list the kernel will apply next boot, and which
 * devices it matches.  Pure helpers shared by groups.c, drivers.c and
 * vfio.c (implemented in vfio.c); unit-tested in tests/test-checks-groups.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "check.h"
#include "model/modconfig.h"

/* Driver names (not module names) of the drivers that leave a device to
 * VFIO: vfio-pci and the pci-stub placeholder both set driver_managed_dma,
 * so they claim no DMA ownership of the group (drivers/vfio/pci/vfio_pci.c
 * vfio_pci_driver, drivers/pci/pci-stub.c stub_driver). */
bool gd_driver_is_vfio(const char *driver);

/* True when id matches d as the kernel's dynamic id would: vfio_pci_fill_ids()
 * (drivers/vfio/pci/vfio_pci.c) passes every field to pci_add_dynid(), and
 * pci_match_one_device() (drivers/pci/pci.h) compares vendor, device,
 * subvendor, subdevice (PCI_ANY_ID matches all) and (class ^ dev) & mask. */
bool gd_vfio_id_matches(const struct gd_vfio_id *id, const struct gd_pci_dev *d);


/* The ids= the kernel will use at next boot, and where they come from. */
struct gd_vfio_ids {
        struct gd_vfio_id *items;
        size_t n;
        tri_t builtin;         /* CONFIG_VFIO_PCI=y: modprobe.d is never read */
};

/* builtin: only vfio-pci.ids= / vfio_pci.ids= on the command line (the last
 * one: module_param_string keeps the last value parse_args() hands it).
 * Module: libkmod's options for vfio_pci, modprobe.d first and the command
 * line last (kmod_config_new() parses the kernel command line after the
 * files, kmod_module_get_options() joins them in that order), the last
 * ids= winning (modconfig marks those "effective"). */
int gd_vfio_ids_effective(const struct gd_host *h, struct gd_vfio_ids *ret);
void gd_vfio_ids_clear(struct gd_vfio_ids *ids);
/* The first valid id that matches d, or NULL. */
const struct gd_vfio_id *gd_vfio_ids_match(const struct gd_vfio_ids *ids, const struct gd_pci_dev *d);

/* "10de:1e07,10de:10f7,..." for every function of the card, each
 * vendor:device once, in address order; newly allocated. */
char *gd_vfio_ids_for_target(const struct gd_target *t);

/* The vfio-pci ids= in effect (as written, each once) followed by those of
 * add ("v:d,v:d") that no id in effect matches: the list that keeps every
 * card vfio-pci is told about now.  Newly allocated. */
char *gd_vfio_ids_with(const struct gd_host *h, const char *add);

/* CONFIG_VFIO_PCI from the kernel build configuration. */
tri_t gd_vfio_pci_builtin(const struct gd_host *h);

/* Appends where this host's initramfs tool takes the vfio modules from (so
 * vfio-pci is in early boot, before a GPU driver), then the rebuild command
 * (gd_remedy_apply_initramfs).  All three tools when the tool is unknown. */
void gd_remedy_initramfs_vfio(struct gd_finding *x, const struct gd_host *h);


/* "0000:04:00.0 (Non-Volatile memory controller 1987:5016, on nvme)";
 * newly allocated. */
char *gd_describe_dev(const struct gd_pci_dev *d);
