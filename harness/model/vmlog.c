/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/macro.h"
#include "vmlog.h"

/* Each text as the tool prints it.  QEMU: hw/vfio/container-legacy.c
 * (vfio_group_get(), vfio_device_get_groupid(), vfio_set_iommu(),
 * vfio_legacy_attach_device(), vfio_device_get(); hw/vfio/container.c and
 * common.c before 10.0), hw/vfio/listener.c and common.c
 * (vfio_container_dma_map() failures), hw/vfio/region.c
 * (vfio_region_write()), hw/vfio/pci.c (vfio_pci_pre_reset(), the ROM
 * probe), hw/pci/pci.c (do_pci_register_device()).  libvirt:
 * src/qemu/qemu_hostdev.c (qemuHostdevPreparePCIDevicesCheckSupport(),
 * which asks virHostdevHostSupportsPassthroughVFIO(): a non-empty
 * /sys/kernel/iommu_groups), src/util/virpci.c (the header type read
 * from config space), src/qemu/qemu_process.c (the "starting up" line it
 * writes at every start).  Proxmox VE: PVE::SysFSTools::file_write(), which
 * reports the errno of a failed sysfs write. */
static const struct gd_vmlog_signal_info signals[_GD_VMLOG_SIGNAL_MAX] = {
        [GD_VMLOG_VFIO_DEVICE]       = { "vfio-pci,host=", NULL, "QEMU -device vfio-pci,host=<address>" },
        [GD_VMLOG_GROUP_NOT_VIABLE]  = { "is not viable", "group ", "QEMU vfio_group_get(): \"group %d is not viable\"" },
        [GD_VMLOG_ENSURE_BOUND]      = { "Please ensure all devices within the iommu_group", NULL,
                                         "QEMU vfio_group_get(): the hint after \"is not viable\"" },
        [GD_VMLOG_VERIFY_BOUND]      = { "Verify all devices in group", NULL,
                                         "QEMU vfio_device_get(): \"error getting device from group %d\"" },
        [GD_VMLOG_NO_IOMMU_GROUP]    = { "no iommu_group found", NULL, "QEMU vfio_device_get_groupid()" },
        [GD_VMLOG_OPEN_GROUP]        = { "/dev/vfio/", "No such file or directory",
                                         "QEMU vfio_group_get(): opening /dev/vfio/<group> failed" },
        [GD_VMLOG_SET_IOMMU]         = { "Failed to set iommu for container", NULL, "QEMU vfio_set_iommu()" },
        [GD_VMLOG_DMA_MAP]           = { "dma_map(", " = -", "QEMU vfio_container_dma_map() / vfio_dma_map() failures" },
        [GD_VMLOG_MULTIPLE_SPACES]   = { "used in multiple address spaces", NULL, "QEMU vfio_group_get()" },
        [GD_VMLOG_ALREADY_ATTACHED]  = { "device is already attached", NULL, "QEMU vfio_legacy_attach_device()" },
        [GD_VMLOG_SLOT_IN_USE]       = { "not available for vfio-pci, in use by", NULL,
                                         "QEMU do_pci_register_device(): the guest slot is taken" },
        [GD_VMLOG_STUCK_IN_D3]       = { "Unable to power on device, stuck in D3", NULL, "QEMU vfio_pci_pre_reset()" },
        [GD_VMLOG_REGION_BUSY]       = { "vfio_region_write(", "Device or resource busy", "QEMU vfio_region_write()" },
        [GD_VMLOG_ROM_UNREADABLE]    = { "ROM contents are probably invalid", NULL, "QEMU vfio_pci_load_rom()" },
        [GD_VMLOG_RESET_ENOTTY]      = { "/reset'", "Inappropriate ioctl for device",
                                         "Proxmox VE PVE::SysFSTools::file_write() on the device's reset file" },
        [GD_VMLOG_HEADER_TYPE_127]   = { "Unknown PCI header type '127'", NULL, "libvirt virPCIDeviceRead()" },
        /* The tail only: people retype it ("assigment"). */
        [GD_VMLOG_VFIO_UNSUPPORTED]  = { "is currently not supported on this system", "VFIO device assig",
                                         "libvirt qemuHostdevPreparePCIDevicesCheckSupport()" },
        [GD_VMLOG_NO_PASSTHROUGH]    = { "support passthrough of host PCI devices", NULL,
                                         "libvirt qemuHostdevPreparePCIDevicesCheckSupport()" },
        [GD_VMLOG_STARTING_UP]       = { "starting up libvirt version", NULL, "libvirt qemuProcessLaunch()" },
        [GD_VMLOG_XEN_PT_DEVICE]     = { "Assigning real physical device", NULL,
                                         "QEMU hw/xen/xen_pt.c xen_pt_realize(): \"Assigning real physical device "
                                         "%02x:%02x.%d to devfn %#x\"" },
        [GD_VMLOG_IGD_PASSTHRU]      = { "Need to enable igd-passthru", NULL,
                                         "QEMU hw/xen/xen_pt.c xen_pt_realize(): an Intel IGD without igd-passthru" },
        /* A tool binding a device by writing its address to the driver's bind
         * file (vfio-pci and its variants: mlx5-vfio-pci, nvgrace-gpu-vfio-pci
         * ...); Go prints "no such file", the shell "No such file". */
        [GD_VMLOG_BIND_ENOENT]       = { "vfio-pci/bind: ", "uch file or directory",
                                         "a write to /sys/bus/pci/drivers/<vfio driver>/bind: ENOENT" },
};

