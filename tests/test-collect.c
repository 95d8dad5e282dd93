/* SPDX-License-Identifier: MIT */
/* gpudiag collect on this build machine: the bundle replays to the same
 * diagnosis, real lspci sees the same bus in its testbed, the testbed never
 * shows this machine's files, redaction leaves no canary behind, and
 * collect works without root. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "replay/testbed.h"
#include "testbed-run.h"

static char tmpdir[] = "/tmp/gd-test-collect-XXXXXX";

static void setup(void) {
        cr_assert_not_null(mkdtemp(tmpdir));
        chmod(tmpdir, 01777);
}

static void teardown(void) {
        char *argv[] = { (char *) "/bin/rm", (char *) "-rf", tmpdir, NULL };
        pid_t pid = fork();
        if (pid == 0) {
                execv(argv[0], argv);
                _exit(127);
        }
        waitpid(pid, NULL, 0);
}

TestSuite(collect, .init = setup, .fini = teardown, .timeout = 120);

static const char *gpudiag(void) {
        const char *g = getenv("GPUDIAG");
        cr_assert_not_null(g, "GPUDIAG is not set (run through meson test)");
        return g;
}

/* Runs argv with environ (envp NULL) or envp; returns the exit status. */
static int run(char *const argv[], char *const envp[], char **ret_out, char **ret_err) {
        int out[2], err[2], status;
        FILE *fo, *fe;
        char *bo = NULL, *be = NULL;
        size_t so = 0, se = 0;
        char buf[65536];
        ssize_t n;
        pid_t pid;

        cr_assert_eq(pipe(out), 0);
        cr_assert_eq(pipe(err), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                dup2(out[1], 1);
                dup2(err[1], 2);
                close(out[0]);
                close(err[0]);
                if (envp)
                        execve(argv[0], argv, envp);
                else
                        execv(argv[0], argv);
                _exit(127);
        }
        close(out[1]);
        close(err[1]);
        fo = open_memstream(&bo, &so);
        fe = open_memstream(&be, &se);
        /* stderr is small; read stdout to the end first, then stderr. */
        while ((n = read(out[0], buf, sizeof(buf))) > 0)
                fwrite(buf, 1, (size_t) n, fo);
        while ((n = read(err[0], buf, sizeof(buf))) > 0)
                fwrite(buf, 1, (size_t) n, fe);
        close(out[0]);
        close(err[0]);
        fclose(fo);
        fclose(fe);
        waitpid(pid, &status, 0);
        if (ret_out)
                *ret_out = bo;
        else
                free(bo);
        if (ret_err)
                *ret_err = be;
        else
                free(be);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *collect_here(const char *name, bool no_redact) {
        char *path, *err = NULL;
        int rc;

        cr_assert_geq(asprintf(&path, "%s/%s", tmpdir, name), 0);
        {
                char *argv[] = { (char *) gpudiag(), (char *) "collect", (char *) "-o", path,
                                 no_redact ? (char *) "--no-redact" : NULL, NULL };
                rc = run(argv, NULL, NULL, &err);
        }
        cr_assert_eq(rc, 0, "collect failed (%d): %s", rc, err);
        cr_assert_not_null(strstr(err, "wrote "), "%s", err);
        free(err);
        return path;
}

/* An explain JSON report without its "replayed" line: the one thing that
 * tells a replayed host from the live one. */
static char *without_replayed(const char *json) {
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);

        for (const char *p = json; p && *p; ) {
                const char *nl = strchrnul(p, '\n');
                const char *s = p;
                while (*s == ' ')
                        s++;
                if (!startswith(s, "\"replayed\""))
                        fprintf(f, "%.*s\n", (int) (nl - p), p);
                p = *nl ? nl + 1 : NULL;
        }
        fclose(f);
        return out;
}

