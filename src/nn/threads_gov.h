/* threads_gov.h - the thread count of a CPU fit, chosen between training
 * steps from the steps' own times (threads_gov.c). The CPU backend's results
 * do not depend on its thread count, so a fit may change it at any step. */
#ifndef TS_THREADS_GOV_H
#define TS_THREADS_GOV_H

typedef struct ts_threads_gov {
    int max, alt;          /* the threads asked for; the probe's (max / 2) */
    int choice, cur;       /* kept between probes; running now */
    int phase;             /* watching, probing the other count, probing choice */
    int n, skip;           /* steps measured in this phase; steps left unmeasured */
    long run, hold;        /* steps since the last decision; before the next probe */
    double wall, cpu;      /* sums over the phase's steps */
    double t_other;        /* mean step time of the other count's probe */
} ts_threads_gov;

/* Start with max threads (the count the backend was made with). */
void ts_threads_gov_init(ts_threads_gov *g, int max);

/* After a step of `wall` seconds that took `cpu` seconds of the process's
 * CPU time on g->cur threads: the threads for the next step. While the
 * threads get their cores (cpu near cur x wall) nothing is probed; when
 * other jobs take them, a few steps run on max / 2 threads and a few on
 * max, and the faster count is kept, for longer each time it wins again. */
int ts_threads_gov_step(ts_threads_gov *g, double wall, double cpu);

#endif
