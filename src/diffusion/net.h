/* net.h - the network part of a model: everything a forecast needs.
 *
 * A ts_net is the window layout the network reads (data/window.h), the UNet
 * settings, the diffusion schedule and its number of steps, and the EMA
 * weights that sampling uses. What training produced besides (its history,
 * the optimizer state) is diffusion/train.h's ts_train_record; what the
 * model knows of the data it was fitted on is model/model.h's fit record.
 */
#ifndef TS_NET_H
#define TS_NET_H

#include <stddef.h>

#include "data/covariates.h"
#include "data/window.h"
#include "diffusion/schedule.h"
#include "nn/unet.h"

typedef struct ts_net {
    ts_window_spec win;
    ts_cov_table cov;        /* the covariate inputs, by name (data/covariates.h):
                                win's covariate channel k reads row k */
    ts_unet_config unet;
    ts_sched_kind sched;
    int T;                   /* diffusion steps */
    size_t n_params;
    float *ema;              /* [n_params] the weights sampling uses, host memory */
} ts_net;

/* Frees ema and the covariate table and zeroes *n. */
void ts_net_free(ts_net *n);

/* Give n the covariate inputs of table t (moved into n; t is left empty):
 * win's covariate channels follow them (ts_window_set_covariates). */
void ts_net_set_covariates(ts_net *n, ts_cov_table *t);

/* The weights ema for `channels` input channels (at least unet.in_channels,
 * which becomes it): the new ones are the last, their input weights 0
 * (ts_unet_widen_inputs), so the network computes what it did whatever
 * they hold. The window is the caller's to widen. */
void ts_net_widen_inputs(ts_net *n, int channels);

/* A network without covariates reads those of table t too (moved into n; t
 * is left empty): the covariate channels are appended to its window and
 * its input convolution gains their weights, all 0
 * (ts_unet_widen_inputs), so that it forecasts exactly as before until a
 * fit teaches it what they add. n has weights (ema) and no covariates;
 * t has rows (TS_CHECKed). */
void ts_net_add_covariates(ts_net *n, ts_cov_table *t);

#endif
