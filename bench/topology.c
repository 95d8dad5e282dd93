/* SPDX-License-Identifier: MIT */
/* The synthetic server of topology.h.  Config spaces follow the layout of
 * sysfs-snapshots/tools/make-synthetic.py (PM at 0x40, PCIe at 0x60, extended
 * capabilities from 0x100); the IOMMU groups are the predictor's, as there. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/host.h"
#include "predict/predict.h"
#include "topology.h"

#define PCI_CFG 4096

static struct topo_dev *add(struct topology *t, unsigned root, unsigned bus, unsigned devfn, int parent) {
        struct topo_dev *d;

        if (t->n == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 256;
                struct topo_dev *nd = realloc(t->devs, cap * sizeof(*nd));
                if (!nd)
                        return NULL;
                t->devs = nd;
                t->cap = cap;
        }
        d = &t->devs[t->n++];
        *d = (struct topo_dev) {
                .bus = bus, .devfn = devfn, .root = root, .parent = parent, .pcie = EXP_ENDPOINT,
                .sec = -1, .sub = -1, .physfn = -1, .speed = 4, .width = 16, .group = -1,
        };
        snprintf(d->bdf, sizeof(d->bdf), "0000:%02x:%02x.%u", bus & 0xff, (devfn >> 3) & 0x1f, devfn & 7);
        return d;
}

static int bridge(struct topology *t, unsigned root, unsigned bus, unsigned devfn, int parent, int type,
                  unsigned sec, unsigned sub, uint16_t did, uint16_t vid) {
        struct topo_dev *d = add(t, root, bus, devfn, parent);
        if (!d)
                return -ENOMEM;
        d->vid = vid;
        d->did = did;
        d->svid = vid;
        d->sdid = 0;
        d->cls = 0x060400;
        d->pcie = type;
        d->acs = type == EXP_UPSTREAM ? 0 : ACS_ALL5;
        d->sec = (int) sec;
        d->sub = (int) sub;
        d->drv = "pcieport";
        d->speed = 5;
        d->irq = 32 + (unsigned) t->n;
        return (int) (t->n - 1);
}

static int endpoint(struct topology *t, unsigned root, unsigned bus, unsigned devfn, int parent, uint16_t vid,
                    uint16_t did, uint32_t cls, const char *drv, bool mf, bool flr) {
        struct topo_dev *d = add(t, root, bus, devfn, parent);
        if (!d)
                return -ENOMEM;
        d->vid = vid;
        d->did = did;
        d->svid = vid;
        d->sdid = (uint16_t) (0x1000 + did % 0x100);
        d->cls = cls;
        d->drv = drv;
        d->mf = mf;
        d->flr = flr;
        d->irq = 32 + (unsigned) t->n;
        return (int) (t->n - 1);
}

static int gpu(struct topology *t, unsigned root, unsigned bus, int parent) {
        /* Quadro RTX 6000 (TU102GL): VGA, HDA, xHCI, UCSI; no FLR, bound to vfio-pci. */
        static const struct { uint16_t did; uint32_t cls; } fn[4] = {
                { 0x1e30, 0x030000 }, { 0x10f7, 0x040300 }, { 0x1ad6, 0x0c0330 }, { 0x1ad7, 0x0c8000 },
        };
        for (unsigned f = 0; f < 4; f++) {
                int r = endpoint(t, root, bus, f, parent, 0x10de, fn[f].did, fn[f].cls, "vfio-pci", true, false);
                if (r < 0)
                        return r;
                t->devs[r].sdid = 0x12ba;
                t->devs[r].speed = 3;
        }
        t->gpus++;
        return 0;
}

/* Order as device_add() does: a bus's functions, then each bridge's subtree;
 * VFs last, when their PF's driver enabled SR-IOV. */
static void walk(const struct topology *t, unsigned bus, int *order, size_t *k) {
        size_t first = *k;
        for (size_t i = 0; i < t->n; i++)
                if (t->devs[i].bus == bus && !t->devs[i].vf)
                        order[(*k)++] = (int) i;
        for (size_t a = first + 1; a < *k; a++)         /* insertion sort by devfn */
                for (size_t b = a; b > first && t->devs[order[b]].devfn < t->devs[order[b - 1]].devfn; b--) {
                        int x = order[b]; order[b] = order[b - 1]; order[b - 1] = x;
                }
        for (size_t a = first, end = *k; a < end; a++)
                if (t->devs[order[a]].sec >= 0)
                        walk(t, (unsigned) t->devs[order[a]].sec, order, k);
}

