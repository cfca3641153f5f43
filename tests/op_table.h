/* op_table.h - the table of op checks shared by tests/check_ops (gradients
 * against finite differences on the CPU, and --speed) and tests/check_cuda
 * (every op on the CUDA module, or its emulation, against the CPU).
 *
 * A row runs one op, or a forward op and its backward, on a shape of up to
 * 8 integers. Its forward assigns every element of one output array from
 * its inputs (which it leaves alone); its backward takes d loss / d out and
 * writes the gradients of the inputs it differentiates, assigned or
 * accumulated as the ops do. Adding an op to nn/ops.h means adding a row
 * here: the three modes then cover it.
 *
 * What a row does besides its op (copies that set up an in-place op, host
 * transfers of a scalar, scratch allocations, a forward its backward
 * needs first) stays outside OP_TIMED(be, ...), which wraps the op calls
 * alone: speed mode counts only those.
 */
#ifndef TS_OP_TABLE_H
#define TS_OP_TABLE_H

#include <stddef.h>

#include "nn/backend.h"

enum { OP_MAXIN = 5, OP_MAXSHAPES = 24, OP_MAXSPEED = 8 };

/* How an input is drawn: +-[0.2, 1.2]; 0/1 with P(1) = 0.7; [0.1, 1.1];
 * [-12, 12] (the tails of a nonlinearity); [-2, 3] (a mean away from 0). */
enum { IN_RAND, IN_MASK, IN_POS, IN_WIDE, IN_SHIFT };
/* How the backward writes an input's gradient. */
enum { G_NONE, G_ASSIGN, G_ACCUM };

typedef struct op_row {
    const char *name;
    int nin;
    int in_kind[OP_MAXIN];
    int grad[OP_MAXIN];
    /* Input and output sizes for a shape; an input of size 0 is passed as
     * NULL and has no gradient (an optional bias). */
    void (*size)(const int *shape, size_t *in_n, size_t *out_n);
    void (*fwd)(ts_backend *be, const int *shape, float *const *in, float *out);
    /* NULL where the op has no gradient (the optimizer, randn). */
    void (*bwd)(ts_backend *be, const int *shape, float *const *in, const float *dy,
                float *const *grad);
    /* Floating-point operations of fwd and of bwd at a shape (speed mode;
     * NULL: report milliseconds only). */
    double (*flops)(const int *shape, int backward);
    double fd_eps;                  /* finite-difference step */
    int exact;                      /* backends must agree to the bit */
    /* Shapes, each list ended by a zero first entry: small ones for finite
     * differences, others for backend against CPU, a few for speed (none:
     * the row's op is timed by another row). */
    int fd[OP_MAXSHAPES][8];
    int cmp[OP_MAXSHAPES][8];
    int speed[OP_MAXSPEED][8];
} op_row;

extern const op_row op_table[];
extern const size_t op_table_len;

/* The next number in [0, 1) of the tests' fixed xorshift stream. */
double op_urand(void);

/* Fill a host array with test data of a kind (from that stream). */
void op_fill(float *a, size_t n, int kind);

/* Speed mode: with timing on, OP_TIMED waits for the backend before and
 * after its statement and adds the time between to a sum that op_timed()
 * returns and clears; with timing off it only runs the statement. */
void op_timing(int on);
void op_time_begin(ts_backend *be);
void op_time_end(ts_backend *be);
double op_timed(void);
#define OP_TIMED(be, ...)                                                      \
    do {                                                                       \
        op_time_begin(be);                                                     \
        __VA_ARGS__;                                                           \
        op_time_end(be);                                                       \
    } while (0)

/* "name s0 s1 ..." of a row at a shape, into buf. */
const char *op_describe(const op_row *r, const int *shape, char *buf, size_t size);

#endif
