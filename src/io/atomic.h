/* atomic.h - output files that appear whole or not at all.
 *
 * Every file tsdiff writes (model, forecast CSV, samples, plot data) goes
 * through here: ts_atomic_open creates a temporary file "PATH.XXXXXX" in the
 * directory of PATH, the caller writes to a->f, and ts_atomic_commit flushes,
 * fsyncs, closes and renames it over PATH. Until the commit PATH is
 * untouched; after an error or ts_atomic_abort no temporary file is left.
 *
 *     ts_atomic out = {0};
 *     int rc = ts_atomic_open(&out, path, err);
 *     if (rc) return rc;
 *     ... fprintf(out.f, ...) ...
 *     if (failed) { ts_atomic_abort(&out); return rc; }
 *     return ts_atomic_commit(&out, err);     // also cleans up on failure
 *
 * Special paths: "-" writes to stdout (flushed, never closed, no temp
 * file). An existing PATH that is not a regular file (/dev/null, a FIFO) is
 * opened and written directly, since it cannot be replaced by a rename.
 * A new file gets mode 0666 & ~umask; a replaced file keeps its mode. A
 * symbolic link at PATH is replaced by the new file, not followed.
 *
 * Signals: the temporary name is tracked by io/signals.h from open until
 * commit or abort, so a run that dies by SIGINT/SIGTERM/SIGHUP leaves no
 * temporary file behind (a SIGKILL can: it is named PATH.XXXXXX).
 *
 * Faults: io/fault.h's TSDIFF_FAULT hook can fail the create, write (the
 * flush at commit), fsync or rename step, to test every caller's error path.
 *
 * Ownership: the struct owns f, path and tmp from open until commit or
 * abort, which both leave it zeroed; abort on a zeroed struct does nothing,
 * so it is safe in any cleanup path.
 */
#ifndef TS_ATOMIC_H
#define TS_ATOMIC_H

#include <stdio.h>

#include "io/error.h"

typedef struct ts_atomic {
    FILE *f;      /* write here */
    char *path;   /* the final name ("-" for stdout) */
    char *tmp;    /* the temporary name, NULL when writing directly */
    int track;    /* io/signals.h handle of tmp, 0 when none */
} ts_atomic;

/* Start writing PATH. TS_ECANTCREAT ("PATH: cannot create (reason)") when
 * the temporary file cannot be made: missing or read-only directory, PATH a
 * directory. */
int ts_atomic_open(ts_atomic *a, const char *path, ts_error *err);

/* Flush, fsync, close and rename over PATH. TS_EIO ("PATH: write error
 * (reason)") on any failure, and then the temporary file is removed. The
 * struct is zeroed either way. */
int ts_atomic_commit(ts_atomic *a, ts_error *err);

/* Give up: close and remove the temporary file; PATH is untouched. */
void ts_atomic_abort(ts_atomic *a);

#endif
