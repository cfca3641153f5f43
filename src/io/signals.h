/* signals.h - what SIGINT, SIGTERM and SIGHUP do to a run.
 *
 * One table, process-wide, of what a dying run must undo: temporary files
 * to unlink (every ts_atomic output registers its temporary name here) and
 * child process groups to kill (gnuplot). It is the one piece of mutable
 * global state besides the chosen backend and the quiet flag, because a
 * signal handler can see nothing else.
 *
 * Two modes, chosen once by the command:
 *   - immediate (forecast, backtest, info): the first signal unlinks every
 *     tracked file, kills every tracked group and ends the process by that
 *     signal (status 128+N); finished outputs stay, unfinished ones vanish.
 *   - deferred (fit): the first signal only sets the flag (ts_signals_flag)
 *     that the training loop polls, so the run stops after the current step
 *     and still saves; a second signal acts as in immediate mode.
 *
 * Tracking works whether or not handlers are installed (the unit tests
 * never install them). The table holds TS_SIGNALS_MAX_PATHS names; more is
 * an internal error. The caller owns the strings and untracks a name before
 * freeing it. Everything a handler calls is async-signal-safe (unlink,
 * kill, signal, raise, pthread_kill). A signal that lands on another thread
 * is passed to the thread that called ts_signals_init, which holds signals
 * back (ts_signals_hold) while it creates a file and tracks it, so no file
 * is ever born untracked.
 */
#ifndef TS_SIGNALS_H
#define TS_SIGNALS_H

#include <signal.h>
#include <sys/types.h>

#define TS_SIGNALS_MAX_PATHS 64
#define TS_SIGNALS_MAX_GROUPS 8

/* Install the handlers for SIGINT, SIGTERM and SIGHUP. */
void ts_signals_init(int deferred);

/* The first signal caught (SIGINT, ...), or 0. */
int ts_signals_caught(void);

/* The flag a loop polls: nonzero once a signal came (deferred mode). */
volatile sig_atomic_t *ts_signals_flag(void);

/* Unlink PATH if the run dies by a signal. Returns a handle (> 0) for
 * ts_signals_untrack_path. */
int ts_signals_track_path(const char *path);
void ts_signals_untrack_path(int handle);

/* Kill process group PGID (SIGTERM) if the run dies by a signal. */
int ts_signals_track_group(pid_t pgid);
void ts_signals_untrack_group(int handle);

/* Do now what a signal would undo: unlink every tracked file, kill every
 * tracked group (the CLI's fatal-error hook). */
void ts_signals_undo(void);

/* Hold SIGINT/SIGTERM/SIGHUP back (block) or let the held one through
 * (unblock): brackets a few renames that must happen all or none. */
void ts_signals_hold(int hold);

#endif
