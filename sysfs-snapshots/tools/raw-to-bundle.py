# Turns the output of capture-raw.sh (run in that folder) into a bundle on stdout; used once for
# sysfs-snapshots/h100-firecracker-guest.yaml.  Zeroes PCIe Device Serial Numbers in config space.
import yaml, re, sys
rec = open('recording.umockdev').read()
# Redact the PCIe Device Serial Number (ext cap 0x0003) in every config dump: keep the capability, zero the serial.
def redact_dsn(m):
    hexs = m.group(1); b = bytearray.fromhex(hexs)
    off = 0x100; seen = 0
    while len(b) >= 4096 and off and off + 12 <= len(b) and seen < 960:
        hdr = int.from_bytes(b[off:off+4], 'little'); seen += 1
        if hdr in (0, 0xffffffff): break
        if hdr & 0xffff == 3:
            b[off+4:off+12] = bytes(8); 
        nxt = (hdr >> 20) & 0xffc
        if nxt and nxt < 0x100: break
        off = nxt
    return 'H: config=' + b.hex().upper()
rec = re.sub(r'H: config=([0-9A-F]+)', redact_dsn, rec)
cpu = open('proc-cpuinfo.txt').read().split('\n\n')[0] + '\n'
files = {
  '/proc/cmdline': open('cmdline.txt').read(),
  '/proc/sys/kernel/osrelease': open('osrelease.txt').read(),
  '/proc/cpuinfo': cpu,
  '/proc/modules': open('proc-modules.txt').read(),
  '/proc/iomem': open('proc-iomem.txt').read(),
  '/proc/interrupts': open('proc-interrupts.txt').read(),
  '/dev/kmsg': open('kmsg.txt').read(),
  '/etc/os-release': open('os-release.txt').read(),
}
for t in open('acpi-tables.txt').read().split():
    if t not in ('data', 'dynamic'):
        files['/sys/firmware/acpi/tables/' + t] = ''
class Lit(str): pass
def lit(d, s): 
    return d.represent_scalar('tag:yaml.org,2002:str', s, style='|' if '\n' in s and not re.search(r' \n|\t|[\x00-\x08\x0b-\x1f]', s) else '"')
yaml.add_representer(Lit, lit)
doc = {
 'format': 'gpudiag-bundle/1',
 'metadata': {
   'tool': 'raw capture (shell, read-only; see source)',
   'created': '2026-11-26T15:30:00Z',
   'kernel': open('osrelease.txt').read().strip(),
   'origin': 'collected',
   'source': Lit('Collected on a real machine: an NVIDIA H100 SXM5 80GB (10de:2330) passed through to a '
                 'Firecracker microVM, seen from inside the guest (no vIOMMU, GPU bound to the nvidia '
                 'open kernel module 580.159.04). Captured 2026-11-26 with a read-only shell capture that '
                 'writes umockdev-record format for every /sys/bus/pci/devices entry (whitelisted attributes, '
                 'config space) plus /proc/cmdline, /proc/cpuinfo (first CPU), /proc/modules, /proc/iomem, '
                 '/proc/interrupts, /dev/kmsg and the ACPI table list. The GPU Device Serial Number in config '
                 'space was zeroed; nvidia-smi output (serial, UUID) was not kept.'),
   'root': True,
   'redacted': ['dsn'],
 },
 'umockdev': Lit(rec),
 'files': {k: Lit(v) for k, v in files.items()},
 'lspci': Lit(open('lspci-nnk.txt').read().replace('lspci: Unable to load libkmod resources: error -2\n','')),
}
sys.stdout.write(yaml.dump(doc, sort_keys=False, width=100000, allow_unicode=True))
