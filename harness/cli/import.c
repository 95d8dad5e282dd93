/* SPDX-License-Identifier: MIT */
/* gpudiag import: a bundle from text a person pasted (lspci, an IOMMU group
 * listing, dmesg, /proc/cmdline, modprobe.d, /etc/modules, grub, lsmod).
 * Problems with the text are warnings naming FILE:LINE; what can be read is
 * still imported.  The bundle is validated before it is written. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/fileio.h"
#include "base/input-file.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "bundle/redact.h"
#include "bundle/yaml-doc.h"
#include "cli.h"
#include "import/import.h"
#include "import-summary.h"
#include "report/progress.h"

#define IMPORT_INPUT_MAX (64u * 1024u * 1024u)

static void usage(void) {
        printf("Usage: %s import [OPTIONS] FILE... -o BUNDLE\n\n"
               "Build a bundle from pasted text: lspci (-nn, -nnk, -vvnn, -x/-xxx/-xxxx, -t, -tv,\n"
               "-mm, -vmm, plain, cut short), lshw, IOMMU group listings (the guides' loop, ls-iommu,\n"
               "iommu_viewer, find or ls -l of the group links), dmesg or journalctl -k lines\n"
               "(-T, --reltime), QEMU, libvirt and Proxmox messages, libvirt domain, hostdev and\n"
               "nodedev XML, Proxmox qm config, /proc/iomem, /proc/cmdline, modprobe.d files,\n"
               "/etc/modules, /etc/default/grub, lsmod.  Sections are found by shape and by\n"
               "prompt lines such as 'root@pve:~# cat /etc/modprobe.d/vfio.conf'.  FILE '-' is stdin.\n\n"
               "  -o, --output FILE    write the bundle here ('-' or none: stdout)\n"
               "      --as KIND        treat the FILEs after it as one kind: lspci, groups, dmesg,\n"
               "                       cmdline, modprobe, grub, modules, lsmod, or auto (detect);\n"
               "                       given after every FILE it applies to all of them\n"
               "      --source TEXT    metadata.source (default: the input file names)\n"
               "      --no-redact      keep serials, MAC and IP addresses, UUIDs, host and user names\n"
               "                       (redacted by default, as by collect; metadata.redacted says what)\n"
               "  -f, --format text|json\n"
               "                       the summary after the bundle is written: the facts the text\n"
               "                       proved and inferred, the verdict per GPU, and the commands whose\n"
               "                       output would settle what that verdict lacks (text: on stderr;\n"
               "                       json: on stdout, which then cannot be the bundle)\n"
               "  -q, --quiet          no summary\n"
               "  -h, --help           show this help\n\n"
               "Only what the text proves is written: a driver the text does not show is\n"
               "unknown, files it does not show are absent, and without a group listing the\n"
               "IOMMU groups are unknown.  A device the text names only by its address (a kernel\n"
               "log line, a QEMU or libvirt message, a VM configuration) is recorded with its\n"
               "IDs and class unknown; what is inferred (a driver from a log line's prefix, IDs\n"
               "from a name in pci.ids) is said in the summary.  The input must name at least\n"
               "one PCI device.  Exit status: 0 imported (perhaps with warnings), 2 usage error\n"
               "or nothing (or no PCI device) could be imported.\n", cli_program());
}

static int read_input(const char *path, char **ret, size_t *ret_len) {
        char *buf = NULL;
        size_t len = 0, cap = 0;
        FILE *f;

        /* A named file must be regular (a FIFO would block); stdin is
         * whatever the user piped in. */
        if (!streq(path, "-"))
                return input_read_regular(path, IMPORT_INPUT_MAX, ret, ret_len);
        f = stdin;
        for (;;) {
                size_t n;
                if (len + 4096 + 1 > cap) {
                        char *nb;
                        if (cap > IMPORT_INPUT_MAX) {
                                free(buf);
                                return -EFBIG;
                        }
                        nb = realloc(buf, cap = cap ? cap * 2 : 65536);
                        if (!nb) {
                                free(buf);
                                return -ENOMEM;
                        }
                        buf = nb;
                }
                n = fread(buf + len, 1, cap - len - 1, f);
                len += n;
                if (n == 0)
                        break;
        }
        if (ferror(f)) {
                free(buf);
                return -EIO;
        }
        buf[len] = '\0';
        *ret = buf;
        *ret_len = len;
        return 0;
}

