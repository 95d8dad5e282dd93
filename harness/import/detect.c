/* SPDX-License-Identifier: MIT */
/* Section detection: which kind of text each pasted line is.  A prompt line
 * ("root@pve:~# cat /etc/modprobe.d/vfio.conf") or a line naming a file just
 * before a code fence sets the context; lines with an unmistakable shape
 * (lspci device lines, group headers, hex dumps, trees, kernel log lines)
 * are recognised anywhere; everything else is prose and skipped. */
#include <ctype.h>
#include <string.h>

#include "import/import-text.h"

struct scan {
        struct gd_import *im;
        enum gd_import_kind forced, ctx, pending;
        char file[128];                 /* modprobe.d file name of ctx / pending */
        char pending_file[128];
        bool lspci_k;                   /* the prompt ran lspci with -k */
        bool in_fence;
        struct imp_dev *dev;
        /* A -k/-v block without a driver line that ended at a blank line:
         * it had no driver only if the listing goes on with a device. */
        struct imp_dev *maybe_no_driver;
        struct imp_pve pve;
        struct imp_xml xml;
        struct imp_vmm vmm;
        struct imp_lshw lshw;
        unsigned dev_indent;
        int group;
        unsigned group_indent, group_count;
        struct imp_line group_line;
        struct imp_tree *tree;
        unsigned junk_first, junk_count;
        const char *junk_file;
};

/* How a device's block of lspci -k/-v output ended.  lspci prints
 * "Kernel driver in use:" (and "Kernel modules:" after it) as the last lines
 * of a block (lspci.c show_kernel()), so a block without them had no driver
 * only when it is known to be whole: the next device's line follows.  A
 * block the paste cut off (the end of the text or of a code block, prose, a
 * grep that dropped lines) leaves the driver unknown. */
enum block_end {
        BLOCK_NEXT_DEVICE,
        BLOCK_BLANK,
        BLOCK_CUT,
};

static void driver_none_proven(struct imp_dev *d) {
        if (d->driver_known == TRI_UNKNOWN)
                d->driver_known = TRI_YES;
}

static void end_device_by(struct scan *sc, enum block_end how) {
        struct imp_dev *d = sc->dev;

        if (!d)
                return;
        imp_hex_finish(sc->im, d);
        if (sc->lspci_k || d->verbose_block) {
                if (how == BLOCK_NEXT_DEVICE)
                        driver_none_proven(d);
                else if (how == BLOCK_BLANK)
                        sc->maybe_no_driver = d;
        }
        d->verbose_block = false;
        sc->dev = NULL;
}

static void end_device(struct scan *sc) {
        end_device_by(sc, BLOCK_CUT);
}

static void end_group(struct scan *sc) {
        if (sc->group >= 0 && sc->group_count == 0)
                imp_warn(sc->im, &sc->group_line, "IOMMU group %d has no devices listed", sc->group);
        sc->group = -1;
}

static void end_blocks(struct scan *sc) {
        end_device(sc);
        end_group(sc);
}

static void flush_junk(struct scan *sc) {
        if (sc->junk_count > 0) {
                struct imp_line l = { .file = sc->junk_file, .lineno = sc->junk_first };
                imp_warn(sc->im, &l, "binary data skipped (%u line%s)", sc->junk_count, sc->junk_count > 1 ? "s" : "");
        }
        sc->junk_count = 0;
}

static void set_ctx(struct scan *sc, enum gd_import_kind k, const char *file) {
        end_blocks(sc);
        sc->ctx = k;
        snprintf(sc->file, sizeof(sc->file), "%s", file ? file : "imported.conf");
}

/* The file a command or sentence names, as a context. */
static enum gd_import_kind kind_of_path(const char *s, char *file, size_t size) {
        const char *p;

        if ((p = strstr(s, "/etc/modprobe.d/"))) {
                size_t n;
                p += strlen("/etc/modprobe.d/");
                n = strcspn(p, " \t'\"`:;|)");
                if (n > 5 && n < size && strncmp(p + n - 5, ".conf", 5) == 0 && !memchr(p, '*', n) &&
                    !memchr(p, '/', n))
                        snprintf(file, size, "%.*s", (int) n, p);
                else
                        snprintf(file, size, "imported.conf");
                return GD_IMPORT_MODPROBE;
        }
        if (strstr(s, "/etc/default/grub"))
                return GD_IMPORT_GRUB;
        if ((p = strstr(s, "/etc/modules")) && strncmp(p, "/etc/modules-load", 17) != 0)
                return GD_IMPORT_MODULES;
        if (strstr(s, "/proc/cmdline"))
                return GD_IMPORT_CMDLINE;
        return GD_IMPORT_AUTO;
}

