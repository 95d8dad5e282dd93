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

int gd_prediction_diff(const struct gd_host *h, const struct gd_prediction *p, struct gd_group_diff **ret) {
        _cleanup_group_diff_ struct gd_group_diff *d = calloc(1, sizeof(*d));
        /* The real group of each compared device, and of each placed
         * wrongly: counted as distinct values after sorting, not indexed
         * by group number (a bundle may name any number). */
        _cleanup_free_ int *seen = NULL, *wrong = NULL;
        size_t n = h->n_devs < p->n_devs ? h->n_devs : p->n_devs, n_seen = 0, n_wrong = 0;

        if (!d)
                return -ENOMEM;
        d->compared = calloc(h->n_devs + 1, sizeof(*d->compared));
        if (!d->compared)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                bool real = h->devs[i].iommu_group != GD_GROUP_NONE, predicted = p->group_of[i] >= 0;

                if (real && predicted) {
                        d->compared[i] = true;
                        d->n_compared++;
                } else if (real || predicted) {
                        char *s = NULL;
                        if (asprintf(&s, "%s: %s", h->devs[i].address,
                                     real ? "has a real group, none predicted" : "predicted a group, has none") < 0 ||
                            strv_consume(&d->unpaired, s) < 0)
                                return -ENOMEM;
                }
        }
        seen = calloc(d->n_compared + 1, sizeof(*seen));
        wrong = calloc(d->n_compared + 1, sizeof(*wrong));
        if (!seen || !wrong)
                return -ENOMEM;

        for (size_t i = 0; i < n; i++) {
                _cleanup_strv_free_ char **missing = NULL, **extra = NULL;
                int rg;

                if (!d->compared[i])
                        continue;
                rg = h->devs[i].iommu_group;
                seen[n_seen++] = rg;
                for (size_t j = 0; j < n; j++) {
                        bool same_real, same_pred;

                        if (j == i || !d->compared[j])
                                continue;
                        same_real = h->devs[j].iommu_group == rg;
                        same_pred = p->group_of[j] == p->group_of[i];
                        if (same_real && !same_pred && push_addr(&missing, h, j) < 0)
                                return -ENOMEM;
                        if (!same_real && same_pred && push_addr(&extra, h, j) < 0)
                                return -ENOMEM;
                }
                if (missing || extra) {
                        struct gd_group_diff_dev *nd = realloc(d->devs, (d->n_devs + 1) * sizeof(*nd));
                        if (!nd)
                                return -ENOMEM;
                        d->devs = nd;
                        nd[d->n_devs++] = (struct gd_group_diff_dev) {
                                .dev = i, .missing = TAKE_PTR(missing), .extra = TAKE_PTR(extra),
                        };
                        wrong[n_wrong++] = rg;
                }
        }
        d->n_real_groups = count_distinct(seen, n_seen);
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
        if (!d->compared || !d->compared[dev])
                return false;
        for (size_t k = 0; k < d->n_devs; k++)
                if (d->devs[k].dev == dev)
                        return false;
        return true;
}
