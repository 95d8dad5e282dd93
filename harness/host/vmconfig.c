/* SPDX-License-Identifier: MIT */
/* VM configurations: Proxmox VE qemu-server .conf files and libvirt domain
 * XML (see vmconfig.h for the formats and where they are defined). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/io.h"
#include "base/io-record.h"
#include "base/hostpaths.h"
#include "base/macro.h"
#include "base/strv.h"
#include "vmconfig.h"

static void vm_clearp(struct gd_vm *vm) { gd_vm_clear(vm); }

static struct gd_vm_pci *vm_add_pci(struct gd_vm *vm) {
        struct gd_vm_pci *n = realloc(vm->pci, (vm->n_pci + 1) * sizeof(*n));

        if (!n)
                return NULL;
        vm->pci = n;
        n = &vm->pci[vm->n_pci++];
        *n = (struct gd_vm_pci) { .func = GD_VM_FUNC_ALL };
        return n;
}

static unsigned line_of(const char *text, const char *p) {
        unsigned n = 1;

        for (const char *q = text; q < p; q++)
                if (*q == '\n')
                        n++;
        return n;
}

/* ---- Proxmox ---------------------------------------------------------------- */

/* Proxmox booleans (PVE::JSONSchema parse_boolean): 1|0|on|off|yes|no|true|false. */
static tri_t pve_bool(const char *v, size_t n) {
        static const char *const yes[] = { "1", "on", "yes", "true" }, *const no[] = { "0", "off", "no", "false" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strlen(yes[i]) == n && strncasecmp(v, yes[i], n) == 0)
                        return TRI_YES;
                if (strlen(no[i]) == n && strncasecmp(v, no[i], n) == 0)
                        return TRI_NO;
        }
        return TRI_UNKNOWN;
}

static bool hexn(const char *s, size_t n, unsigned *ret) {
        unsigned v = 0;

        if (n == 0 || n > 8)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (!isxdigit((unsigned char) s[i]))
                        return false;
                v = v * 16 + (unsigned) (isdigit((unsigned char) s[i]) ? s[i] - '0' : (tolower((unsigned char) s[i]) - 'a' + 10));
        }
        *ret = v;
        return true;
}

/* "[dddd:]bb:ss[.f]" (PCI.pm $PCIRE), n bytes at s. */
bool gd_vm_parse_pve_pciid(const char *s, size_t n, struct gd_vm_pci *p) {
        char t[32];
        const char *rest = t, *c;
        unsigned dom = 0, bus, dev, fn;

        if (n == 0 || n >= sizeof(t))
                return false;
        memcpy(t, s, n);
        t[n] = '\0';
        c = strchr(t, ':');
        if (c && strchr(c + 1, ':')) {
                if (c - t < 4 || !hexn(t, (size_t) (c - t), &dom) || dom > 0xffff)
                        return false;
                rest = c + 1;
        }
        if (strlen(rest) < 5 || rest[2] != ':' || !hexn(rest, 2, &bus) || !hexn(rest + 3, 2, &dev) || dev > 0x1f)
                return false;
        p->domain = dom;
        p->bus = bus;
        p->dev = dev;
        if (rest[5] == '\0') {
                p->func = GD_VM_FUNC_ALL;
        } else {
                if (rest[5] != '.' || rest[7] != '\0' || !hexn(rest + 6, 1, &fn) || fn > 7)
                        return false;
                p->func = (int) fn;
        }
        p->resolved = true;
        return true;
}