static const char *const commands[] = {
        "lspci", "cat", "dmesg", "journalctl", "lsmod", "grep", "egrep", "for", "find", "ls", "shopt",
        "bash", "sh", "./", "less", "more", "head", "tail", "sudo", "nano", "vi", "vim", "uname",
};

/* "root@pve:~# cmd", "[user@host ~]$ cmd", "$ cmd", "# cmd" (the last
 * two only before a known command: "# blacklist nouveau" is a comment). */
static const char *prompt_command(const char *s) {
        const char *p = s, *cmd;
        bool prefix = false;

        if (*p == '[') {
                const char *close = strchr(p, ']');
                if (!close || !memchr(p, '@', (size_t) (close - p)))
                        return NULL;
                p = close + 1;
                prefix = true;
        } else {
                size_t n = strcspn(p, " \t#$%");
                if (n > 0 && (memchr(p, '@', n) || memchr(p, ':', n)))
                        prefix = true;
                else if (n > 0)
                        return NULL;
                p += n;
        }
        if (*p != '#' && *p != '$' && *p != '%')
                return NULL;
        if (p[1] != ' ')
                return NULL;
        cmd = p + 2;
        while (*cmd == ' ')
                cmd++;
        if (!*cmd)
                return prefix ? cmd : NULL;
        if (prefix)
                return cmd;
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (startswith(cmd, commands[i]) &&
                    (commands[i][strlen(commands[i]) - 1] == '/' || !isalnum((unsigned char) cmd[strlen(commands[i])])))
                        return cmd;
        return NULL;
}

/* "qm config 100", "cat /etc/pve/qemu-server/100.conf": the VMID. */
static void pve_vmid(struct scan *sc, const char *cmd) {
        const char *p = strstr(cmd, "qm config ");
        size_t n;

        if (p)
                p += strlen("qm config ");
        else if ((p = strstr(cmd, "/etc/pve/qemu-server/")))
                p += strlen("/etc/pve/qemu-server/");
        else
                return;
        n = strspn(p, "0123456789");
        if (n > 0 && n < sizeof(sc->pve.vmid)) {
                imp_pve_flush(sc->im, &sc->pve);
                snprintf(sc->pve.vmid, sizeof(sc->pve.vmid), "%.*s", (int) n, p);
        }
}

static void prompt(struct scan *sc, const char *cmd) {
        char file[128] = "";
        enum gd_import_kind k = kind_of_path(cmd, file, sizeof(file));
        const char *w = cmd;

        pve_vmid(sc, cmd);

        if (startswith(w, "sudo "))
                w += 5;
        sc->lspci_k = false;
        if (startswith(w, "dmesg") || startswith(w, "journalctl") || strstr(w, "kern.log"))
                k = GD_IMPORT_DMESG;
        else if (startswith(w, "lspci")) {
                k = GD_IMPORT_LSPCI;
                for (const char *o = strstr(w, " -"); o; o = strstr(o + 1, " -"))
                        if (o[2] != '-' && (strcspn(o + 2, " |") > strcspn(o + 2, "k") ||
                                            strcspn(o + 2, " |") > strcspn(o + 2, "v")))
                                sc->lspci_k = true;
        } else if (startswith(w, "lsmod"))
                k = GD_IMPORT_LSMOD;
        else if (k == GD_IMPORT_AUTO && strstr(cmd, "iommu"))
                k = GD_IMPORT_GROUPS;
        if (sc->forced) {
                end_blocks(sc);
                if (k == GD_IMPORT_MODPROBE && file[0])
                        snprintf(sc->file, sizeof(sc->file), "%s", file);
                if (k != GD_IMPORT_LSPCI)
                        sc->lspci_k = false;
                return;
        }
        set_ctx(sc, k, file[0] ? file : NULL);
}

