#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the bundles in sysfs-snapshots/ (format gpudiag-bundle/1, doc/bundle-format.md).

    make-synthetic.py [--gpudiag PATH] [OUTDIR]
                                          write the synthetic-*.yaml bundles (PATH: the gpudiag
                                          that predicts their IOMMU groups; default build/gpudiag)
    make-synthetic.py --collect FILE      collect THIS host into FILE (root; kvm-guest-6dev.yaml)
    make-synthetic.py --check FILE...     parse each bundle with PyYAML (if installed) and print a summary

The synthetic machines are described by the tables below (one row a PCI function); everything else
(config space, sysfs attributes, reset_method, modalias, resource, /proc/iomem, the kernel log's
enumeration and group lines) is derived from the rows, so the files stay consistent with each
other.  The IOMMU groups are not: this script does not form them.  It writes each machine once
without groups, asks gpudiag's group predictor (`gpudiag groups --predict --bundle`, harness/predict/,
the one implementation of pci_device_group() in this project, checked against real hosts' groups by
tests/test-predict-dumps) which groups the kernel forms from the recorded config spaces, and writes
the bundle again with those.  No third-party module is needed to generate; gpudiag must be built.
"""
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile

OUT_DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TOOL = "gpudiag 0.1.0 (sysfs-snapshots/tools/make-synthetic.py)"
GPUDIAG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "gpudiag")

# ---------------------------------------------------------------------------------------------
# PCIe constants
EXP_ENDPOINT, EXP_LEGACY, EXP_ROOT_PORT, EXP_UPSTREAM, EXP_DOWNSTREAM, EXP_RC_END = 0, 1, 4, 5, 6, 9
ACS_SV, ACS_TB, ACS_RR, ACS_CR, ACS_UF = 0x01, 0x02, 0x04, 0x08, 0x10
ACS_ALL5 = ACS_SV | ACS_TB | ACS_RR | ACS_CR | ACS_UF
REQ_ACS = ACS_SV | ACS_RR | ACS_CR | ACS_UF           # drivers/iommu/iommu.c REQ_ACS_FLAGS
# drivers/pci/quirks.c quirk_no_flr: these advertise FLR but must not get it
NO_FLR = {(0x1022, 0x1486), (0x1022, 0x1487), (0x1022, 0x148c), (0x1022, 0x149c),
          (0x1022, 0x7901), (0x8086, 0x1502), (0x8086, 0x1503)}


class Dev:
    """One PCI function.  Keyword arguments mirror the table columns."""

    def __init__(self, bdf, vid, did, cls, rev=0, sv=0, sd=0, drv=None, mf=False, pcie=None,
                 flr=False, acs=0, dsn=None, bars=(), rom=None, sec=None, sub=None, windows=None,
                 boot_vga=None, nosoftrst=True, pm=True, link=(3, 16), slot=None, irq=0,
                 enabled=True, parent=None, ssvid=True):
        self.bdf, self.vid, self.did, self.cls, self.rev = bdf, vid, did, cls, rev
        self.sv, self.sd, self.drv, self.mf, self.pcie = sv, sd, drv, mf, pcie
        self.flr, self.acs, self.dsn, self.bars, self.rom = flr, acs, dsn, list(bars), rom
        self.sec, self.sub, self.windows, self.boot_vga = sec, sub, windows or {}, boot_vga
        self.nosoftrst, self.pm, self.link, self.slot, self.irq = nosoftrst, pm, link, slot, irq
        self.enabled, self.parent, self.ssvid = enabled, parent, ssvid
        self.bus = int(bdf[5:7], 16)
        self.devno = int(bdf[8:10], 16)
        self.fn = int(bdf[11], 16)

    @property
    def bridge(self):
        return self.sec is not None

    @property
    def cfg_size(self):
        # drivers/pci/probe.c pci_cfg_space_size(): PCIe functions and host bridges get 4096
        return 4096 if (self.pcie is not None or self.cls >> 8 == 0x0600) else 256


# ---------------------------------------------------------------------------------------------
# config space
def config_space(d, vfio_idle):
    c = bytearray(d.cfg_size)

    def w8(o, v): c[o] = v & 0xff
    def w16(o, v): c[o:o + 2] = (v & 0xffff).to_bytes(2, "little")
    def w32(o, v): c[o:o + 4] = (v & 0xffffffff).to_bytes(4, "little")
    def w64(o, v): c[o:o + 8] = (v & 0xffffffffffffffff).to_bytes(8, "little")

    w16(0, d.vid); w16(2, d.did)
    cmd = 0
    if d.enabled:
        cmd = 0x0002 | 0x0004                                   # memory, bus master
        if any(b[2] == "io" for b in d.bars) or "io" in d.windows:
            cmd |= 0x0001
    if d.bridge:
        cmd |= 0x0007
    w16(4, cmd | 0x0400 if d.pcie is not None and d.enabled else cmd)   # INTx disable (MSI in use)
    w16(6, 0x0010)                                                 # capabilities list
    w8(8, d.rev); w8(9, d.cls & 0xff); w8(10, (d.cls >> 8) & 0xff); w8(11, d.cls >> 16)
    w8(0x0c, 0x10)                                                 # cache line 64 bytes
    w8(0x0e, (0x01 if d.bridge else 0x00) | (0x80 if d.mf else 0))
    if not d.bridge:
        for idx, start, kind, size in d.bars:
            off = 0x10 + 4 * idx
            if kind == "io":
                w32(off, start | 1)
            else:
                flags = (0x8 if "pref" in kind else 0) | (0x4 if "64" in kind else 0)
                w32(off, (start & 0xfffffff0) | flags)
                if "64" in kind:
                    w32(off + 4, start >> 32)
        w16(0x2c, d.sv); w16(0x2e, d.sd)
        if d.rom:
            w32(0x30, d.rom[0])
        w8(0x3c, d.irq); w8(0x3d, 1 if d.irq else 0)
    else:
        w8(0x18, d.bus); w8(0x19, d.sec); w8(0x1a, d.sub)
        io = d.windows.get("io"); mem = d.windows.get("mem"); pref = d.windows.get("pref")
        if io:
            w8(0x1c, (io[0] >> 8) & 0xf0 | 1); w8(0x1d, (io[1] >> 8) & 0xf0 | 1)
        else:
            w8(0x1c, 0xf1); w8(0x1d, 0x01)                          # closed
        if mem:
            w16(0x20, (mem[0] >> 16) & 0xfff0); w16(0x22, (mem[1] >> 16) & 0xfff0)
        else:
            w16(0x20, 0xfff0); w16(0x22, 0x0000)
        if pref:
            w16(0x24, ((pref[0] >> 16) & 0xfff0) | 1); w16(0x26, ((pref[1] >> 16) & 0xfff0) | 1)
            w32(0x28, pref[0] >> 32); w32(0x2c, pref[1] >> 32)
        else:
            w16(0x24, 0xfff1); w16(0x26, 0x0001)
        w8(0x3c, d.irq); w8(0x3d, 1 if d.irq else 0)
        w16(0x3e, 0x0002)                                           # bridge control: SERR# enable
    # capability list
    caps = []
    if d.pm:
        caps.append("pm")
    if d.bridge and d.ssvid and (d.sv or d.sd):
        caps.append("ssvid")
    if d.pcie is not None:
        caps.append("exp")
    offs = {"pm": 0x40, "ssvid": 0x50, "exp": 0x60}
    w8(0x34, offs[caps[0]] if caps else 0)
    if not caps:
        w16(6, 0)
    for i, cap in enumerate(caps):
        o = offs[cap]
        nxt = offs[caps[i + 1]] if i + 1 < len(caps) else 0
        if cap == "pm":
            w8(o, 0x01); w8(o + 1, nxt); w16(o + 2, 0xc803)      # v3, PME from D0/D3hot/D3cold
            pmcsr = (3 if vfio_idle else 0) | (0x8 if d.nosoftrst else 0)
            w16(o + 4, pmcsr)
        elif cap == "ssvid":
            w8(o, 0x0d); w8(o + 1, nxt); w16(o + 4, d.sv); w16(o + 6, d.sd)
        elif cap == "exp":
            w8(o, 0x10); w8(o + 1, nxt)
            flags = 0x0002 | (d.pcie << 4)
            if d.slot is not None:
                flags |= 0x0100                                     # slot implemented
            w16(o + 2, flags)
            devcap = 0x00000001 | 0x20                              # MPS 256, ExtTag
            if d.pcie in (EXP_ENDPOINT, EXP_LEGACY):
                devcap |= (0x7 << 6) | (0x7 << 9)                   # L0s/L1 acceptable latency
            if d.flr:
                devcap |= 1 << 28
            w32(o + 4, devcap)
            w16(o + 8, 0x2810)                                      # MRRS 512, MPS 128, ExtTag, RlxdOrd
            speed, width = d.link
            port = (d.slot or d.devno) if d.pcie in (EXP_ROOT_PORT, EXP_DOWNSTREAM) else 0
            w32(o + 0x0c, speed | (width << 4) | (0x3 << 10) | (port << 24))
            w16(o + 0x10, 0x0040)                                   # common clock
            lnksta = speed | (width << 4) | 0x1000                  # slot clock
            if d.pcie in (EXP_ROOT_PORT, EXP_DOWNSTREAM):
                lnksta |= 0x2000                                    # data link layer link active
            w16(o + 0x12, lnksta)
            if d.slot is not None:
                w32(o + 0x14, d.slot << 19)                         # physical slot number
                w16(o + 0x1a, 0x0040)                               # presence detect
            w32(o + 0x24, 0x00000010 | (0x800 if d.bridge else 0))  # completion timeout disable, ARI fwd
            w32(o + 0x2c, ((1 << speed) - 1) << 1)                  # supported link speeds vector
            w16(o + 0x30, speed)
    # extended capabilities (root view only)
    if d.cfg_size == 4096:
        ext = []
        if d.acs:
            ext.append(("acs", 8))
        if d.dsn is not None:
            ext.append(("dsn", 12))
        o = 0x100
        for i, (kind, size) in enumerate(ext):
            nxt = (o + 0x40) if i + 1 < len(ext) else 0
            if kind == "acs":
                w32(o, 0x000d | (1 << 16) | (nxt << 20))
                w16(o + 4, d.acs)
                w16(o + 6, d.acs & (ACS_SV | ACS_RR | ACS_CR | ACS_UF))   # pci_std_enable_acs()
            elif kind == "dsn":
                w32(o, 0x0003 | (1 << 16) | (nxt << 20))
                w64(o + 4, d.dsn)
            o = nxt
    return bytes(c)


# ---------------------------------------------------------------------------------------------
# derived facts
def bridge_of(devs, d):
    for p in devs:
        if p.bridge and p.sec == d.bus:
            return p
    return None


def scan_order(devs):
    """device_add() order: a bus's functions, then each bridge's subtree in turn (probe.c)."""
    out = []

    def walk(bus):
        here = sorted((x for x in devs if x.bus == bus), key=lambda x: (x.devno, x.fn))
        out.extend(here)
        for b in here:
            if b.bridge:
                walk(b.sec)
    walk(0)
    assert len(out) == len(devs), "a device sits on a bus no bridge leads to"
    return out


def predicted_groups(devs, umockdev, files, excluded=()):
    """The groups gpudiag's predictor (harness/predict/) says the kernel forms on this machine:
    {bdf: group number}.  The machine is written without groups to a temporary bundle and
    `gpudiag groups --predict --bundle B --format json` read back; ACS control is then taken as
    pci_std_enable_acs() programs it, which is what the config spaces record.  excluded: devices
    outside the IOMMU's scope (AMD's root complex, which the IVRS device entries leave out, and the
    IOMMU function itself, which init_iommu_one() / init_iommu_one_late() in drivers/iommu/amd/init.c
    takes out of its rlookup table): their groups,
    which must hold only them, are dropped and the rest renumbered in the kernel's order."""
    with tempfile.TemporaryDirectory(prefix="make-synthetic-") as tmp:
        path = os.path.join(tmp, "probe.yaml")
        meta = dict(tool=TOOL, created="1970-01-01T00:00:00Z", kernel=files["/proc/sys/kernel/osrelease"].strip(),
                    origin="synthetic", source="synthetic: a machine of make-synthetic.py, before its groups",
                    root=True, redacted=[])
        write_bundle(path, meta, umockdev, None, files, quiet=True)
        out = subprocess.run([GPUDIAG, "groups", "--predict", "--bundle", path, "--format", "json"],
                             check=True, capture_output=True, text=True).stdout
    pred = json.loads(out)
    assert not pred["unknowns"], "the predictor lacked facts: %s" % pred["unknowns"]
    known = {d.bdf for d in devs}
    group_of = {}
    n = 0
    for g in sorted(pred["iommu_groups"], key=lambda g: g["group"]):
        members = set(g["devices"])
        assert members <= known, members - known
        if members & set(excluded):
            assert members <= set(excluded), "an excluded device shares a group: %s" % sorted(members)
            continue
        for bdf in members:
            group_of[bdf] = n
        n += 1
    return group_of


