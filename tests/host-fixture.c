/* SPDX-License-Identifier: MIT */
/* The host fixture format (fixtures/hosts/README) into struct gd_host. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "host-fixture.h"
#include "host/cmdline.h"
#include "host/iomem.h"
#include "host/vmconfig.h"
#include "model/bootconfig.h"
#include "model/kmsg-signals.h"
#include "model/modconfig.h"
#include "model/vmconfig.h"
#include "model/vmlog.h"

struct loader {
        struct gd_host *h;
        const char *file;      /* for messages */
        unsigned line;
        char *iomem;           /* the iomem lines, parsed at the end */
        char **group_types;    /* "N TYPE" */
        bool groups_stated;    /* a "groups" line or a "state groups" */
};

#define fail(ld, ...) cr_assert_fail("%s:%u: %s", (ld)->file, (ld)->line, fmt_msg(__VA_ARGS__))

static const char *fmt_msg(const char *fmt, ...) {
        static char buf[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        return buf;
}

static const char *srcdir(void) {
        const char *s = getenv("GPUDIAG_SRCDIR");
        return s && *s ? s : ".";
}

/* Splits a line into words; "double quotes" keep spaces.  NULL-terminated. */
static char **words(struct loader *ld, const char *s) {
        char **v = NULL;

        while (*s) {
                char buf[1024];
                size_t n = 0;

                s += strspn(s, " \t");
                if (!*s)
                        break;
                while (*s && *s != ' ' && *s != '\t') {
                        if (*s == '"') {
                                const char *e = strchr(s + 1, '"');
                                if (!e)
                                        fail(ld, "unterminated quote");
                                if (n + (size_t) (e - s - 1) >= sizeof(buf))
                                        fail(ld, "word too long");
                                memcpy(buf + n, s + 1, (size_t) (e - s - 1));
                                n += (size_t) (e - s - 1);
                                s = e + 1;
                        } else {
                                if (n + 1 >= sizeof(buf))
                                        fail(ld, "word too long");
                                buf[n++] = *s++;
                        }
                }
                buf[n] = '\0';
                cr_assert_eq(strv_push_dup(&v, buf), 0);
        }
        if (!v)
                v = calloc(1, sizeof(char *));
        return v;
}

static int errno_of(struct loader *ld, const char *name) {
        static const struct { const char *name; int e; } table[] = {
                { "EACCES", EACCES }, { "ENOENT", ENOENT }, { "EIO", EIO }, { "EFBIG", EFBIG },
                { "ENODATA", ENODATA }, { "EPERM", EPERM },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(table[i].name, name))
                        return -table[i].e;
        fail(ld, "unknown errno '%s'", name);
        return 0;
}

static tri_t tri_of(struct loader *ld, const char *v) {
        if (streq(v, "yes") || streq(v, "1"))
                return TRI_YES;
        if (streq(v, "no") || streq(v, "0"))
                return TRI_NO;
        if (streq(v, "?"))
                return TRI_UNKNOWN;
        fail(ld, "'%s' is not yes, no, 1, 0 or ?", v);
        return TRI_UNKNOWN;
}

static unsigned long hex_of(struct loader *ld, const char *v, unsigned long max) {
        char *end;
        unsigned long x;

        errno = 0;
        x = strtoul(v, &end, 16);
        if (errno || *end || end == v || x > max)
                fail(ld, "'%s' is not a hex number up to %lx", v, max);
        return x;
}

static void set_str(char **field, const char *v) {
        free(*field);
        *field = v ? strdup(v) : NULL;
}

/* "PATH:LINE" into a source whose path lives in *paths (freed with them). */
static struct gd_source source_of(struct loader *ld, const char *spec, char ***paths) {
        const char *colon = strrchr(spec, ':');
        char *path = colon ? strndup(spec, (size_t) (colon - spec)) : strdup(spec);
        unsigned line = colon ? (unsigned) strtoul(colon + 1, NULL, 10) : 0;

        if (!path || path[0] != '/')
                fail(ld, "'%s': SOURCE[:LINE] with an absolute path expected", spec);
        for (size_t i = 0; *paths && (*paths)[i]; i++)
                if (streq((*paths)[i], path)) {
                        free(path);
                        return (struct gd_source) { (*paths)[i], line };
                }
        cr_assert_eq(strv_consume(paths, path), 0);
        return (struct gd_source) { path, line };
}

static struct gd_modconfig *modconfig(struct loader *ld) {
        struct gd_host *h = ld->h;

        if (!h->modconfig) {
                h->modconfig = calloc(1, sizeof(*h->modconfig));
                cr_assert_not_null(h->modconfig);
                h->modconfig->loaded_state = -ENODATA;
                h->modconfig->aliases_known = TRI_YES;
                h->modconfig->modload_state = 0;
        }
        return h->modconfig;
}

static struct gd_bootconfig *bootconfig(struct loader *ld) {
        struct gd_host *h = ld->h;

        if (!h->bootconfig) {
                h->bootconfig = calloc(1, sizeof(*h->bootconfig));
                cr_assert_not_null(h->bootconfig);
                h->bootconfig->next_cmdline_state = -ENODATA;
                h->bootconfig->kconfig_state = -ENODATA;
                h->bootconfig->initramfs_mtime = -1;
                h->bootconfig->newest_modconf_mtime = -1;
        }
        return h->bootconfig;
}

static struct gd_pci_dev *dev_get(struct loader *ld, const char *address) {
        struct gd_host *h = ld->h;
        struct gd_pci_dev *d;
        unsigned dom, bus, dev, fn;
        char end;

        for (size_t i = 0; i < h->n_devs; i++)
                if (streq(h->devs[i].address, address))
                        return &h->devs[i];
        if (sscanf(address, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &end) != 4 || strlen(address) != 12)
                fail(ld, "'%s' is not an address dddd:bb:dd.f", address);
        d = reallocarray(h->devs, h->n_devs + 1, sizeof(*d));
        cr_assert_not_null(d);
        h->devs = d;
        d = &d[h->n_devs++];
        *d = (struct gd_pci_dev) {
                .domain = dom, .bus = bus, .dev = dev, .func = fn,
                .iommu_group = GD_GROUP_NONE,
                .reset_method_state = -ENODATA,
                .details_read = true,
        };
        snprintf(d->address, sizeof(d->address), "%s", address);
        return d;
}

static void dev_attr(struct loader *ld, struct gd_pci_dev *d, const char *key, const char *v) {
        if (streq(key, "class") && streq(v, "?"))
                d->class_unknown = true;
        else if (streq(key, "id") && streq(v, "?"))
                d->ids_unknown = true;
        else if (streq(key, "class")) {
                d->class_code = (uint32_t) hex_of(ld, v, 0xffffff);
                d->class_unknown = false;
                d->is_bridge = gd_pci_is_bridge(d);
        } else if (streq(key, "id") || streq(key, "subsys")) {
                unsigned a, b;
                if (sscanf(v, "%4x:%4x", &a, &b) != 2)
                        fail(ld, "%s=VVVV:DDDD expected", key);
                if (streq(key, "id"))
                        d->vendor = (uint16_t) a, d->device = (uint16_t) b, d->ids_unknown = false;
                else
                        d->subsys_vendor = (uint16_t) a, d->subsys_device = (uint16_t) b, d->has_subsys = true;
        } else if (streq(key, "driver")) {
                d->driver_known = streq(v, "?") ? TRI_UNKNOWN : TRI_YES;
                set_str(&d->driver, streq(v, "-") || streq(v, "?") ? NULL : v);
        } else if (streq(key, "override"))
                set_str(&d->driver_override, streq(v, "-") ? NULL : v);
        else if (streq(key, "modalias"))
                set_str(&d->modalias, v);
        else if (streq(key, "group"))
                d->iommu_group = streq(v, "-") ? GD_GROUP_NONE : atoi(v);
        else if (streq(key, "parent"))
                set_str(&d->parent, streq(v, "-") ? NULL : v);
        else if (streq(key, "boot_vga"))
                d->boot_vga = tri_of(ld, v);
        else if (streq(key, "reset")) {
                /* "flr bus" as written; "-" absent (5.15+ hides it), "?" unreadable */
                set_str(&d->reset_method, streq(v, "-") || streq(v, "?") ? NULL : v);
                d->reset_method_state = streq(v, "-") ? -ENOENT : streq(v, "?") ? -EACCES : 0;
        } else if (streq(key, "pcie")) {
                static const struct { const char *name; unsigned type; } types[] = {
                        { "endpoint", PCI_EXP_TYPE_ENDPOINT }, { "root-port", PCI_EXP_TYPE_ROOT_PORT },
                        { "upstream", PCI_EXP_TYPE_UPSTREAM }, { "downstream", PCI_EXP_TYPE_DOWNSTREAM },
                        { "pci-bridge", PCI_EXP_TYPE_PCI_BRIDGE }, { "pcie-bridge", PCI_EXP_TYPE_PCIE_BRIDGE },
                };
                d->caps.is_pcie = streq(v, "no") ? TRI_NO : streq(v, "?") ? TRI_UNKNOWN : TRI_YES;
                if (d->caps.is_pcie == TRI_YES) {
                        size_t i;
                        for (i = 0; i < ELEMENTSOF(types) && !streq(types[i].name, v); i++)
                                ;
                        if (i == ELEMENTSOF(types))
                                fail(ld, "pcie=%s: not a port type", v);
                        d->caps.pcie_type = types[i].type;
                }
        } else if (streq(key, "acs")) {
                /* CAP/CTRL in hex, "no" without the capability, "?" unreadable */
                if (streq(v, "no") || streq(v, "?"))
                        d->caps.acs = tri_of(ld, v);
                else {
                        unsigned cap, ctrl;
                        if (sscanf(v, "%x/%x", &cap, &ctrl) != 2)
                                fail(ld, "acs=CAP/CTRL, no or ? expected");
                        d->caps.acs = TRI_YES;
                        d->caps.acs_cap = (uint16_t) cap, d->caps.acs_ctrl = (uint16_t) ctrl;
                }
        } else if (streq(key, "flr"))
                d->caps.flr = tri_of(ld, v);
        else if (streq(key, "no_soft_reset"))
                d->caps.pm_no_soft_reset = tri_of(ld, v);
        else if (streq(key, "mf"))
                d->caps.multifunction = tri_of(ld, v);
        else if (streq(key, "power"))
                set_str(&d->power_state, v);
        else if (streq(key, "d3cold"))
                d->d3cold_allowed = tri_of(ld, v);
        else if (streq(key, "name"))
                set_str(&d->device_name, v);
        else if (strncmp(key, "bar", 3) == 0 && isdigit((unsigned char) key[3]) && !key[4]) {
                unsigned long long s, e;
                unsigned index = (unsigned) (key[3] - '0');
                if (index > 6 || sscanf(v, "%llx-%llx", &s, &e) != 2 || d->n_bars >= ELEMENTSOF(d->bars))
                        fail(ld, "barN=START-END (hex), N 0-6, expected");
                d->bars[d->n_bars++] = (struct gd_bar) { .index = index, .start = s, .end = e, .flags = 0x200 };
                d->bars_read = true;
        } else if (streq(key, "bars") && streq(v, "none"))
                d->bars_read = true;    /* resource read, no memory BAR */
        else if (streq(key, "drm")) {
                char *copy = strdup(v), *save = NULL;
                d->drm = strv_free(d->drm);
                for (char *m = strtok_r(copy, ",", &save); m && !streq(m, "-"); m = strtok_r(NULL, ",", &save))
                        cr_assert_eq(strv_push_dup(&d->drm, m), 0);
                free(copy);
                d->drm_state = 1;
        } else
                fail(ld, "unknown device key '%s'", key);
}

static void parse_cmdline_into(struct loader *ld, struct gd_cmdline *c, const char *text) {
        gd_cmdline_clear(c);
        if (gd_cmdline_parse(text, c) < 0)
                fail(ld, "command line '%s' does not parse", text);
}

/* The rest of the line after n words. */
static const char *rest_after(const char *line, unsigned n) {
        const char *p = line;

        for (unsigned i = 0; i < n; i++) {
                p += strspn(p, " \t");
                p += strcspn(p, " \t");
        }
        return p + strspn(p, " \t");
}

static void apply(struct loader *ld, const char *line) {
        struct gd_host *h = ld->h;
        _cleanup_strv_free_ char **w = NULL;
        const char *k;
        size_t n;

        if (line[strspn(line, " \t")] == '#' || line[strspn(line, " \t")] == '\0')
                return;
        w = words(ld, line);
        n = strv_length(w);
        k = w[0];

        if (host_fixture_apply_guest(h, w, n, rest_after(line, 1), ld->file, ld->line))
                return;
        if (streq(k, "kernel") && n == 2)
                set_str(&h->kernel_release, w[1]);
        else if (streq(k, "cpu") && n == 2)
                set_str(&h->cpu_vendor, w[1]);
        else if (streq(k, "hypervisor") && n == 2)
                h->hypervisor = tri_of(ld, w[1]);
        else if (streq(k, "hypervisor-type") && n == 2)
                set_str(&h->hypervisor_type, w[1]);
        else if (streq(k, "dmi") && n >= 2) {
                const char *r = rest_after(line, 1), *bar = strstr(r, " | ");
                free(h->dmi_sys_vendor);
                h->dmi_sys_vendor = streq(r, "?") ? NULL : bar ? strndup(r, (size_t) (bar - r)) : strdup(r);
                set_str(&h->dmi_product_name, bar ? bar + 3 : NULL);
        } else if (streq(k, "root") && n == 2)
                h->is_root = tri_of(ld, w[1]) == TRI_YES;
        else if (streq(k, "imported") && n == 2)
                h->imported = tri_of(ld, w[1]) == TRI_YES;
        else if (streq(k, "vmlog") && n >= 2) {
                const char *text = rest_after(line, 1);
                if (!h->vmlog)
                        cr_assert_not_null(h->vmlog = calloc(1, sizeof(*h->vmlog)));
                /* As the reader keeps them: the lines that hold a signal. */
                cr_assert_eq(gd_vmlog_parse(text, strlen(text), "/var/log/libvirt/qemu/vm.log", h->vmlog), 0);
                if (h->vmlog->n_records > 0)
                        h->vmlog->records[h->vmlog->n_records - 1].line = (unsigned) h->vmlog->n_records;
        }
        else if (streq(k, "acpi") && n >= 2) {
                h->acpi_dmar = strv_contains(w, "DMAR") ? TRI_YES : TRI_NO;
                h->acpi_ivrs = strv_contains(w, "IVRS") ? TRI_YES : TRI_NO;
                h->acpi_iort = strv_contains(w, "IORT") ? TRI_YES : TRI_NO;
                if (strv_contains(w, "?"))
                        h->acpi_dmar = h->acpi_ivrs = h->acpi_iort = TRI_UNKNOWN;
        } else if (streq(k, "iommu-units")) {
                h->iommu_units = strv_free(h->iommu_units);
                for (size_t i = 1; i < n; i++)
                        cr_assert_eq(strv_push_dup(&h->iommu_units, w[i]), 0);
                h->iommu_units_state = 0;
        } else if (streq(k, "groups") && n == 2) {
                if (!streq(w[1], "missing") && !streq(w[1], "empty"))
                        fail(ld, "groups missing|empty");
                h->groups_state = streq(w[1], "missing") ? -ENOENT : 0;
                ld->groups_stated = true;
        } else if (streq(k, "group-type") && n == 3) {
                char *s = NULL;
                cr_assert_geq(asprintf(&s, "%s %s", w[1], w[2]), 0);
                cr_assert_eq(strv_consume(&ld->group_types, s), 0);
        } else if (streq(k, "cmdline")) {
                parse_cmdline_into(ld, &h->cmdline, rest_after(line, 1));
                h->cmdline_state = 0;
        } else if (streq(k, "kmsg")) {
                struct gd_kmsg_record *r = reallocarray(h->kmsg.records, h->kmsg.n_records + 1, sizeof(*r));
                cr_assert_not_null(r);
                h->kmsg.records = r;
                r[h->kmsg.n_records] = (struct gd_kmsg_record) {
                        .line = (unsigned) h->kmsg.n_records + 1, .level = -1, .text = strdup(rest_after(line, 1)),
                };
                cr_assert_not_null(r[h->kmsg.n_records].text);
                /* The signals a record holds are marked as the parser marks them. */
                r[h->kmsg.n_records].signals = gd_kmsg_signals_in(r[h->kmsg.n_records].text,
                                                                  strlen(r[h->kmsg.n_records].text));
                h->kmsg.n_records++;
                h->kmsg.n_read = h->kmsg.n_records;
                if (!h->kmsg.source)
                        h->kmsg.source = strdup("/dev/kmsg");
                h->kmsg_state = 0;
        } else if (streq(k, "kmsg-drop") && n >= 2) {
                const char *text = rest_after(line, 1);
                size_t o = 0;

                for (size_t i = 0; i < h->kmsg.n_records; i++) {
                        if (strstr(h->kmsg.records[i].text, text)) {
                                free(h->kmsg.records[i].text);
                                continue;
                        }
                        h->kmsg.records[o] = h->kmsg.records[i];
                        h->kmsg.records[o].line = (unsigned) o + 1;
                        o++;
                }
                if (o == h->kmsg.n_records)
                        fail(ld, "no kernel log record has '%s'", text);
                h->kmsg.n_records = h->kmsg.n_read = o;
        } else if (streq(k, "interrupts") && n == 2 && streq(w[1], "-")) {
                h->interrupts = mfree_str(h->interrupts);     /* none so far: the lines that follow replace them */
        } else if (streq(k, "interrupts")) {
                char *s = NULL;
                cr_assert_geq(asprintf(&s, "%s%s\n", h->interrupts ? h->interrupts : "", rest_after(line, 1)), 0);
                free(h->interrupts);
                h->interrupts = s;
                h->interrupts_state = 0;
        } else if (streq(k, "iomem")) {
                char *s = NULL;
                /* the line as /proc/iomem has it, indentation included */
                cr_assert_geq(asprintf(&s, "%s%s\n", ld->iomem ? ld->iomem : "", line + strlen("iomem ")), 0);
                free(ld->iomem);
                ld->iomem = s;
        } else if (streq(k, "state") && n == 3) {
                int e = errno_of(ld, w[2]);
                if (streq(w[1], "cmdline"))
                        h->cmdline_state = e;
                else if (streq(w[1], "kmsg"))
                        h->kmsg_state = e;
                else if (streq(w[1], "iomem"))
                        h->iomem_state = e;
                else if (streq(w[1], "interrupts"))
                        h->interrupts_state = e;
                else if (streq(w[1], "groups"))
                        h->groups_state = e, ld->groups_stated = true;
                else if (streq(w[1], "iommu-units"))
                        h->iommu_units_state = e;
                else if (streq(w[1], "pci"))
                        h->pci_state = e;
                else if (streq(w[1], "next-cmdline"))
                        bootconfig(ld)->next_cmdline_state = e;
                else if (streq(w[1], "modules"))
                        h->modules_state = e, modconfig(ld)->loaded_state = e;
                else
                        fail(ld, "state of '%s'?", w[1]);
        } else if (streq(k, "dev") && n >= 2) {
                struct gd_pci_dev *d = dev_get(ld, w[1]);
                for (size_t i = 2; i < n; i++) {
                        char *eq = strchr(w[i], '=');
                        if (!eq)
                                fail(ld, "KEY=VALUE expected, not '%s'", w[i]);
                        *eq = '\0';
                        dev_attr(ld, d, w[i], eq + 1);
                }
        } else if (streq(k, "loaded")) {
                struct gd_modconfig *m = modconfig(ld);
                m->loaded = strv_free(m->loaded);
                h->modules = strv_free(h->modules);
                m->loaded = calloc(1, sizeof(char *));
                h->modules = calloc(1, sizeof(char *));
                for (size_t i = 1; i < n; i++) {
                        cr_assert_eq(strv_push_dup(&m->loaded, w[i]), 0);
                        cr_assert_eq(strv_push_dup(&h->modules, w[i]), 0);
                }
                strv_sort(m->loaded);
                strv_sort(h->modules);
                m->loaded_state = h->modules_state = 0;
        } else if (streq(k, "alias") && n >= 2) {
                struct gd_modconfig *m = modconfig(ld);
                struct gd_alias_match *a = (struct gd_alias_match *) gd_modconfig_find_alias(m, w[1]);

                if (a) {        /* a second line for one modalias changes its answer */
                        for (size_t j = 0; j < a->n_modules; j++)
                                free(a->modules[j].name);
                        free(a->modules);
                        free(a->modalias);
                } else {
                        a = reallocarray(m->aliases, m->n_aliases + 1, sizeof(*a));
                        cr_assert_not_null(a);
                        m->aliases = a;
                        a = &a[m->n_aliases++];
                }
                *a = (struct gd_alias_match) { .modalias = strdup(w[1]), .known = TRI_YES };
                for (size_t i = 2; i < n; i++) {
                        _cleanup_strv_free_ char **flags = NULL;
                        struct gd_alias_module *am = reallocarray(a->modules, a->n_modules + 1, sizeof(*am));
                        char *save = NULL, *copy = strdup(w[i]);
                        cr_assert_not_null(am);
                        a->modules = am;
                        am = &am[a->n_modules++];
                        *am = (struct gd_alias_module) { .name = strdup(strtok_r(copy, ":", &save)), .builtin = TRI_NO };
                        for (char *f = strtok_r(NULL, ":", &save); f; f = strtok_r(NULL, ":", &save)) {
                                if (streq(f, "builtin"))
                                        am->builtin = TRI_YES;
                                else if (streq(f, "blacklisted"))
                                        am->blacklisted = true;
                                else if (streq(f, "softdep-vfio"))
                                        am->softdep_pre_vfio_pci = true;
                                else if (streq(f, "install"))
                                        am->install_command = true;
                                else
                                        fail(ld, "alias module flag '%s'?", f);
                        }
                        free(copy);
                }
        } else if (streq(k, "ids") && (n == 2 || n == 3)) {
                struct gd_modconfig *m = modconfig(ld);
                struct gd_source src = source_of(ld, n == 3 ? w[2] : "/etc/modprobe.d/vfio.conf:1", &m->config_files);
                size_t o = 0;

                /* again for one SOURCE:LINE: that line now says this */
                for (size_t i = 0; i < m->n_vfio_ids; i++) {
                        if (m->vfio_ids[i].source.path == src.path && m->vfio_ids[i].source.line == src.line) {
                                free(m->vfio_ids[i].text);
                                continue;
                        }
                        m->vfio_ids[o++] = m->vfio_ids[i];
                }
                m->n_vfio_ids = o;
                if (streq(w[1], "-"))
                        return;
                if (gd_vfio_ids_parse(w[1], &src, &m->vfio_ids, &m->n_vfio_ids) < 0)
                        fail(ld, "ids '%s'", w[1]);
        } else if (streq(k, "option") && n >= 4) {
                struct gd_modconfig *m = modconfig(ld);
                struct gd_mod_options *o = reallocarray(m->options, m->n_options + 1, sizeof(*o));
                cr_assert_not_null(o);
                m->options = o;
                m->options[m->n_options++] = (struct gd_mod_options) {
                        .module = strdup(w[1]), .options = strdup(rest_after(line, 3)),
                        .source = source_of(ld, w[2], &m->config_files),
                };
        } else if (streq(k, "modload") && n >= 3) {
                struct gd_modconfig *m = modconfig(ld);
                struct gd_modload_line *l = reallocarray(m->modload, m->n_modload + 1, sizeof(*l));
                cr_assert_not_null(l);
                m->modload = l;
                m->modload[m->n_modload++] = (struct gd_modload_line) {
                        .module = strdup(w[1]), .args = n > 3 ? strdup(rest_after(line, 3)) : NULL,
                        .source = source_of(ld, w[2], &m->modload_files),
                };
        } else if (streq(k, "install") && n >= 3) {
                struct gd_modconfig *m = modconfig(ld);
                struct gd_mod_install *in = reallocarray(m->installs, m->n_installs + 1, sizeof(*in));
                cr_assert_not_null(in);
                m->installs = in;
                m->installs[m->n_installs++] = (struct gd_mod_install) {
                        .module = strdup(w[1]), .command = strdup(rest_after(line, 2)),
                };
        } else if (streq(k, "blacklist") && n == 3) {
                struct gd_modconfig *m = modconfig(ld);
                struct gd_mod_blacklist *b = reallocarray(m->blacklists, m->n_blacklists + 1, sizeof(*b));
                cr_assert_not_null(b);
                m->blacklists = b;
                m->blacklists[m->n_blacklists++] = (struct gd_mod_blacklist) {
                        .module = strdup(w[1]), .source = source_of(ld, w[2], &m->config_files),
                };
        } else if (streq(k, "softdep") && n >= 5 && streq(w[3], "pre:")) {
                struct gd_modconfig *m = modconfig(ld);
                struct gd_mod_softdep *s = reallocarray(m->softdeps, m->n_softdeps + 1, sizeof(*s));
                cr_assert_not_null(s);
                m->softdeps = s;
                s = &s[m->n_softdeps++];
                *s = (struct gd_mod_softdep) { .module = strdup(w[1]), .source = source_of(ld, w[2], &m->config_files) };
                for (size_t i = 4; i < n; i++)
                        cr_assert_eq(strv_push_dup(&s->pre, w[i]), 0);
        } else if (streq(k, "bootloader") && n == 2) {
                static const char *const names[] = {
                        [GD_BOOTLOADER_UNKNOWN] = "unknown", [GD_BOOTLOADER_GRUB] = "grub",
                        [GD_BOOTLOADER_PROXMOX_BOOT] = "proxmox-boot", [GD_BOOTLOADER_SYSTEMD_BOOT] = "systemd-boot",
                        [GD_BOOTLOADER_KERNELSTUB] = "kernelstub",
                };
                size_t i;
                for (i = 0; i < ELEMENTSOF(names) && !streq(names[i], w[1]); i++)
                        ;
                if (i == ELEMENTSOF(names))
                        fail(ld, "bootloader '%s'?", w[1]);
                bootconfig(ld)->bootloader = (enum gd_bootloader) i;
                if (i == GD_BOOTLOADER_GRUB && !bootconfig(ld)->grub_mkconfig)
                        bootconfig(ld)->grub_mkconfig = strdup("update-grub");
        } else if (streq(k, "initramfs-tool") && n == 2) {
                bootconfig(ld)->initramfs_tool = streq(w[1], "initramfs-tools") ? GD_INITRAMFS_TOOLS :
                                                 streq(w[1], "dracut") ? GD_INITRAMFS_DRACUT :
                                                 streq(w[1], "mkinitcpio") ? GD_INITRAMFS_MKINITCPIO :
                                                 GD_INITRAMFS_UNKNOWN;
        } else if (streq(k, "next-cmdline") && n >= 2) {
                struct gd_bootconfig *b = bootconfig(ld);
                const char *colon = strrchr(w[1], ':');
                if (!colon)
                        fail(ld, "next-cmdline SOURCE:LINE TEXT");
                free(b->next_cmdline_source);
                b->next_cmdline_source = strndup(w[1], (size_t) (colon - w[1]));
                b->next_cmdline_line = (unsigned) atoi(colon + 1);
                parse_cmdline_into(ld, &b->next_cmdline, rest_after(line, 2));
                b->next_cmdline_state = 0;
        } else if (streq(k, "next-cmdline-written") && n >= 2) {
                struct gd_bootconfig *b = bootconfig(ld);
                set_str(&b->next_cmdline.raw, rest_after(line, 1));
        } else if (streq(k, "kconfig") && n == 2 && streq(w[1], "-")) {
                /* no kernel configuration at all (none in /boot, no /proc/config.gz) */
                struct gd_bootconfig *b = bootconfig(ld);
                for (size_t i = 0; i < b->n_kconfig; i++) {
                        free(b->kconfig[i].name);
                        free(b->kconfig[i].value);
                }
                b->n_kconfig = 0;
                b->kconfig_source = mfree_str(b->kconfig_source);
                b->kconfig_state = -ENOENT;
        } else if (streq(k, "kconfig") && n == 2 && strchr(w[1], '=')) {
                struct gd_bootconfig *b = bootconfig(ld);
                char *eq = strchr(w[1], '=');
                size_t i;

                *eq = '\0';
                for (i = 0; i < b->n_kconfig && !streq(b->kconfig[i].name, w[1]); i++)
                        ;
                if (i == b->n_kconfig) {
                        struct gd_kconfig_entry *e = reallocarray(b->kconfig, b->n_kconfig + 1, sizeof(*e));
                        cr_assert_not_null(e);
                        b->kconfig = e;
                        b->kconfig[b->n_kconfig++] = (struct gd_kconfig_entry) { .name = strdup(w[1]) };
                }
                set_str(&b->kconfig[i].value, eq + 1);
                if (!b->kconfig_source) {
                        char *s = NULL;
                        cr_assert_geq(asprintf(&s, "/boot/config-%s", h->kernel_release ? h->kernel_release : "unknown"), 0);
                        b->kconfig_source = s;
                }
                b->kconfig_state = 0;
        } else if ((streq(k, "initramfs") || streq(k, "modconf")) && n == 3) {
                struct gd_bootconfig *b = bootconfig(ld);
                bool initramfs = streq(k, "initramfs");
                set_str(initramfs ? &b->initramfs_path : &b->newest_modconf_path, w[1]);
                *(initramfs ? &b->initramfs_mtime : &b->newest_modconf_mtime) = strtoll(w[2], NULL, 10);
        } else if (streq(k, "vm")) {
                _cleanup_free_ char *path = NULL, *text = NULL, *source = NULL;
                bool proxmox = streq(w[1], "proxmox");
                struct gd_vmconfig *c;
                struct gd_vm vm = { 0 };

                if (n != 4 || (!proxmox && !streq(w[1], "libvirt")))
                        fail(ld, "vm proxmox VMID FILE | vm libvirt NAME FILE");
                cr_assert_geq(asprintf(&path, "%s/fixtures/vmconfig/%s", srcdir(), w[n - 1]), 0);
                if (read_file_capped(path, GD_TEXT_FILE_MAX, &text, NULL) < 0)
                        fail(ld, "cannot read %s", path);
                if (proxmox)
                        cr_assert_geq(asprintf(&source, "/etc/pve/qemu-server/%s.conf", w[2]), 0);
                else
                        cr_assert_geq(asprintf(&source, "/etc/libvirt/qemu/%s.xml", w[2]), 0);
                if ((proxmox ? gd_vmconfig_parse_proxmox(text, w[2], source, &vm)
                             : gd_vmconfig_parse_libvirt(text, source, &vm)) < 0)
                        fail(ld, "%s does not parse", path);
                if (!h->vmconfig)
                        h->vmconfig = calloc(1, sizeof(*h->vmconfig));
                c = h->vmconfig;
                cr_assert_not_null(c);
                c->vms = reallocarray(c->vms, c->n_vms + 1, sizeof(*c->vms));
                cr_assert_not_null(c->vms);
                c->vms[c->n_vms++] = vm;
                cr_assert_eq(gd_conffiles_keep(&c->files, source, text, 0), 0);
        } else if (streq(k, "file") && n >= 2) {
                /* The rest of the line is the content, "\n" a newline. */
                _cleanup_free_ char *text = strdup(rest_after(line, 2));
                char *r, *wr;

                cr_assert_not_null(text);
                for (r = wr = text; *r; r++, wr++) {
                        if (r[0] == '\\' && r[1] == 'n') {
                                *wr = '\n';
                                r++;
                        } else
                                *wr = *r;
                }
                *wr = '\0';
                cr_assert_eq(gd_conffiles_keep(&bootconfig(ld)->files, w[1], text, 0), 0);
        } else if (streq(k, "absent") && n == 2) {
                cr_assert_eq(gd_conffiles_keep(&bootconfig(ld)->files, w[1], NULL, -ENOENT), 0);
        } else
                fail(ld, "cannot read '%s'", line);
}

static int cmp_dev(const void *a, const void *b) {
        return strcmp(((const struct gd_pci_dev *) a)->address, ((const struct gd_pci_dev *) b)->address);
}

static int cmp_group(const void *a, const void *b) {
        return ((const struct gd_iommu_group *) a)->id - ((const struct gd_iommu_group *) b)->id;
}

/* Devices in address order; the groups the devices name (their group=
 * attribute: the fixture states each device's group link), with the types
 * of group-type lines. */
static void finish(struct loader *ld) {
        struct gd_host *h = ld->h;

        if (h->n_devs > 1)
                qsort(h->devs, h->n_devs, sizeof(*h->devs), cmp_dev);
        h->pci_state = h->pci_state == -ENODATA ? 0 : h->pci_state;
        for (size_t i = 0; i < h->n_devs; i++) {
                const struct gd_pci_dev *d = &h->devs[i];
                struct gd_iommu_group *g;

                if (d->iommu_group == GD_GROUP_NONE)
                        continue;
                g = (struct gd_iommu_group *) gd_host_find_group(h, d->iommu_group);
                if (!g) {
                        g = reallocarray(h->groups, h->n_groups + 1, sizeof(*g));
                        cr_assert_not_null(g);
                        h->groups = g;
                        g = &g[h->n_groups++];
                        *g = (struct gd_iommu_group) { .id = d->iommu_group, .type = strdup("DMA") };
                        for (size_t t = 0; ld->group_types && ld->group_types[t]; t++)
                                if (atoi(ld->group_types[t]) == g->id)
                                        set_str(&g->type, strchr(ld->group_types[t], ' ') + 1);
                }
                cr_assert_eq(strv_push_dup(&g->devices, d->address), 0);
        }
        if (h->n_groups > 1)
                qsort(h->groups, h->n_groups, sizeof(*h->groups), cmp_group);
        if (h->n_groups > 0 && !ld->groups_stated)
                h->groups_state = 0;
        if (ld->iomem) {
                if (gd_iomem_parse(ld->iomem, &h->iomem, &h->n_iomem) < 0)
                        cr_assert_fail("%s: the iomem lines do not parse", ld->file);
                if (h->iomem_state == -ENODATA)
                        h->iomem_state = 0;
        }
}

struct gd_host *host_fixture(const char *name, ...) {
        struct loader ld = { 0 };
        _cleanup_free_ char *path = NULL, *text = NULL;
        va_list ap;

        ld.h = gd_host_new();
        cr_assert_not_null(ld.h);
        ld.h->is_root = true;
        cr_assert_geq(asprintf(&path, "%s/fixtures/hosts/%s.host", srcdir(), name), 0);
        cr_assert_eq(read_file_capped(path, GD_TEXT_FILE_MAX, &text, NULL), 0, "cannot read %s", path);
        ld.file = path;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                ld.line++;
                apply(&ld, l);
        }
        va_start(ap, name);
        ld.file = "(test)";
        ld.line = 0;
        for (const char *l = va_arg(ap, const char *); l; l = va_arg(ap, const char *)) {
                ld.line++;
                apply(&ld, l);
        }
        va_end(ap);
        finish(&ld);
        free(ld.iomem);
        strv_free(ld.group_types);
        return ld.h;
}