static void now_utc(char *buf, size_t size) {
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        time_t t = sde && *sde ? (time_t) strtoll(sde, NULL, 10) : time(NULL);
        struct tm tm;

        gmtime_r(&t, &tm);
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Writes data to path (or stdout) through a temporary file and rename. */
static int write_output(const char *path, const char *data, size_t len) {
        _cleanup_free_ char *tmp = NULL;
        FILE *f;

        if (!path || streq(path, "-"))
                return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -EIO;
        if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
                return -ENOMEM;
        {
                int fd = mkstemp(tmp);
                if (fd < 0)
                        return -errno;
                f = fdopen(fd, "w");
                if (!f) {
                        close(fd);
                        unlink(tmp);
                        return -ENOMEM;
                }
        }
        if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
                unlink(tmp);
                return -EIO;
        }
        (void) chmod(tmp, 0644);
        if (rename(tmp, path) < 0) {
                int r = -errno;
                unlink(tmp);
                return r;
        }
        return 0;
}

static int push_input(char ***inputs, int **kinds, const char *path, int kind) {
        size_t n = strv_length(*inputs);
        int *nk = realloc(*kinds, (n + 1) * sizeof(int));

        if (!nk)
                return -ENOMEM;
        *kinds = nk;
        nk[n] = kind;
        return strv_push_dup(inputs, path);
}

