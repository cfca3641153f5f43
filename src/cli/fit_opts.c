/* fit_opts.c - training options -> ts_train_config. */
#include "cli/fit_opts.h"

#include <string.h>

void ts_cli_fit_init(ts_cli_fit *f)
{
    memset(f, 0, sizeof *f);
    f->seed = 1;
}

int ts_cli_fit_config(const ts_cli_fit *f, const ts_series_set *set, ts_train_config *c,
                      ts_error *err)
{
    ts_train_config_default(c);
    c->horizon = f->horizon ? f->horizon : ts_default_horizon(set->freq);
    c->context = f->context;
    if (f->steps) c->steps = f->steps;
    c->epochs = f->epochs;
    if (f->batch) c->batch = f->batch;
    if (f->lr > 0) c->optim.lr = f->lr;
    if (f->channels) c->unet.width = f->channels;
    if (f->levels) c->unet.levels = f->levels;
    if (f->res_blocks) c->unet.res_blocks = f->res_blocks;
    if (f->T) c->T = f->T;
    c->seed = (uint64_t)f->seed;
    c->quiet = f->quiet;
    /* Group norm needs groups to divide the width. */
    while (c->unet.groups > 1 && c->unet.width % c->unet.groups) c->unet.groups /= 2;
    if (f->select) {
        if (!strcmp(f->select, "crps")) c->select_crps = 1;
        else if (!strcmp(f->select, "loss")) c->select_crps = 0;
        else return ts_fail(err, TS_EUSAGE, "--select expects crps or loss, found \"%s\"", f->select);
    }
    if (f->target) {
        if (!strcmp(f->target, "residual")) c->residual = 1;
        else if (!strcmp(f->target, "value")) c->residual = 0;
        else return ts_fail(err, TS_EUSAGE, "--target expects residual or value, found \"%s\"", f->target);
    }
    if (f->schedule) return ts_sched_parse(f->schedule, &c->sched, err);
    return 0;
}
