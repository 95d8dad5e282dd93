/* SPDX-License-Identifier: MIT */
/* The module configuration reader against fixtures/modconfig/<case>/, a
 * config root (etc/modprobe.d, etc/modules, lib/modules/<release>).
 *
 * libkmod reads only the binary indexes (modules.dep.bin, modules.alias.bin,
 * modules.builtin.bin, ...), never modules.alias or modules.builtin as text.
 * The fixture keeps the text sources; each test copies it to a temporary
 * root and runs `depmod -b` there to build the indexes.  Device aliases come
 * from "alias" lines in the fixture's usr/lib/modprobe.d, because depmod
 * takes modules.alias from .ko files the fixture does not have.
 *
 * The release is passed in, so /proc/sys/kernel/osrelease is not read.  The
 * build machine's own /proc/cmdline and /proc/modules still reach libkmod,
 * so the tests look for fixture items and never count entries. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hostpaths.h"
#include "base/macro.h"
#include "host/modules.h"
#include "model/modconfig.h"

#define RELEASE "6.1.0-gd"
#define NVIDIA_VGA "pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00"
#define NVIDIA_HDA "pci:v000010DEd00001AEFsv00001458sd0000403Bbc04sc03i00"
#define INTEL_NIC  "pci:v00008086d00001533sv00008086sd00000001bc02sc00i00"
#define VFIO_ALIAS "vfio_pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00"

static char root[] = "/tmp/gd-modconfig-XXXXXX";

static const char *find_depmod(void) {
        static const char *const c[] = { "/usr/sbin/depmod", "/sbin/depmod", "/usr/bin/depmod", "/bin/depmod" };
        for (size_t i = 0; i < ELEMENTSOF(c); i++)
                if (access(c[i], X_OK) == 0)
                        return c[i];
        return NULL;
}

static void run(const char *fmt, ...) _printf_(1, 2);
static void run(const char *fmt, ...) {
        _cleanup_free_ char *cmd = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&cmd, fmt, ap);
        va_end(ap);
        cr_assert_geq(r, 0);
        r = system(cmd);
        cr_assert_eq(r, 0, "%s: %d", cmd, r);
}

/* Copies fixtures/modconfig/<name> to a temporary config root and builds the
 * module indexes of RELEASE there. */
static void setup_root(const char *name) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        const char *depmod = find_depmod();

        if (!depmod)
                cr_skip_test("depmod not installed");
        cr_assert_not_null(src, "GPUDIAG_SRCDIR not set");
        cr_assert_not_null(mkdtemp(root));
        run("cp -a '%s/fixtures/modconfig/%s/.' '%s/'", src, name, root);
        run("'%s' -b '%s' " RELEASE " 2>/dev/null", depmod, root);
        gd_config_root_set(root);
}

static void teardown_root(void) {
        gd_config_root_set(NULL);
        if (strcmp(root, "/tmp/gd-modconfig-XXXXXX") != 0)
                run("rm -rf '%s'", root);
}

static struct gd_modconfig *read_host(const char *release) {
        char *aliases[] = { NVIDIA_VGA, NVIDIA_HDA, INTEL_NIC, VFIO_ALIAS, NULL };
        struct gd_modconfig *m = NULL;

        cr_assert_eq(gd_modconfig_read(release, aliases, &m), 0);
        cr_assert_not_null(m);
        return m;
}

static void assert_source(const struct gd_source *s, const char *file, unsigned line) {
        cr_assert_not_null(s->path, "no source for %s:%u", file, line);
        cr_assert(strlen(s->path) >= strlen(file) &&
                  streq(s->path + strlen(s->path) - strlen(file), file), "%s is not %s", s->path, file);
        cr_assert_eq(s->line, line, "%s: line %u, not %u", s->path, s->line, line);
}

static const struct gd_alias_module *alias_module(const struct gd_alias_match *a, const char *name) {
        for (size_t i = 0; a && i < a->n_modules; i++)
                if (gd_modname_eq(a->modules[i].name, name))
                        return &a->modules[i];
        return NULL;
}

TestSuite(modconfig, .init = NULL, .fini = teardown_root);

Test(modconfig, softdep_pre_vfio_pci_is_seen) {
        _cleanup_modconfig_ struct gd_modconfig *m = NULL;
        const struct gd_mod_softdep *s;
        const struct gd_alias_module *am;

        setup_root("vfio-host");
        m = read_host(RELEASE);

        s = gd_modconfig_find_softdep(m, "nouveau");
        cr_assert_not_null(s);
        cr_assert(gd_softdep_has_pre(s, "vfio_pci"));
        cr_assert_str_eq(s->pre[0], "vfio-pci"); /* as written */
        assert_source(&s->source, "/etc/modprobe.d/vfio.conf", 3);

        s = gd_modconfig_find_softdep(m, "snd-hda-intel");
        cr_assert_not_null(s);
        cr_assert(gd_softdep_has_pre(s, "vfio-pci"));
        assert_source(&s->source, "/etc/modprobe.d/vfio.conf", 4);

        /* And per device, through its modalias. */
        am = alias_module(gd_modconfig_find_alias(m, NVIDIA_HDA), "snd_hda_intel");
        cr_assert_not_null(am);
        cr_assert(am->softdep_pre_vfio_pci);
        am = alias_module(gd_modconfig_find_alias(m, NVIDIA_VGA), "nvidiafb");
        cr_assert_not_null(am);
        cr_assert_not(am->softdep_pre_vfio_pci);
        cr_assert(am->install_command);
}

