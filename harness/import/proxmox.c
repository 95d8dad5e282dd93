/* SPDX-License-Identifier: MIT */
/* Proxmox VE VM configurations as pasted: `qm config <vmid>`, `cat
 * /etc/pve/qemu-server/<vmid>.conf`, a few "hostpci0: ..." lines, or the
 * same as a diff ("+hostpci1: ...").  Each line is "key: value" with a key
 * of qemu-server's $confdesc (PVE/QemuServer.pm); a run of such lines that
 * holds a hostpciN line becomes /etc/pve/qemu-server/<vmid>.conf, which the
 * reader parses as on a Proxmox host (host/vmconfig.c), and every host
 * address a hostpciN line names is recorded by its address.  A run without
 * hostpciN is dropped: "memory: 16G" alone is prose as often as config. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "import/import-internal.h"
#include "model/vmlog.h"

/* qemu-server's keys (the numbered ones without their number). */
static const char *const keys[] = {
        "acpi", "affinity", "agent", "amd-sev", "arch", "args", "audio", "autostart", "balloon", "bios", "boot",
        "bootdisk", "cdrom", "cicustom", "cipassword", "citype", "ciupgrade", "ciuser", "cores", "cpu", "cpulimit",
        "cpuunits", "description", "efidisk", "freeze", "hookscript", "hostpci", "hotplug", "hugepages", "ide",
        "ipconfig", "ivshmem", "keephugepages", "keyboard", "kvm", "localtime", "lock", "machine", "memory",
        "meta", "migrate_downtime", "migrate_speed", "name", "nameserver", "net", "numa", "onboot", "ostype",
        "parallel", "protection", "reboot", "rng", "sata", "scsi", "scsihw", "searchdomain", "serial", "shares",
        "smbios", "smp", "sockets", "spice_enhancements", "sshkeys", "startdate", "startup", "tablet", "tags",
        "tdf", "template", "tpmstate", "unused", "usb", "vcpus", "vga", "virtio", "virtiofs", "vmgenid",
        "vmstatestorage", "watchdog",
};

/* The key of a config line ("hostpci0" -> "hostpci"), its length with the
 * number, or 0 when the line is not one. */
static size_t config_key(const char *s, size_t len, bool *ret_hostpci) {
        size_t k = 0, base;

        while (k < len && (islower((unsigned char) s[k]) || s[k] == '_' || s[k] == '-'))
                k++;
        base = k;
        while (k < len && isdigit((unsigned char) s[k]))
                k++;
        if (k == 0 || k + 1 >= len || s[k] != ':' || s[k + 1] != ' ')
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (strlen(keys[i]) == base && strncmp(keys[i], s, base) == 0) {
                        *ret_hostpci = base == 7 && strncmp(s, "hostpci", 7) == 0 && k > base;
                        return k;
                }
        return 0;
}

bool imp_is_pve_line(const char *s, size_t len) {
        bool hostpci;

        if (len > 0 && s[0] == '+')
                s++, len--;
        return config_key(s, len, &hostpci) > 0;
}

/* The host addresses of a hostpciN value: "0000:01:00.0,pcie=1",
 * "01:00" (every function: function 0 is certain), "01:00.0;01:00.1",
 * "mapping=gpu" (none). */
static void name_hostpci(struct gd_import *im, const char *v, const struct imp_line *l) {
        size_t n = strcspn(v, ",");

        if (strncmp(v, "host=", 5) == 0)
                v += 5, n -= 5;
        while (n > 0) {
                size_t part = strcspn(v, ";,");
                char buf[32], addr[13];

                if (part > n)
                        part = n;
                if (part > 0 && part < 20) {
                        snprintf(buf, sizeof(buf), "%.*s%s", (int) part, v,
                                 memchr(v, '.', part) ? "" : ".0");
                        if (imp_find_address(buf, strlen(buf), addr) == 1)
                                (void) imp_dev_named(im, addr, l);
                }
                v += part;
                n -= part;
                if (n > 0 && *v == ';')
                        v++, n--;
                else
                        break;
        }
}

void imp_pve_flush(struct gd_import *im, struct imp_pve *pve) {
        _cleanup_free_ char *path = NULL;

        if (pve->has_hostpci &&
            asprintf(&path, "/etc/pve/qemu-server/%s.conf", pve->vmid[0] ? pve->vmid : "pasted") >= 0)
                for (size_t i = 0; i < pve->n; i++)
                        (void) imp_file_append(im, path, pve->lines[i], strlen(pve->lines[i]));
        for (size_t i = 0; i < pve->n; i++)
                free(pve->lines[i]);
        pve->n = 0;
        pve->has_hostpci = false;
}

bool imp_pve_line(struct gd_import *im, struct imp_pve *pve, const struct imp_line *l) {
        const char *s = l->body;
        size_t len = l->body_len, k;
        bool hostpci = false;

        /* A diff: '+' lines are the config, '-' lines what it was. */
        if (len > 1 && s[0] == '-' && config_key(s + 1, len - 1, &hostpci) > 0)
                return true;
        if (len > 1 && s[0] == '+')
                s++, len--;
        k = config_key(s, len, &hostpci);
        /* "kvm: -device vfio-pci,...: ..." is QEMU's error (Proxmox names
         * the binary kvm), not the kvm: option (vmtools.c). */
        if (k == 0 || gd_vmlog_signals_in(s, len) != 0)
                return false;
        if (pve->n == pve->cap) {
                size_t cap = pve->cap ? pve->cap * 2 : 32;
                char **nl = reallocarray(pve->lines, cap, sizeof(char *));

                if (!nl)
                        return true;
                pve->lines = nl;
                pve->cap = cap;
        }
        if (!(pve->lines[pve->n] = strndup(s, len)))
                return true;
        pve->n++;
        if (hostpci) {
                pve->has_hostpci = true;
                name_hostpci(im, s + k + 2, l);
        }
        return true;
}
