/* SPDX-License-Identifier: MIT */
/* Recognising the lines of /proc/cmdline, modprobe.d files, /etc/modules
 * and /etc/default/grub when no prompt line said which file was shown. */
#include <ctype.h>
#include <string.h>

#include "base/hostpaths.h"
#include "import/import-internal.h"

/* Kernel parameters people paste; a line of tokens with two of these (one
 * of them decisive) is a command line, not prose. */
static const char *const known_params[] = {
        "BOOT_IMAGE", "root", "ro", "rw", "quiet", "splash", "intel_iommu", "amd_iommu", "iommu",
        "iommu.passthrough", "vfio-pci.ids", "vfio_pci.ids", "pcie_acs_override", "video", "nomodeset",
        "initcall_blacklist", "modprobe.blacklist", "rd.driver.blacklist", "rd.driver.pre",
        "kvm.ignore_msrs", "efifb", "pci", "pcie_aspm", "mitigations", "resume", "rootflags",
        "loglevel", "nofb", "vfio_iommu_type1.allow_unsafe_interrupts", "initrd", "boot", "rootfstype",
};
static const char *const decisive_params[] = {
        "BOOT_IMAGE", "root", "intel_iommu", "amd_iommu", "iommu", "vfio-pci.ids", "vfio_pci.ids",
        "pcie_acs_override", "initrd",
};

static bool in_list(const char *key, size_t len, const char *const *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (strlen(list[i]) == len && strncmp(list[i], key, len) == 0)
                        return true;
        return false;
}

bool imp_is_cmdline_line(const char *s, size_t len) {
        unsigned known = 0, decisive = 0;

        if (startswith(s, "BOOT_IMAGE=") || startswith(s, "initrd="))
                return true;
        for (size_t i = 0; i < len; ) {
                size_t start, keylen;

                while (i < len && s[i] == ' ')
                        i++;
                if (i >= len)
                        break;
                start = i;
                while (i < len && s[i] != ' ' && s[i] != '=') {
                        char c = s[i];
                        if (!isalnum((unsigned char) c) && c != '_' && c != '-' && c != '.')
                                return false;
                        i++;
                }
                keylen = i - start;
                if (keylen == 0)
                        return false;
                if (in_list(s + start, keylen, known_params, ELEMENTSOF(known_params)))
                        known++;
                if (in_list(s + start, keylen, decisive_params, ELEMENTSOF(decisive_params)))
                        decisive++;
                if (i < len && s[i] == '=') {
                        bool quoted = false;
                        for (i++; i < len && (quoted || s[i] != ' '); i++)
                                if (s[i] == '"')
                                        quoted = !quoted;
                }
        }
        return known >= 2 && decisive >= 1;
}

void imp_cmdline_line(struct gd_import *im, const struct imp_line *l) {
        const char *path = gd_hostpath(GD_PROC_CMDLINE)->path;
        struct imp_file *f = imp_file_find(im, path);
        size_t len = l->body_len;

        while (len > 0 && isspace((unsigned char) l->body[len - 1]))
                len--;
        if (f) {
                if (f->len != len + 1 || strncmp(f->content, l->body, len) != 0)
                        imp_warn(im, l, "a second, different kernel command line; keeping the first");
                return;
        }
        (void) imp_file_append(im, path, l->body, len);
}

static bool keyword(const char *s, const char *const *words, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (startswith(s, words[i]) && (s[strlen(words[i])] == ' ' || s[strlen(words[i])] == '\t'))
                        return true;
        return false;
}

bool imp_is_modprobe_line(const char *s, size_t len) {
        static const char *const words[] = { "options", "blacklist", "softdep", "alias", "install", "remove" };
        return len > 0 && keyword(s, words, ELEMENTSOF(words));
}

bool imp_is_grub_line(const char *s, size_t len) {
        if (startswith(s, "export "))
                s += strlen("export ");
        if (!startswith(s, "GRUB_"))
                return false;
        for (s += 5; *s && *s != '='; s++)
                if (!isupper((unsigned char) *s) && !isdigit((unsigned char) *s) && *s != '_')
                        return false;
        return *s == '=';
}

/* Without a prompt, only the vfio module names say "this is /etc/modules". */
bool imp_is_modules_line(const char *s, size_t len) {
        static const char *const names[] = { "vfio", "vfio_iommu_type1", "vfio_pci", "vfio_virqfd", "vfio-pci" };
        size_t n = strcspn(s, " \t#");

        if (s[n] != '\0' && strspn(s + n, " \t") != strlen(s + n))
                return false;
        return in_list(s, n, names, ELEMENTSOF(names));
}