Test(collect, bundle_of_this_machine_explains_and_groups_the_same_as_the_live_host) {
        _cleanup_free_ char *path = collect_here("roundtrip.yaml.gz", false);
        _cleanup_free_ char *live = NULL, *replay = NULL, *vl = NULL, *vr = NULL, *gl = NULL, *gr = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_free_ char *error = NULL;
        char *e1[] = { (char *) gpudiag(), (char *) "explain", (char *) "--format", (char *) "json", NULL };
        char *e2[] = { (char *) gpudiag(), (char *) "explain", (char *) "--bundle", path, (char *) "--format",
                       (char *) "json", NULL };
        char *g1[] = { (char *) gpudiag(), (char *) "groups", (char *) "--format", (char *) "json", NULL };
        char *g2[] = { (char *) gpudiag(), (char *) "groups", (char *) "--bundle", path, (char *) "--format",
                       (char *) "json", NULL };
        int r1, r2;

        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s", error);
        cr_assert_str_eq(b->metadata.origin, "collected");

        r1 = run(e1, NULL, &live, NULL);
        r2 = run(e2, NULL, &replay, NULL);
        cr_assert_eq(r1, r2, "exit %d live, %d replayed", r1, r2);
        /* collect is the recording of the reader: every fact, every line
         * of evidence, not only the verdicts, replays as it was read. */
        vl = without_replayed(live);
        vr = without_replayed(replay);
        cr_assert_str_eq(vl, vr, "live:\n%s\nreplayed:\n%s", live, replay);

        cr_assert_eq(run(g1, NULL, &gl, NULL), run(g2, NULL, &gr, NULL));
        cr_assert_str_eq(gl, gr);
}

/* lspci -nnk output without the lines that depend on libkmod's view of
 * /lib/modules ("Kernel modules:"), which is not part of the bundle. */
static char *lspci_view(const char *s) {
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);

        for (const char *p = s; p && *p; ) {
                const char *nl = strchrnul(p, '\n');
                if (!startswith(p, "\tKernel modules:"))
                        fprintf(f, "%.*s\n", (int) (nl - p), p);
                p = *nl ? nl + 1 : NULL;
        }
        fclose(f);
        return out;
}

static struct gd_testbed *testbed_of(const struct gd_bundle *b) {
        _cleanup_free_ char *error = NULL;
        struct gd_testbed *t = NULL;
        int r = gd_testbed_build(b, &t, &error);

        cr_assert_eq(r, 0, "testbed: %s", error ? error : strerror(-r));
        return t;
}

Test(collect, real_lspci_in_the_testbed_of_a_collected_bundle_prints_what_it_prints_live) {
        _cleanup_free_ char *path = collect_here("lspci.yaml", false);
        _cleanup_free_ char *live = NULL, *replay = NULL, *err = NULL, *error = NULL, *a = NULL, *c = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_testbed_ struct gd_testbed *t = NULL;
        char *argv[] = { (char *) LSPCI_PATH, (char *) "-nnk", NULL };
        int status;

        cr_assert_neq(LSPCI_PATH[0], '\0', "lspci was not found at configure time");
        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s", error);
        t = testbed_of(b);
        cr_assert_eq(run(argv, NULL, &live, NULL), 0);
        cr_assert_eq(testbed_run(t, argv, &replay, &err, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "lspci failed: %s", err);
        a = lspci_view(live);
        c = lspci_view(replay);
        cr_assert_str_eq(a, c, "live:\n%s\nreplayed:\n%s", a, c);
        cr_assert_str_eq(b->lspci, live, "the bundle's lspci view is not this host's");
}

/* Replaces (or adds, or with content NULL removes) a file of a loaded bundle. */
static void bundle_set(struct gd_bundle *b, const char *path, const char *content) {
        for (size_t i = 0; i < b->n_files; i++)
                if (streq(b->files[i].path, path)) {
                        free(b->files[i].path);
                        free(b->files[i].content);
                        b->files[i] = b->files[--b->n_files];
                        break;
                }
        if (!content)
                return;
        b->files = realloc(b->files, (b->n_files + 1) * sizeof(*b->files));
        cr_assert_not_null(b->files);
        b->files[b->n_files++] = (struct gd_bundle_file) {
                .path = strdup(path), .content = strdup(content), .length = strlen(content), .mtime = 1700000000,
        };
}

/* collect run inside the testbed of b; returns the bundle it writes, loaded. */
static struct gd_bundle *collect_inside(const struct gd_bundle *b, const char *name, bool no_redact,
                                        char **ret_text) {
        _cleanup_testbed_ struct gd_testbed *t = testbed_of(b);
        _cleanup_free_ char *path = NULL, *out = NULL, *err = NULL, *error = NULL;
        struct gd_bundle *again = NULL;
        int status;

        cr_assert_geq(asprintf(&path, "%s/%s", tmpdir, name), 0);
        {
                char *argv[] = { (char *) gpudiag(), (char *) "collect", (char *) "-o", path,
                                 no_redact ? (char *) "--no-redact" : NULL, NULL };
                cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
        }
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "collect in testbed: %s", err);
        cr_assert_eq(gd_bundle_load(path, &again, &error), 0, "%s", error);
        if (ret_text)
                cr_assert_eq(read_file_capped(path, GD_BUNDLE_MAX, ret_text, NULL), 0);
        return again;
}