_Static_assert(_GD_VMLOG_SIGNAL_MAX <= 32, "gd_vmlog_record.signals holds 32 signals");

/* Other spellings of one signal: QEMU's JSON -device form, the "Cannot read
 * device rom" line of older QEMU, QEMU 8's "Could not open '/dev/vfio/N'". */
static const struct { enum gd_vmlog_signal s; const char *text, *and; } spellings[] = {
        { GD_VMLOG_VFIO_DEVICE, "\"driver\":\"vfio-pci\"", NULL },
        /* virsh nodedev-detach: libvirt binds the device to vfio-pci for a VM
         * (virNodeDeviceDetachFlags() -> virHostdevPCINodeDeviceDetach()). */
        { GD_VMLOG_VFIO_DEVICE, "nodedev-detach pci_", NULL },
        { GD_VMLOG_ROM_UNREADABLE, "Cannot read device rom", NULL },
        { GD_VMLOG_DMA_MAP, "VFIO_MAP_DMA", "failed" },
        /* Qubes' command that gives a dom0 device to a domain (qvm-device of
         * qubes-core-admin-client, "qvm-pci" its older alias). */
        { GD_VMLOG_XEN_PT_DEVICE, "qvm-device pci attach ", NULL },
        { GD_VMLOG_XEN_PT_DEVICE, "qvm-pci attach ", NULL },
        /* Harvester's PCIDeviceClaim webhook (harvester/pcidevices,
         * pciDeviceClaimValidator.Create(): "pcidevice %s has no iommuGroup
         * available" when the device's IOMMUGroup status is empty). */
        { GD_VMLOG_NO_IOMMU_GROUP, "has no iommuGroup available", NULL },
        /* dash's words for the same ENOENT on a redirection ("cannot create
         * /sys/bus/pci/drivers/vfio-pci/bind: Directory nonexistent",
         * foxlet/vmra1n#12). */
        { GD_VMLOG_BIND_ENOENT, "vfio-pci/bind: Directory nonexistent", NULL },
};

const struct gd_vmlog_signal_info *gd_vmlog_signal(enum gd_vmlog_signal s) {
        return (unsigned) s < _GD_VMLOG_SIGNAL_MAX ? &signals[s] : NULL;
}

static bool holds(const char *line, size_t len, const char *text, const char *and) {
        const char *p = memmem(line, len, text, strlen(text));

        return p && (!and || memmem(line, len, and, strlen(and)));
}

uint32_t gd_vmlog_signals_in(const char *line, size_t len) {
        uint32_t found = 0;

        for (size_t s = 0; s < _GD_VMLOG_SIGNAL_MAX; s++)
                if (holds(line, len, signals[s].text, signals[s].and))
                        found |= 1u << s;
        for (size_t i = 0; i < ELEMENTSOF(spellings); i++)
                if (holds(line, len, spellings[i].text, spellings[i].and))
                        found |= 1u << spellings[i].s;
        return found;
}

