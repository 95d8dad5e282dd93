/* SPDX-License-Identifier: MIT */
/* libvirt's per-VM logs, /var/log/libvirt/qemu/<name>.log (libvirt writes
 * QEMU's stderr there with its own lines, src/qemu/qemu_logcontext.c): the
 * lines of model/vmlog.h's table, from each VM's last start. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/io.h"
#include "base/io-record.h"
#include "base/macro.h"
#include "base/strv.h"
#include "model/vmlog.h"
#include "vmlog.h"

int gd_vmlog_read(struct gd_vmlog **ret) {
        _cleanup_free_ char *real = gd_config_path_join(GD_VAR_LOG_LIBVIRT_QEMU, NULL);
        _cleanup_strv_free_ char **names = NULL;
        struct gd_vmlog *log = calloc(1, sizeof(*log));

        if (!real || !log) {
                free(log);
                return -ENOMEM;
        }
        *ret = log;
        if (gd_io_list(real, 0, &names) < 0)
                return 0;               /* no libvirt here */
        for (size_t i = 0; names[i]; i++) {
                _cleanup_free_ char *path = NULL, *logical = NULL, *text = NULL;
                size_t len = strlen(names[i]), len_text = 0, before = log->n_records;

                if (names[i][0] == '.' || len <= 4 || !streq(names[i] + len - 4, ".log"))
                        continue;
                path = path_join(real, names[i]);
                logical = path_join(gd_configpath(GD_VAR_LOG_LIBVIRT_QEMU), names[i]);
                if (!path || !logical)
                        return -ENOMEM;
                /* Past the cap (a log never rotated): not read. */
                if (gd_io_read(path, GD_CAP_TEXT, &text, &len_text) < 0)
                        continue;
                if (gd_vmlog_parse(text, len_text, logical, log) < 0)
                        return -ENOMEM;
                /* A log without a line gpudiag uses stays at home. */
                if (log->n_records == before)
                        gd_io_record_drop(path);
        }
        return 0;
}
