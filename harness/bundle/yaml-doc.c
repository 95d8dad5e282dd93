/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

size_t gd_yaml_max_nodes(size_t len) {
        return (GD_YAML_NODE_BUDGET + 2 * (uint64_t) len) / GD_YAML_NODE_BYTES;
}

/* One pass over libfyaml's events, which it makes without keeping them:
 * the nodes and the nesting the document would have, stopped at the
 * limits.  GD_YAML_OK also when the text is malformed (the load that
 * follows names that). */
static enum gd_yaml_problem count_events(const char *text, size_t len, int *ret_line, size_t *ret_nodes,
                                        unsigned *ret_depth) {
        struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_JSON_NONE };
        enum gd_yaml_problem problem = GD_YAML_OK;
        size_t nodes = 0, max_nodes = gd_yaml_max_nodes(len);
        unsigned depth = 0, deepest = 0;
        struct fy_diag_cfg dcfg;
        struct fy_parser *p;
        struct fy_event *ev;

        *ret_line = 0;
        /* Silent: the load that follows reports what is malformed. */
        fy_diag_cfg_default(&dcfg);
        dcfg.fp = NULL;
        dcfg.level = FYET_ERROR;
        cfg.diag = fy_diag_create(&dcfg);
        if (cfg.diag)
                fy_diag_set_collect_errors(cfg.diag, true);
        p = cfg.diag ? fy_parser_create(&cfg) : NULL;
        if (!p || fy_parser_set_string(p, text, len) != 0) {
                fy_parser_destroy(p);
                fy_diag_destroy(cfg.diag);
                return GD_YAML_OK;      /* out of memory: the load says so */
        }
        while (problem == GD_YAML_OK && (ev = fy_parser_parse(p))) {
                switch (ev->type) {
                case FYET_SEQUENCE_START:
                case FYET_MAPPING_START:
                        if (++depth > GD_YAML_MAX_DEPTH)
                                problem = GD_YAML_TOO_DEEP;
                        if (depth > deepest)
                                deepest = depth;
                        /* fall through */
                case FYET_SCALAR:
                case FYET_ALIAS:
                        if (++nodes > max_nodes)
                                problem = GD_YAML_TOO_MANY_NODES;
                        break;
                case FYET_SEQUENCE_END:
                case FYET_MAPPING_END:
                        depth--;
                        break;
                default:
                        break;
                }
                if (problem != GD_YAML_OK) {
                        const struct fy_mark *m = fy_event_start_mark(ev);
                        *ret_line = m ? m->line + 1 : 0;
                }
                fy_parser_event_free(p, ev);
        }
        fy_parser_destroy(p);
        fy_diag_destroy(cfg.diag);
        *ret_nodes = nodes;
        if (ret_depth)
                *ret_depth = deepest;
        return problem;
}

int gd_yaml_count_nodes(const char *text, size_t len, size_t *ret_nodes, unsigned *ret_depth) {
        int line;

        return count_events(text, len, &line, ret_nodes, ret_depth) == GD_YAML_OK ? 0 : -E2BIG;
}

/* libfyaml 0.7.12 scans ahead over every '[' and '{' of one line before it
 * hands out the first event (each may start a simple key, which YAML keeps
 * to one line), about 340 bytes each: a line of 8 M '[' took 2.7 GB before
 * its "Max depth" error.  A line break ends that, so a line may open at
 * most GD_YAML_MAX_LINE_OPENERS more than it closes; counted without
 * regard to quotes, which only makes the count larger. */
#define GD_YAML_MAX_LINE_OPENERS 256
static int line_nesting_too_deep(const char *text, size_t len) {
        int line = 1;
        unsigned open = 0;

        for (size_t i = 0; i < len; i++)
                switch (text[i]) {
                case '\n':
                        line++;
                        open = 0;
                        break;
                case '[':
                case '{':
                        if (++open > GD_YAML_MAX_LINE_OPENERS)
                                return line;
                        break;
                case ']':
                case '}':
                        open -= open > 0;
                        break;
                }
        return 0;
}

enum sandbox_result {
        SANDBOX_NONE,           /* parsing in place, or no child: count here */
        SANDBOX_OK,             /* within the limits, and the parser survived */
        SANDBOX_PAST_LIMITS,    /* count here, for the line and the message */
        SANDBOX_CRASHED,
};
#define EXIT_PAST_LIMITS 3

