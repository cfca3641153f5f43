/* omp_wait.h - the OpenMP wait policy tsdiff runs under (omp_wait.c). */
#ifndef TS_OMP_WAIT_H
#define TS_OMP_WAIT_H

/* First thing in main: unless the user set OMP_WAIT_POLICY or
 * GOMP_SPINCOUNT, set GOMP_SPINCOUNT to tsdiff's default, and unless set,
 * OPENBLAS_NUM_THREADS to 1, and execute the program again with them (argv
 * unchanged). Returns only when it did not execute again: the settings
 * were there, or the exec failed. */
void ts_omp_wait_init(char **argv);

#endif
