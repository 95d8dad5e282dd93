/* SPDX-License-Identifier: MIT */
/* Evidence helpers shared by the checks: every finding says where its facts
 * came from, in the same form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hostpaths.h"
#include "check.h"

int gd_finding_subject_target(struct gd_finding *x, const struct gd_target *t) {
        for (size_t i = 0; i < t->n_functions; i++) {
                int r = gd_finding_subject(x, t->functions[i]->address);
                if (r < 0)
                        return r;
        }
        return 0;
}

int gd_finding_evidence_attr(struct gd_finding *x, const struct gd_pci_dev *d, const char *attr, const char *value) {
        _cleanup_free_ char *src = gd_pci_attr_source(d, attr);
        return gd_finding_evidence(x, src, 0, "%s", value ? value : "(unreadable)");
}

int gd_finding_evidence_cmdline(struct gd_finding *x, const struct gd_host *h) {
        return gd_finding_evidence(x, gd_hostpath(GD_PROC_CMDLINE)->path, 1, "%s",
                                   h->cmdline.raw ? h->cmdline.raw : "");
}

bool gd_source_is_cmdline(const struct gd_source *s) {
        return s && streq(s->path, gd_hostpath(GD_PROC_CMDLINE)->path);
}

int gd_finding_evidence_kmsg(struct gd_finding *x, const struct gd_host *h, const struct gd_kmsg_record *r) {
        return gd_finding_evidence(x, h->kmsg.source ? h->kmsg.source : "kernel log", r->line, "%s", r->text);
}

bool gd_kernel_at_least(const struct gd_host *h, unsigned maj, unsigned min) {
        unsigned a, b;

        if (!gd_kernel_version(h->kernel_release, &a, &b))
                return false;
        return a > maj || (a == maj && b >= min);
}

bool gd_kmsg_names_device(const char *text, const char *addr) {
        size_t al = strlen(addr);

        for (const char *p = strstr(text, addr); p; p = strstr(p + 1, addr))
                if ((p == text || p[-1] == ' ') && p[al] == ':')
                        return true;
        return false;
}

bool gd_kmsg_names_target(const char *text, const struct gd_target *t) {
        for (size_t f = 0; f < t->n_functions; f++)
                if (gd_kmsg_names_device(text, t->functions[f]->address))
                        return true;
        return false;
}