static int reorder(struct topology *t) {
        int *order = malloc(t->n * sizeof(int)), *inv = malloc(t->n * sizeof(int));
        struct topo_dev *nd = malloc(t->n * sizeof(*nd));
        size_t k = 0;

        if (!order || !inv || !nd) {
                free(order); free(inv); free(nd);
                return -ENOMEM;
        }
        for (unsigned s = 0; s < t->sockets; s++)
                walk(t, s * (256 / t->sockets), order, &k);
        for (size_t i = 0; i < t->n; i++)
                if (t->devs[i].vf)
                        order[k++] = (int) i;
        for (size_t i = 0; i < t->n; i++)
                inv[order[i]] = (int) i;
        for (size_t i = 0; i < t->n; i++) {
                nd[i] = t->devs[order[i]];
                if (nd[i].parent >= 0)
                        nd[i].parent = inv[nd[i].parent];
                if (nd[i].physfn >= 0)
                        nd[i].physfn = inv[nd[i].physfn];
        }
        free(t->devs);
        t->devs = nd;
        free(order);
        free(inv);
        return 0;
}

static int cmp_bdf(const void *a, const void *b) {
        return strcmp(((const struct gd_pci_dev *) a)->address, ((const struct gd_pci_dev *) b)->address);
}

/* The groups are the predictor's (harness/predict/, the one copy of
 * pci_device_group() in this project): the topology becomes a host model
 * with the facts the config spaces below record, without groups, so ACS
 * control is taken as pci_std_enable_acs() programs it (the ACSCtl the
 * config space holds: the required bits of ACSCap). */
static int form_groups(struct topology *t) {
        _cleanup_host_ struct gd_host *h = gd_host_new();
        _cleanup_prediction_ struct gd_prediction *p = NULL;
        _cleanup_free_ int *number = NULL;
        struct gd_predict_options o;
        int r;

        if (!h || !(h->devs = calloc(t->n + 1, sizeof(*h->devs))))
                return -ENOMEM;
        h->n_devs = t->n;
        h->groups_state = -ENOENT;
        for (size_t i = 0; i < t->n; i++) {
                const struct topo_dev *td = &t->devs[i];
                struct gd_pci_dev *d = &h->devs[i];

                snprintf(d->address, sizeof(d->address), "%.12s", td->bdf);
                d->bus = td->bus, d->dev = td->devfn >> 3, d->func = td->devfn & 7;
                d->vendor = td->vid, d->device = td->did, d->class_code = td->cls;
                d->is_bridge = td->sec >= 0;
                d->iommu_group = GD_GROUP_NONE;
                d->details_read = true;
                if (td->parent >= 0 && !(d->parent = strdup(t->devs[td->parent].bdf)))
                        return -ENOMEM;
                d->caps = (struct gd_pci_caps) {
                        .config_complete = TRI_YES,
                        .is_pcie = td->pcie == EXP_NONE ? TRI_NO : TRI_YES,
                        .pcie_type = td->pcie == EXP_NONE ? 0 : (unsigned) td->pcie,
                        .acs = td->acs ? TRI_YES : TRI_NO,
                        .acs_cap = td->acs, .acs_ctrl = td->acs & ACS_REQ,
                        .multifunction = td->mf ? TRI_YES : TRI_NO,
                        .secondary_bus = td->sec,
                };
        }
        qsort(h->devs, h->n_devs, sizeof(*h->devs), cmp_bdf);
        gd_predict_options_from_host(h, &o);
        r = gd_predict_groups(h, &o, &p, NULL);
        if (r < 0)
                return r;
        /* Numbered as the devices were added (t->devs is in that order):
         * the VFs last, as the kernel adds them when SR-IOV is enabled,
         * which the model cannot tell from a PF's own functions. */
        number = malloc((p->n_groups + 1) * sizeof(*number));
        if (!number)
                return -ENOMEM;
        for (size_t g = 0; g < p->n_groups; g++)
                number[g] = -1;
        t->n_groups = 0;
        for (size_t i = 0; i < t->n; i++) {
                const struct gd_predicted_group *g = gd_prediction_group_of(h, p, t->devs[i].bdf);
                size_t k = g ? (size_t) (g - p->groups) : 0;

                if (g && number[k] < 0)
                        number[k] = (int) t->n_groups++;
                t->devs[i].group = g ? number[k] : -1;
        }
        return 0;
}

