/* outputs.h - a run's claim on its files, made before any work.
 *
 * ts_outputs_claim checks, in this order, before a subcommand reads data or
 * trains:
 *   - no output name is empty (TS_EUSAGE);
 *   - no output is the same file as an input or as another output of the
 *     run: same device and inode when it exists (symbolic links followed),
 *     else the same canonical name; standard output ("-") at most once
 *     (TS_EUSAGE, naming both options);
 *   - each output's folder exists and is writable, and the output is not a
 *     folder (TS_ECANTCREAT);
 *   - each regular-file output is locked (io/lock.h), waiting up to wait_s
 *     seconds (TS_ETEMPFAIL when another run holds it).
 * A name with "%s" (one chart per series) has only its folder checked.
 * On failure nothing stays locked. The caller releases with
 * ts_outputs_release (safe on a zeroed struct).
 */
#ifndef TS_OUTPUTS_H
#define TS_OUTPUTS_H

#include "io/error.h"
#include "io/lock.h"

#define TS_OUTPUTS_MAX 8

/* One file of the run: the option that names it ("--output") and its
 * name; a NULL name is skipped. */
typedef struct ts_run_file {
    const char *option;
    const char *path;
} ts_run_file;

typedef struct ts_outputs {
    ts_lock lock[TS_OUTPUTS_MAX];
    int n;
} ts_outputs;

int ts_outputs_claim(ts_outputs *o, const ts_run_file *in, int nin, const ts_run_file *out,
                     int nout, double wait_s, ts_error *err);
void ts_outputs_release(ts_outputs *o);

#endif
