/* cmd_info.c - `tsdiff info FILE`: what tsdiff sees in a data file: the
 * frequency, the series, and for each its length, span, missing values and
 * range. (Model files: see the marked spot in ts_cmd_info.) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "cli/commands.h"
#include "cli/csv_opts.h"
#include "cli/opts.h"
#include "io/modelfile.h"
#include "data/csv.h"
#include "data/series.h"

static const char info_epilog[] =
    "Prints the file, its frequency, the number of series and one row per series:\n"
    "name, length (points on the grid, first to last observed value), first and\n"
    "last timestamp, missing points, and min, mean and max of the observed values.\n"
    "With --csv the table is printed as CSV instead (no preamble).\n";

enum { COL_NAME, COL_LEN, COL_FIRST, COL_LAST, COL_MISSING, COL_MIN, COL_MEAN, COL_MAX, NCOL };
static const char *const col_title[NCOL] = {"name",    "length", "first", "last",
                                            "missing", "min",    "mean",  "max"};

/* The cells of series s's row; the name is s->name itself. */
static void row_cells(const ts_series_set *set, const ts_series *s, char cell[NCOL][48])
{
    ts_series_stats st;
    ts_series_stats_of(s, &st);
    snprintf(cell[COL_LEN], 48, "%zu", s->len);
    ts_time_format(set->freq, s->start, cell[COL_FIRST], 48);
    ts_time_format(set->freq, ts_time_add(set->freq, s->start, (long)s->len - 1), cell[COL_LAST], 48);
    snprintf(cell[COL_MISSING], 48, "%zu", st.n_missing);
    const double v[3] = {st.min, st.mean, st.max};
    for (int i = 0; i < 3; i++)
        if (isnan(v[i])) snprintf(cell[COL_MIN + i], 48, "NA");
        else snprintf(cell[COL_MIN + i], 48, "%.6g", v[i]);
}

static void csv_name(const char *s, FILE *out)
{
    if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void print_csv(const ts_series_set *set, FILE *out)
{
    char cell[NCOL][48];
    for (int c = 0; c < NCOL; c++) fprintf(out, "%s%s", c ? "," : "", col_title[c]);
    fputc('\n', out);
    for (size_t i = 0; i < set->n; i++) {
        row_cells(set, &set->series[i], cell);
        csv_name(set->series[i].name, out);
        for (int c = 1; c < NCOL; c++) fprintf(out, ",%s", cell[c]);
        fputc('\n', out);
    }
}

static void print_table(const ts_series_set *set, FILE *out)
{
    char cell[NCOL][48], fname[32];
    size_t width[NCOL];
    for (int c = 0; c < NCOL; c++) width[c] = strlen(col_title[c]);
    for (size_t i = 0; i < set->n; i++) {  /* first pass: column widths */
        row_cells(set, &set->series[i], cell);
        size_t w = strlen(set->series[i].name);
        if (w > width[COL_NAME]) width[COL_NAME] = w;
        for (int c = 1; c < NCOL; c++)
            if (strlen(cell[c]) > width[c]) width[c] = strlen(cell[c]);
    }
    fprintf(out, "file: %s\n", set->source ? set->source : "-");
    if (set->has_time) fprintf(out, "frequency: %s\n", ts_freq_name(set->freq, fname, sizeof fname));
    else fprintf(out, "frequency: none (no time column: points are numbered from 0)\n");
    fprintf(out, "series: %zu\n\n", set->n);
    for (int c = 0; c < NCOL; c++)  /* text left-aligned, numbers right-aligned */
        fprintf(out, c == 0 ? "%-*s" : c <= COL_LAST && c >= COL_FIRST ? "  %-*s" : "  %*s",
                (int)width[c], col_title[c]);
    fputc('\n', out);
    for (size_t i = 0; i < set->n; i++) {
        row_cells(set, &set->series[i], cell);
        fprintf(out, "%-*s", (int)width[COL_NAME], set->series[i].name);
        for (int c = 1; c < NCOL; c++)
            fprintf(out, c == COL_FIRST || c == COL_LAST ? "  %-*s" : "  %*s", (int)width[c], cell[c]);
        fputc('\n', out);
    }
}

int ts_cmd_info(int argc, char **argv)
{
    ts_error err = {0};
    ts_csv_cli csv = {0};
    ts_csv_opts o;
    ts_series_set set = {0};
    int as_csv = 0, first = 0;
    ts_opt opts[] = {
        TS_CSV_OPTIONS(csv),
        {"csv", 0, TS_OPT_FLAG, &as_csv, NULL, "print the table of series as CSV", 0, 0},
        {0},
    };
    ts_cmd_spec spec = {"info", "FILE", "describe the series of a CSV file (or a model file)", opts,
                        info_epilog};
    int rc = ts_opts_parse(&spec, argc, argv, &first, &err);
    if (rc) return ts_cmd_exit(rc, &err);
    if (argc - first != 1)
        return ts_cmd_exit(ts_fail(&err, TS_EUSAGE, "info: expected one FILE, found %d (try 'tsdiff info --help')",
                                   argc - first),
                           &err);
    const char *path = argv[first];

    /* A model file is described by its own code (info_model.c). */
    if (ts_modelfile_probe(path) == 1) return ts_cmd_exit(ts_info_model(path, as_csv, &err), &err);

    rc = ts_csv_cli_opts(&csv, "info", &o, &err);
    if (!rc) rc = ts_csv_read(path, &o, &set, &err);
    if (!rc) {
        if (as_csv) print_csv(&set, stdout);
        else print_table(&set, stdout);
        if (fflush(stdout) != 0 || ferror(stdout))
            rc = ts_fail(&err, TS_EIO, "info: cannot write the output: %s", strerror(errno));
    }
    ts_series_set_free(&set);
    return ts_cmd_exit(rc, &err);
}
