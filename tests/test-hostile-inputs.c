/* SPDX-License-Identifier: MIT */
/* What a stranger can name or send instead of a bundle, a scenario or a
 * paste: files that are not files (FIFO, device, socket, directory) are
 * refused before anything can block; malformed ones end with exit 2 and
 * their name; and data that would steer a terminal (ESC, BEL, CR, DEL,
 * C1) is printed escaped in every text output. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "hostile.h"

static char *scratch, *fifo, *sock;

static void setup(void) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;

        scratch = scratch_dir("inputs");
        fifo = path_join(scratch, "fifo.yaml");
        sock = path_join(scratch, "sock.yaml");
        cr_assert_eq(mkfifo(fifo, 0644), 0);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        cr_assert_geq(fd, 0);
        cr_assert_lt(strlen(sock), sizeof(sa.sun_path));
        strcpy(sa.sun_path, sock);
        cr_assert_eq(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        close(fd);
}

static void teardown(void) {
        scratch_remove(scratch);
        free(scratch);
        free(fifo);
        free(sock);
}

TestSuite(hostile_inputs, .init = setup, .fini = teardown, .timeout = 60);

/* A FIFO with no writer blocked open() for ever (replay: with its signals
 * blocked); the suite's timeout is what would catch that. */
Test(hostile_inputs, a_fifo_device_socket_or_directory_is_refused_with_its_name_and_exit_2) {
        const char *const files[] = { fifo, "/dev/zero", sock, scratch };
        const char *const kinds[] = { "a FIFO", "a character device", "a socket", "a directory" };

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *out_path = path_join(scratch, "out.yaml");
                const char *const commands[][6] = {
                        { "explain", "--bundle", files[i], NULL },
                        { "groups", "--bundle", files[i], NULL },
                        { "groups", "--predict", "--bundle", files[i], NULL },
                        { "collect", "--bundle", files[i], "-o", out_path, NULL },
                        { "import", files[i], "-o", out_path, NULL },
                        { "replay", files[i], NULL },
                };

                for (size_t c = 0; c < ELEMENTSOF(commands); c++) {
                        _cleanup_free_ char *out = NULL, *err = NULL;
                        int rc;

                        /* replay takes a directory of scenarios. */
                        if (files[i] == scratch && streq(commands[c][0], "replay"))
                                continue;
                        rc = gpudiag_run(commands[c], NULL, NULL, &out, &err);
                        cr_assert_eq(rc, 2, "gpudiag %s %s: exit %d: %s", commands[c][0], files[i], rc, err);
                        cr_assert_not_null(strstr(err, files[i]), "gpudiag %s: the file is not named: %s",
                                           commands[c][0], err);
                        cr_assert_not_null(strstr(err, kinds[i]), "gpudiag %s %s: %s", commands[c][0], kinds[i], err);
                }
        }
}

/* A scenario's base named next to it may be a FIFO too: not taken for a
 * bundle, and the scenario is malformed. */
Test(hostile_inputs, a_scenario_whose_base_is_a_fifo_is_malformed) {
        static const char scen[] = "name: fifo-base\nbase: fifo.yaml\nexpect:\n  findings:\n    - id: gpu.none\n";
        _cleanup_free_ char *path = spew(scratch, "scenario.yaml", scen, strlen(scen)), *out = NULL, *err = NULL;
        const char *args[] = { "replay", path, NULL };

        cr_assert_eq(gpudiag_run(args, NULL, NULL, &out, &err), 2, "%s%s", out, err);
        cr_assert_not_null(strstr(out, "scenario.yaml:2: base: no bundle 'fifo.yaml'"), "%s", out);
}

/* Each malformed input: exit 2, and the bundle or scenario named (with the
 * line where there is one), as gpudiag(1) says. */