int topology_build(struct topology *t, unsigned n) {
        unsigned nvme_per, nic_per, fixed, pfs, vfs, next_bus[8] = { 0 }, next_dev[8] = { 0 };
        int r;

        *t = (struct topology) { .sockets = n >= 2048 ? 4 : 2 };
        nvme_per = n >= 2048 ? 8 : n >= 512 ? 4 : 1;
        nic_per = n >= 2048 ? 8 : 1;
        fixed = t->sockets + 4 * 12 + t->sockets * nvme_per * 2 + t->sockets * nic_per * 3;
        pfs = t->sockets * nic_per * 2;
        if (n < fixed || n - fixed > pfs * 127)
                return -EINVAL;
        vfs = n - fixed;

        for (unsigned s = 0; s < t->sockets; s++) {
                unsigned root = s * (256 / t->sockets);
                next_bus[s] = root + 1;
                next_dev[s] = 1;
                r = endpoint(t, root, root, 0, -1, 0x8086, 0x09a2, 0x088000, NULL, false, false);
                if (r < 0)
                        return r;
                t->devs[r].pcie = EXP_RC_END;
                t->devs[r].numa = s;
        }
        /* Four PCIe switches, two GPUs below each (as on HGX-style boards). */
        for (unsigned w = 0; w < 4; w++) {
                unsigned s = w % t->sockets, root = s * (256 / t->sockets), b = next_bus[s];
                int rp, us, ds;

                next_bus[s] += 4;
                rp = bridge(t, root, root, next_dev[s]++ << 3, -1, EXP_ROOT_PORT, b, b + 3, 0x352a, 0x8086);
                us = bridge(t, root, b, 0, rp, EXP_UPSTREAM, b + 1, b + 3, 0xc030, 0x1000);
                if (rp < 0 || us < 0)
                        return -ENOMEM;
                for (unsigned k = 0; k < 2; k++) {
                        ds = bridge(t, root, b + 1, k << 3, us, EXP_DOWNSTREAM, b + 2 + k, b + 2 + k, 0xc030, 0x1000);
                        if (ds < 0 || gpu(t, root, b + 2 + k, ds) < 0)
                                return -ENOMEM;
                }
        }
        for (unsigned s = 0; s < t->sockets; s++) {
                unsigned root = s * (256 / t->sockets);
                for (unsigned k = 0; k < nvme_per; k++) {
                        unsigned b = next_bus[s]++;
                        int rp = bridge(t, root, root, next_dev[s]++ << 3, -1, EXP_ROOT_PORT, b, b, 0x352a, 0x8086);
                        if (rp < 0 || endpoint(t, root, b, 0, rp, 0x144d, 0xa824, 0x010802, "nvme", false, true) < 0)
                                return -ENOMEM;
                        t->nvmes++;
                }
        }
        /* Dual-port ConnectX-6 Dx with ARI: PF0 VFs at devfn 2.., PF1 VFs at 129.. */
        for (unsigned s = 0, pf_seen = 0; s < t->sockets; s++) {
                unsigned root = s * (256 / t->sockets);
                for (unsigned k = 0; k < nic_per; k++) {
                        unsigned b = next_bus[s]++;
                        int rp = bridge(t, root, root, next_dev[s]++ << 3, -1, EXP_ROOT_PORT, b, b, 0x352a, 0x8086);
                        if (rp < 0)
                                return -ENOMEM;
                        t->nics++;
                        for (unsigned f = 0; f < 2; f++, pf_seen++) {
                                unsigned nv = vfs / pfs + (pf_seen < vfs % pfs), base = f ? 129 : 2;
                                int pf = endpoint(t, root, b, f, rp, 0x15b3, 0x101d, 0x020000, "mlx5_core", true, true);
                                if (pf < 0)
                                        return -ENOMEM;
                                t->devs[pf].totalvfs = 127;
                                t->devs[pf].numvfs = nv;
                                t->devs[pf].vf_offset = base - f;
                                t->devs[pf].vf_stride = 1;
                                t->devs[pf].vf_did = 0x101e;
                                for (unsigned v = 0; v < nv; v++) {
                                        int i = endpoint(t, root, b, base + v, rp, 0x15b3, 0x101e, 0x020000, "vfio-pci",
                                                         false, true);
                                        if (i < 0)
                                                return -ENOMEM;
                                        t->devs[i].vf = true;
                                        t->devs[i].physfn = pf;
                                        t->devs[i].irq = 0;
                                        t->vfs++;
                                }
                        }
                }
        }
        for (size_t i = 0; i < t->n; i++)
                t->devs[i].numa = t->devs[i].root / (256 / t->sockets);
        r = reorder(t);
        if (r < 0)
                return r;
        r = form_groups(t);
        if (r < 0)
                return r;
        return t->n == n ? 0 : -EINVAL;
}

