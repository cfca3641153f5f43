/* cmd_synth.c - `tsdiff synth`: write a synthetic corpus (data/synth.h) as
 * a long CSV (id,time,value), the input `tsdiff fit --id-col id` reads. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/outputs.h"
#include "data/synth.h"
#include "io/atomic.h"
#include "io/signals.h"

#define MAX_LENGTH 10000000L
#define CHUNK 256  /* series generated at a time */

typedef struct synth_args {
    const char *output, *freq, *length, *kind;
    long series, seed, first;
    double wait;
} synth_args;

int ts_cli_length_range(const char *cmd, const char *s, size_t *lo, size_t *hi, ts_error *err)
{
    char *end;
    long v[2] = {0, 0};
    const char *p = s;
    for (int i = 0; i < 2; i++) {
        errno = 0;
        v[i] = strtol(p, &end, 10);
        if (errno || end == p || *p < '0' || *p > '9' || v[i] < 2 || v[i] > MAX_LENGTH) break;
        if (i == 0 && *end == '\0') v[1] = v[0], end = (char *)"";
        if (*end == '\0') {
            if (v[0] > v[1]) break;
            *lo = (size_t)v[0], *hi = (size_t)v[1];
            return 0;
        }
        if (i == 1 || *end != ':') break;
        p = end + 1;
    }
    return ts_fail(err, TS_EUSAGE, "%s: --length expects MIN or MIN:MAX, whole numbers "
                   "with 2 <= MIN <= MAX <= %ld, found \"%s\"", cmd, MAX_LENGTH, s);
}

/* Every option checked, before any output is touched. */
static int make_config(const synth_args *a, ts_synth_config *c, ts_error *err)
{
    ts_error sub = {0};
    *c = (ts_synth_config){.n = (size_t)a->series, .first = (size_t)a->first,
                           .seed = (uint64_t)a->seed};
    if (ts_freq_parse(a->freq, &c->freq, &sub))
        return ts_fail(err, TS_EUSAGE, "synth: --freq: %s", sub.msg);
    int rc = ts_cli_length_range("synth", a->length, &c->min_len, &c->max_len, err);
    if (!rc && a->kind && ts_synth_kinds_parse(a->kind, &c->kinds, &sub))
        return ts_fail(err, TS_EUSAGE, "synth: --kind: %s", sub.msg);
    if (!rc && ts_synth_check(c, &sub)) return ts_fail(err, TS_EUSAGE, "synth: %s", sub.msg);
    return rc;
}

static void write_rows(const ts_series_set *set, FILE *f)
{
    char t[48];
    for (size_t s = 0; s < set->n; s++) {
        const ts_series *sr = &set->series[s];
        for (size_t j = 0; j < sr->len; j++) {
            ts_time_format(set->freq, ts_time_add(set->freq, sr->start, (long)j), t, sizeof t);
            if (isnan(sr->values[j])) fprintf(f, "%s,%s,\n", sr->name, t);
            else fprintf(f, "%s,%s,%.9g\n", sr->name, t, (double)sr->values[j]);
        }
    }
}

/* Generate and write CHUNK series at a time, so that memory stays bounded
 * however many are asked for (series I is the same in any chunk). */
static int write_corpus(const ts_synth_config *cfg, FILE *f, ts_error *err)
{
    fputs("id,time,value\n", f);
    for (size_t done = 0; done < cfg->n; done += CHUNK) {
        ts_synth_config part = *cfg;
        ts_series_set set;
        part.first = cfg->first + done;
        part.n = cfg->n - done < CHUNK ? cfg->n - done : CHUNK;
        int rc = ts_synth_set(&part, &set, err);
        if (!rc) write_rows(&set, f);
        ts_series_set_free(&set);
        if (rc) return rc;
    }
    return 0;
}

static int run_synth(const synth_args *a, ts_error *err)
{
    ts_synth_config cfg;
    ts_outputs outs = {0};
    ts_atomic out = {0};
    const ts_run_file files[] = {{"--output", a->output}};
    int rc = make_config(a, &cfg, err);
    if (!rc) ts_signals_init(0);
    if (!rc) rc = ts_outputs_claim(&outs, NULL, 0, files, 1, a->wait, err);
    if (!rc) rc = ts_atomic_open(&out, a->output, err);
    if (!rc) rc = write_corpus(&cfg, out.f, err);
    if (!rc) rc = ts_atomic_commit(&out, err);
    else ts_atomic_abort(&out);
    ts_outputs_release(&outs);
    return rc;
}

int ts_cmd_synth(int argc, char **argv)
{
    synth_args a = {.output = "-", .freq = "D", .length = "100:1000", .series = 100, .seed = 1};
    const ts_opt opts[] = {
        {"output", 'o', TS_OPT_STRING, &a.output, "FILE", "CSV to write (default: standard output)", 0, 0},
        {"freq", 0, TS_OPT_STRING, &a.freq, "FREQ", "the time grid: 15min, H, D, B, W, M, Q, Y, 2H, ... (default D)", 0, 0},
        {"series", 'n', TS_OPT_LONG, &a.series, "N", "series to generate (default 100)", 1, 1e8},
        {"length", 'l', TS_OPT_STRING, &a.length, "MIN[:MAX]", "points per series, drawn log-uniformly (default 100:1000)", 0, 0},
        {"seed", 0, TS_OPT_LONG, &a.seed, "N", "random seed (default 1)", 0, 9.2e18},
        {"kind", 'k', TS_OPT_STRING, &a.kind, "LIST", "components to use: trend, season, noise, shift, outlier, intermittent, missing, gp, mixup (default all)", 0, 0},
        {"first", 0, TS_OPT_LONG, &a.first, "I", "number the series from I (default 0): series I of any run is the same", 0, 1e15},
        {"wait", 0, TS_OPT_DOUBLE, &a.wait, "SECONDS", "wait this long for another run writing the same output (default 0: exit 75 at once)", 0, 1e9},
        {0},
    };
    const ts_cmd_spec spec = {
        "synth", "", "Write synthetic series (a pretraining corpus) as a long CSV.", opts,
        "Each series is a trend, seasonalities at the frequency's periods, noise, level\n"
        "shifts and outliers; or intermittent counts; or a Gaussian-process sample; or a\n"
        "mix of those; some have missing stretches. A seed gives the same file on every\n"
        "machine. Train on it with: tsdiff fit FILE --id-col id\n"};
    ts_error err = {0};
    int first = 0, rc = ts_opts_parse(&spec, argc, argv, &first, &err);
    if (!rc && first < argc)
        rc = ts_fail(&err, TS_EUSAGE, "synth: unexpected argument \"%s\" (use -o FILE)", argv[first]);
    if (!rc) rc = run_synth(&a, &err);
    return ts_cmd_exit(rc, &err);
}
