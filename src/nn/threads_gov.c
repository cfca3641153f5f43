/* threads_gov.c - the thread count of a CPU fit, from its step times.
 *
 * Beside one busy process on a 2-core machine a 2-thread fit is a few per
 * cent slower than a 1-thread one (every parallel loop waits for the
 * thread that shares its core), while with every core busy 2 threads get
 * more of the machine than 1. Which count is faster depends on the load,
 * so it is measured: PROBE steps on each count, the faster one (the smaller
 * only by MARGIN) kept for HOLD steps, twice as long each time the same
 * count wins again.
 * A probe is started only where it can pay: at max threads, when the
 * process got less than BUSY of max cores over a window of steps. */
#include "nn/threads_gov.h"

#define SKIP 3          /* first steps unmeasured: page faults, cold caches */
#define WINDOW 8        /* steps over which the CPU share is judged */
#define BUSY 0.8        /* share of max cores below which other jobs hold some */
#define PROBE 4         /* steps on each count per probe */
#define MARGIN 0.97     /* the smaller count is kept only this much faster */
#define HOLD 64         /* steps between probes after a switch */
#define HOLD_MAX 1024

enum { WATCH, PROBE_OTHER, PROBE_CHOICE };

void ts_threads_gov_init(ts_threads_gov *g, int max)
{
    *g = (ts_threads_gov){.max = max > 1 ? max : 1, .phase = WATCH, .skip = SKIP};
    g->alt = g->max / 2 > 1 ? g->max / 2 : 1;
    g->choice = g->cur = g->max;
}

static void restart(ts_threads_gov *g, int phase, int threads)
{
    g->phase = phase;
    g->cur = threads;
    g->n = 0;
    g->wall = g->cpu = 0.0;
}

/* Both counts measured: keep the faster, hold it longer if it won before. */
static void decide(ts_threads_gov *g, double t_choice)
{
    const double t_alt = g->choice == g->alt ? t_choice : g->t_other;
    const double t_max = g->choice == g->max ? t_choice : g->t_other;
    const int best = t_alt < MARGIN * t_max ? g->alt : g->max;
    if (best == g->choice && g->hold) g->hold = g->hold * 2 < HOLD_MAX ? g->hold * 2 : HOLD_MAX;
    else g->hold = HOLD;
    g->choice = best;
    g->run = 0;
    restart(g, WATCH, best);
}

int ts_threads_gov_step(ts_threads_gov *g, double wall, double cpu)
{
    if (g->max < 2) return 1;
    if (g->skip > 0) {
        g->skip--;
        return g->cur;
    }
    g->wall += wall;
    g->cpu += cpu;
    g->n++;
    g->run++;
    const int other = g->choice == g->max ? g->alt : g->max;
    switch (g->phase) {
    case WATCH:
        if (g->run < g->hold) {
            if (g->n >= WINDOW) restart(g, WATCH, g->cur);
            break;
        }
        if (g->choice == g->max) {   /* probe only when cores were missing */
            if (g->n < WINDOW) break;
            int busy = g->cpu < BUSY * g->max * g->wall;
            restart(g, busy ? PROBE_OTHER : WATCH, busy ? other : g->cur);
        } else {
            restart(g, PROBE_OTHER, other);
        }
        break;
    case PROBE_OTHER:
        if (g->n < PROBE) break;
        g->t_other = g->wall / g->n;
        restart(g, PROBE_CHOICE, g->choice);
        break;
    default:
        if (g->n < PROBE) break;
        decide(g, g->wall / g->n);
        break;
    }
    return g->cur;
}
