/* csv_opts.h - the CSV options every data-reading subcommand shares (info,
 * fit, forecast, backtest): one fragment of an option table, the struct it
 * fills, and the check that turns it into ts_csv_opts.
 *
 *     ts_csv_cli csv = {0};
 *     ts_opt opts[] = {TS_CSV_OPTIONS(csv), {"horizon", ...}, {0}};
 *     ... ts_opts_parse(&spec, argc, argv, &first, &err) ...
 *     ts_csv_opts o;
 *     rc = ts_csv_cli_opts(&csv, "fit", &o, &err);
 *
 * The table must be built where `csv` is in scope (a local array next to a
 * local struct, or a static table bound to a static struct). The strings in
 * the struct point into argv; ts_csv_opts borrows them.
 */
#ifndef TS_CSV_OPTS_H
#define TS_CSV_OPTS_H

#include <string.h>

#include "cli/opts.h"
#include "data/csv.h"
#include "data/series.h"
#include "io/error.h"

typedef struct ts_csv_cli {
    const char *delimiter, *time_col, *value_col, *freq, *aggregate, *covariates;
    ts_strlist id_cols, cov_cols, cat_cols;
    int no_header;
} ts_csv_cli;

#define TS_CSV_OPTIONS(c)                                                                   \
    {"delimiter", 0, TS_OPT_STRING, &(c).delimiter, "CHAR",                                 \
     "field separator: a character or 'tab' (default: , ; or tab, from the header)", 0, 0}, \
    {"time-col", 0, TS_OPT_STRING, &(c).time_col, "COL",                                    \
     "the time column, by name or number (default: the first of dates)", 0, 0},             \
    {"value-col", 0, TS_OPT_STRING, &(c).value_col, "COL",                                  \
     "the column of values (long format), or the one column to read", 0, 0},                \
    {"id-col", 0, TS_OPT_LIST, &(c).id_cols, "COL",                                         \
     "a column naming the series (long format); repeatable, joined by '/'", 0, 0},         \
    {"freq", 0, TS_OPT_STRING, &(c).freq, "FREQ",                                           \
     "the time grid: 15min, H, D, B, W, M, Q, Y, 2H, ... (default: inferred)", 0, 0},       \
    {"aggregate", 0, TS_OPT_STRING, &(c).aggregate, "sum|mean",                             \
     "combine rows with equal timestamps (default: they are an error)", 0, 0},              \
    {"no-header", 0, TS_OPT_FLAG, &(c).no_header, NULL,                                     \
     "the file has no header line: the columns are V1, V2, ...", 0, 0},                     \
    {"covariate", 0, TS_OPT_LIST, &(c).cov_cols, "COL",                                     \
     "a numeric column known in the future (price, promotion); repeatable", 0, 0},          \
    {"covariates", 0, TS_OPT_STRING, &(c).covariates, "all",                                \
     "every other numeric column is a covariate", 0, 0},                                    \
    {"categorical", 0, TS_OPT_LIST, &(c).cat_cols, "COL",                                   \
     "a categorical covariate (one-hot, its levels kept in the model); repeatable", 0, 0}

/* Check the parsed CSV options of subcommand cmd and fill *o. Returns 0 or
 * TS_EUSAGE. */
static inline int ts_csv_cli_opts(const ts_csv_cli *c, const char *cmd, ts_csv_opts *o,
                                  ts_error *err)
{
    ts_csv_opts_default(o);
    o->time_col = c->time_col;
    o->value_col = c->value_col;
    o->no_header = c->no_header;
    if (c->delimiter) {
        const char *d = c->delimiter;
        if (!strcmp(d, "tab") || !strcmp(d, "\\t")) o->delimiter = '\t';
        else if (strlen(d) == 1 && !strchr("\"\r\n", d[0])) o->delimiter = d[0];
        else
            return ts_fail(err, TS_EUSAGE,
                           "%s: --delimiter expects one character or 'tab', found \"%s\"", cmd, d);
    }
    if (c->aggregate) {
        if (!strcmp(c->aggregate, "sum")) o->aggregate = TS_AGG_SUM;
        else if (!strcmp(c->aggregate, "mean")) o->aggregate = TS_AGG_MEAN;
        else
            return ts_fail(err, TS_EUSAGE, "%s: --aggregate expects sum or mean, found \"%s\"",
                           cmd, c->aggregate);
    }
    if (c->freq) {
        ts_error fe = {0};
        ts_freq f;
        if (ts_freq_parse(c->freq, &f, &fe))
            return ts_fail(err, TS_EUSAGE, "%s: --freq: %s", cmd, fe.msg);
        o->freq = c->freq;
    }
    if (c->id_cols.n > TS_CSV_MAX_ID_COLS)
        return ts_fail(err, TS_EUSAGE, "%s: at most %d --id-col options", cmd, TS_CSV_MAX_ID_COLS);
    for (int i = 0; i < c->id_cols.n; i++) o->id_cols[i] = c->id_cols.item[i];
    o->n_id_cols = c->id_cols.n;
    if (c->covariates && strcmp(c->covariates, "all"))
        return ts_fail(err, TS_EUSAGE, "%s: --covariates expects all, found \"%s\" (name "
                       "columns with --covariate COL)", cmd, c->covariates);
    o->cov_all = c->covariates != NULL;
    if (c->cov_cols.n > TS_CSV_MAX_COVS || c->cat_cols.n > TS_CSV_MAX_COVS)
        return ts_fail(err, TS_EUSAGE, "%s: at most %d --covariate and %d --categorical options",
                       cmd, TS_CSV_MAX_COVS, TS_CSV_MAX_COVS);
    for (int i = 0; i < c->cov_cols.n; i++) o->cov_cols[i] = c->cov_cols.item[i];
    o->n_cov_cols = c->cov_cols.n;
    for (int i = 0; i < c->cat_cols.n; i++) o->cat_cols[i] = c->cat_cols.item[i];
    o->n_cat_cols = c->cat_cols.n;
    return 0;
}

#endif