Test(collect, a_bundle_is_read_from_the_bundle_and_never_from_this_machine) {
        _cleanup_free_ char *path = collect_here("leak.yaml", false), *error = NULL;
        _cleanup_free_ char *host_cmdline = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL, *again = NULL, *third = NULL;
        const struct gd_bundle_file *f;

        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s", error);
        cr_assert_eq(read_file_capped("/proc/cmdline", GD_TEXT_FILE_MAX, &host_cmdline, NULL), 0);

        bundle_set(b, "/proc/cmdline", "BOOT_IMAGE=/vmlinuz gd_canary_cmdline intel_iommu=on\n");
        bundle_set(b, "/proc/iomem", "00000000-00000fff : gd_canary_iomem\n");
        bundle_set(b, "/dev/kmsg", "6,1,100,-;gd_canary_kmsg: DMAR: IOMMU enabled\n");
        bundle_set(b, "/etc/modprobe.d/gd-canary.conf", "options vfio-pci ids=10de:2204\n");
        again = collect_inside(b, "leak-again.yaml", false, NULL);

        f = gd_bundle_file(again, "/proc/cmdline");
        cr_assert_not_null(f);
        cr_assert_str_eq(f->content, "BOOT_IMAGE=/vmlinuz gd_canary_cmdline intel_iommu=on\n");
        cr_assert_str_neq(f->content, host_cmdline);
        f = gd_bundle_file(again, "/proc/iomem");
        cr_assert(f && strstr(f->content, "gd_canary_iomem"));
        f = gd_bundle_file(again, "/dev/kmsg");
        cr_assert(f && streq(f->content, "6,1,100,-;gd_canary_kmsg: DMAR: IOMMU enabled\n"), "%s", f ? f->content : "");
        f = gd_bundle_file(again, "/etc/modprobe.d/gd-canary.conf");
        cr_assert(f && streq(f->content, "options vfio-pci ids=10de:2204\n"));
        for (size_t i = 0; i < again->n_files; i++)
                if (startswith(again->files[i].path, "/etc/modprobe.d/"))
                        cr_assert_str_eq(again->files[i].path, "/etc/modprobe.d/gd-canary.conf",
                                         "this machine's modprobe.d leaked in");

        /* Without /proc/cmdline the reader sees the absent marker: unknown. */
        bundle_set(b, "/proc/cmdline", NULL);
        third = collect_inside(b, "leak-third.yaml", false, NULL);
        cr_assert_null(gd_bundle_file(third, "/proc/cmdline"), "a missing /proc/cmdline came back as '%s'",
                       gd_bundle_file(third, "/proc/cmdline")->content);
        cr_assert_not(gd_bundle_is_unreadable(third, "/proc/cmdline"));
}

/* The umockdev text with a PCIe Device Serial Number capability planted at
 * 0x100 of the first device whose recording has all 4096 bytes. */
static char *plant_dsn(const char *rec, bool *ret_planted) {
        char *s = strdup(rec), *p = s;

        *ret_planted = false;
        while ((p = strstr(p, "H: config="))) {
                char *hex = p + 10;
                size_t n = strcspn(hex, "\n");
                if (n == 8192) {
                        memcpy(hex + 0x200, "03000100DEADBEEFCAFEF00D", 24);
                        *ret_planted = true;
                        break;
                }
                p = hex;
        }
        return s;
}

