/* lock.h - one writer at a time per output file.
 *
 * ts_lock_take holds an exclusive flock(2) on "PATH.lock", a file created
 * beside PATH, until ts_lock_release, which unlinks the lock file and
 * closes it (so no lock file outlives the run that made it; a waiter that
 * finds the name gone or replaced after its flock retries on the new one).
 * A run that dies, even by SIGKILL, drops its lock with its descriptors; its
 * lock file may stay and is reused.
 *
 * Readers take no lock: outputs are replaced by rename (io/atomic.h), so a
 * reader sees the old file or the new one, never a half.
 *
 * PATH "-" (standard output) or an existing non-regular file (/dev/null, a
 * FIFO) is not locked. wait_s: 0 fails at once, > 0 retries for that many
 * seconds, < 0 waits for ever. TS_ETEMPFAIL (75) when another run holds it;
 * TS_ECANTCREAT when the lock file cannot be made.
 */
#ifndef TS_LOCK_H
#define TS_LOCK_H

#include "io/error.h"

typedef struct ts_lock {
    int fd;       /* the locked file, -1 when none */
    char *path;   /* its name (PATH.lock), owned */
    int track;    /* io/signals.h handle of path */
} ts_lock;

int ts_lock_take(ts_lock *l, const char *path, double wait_s, ts_error *err);

/* Unlock, unlink and forget; safe on a zeroed or released lock. */
void ts_lock_release(ts_lock *l);

#endif
