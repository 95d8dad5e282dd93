/* SPDX-License-Identifier: MIT */
/* The guest family: what programs and containers in the VM need once the
 * driver holds the GPU (the facts: host/guest.c, model/guestinfo.h).
 *
 *   guest.device-nodes       the driver is up but its /dev nodes are missing
 *   guest.container-toolkit  a container engine is installed, the NVIDIA
 *                            container toolkit (or its runtime config) is not
 *
 * Device nodes: the NVIDIA kernel module registers its character devices
 * but creates no nodes; nvidia-modprobe (setuid, run by libcuda and
 * nvidia-smi) or the driver package's udev rules make /dev/nvidiactl,
 * /dev/nvidia<minor> and /dev/nvidia-uvm.  DRM minors appear in /dev/dri by
 * udev (devtmpfs).  A container given --gpus needs them on the machine.
 *
 * The toolkit: docker run --gpus calls the OCI prestart hook that
 * nvidia-container-toolkit installs (nvidia-container-runtime-hook); without
 * it Docker answers 'could not select device driver "" with capabilities:
 * [[gpu]]'.  containerd (Kubernetes) uses the nvidia runtime only when its
 * config.toml names it (nvidia-ctk runtime configure --runtime=containerd) or
 * a CDI spec describes the GPUs (nvidia-ctk cdi generate
 * --output=/etc/cdi/nvidia.yaml).  Nothing here changes a verdict: the VM
 * can use the GPU without containers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest-internal.h"
#include "model/guestinfo.h"

static bool present(const struct gd_guestinfo *g, const char *path) {
        const struct gd_guest_path *p = gd_guest_path_find(g, path);
        return p && p->state == 0;
}

static bool absent(const struct gd_guestinfo *g, const char *path) {
        const struct gd_guest_path *p = gd_guest_path_find(g, path);
        return p && p->state == -ENOENT;
}

void guest_check_nodes(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out) {
        const struct gd_guestinfo *g = h->guest;
        const struct gd_pci_dev *gpu = t->gpu;
        char missing[160] = "";
        struct gd_finding *x;

        /* Only once the driver is proven up: before that the nodes say nothing. */
        if (!g || !gd_findings_proven(out, GD_PROOF_INITIALISED, gpu->address))
                return;
        if (streq(gpu->driver, "nvidia")) {
                const struct gd_nvidia_gpu *n = gd_guest_nvidia_gpu(g, gpu->address);
                char minor[32] = "";

                if (n && n->minor >= 0)
                        snprintf(minor, sizeof(minor), "/dev/nvidia%d", n->minor);
                if (absent(g, "/dev/nvidiactl"))
                        snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "/dev/nvidiactl ");
                if (minor[0] && absent(g, minor))
                        snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s ", minor);
        }
        for (size_t k = 0; gpu->drm && gpu->drm[k]; k++) {
                char path[64];
                snprintf(path, sizeof(path), "/dev/dri/%s", gpu->drm[k]);
                if (absent(g, path))
                        snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s ", path);
        }
        if (!missing[0])
                return;
        missing[strlen(missing) - 1] = '\0';
        x = gd_findings_add(out, "guest.device-nodes", "the driver holds the GPU at %s but %s %s missing", gpu->address,
                            missing, strchr(missing, ' ') ? "are" : "is");
        if (!x)
                return;
        gd_finding_subject_target(x, t);
        gd_finding_evidence(x, "/dev", 0, "%s: no such file", missing);
        if (streq(gpu->driver, "nvidia"))
                gd_finding_remedy(x, "Run nvidia-smi once (its setuid helper nvidia-modprobe creates the nodes), or "
                                     "install the driver package's udev rules; a container needs them on this machine "
                                     "before docker run --gpus.");
        else
                gd_finding_remedy(x, "udev creates /dev/dri nodes: check that systemd-udevd runs (udevadm trigger "
                                     "--subsystem-match=drm); a container gets them with --device /dev/dri.");
}