Test(collect, no_canary_survives_redaction) {
        _cleanup_free_ char *path = collect_here("canary.yaml", false), *error = NULL, *text = NULL, *plain = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL, *r1 = NULL, *r2 = NULL;
        char host[256] = "", root_at_host[300], canary_file[1024];
        bool planted;
        const char *canaries[] = {
                "52:54:00:12:34:56", "10.20.30.40", "fe80::5054:ff:fe12:3456", "6f1c2a9e-4b1d-4c8e-9a77-2f0d3c5b8e41",
                "/home/gdcanaryuser/", "DEADBEEFCAFEF00D", root_at_host,
        };

        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s", error);
        gethostname(host, sizeof(host) - 1);
        snprintf(root_at_host, sizeof(root_at_host), "root@%s:", host);
        snprintf(canary_file, sizeof(canary_file),
                 "# %s ~# mac 52:54:00:12:34:56 ip 10.20.30.40 and fe80::5054:ff:fe12:3456\n"
                 "install vfio /bin/sh /home/gdcanaryuser/bin/load-vfio\n", root_at_host);
        bundle_set(b, "/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=UUID=6f1c2a9e-4b1d-4c8e-9a77-2f0d3c5b8e41 ro ip=10.20.30.40\n");
        bundle_set(b, "/etc/modprobe.d/canary.conf", canary_file);
        {
                char kmsg[512];
                snprintf(kmsg, sizeof(kmsg), "6,1,100,-;virtio_net virtio1 eth0: 52:54:00:12:34:56 on %s\n", root_at_host);
                bundle_set(b, "/dev/kmsg", kmsg);
        }
        {
                char *planted_rec = plant_dsn(b->umockdev, &planted);
                free(b->umockdev);
                b->umockdev = planted_rec;
        }

        /* Planted for real: they all come back without redaction. */
        r1 = collect_inside(b, "canary-plain.yaml", true, &plain);
        for (size_t i = 0; i < ELEMENTSOF(canaries); i++) {
                if (streq(canaries[i], "DEADBEEFCAFEF00D") && !planted)
                        continue;
                if (strlen(host) < 2 && canaries[i] == root_at_host)
                        continue;
                cr_assert_not_null(strstr(plain, canaries[i]), "canary '%s' was not planted", canaries[i]);
        }
        cr_assert_eq(strv_length(r1->metadata.redacted), 0);

        r2 = collect_inside(b, "canary-redacted.yaml", false, &text);
        for (size_t i = 0; i < ELEMENTSOF(canaries); i++)
                cr_assert_null(strstr(text, canaries[i]), "canary '%s' survived redaction", canaries[i]);
        cr_assert(strv_contains(r2->metadata.redacted, "mac") && strv_contains(r2->metadata.redacted, "dsn"));
        /* Placeholders keep the shape: the UUID is still a UUID, the same everywhere. */
        cr_assert_not_null(strstr(text, "root=UUID=00000000-0000-4000-8000-000000000001"), "%s",
                           gd_bundle_file(r2, "/proc/cmdline")->content);
        cr_assert_not_null(strstr(text, "/home/@user-1@/bin/load-vfio"));
        cr_assert_not_null(strstr(gd_bundle_file(r2, "/dev/kmsg")->content, "02:00:00:00:00:01"));
        cr_assert_not_null(strstr(gd_bundle_file(r2, "/etc/modprobe.d/canary.conf")->content, "02:00:00:00:00:01"));
        if (planted)
                cr_assert_not_null(strstr(r2->umockdev, "030001000000000000000000"));
}

Test(collect, vm_configs_that_pass_a_device_are_captured_and_redacted) {
        _cleanup_free_ char *path = collect_here("vm.yaml", false), *error = NULL, *text = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL, *r = NULL;
        const char *canaries[] = {
                "BC:24:11:5A:8E:01", "3f2a9c1e-7b4d-4e8a-9c21-5d6e7f809a1b", "8c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e",
                "52:54:00:ab:cd:ef", "6f1c2a9e-4b1d-4c8e-9a77-2f0d3c5b8e42",
        };

        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s", error);
        bundle_set(b, "/etc/pve/qemu-server/100.conf",
                   "hostpci0: 0000:01:00,pcie=1\nmachine: q35\nnet0: virtio=BC:24:11:5A:8E:01,bridge=vmbr0\n"
                   "smbios1: uuid=3f2a9c1e-7b4d-4e8a-9c21-5d6e7f809a1b\nvmgenid: 8c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e\n");
        bundle_set(b, "/etc/pve/qemu-server/101.conf", "cores: 2\nname: no-devices\n");
        bundle_set(b, "/etc/libvirt/qemu/win10.xml",
                   "<domain type='kvm'>\n  <name>win10</name>\n  <uuid>6f1c2a9e-4b1d-4c8e-9a77-2f0d3c5b8e42</uuid>\n"
                   "  <devices>\n    <interface type='network'><mac address='52:54:00:ab:cd:ef'/></interface>\n"
                   "    <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' "
                   "bus='0x01' slot='0x00' function='0x0'/></source></hostdev>\n  </devices>\n</domain>\n");

        r = collect_inside(b, "vm-redacted.yaml", false, &text);
        cr_assert_not_null(gd_bundle_file(r, "/etc/pve/qemu-server/100.conf"));
        cr_assert_not_null(gd_bundle_file(r, "/etc/libvirt/qemu/win10.xml"));
        cr_assert_null(gd_bundle_file(r, "/etc/pve/qemu-server/101.conf"), "a VM without hostpci was captured");
        cr_assert_not_null(strstr(gd_bundle_file(r, "/etc/pve/qemu-server/100.conf")->content, "hostpci0: 0000:01:00,pcie=1"));
        for (size_t i = 0; i < ELEMENTSOF(canaries); i++)
                cr_assert_null(strstr(text, canaries[i]), "canary '%s' survived redaction", canaries[i]);
}

