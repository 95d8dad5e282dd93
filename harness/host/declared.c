/* SPDX-License-Identifier: MIT */
/* What is read outside the I/O seam, declared from its source.
 *
 * libpci and libkmod open files themselves, and lspci runs on a replayed
 * testbed as a program of its own: the seam (base/io.h) sees none of it, so
 * collect's recording of the reader would miss it.  Each list below names
 * the code it comes from; gd_host_read_declared() reads those paths through
 * the seam while collect records.  The lists were checked against the
 * programs themselves: strace of `gpudiag groups` (libpci 3.9.0) and of
 * `lspci -nnk` (pciutils 3.9.0), Debian 12. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/io.h"
#include "base/io-record.h"
#include "base/strv.h"
#include "host-read.h"
#include "model/modconfig.h"

#define SYS_PCI_DEVICES "/sys/bus/pci/devices"
/* Where collect puts the lines of modules.alias (doc/bundle-format.md). */
#define ALIASES_CONF "/usr/lib/modprobe.d/gpudiag-aliases.conf"

/* libpci, as host/pci.c uses it (PCI_ACCESS_SYS_BUS_PCI, pci_scan_bus(),
 * pci_fill_info(PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT |
 * PCI_FILL_SUBSYS)): pciutils lib/sysfs.c sysfs_scan() lists
 * /sys/bus/pci/devices; sysfs_fill_info() reads one attribute per field
 * asked (sysfs_get_value()), and pci_generic_fill_info() takes a missing one
 * from the configuration space. */
static const char *const libpci_attrs[] = {
        "vendor", "device", "class", "revision", "subsystem_vendor", "subsystem_device", NULL,
};

/* lspci -nnk on a replayed testbed (the bundle's `lspci` view, and the
 * discovery oracle): lspci.c scan_device() reads the configuration header
 * (pci_read_block()), PCI_FILL_LABEL the label, and ls-kernel.c
 * show_kernel() the driver link (PCI_FILL_DRIVER; the testbed creates
 * /sys/bus/pci/drivers/<name> from it) and modalias for "Kernel modules". */
static const char *const lspci_attrs[] = { "config", "label", "modalias", NULL };
static const char *const lspci_links[] = { "driver", NULL };

static int read_pci(const struct gd_host *h) {
        _cleanup_strv_free_ char **names = NULL;

        (void) gd_io_list(SYS_PCI_DEVICES, 0, &names);
        for (size_t i = 0; i < h->n_devs; i++) {
                _cleanup_free_ char *dir = path_join(SYS_PCI_DEVICES, h->devs[i].address);

                if (!dir)
                        return -ENOMEM;
                for (size_t k = 0; libpci_attrs[k]; k++) {
                        _cleanup_free_ char *v = NULL;
                        (void) gd_io_read_attr(dir, libpci_attrs[k], &v);
                }
                for (size_t k = 0; lspci_attrs[k]; k++) {
                        _cleanup_free_ char *p = path_join(dir, lspci_attrs[k]), *v = NULL;
                        if (!p)
                                return -ENOMEM;
                        (void) gd_io_read(p, streq(lspci_attrs[k], "config") ? GD_CAP_CONFIG_SPACE : GD_CAP_ATTR,
                                          &v, NULL);
                }
                for (size_t k = 0; lspci_links[k]; k++) {
                        _cleanup_free_ char *p = path_join(dir, lspci_links[k]), *v = NULL;
                        if (!p)
                                return -ENOMEM;
                        (void) gd_io_readlink(p, &v);
                }
        }
        return 0;
}

/* The modules this host's devices resolve to (host/modules.c asked libkmod
 * about each). */
static int alias_modules(const struct gd_modconfig *m, char ***ret) {
        for (size_t i = 0; i < m->n_aliases; i++)
                for (size_t k = 0; k < m->aliases[i].n_modules; k++) {
                        const char *name = m->aliases[i].modules[k].name;
                        if (!strv_contains(*ret, name) && strv_push_dup(ret, name) < 0)
                                return -ENOMEM;
                }
        return 0;
}