/* The toolkit, or NULL: the first of its binaries present. */
static const char *toolkit(const struct gd_guestinfo *g) {
        static const char *const bins[] = {
                "/usr/bin/nvidia-ctk", "/usr/bin/nvidia-container-toolkit", "/usr/bin/nvidia-container-runtime",
                "/usr/bin/nvidia-container-cli",
        };
        for (size_t i = 0; i < ELEMENTSOF(bins); i++)
                if (present(g, bins[i]))
                        return bins[i];
        return NULL;
}

static bool toolkit_known_absent(const struct gd_guestinfo *g) {
        return absent(g, "/usr/bin/nvidia-ctk") && absent(g, "/usr/bin/nvidia-container-toolkit") &&
               absent(g, "/usr/bin/nvidia-container-runtime") && absent(g, "/usr/bin/nvidia-container-cli");
}

static bool config_names_nvidia(const struct gd_guestinfo *g, const char *path) {
        const struct gd_guest_path *p = gd_guest_path_find(g, path);
        return p && p->state == 0 && p->content && strcasestr(p->content, "nvidia");
}

void guest_check_toolkit(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out) {
        const struct gd_guestinfo *g = h->guest;
        const struct gd_pci_dev *gpu = t->gpu;
        bool docker, containerd, podman;
        struct gd_finding *x;

        if (!g || gpu->vendor != 0x10de)
                return;
        docker = present(g, "/usr/bin/dockerd");
        containerd = present(g, "/usr/bin/containerd");
        podman = present(g, "/usr/bin/podman");
        if (!docker && !containerd && !podman)
                return;
        if (toolkit_known_absent(g)) {
                x = gd_findings_add(out, "guest.container-toolkit", "%s is installed but the NVIDIA container toolkit "
                                    "is not: containers cannot get the GPU at %s",
                                    docker ? "Docker" : containerd ? "containerd" : "Podman", gpu->address);
                if (!x)
                        return;
                gd_finding_subject_target(x, t);
                gd_finding_evidence(x, docker ? "/usr/bin/dockerd" : containerd ? "/usr/bin/containerd" :
                                    "/usr/bin/podman", 0, "present");
                gd_finding_evidence(x, "/usr/bin/nvidia-ctk", 0, "absent (and nvidia-container-toolkit, "
                                    "nvidia-container-runtime, nvidia-container-cli)");
                gd_finding_remedy(x, "Install NVIDIA's container toolkit from its repository (apt install "
                                     "nvidia-container-toolkit / dnf install nvidia-container-toolkit), then:");
                if (docker)
                        gd_finding_remedy_append(x, "  nvidia-ctk runtime configure --runtime=docker && systemctl "
                                                    "restart docker; docker run --rm --gpus all ubuntu nvidia-smi");
                if (containerd)
                        gd_finding_remedy_append(x, "  nvidia-ctk runtime configure --runtime=containerd && systemctl "
                                                    "restart containerd");
                if (podman)
                        gd_finding_remedy_append(x, "  nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml; podman "
                                                    "run --device nvidia.com/gpu=all ...");
                return;
        }
        if (!toolkit(g) || !containerd || config_names_nvidia(g, "/etc/containerd/config.toml") || g->cdi_specs)
                return;
        x = gd_findings_add(out, "guest.container-toolkit", "containerd does not know the nvidia runtime and no CDI "
                            "spec describes the GPU at %s", gpu->address);
        if (!x)
                return;
        gd_finding_subject_target(x, t);
        gd_finding_evidence(x, toolkit(g), 0, "present");
        gd_finding_evidence(x, "/etc/containerd/config.toml", 0, "%s",
                            present(g, "/etc/containerd/config.toml") ? "names no nvidia runtime" : "absent");
        gd_finding_evidence(x, "/etc/cdi", 0, "no nvidia*.yaml or nvidia*.json");
        gd_finding_remedy(x, "nvidia-ctk runtime configure --runtime=containerd && systemctl restart containerd "
                             "(or nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml).");
}
