/* SPDX-License-Identifier: MIT */
/* Kernel log lines (dmesg, dmesg -T/-r, journalctl -k, syslog, /dev/kmsg
 * records) become /dev/kmsg records "prio,seq,usec,-;text"; lsmod output
 * becomes /proc/modules lines. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/kmsg.h"
#include "import/import-internal.h"

static const char *const months[] = {
        "Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ", "Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec ",
};

static bool is_kmsg_record(const char *s, size_t len) {
        size_t i = 0, commas = 0;

        for (; i < len && i < 64 && s[i] != ';'; i++) {
                if (s[i] == ',')
                        commas++;
                else if (!isdigit((unsigned char) s[i]) && commas < 3)
                        return false;
        }
        return i < len && s[i] == ';' && commas >= 3 && isdigit((unsigned char) s[0]);
}

/* Kernel log lines pasted without the "[time]" (dmesg -t, journalctl -o
 * cat, copied from a forum): "pci 0000:41:00.0: ...", "vfio-pci
 * 0000:0d:00.0: ...", "pci_bus 0000:00: ...", "AMD-Vi: ...", "DMAR: ...". */
static const char *const bare_prefixes[] = {
        "AMD-Vi: ", "DMAR: ", "DMAR-IR: ", "iommu: ", "PCI-DMA: ", "vfio_pci: ", "Linux version ",
        /* The NVIDIA kernel module puts "NVRM: " into the format of each
         * message it prints (nv_printf() callers in kernel-open/nvidia/ of
         * NVIDIA's open-gpu-kernel-modules: "NVRM: GPU %04x:%02x:%02x.%x:
         * RmInitAdapter failed!", "NVRM: This PCI I/O region assigned to
         * your NVIDIA device is invalid:"), so "dmesg | grep -i nvidia"
         * without timestamps still shows kernel lines. */
        "NVRM: ",
};

/* The driver core's message for a failed probe before 5.16
 * (drivers/base/dd.c really_probe(): pr_warn("%s: probe of %s failed with
 * error %d\n", drv->name, dev_name(dev), ret)): "nvidia: probe of
 * 0000:14:00.0 failed with error -1". */
static bool is_old_probe_failure(const char *s, size_t len) {
        size_t i = 0;

        while (i < len && (islower((unsigned char) s[i]) || isdigit((unsigned char) s[i]) || s[i] == '_' ||
                           s[i] == '-'))
                i++;
        return i > 0 && len - i > 30 && strncmp(s + i, ": probe of ", 11) == 0 && isxdigit((unsigned char) s[i + 11]) &&
               s[i + 15] == ':' && s[i + 18] == ':' && s[i + 21] == '.' &&
               strncmp(s + i + 23, " failed with error ", 19) == 0;
}

static bool is_bare_kernel_line(const char *s, size_t len) {
        size_t i = 0;

        for (size_t k = 0; k < ELEMENTSOF(bare_prefixes); k++)
                if (startswith(s, bare_prefixes[k]))
                        return true;
        if (is_old_probe_failure(s, len))
                return true;
        /* "<driver> dddd:bb:dd.f: " or "pci_bus dddd:bb: ": dev_name() always has the domain. */
        while (i < len && (islower((unsigned char) s[i]) || isdigit((unsigned char) s[i]) || s[i] == '_' ||
                           s[i] == '-'))
                i++;
        if (i == 0 || i >= len || s[i] != ' ' || !islower((unsigned char) s[0]))
                return false;
        i++;
        if (len - i >= 14 && strncmp(s, "pci_bus ", 8) == 0)
                return isxdigit((unsigned char) s[i]) && s[i + 4] == ':' && s[i + 7] == ':' && s[i + 8] == ' ';
        return len - i >= 14 && isxdigit((unsigned char) s[i]) && s[i + 4] == ':' && s[i + 7] == ':' &&
               s[i + 10] == '.' && s[i + 12] == ':' && s[i + 13] == ' ';
}

/* journalctl -o cat of the whole journal, or syslog with the time cut
 * off: "kernel: vmwgfx 0000:00:0f.0: BAR 2: can't reserve [mem ...]". */
static size_t kernel_tag(const char *s, size_t len) {
        return len > 8 && strncmp(s, "kernel: ", 8) == 0 ? 8 : 0;
}

bool imp_is_dmesg_line(const char *s, size_t len) {
        size_t i = 0, k = kernel_tag(s, len);

        s += k;
        len -= k;
        if (is_bare_kernel_line(s, len))
                return true;

        if (len > 3 && s[0] == '<' && isdigit((unsigned char) s[1]) && s[2] == '>')
                i = 3;
        if (i < len && s[i] == '[') {
                size_t j = i + 1;
                while (j < len && s[j] == ' ')
                        j++;
                /* dmesg --reltime / --delta: "[  +0.000844]" */
                if (j < len && s[j] == '+')
                        j++;
                if (j < len && isdigit((unsigned char) s[j])) {
                        while (j < len && isdigit((unsigned char) s[j]))
                                j++;
                        if (j < len && s[j] == '.')
                                return memchr(s + j, ']', len - j) != NULL;
                }
                /* dmesg -T: "[Tue Nov 26 10:00:00 2024]", ']' after the 24 characters */
                return len > i + 25 && isupper((unsigned char) s[i + 1]) && s[i + 4] == ' ' &&
                       s[i + 25] == ']';
        }
        for (size_t m = 0; m < ELEMENTSOF(months); m++)
                if (len > 16 && strncmp(s, months[m], 4) == 0 && s[9] == ':' && s[12] == ':')
                        return strstr(s, " kernel: ") && (size_t) (strstr(s, " kernel: ") - s) < len;
        return is_kmsg_record(s, len);
}