static enum sandbox_result parser_survives(const char *text, size_t len) {
        static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM };
        int status;
        pid_t pid;

        if (in_place)
                return SANDBOX_NONE;
        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return SANDBOX_NONE;    /* cannot tell: parse here, as before */
        if (pid == 0) {
                struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_JSON_NONE };
                struct fy_parser *p;
                int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

                for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
                        signal(fatal[i], SIG_DFL);
                if (null >= 0)
                        (void) dup2(null, STDERR_FILENO);
                alarm(30);
                /* Within the limits first, so that the child's memory is
                 * bounded too; past them the parent refuses the text. */
                {
                        int line;
                        size_t nodes;
                        if (count_events(text, len, &line, &nodes, NULL) != GD_YAML_OK)
                                _exit(EXIT_PAST_LIMITS);
                }
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
                        return SANDBOX_NONE;
        if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != EXIT_PAST_LIMITS))
                return SANDBOX_CRASHED;
        return WEXITSTATUS(status) == 0 ? SANDBOX_OK : SANDBOX_PAST_LIMITS;
}

/* Gives back the resident pages of a mapped text ([text, text + len) a
 * private mapping of a file: they are read again from the page cache when
 * touched again). */
static void release(const char *text, size_t len) {
        const uintptr_t page = (uintptr_t) sysconf(_SC_PAGESIZE);
        uintptr_t from = ((uintptr_t) text + page - 1) & ~(page - 1), to = ((uintptr_t) text + len) & ~(page - 1);

        if (to > from)
                (void) madvise((void *) from, to - from, MADV_DONTNEED);
}

static int load(struct gd_yaml *y, const char *text, size_t len, bool mapped, const struct gd_yaml_counted *counted,
                enum gd_yaml_problem *ret_problem, int *ret_line, char **ret_msg);

int gd_yaml_load(struct gd_yaml *y, const char *text, size_t len, enum gd_yaml_problem *ret_problem,
                 int *ret_line, char **ret_msg) {
        return load(y, text, len, false, NULL, ret_problem, ret_line, ret_msg);
}

int gd_yaml_load_mapped(struct gd_yaml *y, const char *text, size_t len, bool mapped,
                        enum gd_yaml_problem *ret_problem, int *ret_line, char **ret_msg) {
        return load(y, text, len, mapped, NULL, ret_problem, ret_line, ret_msg);
}

int gd_yaml_load_counted(struct gd_yaml *y, const char *text, size_t len, const struct gd_yaml_counted *counted,
                         enum gd_yaml_problem *ret_problem, int *ret_line, char **ret_msg) {
        return load(y, text, len, false, counted, ret_problem, ret_line, ret_msg);
}

static int load(struct gd_yaml *y, const char *text, size_t len, bool mapped, const struct gd_yaml_counted *counted,
                enum gd_yaml_problem *ret_problem, int *ret_line, char **ret_msg) {
        struct fy_parse_cfg cfg = { 0 };
        struct fy_diag_cfg dcfg;
        struct fy_document *extra;
        enum sandbox_result sandbox;
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

        *ret_line = line_nesting_too_deep(text, len);
        if (*ret_line > 0) {
                *ret_problem = GD_YAML_TOO_DEEP;
                if (asprintf(ret_msg, "one line opens more than %u '[' or '{'", GD_YAML_MAX_LINE_OPENERS) < 0)
                        *ret_msg = NULL;
                return -EINVAL;
        }

        /* The checks above read all of it, and the parse reads it again:
         * resident only once at a time. */
        if (mapped)
                release(text, len);
        /* Text gpudiag's own emitter wrote, with the nodes it counted while
         * writing them: within the limits, the parse is the only pass (the
         * count was a fifth of reloading an import of 80,000 devices);
         * past them, counted here as any text, for the line and the
         * message. */
        if (counted && counted->nodes <= gd_yaml_max_nodes(len) && counted->depth <= GD_YAML_MAX_DEPTH)
                sandbox = SANDBOX_OK;
        else
                sandbox = parser_survives(text, len);
        if (sandbox == SANDBOX_CRASHED) {
                *ret_problem = GD_YAML_SYNTAX;
                *ret_msg = strdup("the YAML parser (libfyaml) crashed or hung on it, which only malformed YAML does");
                return *ret_msg ? -EINVAL : -ENOMEM;
        }

        if (sandbox != SANDBOX_OK) {
                size_t nodes = 0;

                *ret_problem = count_events(text, len, ret_line, &nodes, NULL);
                if (*ret_problem == GD_YAML_TOO_MANY_NODES &&
                    asprintf(ret_msg, "more than %zu YAML nodes, the most a document of %zu bytes may have "
                             "(%u, and one more per %u bytes)", gd_yaml_max_nodes(len), len,
                             GD_YAML_NODE_BUDGET / GD_YAML_NODE_BYTES, GD_YAML_NODE_BYTES / 2) < 0)
                        *ret_msg = NULL;
                if (*ret_problem == GD_YAML_TOO_DEEP &&
                    asprintf(ret_msg, "collections nested more than %u deep", GD_YAML_MAX_DEPTH) < 0)
                        *ret_msg = NULL;
                if (*ret_problem != GD_YAML_OK)
                        return -EINVAL;
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
