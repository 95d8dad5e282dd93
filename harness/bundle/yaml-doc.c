/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/utf8.h"
#include "bundle/yaml-doc.h"

int gd_yaml_node_line(struct fy_node *n) {
        void *it = NULL;

        if (!n)
                return 0;
        switch (fy_node_get_type(n)) {
        case FYNT_SCALAR: {
                struct fy_token *t = fy_node_get_scalar_token(n);
                const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
                return m ? m->line + 1 : 0;
        }
        case FYNT_MAPPING: {
                struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
                return p ? gd_yaml_node_line(fy_node_pair_key(p)) : 0;
        }
        case FYNT_SEQUENCE:
                return gd_yaml_node_line(fy_node_sequence_iterate(n, &it));
        }
        return 0;
}

void gd_yaml_clear(struct gd_yaml *y) {
        if (y->doc)
                fy_parse_document_destroy(y->fyp, y->doc);
        if (y->fyp)
                fy_parser_destroy(y->fyp);
        if (y->diag)
                fy_diag_destroy(y->diag);
        memset(y, 0, sizeof(*y));
}

/* The first collected error, as the problem's message and line. */
static int diag_problem(struct gd_yaml *y, const char *fallback, int *ret_line, char **ret_msg) {
        struct fy_diag_error *e;
        void *it = NULL;

        while ((e = fy_diag_errors_iterate(y->diag, &it)))
                if (e->type >= FYET_ERROR) {
                        *ret_line = e->line;
                        *ret_msg = strdup(e->msg);
                        return -EINVAL;
                }
        *ret_line = 0;
        *ret_msg = strdup(fallback);
        return -EINVAL;
}

/* libfyaml 0.7.12 (Debian 12) dies on some malformed input: six bytes,
 * "? n:\t|", end in a SEGV in fy_parser_destroy() (fy_indent_vacuum_internal;
 * found by fuzz-bundle), and upstream's tracker lists dozens of such crashes
 * fixed since.  A bundle or scenario comes from a stranger, so the document
 * is first parsed in a child process, with the default action for the fatal
 * signals and a time limit: when the child does not come back cleanly the
 * text is refused, and gpudiag carries on.  A parse is milliseconds for a
 * bundle; the fork costs about as much. */
static bool in_place;

void gd_yaml_parse_in_place(void) {
        in_place = true;
}

static bool parser_survives(const char *text, size_t len) {
        static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM };
        int status;
        pid_t pid;

        if (in_place)
                return true;
        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return true;    /* cannot tell: parse here, as before */
        if (pid == 0) {
                struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_JSON_NONE };
                struct fy_parser *p;
                int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

                for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
                        signal(fatal[i], SIG_DFL);
                if (null >= 0)
                        (void) dup2(null, STDERR_FILENO);
                alarm(30);
                p = fy_parser_create(&cfg);
                if (p && fy_parser_set_string(p, text, len) == 0) {
                        struct fy_document *d;
                        while ((d = fy_parse_load_document(p)))
                                fy_parse_document_destroy(p, d);
                }
                fy_parser_destroy(p);
                _exit(0);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return true;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int gd_yaml_load(struct gd_yaml *y, const char *text, size_t len, enum gd_yaml_problem *ret_problem,
                 int *ret_line, char **ret_msg) {
        struct fy_parse_cfg cfg = { 0 };
        struct fy_diag_cfg dcfg;
        struct fy_document *extra;
        size_t bad = 0;

        memset(y, 0, sizeof(*y));
        *ret_problem = GD_YAML_OK;
        *ret_line = 0;
        *ret_msg = NULL;

        if (!utf8_valid(text, len, &bad)) {
                *ret_problem = GD_YAML_NOT_UTF8;
                for (size_t i = 0; i < bad; i++)
                        *ret_line += text[i] == '\n';
                (*ret_line)++;
                if (asprintf(ret_msg, "byte 0x%02x at offset %zu", (unsigned char) text[bad], bad) < 0)
                        *ret_msg = NULL;
                return -EINVAL;
        }

        if (!parser_survives(text, len)) {
                *ret_problem = GD_YAML_SYNTAX;
                *ret_msg = strdup("the YAML parser (libfyaml) crashed or hung on it, which only malformed YAML does");
                return *ret_msg ? -EINVAL : -ENOMEM;
        }

        fy_diag_cfg_default(&dcfg);
        dcfg.fp = NULL;
        dcfg.colorize = false;
        dcfg.level = FYET_ERROR;
        y->diag = fy_diag_create(&dcfg);
        if (!y->diag)
                return -ENOMEM;
        fy_diag_set_collect_errors(y->diag, true);

        /* Duplicate keys are an error unless FYPCF_ALLOW_DUPLICATE_KEYS. */
        cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_JSON_NONE;
        cfg.diag = y->diag;
        y->fyp = fy_parser_create(&cfg);
        if (!y->fyp || fy_parser_set_string(y->fyp, text, len) != 0)
                return -ENOMEM;

        y->doc = fy_parse_load_document(y->fyp);
        if (!y->doc || fy_diag_got_error(y->diag)) {
                if (!y->doc && !fy_diag_got_error(y->diag)) {
                        *ret_problem = GD_YAML_EMPTY;
                        return -EINVAL;
                }
                *ret_problem = GD_YAML_SYNTAX;
                return diag_problem(y, "parse error", ret_line, ret_msg);
        }

        extra = fy_parse_load_document(y->fyp);
        if (extra) {
                *ret_problem = GD_YAML_EXTRA_DOC;
                *ret_line = gd_yaml_node_line(fy_document_root(extra));
                fy_parse_document_destroy(y->fyp, extra);
                return -EINVAL;
        }
        if (fy_diag_got_error(y->diag)) {
                *ret_problem = GD_YAML_SYNTAX;
                return diag_problem(y, "parse error after the document", ret_line, ret_msg);
        }
        return 0;
}
