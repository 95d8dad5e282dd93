/* SPDX-License-Identifier: MIT */
/* gpudiag collect: a redacted snapshot bundle of this host
 * (doc/bundle-format.md), for bug reports and for `explain --bundle`.
 *
 * What is captured is what the reader opens, so that the bundle replays to
 * the same diagnosis: every /proc and /dev path of the hostpaths table, the
 * configuration files below the config root, ACPI table presence, a few
 * /sys files outside the PCI tree, the PCI recording itself
 * (bundle/record.c) and the IOMMU groups.  It reads only, never blocks on
 * /dev/kmsg, and writes nothing but its output file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
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
#include "host/host-read.h"

#define CONFIG_FILE_MAX (64u * 1024u)
#define KMSG_MAX_BYTES (4u * 1024u * 1024u)
#define KMSG_MAX_RECORDS 50000
#define MODULES_ALIAS_MAX (64u * 1024u * 1024u)
#define ALIASES_CONF "/usr/lib/modprobe.d/gpudiag-aliases.conf"

struct capture {
        struct gd_bundle_file *files;
        size_t n;
        char **unreadable;
};

static void capture_clear(struct capture *c) {
        for (size_t i = 0; i < c->n; i++) {
                free(c->files[i].path);
                free(c->files[i].content);
        }
        free(c->files);
        strv_free(c->unreadable);
}

/* Takes content (NULL: ""). */
static int add_file(struct capture *c, const char *path, char *content, size_t len, int64_t mtime) {
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
static int add_error(struct capture *c, const char *path, int r) {
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r == -ENOMEM)
                return r;
        return strv_contains(c->unreadable, path) ? 0 : strv_push_dup(&c->unreadable, path);
}

/* ---- /proc and /dev ----------------------------------------------------- */

/* The kernel log without blocking: one record per read() from /dev/kmsg
 * (EAGAIN: the end; EPIPE: records overwritten while reading), or lines
 * from a plain file in a replay testbed.  Dictionary continuation lines
 * (" SUBSYSTEM=pci") are dropped: the reader skips them. */
