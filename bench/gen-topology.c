/* SPDX-License-Identifier: MIT */
/* gen-topology N OUT [KMSG_LINES]: writes a synthetic gpudiag-bundle/1 of a
 * large multi-socket server (bench/topology.h) with exactly N PCI functions
 * and a kernel log of KMSG_LINES records (default 100,000), through the event
 * emitter (base/emit.h), so the YAML is valid by construction. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/emit.h"
#include "base/macro.h"
#include "topology.h"

#define KERNEL "6.8.12-4-pve"
#define CMDLINE "BOOT_IMAGE=/boot/vmlinuz-" KERNEL " root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt " \
                "vfio-pci.ids=10de:1e30,10de:10f7,10de:1ad6,10de:1ad7"

static const char *type_name(const struct topo_dev *d) {
        switch (d->pcie) {
        case EXP_ROOT_PORT:  return "PCIe Root Port";
        case EXP_UPSTREAM:   return "PCIe Switch Upstream Port";
        case EXP_DOWNSTREAM: return "PCIe Switch Downstream Port";
        case EXP_RC_END:     return "PCIe Root Complex Integrated Endpoint";
        default:             return "PCIe Endpoint";
        }
}

struct klog {
        FILE *f;
        unsigned seq, max;
        unsigned long long usec;
};

_printf_(3, 4) static void klog(struct klog *k, int prio, const char *fmt, ...) {
        va_list ap;

        if (k->seq >= k->max)
                return;
        k->usec += 37 + k->seq % 211;
        fprintf(k->f, "%d,%u,%llu,-;", prio, k->seq++, k->usec);
        va_start(ap, fmt);
        vfprintf(k->f, fmt, ap);
        va_end(ap);
        fputc('\n', k->f);
}

static void kernel_log(const struct topology *t, struct klog *k) {
        klog(k, 5, "Linux version " KERNEL " (build@proxmox) (gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils "
                   "for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z) ()");
        klog(k, 6, "Command line: " CMDLINE);
        klog(k, 6, "DMI: Supermicro SYS-420GP-TNR/X12DPG-OA6, BIOS 1.4 06/28/2023");
        klog(k, 6, "ACPI: DMAR 0x000000006F5F2000 000208 (v01 SUPERM SMCI--MB 00000001 INTL 20091013)");
        klog(k, 6, "DMAR: IOMMU enabled");
        klog(k, 5, "Kernel command line: " CMDLINE);
        for (unsigned s = 0; s < t->sockets; s++)
                klog(k, 6, "DMAR: dmar%u: reg_base_addr %x ver 1:0 cap d2008c40660462 ecap f050da", s,
                     0xfed90000u + s * 0x1000u);
        klog(k, 6, "DMAR-IR: Enabled IRQ remapping in x2apic mode");
        klog(k, 6, "iommu: Default domain type: Passthrough (set via kernel command line)");
        for (unsigned s = 0; s < t->sockets; s++)
                klog(k, 6, "PCI host bridge to bus 0000:%02x", s * (256 / t->sockets));
        for (size_t i = 0; i < t->n; i++) {
                const struct topo_dev *d = &t->devs[i];
                if (d->vf)
                        continue;
                klog(k, 6, "pci %s: [%04x:%04x] type %02x class 0x%06x %s", d->bdf, d->vid, d->did,
                     d->sec >= 0 ? 1 : 0, d->cls, type_name(d));
                if (d->sec >= 0)
                        klog(k, 6, "pci %s: PCI bridge to [bus %02x-%02x]", d->bdf, d->sec, d->sub);
                else if (d->cls != 0x088000)
                        klog(k, 6, "pci %s: BAR 0 [mem 0x%llx-0x%llx 64bit pref]", d->bdf,
                             0x200000000000ull + ((unsigned long long) d->bus << 32),
                             0x200000ffffffull + ((unsigned long long) d->bus << 32));
                if (d->acs)
                        klog(k, 7, "pci %s: ACS: SV+ TB+ RR+ CR+ UF+ (enabled)", d->bdf);
        }
        for (size_t i = 0; i < t->n; i++)
                if (!t->devs[i].vf)
                        klog(k, 6, "pci %s: Adding to iommu group %d", t->devs[i].bdf, t->devs[i].group);
        klog(k, 6, "DMAR: Intel(R) Virtualization Technology for Directed I/O");
        klog(k, 6, "VFIO - User Level meta-driver version: 0.3");
        for (size_t i = 0; i < t->n; i++) {
                const struct topo_dev *d = &t->devs[i];
                if (d->totalvfs)
                        klog(k, 6, "mlx5_core %s: E-Switch: Enable: mode(LEGACY), nvfs(%u), necvfs(0), active vports(%u)",
                             d->bdf, d->numvfs, d->numvfs + 1);
                if (d->vf) {
                        klog(k, 6, "pci %s: [%04x:%04x] type 00 class 0x%06x PCIe Endpoint", d->bdf, d->vid, d->did,
                             d->cls);
                        klog(k, 6, "pci %s: Adding to iommu group %d", d->bdf, d->group);
                }
        }
        /* The rest of a long uptime: NIC, VM and storage chatter, with ':' and '#'. */
        for (unsigned long r = 0; k->seq < k->max; r++) {
                const struct topo_dev *d = &t->devs[r % t->n];
                switch (r % 8) {
                case 0: klog(k, 6, "tap%lui0: entered promiscuous mode", 100 + r % 900); break;
                case 1: klog(k, 6, "vmbr0: port %lu(tap%lui0) entered forwarding state", 2 + r % 60, 100 + r % 900); break;
                case 2: klog(k, 4, "perf: interrupt took too long (%lu > %lu), lowering kernel.perf_event_max_sample_rate "
                                   "to 79750", 2500 + r % 900, 2500 + r % 700); break;
                case 3: klog(k, 6, "vfio-pci %s: enabling device (0000 -> 0002)", d->bdf); break;
                case 4: klog(k, 5, "audit: type=1400 audit(1732600%03lu.%03lu:%lu): apparmor=\"DENIED\" operation=\"mount\" "
                                   "profile=\"lxc-%lu_</var/lib/lxc>\" name=\"/\" pid=%lu comm=\"(sd-gens)\" # note",
                             r % 1000, r % 997, r, 100 + r % 50, 1000 + r); break;
                case 5: klog(k, 6, "mlx5_core %s: mlx5e: IPSec ESP acceleration enabled", d->bdf); break;
                case 6: klog(k, 3, "nvme nvme%lu: I/O tag %lu (%04lx) opcode 0x1 (I/O Cmd) QID 3 timeout, aborting",
                             r % 16, r % 1024, r % 65536); break;
                default: klog(k, 6, "kvm: vcpu %lu: requested %lu ns lapic timer period limited to 200000 ns",
                              r % 128, 10000 + r); break;
                }
        }
}