Test(hostile_inputs, malformed_bundles_and_scenarios_exit_2_naming_the_file) {
        static const struct {
                const char *fixture, *command, *says;
        } cases[] = {
                { "fixtures/hostile/no-umockdev.yaml", "explain", "umockdev: missing" },
                { "fixtures/hostile/device-without-attributes.yaml", "explain",
                  "line 16: umockdev: PCI device /devices/pci0000:00/0000:00:02.0 has no 'vendor' attribute" },
                { "fixtures/hostile/no-umockdev.yaml", "groups", "umockdev: missing" },
                { "fixtures/scenarios/runner/bad-yaml.yaml", "replay", "bad-yaml.yaml:7: YAML:" },
                { "fixtures/scenarios/runner/missing-base.yaml", "replay", "missing-base.yaml:3: base:" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *path = src_path(cases[i].fixture), *out = NULL, *err = NULL;
                const char *bundle_args[] = { cases[i].command, "--bundle", path, NULL };
                const char *replay_args[] = { "replay", path, NULL };
                bool replay = streq(cases[i].command, "replay");
                int rc = gpudiag_run(replay ? replay_args : bundle_args, NULL, NULL, &out, &err);

                cr_assert_eq(rc, 2, "%s %s: exit %d\n%s%s", cases[i].command, cases[i].fixture, rc, out, err);
                cr_assert_not_null(strstr(replay ? out : err, path), "%s is not named:\n%s%s", path, out, err);
                cr_assert_not_null(strstr(replay ? out : err, cases[i].says), "%s:\n%s%s", cases[i].says, out, err);
        }
}

/* A kernel log record over 1 MiB: the finding names that limit, not the
 * log's 10,000,000 records or 256 MiB. */
Test(hostile_inputs, a_kernel_log_record_over_the_limit_names_the_record_limit) {
        _cleanup_free_ char *min = src_path("fixtures/bundles/minimal.yaml"), *text = slurp(min, NULL);
        _cleanup_free_ char *bundle = NULL, *path = NULL, *out = NULL, *err = NULL;
        const char *args[] = { "explain", "-v", "--bundle", NULL, NULL };
        char *kmsg = strstr(text, "  /dev/kmsg: |\n"), *line;
        size_t n = 1100 * 1024;
        FILE *f;
        size_t len = 0;

        cr_assert_not_null(kmsg);
        line = malloc(n + 1);
        cr_assert_not_null(line);
        memset(line, 'a', n);
        line[n] = '\0';
        f = open_memstream(&bundle, &len);
        fprintf(f, "%.*s  /dev/kmsg: |\n    6,1,0,-;%s\n%s", (int) (kmsg - text), text, line,
                kmsg + strlen("  /dev/kmsg: |\n"));
        cr_assert_eq(fclose(f), 0);
        free(line);
        path = spew(scratch, "long-record.yaml", bundle, len);
        args[3] = path;
        cr_assert_eq(gpudiag_run(args, NULL, NULL, &out, &err), 1, "%s", err);
        cr_assert_not_null(strstr(out, "a record longer than gpudiag reads (1 MiB)"), "%s", out);
        cr_assert_null(strstr(out, "10,000,000 records"), "%s", out);
}

/* No byte of a text output may be a control character but line feed and
 * tab, nor a C1 control (UTF-8 C2 80..C2 9F). */
static void assert_no_controls(const char *what, const char *text) {
        for (const unsigned char *p = (const unsigned char *) text; *p; p++) {
                cr_assert(*p >= 0x20 || *p == '\n' || *p == '\t', "%s: control byte 0x%02x at %zu", what, *p,
                          (size_t) (p - (const unsigned char *) text));
                cr_assert(*p != 0x7f, "%s: DEL at %zu", what, (size_t) (p - (const unsigned char *) text));
                cr_assert(!(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f), "%s: C1 control at %zu", what,
                          (size_t) (p - (const unsigned char *) text));
        }
}

Test(hostile_inputs, control_characters_from_a_bundle_reach_text_output_escaped) {
        _cleanup_free_ char *path = src_path("fixtures/hostile/terminal-escapes.yaml");
        const char *const commands[][6] = {
                { "explain", "-v", "--bundle", path, NULL },
                { "explain", "-v", "--color", "always", "--bundle", path },
                { "groups", "--bundle", path, NULL },
                { "groups", "--predict", "--bundle", path, NULL },
        };
        bool seen = false;

        for (size_t c = 0; c < ELEMENTSOF(commands); c++) {
                _cleanup_free_ char *out = NULL, *err = NULL;
                const char *args[8] = { NULL };
                int rc;

                for (size_t k = 0; k < 6 && commands[c][k]; k++)
                        args[k] = commands[c][k];
                rc = gpudiag_run(args, NULL, NULL, &out, &err);
                cr_assert(rc == 0 || rc == 1, "%s: exit %d: %s", args[0], rc, err);
                cr_assert_null(strstr(out, "\033]0;"), "%s: the title escape reached the terminal", args[0]);
                cr_assert_null(strstr(out, "\033[2J"), "%s: the clear-screen escape reached the terminal", args[0]);
                if (streq(args[2], "--color"))
                        continue;       /* gpudiag's own colours are escapes too */
                assert_no_controls(args[0], out);
                assert_no_controls(args[0], err);
                seen = seen || strstr(out, "\\x1b]0;pwned\\x07\\x1b[2J\\x1b[HFAKE: READY\\x0d\\x7f") ||
                       strstr(out, "(DMA\\x1b[2J\\u009b31m)");
        }
        cr_assert(seen, "the escaped data is not shown at all");
}

/* Messages carry data too: a bundle error quoting a key, an import
 * warning quoting a pasted line, a replay report quoting a scenario. */
Test(hostile_inputs, control_characters_in_messages_and_reports_are_escaped) {
        static const char bad_bundle[] = "format: gpudiag-bundle/1\n\"evil\\e]0;x\\a\\e[2J\": 1\n";
        static const char paste[] = "IOMMU Group 1: zz:zz.z \033]0;pwned\007\033[2J junk\r\n"
                                    "01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA102 [10de:2204]\n";
        _cleanup_free_ char *b = spew(scratch, "bad.yaml", bad_bundle, strlen(bad_bundle));
        _cleanup_free_ char *p = spew(scratch, "paste.txt", paste, strlen(paste));
        _cleanup_free_ char *min = src_path("fixtures/bundles/minimal.yaml"), *scen_text = NULL, *scen = NULL;
        _cleanup_free_ char *out_path = path_join(scratch, "out.yaml");
        const char *bundle_args[] = { "explain", "--bundle", b, NULL };
        const char *import_args[] = { "import", p, "-o", out_path, NULL };
        const char *replay_args[] = { "replay", NULL, NULL };
        char *out = NULL, *err = NULL;

        cr_assert_eq(gpudiag_run(bundle_args, NULL, NULL, &out, &err), 2, "%s", err);
        cr_assert_not_null(strstr(err, "\\x1b]0;x\\x07"), "%s", err);
        assert_no_controls("explain --bundle's error", err);
        free(out), free(err);

        cr_assert_eq(gpudiag_run(import_args, NULL, NULL, &out, &err), 0, "%s", err);
        assert_no_controls("import's warnings", err);
        free(out), free(err);

        /* The name is refused (it must be [a-z0-9.-]), quoting it. */
        cr_assert(asprintf(&scen_text, "name: \"evil\\e]0;x\\a\\e[2J\\u009b\"\nbase: %s\nfaults:\n"
                           "  - device-remove: 0000:01:00.0\nexpect:\n  findings:\n    - id: gpu.none\n", min) >= 0);
        scen = spew(scratch, "evil.yaml", scen_text, strlen(scen_text));
        replay_args[1] = scen;
        cr_assert_eq(gpudiag_run(replay_args, NULL, NULL, &out, &err), 2, "%s%s", out, err);
        cr_assert_not_null(strstr(out, "name: 'evil\\x1b]0;x\\x07\\x1b[2J\\u009b'"), "%s", out);
        assert_no_controls("replay's report", out);
        assert_no_controls("replay's messages", err);
        free(out), free(err);
}
