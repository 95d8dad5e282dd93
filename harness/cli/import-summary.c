/* SPDX-License-Identifier: MIT */
/* What gpudiag import says after it wrote the bundle: the facts the text
 * proved, what it inferred (and from which line), the verdict the bundle
 * gives each GPU, and the commands whose output would settle what that
 * verdict still lacks (what to paste next).
 *
 * The verdicts and what they lack come from explain itself, run on the
 * bundle in its testbed as `gpudiag explain --bundle` runs: its JSON "gpus"
 * (verdict, unproven, findings), so the summary cannot disagree with
 * explain.  Each unproven condition maps to the command of its fact
 * (checks/unreadable.h): "driver@ADDR" to lspci -nnk of the card's slot,
 * "group@ADDR" to the group listing, "iommu" and "irq" to the kernel log
 * lines that prove them.  Text goes to stderr (stdout may be the bundle);
 * --format json writes it to stdout as one object. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/emit.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "bundle/yaml-doc.h"
#include "checks/unreadable.h"
#include "cli.h"
#include "import/import.h"
#include "import-summary.h"

#define IMPORT_SUMMARY_MAX_DEVICES 4096

struct gpu_verdict {
        char *address, *verdict;
        char **unproven, **findings;
};

struct needed {
        char *command;
        char **what;            /* the facts it settles: "driver of 0000:01:00.0", "irq" */
};

struct summary {
        struct gpu_verdict *gpus;
        size_t n_gpus;
        struct needed *needed;
        size_t n_needed;
        bool explained;         /* explain ran and its output was read */
};

static void summary_clear(struct summary *s) {
        for (size_t i = 0; i < s->n_gpus; i++) {
                free(s->gpus[i].address);
                free(s->gpus[i].verdict);
                strv_free(s->gpus[i].unproven);
                strv_free(s->gpus[i].findings);
        }
        free(s->gpus);
        for (size_t i = 0; i < s->n_needed; i++) {
                free(s->needed[i].command);
                strv_free(s->needed[i].what);
        }
        free(s->needed);
}

static char **string_seq(struct fy_node *seq) {
        char **l = NULL;
        struct fy_node *it;
        void *iter = NULL;

        while (seq && fy_node_is_sequence(seq) && (it = fy_node_sequence_iterate(seq, &iter))) {
                const char *v = fy_node_get_scalar0(it);
                if (v && strv_push_dup(&l, v) < 0)
                        break;
        }
        return l;
}

/* explain's JSON: {"gpus": [{"address", "verdict", "unproven": [...], "findings": [...]}], ...} */
static int parse_explain(const char *json, size_t len, struct summary *s) {
        struct gd_yaml y = { 0 };
        enum gd_yaml_problem problem;
        struct fy_node *gpus, *g;
        _cleanup_free_ char *msg = NULL;
        void *iter = NULL;
        int line, r;

        r = gd_yaml_load(&y, json, len, &problem, &line, &msg);
        if (r < 0)
                return r;
        gpus = fy_node_by_path(fy_document_root(y.doc), "/gpus", (size_t) -1, FYNWF_DONT_FOLLOW);
        while (gpus && fy_node_is_sequence(gpus) && (g = fy_node_sequence_iterate(gpus, &iter))) {
                struct gpu_verdict *n = reallocarray(s->gpus, s->n_gpus + 1, sizeof(*n));
                const char *a = fy_node_get_scalar0(fy_node_by_path(g, "/address", (size_t) -1, FYNWF_DONT_FOLLOW));
                const char *v = fy_node_get_scalar0(fy_node_by_path(g, "/verdict", (size_t) -1, FYNWF_DONT_FOLLOW));

                if (!n)
                        break;
                s->gpus = n;
                n = &n[s->n_gpus++];
                *n = (struct gpu_verdict) {
                        .address = strdup(a ? a : "?"),
                        .verdict = strdup(v ? v : "?"),
                        .unproven = string_seq(fy_node_by_path(g, "/unproven", (size_t) -1, FYNWF_DONT_FOLLOW)),
                        .findings = string_seq(fy_node_by_path(g, "/findings", (size_t) -1, FYNWF_DONT_FOLLOW)),
                };
        }
        s->explained = true;
        gd_yaml_clear(&y);
        return 0;
}

