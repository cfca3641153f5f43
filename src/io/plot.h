/* plot.h - charts drawn by gnuplot: forecast fan charts (with actuals for
 * backtests) and training-loss curves.
 *
 * tsdiff writes the numbers to temporary files and runs gnuplot on one of
 * the templates in plots/ (forecast.gp, backtest.gp, loss.gp, with the shared
 * style.gp), found in $TSDIFF_PLOTS_DIR, else the installed $(pkgdatadir),
 * else the source tree when run uninstalled. The image type follows the
 * output's extension: .png (cairo) or .svg; anything else is TS_EUSAGE.
 *
 * Output is atomic: gnuplot draws into a temporary file beside the target,
 * which is renamed over it only when gnuplot succeeded; on any failure no
 * file is left. Errors: TS_EUNAVAIL when gnuplot (or the templates) cannot
 * be found, TS_EIO with gnuplot's own message when it fails, TS_ECANTCREAT
 * when the output cannot be created, TS_EDATA for an unreadable timestamp.
 */
#ifndef TS_PLOT_H
#define TS_PLOT_H

#include "io/error.h"

/* One series of a fan chart. The plot module only reads these arrays. */
typedef struct ts_plot_panel {
    const char *name;            /* series name, used as the title */
    int time_is_date;            /* 1: times are "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS"
                                    strings; 0: step numbers (the time arrays may then
                                    be NULL: history is steps 1-n_hist..0, the forecast
                                    1..n_fc; else they hold numbers) */
    int n_hist; const char **hist_time; const float *hist;   /* last stretch of history */
    int n_fc; const char **fc_time;                        /* forecast steps */
    const float *q[7];           /* quantiles 0.05,0.1,0.25,0.5,0.75,0.9,0.95, each n_fc long */
    const float *truth;          /* optional actuals over the forecast steps (backtest), may be NULL */
    int n_cov;                   /* covariate rows under the fan chart; the same in every
                                    panel of a call (0: none) */
    const char *const *cov_name; /* [n_cov] their titles */
    const float *const *cov;     /* [n_cov] each n_hist + n_fc values: over the history's
                                    times, then the forecast's; NaN: gaps */
} ts_plot_panel;

/* Most panels drawn into one file; more are left out with a warning (use a
 * "%s" file name to get one file per series instead). */
#define TS_PLOT_MAX_PANELS 24

/* Draw a fan chart: the history as a line, the median forecast, and shaded
 * 50/80/95% bands (between the 0.25/0.75, 0.1/0.9 and 0.05/0.95 quantiles),
 * dates on the x axis, the series name as the title. NaN values are gaps.
 * Panels with actuals (truth) are drawn as backtests: the actuals over the
 * forecast, and how many fell inside the 50% and 90% bands. Panels with
 * covariates get one row per covariate under the fan chart, on its time
 * axis (a line of the history's and the forecast's values).
 * If out_path contains "%s", each series goes to its own file, the first "%s"
 * replaced by the series name (characters outside [A-Za-z0-9._-] become '_',
 * clashing names get "-2", "-3", ...); otherwise all panels are stacked in one
 * image whose height grows with n (at most TS_PLOT_MAX_PANELS). */
int ts_plot_fan(const char *out_path, const ts_plot_panel *panels, int n, ts_error *err);

/* Draw training curves (log-scale y): train[i] at step[i] (raw and
 * smoothed), and val[i] where it is not NaN. Non-positive values are gaps. */
int ts_plot_loss(const char *out_path, int n, const long *step, const float *train,
                 const float *val, ts_error *err);

/* TS_EUSAGE unless PATH ends in .png or .svg (checked before long work). */
int ts_plot_check_path(const char *path, ts_error *err);

/* The templates folder found, or NULL: $TSDIFF_PLOTS_DIR, the installed
 * $(pkgdatadir), the source tree's plots/, the first that holds forecast.gp. */
const char *ts_plot_dir(void);

#endif
