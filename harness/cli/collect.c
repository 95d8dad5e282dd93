/* SPDX-License-Identifier: MIT */
/* gpudiag collect: a redacted snapshot bundle of this host
 * (doc/bundle-format.md), for bug reports and for `explain --bundle`.
 *
 * What is captured is what the reader opens, so that the bundle replays to
 * the same diagnosis: every /proc and /dev path of the hostpaths table, the
 * configuration files below the config root, ACPI table presence, a few
 * /sys files outside the PCI tree, the PCI recording itself
 * (bundle/record.c) and the IOMMU groups.  It reads only, never blocks on
 * /dev/kmsg, and writes nothing but its output file.
 *
 * The capture itself: collect-kernel.c (/proc, /dev, /sys) and
 * collect-config.c (files below the config root). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "bundle/redact.h"
#include "checks/check.h"
#include "cli.h"
#include "collect-internal.h"
#include "host/host-read.h"

void capture_clear(struct capture *c) {
        for (size_t i = 0; i < c->n; i++) {
                free(c->files[i].path);
                free(c->files[i].content);
        }
        free(c->files);
        strv_free(c->unreadable);
}

/* Takes content (NULL: ""). */
int add_file(struct capture *c, const char *path, char *content, size_t len, int64_t mtime) {
        struct gd_bundle_file *nf = realloc(c->files, (c->n + 1) * sizeof(*nf));

        if (!nf) {
                free(content);
                return -ENOMEM;
        }
        c->files = nf;
        if (!content) {
                content = strdup("");
                len = 0;
        }
        nf[c->n] = (struct gd_bundle_file) { .path = strdup(path), .content = content, .length = len, .mtime = mtime };
        if (!nf[c->n].path || !content) {
                free(nf[c->n].path);
                free(content);
                return -ENOMEM;
        }
        c->n++;
        return 0;
}

/* A path that exists but could not be read goes to unreadable; a missing
 * one is simply not in the bundle (replay writes it as absent). */
int add_error(struct capture *c, const char *path, int r) {
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r == -ENOMEM)
                return r;
        return strv_contains(c->unreadable, path) ? 0 : strv_push_dup(&c->unreadable, path);
}

/* ---- output ------------------------------------------------------------- */

static void usage(void) {
        printf("Usage: %s collect [OPTIONS]\n\n"
               "Write a snapshot bundle of this host (PCI devices, IOMMU groups, kernel log and\n"
               "command line, module and boot configuration, lspci view, findings) that anyone\n"
               "can diagnose elsewhere with 'gpudiag explain --bundle FILE'.  Serial numbers,\n"
               "MAC and IP addresses, UUIDs, the host name and user names are replaced by\n"
               "placeholders unless --no-redact is given.  Run as root for a complete bundle.\n\n"
               "  -b, --bundle FILE   collect the host a bundle records instead of this one\n"
               "                      (to redact a bundle written with --no-redact)\n"
               "  -o, --output FILE   write here (default gpudiag-YYYYmmdd-HHMMSS.yaml.gz);\n"
               "                      gzip-compressed when FILE ends in .gz; '-' for stdout\n"
               "      --no-redact     keep serials, addresses, UUIDs and names\n"
               "  -q, --quiet         do not report what was written\n"
               "  -h, --help          show this help\n\n"
               "Exit status: 0 written, 2 usage or output error, 3 the host could not be read.\n",
               cli_program());
}

static bool ends_with(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Writes data to path (gzip when it ends in .gz); returns bytes written or -errno. */
static long long write_output(const char *path, bool exclusive, const char *data, size_t len) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | (exclusive ? O_EXCL : 0), 0644);
        struct stat st;
        bool ok;

        if (fd < 0)
                return -errno;
        if (ends_with(path, ".gz")) {
                gzFile gz = gzdopen(fd, "wb");
                ok = gz != NULL;
                for (size_t off = 0; ok && off < len; ) {
                        unsigned chunk = len - off > (1u << 30) ? (1u << 30) : (unsigned) (len - off);
                        int n = gzwrite(gz, data + off, chunk);
                        ok = n > 0;
                        off += (size_t) (n > 0 ? n : 0);
                }
                if (gz)
                        ok = gzclose(gz) == Z_OK && ok;
                else
                        close(fd);
        } else {
                ok = true;
                for (size_t off = 0; ok && off < len; ) {
                        ssize_t n = write(fd, data + off, len - off);
                        if (n < 0 && errno == EINTR)
                                continue;
                        ok = n > 0;
                        off += (size_t) (n > 0 ? n : 0);
                }
                ok = close(fd) == 0 && ok;
        }
        if (!ok) {
                unlink(path);
                return -EIO;
        }
        return stat(path, &st) == 0 ? (long long) st.st_size : (long long) len;
}