static int capture_kmsg(struct capture *c, const char *path) {
        /* path is the bundle's name; the file opened may be below the
         * config root (base/hostpaths.h, gd_hostpath_resolve). */
        _cleanup_free_ char *open_path = gd_hostpath_resolve(GD_DEV_KMSG);
        _cleanup_close_ int fd = open_path ? open(open_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) : -1;
        _cleanup_free_ char *raw = NULL;
        char *out, *w;
        size_t len = 0, records = 0;

        if (fd < 0)
                return add_error(c, path, -errno);
        raw = malloc(KMSG_MAX_BYTES + 16384 + 2);
        if (!raw)
                return -ENOMEM;
        while (len < KMSG_MAX_BYTES && records < KMSG_MAX_RECORDS) {
                ssize_t n = read(fd, raw + len, 16384);

                if (n < 0) {
                        if (errno == EINTR || errno == EPIPE)
                                continue;
                        if (errno == EAGAIN || len > 0)
                                break;
                        return add_error(c, path, -errno);
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (raw[len - 1] != '\n')
                        raw[len++] = '\n';
                records++;
        }
        raw[len] = '\0';
        if (strcmp(raw, GD_ABSENT_MARKER) == 0)
                return 0;
        if (strcmp(raw, GD_UNREADABLE_MARKER) == 0)
                return add_error(c, path, -EACCES);

        out = w = malloc(len + 1);
        if (!out)
                return -ENOMEM;
        for (char *p = raw; *p; ) {
                char *nl = strchrnul(p, '\n');
                size_t n = (size_t) (nl - p);

                if (n > 0 && p[0] != ' ') {
                        memcpy(w, p, n);
                        w += n;
                        *w++ = '\n';
                }
                p = *nl ? nl + 1 : nl;
        }
        *w = '\0';
        return add_file(c, path, out, (size_t) (w - out), -1);
}

static const char *const kconfig_words[] = {
        "IOMMU", "VFIO", "SYSFB", "SIMPLEDRM", "FB_EFI", "FB_VESA", "FB_SIMPLE", "IRQ_REMAP", "KVM",
        "CONFIG_MODULES=", "CONFIG_PCI_IOV", "CONFIG_DRM_NOUVEAU", "CONFIG_DRM_AMDGPU", "CONFIG_DRM_RADEON",
        NULL,
};

/* Only the kernel configuration lines the checks ask about: the whole
 * file is a few thousand lines. */
static char *kconfig_filter(const char *text, size_t *ret_len) {
        char *out = malloc(strlen(text) + 1), *w = out;

        if (!out)
                return NULL;
        for (const char *p = text; *p; ) {
                const char *nl = strchrnul(p, '\n');
                size_t n = (size_t) (nl - p);
                bool keep = false;

                if (startswith(p, "CONFIG_") || startswith(p, "# CONFIG_"))
                        for (const char *const *k = kconfig_words; *k && !keep; k++)
                                keep = memmem(p, n, *k, strlen(*k)) != NULL;
                if (keep) {
                        memcpy(w, p, n);
                        w += n;
                        *w++ = '\n';
                }
                p = *nl ? nl + 1 : nl;
        }
        *w = '\0';
        *ret_len = (size_t) (w - out);
        return out;
}

/* /proc/config.gz through zlib (gzread passes a testbed's plain text through). */
static int capture_config_gz(struct capture *c, const char *path) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = GD_TEXT_FILE_MAX;
        char *filtered;
        gzFile gz;
        int n;

        if (access(path, F_OK) < 0)
                return add_error(c, path, -errno);
        gz = gzopen(path, "rb");
        if (!gz)
                return add_error(c, path, errno ? -errno : -EIO);
        buf = malloc(cap + 1);
        if (!buf) {
                gzclose(gz);
                return -ENOMEM;
        }
        while (len < cap && (n = gzread(gz, buf + len, (unsigned) (cap - len))) > 0)
                len += (size_t) n;
        n = gzclose(gz) == Z_OK && len < cap;
        if (!n)
                return add_error(c, path, -EIO);
        buf[len] = '\0';
        if (strcmp(buf, GD_ABSENT_MARKER) == 0)
                return 0;
        if (strcmp(buf, GD_UNREADABLE_MARKER) == 0)
                return add_error(c, path, -EACCES);
        filtered = kconfig_filter(buf, &len);
        return filtered ? add_file(c, path, filtered, len, -1) : -ENOMEM;
}

