/* SPDX-License-Identifier: MIT */
/* gpudiag import: every pasted format becomes the facts it proves, a messy
 * paste imports the same bundle as a clean one, and the imported bundle
 * replays into what lspci and gpudiag see. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "config.h"
#include "testbed-run.h"

static char *fixture(const char *name) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        char *p;

        cr_assert(asprintf(&p, "%s/fixtures/import/%s", src && *src ? src : ".", name) >= 0);
        return p;
}

static char *slurp(const char *path) {
        char *s = NULL;
        size_t len;

        cr_assert_eq(read_file_capped(path, 64u << 20, &s, &len), 0, "cannot read %s", path);
        return s;
}

/* Runs gpudiag with argv (NULL-terminated, without the program), stdin from
 * in_path (or /dev/null); returns the exit status, stderr in *ret_err. */
static int run_gpudiag(char *const *args, const char *in_path, char **ret_out, char **ret_err) {
        char out_tmpl[] = "/tmp/gd-import-out-XXXXXX", err_tmpl[] = "/tmp/gd-import-err-XXXXXX";
        int out_fd = mkstemp(out_tmpl), err_fd = mkstemp(err_tmpl), status;
        char *argv[32] = { (char *) gpudiag_binary() };
        posix_spawn_file_actions_t fa;
        size_t n = 1;
        pid_t pid;

        cr_assert(out_fd >= 0 && err_fd >= 0);
        for (; args[n - 1] && n < 31; n++)
                argv[n] = args[n - 1];
        argv[n] = NULL;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, in_path ? in_path : "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
        cr_assert_eq(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
        posix_spawn_file_actions_destroy(&fa);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        close(out_fd);
        close(err_fd);
        if (ret_out)
                *ret_out = slurp(out_tmpl);
        *ret_err = slurp(err_tmpl);
        unlink(out_tmpl);
        unlink(err_tmpl);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Imports fixture name (read as kind as, when set) and, when companion is
 * set, that fixture too (detected) to a temporary bundle; asserts exit 0
 * and returns the bundle's path. */
static char *import_fixtures(const char *name, const char *as, const char *companion, char **ret_err) {
        _cleanup_free_ char *in = fixture(name), *in2 = companion ? fixture(companion) : NULL, *err = NULL;
        char *out = strdup("/tmp/gd-import-XXXXXX.yaml");
        int fd = mkstemps(out, 5), rc;
        char *args[16] = { "import" };
        size_t n = 1;

        cr_assert(fd >= 0);
        close(fd);
        if (as) {
                args[n++] = "--as";
                args[n++] = (char *) as;
        }
        args[n++] = in;
        if (in2) {
                args[n++] = "--as";
                args[n++] = "auto";
                args[n++] = in2;
        }
        args[n++] = "-o";
        args[n++] = out;
        args[n++] = "--source";
        args[n++] = "test";
        args[n] = NULL;
        rc = run_gpudiag(args, NULL, NULL, &err);
        cr_assert_eq(rc, 0, "import %s: exit %d: %s", name, rc, err);
        if (ret_err)
                *ret_err = TAKE_PTR(err);
        return out;
}

static char *import_fixture(const char *name, const char *as, char **ret_err) {
        return import_fixtures(name, as, NULL, ret_err);
}

static size_t count(const char *haystack, const char *needle) {
        size_t n = 0;
        for (const char *p = haystack; p && (p = strstr(p, needle)); p++)
                n++;
        return n;
}

struct format_case {
        char fixture[48];
        char as[16];
        int devices;            /* P: records */
        int groups;             /* -1: no iommu_groups key */
        int unknown_drivers;    /* entries under unreadable: */
        char path[48];          /* a file that must be there ("" none) */
        char contains[160];     /* in that file, or in the recording when path is "" */
};

/* A bundle needs a PCI device: the formats that prove none are imported
 * together with lspci-x.txt (one device, driver unknown).  Without a group
 * listing /sys/kernel/iommu_groups is unreadable too. */
static struct format_case formats[] = {
        { "lspci-nn.txt", "", 19, -1, 20, "", "P: /devices/pci0000:01/0000:01:00.0" },
        { "lspci-D-nnk.txt", "", 19, -1, 1, "", "L: driver=../../../bus/pci/drivers/vfio-pci" },
        { "lspci-nnv.txt", "", 19, 10, 0, "", "P: /devices/pci0000:00/0000:00:01.0/0000:01:00.3" },
        { "lspci-vvnnk.txt", "", 2, 1, 0, "", "P: /devices/pci0000:00/0000:00:01.0/0000:01:00.0\nE: DRIVER=vfio-pci\nE: MODALIAS=pci:v000010DEd00001E07sv000010DEsd000012FAbc03sc00i00" },
        { "lspci-x.txt", "", 1, -1, 2, "", "H: config=DE10071E0000100" },
        { "lspci-xxx.txt", "", 1, -1, 2, "", "A: class=0x040300" },
        { "lspci-xxxx.txt", "", 1, -1, 2, "", "A: subsystem_device=0x12fa" },
        { "lspci-tree.txt", "", 19, -1, 20, "", "P: /devices/pci0000:00/0000:00:1d.0/0000:02:00.0" },
        { "lspci-nkk-numeric.txt", "", 1, -1, 1, "", "P: /devices/pci0000:01/0000:01:00.0\nE: DRIVER=vfio-pci\nE: PCI_CLASS=30000\nE: PCI_ID=1002:67DF" },
        { "groups-listing.txt", "", 19, 10, 19, "", "P: /devices/pci0000:00/0000:00:1f.6" },
        { "groups-oneline.txt", "", 19, 10, 19, "", "P: /devices/pci0000:00/0000:00:17.0" },
        { "groups-oneline-3d.txt", "", 4, 2, 4, "", "E: PCI_CLASS=30200\nE: PCI_ID=10DE:11E1" },
        { "groups-ls-iommu.txt", "", 9, 7, 9, "", "P: /devices/pci0000:00/0000:00:14.2\nE: PCI_CLASS=50000\nE: PCI_ID=8086:43EF" },
        { "groups-caps-numbered.txt", "", 6, 5, 6, "", "P: /devices/pci0000:01/0000:01:00.1\nE: PCI_CLASS=40300\nE: PCI_ID=10DE:228E" },
        { "groups-dmar-tree.txt", "", 5, 4, 5, "", "P: /devices/pci0000:03/0000:03:00.0\nE: PCI_CLASS=30000\nE: PCI_ID=1A03:2000" },
        { "groups-shared-sata.txt", "", 5, 2, 0, "", "L: driver=../../../bus/pci/drivers/ahci" },
        /* The prose line naming 2a:00.0 records that device by its address. */
        { "markdown-bold.txt", "", 4, 1, 2, "", "P: /devices/pci0000:29/0000:29:00.0\nE: DRIVER=nvidia" },
        { "dmesg-enumeration.txt", "", 5, -1, 6, "", "P: /devices/pci0000:60/0000:60:05.2/0000:61:00.0/0000:62:00.0\nE: PCI_CLASS=30000\nE: PCI_ID=1A03:2000" },
        { "dmesg-enumeration.txt", "", 5, -1, 6, "", "P: /devices/pci0000:e1/0000:e1:00.0\nE: PCI_CLASS=30200\nE: PCI_ID=10DE:2321" },
        /* The driver from the prefix of the vfio-pci lines (inferred). */
        { "dmesg-bare-lines.txt", "", 1, -1, 1, "/dev/kmsg", "6,0,0,-;AMD-Vi: Interrupt remapping enabled\n6,1,0,-;pci 0000:0d:00.0: [1002:687f] type 00 class 0x030000\n6,2,0,-;vfio-pci 0000:0d:00.0: SMU error 0x0\n" },
        /* The log names 00:00.2, 00:01.0, 0b:00.0, 0b:00.1: devices by address, in groups 0 and 14 whose
         * other members the log does not show (their devices directories unknown). */
        { "dmesg-amd-vi.txt", "", 5, 2, 6, "/dev/kmsg", "6,3,433107,-;pci 0000:00:00.2: AMD-Vi: IOMMU performance counters supported\n" },
        /* vfio-pci's line names the device the lspci -x companion shows: its driver. */
        { "journalctl-k.txt", "", 1, -1, 1, "/dev/kmsg", "6,3,0,-;vfio-pci 0000:01:00.0: BAR 1: can't reserve" },
        { "cmdline-boot-image.txt", "", 1, -1, 2, "/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:1e07,10de:10f7\n" },
        { "cmdline-params.txt", "", 1, -1, 2, "/proc/cmdline", "root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet amd_iommu=on" },
        { "modprobe-vfio.txt", "", 1, -1, 2, "/etc/modprobe.d/vfio.conf", "disable_vga=1\n\nsoftdep amdgpu pre: vfio-pci\n" },
        { "modprobe-vfio.txt", "", 1, -1, 2, "/etc/modprobe.d/pve-blacklist.conf", "blacklist nvidiafb\nblacklist amdgpu\n" },
        { "grub-default.txt", "", 1, -1, 2, "/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n" },
        { "modules-etc.txt", "", 1, -1, 2, "/etc/modules", "vfio_pci\nvfio_virqfd\n" },
        { "lsmod-vfio.txt", "", 1, -1, 2, "/proc/modules", "vfio 65536 3 vfio_pci_core,vfio_iommu_type1,vfio_pci, Live 0x0000000000000000\n" },
        { "lsmod-vfio.txt", "lsmod", 1, -1, 2, "/proc/modules", "vfio_pci 16384 0 - Live 0x0000000000000000\n" },
        { "cmdline-boot-image.txt", "modprobe", 1, -1, 2, "/etc/modprobe.d/imported.conf", "\nBOOT_IMAGE=" },
};

/* Formats that prove no PCI device of their own. */
static bool needs_companion(const struct format_case *c) {
        static const char *const alone[] = {
                "dmesg-amd-vi.txt", "journalctl-k.txt", "cmdline-boot-image.txt", "cmdline-params.txt",
                "modprobe-vfio.txt", "grub-default.txt", "modules-etc.txt", "lsmod-vfio.txt",
        };
        for (size_t i = 0; i < ELEMENTSOF(alone); i++)
                if (streq(c->fixture, alone[i]))
                        return true;
        return false;
}

ParameterizedTestParameters(import, every_format_imports_what_it_proves) {
        return cr_make_param_array(struct format_case, formats, ELEMENTSOF(formats));
}

ParameterizedTest(struct format_case *c, import, every_format_imports_what_it_proves) {
        _cleanup_free_ char *path = import_fixtures(c->fixture, c->as[0] ? c->as : NULL,
                                                    needs_companion(c) ? "lspci-x.txt" : NULL, NULL);
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_free_ char *error = NULL;

        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s: %s", c->fixture, error);
        cr_assert_str_eq(b->metadata.origin, "imported");
        cr_assert_str_eq(b->metadata.source, "test");
        cr_assert_eq(count(b->umockdev, "P: "), (size_t) c->devices, "%s: records", c->fixture);
        cr_assert_eq(b->has_iommu_groups, c->groups >= 0, "%s: iommu_groups", c->fixture);
        if (c->groups >= 0)
                cr_assert_eq(b->n_groups, (size_t) c->groups, "%s: groups", c->fixture);
        {
                /* No paste proves reset_method: it is unreadable for every
                 * recorded device; the rest are unknown drivers and groups. */
                size_t reset = 0, other = 0;
                for (size_t i = 0; b->unreadable[i]; i++) {
                        size_t l = strlen(b->unreadable[i]);
                        if (l > 13 && strcmp(b->unreadable[i] + l - 13, "/reset_method") == 0)
                                reset++;
                        else
                                other++;
                }
                cr_assert_eq(other, (size_t) c->unknown_drivers, "%s: unknown drivers", c->fixture);
                cr_assert_eq(reset, (size_t) c->devices, "%s: reset_method unknown", c->fixture);
        }
        if (c->path[0]) {
                const struct gd_bundle_file *f = gd_bundle_file(b, c->path);
                cr_assert_not_null(f, "%s: no %s", c->fixture, c->path);
                cr_assert_not_null(strstr(f->content, c->contains), "%s: %s lacks '%s':\n%s", c->fixture, c->path,
                                   c->contains, f->content);
        } else
                cr_assert_not_null(strstr(b->umockdev, c->contains), "%s: recording lacks '%s'", c->fixture,
                                   c->contains);
        unlink(path);
}

Test(import, config_dumps_are_kept_at_their_pasted_length) {
        static const struct { const char *name; size_t bytes; } dumps[] = {
                { "lspci-x.txt", 64 }, { "lspci-xxx.txt", 256 }, { "lspci-xxxx.txt", 4096 },
        };

        for (size_t i = 0; i < ELEMENTSOF(dumps); i++) {
                _cleanup_free_ char *path = import_fixture(dumps[i].name, NULL, NULL);
                _cleanup_bundle_ struct gd_bundle *b = NULL;
                const char *h;

                cr_assert_eq(gd_bundle_load(path, &b, NULL), 0);
                h = strstr(b->umockdev, "H: config=");
                cr_assert_not_null(h);
                h += strlen("H: config=");
                cr_assert_eq(strcspn(h, "\n"), dumps[i].bytes * 2, "%s", dumps[i].name);
                unlink(path);
        }
}

static char *without_created(const char *path) {
        char *s = slurp(path), *c = strstr(s, "created: ");

        cr_assert_not_null(c);
        memset(c, 'x', strcspn(c, "\n"));
        return s;
}

Test(import, messy_paste_in_another_order_with_crlf_imports_the_same_bundle) {
        _cleanup_free_ char *clean = import_fixture("proxmox-forum-tu102-clean.txt", NULL, NULL);
        _cleanup_free_ char *messy = import_fixture("proxmox-forum-tu102-messy.txt", NULL, NULL);
        _cleanup_free_ char *a = without_created(clean), *b = without_created(messy);

        cr_assert_str_eq(a, b);
        cr_assert_gt(count(a, "P: "), 0);
        cr_assert_not_null(strstr(a, "/etc/modprobe.d/vfio.conf"));
        unlink(clean);
        unlink(messy);
}

Test(import, stdin_and_forced_kind) {
        _cleanup_free_ char *in = fixture("cmdline-params.txt"), *dev = fixture("lspci-x.txt"), *out = NULL, *err = NULL;
        char *args[] = { "import", "--as", "grub", "-", "--as", "auto", dev, NULL };

        cr_assert_eq(run_gpudiag(args, in, &out, &err), 0, "%s", err);
        cr_assert_not_null(strstr(out, "/etc/default/grub"), "%s", out);
        cr_assert_not_null(strstr(out, "<stdin>"), "source names stdin: %s", out);
        cr_assert_not_null(strstr(out, "P: /devices/"), "the lspci file is detected, not read as grub: %s", out);
}

Test(import, as_after_every_file_applies_to_all) {
        _cleanup_free_ char *in = fixture("lspci-nn.txt"), *out = NULL, *err = NULL;
        char *args[] = { "import", in, "--as", "groups", NULL };

        cr_assert_eq(run_gpudiag(args, NULL, &out, &err), 0, "%s", err);
        cr_assert_eq(count(out, "P: "), 19, "%s", out);
}

Test(import, no_pci_device_exits_2_and_writes_nothing) {
        _cleanup_free_ char *in = fixture("dmesg-no-address.txt"), *out = NULL, *err = NULL;
        char *args[] = { "import", in, "-o", "/tmp/gd-import-no-device.yaml", NULL };

        unlink("/tmp/gd-import-no-device.yaml");
        cr_assert_eq(run_gpudiag(args, NULL, &out, &err), 2, "%s", err);
        cr_assert_not_null(strstr(err, "dmesg-no-address.txt: no PCI device in the input: paste `lspci -nnk` output too"),
                           "%s", err);
        cr_assert_eq(access("/tmp/gd-import-no-device.yaml", F_OK), -1);
}

/* A log that names a device only by its prefix ("vfio-pci 0000:43:00.0:
 * ...") proves the device and the driver it had; its IDs and class stay
 * unknown, and the summary says what was inferred. */
Test(import, log_naming_a_device_by_address_imports_it_with_ids_unknown) {
        _cleanup_free_ char *err = NULL, *path = import_fixture("dmesg-no-device.txt", NULL, &err);
        _cleanup_bundle_ struct gd_bundle *b = NULL;

        cr_assert_eq(gd_bundle_load(path, &b, NULL), 0);
        cr_assert_not_null(strstr(b->umockdev, "P: /devices/pci0000:43/0000:43:00.0\nE: DRIVER=vfio-pci\n"
                                               "E: PCI_SLOT_NAME=0000:43:00.0"), "%s", b->umockdev);
        cr_assert_null(strstr(b->umockdev, "PCI_ID="), "%s", b->umockdev);
        cr_assert_null(strstr(b->umockdev, "PCI_CLASS="), "%s", b->umockdev);
        cr_assert_not_null(strstr(b->umockdev, "A: vendor=0x0000"), "%s", b->umockdev);
        cr_assert_not_null(strstr(err, "inferred: driver of 0000:43:00.0: vfio-pci, from the prefix of the kernel log "
                                       "line"), "%s", err);
        unlink(path);
}

Test(import, plain_lspci_names_get_ids_from_kernel_enumeration_lines) {
        _cleanup_free_ char *err = NULL, *path = import_fixture("dmesg-enumeration.txt", NULL, &err);
        _cleanup_bundle_ struct gd_bundle *b = NULL;

        cr_assert_eq(gd_bundle_load(path, &b, NULL), 0);
        /* Driver unknown: the enumeration line proves IDs and class only. */
        cr_assert(strv_contains(b->unreadable, "/sys/bus/pci/devices/0000:c1:00.0/driver"));
        cr_assert_null(strstr(b->umockdev, "DRIVER="), "%s", b->umockdev);
        cr_assert_null(strstr(err, "not recorded"), "%s", err);
        unlink(path);
}

Test(import, markdown_emphasis_is_stripped_and_unparsed_address_lines_warn) {
        _cleanup_free_ char *err = NULL, *path = import_fixture("markdown-bold.txt", NULL, &err);
        _cleanup_bundle_ struct gd_bundle *b = NULL;

        cr_assert_not_null(strstr(err, "markdown-bold.txt:14: a line naming 0000:2a:00.0 was not understood; only the "
                                  "address was taken"), "%s", err);
        cr_assert_eq(gd_bundle_load(path, &b, NULL), 0);
        cr_assert_eq(b->n_groups, 1);
        cr_assert(strv_contains(b->groups[0].devices, "0000:00:01.3"));
        cr_assert_not_null(strstr(b->umockdev, "E: DRIVER=snd_hda_intel"), "%s", b->umockdev);
        unlink(path);
}

Test(import, dmar_tree_duplicates_count_once) {
        _cleanup_free_ char *err = NULL, *path = import_fixture("groups-dmar-tree.txt", NULL, &err);
        _cleanup_bundle_ struct gd_bundle *b = NULL;

        cr_assert_eq(gd_bundle_load(path, &b, NULL), 0);
        for (size_t g = 0; g < b->n_groups; g++)
                if (b->groups[g].id == 64)
                        cr_assert_eq(strv_length(b->groups[g].devices), 2);
        cr_assert_null(strstr(err, "warning"), "%s", err);
        unlink(path);
}

Test(import, nothing_importable_or_bad_usage_exits_2) {
        _cleanup_free_ char *prose = fixture("prose-only.txt");
        char *e1 = NULL, *e2 = NULL, *e3 = NULL;
        char *a1[] = { "import", prose, "-o", "/tmp/gd-import-never.yaml", NULL };
        char *a2[] = { "import", NULL };
        char *a3[] = { "import", prose, "--as", "pastebin", NULL };

        cr_assert_eq(run_gpudiag(a1, NULL, NULL, &e1), 2);
        cr_assert_not_null(strstr(e1, "nothing could be imported"), "%s", e1);
        cr_assert_eq(access("/tmp/gd-import-never.yaml", F_OK), -1);
        cr_assert_eq(run_gpudiag(a2, NULL, NULL, &e2), 2);
        cr_assert_eq(run_gpudiag(a3, NULL, NULL, &e3), 2);
        free(e1);
        free(e2);
        free(e3);
}

Test(import, malformed_text_warns_with_file_and_line_and_imports_the_rest) {
        _cleanup_free_ char *err = NULL, *path = import_fixture("malformed.txt", NULL, &err);
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        const struct gd_bundle_file *k;

        cr_assert_not_null(strstr(err, "malformed.txt:7: truncated lspci line"), "%s", err);
        cr_assert_not_null(strstr(err, "malformed.txt:8: IOMMU group 3 has no devices"), "%s", err);
        cr_assert_not_null(strstr(err, "malformed.txt:12: 0000:00:17.0 is listed in IOMMU group 8"), "%s", err);
        cr_assert_not_null(strstr(err, "malformed.txt:19: binary data skipped"), "%s", err);
        cr_assert_eq(gd_bundle_load(path, &b, NULL), 0);
        /* The cut-off 01:00.1 too: its class is shown, its IDs are not. */
        cr_assert_eq(count(b->umockdev, "P: "), 5);
        for (size_t g = 0; g < b->n_groups; g++)
                if (b->groups[g].id == 6)
                        cr_assert(strv_contains(b->groups[g].devices, "0000:00:17.0"));
                else
                        cr_assert(!strv_contains(b->groups[g].devices, "0000:00:17.0"));
        k = gd_bundle_file(b, "/dev/kmsg");
        cr_assert_not_null(k);
        cr_assert_eq(count(k->content, "\n"), 2, "%s", k->content);
        unlink(path);
}

/* The pasted device lines of a fixture: "[dddd:]bb:dd.f Class [cccc]: ... [vvvv:dddd]". */
struct pasted { char address[16], cls[8], ids[12]; int group; };

static size_t pasted_devices(const char *name, struct pasted *ret, size_t max) {
        _cleanup_free_ char *path = fixture(name), *text = slurp(path);
        size_t n = 0;
        int group = -1;

        for (char *line = strtok(text, "\n"); line && n < max; line = strtok(NULL, "\n")) {
                char *s = line + strspn(line, " \t>"), *c, *ob = NULL;
                int g;

                if (sscanf(s, "IOMMU Group %d", &g) == 1) {
                        group = g;
                        s = strchr(s + 12, ' ');
                        if (!s || strspn(s + 1, "0123456789abcdef") < 2)
                                continue;
                        s++;
                }
                if (strlen(s) < 8 || s[2] != ':' || s[5] != '.' || !(c = strstr(s, "]: ")))
                        continue;
                for (char *p = c; (p = strchr(p + 1, '[')); )
                        if (strlen(p) >= 11 && p[5] == ':' && p[10] == ']')
                                ob = p;
                if (!ob)
                        continue;
                snprintf(ret[n].address, sizeof(ret[n].address), "0000:%.7s", s);
                snprintf(ret[n].cls, sizeof(ret[n].cls), "%.6s", c - 5);
                snprintf(ret[n].ids, sizeof(ret[n].ids), "%.11s", ob);
                ret[n].group = group;
                n++;
        }
        return n;
}

struct replay_case { char fixture[48]; };

static struct replay_case replays[] = {
        { "lspci-nn.txt" }, { "lspci-tree.txt" }, { "groups-listing.txt" }, { "groups-oneline.txt" },
        { "groups-shared-sata.txt" }, { "proxmox-forum-tu102-clean.txt" }, { "groups-oneline-3d.txt" },
};

ParameterizedTestParameters(replay, imported_devices_appear_in_real_lspci) {
        return cr_make_param_array(struct replay_case, replays, ELEMENTSOF(replays));
}

ParameterizedTest(struct replay_case *c, replay, imported_devices_appear_in_real_lspci) {
        _cleanup_free_ char *path = import_fixture(c->fixture, NULL, NULL), *out = NULL;
        _cleanup_testbed_ struct gd_testbed *t = testbed_from_file(path);
        char *argv[] = { (char *) LSPCI_PATH, (char *) "-nn", (char *) "-D", NULL };
        static struct pasted p[256];
        size_t n = pasted_devices(c->fixture, p, ELEMENTSOF(p));
        int status;

        cr_assert_gt(n, 0);
        cr_assert_eq(testbed_run(t, argv, &out, NULL, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        cr_assert_eq(count(out, "\n"), n, "lspci lists other devices than pasted:\n%s", out);
        for (size_t i = 0; i < n; i++) {
                char *line = strstr(out, p[i].address), *nl;

                cr_assert_not_null(line, "%s: %s missing from lspci:\n%s", c->fixture, p[i].address, out);
                nl = strchrnul(line, '\n');
                cr_assert(memmem(line, (size_t) (nl - line), p[i].cls, strlen(p[i].cls)), "%s: class %s", p[i].address, p[i].cls);
                cr_assert(memmem(line, (size_t) (nl - line), p[i].ids, strlen(p[i].ids)), "%s: IDs %s", p[i].address, p[i].ids);
        }
        unlink(path);
}

static int json_group_of(const char *json, const char *address) {
        /* gpudiag groups --format json: {"iommu_groups": [{"group": N, ..., "devices": [...]}, ...] */
        const char *dev = strstr(json, address), *g = NULL;

        for (const char *p = json; (p = strstr(p, "\"group\":")) && p < dev; p++)
                g = p;
        return dev && g ? atoi(g + strlen("\"group\":")) : -1;
}

ParameterizedTestParameters(replay, imported_groups_appear_in_gpudiag_groups) {
        static struct replay_case listings[] = { { "groups-listing.txt" }, { "groups-oneline.txt" }, { "groups-shared-sata.txt" } };
        return cr_make_param_array(struct replay_case, listings, ELEMENTSOF(listings));
}

ParameterizedTest(struct replay_case *c, replay, imported_groups_appear_in_gpudiag_groups) {
        _cleanup_free_ char *path = import_fixture(c->fixture, NULL, NULL), *out = NULL, *err = NULL;
        _cleanup_testbed_ struct gd_testbed *t = testbed_from_file(path);
        char *argv[] = { (char *) gpudiag_binary(), (char *) "groups", (char *) "--format", (char *) "json", NULL };
        static struct pasted p[256];
        size_t n = pasted_devices(c->fixture, p, ELEMENTSOF(p));
        char *devices;
        int status;

        cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", err);
        devices = strstr(out, "\"devices\": [{");
        if (!devices)
                devices = strstr(out, "\"iommu_groups_state\"");
        cr_assert_not_null(devices, "%s", out);
        *devices = '\0';        /* only the group list */
        for (size_t i = 0; i < n; i++)
                cr_assert_eq(json_group_of(out, p[i].address), p[i].group, "%s: %s group", c->fixture, p[i].address);
        unlink(path);
}

static char *explain(const char *bundle, int *ret_rc) {
        char *args[] = { "explain", "--bundle", (char *) bundle, NULL };
        char *out = NULL, *err = NULL;

        *ret_rc = run_gpudiag(args, NULL, &out, &err);
        free(err);
        return out;
}

Test(replay, group_listing_alone_is_never_ready) {
        _cleanup_free_ char *path = import_fixture("groups-listing.txt", NULL, NULL), *out = NULL;
        int rc;

        out = explain(path, &rc);
        cr_assert_eq(rc, 1, "exit %d:\n%s", rc, out);
        cr_assert(!startswith(out, "READY") && !strstr(out, "\nREADY"), "%s", out);
        cr_assert(strstr(out, "UNKNOWN") || strstr(out, "NOT READY"), "%s", out);
        unlink(path);
}

Test(replay, proven_shared_group_is_not_ready_and_named) {
        _cleanup_free_ char *path = import_fixture("groups-shared-sata.txt", NULL, NULL), *out = NULL;
        int rc;

        out = explain(path, &rc);
        cr_assert_eq(rc, 1, "exit %d:\n%s", rc, out);
        cr_assert(startswith(out, "NOT READY  0000:0b:00.0"), "%s", out);
        cr_assert_not_null(strstr(out, "group.shared"), "%s", out);
        cr_assert_not_null(strstr(out, "0000:02:00.1 (SATA controller 1022:43eb, on ahci)"), "%s", out);
        unlink(path);
}

Test(replay, paste_without_groups_leaves_groups_unknown) {
        _cleanup_free_ char *path = import_fixture("lspci-D-nnk.txt", NULL, NULL), *out = NULL;
        int rc;

        out = explain(path, &rc);
        cr_assert_null(strstr(out, "iommu.no-groups"), "%s", out);
        cr_assert_not_null(strstr(out, "fact.unreadable: the IOMMU groups: not in the pasted text"), "%s", out);
        unlink(path);
}

Test(replay, unreadable_group_tree_reads_as_eacces) {
        _cleanup_free_ char *path = import_fixture("lspci-nn.txt", NULL, NULL), *out = NULL, *err = NULL;
        _cleanup_testbed_ struct gd_testbed *t = testbed_from_file(path);
        char *argv[] = { (char *) gpudiag_binary(), (char *) "groups", (char *) "--format", (char *) "json", NULL };
        int status;

        cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
        /* read_groups() gives -EACCES for the marker file, not ENOTDIR or an empty tree. */
        cr_assert_not_null(strstr(out, "\"iommu_groups_state\": \"unreadable\""), "%s\n%s", out, err);
        unlink(path);
}