static bool modules_ctx_line(const char *s) {
        size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");

        if (n == 0)
                return false;
        for (s += n; *s == ' ' || *s == '\t'; ) {
                s += strspn(s, " \t");
                if (!*s)
                        break;
                n = strcspn(s, " \t");
                if (!memchr(s, '=', n))
                        return false;
                s += n;
        }
        return *s == '\0';
}

static void file_line(struct scan *sc, enum gd_import_kind k, const struct imp_line *l) {
        _cleanup_free_ char *path = NULL;
        const char *body = l->body;

        switch (k) {
        case GD_IMPORT_MODPROBE: {
                /* grep -r output: "/etc/modprobe.d/vfio.conf:options ..." */
                const char *colon;
                if (startswith(body, "/etc/modprobe.d/") && (colon = strstr(body, ".conf:"))) {
                        path = strndup(body, (size_t) (colon + 5 - body));
                        body = colon + 6;
                } else if (asprintf(&path, "/etc/modprobe.d/%s", sc->file[0] ? sc->file : "imported.conf") < 0)
                        path = NULL;
                break;
        }
        case GD_IMPORT_GRUB:
                path = strdup("/etc/default/grub");
                break;
        default:
                path = strdup("/etc/modules");
                break;
        }
        if (path)
                (void) imp_file_append(sc->im, path, body, strlen(body));
}

static void blank_line(struct scan *sc) {
        end_device_by(sc, BLOCK_BLANK);
        end_group(sc);
        imp_pve_flush(sc->im, &sc->pve);
        imp_vmm_end(sc->im, &sc->vmm, true);
        imp_lshw_end(sc->im, &sc->lshw);
        if (sc->ctx == GD_IMPORT_GRUB || sc->ctx == GD_IMPORT_MODULES || sc->ctx == GD_IMPORT_MODPROBE) {
                _cleanup_free_ char *path = NULL;
                if (sc->ctx == GD_IMPORT_MODPROBE)
                        (void) asprintf(&path, "/etc/modprobe.d/%s", sc->file);
                else
                        path = strdup(sc->ctx == GD_IMPORT_GRUB ? "/etc/default/grub" : "/etc/modules");
                if (path)
                        imp_file_blank(sc->im, path);
        }
}

/* lspci and group listing lines; returns false when l is neither. */
static bool pci_line(struct scan *sc, const struct imp_line *l, bool groups_allowed) {
        const char *s = l->body;
        size_t len = l->body_len, rest;
        int g;

        if (groups_allowed && (g = imp_group_header(s, len, &rest, NULL)) >= 0) {
                /* The listing goes on: the block before was whole. */
                end_device_by(sc, BLOCK_NEXT_DEVICE);
                if (sc->maybe_no_driver)
                        driver_none_proven(sc->maybe_no_driver);
                sc->maybe_no_driver = NULL;
                end_group(sc);
                sc->im->have_groups = true;
                sc->group = g;
                sc->group_indent = l->indent;
                sc->group_count = 0;
                sc->group_line = *l;
                if (rest < len) {
                        /* "IOMMU Group 1 01:00.0 VGA ...": a device on the
                         * header line; only rows indented below it (ls-iommu)
                         * continue the group. */
                        struct imp_dev *d = imp_lspci_device_line(sc->im, l, s + rest, len - rest);
                        sc->group_indent = l->indent + 1;
                        sc->group_count = 1;
                        if (!d)
                                imp_warn(sc->im, l, "IOMMU group %d: no device address after the header", g);
                        else {
                                imp_group_assign(sc->im, d, g, l);
                                sc->dev = d;
                                sc->dev_indent = l->indent;
                        }
                }
                return true;
        }
        if (sc->group >= 0 && startswith(s, "USB:"))
                return true;    /* ls-iommu: a USB device of the controller above */
        if (imp_is_device_line(s, len)) {
                struct imp_dev *d;

                end_device_by(sc, BLOCK_NEXT_DEVICE);
                if (sc->maybe_no_driver)
                        driver_none_proven(sc->maybe_no_driver);
                sc->maybe_no_driver = NULL;
                if (sc->group >= 0 && l->indent < sc->group_indent)
                        end_group(sc);
                d = imp_lspci_device_line(sc->im, l, s, len);
                if (d && sc->group >= 0) {
                        imp_group_assign(sc->im, d, sc->group, l);
                        sc->group_count++;
                }
                sc->dev = d;
                sc->dev_indent = l->indent;
                return true;
        }
        if (imp_is_hex_line(s, len)) {
                if (sc->dev)
                        imp_hex_line(sc->im, sc->dev, l);
                else
                        imp_warn(sc->im, l, "config dump row without an lspci device line before it; skipped");
                return true;
        }
        if (imp_is_tree_line(s, len)) {
                end_blocks(sc);
                imp_tree_line(sc->im, sc->tree, l);
                return true;
        }
        if (sc->dev && (l->indent > sc->dev_indent || imp_lspci_detail_line(sc->im, sc->dev, l))) {
                if (l->indent > sc->dev_indent)
                        (void) imp_lspci_detail_line(sc->im, sc->dev, l);
                return true;
        }
        return false;
}

