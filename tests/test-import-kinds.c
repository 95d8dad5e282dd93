/* SPDX-License-Identifier: MIT */
/* Every kind of text issue 14 lists, from a real public paste wherever one
 * exists (fixtures/import/, each naming its report), imported and explained
 * as a user would: what the bundle must hold, and what explain must say of
 * the GPU the paste is about.  The expectations follow from the kernel's and
 * the tools' behaviour, quoted beside each case, not from gpudiag's output. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "run-program.h"
#include "testbed-run.h"

struct kind_case {
        char fixture[48];
        char bundle_has[2][96];       /* in the written bundle */
        char gpu[16];                 /* the card explain must report ("" none) */
        char verdict[12];             /* its verdict ("" any) */
        char finding[28];             /* a finding about it ("" none) */
        char absent[28];              /* a finding that must not be about it */
        char summary_has[80];         /* in import's summary (stderr) */
};

static struct kind_case cases[] = {
        /* 1. Kernel-log-only pastes. */
        /* dev_printk's prefix is the bound driver (__dev_printk()): i915 holds the VFs. */
        { "kmsg-dmesg-T-i915-vf.txt", { "E: DRIVER=i915", "" }, "0000:00:02.7", "not-ready", "driver.host-bound", "",
          "driver of 0000:00:02.7: i915, from the prefix of the kernel log line" },
        /* dmesg --reltime; AER's fatal errors and "can't recover" (drivers/pci/pcie/err.c). */
        { "kmsg-reltime-aer-fatal.txt", { "E: DRIVER=nvidia", "" }, "0000:03:00.0", "not-ready", "aer.uncorrectable", "",
          "driver of 0000:03:00.0: nvidia" },
        /* printk caller ids; the enumeration line gives IDs and class; the log's group is partial. */
        { "kmsg-caller-id-bochs.txt", { "E: PCI_ID=1234:1111", "/sys/kernel/iommu_groups/1/devices" }, "0000:00:01.0",
          "unknown", "gpu.boot-vga", "", "is the boot VGA device" },
        { "kmsg-d3cold-vfio.txt", { "E: DRIVER=vfio-pci", "" }, "0000:01:00.0", "not-ready", "power.d3cold", "", "" },
        /* A failed probe leaves no driver (really_probe()); -EINVAL without a group (vfio_group_find_or_alloc()). */
        { "kmsg-vfio-probe-einval.txt", { "E: PCI_CLASS=30000", "" }, "0001:01:00.0", "not-ready", "iommu.no-groups", "",
          "has no driver: its last probe failed" },
        /* Every device added to a group was removed again (drivers/iommu/iommu.c). */
        { "kmsg-iommu-teardown.txt", { "", "" }, "", "", "", "", "" },
        /* One printk of two lines (nv_pci_validate_bars()): dmesg indents the second
         * under the text; it is the same record (/dev/kmsg's \x0a), naming the GPU. */
        { "kmsg-nvrm-bar-continuation.txt", { "invalid:\\x0aNVRM: BAR1 is 0M @ 0x0 (PCI:0000:14:00.0)", "" },
          "0000:14:00.0", "not-ready", "guest.bar-unassigned", "", "" },
        /* "NVRM: " lines and the pre-5.16 "nvidia: probe of ADDR failed" without
         * timestamps; a GPU whose driver failed blocks whatever the role. */
        { "kmsg-nvrm-grep-bare.txt", { "nvidia: probe of 0000:01:00.0 failed with error -1", "" }, "0000:01:00.0",
          "not-ready", "guest.nvrm-init-failed", "", "" },
        /* quirk_igfx_skip_te_disable() prints only for a display-class device;
         * "No ATSR found" comes after intel_iommu_init()'s disabled exit: a log
         * that ends there does not prove the kernel left VT-d off. */
        { "kmsg-dmar-igfx-quirk.txt", { "Skip IOMMU disabling for graphics", "" }, "0000:00:02.0", "unknown", "",
          "iommu.kernel-off", "" },
        /* 2. /proc/iomem: BOOTFB inside the GPU's range (and '>>>' mail quotes, 'kernel: ' lines). */
        { "iomem-bootfb-vmwgfx-quoted.txt", { "/proc/iomem", "E: DRIVER=vmwgfx" }, "0000:00:0f.0", "not-ready",
          "fb.bar-claimed", "", "" },
        { "iomem-bootfb-igpu.txt", { "/proc/iomem", "A: boot_vga=1" }, "0000:00:02.0", "not-ready", "fb.bar-claimed", "",
          "the firmware framebuffer (BOOTFB) in its memory" },
        /* 3. Error messages of the tools around VFIO. */
        { "tools-qemu-group-not-viable.txt", { "/var/log/libvirt/qemu/pasted-messages.log", "" }, "0000:01:00.0",
          "not-ready", "vfio.group-not-viable", "", "" },
        { "tools-libvirt-vfio-not-supported.txt", { "is currently not supported on this system", "" }, "0000:01:00.0",
          "not-ready", "iommu.no-groups", "", "" },
        { "tools-proxmox-qm-start-slot-in-use.txt", { "in use by VGA", "" }, "0000:00:02.0", "", "vm.config", "", "" },
        { "tools-qemu-no-iommu-group-prose.txt", { "no iommu_group found", "" }, "0000:08:00.0", "not-ready",
          "iommu.no-groups", "", "" },
        /* EPERM from VFIO_SET_IOMMU: no interrupt remapping (vfio_iommu_type1_attach_group()). */
        { "tools-qemu-dma-map-einval.txt", { "vfio_container_dma_map", "" }, "0001:01:00.0", "not-ready",
          "vfio.dma-map-failed", "", "" },
        { "tools-libvirt-header-type-127.txt", { "Unknown PCI header type", "" }, "0000:01:00.0", "not-ready",
          "power.d3cold", "", "" },
        { "tools-qemu-region-write-busy.txt", { "vfio_region_write", "" }, "0000:26:00.0", "not-ready", "fb.bar-claimed",
          "", "" },
        /* Harvester's webhook names the device NODE-000901000 (PCIDeviceNameForHostname()). */
        { "tools-harvester-no-iommugroup.txt", { "has no iommuGroup available", "" }, "0009:01:00.0", "not-ready",
          "iommu.no-groups", "", "" },
        /* ENOENT on a vfio driver's bind file: the driver is not registered (drivers/base/bus.c). */
        { "tools-bind-enoent-variant-driver.txt", { "nvgrace-gpu-vfio-pci/bind", "" }, "0008:01:00.0", "not-ready",
          "vfio.modules-missing", "", "" },
        /* QEMU's Xen passthrough: the host device after the guest slot, and no igd-passthru. */
        { "tools-xen-pt-igd-qmp.txt", { "/proc/xen/capabilities", "" }, "0000:00:02.0", "unknown", "vm.config", "",
          "Xen dom0" },
        /* Qubes' device names (backend dom0, BB_DD.F) make the paste dom0's:
         * /sys/hypervisor/type and /proc/xen/capabilities are inferred. */
        { "qubes-salt-attach-gpu.txt", { "/proc/xen/capabilities", "P: /devices/pci0000:00/0000:00:02.0" }, "", "", "",
          "", "Xen dom0 (/sys/hypervisor/type xen, /proc/xen/capabilities control_d)" },
        /* 4. Group listings of other scripts and tools. */
        { "groups-iommu-viewer.txt", { "E: DRIVER=nvidia", "E: DRIVER=i915" }, "0000:02:00.0", "not-ready", "group.shared",
          "", "" },
        { "groups-find-type-l.txt", { "- group: 6", "0000:00:1c.4" }, "0000:04:00.0", "unknown", "", "", "" },
        { "groups-ls-l-iommu-group.txt", { "- group: 4", "0000:00:14.0" }, "", "", "", "", "" },
        /* nodedev-dumpxml: the driver libvirt read, the class, the IDs, the group's members. */
        { "libvirt-nodedev-dumpxml.txt", { "E: DRIVER=nvidia", "E: PCI_ID=10DE:2236" }, "0000:41:00.0", "not-ready",
          "driver.host-bound", "", "" },
        { "libvirt-hostdev-fragment.txt", { "/etc/libvirt/qemu/pasted.xml", "<domain type='kvm'>" }, "0000:01:00.1",
          "unknown", "", "", "" },
        { "proxmox-qm-config.txt", { "/etc/pve/qemu-server/100.conf", "hostpci3: 0000:c5:00.6" }, "0000:c5:00.0",
          "unknown", "", "", "" },
        { "proxmox-hostpci-diff.txt", { "hostpci1: 0000:34:00.1,pcie=1,romfile=AMDGopDriver.rom", "" }, "0000:34:00.0",
          "unknown", "", "", "" },
        /* Plain lspci: IDs from pci.ids by name where one pair has them. */
        { "lspci-plain-names.txt", { "E: PCI_ID=10DE:1184", "" }, "0000:01:00.0", "unknown", "", "",
          "IDs of 0000:01:00.0: 10de:1184, from its name in pci.ids" },
        { "lspci-mm.txt", { "E: PCI_ID=10DE:0E0A", "" }, "0000:01:00.0", "unknown", "", "", "" },
        /* -vmmk: Module: without Driver: in a whole record is no driver. */
        { "lspci-vmmk.txt", { "E: DRIVER=vfio-pci", "" }, "0000:01:00.0", "not-ready", "driver.unbound", "", "" },
        /* The tree alone: addresses and names, no class: no GPU can be named. */
        { "lspci-tv-alone.txt", { "P: /devices/pci0000:00/0000:00:02.0", "" }, "", "", "", "", "" },
        { "lshw-display.txt", { "E: DRIVER=vfio-pci", "E: PCI_CLASS=30200" }, "0000:17:00.0", "unknown", "", "", "" },
        /* "(rev ff)" after "(rev ef)": a later config read returned all ones. */
        { "lspci-rev-ff-after-rev.txt", { "A: revision=0xff", "" }, "0000:01:00.0", "not-ready", "power.d3cold", "",
          "0000:01:00.0 reads all ones in config space" },
        /* 5. Formatting: a fence between a group header and its devices, bullets, quotes, the listing twice. */
        { "groups-fence-and-bullets.txt", { "- group: 13", "" }, "0000:0b:00.0", "unknown", "", "", "" },
        /* A line cut mid-ID: the class is known, the IDs are not; the hint names no device. */
        { "lspci-nnk-line-cut-mid-id.txt", { "E: DRIVER=snd_hda_intel", "" }, "0000:01:00.0", "not-ready",
          "vfio.group-not-viable", "", "" },
        /* 6. Cut-short blocks: a -v block cut before its driver lines leaves the driver unknown. */
        { "lspci-v-cut-short.txt", { "/sys/bus/pci/devices/0000:21:00.0/driver", "" }, "0000:21:00.0", "unknown", "",
          "driver.unbound", "" },
        /* A whole -k block without a driver line has none; the last, cut by the paste's end, is unknown. */
        { "lspci-k-complete-no-driver.txt", { "/sys/bus/pci/devices/0000:01:00.2/driver", "" }, "0000:01:00.0",
          "not-ready", "driver.unbound", "", "" },
};

