/* SPDX-License-Identifier: MIT */
/* Pictures of the PCI topology and its IOMMU groups: a Graphviz DOT graph
 * (groups --format dot) and an SVG drawn here, without Graphviz, for the
 * HTML report. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "model/host.h"

/* Which devices a picture shows: those selected (all when selected is NULL,
 * else selected[i] for h->devs[i]), every other member of their IOMMU
 * groups, and the bridges above them up to the root bus.  Returns a
 * calloc'ed array of h->n_devs flags, NULL when out of memory. */
bool *gd_topology_shown(const struct gd_host *h, const bool *selected);

/* The device at address, by binary search of h->devs (sorted by address). */
const struct gd_pci_dev *gd_topology_find(const struct gd_host *h, const char *address);

/* True when the group holds a display-class function: the group a GPU
 * passes through with, which the pictures highlight. */
bool gd_group_has_gpu(const struct gd_host *h, const struct gd_iommu_group *g);

/* groups --format dot: a digraph with one node per device (the
 * root buses as their own nodes), an edge from each bridge to the devices
 * below it, and each IOMMU group as a cluster; the groups of GPUs
 * highlighted.  0, -ENOMEM or -EIO. */
int gd_report_groups_dot(FILE *out, const struct gd_host *h, const bool *selected);
