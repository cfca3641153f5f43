/* window_features.h - the calendar and seasonal-lag channels of a window
 * (internal to the window module; the layout is documented in window.h). */
#ifndef TS_WINDOW_FEATURES_H
#define TS_WINDOW_FEATURES_H

#include "data/window.h"

/* One calendar row out[length]: sin (cosine = 0) or cos of the phase in
 * period q at positions p whose series index is j0 + p (series start
 * timestamp `start`). */
void ts_features_calendar(const ts_window_spec *w, int64_t start, long j0, double q, int cosine,
                          float *out);

/* The lag-m row out[length] of series sr at origin, divided by scale. The
 * row must be zero on entry (ts_window_fill clears the input). */
void ts_features_lag(const ts_window_spec *w, const ts_series_view *sr, long origin, double scale,
                     long m, float *row);

/* Covariate input k of the view sr (window.h, CHANNELS) into row[length],
 * position p holding view point j0 + p: as given when raw, else
 * standardised by its known context values. Zero where unknown. */
void ts_features_covariate(const ts_window_spec *w, const ts_series_view *sr, long j0, int k,
                           int raw, float *row);
/* The seasons a universal spec fills for one series view (window.h,
 * UNIVERSAL): slot k (1 or 2) has period[k-1] > 0 and lag[k-1] >= 2 when the
 * view's grid has it, else 0. */
typedef struct ts_slots {
    ts_freq freq;
    int has_time;
    double period[2];
    long lag[2];
} ts_slots;

void ts_slots_of(const ts_window_spec *w, const ts_series_view *sr, ts_slots *sl);

/* Row out[length] (zero on entry) of a universal channel: future, slot
 * phases and flags, slot lags ((x - loc) / scale) and their masks. */
void ts_features_slot(const ts_window_spec *w, const ts_slots *sl, const ts_series_view *sr,
                      long origin, double scale, double loc, const ts_chan *ch, float *out);

/* Phase in [0, 1) of timestamp t (seconds since the epoch, UTC) in a period
 * of q steps of the grid f: hour of day, day of week (Monday 0), fraction of
 * the calendar year for periods of about a year, else t modulo the period
 * counted from Monday 1970-01-05 00:00 UTC; on business days (B) counted in
 * business days from that Monday (the trading week: Friday is 4/5). */
double ts_calendar_phase(ts_freq f, double q, int64_t t);

#endif