/* Splits "host[;host...],opt=v,..." into entries, one per host. */
static int pve_hostpci(struct gd_vm *vm, const char *key, const char *value, const char *linetext, unsigned line) {
        _cleanup_free_ char *options = NULL, *romfile = NULL, *mapping = NULL;
        const char *host = NULL;
        size_t host_len = 0, olen = 0;
        tri_t pcie = TRI_UNKNOWN, xvga = TRI_UNKNOWN, rombar = TRI_UNKNOWN;
        size_t first = vm->n_pci;
        unsigned n_hosts = 0;

        options = calloc(1, strlen(value) + 2);
        if (!options)
                return -ENOMEM;
        for (const char *it = value; *it;) {
                size_t n = strcspn(it, ","), kl;
                const char *eq = memchr(it, '=', n);

                if (!eq) {                              /* the default key: host */
                        host = it;
                        host_len = n;
                } else {
                        kl = (size_t) (eq - it);
                        const char *v = eq + 1;
                        size_t vl = n - kl - 1;
                        bool keep = true;
#define IS(k) (kl == strlen(k) && strncmp(it, k, kl) == 0)
                        if (IS("host")) {
                                host = v;
                                host_len = vl;
                                keep = false;
                        } else if (IS("mapping")) {
                                free(mapping);
                                if (!(mapping = strndup(v, vl)))
                                        return -ENOMEM;
                                keep = false;
                        } else if (IS("pcie"))
                                pcie = pve_bool(v, vl);
                        else if (IS("x-vga"))
                                xvga = pve_bool(v, vl);
                        else if (IS("rombar"))
                                rombar = pve_bool(v, vl);
                        else if (IS("romfile")) {
                                free(romfile);
                                if (!(romfile = strndup(v, vl)))
                                        return -ENOMEM;
                        }
#undef IS
                        if (keep) {             /* options as written, for remedies */
                                options[olen++] = ',';
                                memcpy(options + olen, it, n);
                                olen += n;
                        }
                }
                it += n;
                if (*it == ',')
                        it++;
        }
        options[olen] = '\0';

        for (const char *h = host; h && h < host + host_len;) {
                size_t n = strcspn(h, ";,");
                struct gd_vm_pci *p;

                if (n > (size_t) (host + host_len - h))
                        n = (size_t) (host + host_len - h);
                if (!(p = vm_add_pci(vm)))
                        return -ENOMEM;
                (void) gd_vm_parse_pve_pciid(h, n, p);      /* unparsable: stays unresolved */
                n_hosts++;
                h += n;
                if (h < host + host_len && *h == ';')
                        h++;
        }
        if (!host && mapping) {
                if (!vm_add_pci(vm))
                        return -ENOMEM;
                n_hosts = 1;
        }
        for (size_t i = first; i < vm->n_pci; i++) {
                struct gd_vm_pci *p = &vm->pci[i];

                p->mapping_state = mapping ? -ENODATA : 0;
                if (host && !(p->host_text = strndup(host, host_len)))
                        return -ENOMEM;
                p->key = strdup(key);
                p->text = strdup(linetext);
                p->options = strdup(options);
                p->mapping = mapping ? strdup(mapping) : NULL;
                p->romfile = romfile ? strdup(romfile) : NULL;
                if (!p->key || !p->text || !p->options || (mapping && !p->mapping) || (romfile && !p->romfile))
                        return -ENOMEM;
                p->line = line;
                p->pcie = pcie;
                p->x_vga = xvga;
                p->rombar = rombar;
                /* print_hostpci_devices(): multifunction=on when the entry
                 * resolves to more than one device. */
                p->multifunction = n_hosts > 1 || p->func == GD_VM_FUNC_ALL ? TRI_YES : TRI_UNKNOWN;
        }
        return 0;
}

static enum gd_vm_machine machine_from_type(const char *type, size_t n) {
        for (size_t i = 0; i + 3 <= n; i++)
                if (strncmp(type + i, "q35", 3) == 0)
                        return GD_VM_MACHINE_Q35;
        if (n >= 2 && strncmp(type, "pc", 2) == 0)
                return GD_VM_MACHINE_I440FX;
        return GD_VM_MACHINE_UNKNOWN;
}

/* "q35", "pc-q35-8.1+pve0", "type=q35,viommu=intel" (PVE 8 property string). */
static enum gd_vm_machine pve_machine(const char *v) {
        for (const char *it = v; *it;) {
                size_t n = strcspn(it, ",");
                if (!memchr(it, '=', n))
                        return machine_from_type(it, n);
                if (startswith(it, "type="))
                        return machine_from_type(it + 5, n - 5);
                it += n;
                if (*it == ',')
                        it++;
        }
        return GD_VM_MACHINE_UNKNOWN;
}

/* The first item of a property string, or its "key=" value ("cputype=host,flags=+pcid"). */
static char *pve_first(const char *v, const char *key) {
        size_t kl = strlen(key), n = strcspn(v, ",");

        if (!memchr(v, '=', n))
                return strndup(v, n);
        for (const char *it = v; *it;) {
                n = strcspn(it, ",");
                if (n > kl && strncmp(it, key, kl) == 0 && it[kl] == '=')
                        return strndup(it + kl + 1, n - kl - 1);
                it += n;
                if (*it == ',')
                        it++;
        }
        return strdup("");
}

static int set_option(struct gd_vm_option *o, const char *v, unsigned line) {
        free(o->text);
        o->text = strdup(v);
        o->line = line;
        return o->text ? 0 : -ENOMEM;
}