static void forced_line(struct scan *sc, const struct imp_line *l) {
        switch (sc->forced) {
        case GD_IMPORT_LSPCI:
        case GD_IMPORT_GROUPS:
                if (!pci_line(sc, l, sc->forced == GD_IMPORT_GROUPS))
                        end_blocks(sc);
                break;
        case GD_IMPORT_DMESG:
                if (!startswith(l->body, "-- "))
                        imp_dmesg_line(sc->im, l);
                break;
        case GD_IMPORT_CMDLINE:
                imp_cmdline_line(sc->im, l);
                break;
        case GD_IMPORT_LSMOD:
                if (imp_is_lsmod_line(l->body, l->body_len))
                        imp_lsmod_line(sc->im, l);
                else
                        imp_warn(sc->im, l, "not an lsmod line; skipped");
                break;
        default:
                file_line(sc, sc->forced, l);
                break;
        }
}

/* A line in the context a prompt set; false when it does not fit it. */
static bool ctx_line(struct scan *sc, const struct imp_line *l) {
        const char *s = l->body;
        size_t len = l->body_len;

        switch (sc->ctx) {
        case GD_IMPORT_DMESG:
                if (!imp_is_dmesg_line(s, len) && imp_vm_tool_line(sc->im, l))
                        return true;
                if (imp_is_dmesg_line(s, len) || (sc->in_fence && !startswith(s, "-- "))) {
                        imp_dmesg_line(sc->im, l);
                        return true;
                }
                return startswith(s, "-- ");
        case GD_IMPORT_CMDLINE:
                imp_cmdline_line(sc->im, l);
                sc->ctx = GD_IMPORT_AUTO;
                return true;
        case GD_IMPORT_LSMOD:
                if (!imp_is_lsmod_line(s, len))
                        return false;
                imp_lsmod_line(sc->im, l);
                return true;
        case GD_IMPORT_MODPROBE:
                if (s[0] != '#' && !imp_is_modprobe_line(s, len) &&
                    !(startswith(s, "/etc/modprobe.d/") && strstr(s, ".conf:")))
                        return false;
                break;
        case GD_IMPORT_GRUB:
                if (s[0] != '#' && !imp_is_grub_line(s, len))
                        return false;
                break;
        case GD_IMPORT_MODULES:
                if (s[0] != '#' && !modules_ctx_line(s))
                        return false;
                break;
        default:
                return false;
        }
        file_line(sc, sc->ctx, l);
        return true;
}

static bool auto_line(struct scan *sc, const struct imp_line *l) {
        const char *s = l->body;
        size_t len = l->body_len;
        enum gd_import_kind k = GD_IMPORT_AUTO;

        if (imp_is_dmesg_line(s, len)) {
                end_blocks(sc);
                imp_dmesg_line(sc->im, l);
                return true;
        }
        if (imp_is_mm_line(s, len)) {
                end_blocks(sc);
                imp_mm_line(sc->im, l);
                return true;
        }
        if (imp_is_iomem_line(s, len)) {
                end_blocks(sc);
                imp_iomem_line(sc->im, l);
                return true;
        }
        if (imp_vm_tool_line(sc->im, l)) {
                end_blocks(sc);
                return true;
        }
        if (imp_is_cmdline_line(s, len)) {
                end_blocks(sc);
                imp_cmdline_line(sc->im, l);
                return true;
        }
        if (imp_is_lsmod_line(s, len)) {
                set_ctx(sc, GD_IMPORT_LSMOD, NULL);
                imp_lsmod_line(sc->im, l);
                return true;
        }
        if (imp_is_modprobe_line(s, len))
                k = GD_IMPORT_MODPROBE;
        else if (imp_is_grub_line(s, len))
                k = GD_IMPORT_GRUB;
        else if (imp_is_modules_line(s, len) || startswith(s, "# /etc/modules:"))
                k = GD_IMPORT_MODULES;
        if (k == GD_IMPORT_AUTO)
                return false;
        set_ctx(sc, k, NULL);
        file_line(sc, k, l);
        return true;
}