static int capture_hostpaths(struct capture *c) {
        for (int i = 0; i < _GD_HOSTPATH_MAX; i++) {
                const char *path = gd_hostpath(i)->path;
                char *text = NULL;
                size_t len = 0;
                int r;

                if (i == GD_DEV_KMSG)
                        r = capture_kmsg(c, path);
                else if (i == GD_PROC_CONFIG_GZ)
                        r = capture_config_gz(c, path);
                else {
                        r = read_file_capped(path, GD_TEXT_FILE_MAX, &text, &len);
                        /* Readable without root, but every address reads as 0:
                         * a replay must not take that for the memory map. */
                        if (r >= 0 && i == GD_PROC_IOMEM && geteuid() != 0) {
                                free(text);
                                r = -EACCES;
                        }
                        if (r < 0) {
                                r = add_error(c, path, r);
                        } else {
                                /* The reader wants the first processor block only. */
                                char *blank = i == GD_PROC_CPUINFO ? strstr(text, "\n\n") : NULL;
                                if (blank) {
                                        blank[1] = '\0';
                                        len = (size_t) (blank + 1 - text);
                                }
                                r = add_file(c, path, text, len, -1);
                        }
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- /sys outside the PCI tree ----------------------------------------- */

static int capture_sys(struct capture *c, bool redact) {
        static const char *const attrs[] = {
                "/sys/hypervisor/type", "/sys/class/dmi/id/sys_vendor", "/sys/class/dmi/id/product_name",
        };
        static const char *const serials[] = {
                "/sys/class/dmi/id/product_serial", "/sys/class/dmi/id/product_uuid",
                "/sys/class/dmi/id/board_serial", "/sys/class/dmi/id/chassis_serial",
        };
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(attrs) + (redact ? 0 : ELEMENTSOF(serials)); i++) {
                const char *path = i < ELEMENTSOF(attrs) ? attrs[i] : serials[i - ELEMENTSOF(attrs)];
                char *text = NULL;
                size_t len = 0;

                r = read_file_capped(path, GD_ATTR_MAX, &text, &len);
                r = r < 0 ? add_error(c, path, r) : add_file(c, path, text, len, -1);
                if (r < 0)
                        return r;
        }

        /* ACPI tables: presence is the fact (DMAR, IVRS); the bodies are
         * root-only and not kept.  Every name is kept so that the tables
         * directory exists on replay and a missing DMAR reads as "no". */
        d = opendir("/sys/firmware/acpi/tables");
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *path = NULL;
                struct stat st;

                if (de->d_name[0] == '.' || asprintf(&path, "/sys/firmware/acpi/tables/%s", de->d_name) < 0)
                        continue;
                if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || !gd_bundle_path_allowed(path))
                        continue;
                r = add_file(c, path, NULL, 0, -1);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- configuration below the config root ------------------------------- */

static char *config_real(const char *logical) {
        return streq(gd_config_root(), "/") ? strdup(logical) : path_join(gd_config_root(), logical);
}

/* A whole small file with its mtime; past CONFIG_FILE_MAX, the lines that fit. */
static int capture_config_file(struct capture *c, const char *logical) {
        _cleanup_free_ char *real = config_real(logical);
        char *text = NULL;
        size_t len = 0;
        struct stat st;
        int r;

        if (!real)
                return -ENOMEM;
        if (stat(real, &st) < 0)
                return add_error(c, logical, -errno);
        if (!S_ISREG(st.st_mode))
                return 0;
        r = read_file_capped(real, GD_TEXT_FILE_MAX, &text, &len);
        if (r < 0)
                return add_error(c, logical, r);
        if (len > CONFIG_FILE_MAX) {
                char *nl = memrchr(text, '\n', CONFIG_FILE_MAX);
                len = nl ? (size_t) (nl + 1 - text) : CONFIG_FILE_MAX;
                text[len] = '\0';
        }
        return add_file(c, logical, text, len, (int64_t) st.st_mtime);
}

/* Presence (and mtime) only: an initramfs image, a tool in /usr/sbin. */
static int capture_presence(struct capture *c, const char *logical, bool with_mtime) {
        _cleanup_free_ char *real = config_real(logical);
        struct stat st;

        if (!real)
                return -ENOMEM;
        if (stat(real, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        return add_file(c, logical, NULL, 0, with_mtime ? (int64_t) st.st_mtime : -1);
}

static int capture_conf_dir(struct capture *c, const char *logical_dir) {
        _cleanup_free_ char *real = config_real(logical_dir);
        struct dirent **l = NULL;
        int n, r = 0;

        if (!real)
                return -ENOMEM;
        n = scandir(real, &l, NULL, alphasort);
        if (n < 0)
                return add_error(c, logical_dir, -errno);
        for (int i = 0; i < n; i++) {
                size_t len = strlen(l[i]->d_name);
                _cleanup_free_ char *logical = NULL;

                if (r >= 0 && l[i]->d_name[0] != '.' && len > 5 && streq(l[i]->d_name + len - 5, ".conf") &&
                    !streq(l[i]->d_name, "gpudiag-aliases.conf")) {
                        logical = path_join(logical_dir, l[i]->d_name);
                        r = logical ? capture_config_file(c, logical) : -ENOMEM;
                }
                free(l[i]);
        }
        free(l);
        return r;
}

static int capture_kconfig(struct capture *c, const char *release) {
        _cleanup_free_ char *logical = NULL, *real = NULL, *text = NULL;
        char *filtered;
        size_t len;
        struct stat st;
        int r;

        if (asprintf(&logical, "/boot/config-%s", release) < 0 || !(real = config_real(logical)))
                return -ENOMEM;
        if (stat(real, &st) < 0)
                return add_error(c, logical, -errno);
        r = read_file_capped(real, GD_TEXT_FILE_MAX, &text, NULL);
        if (r < 0)
                return add_error(c, logical, r);
        filtered = kconfig_filter(text, &len);
        return filtered ? add_file(c, logical, filtered, len, (int64_t) st.st_mtime) : -ENOMEM;
}

static bool builtin_of_interest(const char *line, size_t n) {
        static const char *const words[] = {
                "vfio", "drivers/gpu/", "drivers/video/", "sound/pci/hda/", "drivers/usb/host/xhci",
                "i2c-nvidia", "typec/ucsi", "drivers/iommu/", "drivers/pci/",
        };
        for (size_t i = 0; i < ELEMENTSOF(words); i++)
                if (memmem(line, n, words[i], strlen(words[i])))
                        return true;
        return false;
}

/* modules.alias is megabytes: keep the "alias" lines whose pattern matches
 * a present device's modalias, as a modprobe.d file that libkmod reads
 * through its config paths on replay (config aliases are honoured before
 * the index, see fixtures/modconfig).  modules.builtin: the lines of the
 * drivers that matter for passthrough. */
static int capture_modules(struct capture *c, const char *release, const struct gd_host *h) {
        _cleanup_free_ char *dir = NULL, *alias_path = NULL, *text = NULL, *builtin = NULL;
        _cleanup_free_ char *out = NULL, *logical = NULL;
        size_t size = 0, len = 0;
        struct stat st;
        FILE *f;
        int r;

        if (asprintf(&dir, "/lib/modules/%s", release) < 0 || !(alias_path = path_join(dir, "modules.alias")))
                return -ENOMEM;
        {
                _cleanup_free_ char *real = config_real(alias_path);
                if (!real)
                        return -ENOMEM;
                r = stat(real, &st) < 0 ? -errno : read_file_capped(real, MODULES_ALIAS_MAX, &text, NULL);
        }
        if (r < 0) {
                r = add_error(c, alias_path, r);
                if (r < 0)
                        return r;
        } else {
                f = open_memstream(&out, &size);
                if (!f)
                        return -ENOMEM;
                fprintf(f, "# gpudiag collect: the lines of %s that match this host's devices\n", alias_path);
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
                r = add_file(c, ALIASES_CONF, TAKE_PTR(out), size, (int64_t) st.st_mtime);
                if (r < 0)
                        return r;
        }

        if (!(logical = path_join(dir, "modules.builtin")))
                return -ENOMEM;
        {
                _cleanup_free_ char *real = config_real(logical);
                if (!real)
                        return -ENOMEM;
                r = stat(real, &st) < 0 ? -errno : read_file_capped(real, GD_TEXT_FILE_MAX, &builtin, NULL);
        }
        if (r < 0)
                return add_error(c, logical, r);
        {
                char *w = builtin;
                for (char *p = builtin; *p; ) {
                        char *nl = strchrnul(p, '\n');
                        size_t n = (size_t) (nl - p);
                        if (builtin_of_interest(p, n)) {
                                memmove(w, p, n);
                                w += n;
                                *w++ = '\n';
                        }
                        p = *nl ? nl + 1 : nl;
                }
                *w = '\0';
                len = (size_t) (w - builtin);
        }
        return add_file(c, logical, TAKE_PTR(builtin), len, (int64_t) st.st_mtime);
}

static int capture_config(struct capture *c, const struct gd_host *h) {
        static const char *const dirs[] = {
                "/etc/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d", "/etc/modules-load.d", "/etc/dracut.conf.d",
        };
        static const char *const single[] = {
                "/etc/modules", "/etc/default/grub", "/etc/kernel/cmdline", "/etc/kernel/proxmox-boot-uuids",
                "/etc/os-release", "/etc/initramfs-tools/modules", "/etc/mkinitcpio.conf",
        };
        static const char *const tools[] = {
                "update-initramfs", "dracut", "mkinitcpio", "proxmox-boot-tool", "kernelstub",
        };
        const char *release = h->kernel_release;
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(dirs); i++) {
                /* /lib/modprobe.d is /usr/lib/modprobe.d on merged-/usr systems. */
                if (i == 2) {
                        _cleanup_free_ char *a = config_real(dirs[1]), *b = config_real(dirs[2]);
                        _cleanup_free_ char *ra = a ? realpath(a, NULL) : NULL, *rb = b ? realpath(b, NULL) : NULL;
                        if (ra && rb && streq(ra, rb))
                                continue;
                }
                r = capture_conf_dir(c, dirs[i]);
        }
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(single); i++)
                r = capture_config_file(c, single[i]);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(tools); i++) {
                _cleanup_free_ char *p = path_join("/usr/sbin", tools[i]);
                r = p ? capture_presence(c, p, false) : -ENOMEM;
        }
        if (r < 0 || !release || !*release || strchr(release, '/') || streq(release, ".."))
                return r;

        r = capture_kconfig(c, release);
        if (r >= 0) {
                /* Debian/Proxmox, Fedora (dracut), Arch: bootconfig.c's names. */
                for (int i = 0; r >= 0 && i < 3; i++) {
                        _cleanup_free_ char *p = NULL;
                        int k = i == 0 ? asprintf(&p, "/boot/initrd.img-%s", release) :
                                i == 1 ? asprintf(&p, "/boot/initramfs-%s.img", release) :
                                         asprintf(&p, "/boot/initramfs-linux.img");
                        r = k < 0 ? -ENOMEM : capture_presence(c, p, true);
                }
        }
        if (r >= 0)
                r = capture_modules(c, release, h);
        return r;
}

/* ---- output ------------------------------------------------------------- */

static void usage(void) {
        printf("Usage: %s collect [OPTIONS]\n\n"
               "Write a snapshot bundle of this host (PCI devices, IOMMU groups, kernel log and\n"
               "command line, module and boot configuration, lspci view, findings) that anyone\n"
               "can diagnose elsewhere with 'gpudiag explain --bundle FILE'.  Serial numbers,\n"
               "MAC and IP addresses, UUIDs, the host name and user names are replaced by\n"
               "placeholders unless --no-redact is given.  Run as root for a complete bundle.\n\n"
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
                { "output",    required_argument, NULL, 'o' },
                { "no-redact", no_argument,       NULL, 'N' },
                { "quiet",     no_argument,       NULL, 'q' },
                { "help",      no_argument,       NULL, 'h' },
                {}
        };
        _cleanup_(capture_clear) struct capture cap = {};
        _cleanup_host_ struct gd_host *h = NULL;
        _cleanup_redact_ struct gd_redact *redact = NULL;
        _cleanup_free_ char *data = NULL, *error = NULL, *default_name = NULL;
        const char *output = NULL;
        struct gd_targets t = {};
        struct gd_findings f = {};
        bool no_redact = false, quiet = false;
        size_t size = 0;
        long long written;
        FILE *mem;
        int c, r;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+o:qh", longopts, NULL)) != -1) {
                switch (c) {
                case 'o': output = optarg; break;
                case 'N': no_redact = true; break;
                case 'q': quiet = true; break;
                case 'h':
                        usage();
                        return GD_EXIT_OK;
                default:
                        if (optopt == 'o')
                                cli_error("collect: option '-o' needs an argument");
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
        /* Inside a replay testbed, /etc lives below the config root. */
        if (getenv("GPUDIAG_CONFIG_ROOT"))
                gd_config_root_set(getenv("GPUDIAG_CONFIG_ROOT"));

        r = gd_host_read(GD_READ_ALL, &h);
        if (r < 0) {
                cli_error("cannot read PCI devices from /sys/bus/pci/devices: %s", strerror(-r));
                return GD_EXIT_HOST;
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
        r = gd_bundle_write(mem, cap.files, cap.n, cap.unreadable, &f, redact, &error);
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
