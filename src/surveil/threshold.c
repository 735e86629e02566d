/*
 * threshold.c - the fixed threshold: some diseases need no statistics.
 *
 * A single case of a class A disease (plague, cholera) or of one managed as class A must
 * raise an alert at once (Law on the Prevention and Control of Infectious Diseases, art. 3
 * and 4): the count is compared with a fixed number, inclusive.
 */
#include <math.h>

#include "core/err.h"
#include "detect.h"
#include "detect_int.h"

void surv_threshold_defaults(struct surv_threshold_params *p)
{
    p->threshold = 1.0;
}

int surv_threshold_run(const double *counts, size_t n_counts,
                       const struct surv_threshold_params *p, struct surv_point *out,
                       struct yl_err *err)
{
    if (!(p->threshold > 0.0) || isinf(p->threshold))
        return yl_err_set(err, YL_EINVAL, "threshold", "threshold must be a positive number");
    surv_points_none(out, n_counts);
    for (size_t t = 0; t < n_counts; t++) {
        if (isnan(counts[t]))
            continue;
        out[t].expected = 0.0;
        out[t].upper = p->threshold;
        out[t].score = counts[t] / p->threshold;
        out[t].alarm = counts[t] >= p->threshold ? SURV_ALARM : SURV_QUIET;
    }
    return 0;
}
