/* net.c - the network part of a model (net.h). */
#include "diffusion/net.h"

#include <stdlib.h>
#include <string.h>

/* A window is padded for as many levels as the UNet can have. */
_Static_assert(TS_WINDOW_MAX_LEVELS == TS_UNET_MAX_LEVELS, "window and UNet levels differ");
_Static_assert(TS_WINDOW_MAX_COVS == TS_COV_MAX_ROWS, "window and covariate inputs differ");

void ts_net_free(ts_net *n)
{
    if (!n) return;
    free(n->ema);
    ts_cov_table_free(&n->cov);
    memset(n, 0, sizeof *n);
}

void ts_net_set_covariates(ts_net *n, ts_cov_table *t)
{
    int raw[TS_COV_MAX_ROWS];
    ts_cov_table_free(&n->cov);
    n->cov = *t;
    memset(t, 0, sizeof *t);
    for (int k = 0; k < n->cov.n; k++) raw[k] = n->cov.row[k].raw;
    ts_window_set_covariates(&n->win, n->cov.n, raw);
}

void ts_net_widen_inputs(ts_net *n, int channels)
{
    TS_CHECK(n->ema && channels >= n->unet.in_channels);
    ts_unet_config to = n->unet;
    to.in_channels = channels;
    ts_param_table pt;
    ts_unet_param_layout(&to, &pt);
    float *w = ts_xmalloc(pt.total * sizeof *w);
    ts_unet_widen_inputs(&n->unet, n->ema, &to, w);
    free(n->ema);
    n->ema = w;
    n->n_params = pt.total;
    n->unet = to;
    ts_params_free(&pt);
}

void ts_net_add_covariates(ts_net *n, ts_cov_table *t)
{
    TS_CHECK(n->ema && n->cov.n == 0 && t->n > 0);
    ts_net_set_covariates(n, t);
    ts_net_widen_inputs(n, n->win.channels);
}
