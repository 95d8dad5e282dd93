/* SPDX-License-Identifier: MIT */
/* A synthetic multi-socket server, for benchmarks: the PCI functions, their
 * config spaces, and the IOMMU groups drivers/iommu/iommu.c pci_device_group()
 * would form from those config spaces, as the group predictor
 * (harness/predict/) computes them. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum {
        EXP_NONE = -1,
        EXP_ENDPOINT = 0,
        EXP_ROOT_PORT = 4,
        EXP_UPSTREAM = 5,
        EXP_DOWNSTREAM = 6,
        EXP_RC_END = 9,
};

#define ACS_ALL5 0x1f   /* SV TB RR CR UF */
#define ACS_REQ  0x1d   /* drivers/iommu/iommu.c REQ_ACS_FLAGS: SV RR CR UF */

struct topo_dev {
        unsigned bus, devfn;
        uint16_t vid, did, svid, sdid;
        uint32_t cls;
        uint8_t rev;
        int pcie;               /* EXP_*, or EXP_NONE for conventional PCI */
        bool mf, flr, vf;
        uint16_t acs;           /* ACS capability and control bits, 0: no capability */
        int sec, sub;           /* bridges: secondary/subordinate bus; -1 otherwise */
        int parent;             /* index of the bridge above; -1 on a root bus */
        unsigned root;          /* root bus number (pci0000:RR) */
        const char *drv;        /* NULL: unbound */
        unsigned speed, width;
        unsigned totalvfs, numvfs, vf_offset, vf_stride;
        uint16_t vf_did;
        int physfn;             /* VFs: index of the PF */
        unsigned irq;
        unsigned numa;
        int group;
        char bdf[16];
};

struct topology {
        struct topo_dev *devs;  /* in device_add() (scan) order */
        size_t n, cap;
        unsigned sockets;
        unsigned gpus, nvmes, nics, vfs;
        unsigned n_groups;
};

/* Builds a server with exactly n functions (n >= 64): sockets, 8 GPUs of 4
 * functions behind PCIe switches, NVMe drives and dual-port NICs on root
 * ports, the rest SR-IOV VFs.  Returns 0 or -ENOMEM / -EINVAL. */
int topology_build(struct topology *t, unsigned n);
void topology_free(struct topology *t);

/* The umockdev-record text of every function and one DMAR unit per socket. */
int topology_umockdev(const struct topology *t, FILE *out);
/* The sysfs path /devices/pci0000:RR/.../DDDD:BB:DD.F of a function. */
void topology_sysfs_path(const struct topology *t, size_t i, char *buf, size_t size);
