/* detmath.h - elementary functions that give the same bits on every machine.
 *
 * A libm may differ in the last bit of exp, log or sin from one library or
 * processor to the next (glibc picks FMA variants at run time), which is
 * enough to change a generated series. These use only +, -, *, /, sqrt,
 * floor, frexp and ldexp, which IEEE 754 makes exact or correctly rounded,
 * so the synthetic corpus (data/synth.h) is the same everywhere. They are
 * accurate to a few units in the last place, not correctly rounded.
 *
 * Reproducibility also needs plain double arithmetic (FLT_EVAL_METHOD 0) and
 * no fused multiply-add: GCC does not contract in ISO C mode (-std=c11), and
 * the files that compute series ask clang not to.
 */
#ifndef TS_DETMATH_H
#define TS_DETMATH_H

/* e^x; 0 below -745, +inf above 709.78. */
double ts_det_exp(double x);

/* Natural logarithm; -inf at 0, NaN below 0. */
double ts_det_log(double x);

/* sin(2 pi u) and cos(2 pi u) of an angle in turns: the reduction to one
 * turn is exact (u - floor(u)), so large arguments lose nothing. */
double ts_det_sin_turns(double u);
double ts_det_cos_turns(double u);

/* x^y for x > 0 (exp(y log x)); 1 when y is 0. */
double ts_det_pow(double x, double y);

#endif