Test(collect, works_without_root_and_lists_what_it_could_not_read) {
        _cleanup_free_ char *path = NULL, *err = NULL, *error = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        int rc;

        if (geteuid() != 0) {
                path = collect_here("nonroot.yaml.gz", false);
        } else {
                if (access("/usr/bin/setpriv", X_OK) < 0)
                        cr_skip_test("running as root and setpriv(1) is missing: cannot drop privileges");
                cr_assert_geq(asprintf(&path, "%s/nonroot.yaml.gz", tmpdir), 0);
                {
                        char *argv[] = { (char *) "/usr/bin/setpriv", (char *) "--reuid=65534", (char *) "--regid=65534",
                                         (char *) "--clear-groups", (char *) gpudiag(), (char *) "collect",
                                         (char *) "-o", path, NULL };
                        rc = run(argv, NULL, NULL, &err);
                }
                if (rc == 127 || (err && strstr(err, "setpriv:")))
                        cr_skip_test("setpriv could not drop privileges here: %s", err);
                cr_assert_eq(rc, 0, "collect as nobody failed (%d): %s", rc, err);
        }
        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s", error);
        cr_assert_eq(b->metadata.root, TRI_NO);
        cr_assert_not_null(b->umockdev);
        /* Readable, but all zeros without root: recorded as unreadable. */
        cr_assert(gd_bundle_is_unreadable(b, "/proc/iomem"));
        cr_assert_null(gd_bundle_file(b, "/proc/iomem"));
}

Test(collect, usage_errors_exit_2_and_stdout_gets_an_uncompressed_bundle) {
        _cleanup_free_ char *out = NULL, *err = NULL, *error = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        char *bad[] = { (char *) gpudiag(), (char *) "collect", (char *) "--bogus", NULL };
        char *extra[] = { (char *) gpudiag(), (char *) "collect", (char *) "extra", NULL };
        char *dash[] = { (char *) gpudiag(), (char *) "collect", (char *) "-o", (char *) "-", (char *) "-q", NULL };
        char *nodir[] = { (char *) gpudiag(), (char *) "collect", (char *) "-q", (char *) "-o",
                          (char *) "/nonexistent-dir/x.yaml", NULL };

        cr_assert_eq(run(bad, NULL, NULL, NULL), 2);
        cr_assert_eq(run(extra, NULL, NULL, NULL), 2);
        cr_assert_eq(run(nodir, NULL, NULL, NULL), 2);
        cr_assert_eq(run(dash, NULL, &out, &err), 0);
        cr_assert_str_eq(err, "", "-q printed: %s", err);
        cr_assert_eq(gd_bundle_load_data(out, strlen(out), &b, &error), 0, "%s", error);
}

static size_t count_records(const char *umockdev) {
        size_t n = 0;

        for (const char *p = umockdev; p && (p = strstr(p, "P: /devices/")); p++)
                n++;
        return n;
}

/* collect inside the testbed of another host records that host: its
 * devices and groups, not this machine's.  glibc's scandir() slips past
 * umockdev's preload, and collect once listed /sys/bus/pci/devices and
 * /sys/kernel/iommu_groups with it: replaying a bundle and collecting again
 * gave this machine's device names (base/fileio.h dir_list()). */