def reset_methods(devs, d):
    """pci_init_reset_methods() at enumeration: flr, pm, bus (a function probed while it is the
    only one yet on its bus, i.e. function 0 of the first slot, keeps 'bus')."""
    m = []
    if d.flr and d.pcie is not None and (d.vid, d.did) not in NO_FLR:
        m.append("flr")
    if d.pm and not d.nosoftrst:
        m.append("pm")
    if d.bus != 0 and not d.bridge:
        first = min((x for x in devs if x.bus == d.bus), key=lambda x: (x.devno, x.fn))
        if first is d:
            m.append("bus")
    return m


def res_flags(kind):
    return {"io": 0x40101, "mem32": 0x40200, "mem64": 0x140204, "mem32pref": 0x42208,
            "mem64pref": 0x14220c}[kind]


def resource_text(d):
    lines = [(0, 0, 0)] * (17 if d.bridge else 13)            # 6 BARs, ROM, 6 IOV, 4 windows
    for idx, start, kind, size in d.bars:
        lines[idx] = (start, start + size - 1, res_flags(kind))
    if d.rom:
        lines[6] = (d.rom[0], d.rom[0] + d.rom[1] - 1, 0x46200)
    if d.bridge:
        for i, k, fl in ((13, "io", 0x101), (14, "mem", 0x200), (15, "pref", 0x102201)):
            if k in d.windows:
                lines[i] = (d.windows[k][0], d.windows[k][1], fl)
    return "".join("0x%016x 0x%016x 0x%016x\n" % l for l in lines)


def sysfs_path(devs, d):
    chain = []
    p = d
    while p is not None:
        chain.append("0000:" + p.bdf[5:] if len(p.bdf) == 12 else p.bdf)
        p = bridge_of(devs, p) if p.bus != 0 else None
    return "/devices/pci0000:00/" + "/".join(reversed(chain))