Test(modconfig, vfio_pci_ids_from_options_with_dash_or_underscore) {
        _cleanup_modconfig_ struct gd_modconfig *m = NULL;
        static const struct { const char *text; bool valid, effective; const char *file; unsigned line; } want[] = {
                { "10de:2204", true, false, "/etc/modprobe.d/vfio.conf", 2 },
                { "10de:1aef", true, false, "/etc/modprobe.d/vfio.conf", 2 },
                { "1002:73bf", true, true, "/etc/modprobe.d/zz-vfio-amd.conf", 2 },
                { "10de-2684", false, true, "/etc/modprobe.d/zz-vfio-amd.conf", 2 },
        };
        size_t found = 0;

        setup_root("vfio-host");
        m = read_host(RELEASE);

        for (size_t i = 0; i < m->n_vfio_ids; i++) {
                const struct gd_vfio_id *v = &m->vfio_ids[i];
                /* The build machine's command line could add vfio-pci.ids=. */
                if (!v->source.path || streq(v->source.path, "/proc/cmdline"))
                        continue;
                cr_assert_lt(found, ELEMENTSOF(want));
                cr_assert_str_eq(v->text, want[found].text);
                cr_assert_eq(v->valid, want[found].valid, "%s", v->text);
                assert_source(&v->source, want[found].file, want[found].line);
                found++;
        }
        cr_assert_eq(found, ELEMENTSOF(want));
        cr_assert_eq(m->vfio_ids[0].vendor, 0x10de);
        cr_assert_eq(m->vfio_ids[0].device, 0x2204);
        cr_assert_eq(m->vfio_ids[0].subvendor, 0xffffffffu);
        cr_assert_eq(m->vfio_ids[3].n_fields, 1);
}

Test(modconfig, blacklist_stops_alias_but_not_explicit_load) {
        _cleanup_modconfig_ struct gd_modconfig *m = NULL;
        const struct gd_mod_blacklist *b;
        const struct gd_alias_match *a;
        const struct gd_alias_module *am;
        bool listed = false;

        setup_root("vfio-host");
        m = read_host(RELEASE);

        b = gd_modconfig_find_blacklist(m, "nouveau");
        cr_assert_not_null(b);
        assert_source(&b->source, "/etc/modprobe.d/blacklist-gpu.conf", 1);

        /* The alias still resolves to nouveau; the flag says modprobe will
         * skip it for this alias. */
        a = gd_modconfig_find_alias(m, NVIDIA_VGA);
        cr_assert_not_null(a);
        cr_assert_eq(a->known, TRI_YES);
        am = alias_module(a, "nouveau");
        cr_assert_not_null(am);
        cr_assert(am->blacklisted);
        cr_assert_eq(am->builtin, TRI_NO);

        /* An explicit load line is kept as written, blacklist or not. */
        for (size_t i = 0; i < m->n_modload; i++)
                if (streq(m->modload[i].module, "nouveau")) {
                        assert_source(&m->modload[i].source, "/etc/modules-load.d/gpu.conf", 2);
                        listed = true;
                }
        cr_assert(listed);

        /* A device no configuration names: known to resolve to nothing. */
        a = gd_modconfig_find_alias(m, INTEL_NIC);
        cr_assert_not_null(a);
        cr_assert_eq(a->known, TRI_YES);
        cr_assert_eq(a->n_modules, 0);

        /* modules.builtin.modinfo gave vfio_pci's alias, modules.builtin its state. */
        am = alias_module(gd_modconfig_find_alias(m, VFIO_ALIAS), "vfio_pci");
        cr_assert_not_null(am);
        cr_assert_eq(am->builtin, TRI_YES);
}

Test(modconfig, missing_modules_alias_leaves_aliases_unknown) {
        _cleanup_modconfig_ struct gd_modconfig *m = NULL;
        const struct gd_alias_match *a;

        setup_root("vfio-host");
        /* A release with no lib/modules/<release>, as on a host whose
         * kernel came without modules (or a bundle without them). */
        m = read_host("6.9.9-absent");

        cr_assert_eq(m->resources_state, -ENOENT);
        cr_assert_eq(m->aliases_known, TRI_UNKNOWN);

        a = gd_modconfig_find_alias(m, INTEL_NIC);
        cr_assert_not_null(a);
        cr_assert_eq(a->known, TRI_UNKNOWN);
        cr_assert_eq(a->n_modules, 0);

        /* A configuration alias is an answer without the indexes ... */
        a = gd_modconfig_find_alias(m, NVIDIA_VGA);
        cr_assert_eq(a->known, TRI_YES);
        cr_assert_eq(alias_module(a, "nouveau")->builtin, TRI_UNKNOWN);

        /* ... and the configuration itself is still read. */
        cr_assert_not_null(gd_modconfig_find_blacklist(m, "nouveau"));
        cr_assert_geq(m->n_vfio_ids, 4);
}

Test(modconfig, vfio_virqfd_line_in_etc_modules_is_recorded) {
        _cleanup_modconfig_ struct gd_modconfig *m = NULL;
        static const char *const want[] = { "vfio", "vfio_iommu_type1", "vfio_pci", "vfio_virqfd", "nouveau" };

        setup_root("vfio-host");
        m = read_host(RELEASE);

        cr_assert_eq(m->modload_state, 0);
        cr_assert_eq(m->n_modload, ELEMENTSOF(want));
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                cr_assert_str_eq(m->modload[i].module, want[i]);
        assert_source(&m->modload[3].source, "/etc/modules", 5);
        cr_assert_null(m->modload[3].args);
}

Test(modconfig, loaded_modules_state_is_set) {
        _cleanup_modconfig_ struct gd_modconfig *m = NULL;

        setup_root("vfio-host");
        m = read_host(RELEASE);
        /* Either the list of this machine's /proc/modules or why not. */
        if (m->loaded_state == 0)
                cr_assert_not_null(m->loaded);
        else
                cr_assert_null(m->loaded);
        cr_assert_neq(m->loaded_state, -ENODATA);
}