/* Runs explain --format json on the bundle, in its testbed. */
static int run_explain(const struct gd_bundle *b, const char *path, struct summary *s) {
        char *argv[] = { (char *) "gpudiag", (char *) "explain", (char *) "--format", (char *) "json", NULL };
        struct gd_progress *progress = NULL;
        _cleanup_free_ char *json = NULL;
        int fd = memfd_create("import-explain", MFD_CLOEXEC), saved, code, r = 0;
        off_t len;

        if (fd < 0)
                return -errno;
        fflush(stdout);
        saved = dup(STDOUT_FILENO);
        if (saved < 0 || dup2(fd, STDOUT_FILENO) < 0) {
                r = -errno;
                goto out;
        }
        code = cli_run_in_testbed_of(b, path, argv, &progress);
        fflush(stdout);
        (void) dup2(saved, STDOUT_FILENO);
        if (code > GD_EXIT_NOT_READY) {
                r = -EIO;
                goto out;
        }
        len = lseek(fd, 0, SEEK_END);
        if (len <= 0 || !(json = malloc((size_t) len + 1)) || pread(fd, json, (size_t) len, 0) != len) {
                r = -EIO;
                goto out;
        }
        json[len] = '\0';
        r = parse_explain(json, (size_t) len, s);
out:
        if (saved >= 0)
                close(saved);
        close(fd);
        return r;
}

/* The command that settles an unproven condition of explain's JSON. */
static char *command_for(const char *unproven, char **ret_what) {
        const char *at = strchr(unproven, '@');

        if (startswith(unproven, "driver@") && at) {
                if (asprintf(ret_what, "the driver of %s", at + 1) < 0)
                        return NULL;
                return gd_fact_command(GD_FACT_DRIVER, at + 1);
        }
        if (startswith(unproven, "group@") && at) {
                if (asprintf(ret_what, "the IOMMU group of %s and its other members", at + 1) < 0)
                        return NULL;
                return gd_fact_command(GD_FACT_GROUPS, NULL);
        }
        if (streq(unproven, "iommu")) {
                *ret_what = strdup("whether the IOMMU is on");
                return gd_fact_command(GD_FACT_IOMMU, NULL);
        }
        if (streq(unproven, "irq")) {
                *ret_what = strdup("whether interrupt remapping is on");
                return gd_fact_command(GD_FACT_IRQ_REMAP, NULL);
        }
        return NULL;
}

static void add_needed(struct summary *s, char *command, char *what) {
        for (size_t i = 0; i < s->n_needed; i++)
                if (streq(s->needed[i].command, command)) {
                        if (!strv_contains(s->needed[i].what, what))
                                (void) strv_consume(&s->needed[i].what, what);
                        else
                                free(what);
                        free(command);
                        return;
                }
        {
                struct needed *n = reallocarray(s->needed, s->n_needed + 1, sizeof(*n));
                if (!n) {
                        free(command);
                        free(what);
                        return;
                }
                s->needed = n;
                n[s->n_needed] = (struct needed) { .command = command };
                (void) strv_consume(&n[s->n_needed].what, what);
                s->n_needed++;
        }
}

static void collect_needed(struct summary *s) {
        for (size_t i = 0; i < s->n_gpus; i++) {
                /* A GPU already NOT READY needs no more facts for its verdict. */
                if (streq(s->gpus[i].verdict, "not-ready"))
                        continue;
                for (size_t k = 0; s->gpus[i].unproven && s->gpus[i].unproven[k]; k++) {
                        char *what = NULL, *cmd = command_for(s->gpus[i].unproven[k], &what);
                        if (cmd && what)
                                add_needed(s, cmd, what);
                        else {
                                free(cmd);
                                free(what);
                        }
                }
        }
}

static void print_text(const struct gd_import *im, const char *output, const struct summary *s) {
        struct gd_import_facts f;
        char * const *inferred = gd_import_inferred(im);

        gd_import_facts(im, &f);
        fprintf(stderr, "%s import: wrote %s\n", cli_program(), output && !streq(output, "-") ? output : "the bundle to stdout");
        fprintf(stderr, "  found: %zu PCI device%s (%zu with vendor:device IDs, %zu with a class), the driver of %zu, "
                        "the IOMMU group of %zu%s", f.devices, f.devices == 1 ? "" : "s", f.devices_with_ids,
                f.devices_with_class, f.drivers, f.grouped, f.groups_partial ? " (of some only the device's own)" : "");
        if (f.kmsg_lines)
                fprintf(stderr, ", %zu kernel log line%s", f.kmsg_lines, f.kmsg_lines == 1 ? "" : "s");
        if (f.vm_messages)
                fprintf(stderr, ", %zu VM tool message%s", f.vm_messages, f.vm_messages == 1 ? "" : "s");
        if (f.vm_configs)
                fprintf(stderr, ", %zu VM configuration%s", f.vm_configs, f.vm_configs == 1 ? "" : "s");
        if (f.cmdline)
                fprintf(stderr, ", the kernel command line");
        if (f.iomem)
                fprintf(stderr, ", /proc/iomem");
        if (f.modprobe)
                fprintf(stderr, ", module configuration");
        if (f.lsmod)
                fprintf(stderr, ", the loaded modules");
        fprintf(stderr, "\n");
        for (size_t i = 0; inferred[i]; i++)
                fprintf(stderr, "  inferred: %s\n", inferred[i]);
        if (!s->explained) {
                if (f.devices > IMPORT_SUMMARY_MAX_DEVICES)
                        fprintf(stderr, "  (no verdict here: %zu devices are more than a host has; run gpudiag explain "
                                        "--bundle on it)\n", f.devices);
                else
                        fprintf(stderr, "  (no verdict: explain could not run on the bundle)\n");
                return;
        }
        if (s->n_gpus == 0)
                fprintf(stderr, "  verdict: no GPU in the pasted text (paste the output of `lspci -nnk`)\n");
        for (size_t i = 0; i < s->n_gpus; i++) {
                fprintf(stderr, "  verdict: %s %s", s->gpus[i].address, s->gpus[i].verdict);
                for (size_t k = 0; s->gpus[i].findings && s->gpus[i].findings[k]; k++)
                        fprintf(stderr, "%s%s", k ? ", " : " (", s->gpus[i].findings[k]);
                fprintf(stderr, "%s\n", s->gpus[i].findings && s->gpus[i].findings[0] ? ")" : "");
        }
        if (s->n_needed > 0)
                fprintf(stderr, "  still needed for a verdict; paste the output of:\n");
        for (size_t i = 0; i < s->n_needed; i++) {
                fprintf(stderr, "    %s\n      (", s->needed[i].command);
                for (size_t k = 0; s->needed[i].what[k]; k++)
                        fprintf(stderr, "%s%s", k ? "; " : "", s->needed[i].what[k]);
                fprintf(stderr, ")\n");
        }
}