ParameterizedTestParameters(kinds, each_kind_imports_what_it_proves_and_explains_it) {
        return cr_make_param_array(struct kind_case, cases, ELEMENTSOF(cases));
}

static char *fixture_path(const char *name) {
        char *p = NULL, *rel = NULL;

        cr_assert(asprintf(&rel, "fixtures/import/%s", name) >= 0);
        p = source_path(rel);
        free(rel);
        return p;
}

/* The part of explain's JSON about the card at address: from its
 * "address" to the next card's. */
static char *card_json(const char *json, const char *address) {
        char key[48];
        const char *p, *end;

        snprintf(key, sizeof(key), "\"address\": \"%s\"", address);
        p = strstr(json, key);
        if (!p) {
                /* A label may name another function of the card. */
                snprintf(key, sizeof(key), "\"%s\"", address);
                for (const char *q = strstr(json, "\"functions\": ["); q; q = strstr(q + 1, "\"functions\": [")) {
                        const char *close = strchr(q, ']');
                        const char *hit = strstr(q, key);
                        if (hit && close && hit < close) {
                                for (p = q; p > json && strncmp(p, "\"address\"", 9) != 0; p--)
                                        ;
                                break;
                        }
                }
                if (!p)
                        return NULL;
        }
        end = strstr(p + 1, "\"address\": \"");
        {
                const char *findings = strstr(p, "\n  \"findings\"");
                if (findings && (!end || findings < end))
                        end = findings;
        }
        return strndup(p, end ? (size_t) (end - p) : strlen(p));
}