void run_family(void (*family)(const struct gd_host *, const struct gd_targets *, struct gd_findings *),
                const struct gd_host *h, struct gd_findings *out) {
        struct gd_targets t = { 0 };

        cr_assert_eq(gd_targets_find(h, NULL, &t), 0);
        /* The role the checks run in, decided as gd_checks_run() decides it. */
        out->role = gd_role_of(h);
        family(h, &t, out);
        gd_targets_clear(&t);
        for (size_t i = 0; i < out->n; i++) {
                const struct gd_finding *x = &out->items[i];
                const struct gd_catalogue_entry *c = gd_catalogue_find(x->id);
                const struct gd_catalogue_variant *v = x->variant ? gd_catalogue_variant_find(x->id, x->variant) : NULL;

                cr_assert_not_null(c, "%s is not in the catalogue", x->id);
                cr_assert(!x->variant || v, "%s: variant %s is not declared", x->id, x->variant);
                cr_expect_eq(x->severity, v ? v->severity : c->severity, "%s%s%s: severity is not its row's", x->id,
                             x->variant ? "/" : "", x->variant ? x->variant : "");
                cr_expect_eq(x->effect, v ? v->effect : c->effect, "%s%s%s: effect is not its row's", x->id,
                             x->variant ? "/" : "", x->variant ? x->variant : "");
                cr_expect_not_null(x->summary, "%s: no summary", x->id);
                cr_expect_gt(x->n_evidence, 0, "%s: no evidence", x->id);
        }
}

const struct gd_finding *finding_about(const struct gd_findings *f, const char *id, const char *subject) {
        for (size_t i = 0; i < f->n; i++)
                if (streq(f->items[i].id, id) && (!subject || gd_finding_has_subject(&f->items[i], subject)))
                        return &f->items[i];
        return NULL;
}

size_t findings_count(const struct gd_findings *f, const char *id) {
        size_t n = 0;

        for (size_t i = 0; i < f->n; i++)
                n += streq(f->items[i].id, id);
        return n;
}

bool evidence_has(const struct gd_finding *x, const char *needle) {
        for (size_t i = 0; x && i < x->n_evidence; i++)
                if ((x->evidence[i].text && strstr(x->evidence[i].text, needle)) ||
                    (x->evidence[i].source && strstr(x->evidence[i].source, needle)))
                        return true;
        return false;
}
