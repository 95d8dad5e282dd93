/* SPDX-License-Identifier: MIT */
/* lspci -t (with or without -v/-nn): the bridge hierarchy.  ls-tree.c draws
 * a bus as "-[bb]-" (or "-[bb-ss]-", "-[dddd:bb]-" for a root) followed by
 * its devices, each after "+-", "\-" or "--" starting at the column right
 * after the bracket; later lines repeat that column.  So a column remembers
 * the bus (and bridge) whose devices hang there. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "import/import-internal.h"

#define TREE_COLS 1024

struct tree_bus {
        bool set;
        unsigned domain, bus;
        char parent[13];        /* "" for a root bus */
};

struct imp_tree {
        struct tree_bus col[TREE_COLS];
};

struct imp_tree *imp_tree_new(void) {
        return calloc(1, sizeof(struct imp_tree));
}

void imp_tree_free(struct imp_tree *t) {
        free(t);
}

static bool is_devfn(const char *s, size_t len, size_t i) {
        return i + 4 <= len && isxdigit((unsigned char) s[i]) && isxdigit((unsigned char) s[i + 1]) &&
               s[i + 2] == '.' && s[i + 3] >= '0' && s[i + 3] <= '7' &&
               (i + 4 == len || s[i + 4] == ' ' || s[i + 4] == '-');
}

bool imp_is_tree_line(const char *s, size_t len) {
        if (!(startswith(s, "-[") || startswith(s, "-+-[") || startswith(s, "+-") || startswith(s, "\\-") ||
              startswith(s, "|")))
                return false;
        for (size_t i = 2; i < len; i++)
                if (s[i - 1] == '-' && (s[i - 2] == '+' || s[i - 2] == '\\' || s[i - 2] == '-') &&
                    is_devfn(s, len, i))
                        return true;
        return memchr(s, '[', len) != NULL && memchr(s, ']', len) != NULL;
}

static void tree_name(struct gd_import *im, struct imp_dev *d, const char *s, size_t len, const struct imp_line *l) {
        unsigned v, dv;

        while (len > 0 && *s == ' ')
                s++, len--;
        while (len > 0 && s[len - 1] == ' ')
                len--;
        if (len >= 11 && s[len - 11] == '[' && s[len - 6] == ':' && s[len - 1] == ']' &&
            sscanf(s + len - 10, "%4x:%4x", &v, &dv) == 2) {
                if (d->vendor == IMP_UNSET && d->device == IMP_UNSET) {
                        d->vendor = (int) v;
                        d->device = (int) dv;
                }
                return;
        }
        imp_ids_from_name(im, d, s, len, l);
}

void imp_tree_line(struct gd_import *im, struct imp_tree *t, const struct imp_line *l) {
        const char *s = l->text;
        size_t len = l->len;
        struct imp_dev *last = NULL;

        if (startswith(l->body, "-[") || startswith(l->body, "-+-["))
                memset(t->col, 0, sizeof(t->col));

        for (size_t i = 0; i < len; i++) {
                if (s[i] == '[') {
                        const char *close = memchr(s + i, ']', len - i);
                        size_t after;
                        unsigned a, b, c;
                        struct tree_bus bus = { .set = true };

                        if (!close)
                                break;
                        /* The bus's devices start at the first connector
                         * after the dashes ("]-+-", "]--+-", "]----00.0"). */
                        after = (size_t) (close - s) + 1;
                        while (after < len && s[after] == '-')
                                after++;
                        if (after < len && s[after] != '+' && s[after] != '\\')
                                after -= 2;
                        if (close - s - (ptrdiff_t) i == 8 && sscanf(s + i, "[%4x:%2x]", &a, &b) == 2) {
                                bus.domain = a;
                                bus.bus = b;
                        } else if (last && (sscanf(s + i, "[%2x-%2x]", &b, &c) == 2 ||
                                            (sscanf(s + i, "[%2x]", &b) == 1 && (c = b, true)))) {
                                bus.domain = last->domain;
                                bus.bus = b;
                                memcpy(bus.parent, last->address, sizeof(bus.parent));
                                if (last->secondary == IMP_UNSET)
                                        last->secondary = (int) b;
                                if (last->subordinate == IMP_UNSET)
                                        last->subordinate = (int) c;
                        } else {
                                /* A device name's bracket (-v): the rest is the name. */
                                break;
                        }
                        if (after < TREE_COLS)
                                t->col[after] = bus;
                        i = (size_t) (close - s);
                        last = NULL;
                        continue;
                }
                if (i >= 2 && s[i - 1] == '-' && (s[i - 2] == '+' || s[i - 2] == '\\' || s[i - 2] == '-') &&
                    is_devfn(s, len, i)) {
                        const struct tree_bus *bus = i - 2 < TREE_COLS ? &t->col[i - 2] : NULL;
                        unsigned slot, fn = (unsigned) (s[i + 3] - '0');

                        if (!bus || !bus->set) {
                                imp_warn(im, l, "lspci -t: %.4s is not below any bus drawn above; the tree is cut off",
                                         s + i);
                                return;
                        }
                        sscanf(s + i, "%2x", &slot);
                        last = imp_dev_get(im, bus->domain, bus->bus, slot, fn, l);
                        if (!last)
                                return;
                        last->named = true;     /* the tree proves the device, by its address */
                        if (bus->parent[0] && !last->parent)
                                last->parent = strdup(bus->parent);
                        else if (!bus->parent[0])
                                last->parent_is_root = true;
                        i += 3;
                        if (i + 1 < len && s[i + 1] == ' ') {
                                /* "  Vendor Device" (-tv), "  Vendor Device [vvvv:dddd]" (-tvnn) */
                                tree_name(im, last, s + i + 1, len - i - 1, l);
                                return;
                        }
                }
        }
}