ParameterizedTest(struct kind_case *c, kinds, each_kind_imports_what_it_proves_and_explains_it) {
        _cleanup_free_ char *in = fixture_path(c->fixture), *out = NULL, *err = NULL, *bundle = NULL;
        _cleanup_free_ char *json = NULL, *jerr = NULL, *card = NULL;
        char path[] = "/tmp/gd-kinds-XXXXXX.yaml";
        int fd = mkstemps(path, 5);
        size_t len;

        cr_assert(fd >= 0);
        close(fd);
        {
                char *args[] = { (char *) "import", in, (char *) "-o", path, NULL };
                cr_assert_eq(run_gpudiag_args(args, &out, &err), 0, "%s: import: %s", c->fixture, err);
        }
        cr_assert_eq(read_file_capped(path, 64u << 20, &bundle, &len), 0);
        for (size_t i = 0; i < 2; i++)
                if (c->bundle_has[i][0])
                        cr_expect_not_null(strstr(bundle, c->bundle_has[i]), "%s: the bundle lacks '%s':\n%s", c->fixture,
                                           c->bundle_has[i], bundle);
        if (c->summary_has[0])
                cr_expect_not_null(strstr(err, c->summary_has), "%s: the summary lacks '%s':\n%s", c->fixture,
                                   c->summary_has, err);
        /* No imported bundle ever says Permission denied or "as root". */
        {
                char *args[] = { (char *) "explain", (char *) "--bundle", path, NULL };
                _cleanup_free_ char *text = NULL, *terr = NULL;

                (void) run_gpudiag_args(args, &text, &terr);
                cr_expect_null(strstr(text, "as root"), "%s: %s", c->fixture, text);
                cr_expect_null(strstr(text, "Permission denied"), "%s: %s", c->fixture, text);
        }
        {
                char *args[] = { (char *) "explain", (char *) "--bundle", path, (char *) "--format", (char *) "json", NULL };
                int rc = run_gpudiag_args(args, &json, &jerr);
                cr_assert(rc == 0 || rc == 1, "%s: explain exit %d: %s", c->fixture, rc, jerr);
        }
        unlink(path);
        if (!c->gpu[0])
                return;
        card = card_json(json, c->gpu);
        cr_assert_not_null(card, "%s: explain reports no card with %s:\n%s", c->fixture, c->gpu, json);
        if (c->verdict[0]) {
                char want[48];
                snprintf(want, sizeof(want), "\"verdict\": \"%s\"", c->verdict);
                cr_expect_not_null(strstr(card, want), "%s: %s is not %s:\n%s", c->fixture, c->gpu, c->verdict, card);
        }
        if (c->finding[0]) {
                char want[48];
                snprintf(want, sizeof(want), "\"%s\"", c->finding);
                cr_expect_not_null(strstr(card, want), "%s: no %s about %s:\n%s", c->fixture, c->finding, c->gpu, card);
        }
        if (c->absent[0]) {
                char want[48];
                snprintf(want, sizeof(want), "\"%s\"", c->absent);
                cr_expect_null(strstr(card, want), "%s: %s about %s:\n%s", c->fixture, c->absent, c->gpu, card);
        }
}

