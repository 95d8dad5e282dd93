/* SPDX-License-Identifier: MIT */
/* Messages of the tools that start VMs, pasted: QEMU's errors about a
 * vfio-pci device ("qemu-system-x86_64: -device vfio-pci,host=01:00.0: vfio
 * 0000:01:00.0: group 1 is not viable"), libvirt's ("VFIO device assignment
 * is currently not supported on this system"), Proxmox VE's task output
 * ("kvm: -device vfio-pci,host=0000:00:02.0,...: ...", "TASK ERROR: ...").
 * A line holding a signal of model/vmlog.h goes to one VM log of the bundle,
 * IMP_VM_LOG, in libvirt's log directory where a host keeps QEMU's
 * messages, so the reader and the checks take it as they take a host's; the
 * device it names is recorded by its address. */
#include <string.h>

#include "import/import-internal.h"
#include "model/vmlog.h"

bool imp_vm_tool_line(struct gd_import *im, const struct imp_line *l) {
        uint32_t s = gd_vmlog_signals_in(l->body, l->body_len);
        char addr[GD_ADDR_LEN];

        /* A libvirt start line alone is no message about a device. */
        if ((s & ~(1u << GD_VMLOG_STARTING_UP)) == 0)
                return false;
        (void) imp_file_append(im, IMP_VM_LOG, l->body, l->body_len);
        if (gd_vmlog_line_address(l->body, l->body_len, addr))
                (void) imp_dev_named(im, addr, l);
        return true;
}