/* "kernel/drivers/vfio/pci/vfio-pci.ko" names vfio_pci. */
static bool builtin_line_names(const char *line, size_t n, char * const *modules) {
        const char *base = memrchr(line, '/', n);
        char name[256];
        size_t len;

        base = base ? base + 1 : line;
        len = (size_t) (line + n - base);
        if (len > 3 && memcmp(base + len - 3, ".ko", 3) == 0)
                len -= 3;
        if (len == 0 || len >= sizeof(name))
                return false;
        memcpy(name, base, len);
        name[len] = '\0';
        for (size_t i = 0; modules && modules[i]; i++)
                if (gd_modname_eq(modules[i], name))
                        return true;
        return false;
}

/* modules.alias is megabytes and libkmod reads the binary index built from
 * it, which a bundle does not carry: the "alias" lines whose pattern
 * matches a present device's modalias stand in for it, as a modprobe.d file
 * that libkmod reads through its config paths on replay (config aliases are
 * honoured before the index, see fixtures/modconfig). */
static int read_aliases(const struct gd_host *h, const char *dir) {
        _cleanup_free_ char *path = path_join(dir, "modules.alias"), *text = NULL, *out = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        if (!path)
                return -ENOMEM;
        r = gd_io_read(path, GD_CAP_MODULES_ALIAS, &text, NULL);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        gd_io_record_drop(path);
        f = open_memstream(&out, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "# gpudiag collect: the lines of %s/%s/modules.alias that match this host's devices\n",
                gd_configpath(GD_LIB_MODULES), h->kernel_release);
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char pat[512], mod[256];

                if (!startswith(l, "alias pci:") || sscanf(l, "alias %511s %255s", pat, mod) != 2)
                        continue;
                for (size_t i = 0; i < h->n_devs; i++)
                        if (h->devs[i].modalias && fnmatch(pat, h->devs[i].modalias, 0) == 0) {
                                fprintf(f, "alias %s %s\n", pat, mod);
                                break;
                        }
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        return gd_io_record_add(ALIASES_CONF, out, size, -1);
}

/* modules.builtin (text; libkmod reads modules.builtin.bin): for people,
 * the lines of the modules this host's devices resolve to. */
static int read_builtin(const char *dir, char * const *modules) {
        _cleanup_free_ char *path = path_join(dir, "modules.builtin"), *text = NULL;
        char *w;
        int r;

        if (!path)
                return -ENOMEM;
        r = gd_io_read(path, GD_CAP_TEXT, &text, NULL);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        w = text;
        for (char *p = text; *p; ) {
                char *nl = strchrnul(p, '\n');
                size_t n = (size_t) (nl - p);

                if (builtin_line_names(p, n, modules)) {
                        memmove(w, p, n);
                        w += n;
                        *w++ = '\n';
                }
                p = *nl ? nl + 1 : nl;
        }
        gd_io_record_keep(path, text, (size_t) (w - text));
        return 0;
}

/* libkmod (kmod 30): kmod_module_new_from_loaded() reads /proc/modules,
 * kmod_module_get_initstate() /sys/module/<name>/initstate of the modules
 * host/modules.c asks about, kmod_new() the configuration directories and
 * modules.softdep (read through the seam by host/modules-provenance.c),
 * kmod_load_resources() the binary indexes of /lib/modules/<release>. */
static int read_kmod(const struct gd_host *h) {
        _cleanup_strv_free_ char **modules = NULL;
        _cleanup_free_ char *dir = NULL, *loaded = NULL;
        const char *release = h->kernel_release;
        int r;

        (void) gd_io_read(gd_hostpath(GD_PROC_MODULES)->path, GD_CAP_TEXT, &loaded, NULL);
        if (!h->modconfig)
                return 0;
        r = alias_modules(h->modconfig, &modules);
        if (r < 0)
                return r;
        for (size_t i = 0; modules && modules[i]; i++) {
                _cleanup_free_ char *p = NULL, *v = NULL;

                if (asprintf(&p, "/sys/module/%s", modules[i]) < 0)
                        return -ENOMEM;
                (void) gd_io_read_attr(p, "initstate", &v);
        }
        if (!release || !*release || strchr(release, '/') || streq(release, ".."))
                return 0;
        dir = gd_config_path_join(GD_LIB_MODULES, release);
        if (!dir)
                return -ENOMEM;
        r = read_aliases(h, dir);
        if (r >= 0)
                r = read_builtin(dir, modules);
        return r;
}

int gd_host_read_declared(const struct gd_host *h) {
        int r;

        if (!h)
                return -EINVAL;
        r = read_pci(h);
        if (r >= 0)
                r = read_kmod(h);
        return r;
}
