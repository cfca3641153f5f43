/* comm.h - the processes of a run: one, or the ranks of an MPI job.
 *
 * tsdiff is one process unless a launcher (mpirun, mpiexec, srun) started
 * it: ts_comm_init calls MPI_Init only then, so a lone run never touches
 * MPI, and a build without MPI (no HAVE_MPI) has only the one-process
 * versions below, which do nothing or copy nothing.
 *
 * Every function but ts_comm_rank/size/abort is collective: all ranks call
 * it, in the same order, or the job hangs. Sums are in rank order and
 * identical on every rank (ts_comm_sum_floats says how), so the ranks of a
 * data-parallel run keep bit-identical weights.
 *
 * Errors: ts_comm_agree is where the ranks learn whether any of them
 * failed; every rank then returns the error of the lowest failing rank,
 * prefixed "rank K: ". Internal faults end the job (ts_comm_abort). */
#ifndef TS_COMM_H
#define TS_COMM_H

#include <stddef.h>

#include "io/error.h"

/* Join the job when a launcher started this process; otherwise one
 * process of rank 0. Returns the number of ranks. */
int ts_comm_init(int *argc, char ***argv);
/* From now on this process works alone: rank 0 runs a command by itself
 * (the others do nothing), and the collectives below do nothing. */
void ts_comm_alone(void);
/* Leave the job (MPI_Finalize); nothing for one process. */
void ts_comm_finalize(void);

int ts_comm_rank(void);
int ts_comm_size(void);
/* Ranks on this machine (1 for one process): for the default threads. */
int ts_comm_local_size(void);
static inline int ts_comm_root(void) { return ts_comm_rank() == 0; }

/* CPU threads for this rank: `threads` when given (> 0); else 0 (the
 * backend's default, all cores) for one process, and the cores this process
 * may use shared among the ranks on this machine for several. */
int ts_comm_threads(int threads);

/* x[0..n) becomes the sum over the ranks of their x, added in rank order
 * (((x_0 + x_1) + x_2) + ...) for every element, the same bits on every
 * rank: each rank sums one 1/N slice of the vector from all ranks
 * (MPI_Alltoallv) and the slices are gathered back (MPI_Allgatherv), the
 * traffic of a ring allreduce. TSDIFF_MPI_REDUCE=allreduce takes
 * MPI_Allreduce instead (the library's order; for comparison). */
void ts_comm_sum_floats(float *x, size_t n);
/* A few doubles summed with MPI_Allreduce (losses, counts, flags). */
void ts_comm_sum_doubles(double *x, size_t n);

/* Rank k holds x[off[k] .. off[k+1]) (off: size + 1 offsets in floats);
 * afterwards every rank holds all of x. */
void ts_comm_allgather_floats(float *x, const size_t *off);

/* rc is this rank's status for the step all ranks just did. Returns 0 when
 * every rank succeeded; else every rank gets the first failing rank's
 * status and message (err, prefixed "rank K: " in a job of several). */
int ts_comm_agree(int rc, ts_error *err);

/* End the whole job with status code (MPI_Abort); returns when there is no
 * job of several ranks. */
void ts_comm_abort(int code);

#endif
