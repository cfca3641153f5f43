/* omp_wait.c - how long idle OpenMP threads spin before they sleep.
 *
 * The CPU backend runs each op as one OpenMP parallel loop, thousands a
 * second, each ending at a barrier. libgomp's threads wait there, and
 * between loops, by spinning GOMP_SPINCOUNT times (300000 by default, some
 * milliseconds: longer than a scheduler time slice) before they sleep. On an
 * idle machine that costs nothing. On a busy one the spinning thread holds
 * a core while the thread it waits for has been preempted by another
 * process and waits for a core. On a box at load 6, a 2-thread fit took
 * 4 times as long as a 1-thread one, and a forecast beside one more busy
 * loop 1.8 times (bench/load.sh, bench/RESULTS.md). With TS_OMP_SPINCOUNT,
 * about 50 us of spinning (a pause takes 48 ns on that Xeon), a waiting
 * thread soon sleeps and gives its core back.
 *
 * libgomp reads its settings once, in a constructor that runs before main,
 * so setting the variable in main is too late, and the executable has no
 * code that runs between the C library's start-up (which resets environ
 * after a .preinit_array function) and libgomp's. Hence the exec: the same
 * program, the same process id and arguments, the environment plus one
 * variable. A user's OMP_WAIT_POLICY or GOMP_SPINCOUNT is left alone. Other
 * OpenMP runtimes ignore GOMP_SPINCOUNT (their own settings apply).
 *
 * The same exec sets OPENBLAS_NUM_THREADS=1 when it is unset. The CPU
 * backend keeps OpenBLAS on one thread anyway (cpu_backend.h), but OpenBLAS
 * starts its worker threads when it is loaded, and an idle worker polls
 * with sched_yield for about 0.1 s before it sleeps: CPU a forecast's own
 * threads could use (bench/RESULTS.md, "Forecast latency").
 */
#define _DEFAULT_SOURCE 1   /* readlink, setenv */
#include "cli/omp_wait.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

/* Spins before a waiting thread sleeps (bench/load.sh chose it). */
#define TS_OMP_SPINCOUNT "1000"

void ts_omp_wait_init(char **argv)
{
#if defined(_OPENMP) && defined(__linux__)
    int spin = !getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT");
    int blas = !getenv("OPENBLAS_NUM_THREADS");
    if (!spin && !blas) return;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return;
    exe[n] = '\0';
    if (spin && setenv("GOMP_SPINCOUNT", TS_OMP_SPINCOUNT, 1) != 0) return;
    if (blas && setenv("OPENBLAS_NUM_THREADS", "1", 1) != 0) return;
    execv(exe, argv);
    if (spin) unsetenv("GOMP_SPINCOUNT");   /* exec failed: run on with the defaults */
    if (blas) unsetenv("OPENBLAS_NUM_THREADS");
#else
    (void)argv;
#endif
}
