/* SPDX-License-Identifier: MIT */
/* Prediction against reality: partitions, not group numbers.  The kernel
 * numbers groups in the order it creates them, so only membership can be
 * compared: for each device that has both a real and a predicted group,
 * the devices of its real group and of its predicted one (both restricted
 * to the compared devices) must be the same. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "predict/predict.h"

static int push_addr(char ***l, const struct gd_host *h, size_t i) {
        return strv_push_dup(l, h->devs[i].address);
}

static int cmp_int(const void *a, const void *b) {
        int x = *(const int *) a, y = *(const int *) b;
        return (x > y) - (x < y);
}

static size_t count_distinct(int *v, size_t n) {
        size_t k = 0;

        qsort(v, n, sizeof(*v), cmp_int);
        for (size_t i = 0; i < n; i++)
                k += i == 0 || v[i] != v[i - 1];
        return k;
}

/* A compared device: its index, real group and predicted group. */
struct cmp_dev {
        size_t i;
        int real, pred;
};

static int by_real(const void *a, const void *b) {
        const struct cmp_dev *x = a, *y = b;
        if (x->real != y->real)
                return x->real < y->real ? -1 : 1;
        if (x->pred != y->pred)
                return x->pred < y->pred ? -1 : 1;
        return x->i < y->i ? -1 : x->i > y->i;
}

static int by_pred(const void *a, const void *b) {
        const struct cmp_dev *x = a, *y = b;
        if (x->pred != y->pred)
                return x->pred < y->pred ? -1 : 1;
        if (x->real != y->real)
                return x->real < y->real ? -1 : 1;
        return x->i < y->i ? -1 : x->i > y->i;
}

/* Range [*lo, *hi) of v (sorted by key) whose key equals that of e. */
static void key_range(const struct cmp_dev *v, size_t n, const struct cmp_dev *e, bool real, size_t *lo, size_t *hi) {
        size_t a = 0, b = n;
        int key = real ? e->real : e->pred;

        while (a < b) {
                size_t m = a + (b - a) / 2;
                if ((real ? v[m].real : v[m].pred) < key)
                        a = m + 1;
                else
                        b = m;
        }
        *lo = a;
        for (b = a; b < n && (real ? v[b].real : v[b].pred) == key; b++)
                ;
        *hi = b;
}

/* The members of e's group in v (by real, or by predicted group) that are
 * not in its other group: into *list (capped), their number returned. */
static size_t differing(const struct gd_host *h, const struct cmp_dev *v, size_t n, const struct cmp_dev *e,
                        bool real, char ***list, int *err) {
        size_t lo, hi, count = 0;

        key_range(v, n, e, real, &lo, &hi);
        for (size_t k = lo; k < hi; k++) {
                if (v[k].i == e->i || (real ? v[k].pred == e->pred : v[k].real == e->real))
                        continue;
                if (count++ < GD_GROUP_DIFF_LIST_MAX && *err == 0 && push_addr(list, h, v[k].i) < 0)
                        *err = -ENOMEM;
        }
        return count;
}

/* O(n log n): two sorted copies of the compared devices; a device's real
 * and predicted groups are ranges of them.  A bundle may hold 100,000
 * devices in one group. */
int gd_prediction_diff(const struct gd_host *h, const struct gd_prediction *p, struct gd_group_diff **ret) {
        _cleanup_group_diff_ struct gd_group_diff *d = calloc(1, sizeof(*d));
        _cleanup_free_ struct cmp_dev *rv = NULL, *pv = NULL;
        _cleanup_free_ int *seen = NULL, *wrong = NULL;
        size_t n = h->n_devs < p->n_devs ? h->n_devs : p->n_devs, m = 0, n_wrong = 0;
        int err = 0;

        if (!d)
                return -ENOMEM;
        d->compared = calloc(h->n_devs + 1, sizeof(*d->compared));
        rv = calloc(n + 1, sizeof(*rv));
        pv = calloc(n + 1, sizeof(*pv));
        seen = calloc(n + 1, sizeof(*seen));
        wrong = calloc(n + 1, sizeof(*wrong));
        if (!d->compared || !rv || !pv || !seen || !wrong)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                bool real = h->devs[i].iommu_group != GD_GROUP_NONE, predicted = p->group_of[i] >= 0;

                if (real && predicted) {
                        d->compared[i] = true;
                        d->n_compared++;
                        rv[m] = (struct cmp_dev) { .i = i, .real = h->devs[i].iommu_group, .pred = p->group_of[i] };
                        seen[m] = rv[m].real;
                        m++;
                } else if (real || predicted) {
                        char *s = NULL;
                        if (asprintf(&s, "%s: %s", h->devs[i].address,
                                     real ? "has a real group, none predicted" : "predicted a group, has none") < 0 ||
                            strv_consume(&d->unpaired, s) < 0)
                                return -ENOMEM;
                }
        }
        memcpy(pv, rv, m * sizeof(*rv));
        qsort(rv, m, sizeof(*rv), by_real);
        qsort(pv, m, sizeof(*pv), by_pred);

        for (size_t i = 0; i < n; i++) {
                _cleanup_strv_free_ char **missing = NULL, **extra = NULL;
                struct cmp_dev e = { .i = i, .real = h->devs[i].iommu_group, .pred = p->group_of[i] };
                size_t n_missing, n_extra;

                if (!d->compared[i])
                        continue;
                n_missing = differing(h, rv, m, &e, true, &missing, &err);
                n_extra = differing(h, pv, m, &e, false, &extra, &err);
                if (err < 0)
                        return err;
                if (n_missing || n_extra) {
                        struct gd_group_diff_dev *nd = realloc(d->devs, (d->n_devs + 1) * sizeof(*nd));
                        if (!nd)
                                return -ENOMEM;
                        d->devs = nd;
                        nd[d->n_devs++] = (struct gd_group_diff_dev) {
                                .dev = i, .missing = TAKE_PTR(missing), .extra = TAKE_PTR(extra),
                                .n_missing = n_missing, .n_extra = n_extra,
                        };
                        wrong[n_wrong++] = e.real;
                }
        }
        d->n_real_groups = count_distinct(seen, m);
        d->n_exact_groups = d->n_real_groups - count_distinct(wrong, n_wrong);
        *ret = TAKE_PTR(d);
        return 0;
}

struct gd_group_diff *gd_group_diff_free(struct gd_group_diff *d) {
        if (!d)
                return NULL;
        for (size_t k = 0; k < d->n_devs; k++) {
                strv_free(d->devs[k].missing);
                strv_free(d->devs[k].extra);
        }
        free(d->devs);
        free(d->compared);
        strv_free(d->unpaired);
        free(d);
        return NULL;
}

bool gd_group_diff_dev_exact(const struct gd_group_diff *d, size_t dev) {
        size_t a = 0, b = d->n_devs;

        if (!d->compared || !d->compared[dev])
                return false;
        /* d->devs is in device order. */
        while (a < b) {
                size_t m = a + (b - a) / 2;
                if (d->devs[m].dev < dev)
                        a = m + 1;
                else
                        b = m;
        }
        return a == d->n_devs || d->devs[a].dev != dev;
}
