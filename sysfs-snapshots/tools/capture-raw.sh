#!/bin/bash
# Used to capture sysfs-snapshots/h100-firecracker-guest.yaml on a GPU machine lent to the
# project (no gpudiag build there); raw-to-bundle.py turned its output into the bundle.
# One-off raw capture of a host for gpudiag: umockdev-format recording of every PCI device
# (whitelisted attributes only: never BAR resource files, rom, reset or remove), the IOMMU group
# tree, kernel log, command line and /proc files. Read-only.
O=${OUT:-/tmp/cap}; mkdir -p "$O"
esc() { sed -e 's/\\/\\\\/g' | awk 'BEGIN{ORS=""} {if (NR>1) print "\\n"; print} END{print "\\n"}'; }
rec() {
  local d=$1 real; real=$(readlink -f "$d"); echo "P: ${real#/sys}"
  if [ -r "$real/uevent" ]; then while IFS= read -r l; do [ -n "$l" ] && echo "E: $l"; done < "$real/uevent"; fi
  echo "E: SUBSYSTEM=$(basename "$(readlink -f "$real/subsystem")")"
  for a in ari_enabled boot_vga broken_parity_status class consistent_dma_mask_bits current_link_speed current_link_width d3cold_allowed device dma_mask_bits driver_override enable irq local_cpulist local_cpus max_link_speed max_link_width modalias msi_bus numa_node power_state reset_method resource revision sriov_numvfs sriov_totalvfs subsystem_device subsystem_vendor vendor power/control power/runtime_status; do
    [ -f "$real/$a" ] && [ -r "$real/$a" ] || continue
    v=$(cat "$real/$a" 2>/dev/null | esc) || continue; echo "A: $a=$v"
  done
  for l in driver iommu_group iommu firmware_node physfn; do
    [ -L "$real/$l" ] && echo "L: $l=$(readlink "$real/$l")"
  done
  [ -r "$real/config" ] && echo "H: config=$(od -An -tx1 -v "$real/config" | tr -d ' \n' | tr a-f A-F)"
  echo
}
{ for d in /sys/bus/pci/devices/*; do rec "$d"; done
  for d in /sys/class/iommu/*; do [ -e "$d" ] && rec "$d"; done; } > "$O/recording.umockdev" 2>"$O/capture.err"
{ for g in /sys/kernel/iommu_groups/*; do [ -d "$g" ] || continue; echo "group $(basename $g) type=$(cat $g/type 2>/dev/null)"; ls "$g/devices"; done; } > "$O/groups.txt" 2>&1
cat /proc/cmdline > "$O/cmdline.txt"; uname -r > "$O/osrelease.txt"
for f in cpuinfo modules iomem interrupts; do cat /proc/$f > "$O/proc-$f.txt" 2>&1; done
timeout 5 dd if=/dev/kmsg iflag=nonblock bs=16384 2>/dev/null > "$O/kmsg.txt"; [ -s "$O/kmsg.txt" ] || dmesg -r > "$O/kmsg.txt" 2>&1
ls /sys/firmware/acpi/tables > "$O/acpi-tables.txt" 2>&1
for f in sys_vendor product_name; do echo "$f=$(cat /sys/class/dmi/id/$f 2>/dev/null)"; done > "$O/dmi.txt"
H=$(cd "$(dirname "$0")" && pwd)
L="env LD_LIBRARY_PATH=$H/pci/usr/lib/x86_64-linux-gnu $H/pci/usr/bin/lspci -i $H/pci/usr/share/misc/pci.ids"
($L -vvnnk -xxxx -D) > "$O/lspci-vvnnk-xxxx.txt" 2>&1
($L -nnk -D) > "$O/lspci-nnk.txt" 2>&1
(command -v lspci; lspci -nnk -D) > "$O/lspci-native.txt" 2>&1
(uname -a; id; systemd-detect-virt 2>&1; ls /dev/vfio 2>&1; lsmod 2>&1 | head -50) > "$O/misc.txt" 2>&1
(command -v nvidia-smi && nvidia-smi -q) > "$O/nvidia-smi.txt" 2>&1
cat /etc/os-release > "$O/os-release.txt" 2>&1
ls -la "$O"
