/* fault.h - injected I/O failures, for testing every output's error path
 * without a full disk.
 *
 * TSDIFF_FAULT="OP:N[:ERR]" makes the Nth call of OP in this process fail
 * with ERR (ENOSPC, EIO, EACCES, EROFS or EDQUOT; default EIO), or, for ERR
 * SIGINT or SIGTERM, raises that signal there and goes on (a signal at an
 * exact point of the output code), or, for ERR INTERNAL, is an internal fault
 * there (exit 70 through the fatal-error hook). OP is one of
 *   create  making an output's temporary file (ts_atomic_open)
 *   write   writing an output's bytes (the flush at ts_atomic_commit)
 *   fsync   syncing an output before its rename
 *   rename  putting an output in place
 * Several rules may be given, separated by commas ("write:2:ENOSPC,rename:1").
 * Unset or empty: no faults, and ts_fault costs one branch. A malformed
 * variable is an internal error (it is a test hook, not a user setting).
 * The call counters are process-wide state, for tests only.
 */
#ifndef TS_FAULT_H
#define TS_FAULT_H

/* The errno the current call of OP must fail with, or 0. */
int ts_fault(const char *op);

#endif