int gd_vmconfig_parse_proxmox(const char *text, const char *name, const char *source, struct gd_vm *ret) {
        _cleanup_(vm_clearp) struct gd_vm vm = { .kind = GD_VM_PROXMOX };
        bool aarch64 = false;
        unsigned line = 0;
        int r;

        if (!text || !name || !source)
                return -EINVAL;
        if (!(vm.name = strdup(name)) || !(vm.source = strdup(source)))
                return -ENOMEM;
        for (const char *p = text; *p;) {
                size_t n = strcspn(p, "\n"), kl = 0;
                _cleanup_free_ char *l = strndup(p, n);
                char *v;

                line++;
                p += n;
                if (*p == '\n')
                        p++;
                if (!l)
                        return -ENOMEM;
                while (n > 0 && isspace((unsigned char) l[n - 1]))
                        l[--n] = '\0';
                if (l[0] == '[')        /* [PENDING], [special:cloudinit], [snapshot] */
                        break;
                if (l[0] == '#' || l[0] == '\0')
                        continue;
                /* key: ^([a-z][a-z_]*\d*):\s*(.+?)\s*$ */
                while (l[kl] && (islower((unsigned char) l[kl]) || isdigit((unsigned char) l[kl]) ||
                                 l[kl] == '_' || l[kl] == '-'))
                        kl++;
                if (kl == 0 || l[kl] != ':')
                        continue;
                v = l + kl + 1;
                v += strspn(v, " \t");
                l[kl] = '\0';
                if (streq(l, "machine")) {
                        free(vm.machine_text);
                        if (!(vm.machine_text = strdup(v)))
                                return -ENOMEM;
                        vm.machine_line = line;
                        vm.machine = pve_machine(v);
                } else if (streq(l, "arch")) {
                        aarch64 = streq(v, "aarch64");
                } else if (streq(l, "bios") || streq(l, "vga") || streq(l, "cpu") || streq(l, "ostype")) {
                        struct gd_vm_option *o = streq(l, "bios") ? &vm.bios_opt : streq(l, "vga") ? &vm.vga :
                                                 streq(l, "cpu") ? &vm.cpu : &vm.ostype;
                        if (set_option(o, v, line) < 0)
                                return -ENOMEM;
                } else if (startswith(l, "hostpci") && isdigit((unsigned char) l[7])) {
                        l[kl] = ':';
                        _cleanup_free_ char *key = strndup(l, kl);
                        if (!key)
                                return -ENOMEM;
                        r = pve_hostpci(&vm, key, v, l, line);
                        if (r < 0)
                                return r;
                }
        }
        /* No machine line: QEMU's default, "pc" (i440fx) on x86_64, "virt" on aarch64. */
        if (!vm.machine_text)
                vm.machine = aarch64 ? GD_VM_MACHINE_UNKNOWN : GD_VM_MACHINE_I440FX;
        /* qemu-server's defaults (PVE/QemuServer.pm $confdesc): bios seabios,
         * cpu kvm64 (x86-64-v2-AES on PVE 8), ostype other. */
        vm.bios = !vm.bios_opt.text || streq(vm.bios_opt.text, "seabios") ? GD_VM_BIOS_SEABIOS :
                  streq(vm.bios_opt.text, "ovmf") ? GD_VM_BIOS_OVMF : GD_VM_BIOS_UNKNOWN;
        if (vm.cpu.text) {
                _cleanup_free_ char *type = pve_first(vm.cpu.text, "cputype");
                if (!type)
                        return -ENOMEM;
                vm.cpu_host = streq(type, "host") ? TRI_YES : TRI_NO;
        } else
                vm.cpu_host = TRI_NO;
        vm.windows = !vm.ostype.text ? TRI_UNKNOWN : startswith(vm.ostype.text, "win") ? TRI_YES : TRI_NO;
        *ret = vm;
        vm = (struct gd_vm) { 0 };
        return 0;
}

/* ---- libvirt ---------------------------------------------------------------- */

/* The end of the tag that starts at p ('<'): its '>' (quotes respected), or NULL. */
static const char *tag_end(const char *p) {
        char q = 0;

        for (p++; *p; p++) {
                if (q) {
                        if (*p == q)
                                q = 0;
                } else if (*p == '\'' || *p == '"')
                        q = *p;
                else if (*p == '>')
                        return p;
        }
        return NULL;
}

/* The next element start "<name" (followed by space, '/' or '>') in [p, end),
 * skipping comments; NULL when none. */
