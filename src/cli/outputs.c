/* outputs.c - check a run's output names against its inputs and each
 * other, check their folders, and lock them. */
#define _DEFAULT_SOURCE   /* realpath */
#include "cli/outputs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What identifies a file: its inode when it exists, else the canonical
 * name it would get (the folder resolved, then the last component). */
typedef struct {
    int exists, special;   /* special: a device or FIFO, which may be named twice */
    dev_t dev;
    ino_t ino;
    char *name;   /* owned; NULL when the folder cannot be resolved */
} file_id;

static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return ts_xstrdup(".");
    char *d = ts_xstrdup(path);
    d[slash == path ? 1 : slash - path] = '\0';
    return d;
}

static void identify(const char *path, file_id *id)
{
    struct stat st;
    memset(id, 0, sizeof *id);
    if (stat(path, &st) == 0) {
        id->exists = 1;
        id->special = !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
        id->dev = st.st_dev;
        id->ino = st.st_ino;
        return;
    }
    char *dir = folder_of(path), real[PATH_MAX];
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    if (realpath(dir, real)) {
        size_t n = strlen(real) + strlen(base) + 2;
        id->name = ts_xmalloc(n);
        snprintf(id->name, n, "%s/%s", real, base);
    }
    free(dir);
}

static int same_file(const file_id *a, const file_id *b)
{
    if (a->special || b->special) return 0;
    if (a->exists || b->exists)
        return a->exists && b->exists && a->dev == b->dev && a->ino == b->ino;
    return a->name && b->name && strcmp(a->name, b->name) == 0;
}

/* Is any of in[0..n) the same file as f? "-" names standard output
 * among outputs (it clashes with itself) and standard input among inputs
 * (it clashes with nothing). */
static const ts_run_file *clash(const ts_run_file *f, const ts_run_file *in, int n,
                                int outputs)
{
    int dash = strcmp(f->path, "-") == 0;
    if (dash && !outputs) return NULL;
    file_id a, b;
    const ts_run_file *hit = NULL;
    if (!dash) identify(f->path, &a);
    for (int i = 0; i < n && !hit; i++) {
        if (!in[i].path || strstr(in[i].path, "%s")) continue;
        if (dash || strcmp(in[i].path, "-") == 0) {
            if (dash && outputs && strcmp(in[i].path, "-") == 0) hit = &in[i];
            continue;
        }
        identify(in[i].path, &b);
        if (same_file(&a, &b)) hit = &in[i];
        free(b.name);
    }
    if (!dash) free(a.name);
    return hit;
}

/* The output can be created: its folder is there and writable. */
static int creatable(const ts_run_file *f, ts_error *err)
{
    struct stat st;
    if (strcmp(f->path, "-") == 0) return 0;
    if (!strstr(f->path, "%s") && stat(f->path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return ts_fail(err, TS_ECANTCREAT, "%s %s: cannot create (%s)", f->option,
                           f->path, strerror(EISDIR));
        if (!S_ISREG(st.st_mode)) return 0;   /* a device or FIFO is written in place */
    }
    char *dir = folder_of(f->path);
    int rc = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = ts_fail(err, TS_ECANTCREAT, "%s %s: cannot create (folder %s: %s)", f->option,
                     f->path, dir, strerror(errno ? errno : ENOTDIR));
    else if (access(dir, W_OK | X_OK) != 0)
        rc = ts_fail(err, TS_ECANTCREAT, "%s %s: cannot create (folder %s: %s)", f->option,
                     f->path, dir, strerror(errno));
    free(dir);
    return rc;
}

static int check_one(const ts_run_file *f, int k, const ts_run_file *in, int nin,
                     const ts_run_file *out, ts_error *err)
{
    if (!*f->path) return ts_fail(err, TS_EUSAGE, "%s: empty file name", f->option);
    const ts_run_file *hit = strstr(f->path, "%s") ? NULL : clash(f, in, nin, 0);
    if (hit)
        return ts_fail(err, TS_EUSAGE, "%s %s is the input %s%s%s: refusing to overwrite it",
                       f->option, f->path, hit->option, *hit->option ? " " : "", hit->path);
    hit = strstr(f->path, "%s") ? NULL : clash(f, out, k, 1);
    if (hit && strcmp(f->path, "-") == 0)
        return ts_fail(err, TS_EUSAGE, "%s and %s both write to standard output", hit->option,
                       f->option);
    if (hit)
        return ts_fail(err, TS_EUSAGE, "%s %s and %s %s are the same file", hit->option,
                       hit->path, f->option, f->path);
    return creatable(f, err);
}

int ts_outputs_claim(ts_outputs *o, const ts_run_file *in, int nin, const ts_run_file *out,
                     int nout, double wait_s, ts_error *err)
{
    memset(o, 0, sizeof *o);
    TS_CHECK(nout <= TS_OUTPUTS_MAX);
    for (int k = 0; k < nout; k++) {
        if (!out[k].path) continue;
        int rc = check_one(&out[k], k, in, nin, out, err);
        if (rc) return rc;
    }
    for (int k = 0; k < nout; k++) {
        if (!out[k].path || strstr(out[k].path, "%s")) continue;
        int rc = ts_lock_take(&o->lock[o->n], out[k].path, wait_s, err);
        if (rc) {
            ts_outputs_release(o);
            return rc;
        }
        o->n++;
    }
    return 0;
}

void ts_outputs_release(ts_outputs *o)
{
    for (int i = 0; i < o->n; i++) ts_lock_release(&o->lock[i]);
    o->n = 0;
}