Test(collect, inside_a_testbed_collect_lists_the_testbed_devices_and_groups) {
        _cleanup_free_ char *path = snapshot_path("synthetic-amd-x570-navi10-shared.yaml"), *error = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL, *again = NULL;

        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s", error);
        cr_assert_gt(b->n_groups, 5);
        again = collect_inside(b, "x570-again.yaml", true, NULL);
        cr_assert_eq(count_records(again->umockdev), count_records(b->umockdev));
        cr_assert_eq(again->n_groups, b->n_groups);
        for (size_t i = 0; i < b->n_groups; i++) {
                cr_assert_eq(again->groups[i].id, b->groups[i].id);
                cr_assert_eq(strv_length(again->groups[i].devices), strv_length(b->groups[i].devices),
                             "group %lld", (long long) b->groups[i].id);
                for (size_t k = 0; b->groups[i].devices[k]; k++)
                        cr_assert_str_eq(again->groups[i].devices[k], b->groups[i].devices[k]);
        }
}

/* What lspci reads outside gpudiag's reader is declared (host/declared.c)
 * and collected: on the testbed of a bundle collected inside another
 * host's testbed, real lspci -nnk prints what it printed on that host. */
Test(collect, lspci_prints_the_same_on_a_bundle_collected_inside_a_testbed) {
        _cleanup_free_ char *path = snapshot_path("synthetic-nvidia-tu102-isolated.yaml"), *error = NULL;
        _cleanup_free_ char *before = NULL, *after = NULL, *err = NULL, *a = NULL, *c = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL, *again = NULL;
        _cleanup_testbed_ struct gd_testbed *t1 = NULL, *t2 = NULL;
        char *argv[] = { (char *) LSPCI_PATH, (char *) "-nnk", NULL };
        int status;

        cr_assert_neq(LSPCI_PATH[0], '\0', "lspci was not found at configure time");
        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s", error);
        again = collect_inside(b, "tu102-again.yaml", true, NULL);
        t1 = testbed_of(b);
        t2 = testbed_of(again);
        cr_assert_eq(testbed_run(t1, argv, &before, &err, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "lspci failed: %s", err);
        cr_assert_eq(testbed_run(t2, argv, &after, NULL, &status), 0);
        a = lspci_view(before);
        c = lspci_view(after);
        cr_assert_str_eq(a, c, "before:\n%s\nafter collect:\n%s", a, c);
        cr_assert_not_null(strstr(a, "Kernel driver in use: vfio-pci"));
}

/* Past the reader's caps (10,000,000 records or 256 MiB, base/io.h) the
 * records that matter are the late ones (a VM start, "can't reserve",
 * D3cold): collect keeps the newest and says so, on standard error and in
 * the bundle's metadata.source. */
Test(collect, a_kernel_log_past_the_caps_keeps_its_newest_records_and_says_so) {
        _cleanup_free_ char *path = fixture_bundle_path("minimal.yaml"), *error = NULL, *kmsg = NULL;
        _cleanup_free_ char *out = NULL, *err = NULL, *bundle = NULL, *text = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_testbed_ struct gd_testbed *t = NULL;
        const size_t n = 10000010;
        const char *source;
        FILE *f;
        int status;

        cr_assert_eq(gd_bundle_load(path, &b, &error), 0, "%s", error);
        t = testbed_of(b);
        cr_assert_geq(asprintf(&kmsg, "%s/dev/kmsg", gd_testbed_config_root(t)), 0);
        f = fopen(kmsg, "we");
        cr_assert_not_null(f, "%s: %m", kmsg);
        for (size_t i = 0; i < n; i++) {
                if (i < 10)
                        fprintf(f, "oldest-%02zu\n", i + 1);
                else if (i >= n - 10)
                        fprintf(f, "newest-%02zu\n", i - (n - 10) + 1);
                else
                        fputs("x\n", f);
        }
        cr_assert_eq(fclose(f), 0);

        cr_assert_geq(asprintf(&bundle, "%s/long-log.yaml", tmpdir), 0);
        {
                char *argv[] = { (char *) gpudiag(), (char *) "collect", (char *) "--no-redact", (char *) "-o", bundle,
                                 NULL };
                cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
        }
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "collect: %s", err);
        cr_assert_not_null(strstr(err, "the kernel log is longer than gpudiag reads (10,000,000 records or 256 MiB): "
                                        "the bundle keeps the newest records, 10 older ones dropped"), "%s", err);
        cr_assert_eq(read_file_capped(bundle, GD_BUNDLE_MAX, &text, NULL), 0);
        source = strstr(text, "source:");
        cr_assert(source && strstr(source, "its 10 oldest records were dropped, the newest kept"), "no note in the bundle");
        cr_assert_null(strstr(text, "oldest-"), "an old record was kept");
        cr_assert_not_null(strstr(text, "  newest-01\n"));
        cr_assert_not_null(strstr(text, "  newest-10\n"));
}