static const char *find_tag(const char *p, const char *end, const char *name) {
        size_t nl = strlen(name);

        while (p && p < end && (p = memchr(p, '<', (size_t) (end - p)))) {
                if (startswith(p, "<!--")) {
                        const char *c = strstr(p + 4, "-->");
                        p = c ? c + 3 : NULL;
                        continue;
                }
                if ((size_t) (end - p) > nl + 1 && strncmp(p + 1, name, nl) == 0 &&
                    (p[nl + 1] == '>' || p[nl + 1] == '/' || isspace((unsigned char) p[nl + 1])))
                        return p;
                p++;
        }
        return NULL;
}

/* The value of attribute name in the tag [p, e]; buf gets at most size-1 bytes. */
static bool xml_attr(const char *p, const char *e, const char *name, char *buf, size_t size) {
        size_t nl = strlen(name);

        for (const char *a = p + 1; a < e; a++) {
                char q;
                const char *v, *ve;

                if (!isspace((unsigned char) a[-1]) || strncmp(a, name, nl) != 0)
                        continue;
                v = a + nl;
                v += strspn(v, " \t\r\n");
                if (*v != '=')
                        continue;
                v++;
                v += strspn(v, " \t\r\n");
                if (*v != '\'' && *v != '"')
                        continue;
                q = *v++;
                ve = memchr(v, q, (size_t) (e - v));
                if (!ve || (size_t) (ve - v) >= size)
                        return false;
                memcpy(buf, v, (size_t) (ve - v));
                buf[ve - v] = '\0';
                return true;
        }
        return false;
}

static bool attr_hex(const char *p, const char *e, const char *name, unsigned max, unsigned *ret) {
        char buf[16];
        char *end;
        unsigned long v;

        if (!xml_attr(p, e, name, buf, sizeof(buf)))
                return false;
        errno = 0;
        v = strtoul(buf, &end, 0);      /* libvirt writes 0x.., accepts decimal too */
        if (errno || end == buf || *end || v > max)
                return false;
        *ret = (unsigned) v;
        return true;
}

static int libvirt_hostdev(struct gd_vm *vm, const char *text, const char *h, const char *hend) {
        const char *he = tag_end(h), *src, *srcend, *a, *ae, *rom, *ga;
        char buf[64];
        unsigned dom = 0, bus, slot, fn;
        struct gd_vm_pci *p;

        if (!he || !xml_attr(h, he, "type", buf, sizeof(buf)) || !streq(buf, "pci") ||
            (xml_attr(h, he, "mode", buf, sizeof(buf)) && !streq(buf, "subsystem")))
                return 0;
        src = find_tag(he, hend, "source");
        if (!src || !(srcend = strstr(src, "</source>")) || srcend > hend)
                return 0;
        a = find_tag(src, srcend, "address");
        if (!a || !(ae = tag_end(a)) || ae > srcend)
                return 0;
        if (!(p = vm_add_pci(vm)))
                return -ENOMEM;
        p->line = line_of(text, a);
        if (!(p->key = strdup("hostdev")) || !(p->text = strndup(a, (size_t) (ae - a + 1))) || !(p->options = strdup("")))
                return -ENOMEM;
        if ((attr_hex(a, ae, "domain", 0xffff, &dom) || !xml_attr(a, ae, "domain", buf, sizeof(buf))) &&
            attr_hex(a, ae, "bus", 0xff, &bus) && attr_hex(a, ae, "slot", 0x1f, &slot) &&
            attr_hex(a, ae, "function", 7, &fn)) {
                p->domain = dom;
                p->bus = bus;
                p->dev = slot;
                p->func = (int) fn;
                p->resolved = true;
        }
        rom = find_tag(he, hend, "rom");
        if (rom) {
                const char *re = tag_end(rom);
                if (re && re < hend) {
                        if (xml_attr(rom, re, "bar", buf, sizeof(buf)))
                                p->rombar = streq(buf, "off") ? TRI_NO : streq(buf, "on") ? TRI_YES : TRI_UNKNOWN;
                        if (xml_attr(rom, re, "file", buf, sizeof(buf)) && !(p->romfile = strdup(buf)))
                                return -ENOMEM;
                }
        }
        /* The guest address comes after </source>. */
        ga = find_tag(srcend, hend, "address");
        if (ga) {
                const char *gae = tag_end(ga);
                if (gae && gae < hend && xml_attr(ga, gae, "multifunction", buf, sizeof(buf)))
                        p->multifunction = streq(buf, "on") ? TRI_YES : TRI_NO;
        }
        return 0;
}

