/* comm.c - the ranks of an MPI job (HAVE_MPI, under a launcher), or one
 * process: collectives for data-parallel training and split forecasts. */
#define _POSIX_C_SOURCE 200809L   /* sysconf */
#include "config.h"

#include "io/comm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>
#include <unistd.h>

#ifdef HAVE_MPI
#include <limits.h>
#include <mpi.h>
#endif

static int rank_, size_ = 1, local_size_ = 1;

int ts_comm_rank(void) { return rank_; }
int ts_comm_size(void) { return size_; }
int ts_comm_local_size(void) { return local_size_; }
void ts_comm_alone(void) { size_ = local_size_ = 1; }

int ts_comm_threads(int threads)
{
    if (threads > 0 || local_size_ < 2) return threads;
    long share = sysconf(_SC_NPROCESSORS_ONLN) / local_size_;  /* the machine's */
    int mine = omp_get_num_procs();   /* the cores this process is bound to */
    int per = share < mine ? (int)share : mine;
    return per > 1 ? per : 1;
}

#ifdef HAVE_MPI

static int joined;         /* MPI_Init was called */
static ts_error agreed;    /* the last error the ranks agreed on */
static int use_allreduce;  /* TSDIFF_MPI_REDUCE=allreduce */
static int *cnt, *dsp;     /* [size_] a vector's slices, for ts_comm_sum_floats */
static float *recv_buf;    /* [size_ * slice] the slices from every rank */
static size_t recv_cap;

/* A launcher that starts MPI processes sets one of these. */
static int launched(void)
{
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i])) return 1;
    return 0;
}

int ts_comm_init(int *argc, char ***argv)
{
    if (!launched()) return 1;
    int provided;
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    joined = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &local_size_);
    MPI_Comm_free(&local);
    const char *how = getenv("TSDIFF_MPI_REDUCE");
    use_allreduce = how && !strcmp(how, "allreduce");
    cnt = ts_xmalloc((size_t)size_ * sizeof *cnt);
    dsp = ts_xmalloc((size_t)size_ * sizeof *dsp);
    if (size_ > 1) ts_set_rank(rank_);
    return size_;
}

void ts_comm_finalize(void)
{
    if (!joined) return;
    free(cnt);
    free(dsp);
    free(recv_buf);
    cnt = dsp = NULL;
    recv_buf = NULL;
    recv_cap = 0;
    MPI_Finalize();
    joined = 0;
}

/* Slice k of n elements: [k n / size, (k + 1) n / size). */
static void slice(size_t n)
{
    for (int k = 0; k < size_; k++) {
        size_t a = (size_t)k * n / (size_t)size_, b = (size_t)(k + 1) * n / (size_t)size_;
        dsp[k] = (int)a;
        cnt[k] = (int)(b - a);
    }
}

void ts_comm_sum_floats(float *x, size_t n)
{
    if (size_ < 2 || n == 0) return;
    TS_CHECK(n <= INT_MAX);
    if (use_allreduce) {
        MPI_Allreduce(MPI_IN_PLACE, x, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        return;
    }
    slice(n);
    int m = cnt[rank_];
    int *rcnt = ts_xmalloc(2 * (size_t)size_ * sizeof *rcnt), *rdsp = rcnt + size_;
    for (int k = 0; k < size_; k++) {
        rcnt[k] = m;
        rdsp[k] = k * m;
    }
    size_t need = (size_t)size_ * (size_t)m + 1;
    if (need > recv_cap) {
        recv_buf = ts_xrealloc(recv_buf, need * sizeof *recv_buf);
        recv_cap = need;
    }
    MPI_Alltoallv(x, cnt, dsp, MPI_FLOAT, recv_buf, rcnt, rdsp, MPI_FLOAT, MPI_COMM_WORLD);
    float *mine = x + dsp[rank_];
    memcpy(mine, recv_buf, (size_t)m * sizeof *mine);
    for (int k = 1; k < size_; k++) {   /* rank order, element by element */
        const float *part = recv_buf + (size_t)k * (size_t)m;
        for (int i = 0; i < m; i++) mine[i] += part[i];
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, x, cnt, dsp, MPI_FLOAT, MPI_COMM_WORLD);
    free(rcnt);
}

void ts_comm_sum_doubles(double *x, size_t n)
{
    if (size_ < 2 || n == 0) return;
    TS_CHECK(n <= INT_MAX);
    MPI_Allreduce(MPI_IN_PLACE, x, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

void ts_comm_allgather_floats(float *x, const size_t *off)
{
    if (size_ < 2) return;
    TS_CHECK(off[size_] <= INT_MAX);
    for (int k = 0; k < size_; k++) {
        dsp[k] = (int)off[k];
        cnt[k] = (int)(off[k + 1] - off[k]);
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, x, cnt, dsp, MPI_FLOAT, MPI_COMM_WORLD);
}

int ts_comm_agree(int rc, ts_error *err)
{
    if (size_ < 2) return rc;
    int first = rc ? rank_ : size_;
    MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == size_) return 0;
    ts_error e = {0};
    if (rank_ == first) {
        const char *msg = err && err->msg[0] ? err->msg : "failed";
        e.code = rc;
        /* An error the ranks agreed on before already names its rank. */
        if (rc == agreed.code && !strcmp(msg, agreed.msg)) snprintf(e.msg, sizeof e.msg, "%s", msg);
        else snprintf(e.msg, sizeof e.msg, "rank %d: %.1000s", rank_, msg);
    }
    MPI_Bcast(&e, (int)sizeof e, MPI_BYTE, first, MPI_COMM_WORLD);
    agreed = e;
    if (err) *err = e;
    return e.code;
}

void ts_comm_abort(int code)
{
    if (joined && size_ > 1) MPI_Abort(MPI_COMM_WORLD, code);
}

#else  /* one process */

int ts_comm_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 1;
}

void ts_comm_finalize(void) {}
void ts_comm_sum_floats(float *x, size_t n) { (void)x; (void)n; }
void ts_comm_sum_doubles(double *x, size_t n) { (void)x; (void)n; }
void ts_comm_allgather_floats(float *x, const size_t *off) { (void)x; (void)off; }
int ts_comm_agree(int rc, ts_error *err) { (void)err; return rc; }
void ts_comm_abort(int code) { (void)code; }

#endif