static int hexdig(char c) {
        return isdigit((unsigned char) c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 :
               (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

static bool hexn(const char *s, size_t n, unsigned *ret) {
        unsigned v = 0;

        for (size_t i = 0; i < n; i++) {
                int h = hexdig(s[i]);
                if (h < 0)
                        return false;
                v = v << 4 | (unsigned) h;
        }
        *ret = v;
        return true;
}

/* "[dddd:]bb:dd.f" at s, not inside a longer word or a time of day. */
static bool address_at(const char *line, size_t len, size_t i, char ret[static GD_ADDR_LEN]) {
        unsigned dom = 0, bus, dev;
        size_t o = i;

        if (i > 0 && (isalnum((unsigned char) line[i - 1]) || line[i - 1] == ':' || line[i - 1] == '.'))
                return false;
        if (len - o >= 12 && line[o + 4] == ':' && line[o + 7] == ':' && hexn(line + o, 4, &dom))
                o += 5;
        if (len - o < 7 || line[o + 2] != ':' || line[o + 5] != '.' || !hexn(line + o, 2, &bus) ||
            !hexn(line + o + 3, 2, &dev) || dev > 0x1f || line[o + 6] < '0' || line[o + 6] > '7')
                return false;
        if (len - o > 7 && (isalnum((unsigned char) line[o + 7]) || line[o + 7] == '.'))
                return false;
        snprintf(ret, GD_ADDR_LEN, "%04x:%02x:%02x.%c", dom, bus, dev, line[o + 6]);
        return true;
}

/* libvirt's node device name, "pci_0000_03_00_0" (virsh nodedev-detach). */
static bool node_device_at(const char *line, size_t len, size_t i, char ret[static GD_ADDR_LEN]) {
        unsigned dom, bus, dev, fn;

        if (len - i < 16 || strncmp(line + i, "pci_", 4) != 0 || (i > 0 && isalnum((unsigned char) line[i - 1])) ||
            line[i + 8] != '_' || line[i + 11] != '_' || line[i + 14] != '_' || !hexn(line + i + 4, 4, &dom) ||
            !hexn(line + i + 9, 2, &bus) || !hexn(line + i + 12, 2, &dev) || dev > 0x1f ||
            line[i + 15] < '0' || line[i + 15] > '7' || (len - i > 16 && isalnum((unsigned char) line[i + 16])))
                return false;
        fn = (unsigned) (line[i + 15] - '0');
        snprintf(ret, GD_ADDR_LEN, "%04x:%02x:%02x.%u", dom, bus, dev, fn);
        return true;
}

/* Qubes' name of a dom0 device, "dom0:0c_00.0": bus, '_', device, '.',
 * function (the port id of qubes/ext/pci.py, qubes-core-admin). */
static bool qubes_device_at(const char *line, size_t len, size_t i, char ret[static GD_ADDR_LEN]) {
        unsigned bus, dev;

        if (len - i < 12 || strncmp(line + i, "dom0:", 5) != 0 || (i > 0 && isalnum((unsigned char) line[i - 1])) ||
            line[i + 7] != '_' || line[i + 10] != '.' || !hexn(line + i + 5, 2, &bus) ||
            !hexn(line + i + 8, 2, &dev) || dev > 0x1f || line[i + 11] < '0' || line[i + 11] > '7' ||
            (len - i > 12 && isalnum((unsigned char) line[i + 12])))
                return false;
        snprintf(ret, GD_ADDR_LEN, "0000:%02x:%02x.%c", bus, dev, line[i + 11]);
        return true;
}

/* Harvester's PCIDevice name, "<node>-000901000": PCIDeviceNameForHostname()
 * (harvester/pcidevices) joins the node name and the address with ':' and
 * '.' dropped, domain included: nine hex digits, 0009:01:00.0. */
static bool harvester_device(const char *line, size_t len, char ret[static GD_ADDR_LEN]) {
        static const char *const words[] = { "pcidevice ", "pci device " };

        for (size_t k = 0; k < ELEMENTSOF(words); k++) {
                const char *w = memmem(line, len, words[k], strlen(words[k]));
                size_t i, end;
                unsigned dom, bus, dev;

                if (!w)
                        continue;
                i = (size_t) (w - line) + strlen(words[k]);
                end = i;
                while (end < len && line[end] != ' ' && line[end] != '"')
                        end++;
                if (end - i < 11 || line[end - 10] != '-' || !hexn(line + end - 9, 4, &dom) ||
                    !hexn(line + end - 5, 2, &bus) || !hexn(line + end - 3, 2, &dev) || dev > 0x1f ||
                    line[end - 1] < '0' || line[end - 1] > '7')
                        continue;
                snprintf(ret, GD_ADDR_LEN, "%04x:%02x:%02x.%c", dom, bus, dev, line[end - 1]);
                return true;
        }
        return false;
}

bool gd_vmlog_line_address(const char *line, size_t len, char ret[static GD_ADDR_LEN]) {
        static const char assigning[] = "Assigning real physical device ";
        const char *a = memmem(line, len, assigning, strlen(assigning));

        /* xen_pt_log() puts the guest's slot first ("[00:06.0] "): the
         * host's device is the one after the words. */
        if (a && address_at(line, len, (size_t) (a - line) + strlen(assigning), ret))
                return true;
        for (size_t i = 0; i + 16 <= len; i++)
                if (line[i] == 'p' && node_device_at(line, len, i, ret))
                        return true;
        for (size_t i = 0; i + 12 <= len; i++)
                if (line[i] == 'd' && qubes_device_at(line, len, i, ret))
                        return true;
        if (memmem(line, len, "iommuGroup", 10) && harvester_device(line, len, ret))
                return true;
        for (size_t i = 0; i + 7 <= len; i++)
                if (isxdigit((unsigned char) line[i]) && address_at(line, len, i, ret))
                        return true;
        return false;
}

static int add(struct gd_vmlog *log, const char *line, size_t len, unsigned lineno, const char *file,
               uint32_t sig) {
        struct gd_vmlog_record *n = reallocarray(log->records, log->n_records + 1, sizeof(*n));

        if (!n)
                return -ENOMEM;
        log->records = n;
        n = &n[log->n_records];
        *n = (struct gd_vmlog_record) { .line = lineno, .signals = sig };
        n->text = strndup(line, len);
        n->file = strdup(file);
        if (!n->text || !n->file) {
                free(n->text);
                free(n->file);
                return -ENOMEM;
        }
        if (!gd_vmlog_line_address(line, len, n->address))
                n->address[0] = '\0';
        log->n_records++;
        return 0;
}

int gd_vmlog_parse(const char *text, size_t len, const char *file, struct gd_vmlog *log) {
        size_t first = log->n_records;
        unsigned lineno = 0;

        for (size_t pos = 0; pos < len; ) {
                const char *nl = memchr(text + pos, '\n', len - pos);
                size_t n = nl ? (size_t) (nl - (text + pos)) : len - pos, t = n;
                uint32_t s = gd_vmlog_signals_in(text + pos, n);

                lineno++;
                if (s & (1u << GD_VMLOG_STARTING_UP)) {
                        /* Only the last start counts: drop what came before. */
                        for (size_t i = first; i < log->n_records; i++) {
                                free(log->records[i].text);
                                free(log->records[i].file);
                        }
                        log->n_records = first;
                } else if (s) {
                        while (t > 0 && (text[pos + t - 1] == '\r' || text[pos + t - 1] == ' '))
                                t--;
                        if (add(log, text + pos, t, lineno, file, s) < 0)
                                return -ENOMEM;
                }
                pos += n + 1;
        }
        return 0;
}

void gd_vmlog_clear(struct gd_vmlog *log) {
        for (size_t i = 0; i < log->n_records; i++) {
                free(log->records[i].text);
                free(log->records[i].file);
        }
        free(log->records);
        *log = (struct gd_vmlog) { 0 };
}

const struct gd_vmlog_record *gd_vmlog_find(const struct gd_vmlog *log, enum gd_vmlog_signal s,
                                            const char *address, size_t start) {
        for (size_t i = start; log && i < log->n_records; i++)
                if (gd_vmlog_record_has(&log->records[i], s) && (!address || streq(log->records[i].address, address)))
                        return &log->records[i];
        return NULL;
}
