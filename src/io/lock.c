/* lock.c - flock(2) on a lock file beside an output, with a bounded wait. */
#define _DEFAULT_SOURCE   /* flock */
#include "io/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/signals.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void nap(void)
{
    struct timespec t = {0, 50 * 1000 * 1000};
    nanosleep(&t, NULL);
}

/* Does the name still lead to the file we locked? */
static int still_ours(int fd, const char *name)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(name, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

static int lockable(const char *path)
{
    struct stat st;
    if (strcmp(path, "-") == 0) return 0;
    return stat(path, &st) != 0 || S_ISREG(st.st_mode);
}

int ts_lock_take(ts_lock *l, const char *path, double wait_s, ts_error *err)
{
    memset(l, 0, sizeof *l);
    l->fd = -1;
    if (!lockable(path)) return 0;
    size_t n = strlen(path);
    char *name = ts_xmalloc(n + 6);
    memcpy(name, path, n);
    memcpy(name + n, ".lock", 6);
    double deadline = now_s() + wait_s;
    for (;;) {
        ts_signals_hold(1);   /* no signal between the file's birth and its tracking */
        int fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0) {
            int e = errno;
            ts_signals_hold(0);
            free(name);
            return ts_fail(err, TS_ECANTCREAT, "%s: cannot create the lock file (%s)", path,
                           strerror(e));
        }
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            if (still_ours(fd, name)) {
                l->fd = fd;
                l->path = name;
                l->track = ts_signals_track_path(name);
                ts_signals_hold(0);
                return 0;
            }
            close(fd);        /* released and unlinked meanwhile: take the new one */
            ts_signals_hold(0);
            continue;
        }
        int e = errno;
        close(fd);
        ts_signals_hold(0);
        if (e != EWOULDBLOCK && e != EINTR) {
            free(name);
            return ts_fail(err, TS_ECANTCREAT, "%s: cannot lock (%s)", path, strerror(e));
        }
        if (wait_s >= 0 && now_s() >= deadline) {
            free(name);
            return ts_fail(err, TS_ETEMPFAIL, "%s is in use by another tsdiff run%s", path,
                           wait_s > 0 ? " (waited --wait seconds)" : " (--wait SECONDS to wait for it)");
        }
        nap();
    }
}

void ts_lock_release(ts_lock *l)
{
    if (l->path) {   /* set only while locked */
        unlink(l->path);
        ts_signals_untrack_path(l->track);
        close(l->fd);
        free(l->path);
    }
    memset(l, 0, sizeof *l);
    l->fd = -1;
}
