/* SPDX-License-Identifier: MIT */
/* What libvirt prints, as pasted.
 *
 *  - Node device names, "pci_0000_01_00_0" (virsh nodedev-list,
 *    nodedev-detach; libvirt's virNodeDeviceObj names, "pci_%04x_%02x_%02x_%x"):
 *    the device, by its address alone.
 *  - `virsh nodedev-dumpxml pci_...` (src/conf/node_device_conf.c
 *    virNodeDeviceDefFormat()): <name>, <path> (the sysfs path: the parent
 *    bridge), <driver><name> (the sysfs driver link libvirt read), <class>,
 *    <product id=>, <vendor id=>, and <iommuGroup number=N> with an
 *    <address/> per member (the group's devices directory): what lspci
 *    -nnk and a group listing would say.
 *  - A domain's XML, or only its <hostdev type='pci'> elements: the VM
 *    configuration, written to IMP_LIBVIRT_XML (wrapped in a <domain> when
 *    only <hostdev> elements were pasted), which the reader parses as on a
 *    libvirt host; each <source><address/> names a host device. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import-internal.h"

/* The value of attr="..." or attr='...' in s[0..len), into buf. */
static bool attr(const char *s, size_t len, const char *name, char *buf, size_t size) {
        size_t nl = strlen(name);

        for (size_t i = 0; i + nl + 2 < len; i++) {
                char q;
                const char *end;

                if (strncmp(s + i, name, nl) != 0 || s[i + nl] != '=' || (i > 0 && isalnum((unsigned char) s[i - 1])))
                        continue;
                q = s[i + nl + 1];
                if (q != '"' && q != '\'')
                        continue;
                end = memchr(s + i + nl + 2, q, len - i - nl - 2);
                if (!end || (size_t) (end - (s + i + nl + 2)) >= size)
                        return false;
                snprintf(buf, size, "%.*s", (int) (end - (s + i + nl + 2)), s + i + nl + 2);
                return true;
        }
        return false;
}

/* <address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/>. */
static struct imp_dev *address_element(struct gd_import *im, const struct imp_line *l) {
        char d[16], b[16], s[16], f[16], addr[32];

        if (!attr(l->body, l->body_len, "bus", b, sizeof(b)) || !attr(l->body, l->body_len, "slot", s, sizeof(s)) ||
            !attr(l->body, l->body_len, "function", f, sizeof(f)))
                return NULL;
        if (!attr(l->body, l->body_len, "domain", d, sizeof(d)))
                snprintf(d, sizeof(d), "0");
        snprintf(addr, sizeof(addr), "%04lx:%02lx:%02lx.%lx", strtoul(d, NULL, 0), strtoul(b, NULL, 0),
                 strtoul(s, NULL, 0), strtoul(f, NULL, 0));
        return strlen(addr) == 12 ? imp_dev_named(im, addr, l) : NULL;
}

/* "pci_0000_01_00_0" at s, as an address. */
static bool node_name(const char *s, size_t len, char ret[static 13]) {
        unsigned dom, bus, slot, fn;
        int n = 0;
        char buf[24];

        if (len < 16 || strncmp(s, "pci_", 4) != 0)
                return false;
        snprintf(buf, sizeof(buf), "%.16s", s);
        if (sscanf(buf, "pci_%4x_%2x_%2x_%1x%n", &dom, &bus, &slot, &fn, &n) != 4 || n != 16 || slot > 0x1f ||
            fn > 7 || (len > 16 && (isalnum((unsigned char) s[16]) || s[16] == '_')))
                return false;
        snprintf(ret, 13, "%04x:%02x:%02x.%x", dom, bus, slot, fn);
        return true;
}

static void node_names(struct gd_import *im, const struct imp_line *l) {
        const char *s = l->body;
        size_t len = l->body_len;

        for (const char *p = memmem(s, len, "pci_", 4); p; p = memmem(p + 4, len - (size_t) (p + 4 - s), "pci_", 4)) {
                char addr[13];

                if (len - (size_t) (p - s) < 16)
                        break;
                if ((p == s || !isalnum((unsigned char) p[-1])) && node_name(p, len - (size_t) (p - s), addr))
                        (void) imp_dev_named(im, addr, l);
        }
}

/* The text of <tag>TEXT</tag> on the line. */
static bool element_text(const struct imp_line *l, const char *tag, char *buf, size_t size) {
        char open[32];
        const char *p, *end;

        snprintf(open, sizeof(open), "<%s>", tag);
        p = memmem(l->body, l->body_len, open, strlen(open));
        if (!p)
                return false;
        p += strlen(open);
        end = memchr(p, '<', l->body_len - (size_t) (p - l->body));
        if (!end || (size_t) (end - p) >= size)
                return false;
        snprintf(buf, size, "%.*s", (int) (end - p), p);
        return true;
}

