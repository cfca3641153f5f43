/* comm-speed.c - the time of one gradient sum (io/comm.h) of N floats on the
 * ranks of this job: the rank-ordered sum (MPI_Alltoallv + MPI_Allgatherv)
 * and, with TSDIFF_MPI_REDUCE=allreduce, MPI_Allreduce. Not part of make
 * check; build it against a configured tree with MPI:
 *
 *   mpicc -O2 -fopenmp -I. -Isrc bench/comm-speed.c libtsdiff.a -lcsv -lopenblas -lm \
 *       -o comm-speed
 *   mpirun -np 2 ./comm-speed [FLOATS] [REPEATS]     (default 589473, 200)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "io/comm.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    int ranks = ts_comm_init(&argc, &argv);
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 589473;
    int reps = argc > 2 ? atoi(argv[2]) : 200;
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) x[i] = 1e-3f * (float)(i % 1000) + (float)ts_comm_rank();
    ts_comm_sum_floats(x, n);   /* warm-up */
    double t0 = now();
    for (int r = 0; r < reps; r++) ts_comm_sum_floats(x, n);
    double t = (now() - t0) / reps;
    if (ts_comm_root())
        printf("%d ranks, %zu floats (%.2f MB): %.3f ms a sum, %.2f GB/s of vector\n", ranks, n,
               n * 4e-6, 1e3 * t, n * 4e-9 / t);
    free(x);
    ts_comm_finalize();
    return 0;
}
