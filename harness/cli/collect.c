/* SPDX-License-Identifier: MIT */
/* gpudiag collect: a redacted snapshot bundle of this host
 * (doc/bundle-format.md), for bug reports and for `explain --bundle`.
 *
 * collect is the reader in record mode (base/io-record.h): it reads the host
 * as explain does, of every device (GD_READ_ALL | GD_READ_EVERY_DEVICE), with
 * the I/O seam recording every access, reads what libpci, libkmod and lspci
 * read outside the seam (host/declared.c), and writes the recording as the
 * bundle (bundle/bundle-write.c), with `lspci -nnk` and the findings for
 * people.  There is no list of paths to collect: what the reader reads is
 * what the bundle holds, so the bundle replays to the same diagnosis.  It
 * reads only, never blocks on /dev/kmsg, and writes nothing but its output
 * file. */
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

#include "base/hostpaths.h"
#include "base/io.h"
#include "base/io-record.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "bundle/lspci.h"
#include "bundle/redact.h"
#include "checks/check.h"
#include "cli.h"
#include "host/host-read.h"
#include "report/progress.h"

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

/* Reads the host with the recording on: the reader, then what is read
 * outside the seam.  The recording is the bundle's content. */
static int record_host(struct gd_host **ret_host, struct gd_io_recording **ret_rec) {
        _cleanup_host_ struct gd_host *h = NULL;
        _cleanup_recording_ struct gd_io_recording *rec = NULL;
        int r, k;

        r = gd_io_record_start();
        if (r < 0)
                return r;
        r = gd_host_read(GD_READ_ALL | GD_READ_EVERY_DEVICE, &h);
        if (r >= 0)
                r = gd_host_read_declared(h);
        k = gd_io_record_stop(&rec);
        if (r < 0)
                return r;
        if (k < 0)
                return k;
        *ret_host = TAKE_PTR(h);
        *ret_rec = TAKE_PTR(rec);
        return 0;
}

/* What the reader could not read (not root), and what collect dropped to
 * fit the kernel log's caps. */
static void report_gaps(const struct gd_io_recording *rec) {
        const struct gd_io_entry *kmsg = gd_io_recording_find(rec, gd_hostpath(GD_DEV_KMSG)->path);
        size_t n_unread = 0;

        for (size_t i = 0; i < gd_io_recording_size(rec); i++) {
                const struct gd_io_entry *e = gd_io_recording_entry(rec, i);
                int err = e->has_content ? e->content_error : e->has_list ? e->list_error :
                          e->has_link ? e->link_error : e->has_stat ? e->stat_error : 0;

                if (err < 0 && err != -ENOENT && err != -ENOTDIR && gd_bundle_path_allowed(e->path))
                        n_unread++;
        }
        if (n_unread > 0)
                fprintf(stderr, "%s: %zu path%s could not be read%s (listed under 'unreadable')\n",
                        cli_program(), n_unread, n_unread == 1 ? "" : "s",
                        geteuid() != 0 ? "; run as root for a complete bundle" : "");
        if (kmsg && kmsg->kmsg_dropped > 0)
                fprintf(stderr, "%s: the kernel log is longer than gpudiag reads (%s): "
                        "the bundle keeps the newest records, %zu older ones dropped\n",
                        cli_program(), gd_kmsg_limits.name, kmsg->kmsg_dropped);
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
        _cleanup_host_ struct gd_host *h = NULL;
        _cleanup_recording_ struct gd_io_recording *rec = NULL;
        _cleanup_bundle_ struct gd_bundle *replayed = NULL;
        _cleanup_redact_ struct gd_redact *redact = NULL;
        _cleanup_lspci_ struct gd_lspci *lspci_run = NULL;
        _cleanup_free_ char *data = NULL, *default_name = NULL, *lspci = NULL;
        _cleanup_progress_ struct gd_progress *progress = NULL;
        const char *output = NULL, *bundle = NULL;
        struct gd_targets t = {};
        struct gd_findings f = {};
        bool no_redact = false, quiet = false;
        size_t size = 0, lspci_len = 0;
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

        progress = gd_progress_begin("collect", "reading the host");
        /* lspci reads the same sysfs, beside the reader. */
        lspci_run = gd_lspci_start();
        r = record_host(&h, &rec);
        if (r < 0) {
                if (r == -ENOMEM) {
                        cli_error("out of memory");
                        return GD_EXIT_HOST;
                }
                return cli_host_read_error(bundle, r);
        }
        if (gd_redact_new(!no_redact, &redact) < 0 || gd_targets_find(h, NULL, &t) < 0) {
                cli_error("out of memory");
                return GD_EXIT_HOST;
        }
        gd_checks_run(h, &t, &f);
        gd_targets_clear(&t);
        lspci = gd_lspci_finish(TAKE_PTR(lspci_run), &lspci_len);

        mem = open_memstream(&data, &size);
        if (!mem) {
                gd_findings_clear(&f);
                cli_error("out of memory");
                return GD_EXIT_HOST;
        }
        gd_progress_step(progress, "writing the bundle");
        {
                /* A host imported from pasted text stays one when its
                 * testbed is collected: what the paste did not show is
                 * still unknown, and its devices still not all the host's. */
                struct gd_bundle_metadata imported = {
                        .origin = (char *) "imported",
                        .created = (char *) cli_bundle_info("CREATED"),
                        .source = (char *) cli_bundle_info("SOURCE"),
                        .root = TRI_UNKNOWN,
                };
                r = gd_bundle_write(mem, rec, lspci, lspci_len, &f, replayed ? &replayed->metadata :
                                    h->imported ? &imported : NULL, redact);
        }
        gd_findings_clear(&f);
        if (fclose(mem) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                cli_error("collect: %s", strerror(-r));
                return r == -ENOMEM ? GD_EXIT_HOST : GD_EXIT_USAGE;
        }

        progress = gd_progress_end(progress);
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
                report_gaps(rec);
                fprintf(stderr, "wrote %s (%lld bytes)\n", output, written);
        }
        return GD_EXIT_OK;
}