/* pci_setup_device(): "pci 0000:41:00.0: [10de:2330] type 00 class 0x030200"
 * ("[%04x:%04x] type %02x class %#08x", since 6.x followed by the type
 * string: "PCIe Endpoint", "conventional PCI endpoint", ...).  It proves
 * the IDs and class, not the driver.  And pci_read_bridge_bases():
 * "pci 0000:00:01.1: PCI bridge to [bus 01-ff]" gives the bus numbers. */
static void enumeration_line(struct gd_import *im, const struct imp_line *l, const char *text) {
        unsigned dom, bus, slot, fn, v, d, type, cls, sec, sub;
        struct imp_dev *dev;
        int n = 0;

        if (!startswith(text, "pci ") || sscanf(text, "pci %4x:%2x:%2x.%1u: %n", &dom, &bus, &slot, &fn, &n) != 4 ||
            n == 0 || slot > 0x1f || fn > 7)
                return;
        text += n;
        if (sscanf(text, "[%4x:%4x] type %2x class %x", &v, &d, &type, &cls) == 4 && text[0] == '[' && text[5] == ':') {
                dev = imp_dev_get(im, dom, bus, slot, fn, l);
                if (!dev)
                        return;
                if (dev->vendor == IMP_UNSET && dev->device == IMP_UNSET) {
                        dev->vendor = (int) v;
                        dev->device = (int) d;
                } else if (dev->vendor != (int) v || dev->device != (int) d)
                        imp_warn(im, l, "%s: IDs %04x:%04x contradict %04x:%04x seen earlier; keeping the first",
                                 dev->address, v, d, (unsigned) dev->vendor, (unsigned) dev->device);
                if (dev->class16 == IMP_UNSET)
                        dev->class16 = (int) (cls >> 8 & 0xffff);
                if (dev->progif == IMP_UNSET && dev->class16 == (int) (cls >> 8 & 0xffff))
                        dev->progif = (int) (cls & 0xff);
                dev->enumerated = true;
                return;
        }
        if (sscanf(text, "PCI bridge to [bus %2x-%2x]", &sec, &sub) == 2 ||
            (sscanf(text, "PCI bridge to [bus %2x]", &sec) == 1 && (sub = sec, true))) {
                dev = imp_dev_get(im, dom, bus, slot, fn, l);
                if (!dev)
                        return;
                /* A later line is the kernel's final assignment. */
                dev->secondary = (int) sec;
                dev->subordinate = (int) sub;
        }
}

/* Every PCI address a kernel log record names is a device of the host
 * ("AER: Multiple Uncorrected (Fatal) error received: 0000:00:03.0",
 * "NVRM: GPU 0000:13:00.0: RmInitAdapter failed!"), known by its address. */
static void named_devices(struct gd_import *im, const struct imp_line *l, const char *text) {
        size_t len = strlen(text), off;
        char addr[13];

        while (len > 0 && (off = imp_find_address(text, len, addr)) > 0) {
                (void) imp_dev_named(im, addr, l);
                off += 6;
                text += off;
                len -= off;
        }
}

void imp_dmesg_line(struct gd_import *im, const struct imp_line *l) {
        struct gd_kmsg_record rec = { 0 };
        _cleanup_free_ char *out = NULL;
        size_t k = kernel_tag(l->body, l->body_len);
        int r;

        r = gd_kmsg_parse_record(l->body + k, l->body_len - k, l->lineno, &rec);
        if (r < 0) {
                if (r != -ENOMSG)
                        imp_warn(im, l, "kernel log line not understood; skipped");
                return;
        }
        if (rec.text) {
                enumeration_line(im, l, rec.text);
                imp_kmsg_device_line(im, l, rec.text);
                named_devices(im, l, rec.text);
        }
        r = asprintf(&out, "%d,%u,%llu,-;%s", rec.level >= 0 ? rec.level : 6, im->kmsg_seq++,
                     (unsigned long long) rec.usec, rec.text ? rec.text : "");
        free(rec.text);
        if (r >= 0 && imp_file_append(im, "/dev/kmsg", out, (size_t) r) >= 0) {
                im->kmsg_last_file = l->file;
                im->kmsg_last_line = l->lineno;
        }
}