/* Each `span` of a line of prose, scanned as a line of its own; true when
 * one was understood.  Spans are disjoint, so this stays linear. */
static bool code_spans(struct scan *sc, const struct imp_line *l) {
        const char *s = l->body, *end = l->body + l->body_len;
        bool any = false;

        for (const char *open = memchr(s, '`', (size_t) (end - s)); open; ) {
                const char *close = memchr(open + 1, '`', (size_t) (end - open - 1));
                _cleanup_free_ char *buf = NULL;
                struct imp_line span = *l;

                if (!close)
                        break;
                /* The parsers want the line to end where it ends. */
                buf = strndup(open + 1 + strspn(open + 1, " "), (size_t) (close - open - 1));
                if (!buf)
                        return any;
                buf[strcspn(buf, "`")] = '\0';
                span.text = span.body = buf;
                span.len = span.body_len = strlen(buf);
                span.indent = 0;
                if (span.body_len > 0 && !prompt_command(span.body)) {
                        if (pci_line(sc, &span, true)) {
                                end_blocks(sc);
                                any = true;
                        } else if (auto_line(sc, &span)) {
                                end_blocks(sc);
                                sc->ctx = GD_IMPORT_AUTO;
                                any = true;
                        }
                }
                open = memchr(close + 1, '`', (size_t) (end - close - 1));
        }
        return any;
}

/* A kernel log line quoted in the middle of a sentence ("SR-IOV works: xe
 * 0000:00:02.0: [drm] PF: Enabled 7 of 7 VFs"): dev_printk()'s
 * "<driver> <dddd:bb:dd.f>: " is distinctive enough to be taken from there
 * to the end of the line.  Only word starts are tried, so this is linear. */
static bool kernel_fragment(struct scan *sc, const struct imp_line *l) {
        static const char word[] = "abcdefghijklmnopqrstuvwxyz0123456789_-";

        for (size_t i = 1; i + 16 < l->body_len; i++) {
                struct imp_line frag = *l;
                size_t w;

                if (l->body[i - 1] != ' ')
                        continue;
                w = strspn(l->body + i, word);
                if (w == 0 || w > 32 || l->body[i + w] != ' ')
                        continue;
                frag.text = frag.body = l->body + i;
                frag.len = frag.body_len = l->body_len - i;
                frag.indent = 0;
                if (!imp_is_dmesg_line(frag.body, frag.body_len))
                        continue;
                end_blocks(sc);
                imp_dmesg_line(sc->im, &frag);
                return true;
        }
        return false;
}

/* A line not understood that names PCI devices still proves they exist:
 * each is recorded by its address alone (everything else about it
 * unknown), so that a paste naming the device it asks about can be
 * explained. */
static void prose_addresses(struct scan *sc, const struct imp_line *l) {
        const char *s = l->body;
        size_t len = l->body_len, off;
        char addr[13];
        unsigned n = 0;

        while (len > 0 && (off = imp_find_address(s, len, addr)) > 0) {
                struct imp_dev *d = imp_dev_find(sc->im, addr);

                if (!d || !(d->listed || d->enumerated || d->named)) {
                        if (imp_dev_named(sc->im, addr, l) && n++ == 0)
                                imp_warn(sc->im, l, "a line naming %s was not understood; only the address was taken",
                                         addr);
                }
                off += 7;
                if (off > len)
                        break;
                s += off;
                len -= off;
        }
}