/* The log's teardown: every device added to a group was removed again, so
 * the finding is about the whole host (no GPU class is in this excerpt). */
Test(kinds, a_log_that_removes_every_device_from_its_group_is_iommu_init_failed_for_the_host) {
        _cleanup_free_ char *in = fixture_path("kmsg-iommu-teardown.txt"), *out = NULL, *err = NULL, *json = NULL;
        char path[] = "/tmp/gd-kinds-XXXXXX.yaml";
        int fd = mkstemps(path, 5);

        cr_assert(fd >= 0);
        close(fd);
        {
                char *args[] = { (char *) "import", (char *) "-q", in, (char *) "-o", path, NULL };
                cr_assert_eq(run_gpudiag_args(args, &out, &err), 0, "%s", err);
        }
        {
                char *args[] = { (char *) "explain", (char *) "--bundle", path, (char *) "--format", (char *) "json", NULL };
                (void) run_gpudiag_args(args, &json, NULL);
        }
        unlink(path);
        cr_expect_not_null(strstr(json, "\"id\": \"iommu.init-failed\""), "%s", json);
        cr_expect_not_null(strstr(json, "removes every device it added to an IOMMU group"), "%s", json);
}

/* --format json: the summary as one object on stdout, with what the verdict
 * still needs as commands. */
Test(kinds, summary_in_json_names_what_to_paste_next) {
        _cleanup_free_ char *in = fixture_path("kmsg-caller-id-bochs.txt"), *out = NULL, *err = NULL;
        char path[] = "/tmp/gd-kinds-XXXXXX.yaml";
        int fd = mkstemps(path, 5);
        char *args[] = { (char *) "import", in, (char *) "-o", path, (char *) "--format", (char *) "json", NULL };

        cr_assert(fd >= 0);
        close(fd);
        cr_assert_eq(run_gpudiag_args(args, &out, &err), 0, "%s", err);
        unlink(path);
        cr_expect_not_null(strstr(out, "\"explained\": true"), "%s", out);
        cr_expect_not_null(strstr(out, "\"verdict\": \"unknown\""), "%s", out);
        cr_expect_not_null(strstr(out, "\"command\": \"sudo dmesg | grep -iE 'DMAR-IR|AMD-Vi|remapping'\""), "%s", out);
        cr_expect_not_null(strstr(out, "\"settles\": ["), "%s", out);
        cr_expect_not_null(strstr(out, "\"inferred\": ["), "%s", out);
        cr_expect_not_null(strstr(out, "is the boot VGA device"), "%s", out);
        /* stdout is the summary, so the bundle must go to a file. */
        {
                char *bad[] = { (char *) "import", in, (char *) "--format", (char *) "json", NULL };
                _cleanup_free_ char *o = NULL, *e = NULL;
                cr_expect_eq(run_gpudiag_args(bad, &o, &e), 2);
                cr_expect_not_null(strstr(e, "give the bundle a file with -o"), "%s", e);
        }
}
