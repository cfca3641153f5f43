/* fuzz_csv.c - a libFuzzer target for the CSV reader (data/csv.c and the
 * files beside it): any bytes, under any of the reader's option sets, must
 * give either a series set that keeps the reader's promises or one error
 * line, and never a crash, a leak or undefined behaviour (build it with
 * the sanitizers: tests/fuzz/run.sh).
 *
 * The first input byte picks the options (header or not, wide or long,
 * aggregation, a fixed delimiter, a fixed frequency); the rest is the file,
 * handed over as an in-memory file (memfd) so that the reader runs on a
 * real path.
 */
#define _GNU_SOURCE 1
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "data/csv.h"

static void options(uint8_t pick, ts_csv_opts *o)
{
    ts_csv_opts_default(o);
    o->no_header = pick & 1;
    if (pick & 2) {                       /* long format */
        o->id_cols[0] = "1";
        o->n_id_cols = 1;
        if (pick & 4) o->value_col = "3";
    }
    if (pick & 8) o->aggregate = pick & 16 ? TS_AGG_MEAN : TS_AGG_SUM;
    if (pick & 32) o->delimiter = pick & 16 ? ';' : '\t';
    if (pick & 64) o->freq = pick & 4 ? "H" : "D";
    if (pick & 128) o->time_col = "1";
}

/* The promises of csv.h on a set it returns. */
static void check_set(const ts_series_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        const ts_series *s = &set->series[i];
        assert(s->name != NULL);
        assert(s->len > 0 && s->values != NULL);
        assert(!isnan(s->values[0]) && !isnan(s->values[s->len - 1]));   /* trimmed */
        for (size_t k = 0; k < s->len; k++) assert(!isinf(s->values[k]));   /* finite or missing */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    ts_csv_opts o;
    options(data[0], &o);
    int fd = memfd_create("fuzz.csv", 0);
    if (fd < 0) abort();
    if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ts_series_set set;
    ts_error err = {0};
    int rc = ts_csv_read(path, &o, &set, &err);
    if (rc == 0) {
        check_set(&set);
        ts_series_set_free(&set);
    } else {
        /* one line saying what went wrong, and nothing handed back */
        assert(err.msg[0] != '\0');
        assert(strchr(err.msg, '\n') == NULL);
        assert(set.n == 0 && set.series == NULL);
    }
    close(fd);
    return 0;
}