/* Firmware, CPU model, display and guest OS of a domain: <os firmware='efi'>
 * or an OVMF/edk2 <loader>; <cpu mode='host-passthrough'>; <video><model
 * type='none'/>; <libosinfo:os id='http://microsoft.com/win/11'/>. */
static int libvirt_os(struct gd_vm *vm, const char *text, const char *os, const char *end) {
        const char *ose = tag_end(os), *osend = strstr(os, "</os>"), *l, *c, *m, *lo;
        char buf[256];

        vm->bios = GD_VM_BIOS_SEABIOS;
        if (ose && xml_attr(os, ose, "firmware", buf, sizeof(buf)) && streq(buf, "efi")) {
                vm->bios = GD_VM_BIOS_OVMF;
                if (set_option(&vm->bios_opt, "firmware='efi'", line_of(text, os)) < 0)
                        return -ENOMEM;
        }
        l = osend ? find_tag(os, osend, "loader") : NULL;
        if (l && (l = tag_end(l)) && l < osend) {
                const char *le = strstr(l, "</loader>");
                if (le && le < osend) {
                        _cleanup_free_ char *path = strndup(l + 1, (size_t) (le - l - 1));
                        if (!path)
                                return -ENOMEM;
                        if (strcasestr(path, "ovmf") || strcasestr(path, "edk2") || strcasestr(path, "aavmf"))
                                vm->bios = GD_VM_BIOS_OVMF;
                        if (set_option(&vm->bios_opt, path, line_of(text, l)) < 0)
                                return -ENOMEM;
                }
        }
        vm->cpu_host = TRI_NO;
        c = find_tag(os, end, "cpu");
        if (c && (ose = tag_end(c))) {
                if (xml_attr(c, ose, "mode", buf, sizeof(buf))) {
                        vm->cpu_host = streq(buf, "host-passthrough") ? TRI_YES : TRI_NO;
                        if (set_option(&vm->cpu, buf, line_of(text, c)) < 0)
                                return -ENOMEM;
                }
        }
        for (const char *v = find_tag(os, end, "video"); v; v = NULL) {
                const char *ve = strstr(v, "</video>");
                m = ve ? find_tag(v, ve, "model") : NULL;
                if (m && (ose = tag_end(m)) && xml_attr(m, ose, "type", buf, sizeof(buf)) &&
                    set_option(&vm->vga, buf, line_of(text, m)) < 0)
                        return -ENOMEM;
        }
        lo = find_tag(text, end, "libosinfo:os");
        if (lo && (ose = tag_end(lo)) && xml_attr(lo, ose, "id", buf, sizeof(buf))) {
                if (set_option(&vm->ostype, buf, line_of(text, lo)) < 0)
                        return -ENOMEM;
                vm->windows = strstr(buf, "microsoft.com/win") ? TRI_YES : TRI_NO;
        }
        return 0;
}

int gd_vmconfig_parse_libvirt(const char *text, const char *source, struct gd_vm *ret) {
        _cleanup_(vm_clearp) struct gd_vm vm = { .kind = GD_VM_LIBVIRT, .machine = GD_VM_MACHINE_UNKNOWN };
        const char *end, *d, *n, *os, *t;
        int r;

        if (!text || !source)
                return -EINVAL;
        end = text + strlen(text);
        d = find_tag(text, end, "domain");
        if (!d)
                return -EINVAL;
        if (!(vm.source = strdup(source)))
                return -ENOMEM;
        n = find_tag(d + 1, end, "name");
        if (n && (n = tag_end(n))) {
                const char *ne = strstr(n, "</name>");
                if (ne && !(vm.name = strndup(n + 1, (size_t) (ne - n - 1))))
                        return -ENOMEM;
        }
        if (!vm.name && !(vm.name = strdup(source)))
                return -ENOMEM;
        os = find_tag(d + 1, end, "os");
        if (os && libvirt_os(&vm, text, os, end) < 0)
                return -ENOMEM;
        t = os ? find_tag(os, end, "type") : NULL;
        if (t) {
                const char *te = tag_end(t);
                char buf[128];
                if (te && xml_attr(t, te, "machine", buf, sizeof(buf))) {
                        if (!(vm.machine_text = strdup(buf)))
                                return -ENOMEM;
                        vm.machine_line = line_of(text, t);
                        vm.machine = machine_from_type(buf, strlen(buf));
                }
        }
        for (const char *h = find_tag(d + 1, end, "hostdev"); h; h = find_tag(h + 1, end, "hostdev")) {
                const char *hend = strstr(h, "</hostdev>");
                if (!hend)
                        break;
                r = libvirt_hostdev(&vm, text, h, hend);
                if (r < 0)
                        return r;
                h = hend;
        }
        *ret = vm;
        vm = (struct gd_vm) { 0 };
        return 0;
}

