/* signals.c - the handler for SIGINT/SIGTERM/SIGHUP and the table of what
 * it undoes: temporary files and child process groups. */
#define _POSIX_C_SOURCE 200809L
#include "io/signals.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "io/error.h"

static const char *volatile paths[TS_SIGNALS_MAX_PATHS];
static volatile pid_t groups[TS_SIGNALS_MAX_GROUPS];
static volatile sig_atomic_t caught;
static int deferred_mode;
static pthread_t main_thread;   /* the one that holds signals back (ts_signals_hold) */

static const int handled[] = {SIGINT, SIGTERM, SIGHUP};
#define NHANDLED (int)(sizeof handled / sizeof handled[0])

static void undo_all(void)
{
    for (int i = 0; i < TS_SIGNALS_MAX_GROUPS; i++)
        if (groups[i] > 0) kill(-groups[i], SIGTERM);
    for (int i = 0; i < TS_SIGNALS_MAX_PATHS; i++) {
        const char *p = paths[i];
        if (p) unlink(p);
    }
}

static void on_signal(int sig)
{
    /* A process signal may land on any thread (OpenBLAS and OpenMP keep
     * workers); only the main thread's ts_signals_hold brackets file
     * creation, so it is handled there. */
    if (!pthread_equal(pthread_self(), main_thread)) {
        pthread_kill(main_thread, sig);
        return;
    }
    int first = !caught;
    if (first) caught = sig;
    if (deferred_mode && first) return;
    undo_all();
    signal(sig, SIG_DFL);
    raise(sig);   /* delivered when the handler returns: the run ends by sig */
}

void ts_signals_undo(void) { undo_all(); }

void ts_signals_init(int deferred)
{
    deferred_mode = deferred;
    main_thread = pthread_self();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;   /* reads and writes of the step in progress go on */
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NHANDLED; i++) sigaddset(&sa.sa_mask, handled[i]);
    for (int i = 0; i < NHANDLED; i++) sigaction(handled[i], &sa, NULL);
}

int ts_signals_caught(void) { return caught; }

volatile sig_atomic_t *ts_signals_flag(void) { return &caught; }

int ts_signals_track_path(const char *path)
{
    for (int i = 0; i < TS_SIGNALS_MAX_PATHS; i++)
        if (!paths[i]) {
            paths[i] = path;
            return i + 1;
        }
    ts_die_internal(__FILE__, __LINE__, "too many temporary files at once");
}

void ts_signals_untrack_path(int handle)
{
    if (handle > 0 && handle <= TS_SIGNALS_MAX_PATHS) paths[handle - 1] = NULL;
}

int ts_signals_track_group(pid_t pgid)
{
    for (int i = 0; i < TS_SIGNALS_MAX_GROUPS; i++)
        if (groups[i] <= 0) {
            groups[i] = pgid;
            return i + 1;
        }
    ts_die_internal(__FILE__, __LINE__, "too many child processes at once");
}

void ts_signals_untrack_group(int handle)
{
    if (handle > 0 && handle <= TS_SIGNALS_MAX_GROUPS) groups[handle - 1] = 0;
}

void ts_signals_hold(int hold)
{
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < NHANDLED; i++) sigaddset(&set, handled[i]);
    pthread_sigmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}