int cmd_import(int argc, char **argv) {
        static const struct option longopts[] = {
                { "output", required_argument, NULL, 'o' },
                { "as",     required_argument, NULL, 'A' },
                { "source", required_argument, NULL, 'S' },
                { "no-redact", no_argument,    NULL, 'N' },
                { "format", required_argument, NULL, 'f' },
                { "quiet",  no_argument,       NULL, 'q' },
                { "help",   no_argument,       NULL, 'h' },
                {}
        };
        _cleanup_import_ struct gd_import *im = NULL;
        _cleanup_progress_ struct gd_progress *progress = NULL;
        _cleanup_free_ char *out = NULL, *names = NULL, *err = NULL;
        _cleanup_strv_free_ char **inputs = NULL;
        _cleanup_free_ int *kinds = NULL;
        const char *output = NULL, *source = NULL;
        bool as_after_last = false, no_redact = false, quiet = false;
        enum gd_format format = GD_FORMAT_TEXT;
        _cleanup_redact_ struct gd_redact *redact = NULL;
        _cleanup_bundle_ struct gd_bundle *check = NULL;
        int c, kind = GD_IMPORT_AUTO, r;
        size_t out_len = 0, nodes;
        unsigned depth;
        char created[32];
        FILE *mem;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "-o:f:qh", longopts, NULL)) != -1) {
                switch (c) {
                case 1:
                        if (push_input(&inputs, &kinds, optarg, kind) < 0)
                                return GD_EXIT_USAGE;
                        as_after_last = false;
                        break;
                case 'o': output = optarg; break;
                case 'S': source = optarg; break;
                case 'N': no_redact = true; break;
                case 'q': quiet = true; break;
                case 'f':
                        if (streq(optarg, "text"))
                                format = GD_FORMAT_TEXT;
                        else if (streq(optarg, "json"))
                                format = GD_FORMAT_JSON;
                        else {
                                cli_error("import: --format: unknown format '%s' (text, json)", optarg);
                                return GD_EXIT_USAGE;
                        }
                        break;
                case 'A':
                        kind = streq(optarg, "auto") ? GD_IMPORT_AUTO : gd_import_kind_from_string(optarg);
                        if (kind < 0) {
                                cli_error("import: --as: unknown kind '%s' (lspci, groups, dmesg, cmdline, "
                                          "modprobe, grub, modules, lsmod, auto)", optarg);
                                return GD_EXIT_USAGE;
                        }
                        as_after_last = true;
                        break;
                case 'h':
                        usage();
                        return GD_EXIT_OK;
                default:
                        if (optopt == 'o' || optopt == 'f' || (optopt == 0 && argv[optind - 1][1] == '-' &&
                                              strchr(argv[optind - 1], '=') == NULL &&
                                              (startswith(argv[optind - 1], "--as") ||
                                               startswith(argv[optind - 1], "--source") ||
                                               startswith(argv[optind - 1], "--output") ||
                                               startswith(argv[optind - 1], "--format"))))
                                cli_error("import: option '%s' needs an argument", argv[optind - 1]);
                        else
                                cli_error("import: unknown option '%s'", argv[optind - 1]);
                        return GD_EXIT_USAGE;
                }
        }
        for (; optind < argc; optind++) {
                if (push_input(&inputs, &kinds, argv[optind], kind) < 0)
                        return GD_EXIT_USAGE;
                as_after_last = false;
        }
        if (inputs && as_after_last) {
                /* "import FILE... --as KIND": as before, for every FILE
                 * that no earlier --as covered. */
                bool any = false;
                for (size_t i = 0; inputs[i]; i++)
                        any = any || kinds[i] != GD_IMPORT_AUTO;
                for (size_t i = 0; !any && inputs[i]; i++)
                        kinds[i] = kind;
        }
        if (!inputs) {
                cli_error("import: no input files (use '-' for stdin; see --help)");
                return GD_EXIT_USAGE;
        }
        if (format == GD_FORMAT_JSON && !quiet && (!output || streq(output, "-"))) {
                cli_error("import: --format json writes the summary to stdout: give the bundle a file with -o");
                return GD_EXIT_USAGE;
        }

        im = gd_import_new();
        if (!im || gd_redact_new(!no_redact, &redact) < 0) {
                cli_error("import: out of memory");
                return GD_EXIT_USAGE;
        }
        progress = gd_progress_begin("import", "reading the input");
        for (size_t i = 0; inputs[i]; i++) {
                _cleanup_free_ char *text = NULL;
                const char *name = streq(inputs[i], "-") ? "<stdin>" : inputs[i];
                char step[128];
                size_t len = 0;

                snprintf(step, sizeof(step), "reading %s", name);
                gd_progress_step(progress, step);
                gd_progress_count(progress, i, strv_length(inputs), "files");
                r = read_input(inputs[i], &text, &len);
                if (r < 0) {
                        const char *what = r == -EINVAL || r == -EISDIR ? input_file_kind(inputs[i]) : NULL;

                        if (what)
                                cli_error("import: %s: %s, not a regular file", name, what);
                        else
                                cli_error("import: %s: %s", name, r == -EFBIG ? "larger than 64 MiB" : strerror(-r));
                        return GD_EXIT_USAGE;
                }
                snprintf(step, sizeof(step), "parsing %s", name);
                gd_progress_step(progress, step);
                /* Names first (shell prompts, home directories, "Hostname
                 * set to"), from every input, before any is written. */
                if (gd_redact_learn(redact, text, len) < 0 ||
                    gd_import_feed(im, name, text, len, (enum gd_import_kind) kinds[i]) < 0) {
                        cli_error("import: out of memory");
                        return GD_EXIT_USAGE;
                }
                if (!names)
                        names = strdup(name);
                else {
                        char *nn = NULL;
                        if (asprintf(&nn, "%s, %s", names, name) >= 0) {
                                free(names);
                                names = nn;
                        }
                }
        }

        progress = gd_progress_end(progress);
        if (gd_import_n_facts(im) == 0) {
                for (char * const *w = gd_import_warnings(im); *w; w++)
                        cli_warning("%s", *w);
                cli_error("import: nothing could be imported from %s", names ? names : "the input");
                return GD_EXIT_USAGE;
        }
        if (gd_import_n_devices(im) == 0) {
                /* The bundle would replay into a machine without PCI
                 * devices, which explain cannot read. */
                for (char * const *w = gd_import_warnings(im); *w; w++)
                        cli_warning("%s", *w);
                cli_error("import: %s: no PCI device in the input: paste `lspci -nnk` output too",
                          names ? names : "the input");
                return GD_EXIT_USAGE;
        }

        now_utc(created, sizeof(created));
        mem = open_memstream(&out, &out_len);
        if (!mem)
                return GD_EXIT_USAGE;
        if (source && gd_redact_learn(redact, source, strlen(source)) < 0) {
                fclose(mem);
                cli_error("import: out of memory");
                return GD_EXIT_USAGE;
        }
        r = gd_import_write(im, mem, source ? source : names ? names : "", created, redact);
        if (fclose(mem) != 0 && r >= 0)
                r = -EIO;
        for (char * const *w = gd_import_warnings(im); *w; w++)
                cli_warning("%s", *w);
        if (r < 0) {
                cli_error("import: writing the bundle failed: %s", strerror(-r));
                return GD_EXIT_USAGE;
        }
        /* Our own emitter wrote it: well-formed YAML, parsed in place (the
         * parser sandbox is for strangers' text; here it cost a fourth of
         * importing 80,000 lspci lines), and its nodes counted as they were
         * written (a counting pass was a fifth of the reload). */
        gd_yaml_parse_in_place();
        gd_import_written_nodes(im, &nodes, &depth);
        r = gd_bundle_load_written(out, out_len, nodes, depth, &check, &err);
        if (r == -E2BIG) {
                cli_error("import: %s: the pasted host is too large for a bundle (%zu devices): %s",
                          names ? names : "the input", gd_import_n_devices(im), err ? err : strerror(-r));
                return GD_EXIT_USAGE;
        }
        if (r < 0) {
                cli_error("import: internal error: the bundle is not valid: %s", err ? err : strerror(-r));
                return GD_EXIT_USAGE;
        }
        r = write_output(output, out, out_len);
        if (r < 0) {
                cli_error("import: %s: %s", output, strerror(-r));
                return GD_EXIT_USAGE;
        }
        if (!quiet && import_summary(im, check, output && !streq(output, "-") ? output : "<stdout>", output,
                                     format) < 0) {
                cli_error("import: writing the summary failed");
                return GD_EXIT_USAGE;
        }
        return GD_EXIT_OK;
}