static void scan_line(struct scan *sc, const struct imp_text_line *t) {
        const struct imp_line *l = &t->line;
        const char *cmd;

        if (t->binary || (t->bad_utf8 && !imp_is_dmesg_line(l->body, l->body_len) && sc->ctx != GD_IMPORT_DMESG &&
                          sc->forced != GD_IMPORT_DMESG)) {
                if (sc->junk_count++ == 0) {
                        sc->junk_first = l->lineno;
                        sc->junk_file = l->file;
                }
                return;
        }
        flush_junk(sc);
        if (t->fence) {
                /* A group header, then a code fence, then its devices: the
                 * markdown is around the listing, not between groups. */
                if (sc->group >= 0 && sc->group_count == 0)
                        end_device(sc);
                else
                        end_blocks(sc);
                imp_pve_flush(sc->im, &sc->pve);
                imp_vmm_end(sc->im, &sc->vmm, false);
                imp_lshw_end(sc->im, &sc->lshw);
                sc->maybe_no_driver = NULL;
                sc->in_fence = !sc->in_fence;
                if (sc->in_fence && sc->pending) {
                        set_ctx(sc, sc->pending, sc->pending_file);
                        sc->pending = GD_IMPORT_AUTO;
                } else if (!sc->in_fence && !sc->forced)
                        sc->ctx = GD_IMPORT_AUTO;
                return;
        }
        if (l->body_len == 0) {
                blank_line(sc);
                return;
        }
        if (!imp_is_device_line(l->body, l->body_len) && imp_group_header(l->body, l->body_len, &(size_t){ 0 }, NULL) < 0)
                sc->maybe_no_driver = NULL;
        imp_xen_line(sc->im, l);
        if (imp_dmesg_continuation(sc->im, l))
                return;
        if ((cmd = prompt_command(l->body))) {
                sc->pending = GD_IMPORT_AUTO;
                prompt(sc, cmd);
                return;
        }
        if (sc->forced) {
                forced_line(sc, l);
                return;
        }
        if (imp_vmm_line(sc->im, &sc->vmm, l))
                return;
        imp_vmm_end(sc->im, &sc->vmm, false);
        if (imp_lshw_line(sc->im, &sc->lshw, l))
                return;
        if (pci_line(sc, l, true))
                return;
        end_device(sc);
        if (imp_sysfs_group_line(sc->im, l))
                return;
        if (imp_libvirt_line(sc->im, &sc->xml, l))
                return;
        if (imp_pve_line(sc->im, &sc->pve, l))
                return;
        imp_pve_flush(sc->im, &sc->pve);
        if (ctx_line(sc, l) || auto_line(sc, l))
                return;

        /* Prose: what it quotes as `code` may be a line of a known kind
         * ("dmesg says `vfio-pci 0000:05:00.0: BAR 0: can't reserve ...`"). */
        if (code_spans(sc, l) || kernel_fragment(sc, l))
                return;
        /* Prose.  One that names a file makes the next code block that file. */
        prose_addresses(sc, l);
        end_group(sc);
        sc->ctx = GD_IMPORT_AUTO;
        sc->pending = l->body_len < 160 ? kind_of_path(l->body, sc->pending_file, sizeof(sc->pending_file)) :
                      GD_IMPORT_AUTO;
        if (sc->pending == GD_IMPORT_MODPROBE && !sc->pending_file[0])
                snprintf(sc->pending_file, sizeof(sc->pending_file), "imported.conf");
}

int gd_import_feed(struct gd_import *im, const char *name, const char *text, size_t len,
                   enum gd_import_kind forced) {
        struct imp_text_line *lines = NULL;
        size_t n = 0;
        struct scan sc = { .im = im, .forced = forced, .ctx = forced, .group = -1,
                           .vmm = { .rev = -1, .progif = -1, .group = -1 } };
        int r;

        snprintf(sc.file, sizeof(sc.file), "imported.conf");
        sc.tree = imp_tree_new();
        if (!sc.tree)
                return -ENOMEM;
        r = imp_text_split(name, text, len, &lines, &n);
        if (r < 0) {
                imp_tree_free(sc.tree);
                return r;
        }
        for (size_t i = 0; i < n; i++) {
                if (lines[i].fence_before) {
                        struct imp_text_line f = { .fence = true };
                        scan_line(&sc, &f);
                }
                scan_line(&sc, &lines[i]);
                if (lines[i].fence_after) {
                        struct imp_text_line f = { .fence = true };
                        scan_line(&sc, &f);
                }
        }
        flush_junk(&sc);
        end_blocks(&sc);
        imp_pve_flush(im, &sc.pve);
        free(sc.pve.lines);
        imp_vmm_end(im, &sc.vmm, false);
        imp_lshw_end(im, &sc.lshw);
        imp_text_free(lines, n);
        imp_tree_free(sc.tree);
        return 0;
}