def esc(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n")


def umockdev_text(devs, drivers_in_use, vfio, units):
    out = []
    for d in scan_order(devs):
        path = sysfs_path(devs, d)
        vfio_idle = d.drv == "vfio-pci" and vfio
        cls = d.cls
        modalias = "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X" % (
            d.vid, d.did, d.sv, d.sd, cls >> 16, (cls >> 8) & 0xff, cls & 0xff)
        out.append("P: " + path)
        if d.drv:
            out.append("E: DRIVER=" + d.drv)
        out.append("E: MODALIAS=" + modalias)
        out.append("E: PCI_CLASS=%X" % cls)
        out.append("E: PCI_ID=%04X:%04X" % (d.vid, d.did))
        out.append("E: PCI_SLOT_NAME=" + d.bdf)
        out.append("E: PCI_SUBSYS_ID=%04X:%04X" % (d.sv, d.sd))
        out.append("E: SUBSYSTEM=pci")
        attrs = []
        attrs.append(("ari_enabled", "0\n"))
        if d.cls >> 8 == 0x0300:
            attrs.append(("boot_vga", "%d\n" % (1 if d.boot_vga else 0)))
        attrs.append(("broken_parity_status", "0\n"))
        attrs.append(("class", "0x%06x\n" % cls))
        attrs.append(("consistent_dma_mask_bits", "64\n" if d.drv else "32\n"))
        if d.pcie is not None:
            spd = {1: "2.5 GT/s PCIe", 2: "5.0 GT/s PCIe", 3: "8.0 GT/s PCIe", 4: "16.0 GT/s PCIe"}
            attrs.append(("current_link_speed", spd[d.link[0]] + "\n"))
            attrs.append(("current_link_width", "%d\n" % d.link[1]))
        attrs.append(("d3cold_allowed", "1\n"))
        attrs.append(("device", "0x%04x\n" % d.did))
        attrs.append(("dma_mask_bits", "64\n" if d.drv else "32\n"))
        attrs.append(("driver_override", "(null)\n"))
        attrs.append(("enable", "1\n" if (d.drv and d.drv != "vfio-pci") or d.bridge else "0\n"))
        attrs.append(("irq", "%d\n" % d.irq))
        attrs.append(("local_cpulist", "0-7\n"))
        attrs.append(("local_cpus", "ff\n"))
        if d.pcie is not None:
            spd = {1: "2.5 GT/s PCIe", 2: "5.0 GT/s PCIe", 3: "8.0 GT/s PCIe", 4: "16.0 GT/s PCIe"}
            attrs.append(("max_link_speed", spd[d.link[0]] + "\n"))
            attrs.append(("max_link_width", "%d\n" % d.link[1]))
        attrs.append(("modalias", modalias + "\n"))
        attrs.append(("msi_bus", "1\n"))
        attrs.append(("numa_node", "-1\n"))
        attrs.append(("power/control", "auto\n"))
        attrs.append(("power/runtime_status", "suspended\n" if vfio_idle else "active\n"))
        attrs.append(("power_state", "D3hot\n" if vfio_idle else "D0\n"))
        rm = reset_methods(devs, d)
        if rm:
            attrs.append(("reset_method", " ".join(rm) + "\n"))
        attrs.append(("resource", resource_text(d)))
        attrs.append(("revision", "0x%02x\n" % d.rev))
        if d.bridge:
            attrs.append(("secondary_bus_number", "%d\n" % d.sec))
            attrs.append(("subordinate_bus_number", "%d\n" % d.sub))
        attrs.append(("subsystem_device", "0x%04x\n" % d.sd))
        attrs.append(("subsystem_vendor", "0x%04x\n" % d.sv))
        attrs.append(("vendor", "0x%04x\n" % d.vid))
        for k, v in sorted(attrs):
            out.append("A: %s=%s" % (k, esc(v)))
            if k == "class":
                out.append("H: config=" + config_space(d, vfio_idle).hex().upper())
            if k == "dma_mask_bits" and d.drv:
                depth = path.strip("/").count("/") + 1
                out.append("L: driver=" + "../" * depth + "bus/pci/drivers/" + d.drv)
        out.append("")
    for path, attrs in units:
        out.append("P: " + path)
        out.append("E: SUBSYSTEM=iommu")
        for k, v in attrs:
            out.append("A: %s=%s" % (k, esc(v)))
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# /proc/iomem from the BAR table
def iomem_text(system, devs, extra=()):
    ents = list(system)
    for d in devs:
        for idx, start, kind, size in d.bars:
            if kind != "io":
                ents.append((start, start + size - 1, d.bdf, d.drv))
        if d.rom:
            ents.append((d.rom[0], d.rom[0] + d.rom[1] - 1, d.bdf, None))
        if d.bridge:
            for k in ("mem", "pref"):
                if k in d.windows:
                    ents.append((d.windows[k][0], d.windows[k][1], "PCI Bus 0000:%02x" % d.sec, None))
    ents.extend(extra)
    ents.sort(key=lambda e: (e[0], -e[1]))
    for i, a in enumerate(ents):                    # ranges either nest or are disjoint
        for b in ents[i + 1:]:
            if b[0] <= a[1] and b[1] > a[1]:
                raise SystemExit("iomem overlap: %x-%x %s / %x-%x %s" % (a[0], a[1], a[2], b[0], b[1], b[2]))
    lines, stack = [], []
    for s, e, name, drv in ents:
        while stack and not (stack[-1][0] <= s and e <= stack[-1][1]):
            stack.pop()
        width = 8 if e < (1 << 32) else 9
        lines.append("%s%0*x-%0*x : %s" % ("  " * len(stack), width, s, width, e, name))
        stack.append((s, e))
        if drv and drv not in ("pcieport",) and not name.startswith("PCI Bus"):
            lines.append("%s%0*x-%0*x : %s" % ("  " * len(stack), width, s, width, e,
                                                {"vfio-pci": "vfio-pci", "xhci_hcd": "xhci-hcd"}.get(drv, drv)))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# kernel log
class Kmsg:
    def __init__(self):
        self.recs = []

    def add(self, t, text, prio=6):
        self.recs.append((prio, t, text))

    def text(self):
        out = []
        for seq, (prio, t, text) in enumerate(sorted(self.recs, key=lambda r: r[1])):
            out.append("%d,%d,%d,-;%s" % (prio, seq, int(round(t * 1e6)), text))
        return "\n".join(out) + "\n"


def class_line(d):
    kinds = {EXP_ENDPOINT: "PCIe Endpoint", EXP_LEGACY: "PCIe Legacy Endpoint",
             EXP_ROOT_PORT: "PCIe Root Port", EXP_UPSTREAM: "PCIe Switch Upstream Port",
             EXP_DOWNSTREAM: "PCIe Switch Downstream Port", EXP_RC_END: "PCIe Root Complex Integrated Endpoint"}
    k = kinds.get(d.pcie, "conventional PCI endpoint" if not d.bridge else "conventional PCI bridge")
    return "pci %s: [%04x:%04x] type %02x class 0x%06x %s" % (
        d.bdf, d.vid, d.did, 1 if d.bridge else 0, d.cls, k)


def enumeration(k, devs, t0):
    t = t0
    for d in scan_order(devs):
        k.add(t, class_line(d)); t += 0.000120
        for idx, start, kind, size in d.bars:
            if kind == "io":
                k.add(t, "pci %s: BAR %d [io  0x%04x-0x%04x]" % (d.bdf, idx, start, start + size - 1))
            else:
                k.add(t, "pci %s: BAR %d [mem 0x%08x-0x%08x%s%s]" % (
                    d.bdf, idx, start, start + size - 1, " 64bit" if "64" in kind else "",
                    " pref" if "pref" in kind else ""))
            t += 0.000010
        if d.rom:
            k.add(t, "pci %s: ROM [mem 0x%08x-0x%08x pref]" % (d.bdf, d.rom[0], d.rom[0] + d.rom[1] - 1))
        if d.bridge:
            k.add(t, "pci %s: PCI bridge to [bus %02x%s]" % (
                d.bdf, d.sec, "" if d.sec == d.sub else "-%02x" % d.sub))
        t += 0.000200
    return t


def group_lines(k, devs, groups, t0):
    t = t0
    for d in scan_order(devs):
        if d.bdf in groups:
            k.add(t, "pci %s: Adding to iommu group %d" % (d.bdf, groups[d.bdf]))
            t += 0.000035
    return t


def groups_list(groups, gtype):
    by = {}
    for bdf, g in groups.items():
        by.setdefault(g, []).append(bdf)
    return [{"group": g, "type": gtype, "devices": sorted(by[g])} for g in sorted(by)]


# ---------------------------------------------------------------------------------------------
# YAML writer (block scalars for text, so the bundles stay readable and diffable)
def yq(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'


def yblock(s, indent):
    if s == "" or "\n" not in s.rstrip("\n") and len(s) < 100 and not s.endswith("\n\n"):
        return yq(s)
    if any(ch in s for ch in "\r\x00\x1b") or any(l.strip() == "" and l != "" for l in s.split("\n")):
        return yq(s)
    n = len(s) - len(s.rstrip("\n"))                       # trailing line breaks
    chomp = "-" if n == 0 else ("+" if n > 1 else "")
    ind = str(indent) if s[:1] in (" ", "\t") else ""
    pad = " " * indent
    lines = [(pad + l) if l else "" for l in s.rstrip("\n").split("\n")] + [""] * max(n - 1, 0)
    return "|" + ind + chomp + "\n" + "\n".join(lines)


def write_bundle(path, meta, umockdev, groups, files, unreadable=None, lspci=None, quiet=False):
    o = ["format: gpudiag-bundle/1", "metadata:"]
    for k in ("tool", "created", "kernel", "origin"):
        o.append("  %s: %s" % (k, yq(meta[k])))
    o.append("  source: " + yblock(meta["source"], 4))
    o.append("  root: %s" % ("true" if meta["root"] else "false"))
    o.append("  redacted: [%s]" % ", ".join(meta["redacted"]))
    o.append("umockdev: " + yblock(umockdev.rstrip("\n") + "\n", 2))
    if groups is not None:
        if not groups:
            o.append("iommu_groups: []")
        else:
            o.append("iommu_groups:")
            for g in groups:
                o.append("  - group: %d" % g["group"])
                if g.get("type"):
                    o.append("    type: %s" % g["type"])
                # quoted: YAML 1.1 readers (PyYAML) take 0000:00:01.0 for a base-60 number
                o.append("    devices: [%s]" % ", ".join(yq(x) for x in g["devices"]))
    o.append("files:")
    for k in sorted(files):
        v = files[k]
        if isinstance(v, dict):
            o.append("  %s:" % k)
            o.append("    content: " + yblock(v["content"], 6))
            if "mtime" in v:
                o.append("    mtime: %d" % v["mtime"])
        else:
            o.append("  %s: %s" % (k, yblock(v, 4)))
    if unreadable:
        o.append("unreadable: [%s]" % ", ".join(unreadable))
    if lspci:
        o.append("lspci: " + yblock(lspci, 2))
    o.append("findings: []")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")
    if not quiet:
        print("wrote", path)


def fold(text):
    return " ".join(text.split())


# =============================================================================================
# Machine 1: Intel Z390 / i7-9700K / RTX 2080 Ti (TU102) on vfio-pci
def intel_z390():
    ASUS = 0x1043
    DSN = 0x0000000000000001                                       # placeholder serial
    nv = dict(sv=0x10de, sd=0x12fa, rev=0xa1, pcie=EXP_ENDPOINT, mf=True, drv="vfio-pci",
              link=(3, 16), enabled=False, dsn=None)
    devs = [
        Dev("0000:00:00.0", 0x8086, 0x3e30, 0x060000, 0x0d, ASUS, 0x8694, "skl_uncore", pm=False),
        Dev("0000:00:01.0", 0x8086, 0x1901, 0x060400, 0x0d, ASUS, 0x8694, "pcieport", pcie=EXP_ROOT_PORT,
            sec=1, sub=1, slot=1, link=(3, 16), irq=122,
            windows={"io": (0xe000, 0xefff), "mem": (0xde000000, 0xdf0fffff),
                     "pref": (0xc0000000, 0xd1ffffff)}),
        Dev("0000:00:02.0", 0x8086, 0x3e98, 0x030000, 0x02, ASUS, 0x8694, "i915", pcie=EXP_RC_END,
            boot_vga=True, link=(1, 0), irq=131,
            bars=[(0, 0xdd000000, "mem64", 0x1000000), (2, 0xa0000000, "mem64pref", 0x10000000),
                  (4, 0xf000, "io", 0x40)]),
        Dev("0000:00:12.0", 0x8086, 0xa379, 0x118000, 0x10, ASUS, 0x8694, "intel_pch_thermal", irq=16,
            bars=[(0, 0xdf31f000, "mem64", 0x1000)]),
        Dev("0000:00:14.0", 0x8086, 0xa36d, 0x0c0330, 0x10, ASUS, 0x8694, "xhci_hcd", mf=True, irq=125,
            nosoftrst=False, bars=[(0, 0xdf300000, "mem64", 0x10000)]),
        Dev("0000:00:14.2", 0x8086, 0xa36f, 0x050000, 0x10, ASUS, 0x8694, None, mf=True, pm=True,
            bars=[(0, 0xdf314000, "mem64", 0x2000), (2, 0xdf316000, "mem64", 0x1000)]),
        Dev("0000:00:16.0", 0x8086, 0xa360, 0x078000, 0x10, ASUS, 0x8694, "mei_me", irq=134,
            nosoftrst=False, bars=[(0, 0xdf317000, "mem64", 0x1000)]),
        Dev("0000:00:17.0", 0x8086, 0xa352, 0x010601, 0x10, ASUS, 0x8694, "ahci", irq=126,
            nosoftrst=False,
            bars=[(0, 0xdf310000, "mem32", 0x2000), (1, 0xdf313000, "mem32", 0x100), (2, 0xf090, "io", 8),
                  (3, 0xf080, "io", 4), (4, 0xf060, "io", 0x20), (5, 0xdf312000, "mem32", 0x800)]),
        Dev("0000:00:1d.0", 0x8086, 0xa330, 0x060400, 0xf0, ASUS, 0x8694, "pcieport", pcie=EXP_ROOT_PORT,
            acs=ACS_ALL5, sec=2, sub=2, slot=9, link=(3, 4), irq=123,
            windows={"mem": (0xdf200000, 0xdf2fffff)}),
        Dev("0000:00:1f.0", 0x8086, 0xa305, 0x060100, 0x10, ASUS, 0x8694, None, mf=True, pm=False),
        Dev("0000:00:1f.3", 0x8086, 0xa348, 0x040300, 0x10, ASUS, 0x8724, "snd_hda_intel", mf=True, irq=136,
            nosoftrst=False,
            bars=[(0, 0xdf318000, "mem64", 0x4000), (4, 0xdf100000, "mem64", 0x100000)]),
        Dev("0000:00:1f.4", 0x8086, 0xa323, 0x0c0500, 0x10, ASUS, 0x8694, "i801_smbus", mf=True, irq=16,
            pm=False, bars=[(0, 0xdf31c000, "mem64", 0x100), (4, 0xefa0, "io", 0x20)]),
        Dev("0000:00:1f.5", 0x8086, 0xa324, 0x0c8000, 0x10, ASUS, 0x8694, "intel-spi", mf=True, pm=False,
            bars=[(0, 0xfe010000, "mem32", 0x1000)]),
        Dev("0000:00:1f.6", 0x8086, 0x15bc, 0x020000, 0x10, ASUS, 0x8672, "e1000e", mf=True, irq=135,
            nosoftrst=False, bars=[(0, 0xdf320000, "mem32", 0x20000)]),
        Dev("0000:01:00.0", 0x10de, 0x1e07, 0x030000, **dict(nv, pcie=EXP_LEGACY, dsn=DSN), boot_vga=False,
            bars=[(0, 0xde000000, "mem32", 0x1000000), (1, 0xc0000000, "mem64pref", 0x10000000),
                  (3, 0xd0000000, "mem64pref", 0x2000000), (5, 0xe000, "io", 0x80)],
            rom=(0xdf000000, 0x80000)),
        Dev("0000:01:00.1", 0x10de, 0x10f7, 0x040300, **nv, bars=[(0, 0xdf080000, "mem32", 0x4000)]),
        Dev("0000:01:00.2", 0x10de, 0x1ad6, 0x0c0330, **nv, bars=[(0, 0xd2000000, "mem64pref", 0x40000),
                                                                  (3, 0xd2040000, "mem64pref", 0x10000)]),
        Dev("0000:01:00.3", 0x10de, 0x1ad7, 0x0c8000, **nv, bars=[(0, 0xdf084000, "mem32", 0x1000)]),
        Dev("0000:02:00.0", 0x144d, 0xa808, 0x010802, 0x00, 0x144d, 0xa801, "nvme", pcie=EXP_ENDPOINT,
            flr=True, link=(3, 4), irq=16, nosoftrst=True, bars=[(0, 0xdf200000, "mem64", 0x4000)]),
    ]
    # the 2080 Ti's USB function BARs live in the prefetchable window of 00:01.0
    devs[1].windows["pref"] = (0xc0000000, 0xd20fffff)
    return devs


def intel_bundle(out):
    devs = intel_z390()
    units = [
        ("/devices/virtual/iommu/dmar0", [("intel-iommu/address", "fed90000\n"),
                                          ("intel-iommu/cap", "1c0000c40660462\n"),
                                          ("intel-iommu/ecap", "19e2ff0505e\n"),
                                          ("intel-iommu/domains_supported", "256\n"),
                                          ("intel-iommu/domains_used", "1\n"),
                                          ("intel-iommu/version", "1:0\n")]),
        ("/devices/virtual/iommu/dmar1", [("intel-iommu/address", "fed91000\n"),
                                          ("intel-iommu/cap", "d2008c40660462\n"),
                                          ("intel-iommu/ecap", "f050da\n"),
                                          ("intel-iommu/domains_supported", "256\n"),
                                          ("intel-iommu/domains_used", "1\n"),
                                          ("intel-iommu/version", "1:0\n")]),
    ]
    ids = "10de:1e07,10de:10f7,10de:1ad6,10de:1ad7"
    cmdline = ("BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet "
               "intel_iommu=on iommu=pt vfio-pci.ids=" + ids)
    groups = predicted_groups(devs, umockdev_text(devs, None, True, units),
                              {"/proc/sys/kernel/osrelease": "6.8.12-4-pve\n", "/proc/cmdline": cmdline + "\n"})
    k = Kmsg()
    k.add(0, "Linux version 6.8.12-4-pve (build@proxmox) (gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z) ()", 5)
    k.add(0, "Command line: " + cmdline)
    k.add(0.000000, "DMI: ASUSTeK COMPUTER INC. PRIME Z390-A/PRIME Z390-A, BIOS 2004 11/12/2020")
    k.add(0.003012, "ACPI: DMAR 0x000000007B5B4000 0000A8 (v01 INTEL  EDK2     00000002      01000013)")
    k.add(0.004650, "DMAR: IOMMU enabled")
    k.add(0.010551, "Kernel command line: " + cmdline, 5)
    k.add(0.010601, "Unknown kernel command line parameters \"BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve\", will be passed to user space.", 5)
    k.add(0.061102, "DMAR: Host address width 39")
    k.add(0.061104, "DMAR: DRHD base: 0x000000fed90000 flags: 0x0")
    k.add(0.061112, "DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 1c0000c40660462 ecap 19e2ff0505e")
    k.add(0.061115, "DMAR: DRHD base: 0x000000fed91000 flags: 0x1")
    k.add(0.061121, "DMAR: dmar1: reg_base_addr fed91000 ver 1:0 cap d2008c40660462 ecap f050da")
    k.add(0.061124, "DMAR: RMRR base: 0x0000007b1ad000 end: 0x0000007b1ccfff")
    k.add(0.061127, "DMAR: RMRR base: 0x0000007d000000 end: 0x0000007f7fffff")
    k.add(0.061131, "DMAR-IR: IOAPIC id 2 under DRHD base  0xfed91000 IOMMU 1")
    k.add(0.061133, "DMAR-IR: HPET id 0 under DRHD base 0xfed91000")
    k.add(0.061135, "DMAR-IR: Queued invalidation will be enabled to support x2apic and Intr-remapping.")
    k.add(0.063402, "DMAR-IR: Enabled IRQ remapping in x2apic mode")
    k.add(0.063410, "x2apic enabled")
    k.add(0.229301, "iommu: Default domain type: Passthrough (set via kernel command line)")
    k.add(0.231004, "PCI: Using configuration type 1 for base access")
    k.add(0.260000, "PCI host bridge to bus 0000:00")
    t = enumeration(k, devs, 0.260150)
    k.add(t + 0.0001, "pci 0000:00:01.0: PCI bridge to [bus 01]")
    k.add(t + 0.0100, "pci 0000:00:02.0: vgaarb: setting as boot VGA device")
    k.add(t + 0.0101, "pci 0000:00:02.0: vgaarb: bridge control possible")
    k.add(t + 0.0102, "pci 0000:00:02.0: vgaarb: VGA device added: decodes=io+mem,owns=io+mem,locks=none")
    k.add(t + 0.0103, "pci 0000:01:00.0: vgaarb: bridge control possible")
    k.add(t + 0.0104, "pci 0000:01:00.0: vgaarb: VGA device added: decodes=io+mem,owns=none,locks=none")
    k.add(t + 0.0105, "vgaarb: loaded")
    k.add(0.452210, "DMAR: No ATSR found")
    k.add(0.452212, "DMAR: No SATC found")
    k.add(0.452215, "DMAR: dmar0: Using Queued invalidation")
    k.add(0.452221, "DMAR: dmar1: Using Queued invalidation")
    t = group_lines(k, devs, groups, 0.452600)
    k.add(t + 0.0004, "DMAR: Intel(R) Virtualization Technology for Directed I/O")
    k.add(0.611020, "efifb: probing for efifb")
    k.add(0.611050, "efifb: framebuffer at 0xa0000000, using 8128k, total 8128k")
    k.add(0.611053, "efifb: mode is 1920x1080x32, linelength=7680, pages=1")
    k.add(0.611057, "efifb: scrolling: redraw")
    k.add(0.611060, "efifb: Truecolor: size=8:8:8:8, shift=24:16:8:0")
    k.add(0.611590, "fb0: EFI VGA frame buffer device")
    k.add(1.402113, "VFIO - User Level meta-driver version: 0.3")
    for i in ids.split(","):
        k.add(1.410020 + 0.00001 * ids.split(",").index(i),
              "vfio_pci: add [%s[ffffffff:ffffffff]] class 0x000000/00000000" % i)
    k.add(1.523101, "i915 0000:00:02.0: vgaarb: deactivate vga console")
    k.add(1.531250, "i915 0000:00:02.0: [drm] Initialized i915 1.6.0 20230929 for 0000:00:02.0 on minor 0", 6)
    k.add(1.548004, "fbcon: i915drmfb (fb0) is primary device")
    k.add(1.921771, "e1000e 0000:00:1f.6 eno1: renamed from eth0")
    k.add(2.401114, "nvme nvme0: 8/0/0 default/read/poll queues")

    system = [
        (0x00000000, 0x00000fff, "Reserved", None), (0x00001000, 0x0009efff, "System RAM", None),
        (0x0009f000, 0x000fffff, "Reserved", None), (0x000f0000, 0x000fffff, "System ROM", None),
        (0x00100000, 0x7b1acfff, "System RAM", None), (0x7b1ad000, 0x7b1ccfff, "Reserved", None),
        (0x7b1cd000, 0x7b5b3fff, "ACPI Tables", None), (0x7b5b4000, 0x7bffefff, "ACPI Non-volatile Storage", None),
        (0x7bfff000, 0x7bffffff, "System RAM", None), (0x7c000000, 0x7fffffff, "Reserved", None),
        (0x80000000, 0xdfffffff, "PCI Bus 0000:00", None),
        (0xe0000000, 0xefffffff, "PCI ECAM 0000 [bus 00-ff]", None),
        (0xfd000000, 0xfe7fffff, "PCI Bus 0000:00", None), (0xfec00000, 0xfec003ff, "IOAPIC 0", None),
        (0xfed90000, 0xfed90fff, "dmar0", None), (0xfed91000, 0xfed91fff, "dmar1", None),
        (0xfee00000, 0xfee00fff, "Local APIC", None),
        (0x100000000, 0x87fffffff, "System RAM", None),
    ]
    extra = [(0xa0000000, 0xa07effff, "BOOTFB", None)]          # sits in the iGPU's GMADR (BAR 2)
    # Kernel code ranges inside the first System RAM block
    extra += [(0x2c000000, 0x2d2fffff, "Kernel code", None), (0x2d400000, 0x2dffffff, "Kernel rodata", None),
              (0x2e000000, 0x2e3fffff, "Kernel data", None), (0x2eb00000, 0x2effffff, "Kernel bss", None)]
    iomem = iomem_text(system, devs, extra)

    cpuinfo = CPU_9700K
    modules = "".join(l + "\n" for l in [
        "vfio_pci 16384 0 - Live 0x0000000000000000",
        "vfio_pci_core 86016 1 vfio_pci, Live 0x0000000000000000",
        "vfio_iommu_type1 49152 0 - Live 0x0000000000000000",
        "vfio 69632 3 vfio_pci,vfio_pci_core,vfio_iommu_type1, Live 0x0000000000000000",
        "iommufd 98304 1 vfio, Live 0x0000000000000000",
        "kvm_intel 409600 0 - Live 0x0000000000000000",
        "kvm 1392640 1 kvm_intel, Live 0x0000000000000000",
        "irqbypass 12288 2 vfio_pci_core,kvm, Live 0x0000000000000000",
        "i915 4149248 3 - Live 0x0000000000000000",
        "drm_buddy 20480 1 i915, Live 0x0000000000000000",
        "ttm 106496 1 i915, Live 0x0000000000000000",
        "snd_hda_intel 61440 0 - Live 0x0000000000000000",
        "snd_hda_codec 204800 1 snd_hda_intel, Live 0x0000000000000000",
        "snd_hda_core 135168 2 snd_hda_intel,snd_hda_codec, Live 0x0000000000000000",
        "mei_me 53248 0 - Live 0x0000000000000000",
        "mei 167936 1 mei_me, Live 0x0000000000000000",
        "intel_pch_thermal 20480 0 - Live 0x0000000000000000",
        "i2c_i801 36864 0 - Live 0x0000000000000000",
        "spi_intel_pci 12288 0 - Live 0x0000000000000000",
        "spi_intel 32768 1 spi_intel_pci, Live 0x0000000000000000",
        "xhci_pci 24576 0 - Live 0x0000000000000000",
        "xhci_pci_renesas 20480 1 xhci_pci, Live 0x0000000000000000",
        "e1000e 356352 0 - Live 0x0000000000000000",
        "ahci 49152 2 - Live 0x0000000000000000",
        "libahci 53248 1 ahci, Live 0x0000000000000000",
        "nvme 61440 3 - Live 0x0000000000000000",
        "nvme_core 212992 4 nvme, Live 0x0000000000000000",
    ])
    grub = ("# If you change this file, run 'update-grub' afterwards to update\n"
            "# /boot/grub/grub.cfg.\n# For full documentation of the options in this file, see:\n"
            "#   info -f grub -n 'Simple configuration'\n\n"
            "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n"
            "GRUB_DISTRIBUTOR=`( . /etc/os-release; echo ${NAME%% *} ) 2>/dev/null || echo Debian`\n"
            "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt vfio-pci.ids=" + ids + "\"\n"
            "GRUB_CMDLINE_LINUX=\"\"\n")
    files = {
        "/proc/cmdline": cmdline + "\n",
        "/proc/sys/kernel/osrelease": "6.8.12-4-pve\n",
        "/proc/cpuinfo": cpuinfo,
        "/proc/modules": modules,
        "/proc/iomem": iomem,
        "/dev/kmsg": k.text(),
        "/sys/firmware/acpi/tables/DMAR": "",
        "/etc/modprobe.d/vfio.conf": {"content":
            "options vfio-pci ids=" + ids + " disable_vga=1\n"
            "softdep nouveau pre: vfio-pci\nsoftdep nvidiafb pre: vfio-pci\n"
            "softdep snd_hda_intel pre: vfio-pci\nsoftdep xhci_pci pre: vfio-pci\n"
            "softdep i2c_nvidia_gpu pre: vfio-pci\n", "mtime": 1732600000},
        "/etc/modprobe.d/pve-blacklist.conf":
            "# This file contains a list of modules which are not supported by Proxmox VE\n\n"
            "# nvidiafb see bugreport https://bugzilla.proxmox.com/show_bug.cgi?id=701\n"
            "blacklist nvidiafb\n",
        "/etc/default/grub": grub,
        "/etc/modules": "# /etc/modules: kernel modules to load at boot time.\n#\n"
                        "# This file contains the names of kernel modules that should be loaded\n"
                        "# at boot time, one per line. Lines beginning with \"#\" are ignored.\n"
                        "# Parameters can be specified after the module name.\n\n"
                        "vfio\nvfio_iommu_type1\nvfio_pci\n",
    }
    src = """synthetic: models a Proxmox VE 8.2 host (kernel 6.8.12-4-pve) on an ASUS PRIME Z390-A with an
Intel Core i7-9700K (Coffee Lake-S, host bridge 8086:3e30, UHD 630 iGPU 8086:3e98 as boot VGA with the
EFI framebuffer in its BAR 2) and an NVIDIA GeForce RTX 2080 Ti (TU102, 4 functions 10de:1e07/10de:10f7/
10de:1ad6/10de:1ad7) at 0000:01:00.0-3 in the CPU x16 slot, every function bound to vfio-pci by
vfio-pci.ids on the command line and in /etc/modprobe.d/vfio.conf; VT-d on (DMAR table, dmar0 for the
iGPU, dmar1 INCLUDE_ALL), intel_iommu=on iommu=pt, IRQ remapping in x2apic mode. IOMMU groups are what
drivers/iommu/iommu.c pci_device_group() forms from the config spaces recorded here, as gpudiag's group
predictor (harness/predict/, gpudiag groups --predict; no second copy of the rule in this script) computes
them, numbered in the kernel's probe order: the PEG root port
8086:1901 has no ACS capability (Intel client CPU root ports have none and no kernel quirk covers them),
so the GPU's functions are not isolated from their port and join its group: group 1 = {00:01.0,
01:00.0-3}; nothing else is below that port, so the group is viable once the four functions are on
vfio-pci (pcieport on the bridge is allowed). The PCH root port 00:1d.0 (8086:a330, Cannon Lake,
standard ACS SV/TB/RR/CR/UF, enabled by the kernel) isolates the NVMe below it; PCH multi-function
devices without ACS (00:14.x, 00:1f.x) share a group each. vfio-pci holds its idle functions in D3hot
(runtime PM), hence power_state D3hot. reset_method: TU102 is modelled WITHOUT FLR (DevCap FLReset-,
PM NoSoftRst+), so only function 0, probed while alone on bus 01, lists 'bus'; functions 1-3 have no
reset_method attribute (kernel hides it when no method exists) and rely on vfio's bus hot reset.
The device serial number on 01:00.0 is a placeholder. Generated by sysfs-snapshots/tools/make-synthetic.py."""
    meta = dict(tool=TOOL, created="2026-11-26T15:00:00Z", kernel="6.8.12-4-pve", origin="synthetic",
                source=fold(src), root=True, redacted=[])
    write_bundle(os.path.join(out, "synthetic-nvidia-tu102-isolated.yaml"), meta,
                 umockdev_text(devs, None, True, units), groups_list(groups, "identity"), files)
    return devs, groups


CPU_9700K = """processor	: 0
vendor_id	: GenuineIntel
cpu family	: 6
model		: 158
model name	: Intel(R) Core(TM) i7-9700K CPU @ 3.60GHz
stepping	: 12
microcode	: 0x100
cpu MHz		: 3600.000
cache size	: 12288 KB
physical id	: 0
siblings	: 8
core id		: 0
cpu cores	: 8
apicid		: 0
initial apicid	: 0
fpu		: yes
fpu_exception	: yes
cpuid level	: 22
wp		: yes
flags		: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb ssbd ibrs ibpb stibp tpr_shadow flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid mpx rdseed adx smap clflushopt intel_pt xsaveopt xsavec xgetbv1 xsaves dtherm ida arat pln pts hwp hwp_notify hwp_act_window hwp_epp vnmi md_clear flush_l1d arch_capabilities
vmx flags	: vnmi preemption_timer invvpid ept_x_only ept_ad ept_1gb flexpriority tsc_offset vtpr mtf vapic ept vpid unrestricted_guest ple shadow_vmcs pml ept_mode_based_exec
bugs		: spectre_v1 spectre_v2 spec_store_bypass swapgs taa itlb_multihit srbds mmio_stale_data retbleed gds
bogomips	: 7200.00
clflush size	: 64
cache_alignment	: 64
address sizes	: 39 bits physical, 48 bits virtual
power management:

"""

CPU_3700X = """processor	: 0
vendor_id	: AuthenticAMD
cpu family	: 23
model		: 113
model name	: AMD Ryzen 7 3700X 8-Core Processor
stepping	: 0
microcode	: 0x8701021
cpu MHz		: 3600.000
cache size	: 512 KB
physical id	: 0
siblings	: 16
core id		: 0
cpu cores	: 8
apicid		: 0
initial apicid	: 0
fpu		: yes
fpu_exception	: yes
cpuid level	: 16
wp		: yes
flags		: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf rapl pni pclmulqdq monitor ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 hw_pstate ssbd mba ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 cqm rdt_a rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local clzero irperf xsaveerptr rdpru wbnoinvd arat npt lbrv svm_lock nrip_save tsc_scale vmcb_clean flushbyasid decodeassists pausefilter pfthreshold avic v_vmsave_vmload vgif v_spec_ctrl umip rdpid overflow_recov succor smca sev sev_es
bugs		: sysret_ss_attrs spectre_v1 spectre_v2 spec_store_bypass retbleed smt_rsb srso
bogomips	: 7186.14
TLB size	: 3072 4K pages
clflush size	: 64
cache_alignment	: 64
address sizes	: 43 bits physical, 48 bits virtual
power management: ts ttp tm hwpstate cpb eff_freq_ro [13] [14]

"""


# =============================================================================================
# Machine 2: AMD X570 / Ryzen 7 3700X / RX 5700 XT in the chipset slot, group shared
def amd_x570():
    GB = 0x1458                                                    # Gigabyte
    cpu = dict(sv=0x1022, sd=0x1453, rev=0x00)
    hb = lambda bdf, did, mf=False: Dev(bdf, 0x1022, did, 0x060000, 0x00, 0, 0, None, mf=mf, pm=False)
    gpp = lambda bdf, did, sec, sub, win, slot=None, link=(4, 4): Dev(
        bdf, 0x1022, did, 0x060400, 0x00, GB, 0x5001, "pcieport", mf=True, pcie=EXP_ROOT_PORT, sec=sec,
        sub=sub, windows=win, slot=slot, link=link, irq=28 + int(bdf[8:10], 16))
    dsp = lambda bdf, did, sec, sub, win, acs, slot=None, link=(4, 1): Dev(
        bdf, 0x1022, did, 0x060400, 0x00, GB, 0x1000, "pcieport",
        pcie=EXP_DOWNSTREAM, acs=acs, sec=sec, sub=sub, windows=win, slot=slot, link=link, irq=40)
    devs = [
        Dev("0000:00:00.0", 0x1022, 0x1480, 0x060000, 0x00, GB, 0x5001, None, pm=False),
        Dev("0000:00:00.2", 0x1022, 0x1481, 0x080600, 0x00, GB, 0x5001, None, pm=False, irq=27),
        hb("0000:00:01.0", 0x1482, mf=True),
        gpp("0000:00:01.1", 0x1483, 1, 1, {"mem": (0xfcf00000, 0xfcffffff)}, link=(4, 4)),
        gpp("0000:00:01.2", 0x1483, 2, 0x0e, {"io": (0xe000, 0xefff), "mem": (0xfc700000, 0xfcbfffff),
                                               "pref": (0xe0000000, 0xf01fffff)}, link=(4, 4)),
        hb("0000:00:02.0", 0x1482),
        hb("0000:00:03.0", 0x1482),
        hb("0000:00:04.0", 0x1482),
        hb("0000:00:05.0", 0x1482),
        hb("0000:00:07.0", 0x1482, mf=True),
        Dev("0000:00:07.1", 0x1022, 0x1484, 0x060400, 0x00, 0x1022, 0x1484, "pcieport", mf=True,
            pcie=EXP_ROOT_PORT, sec=0x0f, sub=0x0f, link=(4, 16), irq=30),
        hb("0000:00:08.0", 0x1482, mf=True),
        Dev("0000:00:08.1", 0x1022, 0x1484, 0x060400, 0x00, 0x1022, 0x1484, "pcieport", mf=True,
            pcie=EXP_ROOT_PORT, sec=0x10, sub=0x10, link=(4, 16), irq=31,
            windows={"mem": (0xfc200000, 0xfc6fffff)}),
        Dev("0000:00:14.0", 0x1022, 0x790b, 0x0c0500, 0x61, GB, 0x5001, "piix4_smbus", mf=True, pm=False),
        Dev("0000:00:14.3", 0x1022, 0x790e, 0x060100, 0x51, GB, 0x5001, None, mf=True, pm=False),
    ] + [Dev("0000:00:18.%d" % f, 0x1022, 0x1440 + f, 0x060000, 0x00, 0, 0, "k10temp" if f == 3 else None,
             mf=True, pm=False) for f in range(8)] + [
        # CPU M.2
        Dev("0000:01:00.0", 0x144d, 0xa808, 0x010802, 0x00, 0x144d, 0xa801, "nvme", pcie=EXP_ENDPOINT,
            flr=True, link=(3, 4), irq=39, bars=[(0, 0xfcf00000, "mem64", 0x4000)]),
        # chipset (Matisse switch behind 00:01.2)
        Dev("0000:02:00.0", 0x1022, 0x57ad, 0x060400, 0x00, 0, 0, "pcieport", pcie=EXP_UPSTREAM,
            sec=3, sub=0x0e, link=(4, 4), irq=0,
            windows={"io": (0xe000, 0xefff), "mem": (0xfc700000, 0xfcbfffff),
                     "pref": (0xe0000000, 0xf01fffff)}),
        dsp("0000:03:01.0", 0x57a3, 4, 4, {"mem": (0xfcb00000, 0xfcbfffff)}, ACS_ALL5, link=(4, 4)),
        dsp("0000:03:02.0", 0x57a3, 5, 5, {"io": (0xe000, 0xefff), "mem": (0xfca00000, 0xfcafffff)}, ACS_ALL5,
            link=(1, 1)),
        dsp("0000:03:03.0", 0x57a3, 6, 6, {"mem": (0xfc900000, 0xfc9fffff)}, ACS_ALL5, link=(1, 1)),
        dsp("0000:03:04.0", 0x57a3, 7, 7, {}, ACS_ALL5, slot=2, link=(1, 1)),
        dsp("0000:03:05.0", 0x57a3, 8, 8, {}, ACS_ALL5, slot=3, link=(1, 1)),
        dsp("0000:03:06.0", 0x57a3, 9, 0x0b, {"mem": (0xfc700000, 0xfc8fffff), "pref": (0xe0000000, 0xf01fffff)},
            ACS_ALL5, slot=4, link=(4, 4)),
        dsp("0000:03:08.0", 0x57a4, 0x0c, 0x0c, {"mem": (0xfc500000, 0xfc6fffff)}, 0, link=(4, 16)),
        dsp("0000:03:09.0", 0x57a4, 0x0d, 0x0d, {"mem": (0xfc500000, 0xfc5fffff)}, 0, link=(4, 16)),
        dsp("0000:03:0a.0", 0x57a4, 0x0e, 0x0e, {"mem": (0xfc400000, 0xfc4fffff)}, 0, link=(4, 16)),
        Dev("0000:04:00.0", 0x1987, 0x5016, 0x010802, 0x01, 0x1987, 0x5016, "nvme", pcie=EXP_ENDPOINT,
            flr=False, link=(4, 4), irq=41, bars=[(0, 0xfcb00000, "mem64", 0x4000)]),
        Dev("0000:05:00.0", 0x8086, 0x1539, 0x020000, 0x03, GB, 0xe000, "igb", pcie=EXP_ENDPOINT,
            flr=True, nosoftrst=False, link=(1, 1), irq=42,
            bars=[(0, 0xfca00000, "mem32", 0x20000), (2, 0xe000, "io", 0x20), (3, 0xfca20000, "mem32", 0x4000)]),
        Dev("0000:06:00.0", 0x8086, 0x2723, 0x028000, 0x1a, 0x8086, 0x0084, "iwlwifi", pcie=EXP_ENDPOINT,
            flr=True, link=(2, 1), irq=43, bars=[(0, 0xfc900000, "mem64", 0x4000)]),
        # RX 5700 XT: Navi 10 has its own switch (1478 upstream, 1479 downstream) in front of the GPU
        Dev("0000:09:00.0", 0x1002, 0x1478, 0x060400, 0xc1, 0, 0, "pcieport", pcie=EXP_UPSTREAM, sec=0x0a,
            sub=0x0b, link=(4, 16), bars=[(0, 0xfc800000, "mem32", 0x4000)],
            windows={"mem": (0xfc700000, 0xfc7fffff), "pref": (0xe0000000, 0xf01fffff)}),
        Dev("0000:0a:00.0", 0x1002, 0x1479, 0x060400, 0x00, 0x1002, 0x1479, "pcieport", pcie=EXP_DOWNSTREAM,
            sec=0x0b, sub=0x0b, link=(4, 16),
            windows={"mem": (0xfc700000, 0xfc7fffff), "pref": (0xe0000000, 0xf01fffff)}),
        Dev("0000:0b:00.0", 0x1002, 0x731f, 0x030000, 0xc1, 0x1da2, 0xe411, "amdgpu", mf=True,
            pcie=EXP_LEGACY, dsn=0x0000000000000002, boot_vga=True, link=(4, 16), irq=44,
            bars=[(0, 0xe0000000, "mem64pref", 0x10000000), (2, 0xf0000000, "mem64pref", 0x200000),
                  (4, 0xe000, "io", 0x100), (5, 0xfc700000, "mem32", 0x80000)],
            rom=(0xfc780000, 0x20000)),
        Dev("0000:0b:00.1", 0x1002, 0xab38, 0x040300, 0x00, 0x1da2, 0xe411, "snd_hda_intel", mf=True,
            pcie=EXP_ENDPOINT, link=(4, 16), irq=45, bars=[(0, 0xfc7a0000, "mem32", 0x4000)]),
        Dev("0000:0c:00.0", 0x1022, 0x1485, 0x130000, 0x00, GB, 0x1485, None, mf=True, pcie=EXP_ENDPOINT,
            link=(4, 16)),
        Dev("0000:0c:00.1", 0x1022, 0x149c, 0x0c0330, 0x00, GB, 0x5007, "xhci_hcd", mf=True, pcie=EXP_ENDPOINT,
            flr=True, nosoftrst=False, link=(4, 16), irq=46, bars=[(0, 0xfc600000, "mem64", 0x100000)]),
        Dev("0000:0c:00.3", 0x1022, 0x149c, 0x0c0330, 0x00, GB, 0x5007, "xhci_hcd", mf=True, pcie=EXP_ENDPOINT,
            flr=True, nosoftrst=False, link=(4, 16), irq=47, bars=[(0, 0xfc500000, "mem64", 0x100000)]),
        Dev("0000:0d:00.0", 0x1022, 0x7901, 0x010601, 0x51, GB, 0xb005, "ahci", pcie=EXP_ENDPOINT,
            flr=True, nosoftrst=False, link=(4, 16), irq=48, bars=[(5, 0xfc500000, "mem32", 0x800)]),
        Dev("0000:0e:00.0", 0x1022, 0x7901, 0x010601, 0x51, GB, 0xb005, "ahci", pcie=EXP_ENDPOINT,
            flr=True, nosoftrst=False, link=(4, 16), irq=49, bars=[(5, 0xfc400000, "mem32", 0x800)]),
        # CPU internal functions
        Dev("0000:0f:00.0", 0x1022, 0x148a, 0x130000, 0x00, GB, 0x148a, None, pcie=EXP_ENDPOINT, link=(4, 16)),
        Dev("0000:10:00.0", 0x1022, 0x1485, 0x130000, 0x00, GB, 0x1485, None, mf=True, pcie=EXP_ENDPOINT,
            link=(4, 16)),
        Dev("0000:10:00.1", 0x1022, 0x1486, 0x108000, 0x00, GB, 0x1486, "ccp", mf=True, pcie=EXP_ENDPOINT,
            flr=True, link=(4, 16), irq=50,
            bars=[(2, 0xfc200000, "mem32", 0x100000), (5, 0xfc300000, "mem32", 0x2000)]),
        Dev("0000:10:00.3", 0x1022, 0x149c, 0x0c0330, 0x00, 0x1022, 0x148c, "xhci_hcd", mf=True,
            pcie=EXP_ENDPOINT, flr=True, nosoftrst=False, link=(4, 16), irq=51,
            bars=[(0, 0xfc100000, "mem64", 0x100000)]),
        Dev("0000:10:00.4", 0x1022, 0x1487, 0x040300, 0x00, GB, 0xa0c3, "snd_hda_intel", mf=True,
            pcie=EXP_ENDPOINT, flr=True, nosoftrst=False, link=(4, 16), irq=52,
            bars=[(0, 0xfc308000, "mem32", 0x8000)]),
    ]
    return devs


def fix_amd_bars(devs):
    """Lay the BARs out so that no two overlap and every one sits in its bridge windows."""
    by = {d.bdf: d for d in devs}
    by["0000:0c:00.1"].bars = [(0, 0xfc600000, "mem64", 0x100000)]
    # 03:08.0 window holds both USB controllers: widen it and move the SATA windows below it
    by["0000:0c:00.3"].bars = [(0, 0xfc500000, "mem64", 0x100000)]
    by["0000:03:08.0"].windows = {"mem": (0xfc500000, 0xfc6fffff)}
    by["0000:03:09.0"].windows = {"mem": (0xfc400000, 0xfc4fffff)}
    by["0000:0d:00.0"].bars = [(5, 0xfc400000, "mem32", 0x800)]
    by["0000:03:0a.0"].windows = {"mem": (0xfc300000, 0xfc3fffff)}
    by["0000:0e:00.0"].bars = [(5, 0xfc300000, "mem32", 0x800)]
    # CPU-internal functions behind 00:08.1 get a window of their own
    by["0000:00:08.1"].windows = {"mem": (0xfc000000, 0xfc2fffff)}
    by["0000:10:00.1"].bars = [(2, 0xfc000000, "mem32", 0x100000), (5, 0xfc200000, "mem32", 0x2000)]
    by["0000:10:00.3"].bars = [(0, 0xfc100000, "mem64", 0x100000)]
    by["0000:10:00.4"].bars = [(0, 0xfc208000, "mem32", 0x8000)]
    by["0000:00:01.2"].windows["mem"] = (0xfc300000, 0xfcbfffff)
    by["0000:02:00.0"].windows["mem"] = (0xfc300000, 0xfcbfffff)
    # GPU: 256M VRAM aperture + 2M doorbell in the prefetchable window, MMIO + ROM in the 32-bit one
    by["0000:0b:00.0"].bars = [(0, 0xe0000000, "mem64pref", 0x10000000), (2, 0xf0000000, "mem64pref", 0x200000),
                               (4, 0xe000, "io", 0x100), (5, 0xfc700000, "mem32", 0x80000)]
    by["0000:05:00.0"].bars = [(0, 0xfca00000, "mem32", 0x20000), (2, 0xd000, "io", 0x20),
                               (3, 0xfca20000, "mem32", 0x4000)]
    for b in ("0000:00:01.2", "0000:02:00.0"):
        by[b].windows["io"] = (0xd000, 0xefff)
    by["0000:03:02.0"].windows["io"] = (0xd000, 0xdfff)
    for b in ("0000:03:06.0", "0000:09:00.0", "0000:0a:00.0"):
        by[b].windows["io"] = (0xe000, 0xefff)
    return devs


def amd_bundle(out):
    devs = fix_amd_bars(amd_x570())
    excluded = ("0000:00:00.0", "0000:00:00.2")   # the root complex and the IOMMU itself get no group
    units = [("/devices/pci0000:00/0000:00:00.2/iommu/ivhd0",
              [("amd-iommu/cap", "0x00400000\n"), ("amd-iommu/features", "58f77ef22294a5a:0\n")])]
    cmdline = ("BOOT_IMAGE=/boot/vmlinuz-6.8.0-45-generic root=UUID=@uuid-1@ ro quiet splash "
               "amd_iommu=on iommu=pt vt.handoff=7")
    groups = predicted_groups(devs, umockdev_text(devs, None, False, units),
                              {"/proc/sys/kernel/osrelease": "6.8.0-45-generic\n", "/proc/cmdline": cmdline + "\n"},
                              excluded)
    k = Kmsg()
    k.add(0, "Linux version 6.8.0-45-generic (buildd@lcy02-amd64-115) (x86_64-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024 (Ubuntu 6.8.0-45.45-generic 6.8.12)", 5)
    k.add(0, "Command line: " + cmdline)
    k.add(0, "DMI: Gigabyte Technology Co., Ltd. X570 AORUS ELITE/X570 AORUS ELITE, BIOS F11 12/06/2019")
    k.add(0.004101, "ACPI: IVRS 0x00000000DAF2F000 0000D0 (v02 AMD    AmdTable 00000001 AMD  00000001)")
    k.add(0.032210, "Kernel command line: " + cmdline, 5)
    k.add(0.032240, "AMD-Vi: Unknown option - 'on'", 5)
    k.add(0.032260, "Unknown kernel command line parameters \"splash BOOT_IMAGE=/boot/vmlinuz-6.8.0-45-generic\", will be passed to user space.", 5)
    k.add(0.248001, "iommu: Default domain type: Passthrough (set via kernel command line)")
    k.add(0.270000, "PCI host bridge to bus 0000:00")
    t = enumeration(k, devs, 0.270150)
    k.add(t + 0.01, "pci 0000:0b:00.0: vgaarb: setting as boot VGA device")
    k.add(t + 0.0101, "pci 0000:0b:00.0: vgaarb: bridge control possible")
    k.add(t + 0.0102, "pci 0000:0b:00.0: vgaarb: VGA device added: decodes=io+mem,owns=io+mem,locks=none")
    k.add(t + 0.0103, "vgaarb: loaded")
    k.add(0.508860, "pci 0000:00:00.2: AMD-Vi: IOMMU performance counters supported")
    t = group_lines(k, devs, groups, 0.509000)
    k.add(t + 0.0001, "pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40")
    k.add(t + 0.0002, "AMD-Vi: Extended features (0x58f77ef22294a5a, 0x0): PPR NX GT IA PC GA_vAPIC")
    k.add(t + 0.0003, "AMD-Vi: Interrupt remapping enabled")
    k.add(t + 0.0040, "perf/amd_iommu: Detected AMD IOMMU #0 (2 banks, 4 counters/bank).")
    k.add(0.700102, "efifb: probing for efifb")
    k.add(0.700140, "efifb: framebuffer at 0xe0000000, using 8100k, total 8100k")
    k.add(0.700143, "efifb: mode is 1920x1080x32, linelength=7680, pages=1")
    k.add(0.700650, "fb0: EFI VGA frame buffer device")
    k.add(2.011300, "[drm] amdgpu kernel modesetting enabled.")
    k.add(2.020401, "amdgpu 0000:0b:00.0: amdgpu: Fetched VBIOS from VFCT")
    k.add(2.020420, "amdgpu: ATOM BIOS: 113-D1820201-101")
    k.add(2.021006, "amdgpu 0000:0b:00.0: vgaarb: deactivate vga console")
    k.add(2.203556, "[drm] Initialized amdgpu 3.57.0 20150101 for 0000:0b:00.0 on minor 1")
    k.add(2.226111, "fbcon: amdgpudrmfb (fb0) is primary device")
    k.add(2.301004, "snd_hda_intel 0000:0b:00.1: enabling device (0000 -> 0002)")
    k.add(2.301100, "snd_hda_intel 0000:0b:00.1: Handle vga_switcheroo audio client")
    k.add(2.412000, "igb 0000:05:00.0: Intel(R) Gigabit Ethernet Network Connection")
    k.add(2.412050, "igb 0000:05:00.0: eth0: (PCIe:2.5Gb/s:Width x1) @mac-1@")
    k.add(2.530010, "ahci 0000:0d:00.0: AHCI vers 0001.0301, 32 command slots, 6 Gbps, SATA mode")
    k.add(2.540010, "ahci 0000:0e:00.0: AHCI vers 0001.0301, 32 command slots, 6 Gbps, SATA mode")
    k.add(2.600050, "xhci_hcd 0000:0c:00.1: xHCI Host Controller")
    k.add(2.600090, "xhci_hcd 0000:0c:00.3: xHCI Host Controller")
    k.add(2.600120, "xhci_hcd 0000:10:00.3: xHCI Host Controller")

    system = [
        (0x00000000, 0x00000fff, "Reserved", None), (0x00001000, 0x0009ffff, "System RAM", None),
        (0x000a0000, 0x000fffff, "Reserved", None), (0x000f0000, 0x000fffff, "System ROM", None),
        (0x00100000, 0x09d1efff, "System RAM", None), (0x09d1f000, 0x09ffffff, "Reserved", None),
        (0x0a000000, 0xdaefffff, "System RAM", None), (0xdaf00000, 0xdaf2ffff, "ACPI Tables", None),
        (0xdaf30000, 0xdbffffff, "ACPI Non-volatile Storage", None), (0xdc000000, 0xdfffffff, "Reserved", None),
        (0xe0000000, 0xfec2ffff, "PCI Bus 0000:00", None), (0xfd100000, 0xfd1fffff, "Reserved", None),
        (0xfeb80000, 0xfebfffff, "amd_iommu", None), (0xfec00000, 0xfec003ff, "IOAPIC 0", None),
        (0xfec01000, 0xfec013ff, "IOAPIC 1", None), (0xfee00000, 0xfee00fff, "Local APIC", None),
        (0xf0000000 + 0x8000000, 0xf7ffffff + 0x8000000, "PCI ECAM 0000 [bus 00-7f]", None),
        (0x100000000, 0x81f37ffff, "System RAM", None),
    ]
    system = [s for s in system if not s[2].startswith("PCI ECAM")] + [
        (0xf8000000, 0xfbffffff, "PCI ECAM 0000 [bus 00-3f]", None)]
    # no BOOTFB: amdgpu removed the firmware framebuffer (aperture helpers) when it took the card
    extra = [(0x2a000000, 0x2b3fffff, "Kernel code", None), (0x2b400000, 0x2bffffff, "Kernel rodata", None),
             (0x2c000000, 0x2c3fffff, "Kernel data", None), (0x2cb00000, 0x2cffffff, "Kernel bss", None)]
    iomem = iomem_text(system, devs, extra)
    modules = "".join(l + "\n" for l in [
        "amdgpu 19718144 18 - Live 0x0000000000000000",
        "amdxcp 12288 1 amdgpu, Live 0x0000000000000000",
        "drm_exec 12288 1 amdgpu, Live 0x0000000000000000",
        "gpu_sched 61440 1 amdgpu, Live 0x0000000000000000",
        "drm_buddy 20480 1 amdgpu, Live 0x0000000000000000",
        "drm_ttm_helper 12288 1 amdgpu, Live 0x0000000000000000",
        "ttm 110592 2 amdgpu,drm_ttm_helper, Live 0x0000000000000000",
        "snd_hda_codec_hdmi 94208 1 - Live 0x0000000000000000",
        "snd_hda_intel 61440 4 - Live 0x0000000000000000",
        "snd_hda_codec 204800 2 snd_hda_codec_hdmi,snd_hda_intel, Live 0x0000000000000000",
        "snd_hda_core 143360 3 snd_hda_codec_hdmi,snd_hda_intel,snd_hda_codec, Live 0x0000000000000000",
        "kvm_amd 208896 0 - Live 0x0000000000000000",
        "ccp 143360 1 kvm_amd, Live 0x0000000000000000",
        "kvm 1409024 1 kvm_amd, Live 0x0000000000000000",
        "irqbypass 12288 1 kvm, Live 0x0000000000000000",
        "k10temp 16384 0 - Live 0x0000000000000000",
        "i2c_piix4 32768 0 - Live 0x0000000000000000",
        "iwlwifi 598016 1 iwlmvm, Live 0x0000000000000000",
        "igb 315392 0 - Live 0x0000000000000000",
        "ahci 49152 2 - Live 0x0000000000000000",
        "libahci 53248 1 ahci, Live 0x0000000000000000",
        "xhci_pci 24576 0 - Live 0x0000000000000000",
        "xhci_pci_renesas 20480 1 xhci_pci, Live 0x0000000000000000",
        "nvme 61440 4 - Live 0x0000000000000000",
        "nvme_core 212992 5 nvme, Live 0x0000000000000000",
    ])
    grub = ("# If you change this file, run 'update-grub' afterwards to update\n"
            "# /boot/grub/grub.cfg.\n# For full documentation of the options in this file, see:\n"
            "#   info -f grub -n 'Simple configuration'\n\n"
            "GRUB_DEFAULT=0\nGRUB_TIMEOUT_STYLE=hidden\nGRUB_TIMEOUT=0\n"
            "GRUB_DISTRIBUTOR=`( . /etc/os-release; echo ${NAME:-Ubuntu} ) 2>/dev/null || echo Ubuntu`\n"
            "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash amd_iommu=on iommu=pt\"\n"
            "GRUB_CMDLINE_LINUX=\"\"\n")
    files = {
        "/proc/cmdline": cmdline + "\n",
        "/proc/sys/kernel/osrelease": "6.8.0-45-generic\n",
        "/proc/cpuinfo": CPU_3700X,
        "/proc/modules": modules,
        "/proc/iomem": iomem,
        "/dev/kmsg": k.text(),
        "/sys/firmware/acpi/tables/IVRS": "",
        "/etc/default/grub": grub,
        "/etc/modules": "# /etc/modules is obsolete and has been replaced by /etc/modules-load.d/.\n"
                        "# Please see modules-load.d(5) and modprobe.d(5) for details.\n#\n"
                        "# Updating this file still works, but it is undocumented and unsupported.\n\n",
    }
    src = """synthetic: models an Ubuntu 24.04 desktop (kernel 6.8.0-45-generic) on a Gigabyte X570 AORUS
ELITE with a Ryzen 7 3700X (Matisse; root complex 1022:1480, IOMMU 1022:1481 at 00:00.2, GPP bridges
1022:1483/1484) and an AMD Radeon RX 5700 XT (Navi 10, 1002:731f + HDMI audio 1002:ab38) in the
chipset x16-length slot: 00:01.2 -> chipset switch upstream 1022:57ad (02:00.0) -> downstream 1022:57a3
03:06.0 -> the card's own Navi 10 switch (1002:1478 09:00.0, 1002:1479 0a:00.0) -> 0b:00.0/0b:00.1. The
GPU is the only one, boot VGA, bound to amdgpu and snd_hda_intel; no vfio configuration yet; the EFI
framebuffer (BOOTFB) sits in the GPU's BAR 0. IOMMU on (IVRS, ivhd0), amd_iommu=on iommu=pt (amd_iommu=on
is not a valid token: the 6.8 parser logs Unknown option - 'on'). The groups are what pci_device_group()
forms from the recorded config spaces, as gpudiag's group predictor (harness/predict/, gpudiag groups
--predict; no second copy of the rule in this script) computes them, under firmware with the AGESA ACS
regression: the Starship/Matisse
GPP bridges (1483, 1484) expose no ACS capability, so the functions of slot 00:01 (dummy host bridge
00:01.0, GPP 00:01.1, GPP 00:01.2) merge into one group and every device below 00:01.1 and 00:01.2 joins
it, although the chipset downstream ports 57a3 do carry ACS (SV/TB/RR/CR/UF) and 57a4 do not: group 0 =
the CPU NVMe, the whole chipset (switch ports, NVMe 1987:5016, Intel I211 8086:1539 on igb, Wi-Fi AX200,
Matisse USB 1022:149c on xhci_hcd, FCH SATA 1022:7901 on ahci) and the RX 5700 XT with its switch: the
classic 'GPU in the chipset slot shares its group' case, not viable for passthrough. Other groups as
Matisse boards form them (00:07.x and 00:08.x each with what is behind them, 00:14.0+00:14.3, 00:18.0-7);
00:00.0 and the IOMMU 00:00.2 get no group. reset_method: Navi 10 modelled without FLR, so only 0b:00.0
lists 'bus'; 149c and 7901 advertise FLR in DevCap but the kernel's quirk_no_flr drops it. vendor-reset is
not installed. Device serial number on 0b:00.0 is a placeholder. Generated by
sysfs-snapshots/tools/make-synthetic.py."""
    meta = dict(tool=TOOL, created="2026-11-26T15:00:00Z", kernel="6.8.0-45-generic", origin="synthetic",
                source=fold(src), root=True, redacted=["uuid", "mac"])
    write_bundle(os.path.join(out, "synthetic-amd-x570-navi10-shared.yaml"), meta,
                 umockdev_text(devs, None, False, units), groups_list(groups, "identity"), files)
    return devs, groups


# =============================================================================================
# collection of this host
class Redactor:
    PATS = [("uuid", re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")),
            ("mac", re.compile(r"\b(?:[0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}\b")),
            ("ip", re.compile(r"(?<![\w.:])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"))]

    def __init__(self, hostname):
        self.maps = {}
        self.used = set()
        self.host = hostname

    def sub(self, text):
        for kind, pat in self.PATS:
            def rep(m, kind=kind):
                key = (kind, m.group(0).lower())
                if key not in self.maps:
                    n = 1 + sum(1 for k in self.maps if k[0] == kind)
                    self.maps[key] = "@%s-%d@" % (kind, n)
                self.used.add(kind)
                return self.maps[key]
            text = pat.sub(rep, text)
        if self.host:
            new = re.sub(r"(?<![\w.-])%s(?![\w-])" % re.escape(self.host), "@host-1@", text)
            if new != text:
                self.used.add("hostname")
            text = new
        return text


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "backslashreplace")


def read_kmsg(limit=400):
    fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
    recs = []
    try:
        while len(recs) < limit:
            try:
                b = os.read(fd, 8192)
            except BlockingIOError:
                break
            except OSError:                                  # EPIPE: overwritten record, go on
                continue
            if not b:
                break
            recs.append(b.decode("utf-8", "backslashreplace"))
    finally:
        os.close(fd)
    return "".join(r if r.endswith("\n") else r + "\n" for r in recs), len(recs)


def collect(out_path):
    host = read("/proc/sys/kernel/hostname").strip()
    red = Redactor(host)
    rec = subprocess.run("umockdev-record /sys/bus/pci/devices/* /sys/class/iommu/* 2>/dev/null || "
                         "umockdev-record /sys/bus/pci/devices/*", shell=True, check=True,
                         capture_output=True, text=True).stdout
    files = {}
    unreadable = []
    for p in ("/proc/cmdline", "/proc/sys/kernel/osrelease", "/proc/iomem", "/proc/modules"):
        if not os.path.exists(p):
            continue
        try:
            files[p] = red.sub(read(p))
        except OSError:
            unreadable.append(p)
    cpu = read("/proc/cpuinfo")
    files["/proc/cpuinfo"] = cpu.split("\n\n")[0] + "\n\n"
    kmsg, n = read_kmsg(400)
    files["/dev/kmsg"] = red.sub(kmsg)
    for t in ("DMAR", "IVRS"):
        if os.path.exists("/sys/firmware/acpi/tables/" + t):
            files["/sys/firmware/acpi/tables/" + t] = ""
    groups = None
    if os.path.isdir("/sys/kernel/iommu_groups"):
        groups = []
        for g in sorted(os.listdir("/sys/kernel/iommu_groups"), key=int):
            devs = sorted(os.listdir("/sys/kernel/iommu_groups/%s/devices" % g))
            try:
                gtype = read("/sys/kernel/iommu_groups/%s/type" % g).strip()
            except OSError:
                gtype = None
            groups.append({"group": int(g), "type": gtype, "devices": devs})
    lspci = subprocess.run(["lspci", "-nnk"], capture_output=True, text=True).stdout
    rel = files["/proc/sys/kernel/osrelease"].strip()
    npci = rec.count("E: SUBSYSTEM=pci\n")
    src = ("collected: the gpudiag build machine itself, a Firecracker/KVM guest (kernel %s) with %d "
           "virtio-style PCI functions on bus 00 (host bridge 8086:0d57, virtio 1af4:1041/1042/1044/"
           "1045/1053 on virtio-pci), no IOMMU: no DMAR or IVRS ACPI table, /sys/class/iommu empty, "
           "/sys/kernel/iommu_groups present but empty (iommu_groups: []). The kernel is built without "
           "module support (nomodule, no /proc/modules; the file is left out as absent). /proc/cpuinfo "
           "keeps the first processor block (flags include hypervisor). /dev/kmsg: the first %d records, "
           "read non-blocking, with their dictionary continuation lines (' SUBSYSTEM=...', "
           "' DEVICE=...') as the kernel returns them. Recorded with umockdev-record as root by "
           "sysfs-snapshots/tools/make-synthetic.py --collect; placeholders @kind-N@ replace IP "
           "addresses, UUIDs and the host name." % (rel, npci, n))
    meta = dict(tool=TOOL, created=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                kernel=rel, origin="collected", source=src, root=os.geteuid() == 0,
                redacted=sorted(red.used))
    write_bundle(out_path, meta, red.sub(rec), groups, files, unreadable, red.sub(lspci))


# =============================================================================================
def check(paths):
    try:
        import yaml
    except ImportError:
        print("PyYAML not installed; skipping parse check")
        return 0
    rc = 0
    for p in paths:
        with open(p) as f:
            b = yaml.safe_load(f)
        ok = b.get("format") == "gpudiag-bundle/1"
        extra = set(b) - {"format", "metadata", "umockdev", "iommu_groups", "files", "unreadable", "lspci",
                          "findings"}
        ok = ok and not extra
        for path in list(b.get("files", {})) + list(b.get("unreadable") or []):
            ok = ok and path.startswith(("/sys/", "/proc/", "/dev/", "/etc/", "/boot/", "/lib/", "/usr/")) \
                and "/../" not in path and "/./" not in path
        print("%s: %s, %d devices, %s groups, %d files" % (
            p, "ok" if ok else "BAD", b["umockdev"].count("E: SUBSYSTEM=pci\n"),
            len(b["iommu_groups"]) if b.get("iommu_groups") is not None else "no", len(b["files"])))
        rc |= not ok
    return rc


def main(argv):
    if argv[1:2] == ["--collect"]:
        collect(argv[2])
    elif argv[1:2] == ["--check"]:
        return check(argv[2:])
    else:
        global GPUDIAG
        if argv[1:2] == ["--gpudiag"]:
            GPUDIAG = argv[2]
            argv = argv[:1] + argv[3:]
        out = argv[1] if len(argv) > 1 else OUT_DEFAULT
        intel_bundle(out)
        amd_bundle(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
