/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/io-record.h"
#include "base/hostpaths.h"
#include "base/macro.h"
#include "platform.h"

static char *value_after_colon(const char *line, size_t len) {
        const char *c = memchr(line, ':', len);
        const char *e = line + len;

        if (!c)
                return NULL;
        for (c++; c < e && (*c == ' ' || *c == '\t'); c++)
                ;
        return strndup(c, (size_t) (e - c));
}

static bool has_word(const char *s, size_t len, const char *word) {
        size_t wl = strlen(word);

        for (const char *p = s; p + wl <= s + len; p++) {
                if (memcmp(p, word, wl) == 0 &&
                    (p == s || p[-1] == ' ' || p[-1] == '\t' || p[-1] == ':') &&
                    (p + wl == s + len || p[wl] == ' ' || p[wl] == '\n'))
                        return true;
        }
        return false;
}

size_t gd_cpuinfo_parse(const char *text, char **ret_vendor, tri_t *ret_hypervisor) {
        const char *line = text;

        *ret_vendor = NULL;
        *ret_hypervisor = TRI_UNKNOWN;
        while (line && *line) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t) (nl - line) : strlen(line);

                if (len == 0 && (*ret_vendor || *ret_hypervisor != TRI_UNKNOWN))
                        return (size_t) (line - text); /* end of the first processor block */
                if (!*ret_vendor && startswith(line, "vendor_id"))
                        *ret_vendor = value_after_colon(line, len);
                else if (*ret_hypervisor == TRI_UNKNOWN &&
                         (startswith(line, "flags") || startswith(line, "Features")))
                        *ret_hypervisor = has_word(line, len, "hypervisor") ? TRI_YES : TRI_NO;
                line = nl ? nl + 1 : NULL;
        }
        return strlen(text);
}

int gd_platform_read(struct gd_host *h) {
        _cleanup_free_ char *cpuinfo = NULL;

        const char *cpuinfo_path = gd_hostpath(GD_PROC_CPUINFO)->path;

        if (gd_io_read_attr("/", gd_hostpath(GD_PROC_OSRELEASE)->path, &h->kernel_release) < 0)
                h->kernel_release = NULL;
        if (gd_io_read(cpuinfo_path, GD_CAP_TEXT, &cpuinfo, NULL) == 0) {
                size_t used = gd_cpuinfo_parse(cpuinfo, &h->cpu_vendor, &h->hypervisor);
                /* A bundle keeps the block that was read, not every CPU's. */
                gd_io_record_keep(cpuinfo_path, cpuinfo, used);
        }

        (void) gd_io_read_attr("/sys/class/dmi/id", "sys_vendor", &h->dmi_sys_vendor);
        (void) gd_io_read_attr("/sys/class/dmi/id", "product_name", &h->dmi_product_name);
        (void) gd_io_read_attr("/sys/hypervisor", "type", &h->hypervisor_type);
        /* xenfs mounts on /proc/xen in every Xen domain; the file says
         * whether this one is the control domain (model/role.c). */
        h->xen_capabilities_state = gd_io_read(gd_hostpath(GD_PROC_XEN_CAPABILITIES)->path, GD_CAP_ATTR,
                                               &h->xen_capabilities, NULL);
        if (gd_io_read_attr("/proc/sys/kernel", "hostname", &h->hostname) < 0)
                h->hostname = NULL;
        return 0;
}