void topology_free(struct topology *t) {
        free(t->devs);
        *t = (struct topology) { 0 };
}

void topology_sysfs_path(const struct topology *t, size_t i, char *buf, size_t size) {
        int chain[16], k = 0;
        size_t len;

        for (int p = (int) i; p >= 0 && k < 16; p = t->devs[p].parent)
                chain[k++] = p;
        len = (size_t) snprintf(buf, size, "/devices/pci0000:%02x", t->devs[i].root);
        while (k-- > 0 && len < size)
                len += (size_t) snprintf(buf + len, size - len, "/%s", t->devs[chain[k]].bdf);
}

static void w16(uint8_t *c, unsigned o, unsigned v) { c[o] = v & 0xff; c[o + 1] = (v >> 8) & 0xff; }
static void w32(uint8_t *c, unsigned o, uint32_t v) { w16(c, o, v & 0xffff); w16(c, o + 2, v >> 16); }

static void config_space(const struct topo_dev *d, uint8_t *c) {
        bool br = d->sec >= 0, idle = d->drv && strcmp(d->drv, "vfio-pci") == 0;
        unsigned o = 0x100;

        memset(c, 0, PCI_CFG);
        /* A VF's Vendor and Device ID read as all ones (SR-IOV spec 3.4.1.1). */
        w16(c, 0, d->vf ? 0xffff : d->vid);
        w16(c, 2, d->vf ? 0xffff : d->did);
        w16(c, 4, idle ? 0x0400 : br ? 0x0407 : 0x0406);
        w16(c, 6, 0x0010);
        c[8] = d->rev;
        c[9] = d->cls & 0xff;
        c[10] = (d->cls >> 8) & 0xff;
        c[11] = (d->cls >> 16) & 0xff;
        c[0x0c] = 0x10;
        c[0x0e] = (br ? 1 : 0) | (d->mf ? 0x80 : 0);
        if (br) {
                c[0x18] = (uint8_t) d->bus;
                c[0x19] = (uint8_t) d->sec;
                c[0x1a] = (uint8_t) d->sub;
                c[0x1c] = 0xf1; c[0x1d] = 0x01;
                w16(c, 0x20, 0xfff0);
                w16(c, 0x24, 0xfff1); w16(c, 0x26, 0x0001);
                w16(c, 0x3e, 0x0002);
        } else if (!d->vf) {
                uint32_t base = 0x90000000u + ((uint32_t) (d->devfn + d->bus * 8u) << 20);
                w32(c, 0x10, base | 0xc);
                w16(c, 0x2c, d->svid);
                w16(c, 0x2e, d->sdid);
        }
        c[0x3c] = (uint8_t) d->irq;
        c[0x3d] = d->irq ? 1 : 0;
        c[0x34] = d->vf ? 0x60 : 0x40;
        if (!d->vf) {                                   /* PM: v3, NoSoftRst+ */
                c[0x40] = 0x01; c[0x41] = 0x60;
                w16(c, 0x42, 0xc803);
                w16(c, 0x44, (idle ? 3 : 0) | 0x8);
        }
        c[0x60] = 0x10;                                 /* PCI Express, v2 */
        w16(c, 0x62, 0x0002 | (unsigned) (d->pcie << 4));
        w32(c, 0x64, 0x21 | (d->pcie == EXP_ENDPOINT ? (0x3f << 6) : 0) | (d->flr ? 1u << 28 : 0));
        w16(c, 0x68, 0x2810);
        w32(c, 0x6c, d->speed | (d->width << 4) | (0x3 << 10) |
                     (d->pcie == EXP_ROOT_PORT || d->pcie == EXP_DOWNSTREAM ? (d->devfn >> 3) << 24 : 0));
        w16(c, 0x72, d->speed | (d->width << 4) | 0x1000 |
                     (d->pcie == EXP_ROOT_PORT || d->pcie == EXP_DOWNSTREAM ? 0x2000 : 0));
        w32(c, 0x84, 0x10 | (br ? 0x20 : 0));           /* ARI forwarding on ports */
        if (br)
                w16(c, 0x88, 0x20);
        /* Extended: ACS on ports, ARI on NIC functions, SR-IOV on PFs. */
        if (d->acs) {
                w32(c, o, 0x000d | (1u << 16) | ((o + 0x40) << 20));
                w16(c, o + 4, d->acs);
                w16(c, o + 6, d->acs & ACS_REQ);
                o += 0x40;
        }
        if (d->totalvfs || d->vf) {
                w32(c, o, 0x000e | (1u << 16) | ((d->totalvfs ? o + 0x40 : 0) << 20));
                o += 0x40;
        }
        if (d->totalvfs) {
                w32(c, o, 0x0010 | (1u << 16));
                w32(c, o + 4, 0x2);                     /* ARI capable hierarchy preserved */
                w16(c, o + 8, d->numvfs ? 0x9 : 0);     /* VF enable, MSE */
                w16(c, o + 0x0c, d->totalvfs);
                w16(c, o + 0x0e, d->totalvfs);
                w16(c, o + 0x10, d->numvfs);
                w16(c, o + 0x14, d->vf_offset);
                w16(c, o + 0x16, d->vf_stride);
                w16(c, o + 0x1a, d->vf_did);
                w32(c, o + 0x24, 0xa0000000u | 0xc);
        }
        if (o == 0x100)                                 /* no extended capability */
                w32(c, 0x100, 0);
}