int cmd_collect(int argc, char **argv) {
        static const struct option longopts[] = {
                { "bundle",    required_argument, NULL, 'b' },
                { "output",    required_argument, NULL, 'o' },
                { "no-redact", no_argument,       NULL, 'N' },
                { "quiet",     no_argument,       NULL, 'q' },
                { "help",      no_argument,       NULL, 'h' },
                {}
        };
        _cleanup_(capture_clear) struct capture cap = {};
        _cleanup_host_ struct gd_host *h = NULL;
        _cleanup_bundle_ struct gd_bundle *replayed = NULL;
        _cleanup_redact_ struct gd_redact *redact = NULL;
        _cleanup_free_ char *data = NULL, *error = NULL, *default_name = NULL;
        const char *output = NULL, *bundle = NULL;
        struct gd_targets t = {};
        struct gd_findings f = {};
        bool no_redact = false, quiet = false;
        size_t size = 0;
        long long written;
        FILE *mem;
        int c, r;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+b:o:qh", longopts, NULL)) != -1) {
                switch (c) {
                case 'b': bundle = optarg; break;
                case 'o': output = optarg; break;
                case 'N': no_redact = true; break;
                case 'q': quiet = true; break;
                case 'h':
                        usage();
                        return GD_EXIT_OK;
                default:
                        if (optopt == 'o' || optopt == 'b')
                                cli_error("collect: option '-%c' needs an argument", optopt);
                        else if (optopt)
                                cli_error("collect: unknown option '-%c'", optopt);
                        else
                                cli_error("collect: unknown option '%s'", argv[optind - 1]);
                        return GD_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                cli_error("collect: unexpected argument '%s'", argv[optind]);
                return GD_EXIT_USAGE;
        }
        if (output && !*output) {
                cli_error("collect: empty output file name");
                return GD_EXIT_USAGE;
        }
        /* --bundle: collect the replayed host, as explain --bundle explains
         * it, so that a bundle kept unredacted can be redacted now. */
        if (bundle) {
                r = cli_replay_if_bundle(&(struct gd_host_opts) { .bundle = bundle }, argc, argv);
                if (r >= 0)
                        return r;
                /* Inside its testbed: what the bundle said of its origin. */
                if (cli_load_bundle(bundle, &replayed) < 0)
                        return GD_EXIT_USAGE;
        }
        /* Inside a replay testbed, /etc lives below the config root. */
        if (getenv("GPUDIAG_CONFIG_ROOT"))
                gd_config_root_set(getenv("GPUDIAG_CONFIG_ROOT"));

        r = gd_host_read(GD_READ_ALL | GD_READ_EVERY_DEVICE, &h);
        if (r < 0) {
                return cli_host_read_error(bundle, r);
        }
        if (gd_redact_new(!no_redact, &redact) < 0 || gd_targets_find(h, NULL, &t) < 0) {
                cli_error("out of memory");
                return GD_EXIT_HOST;
        }
        gd_checks_run(h, &t, &f);
        gd_targets_clear(&t);

        r = capture_hostpaths(&cap);
        if (r >= 0)
                r = capture_sys(&cap, !no_redact);
        if (r >= 0)
                r = capture_config(&cap, h);
        if (r < 0) {
                gd_findings_clear(&f);
                cli_error("collect: %s", strerror(-r));
                return GD_EXIT_HOST;
        }

        mem = open_memstream(&data, &size);
        if (!mem) {
                gd_findings_clear(&f);
                cli_error("out of memory");
                return GD_EXIT_HOST;
        }
        r = gd_bundle_write(mem, cap.files, cap.n, cap.unreadable, &f, replayed ? &replayed->metadata : NULL, redact,
                            &error);
        gd_findings_clear(&f);
        if (fclose(mem) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                cli_error("collect: %s", error ? error : strerror(-r));
                return r == -ENODEV ? GD_EXIT_HOST : GD_EXIT_USAGE;
        }

        if (output && streq(output, "-")) {
                if (fwrite(data, 1, size, stdout) != size || fflush(stdout) != 0) {
                        cli_error("collect: writing to standard output failed");
                        return GD_EXIT_USAGE;
                }
                written = (long long) size;
        } else {
                if (!output) {
                        char stamp[32];
                        time_t now = time(NULL);
                        struct tm tm;

                        localtime_r(&now, &tm);
                        strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
                        if (asprintf(&default_name, "gpudiag-%s.yaml.gz", stamp) < 0) {
                                cli_error("out of memory");
                                return GD_EXIT_HOST;
                        }
                        output = default_name;
                }
                written = write_output(output, default_name != NULL, data, size);
                if (written < 0) {
                        cli_error("collect: cannot write %s: %s", output, strerror((int) -written));
                        return GD_EXIT_USAGE;
                }
        }
        if (!quiet) {
                size_t n_unread = strv_length(cap.unreadable);
                if (n_unread > 0)
                        fprintf(stderr, "%s: %zu path%s could not be read%s (listed under 'unreadable')\n",
                                cli_program(), n_unread, n_unread == 1 ? "" : "s",
                                geteuid() != 0 ? "; run as root for a complete bundle" : "");
                fprintf(stderr, "wrote %s (%lld bytes)\n", output, written);
        }
        return GD_EXIT_OK;
}
