/* cmd_info.c - `tsdiff info FILE`: what tsdiff sees in a data file: the
 * frequency, the series, and for each its length, span, missing values and
 * range. Model files are described by info_model.c. The argument is opened
 * once, so a FIFO or a pipe works. */
#define _POSIX_C_SOURCE 200809L   /* fmemopen, open_memstream */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Open FILE for one read: a regular file is peeked at and rewound; a
 * FIFO, a device or standard input is read into memory first, since it can
 * be read only once (*mem_buf then holds it: free it after closing *in).
 * *model: it starts with a model file's magic. */
static int open_once(const char *path, FILE **in, char **mem_buf, int *model, ts_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) return ts_fail(err, TS_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    unsigned char head[8];
    if (!is_stdin && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
        size_t got = fread(head, 1, sizeof head, f);
        *model = ts_modelfile_magic(head, got);
        rewind(f);
        *in = f;
        return 0;
    }
    char *buf = NULL;
    size_t len = 0, got;
    char chunk[65536];
    FILE *mem = open_memstream(&buf, &len);
    TS_CHECK(mem != NULL);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, got, mem);
    int bad = ferror(f), e = errno;
    if (!is_stdin) fclose(f);
    fclose(mem);
    if (bad) {
        free(buf);
        return ts_fail(err, TS_EIO, "%s: read error (%s)", path, strerror(e));
    }
    *model = ts_modelfile_magic((const unsigned char *)buf, len);
    *in = fmemopen(buf, len, "rb");
    TS_CHECK(*in != NULL);
    *mem_buf = buf;
    return 0;
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
    rc = ts_csv_cli_opts(&csv, "info", &o, &err);
    FILE *in = NULL;
    char *mem_buf = NULL;
    int model = 0;
    if (!rc) rc = open_once(path, &in, &mem_buf, &model, &err);
    /* A model file is described by its own code (info_model.c). */
    if (!rc && model) rc = ts_info_model(in, path, as_csv, &err);
    else if (!rc) rc = ts_csv_read_file(in, strcmp(path, "-") ? path : "stdin", &o, &set, &err);
    if (in && in != stdin) fclose(in);
    free(mem_buf);
    if (!rc && !model) {
        if (as_csv) print_csv(&set, stdout);
        else print_table(&set, stdout);
    }
    ts_series_set_free(&set);
    return ts_cmd_exit(rc, &err);
}
