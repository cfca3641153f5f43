/* model_find.c - which model forecast and fit --init use when none is
 * named: the fitted one here, else the pretrained default (model.h). */
#define _POSIX_C_SOURCE 200809L   /* PATH_MAX in <limits.h> under a strict -std (clang) */
#include "model/model.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/selfdir.h"

#ifndef TSDIFF_PKGDATADIR
#define TSDIFF_PKGDATADIR "/usr/local/share/tsdiff"
#endif
#ifndef TSDIFF_SRCDIR
#define TSDIFF_SRCDIR "."
#endif

static int readable(const char *path) { return access(path, R_OK) == 0; }

/* Copy the first readable candidate into path; 1 if one was. */
static int first_readable(char cand[][PATH_MAX + 64], int n, char *path, size_t size)
{
    for (int i = 0; i < n; i++)
        if (readable(cand[i])) {
            snprintf(path, size, "%s", cand[i]);
            return 1;
        }
    return 0;
}

int ts_model_find_pretrained(char *path, size_t size, ts_error *err)
{
    const char *env = getenv("TSDIFF_MODEL");
    if (env && *env) {
        if (!readable(env))
            return ts_fail(err, TS_ENOINPUT, "TSDIFF_MODEL: cannot read %s", env);
        snprintf(path, size, "%s", env);
        return 0;
    }
    char cand[3][PATH_MAX + 64], top[PATH_MAX];
    int n = 0;
    if (ts_build_tree_dir(top, sizeof top)) {   /* running uninstalled */
        snprintf(cand[n++], sizeof cand[0], "%s/data/%s", top, TS_MODEL_PRETRAINED);
        snprintf(cand[n++], sizeof cand[0], "%s/data/%s", TSDIFF_SRCDIR, TS_MODEL_PRETRAINED);
    }
    snprintf(cand[n++], sizeof cand[0], "%s/%s", TSDIFF_PKGDATADIR, TS_MODEL_PRETRAINED);
    if (first_readable(cand, n, path, size)) return 0;
    return ts_fail(err, TS_ENOINPUT, "no pretrained model: %s/%s is missing (set TSDIFF_MODEL)",
                   TSDIFF_PKGDATADIR, TS_MODEL_PRETRAINED);
}

int ts_model_find_default(char *path, size_t size, int *pretrained, ts_error *err)
{
    *pretrained = 0;
    if (readable(TS_MODEL_DEFAULT_PATH)) {
        snprintf(path, size, "%s", TS_MODEL_DEFAULT_PATH);
        return 0;
    }
    ts_error sub = {0};
    if (ts_model_find_pretrained(path, size, &sub) == 0) {
        *pretrained = 1;
        return 0;
    }
    return ts_fail(err, TS_ENOINPUT, "%s: no such file (fit a model first), and %s",
                   TS_MODEL_DEFAULT_PATH, sub.msg);
}
