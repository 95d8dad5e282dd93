/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "reports.h"
#include "testbed-run.h"

#define REPORT_MAX (8u << 20)

static char **split(const char *s, char sep) {
        char **l = NULL;

        while (s && *s) {
                size_t n = strcspn(s, (char[]) { sep, '\0' });
                char *item = strndup(s, n);

                if (!item || strv_consume(&l, item) < 0)
                        return strv_free(l);
                s += n;
                if (*s == sep)
                        s++;
        }
        return l;
}

void reports_free_labels(struct report_label *l, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(l[i].report);
                free(l[i].address);
                strv_free(l[i].accepted);
                free(l[i].question);
                strv_free(l[i].causes);
                free(l[i].reason);
        }
        free(l);
}

int reports_load_labels(const char *path, struct report_label **ret, size_t *ret_n, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        struct report_label *l = NULL;
        size_t len, n = 0;
        unsigned lineno = 0;
        int r = read_file_capped(path, REPORT_MAX, &text, &len);

        if (r < 0)
                return r;
        for (char *line = text, *next; line && *line; line = next) {
                char rep[256], addr[32], acc[64], q[16], causes[512];
                int used = 0;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                lineno++;
                if (line[0] == '#' || line[0] == '\0')
                        continue;
                if (sscanf(line, "%255s %31s %63s %15s %511s %n", rep, addr, acc, q, causes, &used) != 5 || used == 0) {
                        if (ret_error && asprintf(ret_error, "%s:%u: not '<report> <address> <verdicts> <question> "
                                                  "<causes> <reason>'", path, lineno) < 0)
                                *ret_error = NULL;
                        reports_free_labels(l, n);
                        return -EINVAL;
                }
                {
                        struct report_label *nl = reallocarray(l, n + 1, sizeof(*nl));
                        if (!nl) {
                                reports_free_labels(l, n);
                                return -ENOMEM;
                        }
                        l = nl;
                        l[n++] = (struct report_label) {
                                .report = strdup(rep), .address = strdup(addr), .accepted = split(acc, '|'),
                                .question = strdup(q), .causes = streq(causes, "-") ? NULL : split(causes, ','),
                                .reason = strdup(line + used),
                        };
                }
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

char **reports_list(const char *dir) {
        char **l = NULL;
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return NULL;
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (n > 4 && streq(de->d_name + n - 4, ".txt"))
                        (void) strv_push_dup(&l, de->d_name);
        }
        closedir(d);
        strv_sort(l);
        return l;
}

/* "dddd:" just before p: the domain of a full address. */
static bool domain_before(const char *s, const char *p) {
        if (p - s < 5 || p[-1] != ':')
                return false;
        for (const char *q = p - 5; q < p - 1; q++)
                if (!isxdigit((unsigned char) *q))
                        return false;
        return p - s == 5 || !isalnum((unsigned char) p[-6]);
}

bool reports_text_has_address(const char *s) {
        for (size_t i = 0; s[i]; i++) {
                const char *p = s + i;

                if (i > 0 && (isalnum((unsigned char) p[-1]) || p[-1] == ':' || p[-1] == '.') && !domain_before(s, p))
                        continue;
                if (isxdigit((unsigned char) p[0]) && isxdigit((unsigned char) p[1]) && p[2] == ':' &&
                    isxdigit((unsigned char) p[3]) && isxdigit((unsigned char) p[4]) && p[5] == '.' &&
                    p[6] >= '0' && p[6] <= '7' && !isalnum((unsigned char) p[7]))
                        return true;
        }
        return false;
}

static char **strings_at(struct fy_node *n, const char *path) {
        struct fy_node *seq = fy_node_by_path(n, path, (size_t) -1, FYNWF_DONT_FOLLOW), *it;
        void *iter = NULL;
        char **l = NULL;

        while (seq && fy_node_is_sequence(seq) && (it = fy_node_sequence_iterate(seq, &iter))) {
                const char *v = fy_node_get_scalar0(it);
                if (v && !strv_contains(l, v))
                        (void) strv_push_dup(&l, v);
        }
        return l;
}

static int parse_gpus(const char *json, struct report_run *r) {
        struct fy_document *doc = fy_document_build_from_string(NULL, json, strlen(json));
        struct fy_node *gpus, *g;
        void *iter = NULL;

        if (!doc)
                return -EINVAL;
        gpus = fy_node_by_path(fy_document_root(doc), "/gpus", (size_t) -1, FYNWF_DONT_FOLLOW);
        while (gpus && fy_node_is_sequence(gpus) && (g = fy_node_sequence_iterate(gpus, &iter))) {
                struct report_gpu *n = reallocarray(r->gpus, r->n_gpus + 1, sizeof(*n));
                const char *a = fy_node_get_scalar0(fy_node_by_path(g, "/address", (size_t) -1, FYNWF_DONT_FOLLOW));
                const char *v = fy_node_get_scalar0(fy_node_by_path(g, "/verdict", (size_t) -1, FYNWF_DONT_FOLLOW));

                if (!n)
                        break;
                r->gpus = n;
                r->gpus[r->n_gpus++] = (struct report_gpu) {
                        .address = strdup(a ? a : ""), .verdict = strdup(v ? v : ""),
                        .functions = strings_at(g, "/functions"), .findings = strings_at(g, "/findings"),
                };
        }
        fy_document_destroy(doc);
        return 0;
}

static int status_of(int status) {
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int reports_run(const char *dir, const char *name, const char *scratch, struct report_run *ret) {
        _cleanup_free_ char *path = NULL, *text = NULL, *body_path = NULL, *bundle = NULL, *out = NULL;
        struct report_run r = { .name = strdup(name), .explain_status = -2 };
        const char *body;
        size_t len;
        FILE *f;
        int status, e;

        if (asprintf(&path, "%s/%s", dir, name) < 0 || asprintf(&body_path, "%s/%s", scratch, name) < 0 ||
            asprintf(&bundle, "%s/%s.yaml", scratch, name) < 0)
                return -ENOMEM;
        e = read_file_capped(path, REPORT_MAX, &text, &len);
        if (e < 0)
                return e;
        /* The '#' header lines are ours (source, licence, the expected
         * verdict): the user's text starts after them. */
        for (body = text; *body == '#'; ) {
                const char *nl = strchr(body, '\n');
                body = nl ? nl + 1 : body + strlen(body);
        }
        r.has_address = reports_text_has_address(body);
        f = fopen(body_path, "we");
        if (!f)
                return -errno;
        fputs(body, f);
        if (fclose(f) != 0)
                return -EIO;
        {
                char *argv[] = { (char *) gpudiag_binary(), (char *) "import", body_path, (char *) "-o",
                                 bundle, NULL };
                _cleanup_free_ char *ignored = NULL;

                e = program_run(argv, NULL, NULL, &ignored, &r.import_err, &status);
                if (e < 0)
                        return e;
                r.import_status = status_of(status);
        }
        if (r.import_status == 0) {
                char *argv[] = { (char *) gpudiag_binary(), (char *) "explain", (char *) "--format", (char *) "json",
                                 (char *) "--bundle", bundle, NULL };
                e = program_run(argv, NULL, NULL, &out, &r.explain_err, &status);
                if (e < 0)
                        return e;
                r.explain_status = status_of(status);
                if (r.explain_status >= 0 && r.explain_status <= 1 && out)
                        (void) parse_gpus(out, &r);
                r.explain_out = TAKE_PTR(out);
        }
        unlink(body_path);
        unlink(bundle);
        *ret = r;
        return 0;
}

void reports_run_clear(struct report_run *r) {
        for (size_t i = 0; i < r->n_gpus; i++) {
                free(r->gpus[i].address);
                strv_free(r->gpus[i].functions);
                free(r->gpus[i].verdict);
                strv_free(r->gpus[i].findings);
        }
        free(r->gpus);
        free(r->name);
        free(r->import_err);
        free(r->explain_err);
        free(r->explain_out);
        *r = (struct report_run) { 0 };
}

const struct report_gpu *reports_find_gpu(const struct report_run *r, const char *address) {
        for (size_t i = 0; i < r->n_gpus; i++)
                if (streq(r->gpus[i].address, address) || strv_contains(r->gpus[i].functions, address))
                        return &r->gpus[i];
        /* Another function of the same card (dddd:bb:dd). */
        for (size_t i = 0; i < r->n_gpus; i++)
                if (strlen(address) == 12 && strncmp(r->gpus[i].address, address, 10) == 0)
                        return &r->gpus[i];
        return NULL;
}