static bool starts(const struct imp_line *l, const char *tag) {
        return l->body_len >= strlen(tag) && strncmp(l->body, tag, strlen(tag)) == 0;
}

static void nodedev_line(struct gd_import *im, struct imp_xml *x, const struct imp_line *l) {
        char v[256], addr[13];
        struct imp_dev *d = x->dev;

        if (starts(l, "<name>") && !x->in_driver && element_text(l, "name", v, sizeof(v)) &&
            node_name(v, strlen(v), addr)) {
                x->dev = imp_dev_named(im, addr, l);
                return;
        }
        if (!d)
                return;
        if (starts(l, "<path>") && element_text(l, "path", v, sizeof(v))) {
                /* /sys/devices/pci0000:40/0000:40:03.1/0000:41:00.0 */
                char *last = strrchr(v, '/'), *prev;

                if (last) {
                        *last = '\0';
                        prev = strrchr(v, '/');
                        if (prev && strlen(prev + 1) == 12 && imp_find_address(prev + 1, 12, addr) == 1 && !d->parent)
                                d->parent = strdup(addr);
                }
        } else if (starts(l, "<driver>"))
                x->in_driver = true;
        else if (starts(l, "</driver>"))
                x->in_driver = false;
        else if (x->in_driver && starts(l, "<name>") && element_text(l, "name", v, sizeof(v)) && d->driver_known != TRI_YES &&
                 v[0]) {
                d->driver = strdup(v);
                d->driver_known = TRI_YES;
        } else if (starts(l, "<class>") && element_text(l, "class", v, sizeof(v)) && d->class16 == IMP_UNSET) {
                unsigned long c = strtoul(v, NULL, 16);

                d->class16 = (int) (c >> 8 & 0xffff);
                d->progif = (int) (c & 0xff);
        } else if (starts(l, "<product ") && attr(l->body, l->body_len, "id", v, sizeof(v)) && d->device == IMP_UNSET)
                d->device = (int) (strtoul(v, NULL, 16) & 0xffff);
        else if (starts(l, "<vendor ") && attr(l->body, l->body_len, "id", v, sizeof(v)) && d->vendor == IMP_UNSET)
                d->vendor = (int) (strtoul(v, NULL, 16) & 0xffff);
        else if (starts(l, "<iommuGroup ") && attr(l->body, l->body_len, "number", v, sizeof(v))) {
                x->in_group = true;
                x->group = atoi(v);
                if (x->group >= 0)
                        imp_group_assign(im, d, x->group, l);
        } else if (starts(l, "</iommuGroup>"))
                x->in_group = false;
        else if (x->in_group && x->group >= 0 && starts(l, "<address ")) {
                struct imp_dev *m = address_element(im, l);
                if (m)
                        imp_group_assign(im, m, x->group, l);
        }
        /* An ID without the other is no ID. */
        if ((d->vendor == IMP_UNSET) != (d->device == IMP_UNSET) && starts(l, "</capability>"))
                d->vendor = d->device = IMP_UNSET;
}

bool imp_libvirt_line(struct gd_import *im, struct imp_xml *x, const struct imp_line *l) {
        if (l->body_len == 0 || l->body[0] != '<') {
                node_names(im, l);
                return false;
        }
        if (starts(l, "<device>")) {
                *x = (struct imp_xml) { .in_device = true, .domain = x->domain, .hostdev_seen = x->hostdev_seen };
                return true;
        }
        if (x->in_device) {
                if (starts(l, "</device>"))
                        x->in_device = false;
                else
                        nodedev_line(im, x, l);
                return true;
        }
        if (starts(l, "<domain ") || starts(l, "<domain>"))
                x->domain = true;
        if (starts(l, "<hostdev ") && memmem(l->body, l->body_len, "pci", 3)) {
                x->in_hostdev = true;
                x->hostdev_seen = true;
        }
        if (!x->domain && !x->in_hostdev)
                return false;
        (void) imp_file_append(im, IMP_LIBVIRT_XML, l->text, l->len);
        if (x->in_hostdev && starts(l, "<source"))
                x->in_source = true;
        else if (x->in_source && starts(l, "<address "))
                (void) address_element(im, l);
        else if (starts(l, "</source>"))
                x->in_source = false;
        else if (starts(l, "</hostdev>"))
                x->in_hostdev = x->in_source = false;
        else if (starts(l, "</domain>"))
                x->domain = false;
        return true;
}
