/* model_diff.c - how far apart the weights of two model files are: prints
 * the largest |a - b| of the kept (EMA) weights and of the live weights
 * (the optimizer state, when both have it), each over the largest |a|, and
 * exits 0; 65 when the networks differ in size. For tests/cli_mpi.sh. */
#include <math.h>
#include <stdio.h>

#include "model/model.h"

static double rel_diff(const float *a, const float *b, size_t n)
{
    double d = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs((double)a[i] - b[i]));
        m = fmax(m, fabs((double)a[i]));
    }
    return m > 0 ? d / m : d;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: model_diff A.model B.model\n");
        return TS_EUSAGE;
    }
    ts_model a = {0}, b = {0};
    ts_error err = {0};
    int rc = ts_model_load(argv[1], &a, &err);
    if (!rc) rc = ts_model_load(argv[2], &b, &err);
    if (!rc && a.net.n_params != b.net.n_params)
        rc = ts_fail(&err, TS_EDATA, "%zu weights against %zu", a.net.n_params, b.net.n_params);
    if (rc) {
        ts_error_print(&err);
    } else {
        size_t n = a.net.n_params;
        int live = a.fit && b.fit && a.fit->train.params && b.fit->train.params;
        printf("params %zu ema %.3g live %.3g\n", n, rel_diff(a.net.ema, b.net.ema, n),
               live ? rel_diff(a.fit->train.params, b.fit->train.params, n) : NAN);
    }
    ts_model_free(&a);
    ts_model_free(&b);
    return rc;
}
