/* SPDX-License-Identifier: MIT */
/* Building, finding and freeing findings; gd_findings_add(), which takes
 * severity and effect from the catalogue, is in checks/catalogue.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "model/finding.h"

static char *vformat(const char *fmt, va_list ap) {
        char *s = NULL;
        return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

int gd_finding_subject(struct gd_finding *x, const char *subject) {
        if (strv_contains(x->subjects, subject))
                return 0;
        return strv_push_dup(&x->subjects, subject);
}

int gd_finding_evidence(struct gd_finding *x, const char *source, unsigned line, const char *text_fmt, ...) {
        struct gd_evidence *ev = realloc(x->evidence, (x->n_evidence + 1) * sizeof(*ev));
        va_list ap;

        if (!ev)
                return -ENOMEM;
        x->evidence = ev;
        ev = &ev[x->n_evidence];
        ev->source = strdup(source ? source : "");
        ev->line = line;
        va_start(ap, text_fmt);
        ev->text = vformat(text_fmt, ap);
        va_end(ap);
        if (!ev->source || !ev->text) {
                free(ev->source);
                free(ev->text);
                return -ENOMEM;
        }
        x->n_evidence++;
        return 0;
}

int gd_finding_remedy(struct gd_finding *x, const char *fmt, ...) {
        va_list ap;
        char *s;

        va_start(ap, fmt);
        s = vformat(fmt, ap);
        va_end(ap);
        if (!s)
                return -ENOMEM;
        free(x->remedy);
        x->remedy = s;
        return 0;
}

int gd_finding_remedy_append(struct gd_finding *x, const char *fmt, ...) {
        va_list ap;
        char *s, *joined = NULL;

        va_start(ap, fmt);
        s = vformat(fmt, ap);
        va_end(ap);
        if (!s)
                return -ENOMEM;
        if (!x->remedy) {
                x->remedy = s;
                return 0;
        }
        if (asprintf(&joined, "%s\n%s", x->remedy, s) < 0) {
                free(s);
                return -ENOMEM;
        }
        free(s);
        free(x->remedy);
        x->remedy = joined;
        return 0;
}

static bool action_eq(const struct gd_action *a, const struct gd_action *b) {
        return a->kind == b->kind && a->line == b->line && streq_null(a->arg, b->arg) &&
               streq_null(a->path, b->path) && streq_null(a->old_text, b->old_text) &&
               streq_null(a->text, b->text);
}

int gd_finding_action(struct gd_finding *x, const struct gd_action *a) {
        struct gd_action *grown;

        for (size_t i = 0; i < x->n_actions; i++)
                if (action_eq(&x->actions[i], a))
                        return 0;
        grown = reallocarray(x->actions, x->n_actions + 1, sizeof(*grown));
        if (!grown)
                return -ENOMEM;
        x->actions = grown;
        if (gd_action_copy(a, &grown[x->n_actions]) < 0)
                return -ENOMEM;
        x->n_actions++;
        return 0;
}

int gd_finding_act(struct gd_finding *x, enum gd_action_kind kind, const char *arg) {
        struct gd_action a = { .kind = kind, .arg = (char *) arg };
        return gd_finding_action(x, &a);
}

int gd_finding_act_text(struct gd_finding *x, enum gd_action_kind kind, const char *text_fmt, ...) {
        struct gd_action a = { .kind = kind };
        va_list ap;
        int r;

        va_start(ap, text_fmt);
        a.text = vformat(text_fmt, ap);
        va_end(ap);
        if (!a.text)
                return -ENOMEM;
        r = gd_finding_action(x, &a);
        free(a.text);
        return r;
}

int gd_finding_act_line(struct gd_finding *x, enum gd_action_kind kind, const char *path, unsigned line,
                        const char *old_text, const char *arg, const char *text) {
        struct gd_action a = { .kind = kind, .path = (char *) path, .line = line, .old_text = (char *) old_text,
                               .arg = (char *) arg, .text = (char *) text };
        return gd_finding_action(x, &a);
}

bool gd_finding_has_subject(const struct gd_finding *x, const char *subject) {
        return strv_contains(x->subjects, subject);
}

const struct gd_finding *gd_findings_find(const struct gd_findings *f, const char *id) {
        for (size_t i = 0; i < f->n; i++)
                if (strcmp(f->items[i].id, id) == 0)
                        return &f->items[i];
        return NULL;
}

int gd_findings_prove(struct gd_findings *f, const char *condition, const char *address) {
        char *s = NULL;

        if (asprintf(&s, "%s%s%s", condition, address ? "@" : "", address ? address : "") < 0)
                return -ENOMEM;
        if (strv_contains(f->proven, s)) {
                free(s);
                return 0;
        }
        return strv_consume(&f->proven, s);
}

bool gd_findings_proven(const struct gd_findings *f, const char *condition, const char *address) {
        char buf[256];

        snprintf(buf, sizeof(buf), "%s%s%s", condition, address ? "@" : "", address ? address : "");
        return strv_contains(f->proven, buf);
}

int gd_finding_edit(struct gd_finding *x, const char *file, unsigned line, const char *key, const char *old_value,
                    const char *new_value) {
        struct gd_edit *e;

        for (size_t i = 0; i < x->n_edits; i++)
                if (streq(x->edits[i].file, file) && streq(x->edits[i].key, key) &&
                    (old_value ? streq(x->edits[i].old_value, old_value) : !x->edits[i].old_value) &&
                    (new_value ? streq(x->edits[i].new_value, new_value) : !x->edits[i].new_value))
                        return 0;
        e = GROW(x->edits, x->n_edits);
        if (!e)
                return -ENOMEM;
        e->file = strdup(file ? file : "");
        e->line = line;
        e->key = strdup(key ? key : "");
        e->old_value = old_value ? strdup(old_value) : NULL;
        e->new_value = new_value ? strdup(new_value) : NULL;
        if (!e->file || !e->key || (old_value && !e->old_value) || (new_value && !e->new_value))
                return -ENOMEM;
        return 0;
}

void gd_finding_clear(struct gd_finding *x) {
        strv_free(x->subjects);
        free(x->summary);
        for (size_t j = 0; j < x->n_evidence; j++) {
                free(x->evidence[j].source);
                free(x->evidence[j].text);
        }
        free(x->evidence);
        free(x->remedy);
        for (size_t j = 0; j < x->n_edits; j++) {
                free(x->edits[j].file);
                free(x->edits[j].key);
                free(x->edits[j].old_value);
                free(x->edits[j].new_value);
        }
        free(x->edits);
        for (size_t j = 0; j < x->n_actions; j++)
                gd_action_clear(&x->actions[j]);
        free(x->actions);
        *x = (struct gd_finding) {};
}

void gd_findings_clear(struct gd_findings *f) {
        f->proven = strv_free(f->proven);
        for (size_t i = 0; i < f->n; i++)
                gd_finding_clear(&f->items[i]);
        free(f->items);
        f->items = NULL;
        f->n = 0;
}

static int cmp_finding(const void *a, const void *b) {
        const struct gd_finding *x = a, *y = b;
        int r;

        if (x->severity != y->severity)
                return x->severity > y->severity ? -1 : 1;
        r = strcmp(x->id, y->id);
        if (r)
                return r;
        return strcmp(x->subjects && x->subjects[0] ? x->subjects[0] : "",
                      y->subjects && y->subjects[0] ? y->subjects[0] : "");
}

void gd_findings_sort(struct gd_findings *f) {
        if (f->n > 1)
                qsort(f->items, f->n, sizeof(*f->items), cmp_finding);
}

const char *gd_severity_to_string(enum gd_severity s) {
        return s == GD_SEV_ERROR ? "error" : s == GD_SEV_WARNING ? "warning" : "info";
}