/* ---- the reader ------------------------------------------------------------- */

static int vm_keep(struct gd_vmconfig *c, struct gd_vm *vm) {
        struct gd_vm *n;

        if (vm->n_pci == 0) {
                gd_vm_clear(vm);
                return 0;
        }
        n = realloc(c->vms, (c->n_vms + 1) * sizeof(*n));
        if (!n) {
                gd_vm_clear(vm);
                return -ENOMEM;
        }
        c->vms = n;
        c->vms[c->n_vms++] = *vm;
        *vm = (struct gd_vm) { 0 };
        return 0;
}

static int read_one(struct gd_vmconfig *c, enum gd_configpath dir, const char *real, const char *name, size_t sl) {
        _cleanup_free_ char *path = path_join(real, name), *logical = path_join(gd_configpath(dir), name);
        _cleanup_free_ char *vmid = strndup(name, strlen(name) - sl), *text = NULL;
        struct gd_vm vm = { 0 };
        int r;

        if (!path || !logical || !vmid)
                return -ENOMEM;
        if (gd_io_read(path, GD_CAP_VM_CONFIG, &text, NULL) < 0)
                return 0;               /* unreadable or past the cap: not a VM we know */
        r = dir == GD_ETC_PVE_QEMU_SERVER ? gd_vmconfig_parse_proxmox(text, vmid, logical, &vm) :
                                            gd_vmconfig_parse_libvirt(text, logical, &vm);
        /* A VM that passes no device says nothing about passthrough: a
         * bundle leaves its configuration at home. */
        if (r == -EINVAL || (r >= 0 && vm.n_pci == 0))
                gd_io_record_drop(path);
        if (r == -EINVAL)
                return 0;
        /* Kept as read: remedies and plans rewrite its lines. */
        if (r >= 0 && vm.n_pci > 0 && gd_conffiles_keep(&c->files, logical, text, 0) < 0)
                r = -ENOMEM;
        if (r < 0)
                gd_vm_clear(&vm);
        return r < 0 ? r : vm_keep(c, &vm);
}

static int read_dir(struct gd_vmconfig *c, enum gd_configpath dir, const char *suffix) {
        _cleanup_free_ char *real = gd_config_path_join(dir, NULL);
        _cleanup_strv_free_ char **names = NULL;
        size_t sl = strlen(suffix);
        int r = 0;

        if (!real)
                return -ENOMEM;
        if (gd_io_list(real, 0, &names) < 0)
                return 0;               /* no such hypervisor here */
        for (size_t i = 0; names[i] && r >= 0; i++) {
                const char *name = names[i];
                size_t len = strlen(name);

                if (name[0] != '.' && len > sl && streq(name + len - sl, suffix))
                        r = read_one(c, dir, real, name, sl);
        }
        return r;
}

/* Proxmox resource mappings, read only when a VM uses one. */
static int read_mappings(struct gd_vmconfig *c, const char *node) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        bool used = false;

        for (size_t v = 0; v < c->n_vms; v++)
                for (size_t i = 0; i < c->vms[v].n_pci; i++)
                        used = used || c->vms[v].pci[i].mapping;
        if (!used)
                return 0;
        path = gd_config_path_join(GD_ETC_PVE_MAPPING_PCI, NULL);
        if (!path)
                return -ENOMEM;
        if (gd_io_read(path, GD_CAP_VM_CONFIG, &text, NULL) < 0)
                text = NULL;    /* no pci.cfg: every mapping stays unresolved, or is unknown */
        return gd_pve_mapping_resolve(c, text, gd_configpath(GD_ETC_PVE_MAPPING_PCI), node);
}

int gd_vmconfig_read(const char *node, struct gd_vmconfig **ret) {
        struct gd_vmconfig *c = calloc(1, sizeof(*c));
        int r;

        if (!c)
                return -ENOMEM;
        r = read_dir(c, GD_ETC_PVE_QEMU_SERVER, ".conf");
        if (r >= 0)
                r = read_dir(c, GD_ETC_LIBVIRT_QEMU, ".xml");
        if (r >= 0)
                r = read_mappings(c, node);
        if (r < 0) {
                gd_vmconfig_free(c);
                return r;
        }
        *ret = c;
        return 0;
}