/* One printk() may hold several lines ("NVRM: This PCI I/O region assigned
 * to your NVIDIA device is invalid:\nNVRM: BAR1 is 0M @ 0x0
 * (PCI:0000:14:00.0)", nv_pci_validate_bars() in NVIDIA's kernel-open/
 * nvidia/nv-pci.c).  The kernel keeps it as one record, /dev/kmsg escapes
 * the newline as \x0a (msg_add_ext_text() in kernel/printk/printk.c), and
 * dmesg(1) prints each further line indented under the text, without a
 * timestamp of its own (util-linux dmesg.c, print_record() with indent).
 * Such an indented line right after a record is that record's next line. */
bool imp_dmesg_continuation(struct gd_import *im, const struct imp_line *l) {
        struct imp_file *f;
        _cleanup_free_ char *buf = NULL;

        if (!im->kmsg_last_file || im->kmsg_last_file != l->file || im->kmsg_last_line + 1 != l->lineno ||
            l->indent < 8 || l->body[0] == '[' || l->body[0] == '<')
                return false;
        f = imp_file_find(im, "/dev/kmsg");
        if (!f || f->len == 0 || f->content[f->len - 1] != '\n' || f->pending_blank > 0)
                return false;
        /* A record holds at most PRINTK_MESSAGE_MAX (2048) bytes of text
         * (kernel/printk/internal.h): more indented lines are no part of it,
         * and a paste cannot grow one record without bound. */
        {
                const char *start = memrchr(f->content, '\n', f->len - 1);
                size_t rec = f->len - 1 - (start ? (size_t) (start - f->content) + 1 : 0);
                if (rec + l->body_len + 4 > 2048 + 64)
                        return false;
        }
        buf = malloc(l->body_len + 5);
        if (!buf)
                return false;
        memcpy(buf, "\\x0a", 4);
        for (size_t i = 0; i < l->body_len; i++)
                buf[4 + i] = (unsigned char) l->body[i] < 0x20 ? ' ' : l->body[i];
        buf[4 + l->body_len] = '\0';
        f->len--;       /* the record goes on: its newline comes after this line */
        if (imp_file_append(im, "/dev/kmsg", buf, l->body_len + 4) < 0) {
                f->len++;       /* the record ends where it ended */
                return false;
        }
        named_devices(im, l, buf + 4);
        im->kmsg_last_line = l->lineno;
        return true;
}

bool imp_is_lsmod_line(const char *s, size_t len) {
        size_t i = 0, fields = 0;

        if (startswith(s, "Module ") && strstr(s, "Size") && strstr(s, "Used by"))
                return true;
        /* name size count [deps] */
        while (i < len && (isalnum((unsigned char) s[i]) || s[i] == '_' || s[i] == '-'))
                i++;
        if (i == 0 || i >= len || s[i] != ' ')
                return false;
        fields = 1;
        while (fields < 3) {
                size_t start;
                while (i < len && s[i] == ' ')
                        i++;
                start = i;
                while (i < len && isdigit((unsigned char) s[i]))
                        i++;
                if (i == start || (i < len && s[i] != ' '))
                        return false;
                fields++;
        }
        while (i < len && s[i] == ' ')
                i++;
        return i == len || !memchr(s + i, ' ', len - i) || strstr(s + i, "[permanent]");
}

void imp_lsmod_line(struct gd_import *im, const struct imp_line *l) {
        char name[128], deps[1024] = "";
        unsigned long size, refs;
        _cleanup_free_ char *line = strndup(l->body, l->body_len), *out = NULL;
        int n, r;

        if (!line || startswith(line, "Module "))
                return;
        n = sscanf(line, "%127s %lu %lu %1023s", name, &size, &refs, deps);
        if (n < 3) {
                imp_warn(im, l, "lsmod line not understood; skipped");
                return;
        }
        if (n == 4 && deps[0] != '[' && deps[0] != '-')
                r = asprintf(&out, "%s %lu %lu %s, Live 0x0000000000000000", name, size, refs, deps);
        else
                r = asprintf(&out, "%s %lu %lu - Live 0x0000000000000000", name, size, refs);
        if (r >= 0)
                (void) imp_file_append(im, "/proc/modules", out, (size_t) r);
}

/* The command line the kernel booted with is in its log: "Command line:"
 * (arch/x86/kernel/setup.c, setup_arch()) and "Kernel command line:"
 * (init/main.c, start_kernel(), the same text plus what the kernel added).
 * When no /proc/cmdline was pasted, it is that. */
int imp_infer_from_log(struct gd_import *im) {
        static const char *const keys[] = { ";Kernel command line: ", ";Command line: " };
        const struct imp_file *kmsg = imp_file_find(im, "/dev/kmsg");

        if (!kmsg || imp_file_find(im, "/proc/cmdline"))
                return 0;
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                const char *p = strstr(kmsg->content, keys[k]);
                _cleanup_free_ char *line = NULL;

                if (!p)
                        continue;
                p += strlen(keys[k]);
                line = strndup(p, strcspn(p, "\n"));
                if (!line || imp_file_append(im, "/proc/cmdline", line, strlen(line)) < 0)
                        return -ENOMEM;
                imp_infer(im, "the kernel command line, from the kernel log's \"%.*s\" line", (int) (strlen(keys[k]) - 3),
                          keys[k] + 1);
                return 0;
        }
        return 0;
}