/* What a guest's answer rests on is collected by reading it (issue 15):
 * the NVIDIA driver's /proc entry (only the lines the reader uses, not the
 * GPU's UUID), device nodes, the container toolkit and runtime configs (only
 * the lines naming nvidia: a daemon.json may hold proxy credentials), NVIDIA's
 * CDI specs and no other. */
Test(collect, a_guests_gpu_facts_are_collected_and_nothing_else_of_them) {
        _cleanup_free_ char *src = NULL, *error = NULL, *plain = NULL, *text = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL, *p = NULL, *r = NULL;
        const struct gd_bundle_file *f;

        cr_assert_geq(asprintf(&src, "%s/sysfs-snapshots/h100-firecracker-guest.yaml",
                               getenv("GPUDIAG_SRCDIR") ? getenv("GPUDIAG_SRCDIR") : "."), 0);
        cr_assert_eq(gd_bundle_load(src, &b, &error), 0, "%s", error);
        bundle_set(b, "/proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04\n");
        bundle_set(b, "/proc/driver/nvidia/gpus/0000:00:06.0/information",
                   "Model: \t\t NVIDIA H100 80GB HBM3\nIRQ:   \t\t 40\nGPU UUID: \t GPU-4f4e2a8c-1111-2222-3333-444455556666\n"
                   "Video BIOS: \t 96.00.99.00.01\nBus Type: \t PCIe\nDevice Minor: \t 0\n");
        bundle_set(b, "/dev/nvidiactl", "");
        bundle_set(b, "/dev/nvidia0", "");
        bundle_set(b, "/usr/bin/dockerd", "");
        bundle_set(b, "/usr/bin/nvidia-ctk", "");
        bundle_set(b, "/etc/docker/daemon.json",
                   "{\n  \"proxies\": { \"http-proxy\": \"http://gdcanary:s3cr3tpw@proxy:3128\" },\n"
                   "  \"runtimes\": { \"nvidia\": { \"path\": \"nvidia-container-runtime\" } }\n}\n");
        bundle_set(b, "/etc/cdi/nvidia.yaml", "cdiVersion: 0.5.0\nkind: nvidia.com/gpu\n");
        bundle_set(b, "/etc/cdi/acme.yaml", "cdiVersion: 0.5.0\nkind: acme.com/fpga\n");

        p = collect_inside(b, "guest-plain.yaml", true, &plain);
        r = collect_inside(b, "guest-redacted.yaml", false, &text);
        for (int k = 0; k < 2; k++) {
                const struct gd_bundle *x = k ? r : p;

                f = gd_bundle_file(x, "/proc/driver/nvidia/gpus/0000:00:06.0/information");
                cr_assert_not_null(f);
                cr_expect_not_null(strstr(f->content, "Device Minor"), "%s", f->content);
                cr_expect_null(strstr(f->content, "UUID"), "%s", f->content);
                cr_expect_not_null(gd_bundle_file(x, "/proc/driver/nvidia/version"));
                cr_expect_not_null(gd_bundle_file(x, "/dev/nvidiactl"));
                cr_expect_not_null(gd_bundle_file(x, "/dev/nvidia0"));
                cr_expect_not_null(gd_bundle_file(x, "/usr/bin/dockerd"));
                cr_expect_not_null(gd_bundle_file(x, "/usr/bin/nvidia-ctk"));
                cr_expect_not_null(gd_bundle_file(x, "/etc/cdi/nvidia.yaml"));
                cr_expect_null(gd_bundle_file(x, "/etc/cdi/acme.yaml"), "a CDI spec not NVIDIA's was collected");
                f = gd_bundle_file(x, "/etc/docker/daemon.json");
                cr_assert_not_null(f);
                cr_expect_not_null(strstr(f->content, "nvidia-container-runtime"), "%s", f->content);
                cr_expect_null(strstr(f->content, "s3cr3tpw"), "%s", f->content);
        }
        cr_expect_null(strstr(plain, "4f4e2a8c-1111"));
        cr_expect_null(strstr(text, "s3cr3tpw"));
}
