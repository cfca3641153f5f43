/* progress.h - a one-line progress bar on stderr for long loops (training,
 * sampling, backtests).
 *
 * The bar is drawn only when stderr is a terminal and the user did not ask
 * for quiet; otherwise every call is a cheap no-op and nothing is printed,
 * so cron jobs and pipes get clean logs (the caller prints its own summary
 * line with ts_info). On a terminal the line looks like
 *
 *     fit  1200/5000 [#######..............]  24%  loss 0.123 val 0.456  85.2 it/s  ETA 0:44
 *
 * and is redrawn at most ten times a second, cut to the terminal's width.
 *
 *     ts_progress *p = ts_progress_start("fit", steps, quiet);
 *     for (long i = 0; i < steps; i++) {
 *         ...
 *         ts_progress_update(p, i + 1, "loss %.3f", loss);
 *     }
 *     ts_progress_finish(p, NULL);
 *     ts_info("fit: %ld steps, loss %.4f", steps, loss);
 */
#ifndef TS_PROGRESS_H
#define TS_PROGRESS_H

#include <stddef.h>

typedef struct ts_progress ts_progress;

/* Start a bar for `total` steps (total <= 0: unknown, no bar or ETA, only the
 * count and the rate). `what` is copied. Never returns NULL. */
ts_progress *ts_progress_start(const char *what, long total, int quiet);

/* Report that `done` steps are complete. fmt (may be NULL) formats extra text
 * such as "loss 0.123 val 0.456"; it is only formatted when a redraw is due. */
void ts_progress_update(ts_progress *p, long done, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear the bar and free p (NULL is fine). On a terminal, a non-NULL fmt is
 * printed as a final "what: TEXT" line that stays on screen; when stderr is
 * not a terminal (or quiet) nothing at all is printed. */
void ts_progress_finish(ts_progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The line ts_progress_update draws, without control characters: `done` of
 * `total` steps after `elapsed` seconds, with the extra text (may be NULL or
 * empty), cut to `width` columns (at least 20). Writes at most size bytes
 * including the NUL; returns buf. Exposed for the tests. */
char *ts_progress_line(char *buf, size_t size, const char *what, long done,
                       long total, double elapsed, const char *extra, int width);

#endif
