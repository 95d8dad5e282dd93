/* SPDX-License-Identifier: MIT */
/* /sys/module: which modules the running kernel has, loaded or built in,
 * and the parameters gpudiag looks at.
 *
 * /sys/module/<name> exists for a loaded module and for a built-in one with
 * parameters or a version (kernel/params.c param_sysfs_builtin(),
 * kernel/module/sysfs.c), so it answers "is vfio_iommu_type1 there" where
 * /proc/modules (loaded modules only) and a missing kernel configuration
 * cannot.  Its parameters are the values in force, not what modprobe.d
 * asks for at the next load.  holders/ lists the loaded modules that use a
 * module: those of vfio_pci_core are vfio-pci and its variant drivers
 * (drivers/vfio/pci/Makefile: mlx5/, hisilicon/, pds/, nvgrace-gpu/ ...). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/macro.h"
#include "base/strv.h"
#include "sysmodule.h"

static const struct {
        const char *name;
        bool holders;
} modules[] = {
        { "vfio", false },
        { "vfio_iommu_type1", false },
        { "vfio_pci", false },
        { "vfio_pci_core", true },
        { "iommufd", false },
        { "kvm", false },
};

/* Parameters whose value in force decides a finding. */
static const struct {
        const char *module, *param;
} params[] = {
        { "vfio_iommu_type1", "allow_unsafe_interrupts" },
        { "iommufd", "allow_unsafe_interrupts" },
        { "vfio", "enable_unsafe_noiommu_mode" },
        /* Only with CONFIG_VFIO_PCI_VGA (drivers/vfio/pci/vfio_pci.c): its
         * absence from a listed parameters/ means no VGA region for x-vga. */
        { "vfio_pci", "disable_vga" },
        { "kvm", "ignore_msrs" },
};

static int read_module(struct gd_host *h, const char *name, bool holders, int base) {
        struct gd_sys_module *m = GROW(h->sys_modules, h->n_sys_modules);
        _cleanup_free_ char *dir = NULL, *hdir = NULL;

        if (!m || !(m->name = strdup(name)) || asprintf(&dir, "/sys/module/%s", name) < 0)
                return -ENOMEM;
        m->holders_state = -ENODATA;
        /* Without /sys/module itself (a bundle from before it was read)
         * nothing below it is known, absent least of all. */
        m->state = base < 0 ? -ENODATA : gd_io_stat(dir, NULL);
        if (m->state < 0 || !holders)
                return 0;
        if (asprintf(&hdir, "%s/holders", dir) < 0)
                return -ENOMEM;
        m->holders_state = gd_io_list(hdir, 0, &m->holders);
        return m->holders_state == -ENOMEM ? -ENOMEM : 0;
}

static int read_param(struct gd_host *h, const char *module, const char *param) {
        const struct gd_sys_module *sm = gd_host_sys_module(h, module);
        struct gd_module_param *p;
        _cleanup_free_ char *dir = NULL;
        _cleanup_strv_free_ char **names = NULL;

        if (!sm || sm->state < 0)
                return 0;
        p = GROW(h->module_params, h->n_module_params);
        if (!p || !(p->module = strdup(module)) || !(p->param = strdup(param)) ||
            asprintf(&dir, "/sys/module/%s/parameters", module) < 0)
                return -ENOMEM;
        /* The listing tells "no such parameter" from "not captured". */
        p->state = gd_io_list(dir, 0, &names);
        if (p->state == 0 && !strv_contains(names, param))
                p->state = -ENOENT;
        else if (p->state == 0)
                p->state = gd_io_read_attr(dir, param, &p->value);
        return p->state == -ENOMEM ? -ENOMEM : 0;
}

int gd_sysmodule_read(struct gd_host *h) {
        int base = gd_io_stat("/sys/module", NULL);

        for (size_t i = 0; i < ELEMENTSOF(modules); i++)
                if (read_module(h, modules[i].name, modules[i].holders, base) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(params); i++)
                if (read_param(h, params[i].module, params[i].param) < 0)
                        return -ENOMEM;
        return 0;
}