static const char *speed_str(unsigned s) {
        static const char *const str[] = { "Unknown", "2.5 GT/s PCIe", "5.0 GT/s PCIe", "8.0 GT/s PCIe",
                                            "16.0 GT/s PCIe", "32.0 GT/s PCIe" };
        return s < 6 ? str[s] : str[0];
}

static void resource_text(const struct topo_dev *d, FILE *out) {
        unsigned lines = d->sec >= 0 ? 17 : 13;
        uint64_t base = 0x200000000000ull + ((uint64_t) d->bus << 32) + ((uint64_t) d->devfn << 24);

        fputs("A: resource=", out);
        for (unsigned i = 0; i < lines; i++) {
                uint64_t s = 0, e = 0, fl = 0;
                if (i == 0 && d->sec < 0 && d->cls != 0x088000) {
                        s = base;
                        e = base + (d->vf ? 0x1fffff : 0xffffff);
                        fl = 0x14220c;
                }
                fprintf(out, "0x%016llx 0x%016llx 0x%016llx\\n", (unsigned long long) s, (unsigned long long) e,
                        (unsigned long long) fl);
        }
        fputc('\n', out);
}

int topology_umockdev(const struct topology *t, FILE *out) {
        uint8_t *cfg = malloc(PCI_CFG);
        char path[512], modalias[80];

        if (!cfg)
                return -ENOMEM;
        for (size_t i = 0; i < t->n; i++) {
                const struct topo_dev *d = &t->devs[i];
                bool idle = d->drv && strcmp(d->drv, "vfio-pci") == 0;
                unsigned depth;

                topology_sysfs_path(t, i, path, sizeof(path));
                depth = 0;
                for (const char *p = path; *p; p++)
                        depth += *p == '/';
                snprintf(modalias, sizeof(modalias), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", d->vid, d->did,
                         d->svid, d->sdid, d->cls >> 16, (d->cls >> 8) & 0xff, d->cls & 0xff);
                fprintf(out, "P: %s\n", path);
                if (d->drv)
                        fprintf(out, "E: DRIVER=%s\n", d->drv);
                fprintf(out, "E: MODALIAS=%s\nE: PCI_CLASS=%X\nE: PCI_ID=%04X:%04X\nE: PCI_SLOT_NAME=%s\n"
                             "E: PCI_SUBSYS_ID=%04X:%04X\nE: SUBSYSTEM=pci\n",
                        modalias, d->cls, d->vid, d->did, d->bdf, d->svid, d->sdid);
                fprintf(out, "A: ari_enabled=%d\\n\n", d->sec >= 0);
                if (d->cls >> 8 == 0x0300)
                        fputs("A: boot_vga=0\\n\n", out);
                fprintf(out, "A: broken_parity_status=0\\n\nA: class=0x%06x\\n\nH: config=", d->cls);
                config_space(d, cfg);
                for (unsigned k = 0; k < (d->pcie == EXP_NONE ? 256u : PCI_CFG); k++)
                        fprintf(out, "%02X", cfg[k]);
                fputc('\n', out);
                fprintf(out, "A: consistent_dma_mask_bits=64\\n\nA: current_link_speed=%s\\n\n"
                             "A: current_link_width=%u\\n\nA: d3cold_allowed=1\\n\nA: device=0x%04x\\n\n"
                             "A: dma_mask_bits=64\\n\n",
                        speed_str(d->speed), d->width, d->did);
                if (d->drv) {
                        fputs("L: driver=", out);
                        for (unsigned k = 1; k < depth; k++)
                                fputs("../", out);
                        fprintf(out, "bus/pci/drivers/%s\n", d->drv);
                }
                fprintf(out, "A: driver_override=(null)\\n\nA: enable=%d\\n\nA: irq=%u\\n\n", !idle, d->irq);
                fprintf(out, "A: local_cpulist=%u-%u\\n\nA: max_link_speed=%s\\n\nA: max_link_width=%u\\n\n",
                        d->numa * 32, d->numa * 32 + 31, speed_str(d->speed), d->width);
                fprintf(out, "A: modalias=%s\\n\nA: msi_bus=1\\n\nA: numa_node=%u\\n\n", modalias, d->numa);
                if (d->physfn >= 0)
                        fprintf(out, "L: physfn=../%s\n", t->devs[d->physfn].bdf);
                fprintf(out, "A: power/control=auto\\n\nA: power/runtime_status=%s\\n\nA: power_state=%s\\n\n",
                        idle ? "suspended" : "active", idle ? "D3hot" : "D0");
                if (d->flr)
                        fputs("A: reset_method=flr bus\\n\n", out);
                else if (d->cls == 0x030000)
                        fputs("A: reset_method=bus\\n\n", out);
                resource_text(d, out);
                fprintf(out, "A: revision=0x%02x\\n\n", d->rev);
                if (d->sec >= 0)
                        fprintf(out, "A: secondary_bus_number=%d\\n\n", d->sec);
                if (d->totalvfs)
                        fprintf(out, "A: sriov_drivers_autoprobe=1\\n\nA: sriov_numvfs=%u\\n\nA: sriov_offset=%u\\n\n"
                                     "A: sriov_stride=%u\\n\nA: sriov_totalvfs=%u\\n\nA: sriov_vf_device=%04x\\n\n",
                                d->numvfs, d->vf_offset, d->vf_stride, d->totalvfs, d->vf_did);
                if (d->sec >= 0)
                        fprintf(out, "A: subordinate_bus_number=%d\\n\n", d->sub);
                fprintf(out, "A: subsystem_device=0x%04x\\n\nA: subsystem_vendor=0x%04x\\n\nA: vendor=0x%04x\\n\n\n",
                        d->sdid, d->svid, d->vid);
        }
        for (unsigned s = 0; s < t->sockets; s++)
                fprintf(out, "P: /devices/virtual/iommu/dmar%u\nE: SUBSYSTEM=iommu\n"
                             "A: intel-iommu/address=%x\\n\nA: intel-iommu/cap=d2008c40660462\\n\n"
                             "A: intel-iommu/ecap=f050da\\n\nA: intel-iommu/version=1:0\\n\n\n",
                        s, 0xfed90000u + s * 0x1000u);
        free(cfg);
        return ferror(out) ? -EIO : 0;
}