static char *print_to_string(size_t *len, int (*fn)(const struct topology *, FILE *), const struct topology *t) {
        char *buf = NULL;
        FILE *f = open_memstream(&buf, len);

        if (!f)
                return NULL;
        if (fn(t, f) < 0) {
                fclose(f);
                free(buf);
                return NULL;
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static int kmsg_fn_lines = 100000;
static int kmsg_fn(const struct topology *t, FILE *f) {
        struct klog k = { .f = f, .max = (unsigned) kmsg_fn_lines };
        kernel_log(t, &k);
        return ferror(f) ? -EIO : 0;
}

static const char vfio_conf[] = "options vfio-pci ids=10de:1e30,10de:10f7,10de:1ad6,10de:1ad7 disable_vga=1\n"
                                "softdep nouveau pre: vfio-pci\nsoftdep snd_hda_intel pre: vfio-pci\n";

static void emit_file(struct gd_emit *e, const char *path, const char *content) {
        gd_emit_key(e, path);
        gd_emit_text(e, content, strlen(content));
}

int main(int argc, char **argv) {
        _cleanup_free_ char *rec = NULL, *log = NULL, *source = NULL;
        _cleanup_fclose_ FILE *out = NULL;
        struct gd_emit *e;
        struct topology t;
        size_t rec_len, log_len;
        unsigned n;

        if (argc < 3 || (n = (unsigned) strtoul(argv[1], NULL, 10)) < 64) {
                fprintf(stderr, "usage: %s N(>=64) OUT.yaml [KMSG_LINES]\n", argv[0]);
                return 2;
        }
        if (argc > 3)
                kmsg_fn_lines = atoi(argv[3]);
        if (topology_build(&t, n) < 0) {
                fprintf(stderr, "%s: cannot build a topology of %u functions\n", argv[0], n);
                return 1;
        }
        rec = print_to_string(&rec_len, topology_umockdev, &t);
        log = print_to_string(&log_len, kmsg_fn, &t);
        out = fopen(argv[2], "we");
        if (!rec || !log || !out || asprintf(&source,
                "synthetic: models a %u-socket Intel Xeon server (Proxmox VE, kernel " KERNEL ") with %u PCI functions: "
                "%u NVIDIA Quadro RTX 6000 (TU102GL, 4 functions each, on vfio-pci, no FLR) two per Broadcom PEX89000 "
                "switch (ACS on downstream ports), %u Samsung PM1733 NVMe and %u dual-port ConnectX-6 Dx NICs on root "
                "ports with ACS, %u SR-IOV VFs (ARI, bound to vfio-pci), one DMAR unit per socket, and a kernel log of "
                "%d records. IOMMU groups are what pci_device_group() forms from these config spaces, as the group predictor (harness/predict/) computes them (%u groups). "
                "Generated by bench/gen-topology for benchmarks; not a real host.",
                t.sockets, n, t.gpus, t.nvmes, t.nics, t.vfs, kmsg_fn_lines, t.n_groups) < 0) {
                fprintf(stderr, "%s: %s: %m\n", argv[0], argv[2]);
                return 1;
        }

        e = gd_emit_new(out, GD_EMIT_JSON);
        if (!e)
                return 1;
        gd_emit_map_begin(e);
        gd_emit_kv_str(e, "format", "gpudiag-bundle/1");
        gd_emit_key(e, "metadata");
        gd_emit_map_begin(e);
        gd_emit_kv_str(e, "tool", "gpudiag 0.1.0 (bench/gen-topology)");
        gd_emit_kv_str(e, "created", "2026-11-26T15:00:00Z");
        gd_emit_kv_str(e, "kernel", KERNEL);
        gd_emit_kv_str(e, "origin", "synthetic");
        gd_emit_kv_str(e, "source", source);
        gd_emit_kv_bool(e, "root", true);
        gd_emit_key(e, "redacted");
        gd_emit_seq_begin(e);
        gd_emit_seq_end(e);
        gd_emit_map_end(e);
        gd_emit_key(e, "umockdev");
        gd_emit_text(e, rec, rec_len);
        gd_emit_key(e, "iommu_groups");
        gd_emit_seq_begin(e);
        for (unsigned g = 0; g < t.n_groups; g++) {
                gd_emit_map_begin(e);
                gd_emit_kv_int(e, "group", g);
                gd_emit_kv_str(e, "type", "identity");
                gd_emit_key(e, "devices");
                gd_emit_seq_begin(e);
                for (size_t i = 0; i < t.n; i++)
                        if (t.devs[i].group == (int) g)
                                gd_emit_str(e, t.devs[i].bdf);
                gd_emit_seq_end(e);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        gd_emit_key(e, "files");
        gd_emit_map_begin(e);
        gd_emit_key(e, "/dev/kmsg");
        gd_emit_text(e, log, log_len);
        emit_file(e, "/etc/default/grub",
                  "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR=\"Proxmox VE\"\n"
                  "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt "
                  "vfio-pci.ids=10de:1e30,10de:10f7,10de:1ad6,10de:1ad7\"\nGRUB_CMDLINE_LINUX=\"\"\n");
        gd_emit_key(e, "/etc/modprobe.d/vfio.conf");
        gd_emit_map_begin(e);
        gd_emit_key(e, "content");
        gd_emit_text(e, vfio_conf, sizeof(vfio_conf) - 1);
        gd_emit_kv_int(e, "mtime", 1732600000);
        gd_emit_map_end(e);
        emit_file(e, "/etc/modules", "vfio\nvfio_iommu_type1\nvfio_pci\n");
        emit_file(e, "/proc/cmdline", CMDLINE "\n");
        emit_file(e, "/proc/modules",
                  "vfio_pci 16384 0 - Live 0x0000000000000000\n"
                  "vfio_pci_core 86016 1 vfio_pci, Live 0x0000000000000000\n"
                  "vfio_iommu_type1 49152 0 - Live 0x0000000000000000\n"
                  "vfio 69632 3 vfio_pci,vfio_pci_core,vfio_iommu_type1, Live 0x0000000000000000\n"
                  "kvm_intel 409600 0 - Live 0x0000000000000000\n"
                  "kvm 1392640 1 kvm_intel, Live 0x0000000000000000\n"
                  "mlx5_core 2449408 0 - Live 0x0000000000000000\n"
                  "nvme 61440 3 - Live 0x0000000000000000\n");
        emit_file(e, "/proc/sys/kernel/osrelease", KERNEL "\n");
        gd_emit_kv_str(e, "/sys/firmware/acpi/tables/DMAR", "");
        gd_emit_map_end(e);
        gd_emit_key(e, "findings");
        gd_emit_seq_begin(e);
        gd_emit_seq_end(e);
        gd_emit_map_end(e);
        if (gd_emit_finish(e) < 0 || fflush(out) != 0) {
                gd_emit_free(e);
                fprintf(stderr, "%s: %s: write failed\n", argv[0], argv[2]);
                return 1;
        }
        gd_emit_free(e);
        fprintf(stderr, "%s: %u functions (%u GPUs, %u NVMe, %u NICs, %u VFs), %u groups, %d kmsg records\n",
                argv[2], n, t.gpus, t.nvmes, t.nics, t.vfs, t.n_groups, kmsg_fn_lines);
        topology_free(&t);
        return 0;
}
