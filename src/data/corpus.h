/* corpus.h - a pretraining corpus: series of several frequencies in one set.
 *
 * A corpus is a ts_series_set whose series each keep their own grid
 * (set->freqs, data/series.h), so that one universal network (window.h,
 * UNIVERSAL) trains on hourly, daily, weekly, monthly and quarterly series
 * at once. It is generated (data/synth.h) or read from a folder of CSV files.
 */
#ifndef TS_CORPUS_H
#define TS_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "data/csv.h"
#include "data/series.h"
#include "io/error.h"

/* Move every series of src to the end of dst (src is left empty), keeping
 * each one's grid. dst may be empty. Both must have timestamps or neither. */
void ts_corpus_append(ts_series_set *dst, ts_series_set *src);

/* n series per frequency freqs[0 .. nf), lengths log-uniform in [min_len,
 * max_len], from seed: frequency k's series are synth series k * n ..
 * k * n + n - 1 (distinct names, reproducible). Source "synthetic". */
int ts_corpus_synth(const ts_freq *freqs, int nf, size_t n, size_t min_len, size_t max_len,
                    uint64_t seed, ts_series_set *out, ts_error *err);

/* Every *.csv file of dir (in name order) read with csv. TS_ENOINPUT if dir
 * cannot be read, TS_EDATA naming the file when one is bad or when there is
 * no CSV file. Source: dir. */
int ts_corpus_dir(const char *dir, const ts_csv_opts *csv, ts_series_set *out, ts_error *err);

#endif
