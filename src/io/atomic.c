/* atomic.c - output files written to a temporary name, then fsync'd and
 * renamed, so that a crash or an error never leaves a half file. */
#define _POSIX_C_SOURCE 200809L
#include "io/atomic.h"
#include "io/fault.h"
#include "io/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cannot_create(ts_atomic *a, const char *path, int e, ts_error *err)
{
    ts_atomic_abort(a);
    return ts_fail(err, TS_ECANTCREAT, "%s: cannot create (%s)", path, strerror(e));
}

/* The mode a new file would get from open(2): 0666 & ~umask. */
static mode_t new_file_mode(void)
{
    mode_t mask = umask(022);
    umask(mask);
    return 0666 & ~mask;
}

/* Write to an existing non-regular file (device, FIFO) in place. */
static int open_direct(ts_atomic *a, const char *path, ts_error *err)
{
    a->f = fopen(path, "wb");
    if (!a->f) return cannot_create(a, path, errno, err);
    return 0;
}

int ts_atomic_open(ts_atomic *a, const char *path, ts_error *err)
{
    memset(a, 0, sizeof *a);
    a->path = ts_xstrdup(path);
    if (strcmp(path, "-") == 0) {
        a->f = stdout;
        return 0;
    }
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) return cannot_create(a, path, EISDIR, err);
    if (exists && !S_ISREG(st.st_mode)) return open_direct(a, path, err);

    size_t n = strlen(path);
    char *tmp = ts_xmalloc(n + 8);
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".XXXXXX", 8);
    int e = ts_fault("create");
    ts_signals_hold(1);   /* no signal between the file's birth and its tracking */
    int fd = e ? -1 : mkstemp(tmp);
    if (fd < 0 && !e) e = errno;
    if (fd >= 0) a->track = ts_signals_track_path(tmp);
    ts_signals_hold(0);
    if (fd < 0) {
        free(tmp);
        return cannot_create(a, path, e, err);
    }
    a->tmp = tmp;
    mode_t mode = exists ? (st.st_mode & 07777) : new_file_mode();
    if (fchmod(fd, mode) != 0 || !(a->f = fdopen(fd, "wb"))) {
        int e = errno;
        if (!a->f) close(fd);
        return cannot_create(a, path, e, err);
    }
    return 0;
}

/* Best effort: make the rename itself durable. */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? ts_xstrdup(path) : ts_xstrdup(".");
    if (slash) dir[slash == path ? 1 : slash - path] = '\0';
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* The temporary name is gone (renamed or unlinked): stop tracking it,
 * before the free, since a signal handler may look at it. */
static void forget_temp(ts_atomic *a)
{
    ts_signals_untrack_path(a->track);
    a->track = 0;
    free(a->tmp);
    a->tmp = NULL;
}

static void clear(ts_atomic *a)
{
    free(a->path);
    memset(a, 0, sizeof *a);
}

int ts_atomic_commit(ts_atomic *a, ts_error *err)
{
    TS_CHECK(a->f != NULL);
    int rc = 0, e = 0;
    if (a->f == stdout) {
        if (fflush(stdout) != 0 || ferror(stdout))
            rc = ts_fail(err, TS_EIO, "standard output: write error (%s)",
                         strerror(errno ? errno : EIO));
        a->f = NULL;
        clear(a);
        return rc;
    }
    errno = 0;
    if (fflush(a->f) != 0 || ferror(a->f)) e = errno ? errno : EIO;
    if (!e) e = ts_fault("write");
    if (!e && a->tmp && (e = ts_fault("fsync")) == 0 && fsync(fileno(a->f)) != 0) e = errno;
    if (fclose(a->f) != 0 && !e) e = errno ? errno : EIO;
    a->f = NULL;
    if (!e && a->tmp) {
        if ((e = ts_fault("rename")) == 0 && rename(a->tmp, a->path) == 0) {
            forget_temp(a);
            sync_parent_dir(a->path);
        } else if (!e) {
            e = errno;
        }
    }
    if (e) rc = ts_fail(err, TS_EIO, "%s: write error (%s)", a->path, strerror(e));
    ts_atomic_abort(a);       /* removes the temp file if still there */
    return rc;
}

void ts_atomic_abort(ts_atomic *a)
{
    if (a->f && a->f != stdout) fclose(a->f);
    a->f = NULL;
    if (a->tmp) unlink(a->tmp);
    forget_temp(a);
    clear(a);
}