static void emit_strv(struct gd_emit *e, const char *key, char * const *l) {
        gd_emit_key(e, key);
        gd_emit_seq_begin(e);
        for (size_t i = 0; l && l[i]; i++)
                gd_emit_str(e, l[i]);
        gd_emit_seq_end(e);
}

static int print_json(const struct gd_import *im, const char *output, const struct summary *s) {
        _cleanup_emit_ struct gd_emit *e = gd_emit_new(stdout, GD_EMIT_JSON);
        struct gd_import_facts f;

        if (!e)
                return -ENOMEM;
        gd_import_facts(im, &f);
        gd_emit_map_begin(e);
        gd_emit_kv_str(e, "bundle", output && !streq(output, "-") ? output : NULL);
        gd_emit_key(e, "found");
        gd_emit_map_begin(e);
        gd_emit_kv_int(e, "devices", (long long) f.devices);
        gd_emit_kv_int(e, "devices_with_ids", (long long) f.devices_with_ids);
        gd_emit_kv_int(e, "devices_with_class", (long long) f.devices_with_class);
        gd_emit_kv_int(e, "drivers", (long long) f.drivers);
        gd_emit_kv_int(e, "grouped", (long long) f.grouped);
        gd_emit_kv_int(e, "groups_partial", (long long) f.groups_partial);
        gd_emit_kv_int(e, "kernel_log_lines", (long long) f.kmsg_lines);
        gd_emit_kv_int(e, "vm_tool_messages", (long long) f.vm_messages);
        gd_emit_kv_int(e, "vm_configs", (long long) f.vm_configs);
        gd_emit_kv_bool(e, "cmdline", f.cmdline);
        gd_emit_kv_bool(e, "iomem", f.iomem);
        gd_emit_kv_bool(e, "module_config", f.modprobe);
        gd_emit_kv_bool(e, "loaded_modules", f.lsmod);
        gd_emit_map_end(e);
        emit_strv(e, "inferred", gd_import_inferred(im));
        gd_emit_kv_bool(e, "explained", s->explained);
        gd_emit_key(e, "gpus");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < s->n_gpus; i++) {
                gd_emit_map_begin(e);
                gd_emit_kv_str(e, "address", s->gpus[i].address);
                gd_emit_kv_str(e, "verdict", s->gpus[i].verdict);
                emit_strv(e, "findings", s->gpus[i].findings);
                emit_strv(e, "unproven", s->gpus[i].unproven);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        gd_emit_key(e, "needed");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < s->n_needed; i++) {
                gd_emit_map_begin(e);
                gd_emit_kv_str(e, "command", s->needed[i].command);
                emit_strv(e, "settles", s->needed[i].what);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        gd_emit_map_end(e);
        return gd_emit_finish(e);
}

int import_summary(const struct gd_import *im, const struct gd_bundle *b, const char *bundle_path, const char *output,
                   enum gd_format format) {
        struct summary s = { 0 };
        int r;

        struct gd_import_facts f;

        /* Explain's own warnings are this command's: its testbed is of the
         * bundle just written.  Explain's time grows with the devices times
         * the GPUs; past the largest real host (bench/: 4,096 functions) a
         * paste is not a host, and import stays linear in its input. */
        gd_import_facts(im, &f);
        if (f.devices <= IMPORT_SUMMARY_MAX_DEVICES && run_explain(b, bundle_path, &s) < 0)
                s.explained = false;
        collect_needed(&s);
        if (format == GD_FORMAT_JSON)
                r = print_json(im, output, &s);
        else {
                print_text(im, output, &s);
                r = 0;
        }
        summary_clear(&s);
        return r;
}
