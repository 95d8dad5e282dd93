/* SPDX-License-Identifier: MIT */
/* Shared by the guest family: guest.c (BARs, driver), guest-init.c
 * (initialisation failures, Xid), guest-runtime.c (device nodes, container
 * toolkit); not part of the API. */
#pragma once

#include "families.h"
#include "model/kmsg-signals.h"

/* Does a log text name d (its address; with slot_ok NVIDIA's "PCI:dddd:bb:dd")? */
bool guest_text_names(const char *text, const struct gd_pci_dev *d, bool slot_ok);
/* The first record with signal s that names d, or any with s when only_one. */
const struct gd_kmsg_record *guest_kfind(const struct gd_host *h, enum gd_kmsg_signal s, const struct gd_pci_dev *d,
                                         bool slot_ok, bool only_one);
/* A driver that drives a GPU (not vfio-pci, not a stub). */
bool guest_is_gpu_driver(const char *driver);

/* guest-init.c: adds guest.nvrm-init-failed / guest.driver-init-failed for
 * d and returns true when the log shows its driver failing. */
bool guest_init_failures(const struct gd_host *h, const struct gd_target *t, const struct gd_pci_dev *d,
                         bool only_nvidia, struct gd_findings *out);
/* The driver's own trace of a completed probe: /proc/driver/nvidia/gpus/<addr>
 * or a DRM minor below the device. */
bool guest_probe_completed(const struct gd_host *h, const struct gd_pci_dev *d);
void guest_check_xid(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out);

/* guest-runtime.c: guest.device-nodes, guest.container-toolkit. */
void guest_check_nodes(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out);
void guest_check_toolkit(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out);
