/* model_describe.c - the human summary of a model (tsdiff info MODEL): the
 * network part, then the fit record or a line saying there is none. */
#include "model/model.h"

#include "data/series.h"

static void describe_net(const ts_net *n, int horizon, FILE *out)
{
    char fb[32], cb[32], nb[160];
    if (n->win.universal && n->win.freq.unit == TS_FREQ_NONE)
        fprintf(out, "frequency:      any (universal channels)\n");
    else if (n->win.universal)
        fprintf(out, "frequency:      any (universal channels; fitted to %s data)\n",
                ts_freq_name(n->win.freq, fb, sizeof fb));
    else
        fprintf(out, "frequency:      %s\n", ts_freq_name(n->win.freq, fb, sizeof fb));
    if (horizon != n->win.horizon)
        fprintf(out, "horizon:        %d (forecasts %d by default, block by block)\n",
                n->win.horizon, horizon);
    else
        fprintf(out, "horizon:        %d\n", n->win.horizon);
    fprintf(out, "context:        %d\n", n->win.context);
    if (n->win.universal)
        fprintf(out, "season lags:    up to %d steps (the context it was trained with)\n",
                ts_window_lag_limit(&n->win));
    fprintf(out, "window:         %d (padding %d), %d input channels\n", n->win.length,
            n->win.pad, n->win.channels);
    fprintf(out, "channels:      ");
    for (int c = 0; c < n->win.channels; c++)
        fprintf(out, " %d %s%s", c, ts_window_channel_name(&n->win, c, cb, sizeof cb),
                c + 1 < n->win.channels ? "," : "\n");
    for (int k = 0; k < n->cov.n; k++)   /* channel win.channels - cov.n + k reads row k */
        fprintf(out, "%s %s%s%s", k ? "," : "covariates:    ",
                ts_cov_row_name(&n->cov.row[k], nb, sizeof nb),
                n->cov.row[k].raw && !n->cov.row[k].level ? " (0/1)" : "",
                k + 1 < n->cov.n ? "" : " (needed for every step forecast)\n");
    if (n->win.residual)
        fprintf(out, "targets:        residuals of the seasonal-naive forecast (lag %d)\n",
                n->win.lags[0]);
    else if (n->win.centred == TS_LOC_MEAN)
        fprintf(out, "targets:        centred values ((x - context mean) / mean distance from it)\n");
    else if (n->win.centred == TS_LOC_BASE)
        fprintf(out, "targets:        values from the context's base ((x - b) / mean distance "
                     "from b, b its point nearest 0)\n");
    else if (n->win.centred == TS_LOC_HYBRID)
        fprintf(out, "targets:        hybrid values (centred where the context has one sign, "
                     "else scaled from 0)\n");
    else if (n->win.centred == TS_LOC_CROSS)
        fprintf(out, "targets:        centred values, scaled from 0 where the context crosses 0\n");
    else
        fprintf(out, "targets:        scaled values\n");
    fprintf(out, "network:        width %d, levels %d, %d res blocks/level, time embedding %d, "
                 "%zu parameters\n", n->unet.width, n->unet.levels, n->unet.res_blocks,
            n->unet.temb_dim, n->n_params);
    fprintf(out, "compute:        %.2f M multiply-adds per window (forward)\n",
            ts_unet_flops(&n->unet) / 1e6);
    fprintf(out, "diffusion:      %s schedule, T = %d\n", ts_sched_name(n->sched), n->T);
}

static void describe_training(const ts_train_record *t, FILE *out)
{
    fprintf(out, "training:       %ld steps, batch %d, lr %g, seed %llu\n", t->steps, t->batch,
            t->lr, (unsigned long long)t->seed);
    if (t->skipped_steps)
        fprintf(out, "skipped steps:  %ld (non-finite gradient: no update)\n", t->skipped_steps);
    fprintf(out, "final loss:     %.6g\n", t->final_loss);
    fprintf(out, "best %s:  %.6g (step %ld, the weights kept)\n",
            t->select_crps ? "val CRPS" : "val loss", t->best_val_loss, t->best_step);
    fprintf(out, "resumable:      %s\n", t->params ? "yes (optimizer state saved)" : "no");
}

static void describe_series(const ts_fit_record *fit, const ts_window_spec *win, FILE *out)
{
    char tb[40];
    fprintf(out, "series:         %zu\n", fit->n_series);
    fprintf(out, "%-24s %10s %-20s %s\n", "name", "length", "last", "non-negative");
    for (size_t i = 0; i < fit->n_series; i++) {
        if (win->has_time) ts_time_format(win->freq, fit->last_time[i], tb, sizeof tb);
        else snprintf(tb, sizeof tb, "%lld", (long long)fit->last_time[i]);
        fprintf(out, "%-24s %10lld %-20s %s\n", fit->names[i], (long long)fit->length[i], tb,
                fit->nonneg[i] ? "yes" : "no");
    }
}

void ts_model_describe(const ts_model *m, const char *path, FILE *out)
{
    const ts_fit_record *fit = m->fit;
    fprintf(out, "model:          %s (tsdiff %s)\n", path, m->version ? m->version : "?");
    if (fit)
        fprintf(out, "data:           %s\n", fit->data_path ? fit->data_path : "(unknown)");
    describe_net(&m->net, ts_model_horizon(m), out);
    for (size_t i = 0; i < m->n_provenance; i++)
        fprintf(out, "%-16s%s\n", i ? "" : "provenance:", m->provenance[i]);
    if (!fit) {
        fprintf(out, "fit record:     none (network only: no series, no training data, not "
                     "resumable; forecast needs --data)\n");
        return;
    }
    describe_training(&fit->train, out);
    describe_series(fit, &m->net.win, out);
}
