/* schedule.h - the noise schedule: beta_t, alpha_bar_t over T training steps,
 * and its continuous-time view (alpha, sigma, lambda at fractional t) for the
 * solvers. Host memory; tiny. */
#ifndef TS_SCHEDULE_H
#define TS_SCHEDULE_H

#include "io/error.h"

typedef enum { TS_SCHED_LINEAR = 0, TS_SCHED_COSINE = 1 } ts_sched_kind;

typedef struct ts_schedule {
    ts_sched_kind kind;
    int T;              /* training steps, t = 0 .. T-1 */
    double *beta;       /* [T] */
    double *alpha_bar;  /* [T], alpha_bar[t] = prod_{s<=t} (1 - beta[s]) */
} ts_schedule;

/* Valid numbers of training steps T. */
#define TS_SCHEDULE_T_MIN 10
#define TS_SCHEDULE_T_MAX 100000

/* Linear betas are scaled with T so that alpha_bar[T-1] <= 1e-4 for any T;
 * cosine follows Nichol & Dhariwal with beta clipped at 0.999.
 * T outside [TS_SCHEDULE_T_MIN, TS_SCHEDULE_T_MAX]: TS_EUSAGE. */
int ts_schedule_init(ts_schedule *s, ts_sched_kind kind, int T, ts_error *err);
void ts_schedule_free(ts_schedule *s);
int ts_sched_parse(const char *name, ts_sched_kind *out, ts_error *err);
const char *ts_sched_name(ts_sched_kind k);

/* Continuous view, t in [0, T-1] (log alpha_bar interpolated linearly). */
double ts_schedule_alpha(const ts_schedule *s, double t);  /* sqrt(alpha_bar) */
double ts_schedule_sigma(const ts_schedule *s, double t);  /* sqrt(1 - alpha_bar) */
double ts_schedule_lambda(const ts_schedule *s, double t); /* log alpha - log sigma */
/* The inverse of lambda(t): the t in [0, T-1] with lambda(t) = lambda,
 * clamped to the ends outside [lambda(T-1), lambda(0)]. */
double ts_schedule_t_of_lambda(const ts_schedule *s, double lambda);

#endif
