/* plot.c - the gnuplot driver: writes the numbers and the plot's variables
 * to temporary files, runs gnuplot on a template from plots/, and moves its
 * output into place only when it succeeded. */
#define _POSIX_C_SOURCE 200809L
#include "io/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/atomic.h"
#include "io/signals.h"

#ifndef TSDIFF_PKGDATADIR
#define TSDIFF_PKGDATADIR "/usr/local/share/tsdiff"
#endif
#ifndef TSDIFF_SRCDIR
#define TSDIFF_SRCDIR "."
#endif

extern char **environ;

#define PANEL_WIDTH 1000     /* pixels */
#define PANEL_HEIGHT 600     /* one panel alone */
#define STACKED_HEIGHT 380   /* each panel of a stack */
#define FAN_PX 270           /* with covariates: the fan chart's plot area, */
#define COV_PX 90            /* each covariate row's, */
#define ROW_GAP_PX 35        /* the room under each for its tics */
#define PANEL_GAP_PX 45      /* and above each panel for its title */
#define FILES_PER_RUN 32     /* "%s" mode: output files per gnuplot run */
#define TEMP_PATH_MAX 4096
#define NAME_IN_PATH_MAX 100 /* "%s" mode: bytes of a series name in a file name */

/* ---- finding things ------------------------------------------------------ */

static int has_template(const char *dir)
{
    char path[TEMP_PATH_MAX];
    if (snprintf(path, sizeof path, "%s/forecast.gp", dir) >= (int)sizeof path) return 0;
    return access(path, R_OK) == 0;
}

const char *ts_plot_dir(void)
{
    const char *env = getenv("TSDIFF_PLOTS_DIR");
    if (env && *env && has_template(env)) return env;
    if (has_template(TSDIFF_PKGDATADIR)) return TSDIFF_PKGDATADIR;
    if (has_template(TSDIFF_SRCDIR "/plots")) return TSDIFF_SRCDIR "/plots";
    return NULL;
}

/* The gnuplot terminal for path's extension: "png" or "svg". */
static int image_type(const char *path, const char **term, ts_error *err)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (dot && !strcasecmp(dot, ".png")) *term = "png";
    else if (dot && !strcasecmp(dot, ".svg")) *term = "svg";
    else
        return ts_fail(err, TS_EUSAGE, "%s: unknown image type (the name must end in .png or .svg)",
                       path);
    return 0;
}

int ts_plot_check_path(const char *path, ts_error *err)
{
    const char *term;
    return image_type(path, &term, err);
}

/* ---- writing for gnuplot ------------------------------------------------- */

/* A gnuplot single-quoted string: no escapes but '' for a quote. Line breaks
 * would end the command, so they become spaces. */
static void put_string(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    }
    fputc('\'', f);
}

/* A number for the data file; gaps are "NaN" (the templates' missing value). */
static void put_value(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, ",%.7g", v);
    else fputs(",NaN", f);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* Seconds since the epoch (UTC) of "YYYY-MM-DD[( |T)HH:MM[:SS]][Z]". */
static int parse_date(const char *s, double *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return -1;
    s += n;
    if (*s == ' ' || *s == 'T') {
        if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5) return -1;
        s += 1 + n;
        if (*s == ':') {
            if (sscanf(s + 1, "%2d%n", &sec, &n) != 1 || n != 2) return -1;
            s += 1 + n;
            if (*s == '.') s += 1 + strspn(s + 1, "0123456789");
        }
    }
    if (*s == 'Z') s++;
    if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return -1;
    *out = days_from_civil(y, mo, d) * 86400.0 + h * 3600.0 + mi * 60.0 + sec;
    return 0;
}

/* x of point i of a panel's history or forecast; `step` when times is NULL. */
static int point_x(const ts_plot_panel *p, const char **times, int i, double step,
                   double *x, ts_error *err)
{
    if (!times) {
        TS_CHECK(!p->time_is_date);
        *x = step;
        return 0;
    }
    char *end;
    int bad = p->time_is_date ? parse_date(times[i], x)
                              : (*x = strtod(times[i], &end), end == times[i] || *end);
    if (bad)
        return ts_fail(err, TS_EDATA, "series '%s': cannot plot time '%s' (want YYYY-MM-DD "
                       "or YYYY-MM-DD HH:MM:SS)", p->name, times[i]);
    return 0;
}

/* ---- temporary files and running gnuplot ---------------------------------- */

typedef struct {
    char data[TEMP_PATH_MAX], meta[TEMP_PATH_MAX], errs[TEMP_PATH_MAX];
    int track[3];    /* io/signals.h handles of the three names */
    FILE *df, *mf;   /* open while being written */
} plot_job;

/* Make a temporary file in $TMPDIR; *track: its io/signals.h handle. */
static int make_temp(char *path, const char *stem, FILE **f, int *track, ts_error *err)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    if (snprintf(path, TEMP_PATH_MAX, "%s/tsdiff-%s-XXXXXX", dir, stem) >= TEMP_PATH_MAX)
        return ts_fail(err, TS_ECANTCREAT, "cannot create a temporary file: TMPDIR too long");
    ts_signals_hold(1);   /* no signal between the file's birth and its tracking */
    int fd = mkstemp(path);
    if (fd >= 0) *track = ts_signals_track_path(path);
    ts_signals_hold(0);
    if (fd < 0 || !(*f = fdopen(fd, "w"))) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        ts_signals_untrack_path(*track);
        *track = 0;
        path[0] = '\0';
        return ts_fail(err, TS_ECANTCREAT, "cannot create a temporary file in %s (%s)", dir,
                       strerror(e));
    }
    return 0;
}

static void job_close(plot_job *j)
{
    if (j->df) fclose(j->df);
    if (j->mf) fclose(j->mf);
    j->df = j->mf = NULL;
    char *names[3] = {j->data, j->meta, j->errs};
    for (int i = 0; i < 3; i++) {
        if (names[i][0]) unlink(names[i]);
        ts_signals_untrack_path(j->track[i]);
        j->track[i] = 0;
        names[i][0] = '\0';
    }
}

static int job_open(plot_job *j, ts_error *err)
{
    memset(j, 0, sizeof *j);
    FILE *ef = NULL;
    int rc = make_temp(j->data, "plot", &j->df, &j->track[0], err);
    if (!rc) rc = make_temp(j->meta, "vars", &j->mf, &j->track[1], err);
    if (!rc) rc = make_temp(j->errs, "gnuplot", &ef, &j->track[2], err);
    if (ef) fclose(ef);
    if (rc) job_close(j);
    return rc;
}

/* gnuplot's message from its stderr: the first error that names a line,
 * else the first line that is not a warning, else the first line at all. */
static void gnuplot_message(const char *path, char *msg, size_t size)
{
    char line[512], first[512] = "", plain[512] = "";
    msg[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    for (int k = 0; k < 200 && fgets(line, sizeof line, f); k++) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[strspn(line, " \t^")]) continue;
        int warning = strstr(line, "warning:") != NULL;
        const char *at = strstr(line, "line ");
        if (!warning && at && at[5] >= '0' && at[5] <= '9' && strchr(at, ':')) {
            snprintf(msg, size, "%s", line);
            break;
        }
        if (!first[0]) snprintf(first, sizeof first, "%s", line);
        if (!warning && !plain[0] && line[0] != ' ') snprintf(plain, sizeof plain, "%s", line);
    }
    fclose(f);
    if (!msg[0]) snprintf(msg, size, "%s", plain[0] ? plain : first);
}

/* Run gnuplot on the template `script` with its variables on the command
 * line; *status gets its wait status. Returns 0 or an errno of the spawn.
 * gnuplot runs in a process group of its own, which a signal that ends
 * tsdiff kills (io/signals.h): no orphan goes on drawing. */
static int spawn_gnuplot(const char *script, const char *vars, const char *errs, int *status)
{
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    posix_spawnattr_setpgroup(&at, 0);
    sigset_t none, dflt;   /* the child starts with no signal blocked or ignored */
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGINT);
    sigaddset(&dflt, SIGTERM);
    sigaddset(&dflt, SIGHUP);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dflt);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                  POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, errs, O_WRONLY | O_TRUNC, 0);
    /* -d: no ~/.gnuplot or system init file changes our look. */
    char *argv[] = {(char *)"gnuplot", (char *)"-d", (char *)"-e", (char *)vars,
                    (char *)script, NULL};
    pid_t pid;
    ts_signals_hold(1);   /* no signal between the spawn and the tracking */
    int rc = posix_spawnp(&pid, "gnuplot", &fa, &at, argv, environ);
    int track = rc ? 0 : ts_signals_track_group(pid);
    ts_signals_hold(0);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc) return rc;
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR) {
            rc = errno;
            break;
        }
    ts_signals_untrack_group(track);
    return rc;
}

/* Is the image gnuplot wrote whole? A PNG ends with its IEND chunk, an SVG
 * with its closing tag: a full disk or a killed gnuplot cuts them short,
 * and gnuplot may still exit 0. */
static int image_complete(const char *path, const char *term)
{
    static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D',
                                           0xAE, 0x42, 0x60, 0x82};
    unsigned char tail[64];
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    long got = 0;
    if (fseek(f, -(long)sizeof tail, SEEK_END) != 0) rewind(f);
    got = (long)fread(tail, 1, sizeof tail, f);
    fclose(f);
    if (strcmp(term, "png") == 0)
        return got >= 12 && memcmp(tail + got - 12, iend, 12) == 0;
    for (long i = got - 6; i >= 0; i--)   /* "</svg>" then only white space */
        if (memcmp(tail + i, "</svg>", 6) == 0) {
            for (long k = i + 6; k < got; k++)
                if (tail[k] != '\n' && tail[k] != ' ' && tail[k] != '\r') return 0;
            return 1;
        }
    return 0;
}

/* Finish the job's variables with the output files, run gnuplot on
 * dir/script, and commit the outputs on success or abort them on failure.
 * `what` names the output in messages. Always closes the job. */
static int job_run(plot_job *j, const char *dir, const char *script, const char *term,
                   ts_atomic *outs, int nouts, const char *what, ts_error *err)
{
    fprintf(j->mf, "nfiles = %d\narray outfiles[%d]\n", nouts, nouts);
    for (int i = 0; i < nouts; i++) {
        fprintf(j->mf, "outfiles[%d] = ", i + 1);
        put_string(j->mf, outs[i].tmp ? outs[i].tmp : outs[i].path);
        fputc('\n', j->mf);
    }
    int bad = fflush(j->df) || ferror(j->df) || fflush(j->mf) || ferror(j->mf);
    int e = errno, rc = 0;
    if (bad) rc = ts_fail(err, TS_EIO, "cannot write a temporary file (%s)", strerror(e));

    char *vars = NULL, path[TEMP_PATH_MAX];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", dir, script);
    if (!rc && access(path, R_OK) != 0)
        rc = ts_fail(err, TS_EUNAVAIL, "gnuplot template %s not found (%s): cannot draw %s",
                     path, strerror(errno), what);
    if (!rc) {
        FILE *v = open_memstream(&vars, &len);
        TS_CHECK(v != NULL);
        fputs("datafile = ", v);
        put_string(v, j->data);
        fputs("; metafile = ", v);
        put_string(v, j->meta);
        fputs("; plotdir = ", v);
        put_string(v, dir);
        fprintf(v, "; term = '%s'", term);
        fclose(v);
        int status = 0, e2 = spawn_gnuplot(path, vars, j->errs, &status);
        if (e2 == ENOENT)
            rc = ts_fail(err, TS_EUNAVAIL, "gnuplot not found: install it (Debian: "
                         "apt-get install gnuplot-nox) to draw %s", what);
        else if (e2)
            rc = ts_fail(err, TS_EUNAVAIL, "cannot run gnuplot to draw %s (%s)", what,
                         strerror(e2));
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            char msg[512];
            gnuplot_message(j->errs, msg, sizeof msg);
            if (WIFSIGNALED(status))
                rc = ts_fail(err, TS_EIO, "gnuplot was killed by signal %d drawing %s", WTERMSIG(status), what);
            else
                rc = ts_fail(err, TS_EIO, "gnuplot failed to draw %s: %s", what,
                             msg[0] ? msg : "no message");
        }
        for (int i = 0; i < nouts && !rc; i++)
            if (outs[i].tmp && !image_complete(outs[i].tmp, term))
                rc = ts_fail(err, TS_EIO, "%s: gnuplot left an incomplete image (disk full?): "
                             "the previous file is kept", outs[i].path);
    }
    free(vars);
    job_close(j);
    for (int i = 0; i < nouts; i++) {
        if (!rc) rc = ts_atomic_commit(&outs[i], err);
        else ts_atomic_abort(&outs[i]);
    }
    return rc;
}

/* Open the atomic outputs; on failure none stays open. */
static int open_outputs(ts_atomic *outs, char **paths, int n, ts_error *err)
{
    for (int i = 0; i < n; i++) {
        int rc = ts_atomic_open(&outs[i], paths[i], err);
        if (rc) {
            while (i-- > 0) ts_atomic_abort(&outs[i]);
            return rc;
        }
    }
    return 0;
}

/* ---- fan charts ----------------------------------------------------------- */

/* Write panel p's two blocks: the history (x,value) and the forecast
 * (x,q05..q95,truth), which starts at the last observed point so that the
 * fan opens from it. Writes the panel's variables (index k) to mf. */
static int write_panel(FILE *df, FILE *mf, int k, const ts_plot_panel *p, ts_error *err)
{
    TS_CHECK(p->n_hist >= 0 && p->n_fc >= 0 && (p->hist || !p->n_hist));
    for (int i = 0; i < 7 && p->n_fc > 0; i++) TS_CHECK(p->q[i] != NULL);
    const char *name = p->name ? p->name : "";
    double x, xmin = INFINITY, xmax = -INFINITY, last_x = NAN, last_v = NAN;
    int rc, finite = 0, nonneg = 1, ntruth = 0, in50 = 0, in90 = 0;

    fprintf(df, "# %d: history\n", k);
    for (int i = 0; i < p->n_hist; i++) {
        if ((rc = point_x(p, p->hist_time, i, i + 1 - p->n_hist, &x, err))) return rc;
        fprintf(df, "%.15g", x);
        put_value(df, p->hist[i]);
        fputc('\n', df);
        if (x < xmin) xmin = x;
        if (x > xmax) xmax = x;
        if (isfinite(p->hist[i])) {
            finite++;
            nonneg &= p->hist[i] >= 0;
            last_x = x;
            last_v = p->hist[i];
        }
    }
    if (p->n_hist == 0) fputs("NaN,NaN\n", df);
    fprintf(df, "\n\n# %d: forecast\n", k);
    if (isfinite(last_v) && p->n_fc > 0) {
        fprintf(df, "%.15g", last_x);
        for (int q = 0; q < 7; q++) put_value(df, last_v);
        fputs(",NaN\n", df);
    }
    for (int i = 0; i < p->n_fc; i++) {
        if ((rc = point_x(p, p->fc_time, i, i + 1, &x, err))) return rc;
        fprintf(df, "%.15g", x);
        for (int q = 0; q < 7; q++) {
            put_value(df, p->q[q][i]);
            finite += isfinite(p->q[q][i]);
            nonneg &= !(p->q[q][i] < 0);
        }
        put_value(df, p->truth ? p->truth[i] : NAN);
        fputc('\n', df);
        if (x < xmin) xmin = x;
        if (x > xmax) xmax = x;
        if (p->truth && isfinite(p->truth[i])) {
            float y = p->truth[i];
            ntruth++;
            nonneg &= y >= 0;
            in50 += y >= p->q[2][i] && y <= p->q[4][i];
            in90 += y >= p->q[0][i] && y <= p->q[6][i];
        }
    }
    if (p->n_fc == 0) fputs("NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN\n", df);
    fputs("\n\n", df);
    if (!finite) return ts_fail(err, TS_EDATA, "series '%s': no values to plot", name);

    /* Date labels to suit the span shown. */
    double span = xmax - xmin;
    const char *xfmt = span > 3 * 366 * 86400.0 ? "%Y"
                     : span > 120 * 86400.0    ? "%b %Y"
                     : span > 4 * 86400.0      ? "%d %b"
                                               : "%H:%M\\n%d %b";
    double fcstart = isfinite(last_x) ? last_x : p->n_fc > 0 ? xmin : NAN;
    fprintf(mf, "title[%d] = ", k);
    put_string(mf, name);
    fprintf(mf, "\nnote[%d] = ", k);
    if (ntruth > 0)
        fprintf(mf, "'actuals inside the 50%% band: %d of %d, inside the 90%% band: %d of %d'",
                in50, ntruth, in90, ntruth);
    else
        fputs("''", mf);
    /* xfmt in double quotes: gnuplot turns its "\n" into a line break. */
    fprintf(mf, "\nisdate[%d] = %d\nxfmt[%d] = \"%s\"\nfcstart[%d] = ", k, p->time_is_date != 0,
            k, p->time_is_date ? xfmt : "%g", k);
    if (isfinite(fcstart)) fprintf(mf, "%.15g\n", fcstart);
    else fputs("NaN\n", mf);
    fprintf(mf, "nonneg[%d] = %d\nhastruth[%d] = %d\n", k, nonneg, k, ntruth > 0);
    fprintf(mf, "xlo[%d] = %.15g\nxhi[%d] = %.15g\n", k, xmin, k, xmax);
    return 0;
}

/* A round step (1, 2 or 5 times a power of ten) for about three tics over
 * [lo, hi]; 1 when the range is empty. */
static double tic_step(double lo, double hi)
{
    double span = (hi - lo) / 3;
    if (!(span > 0) || !isfinite(span)) return 1;
    double p = pow(10, floor(log10(span))), m = span / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/* The covariate blocks of panels [0, np), after all the panels' own blocks:
 * panel p's k-th (x,value over its history then its forecast) is block
 * 2 np + p n_cov + k. A row without a value is one point at 0, so that
 * gnuplot has something to draw; its title says so. */
static int write_covariates(FILE *df, FILE *mf, const ts_plot_panel *panels, int np,
                            ts_error *err)
{
    int K = panels[0].n_cov;
    fprintf(mf, "ncov = %d\narray covname[%d]\narray covempty[%d]\narray covtic[%d]\n", K,
            K * np + 1, K * np + 1, K * np + 1);
    for (int p = 0; p < np; p++) {
        const ts_plot_panel *pn = &panels[p];
        TS_CHECK(pn->n_cov == K && (!K || (pn->cov && pn->cov_name)));
        for (int k = 0; k < K; k++) {
            int finite = 0, rc;
            double x, x0 = NAN, lo = INFINITY, hi = -INFINITY;
            fprintf(df, "# %d: covariate %d\n", p + 1, k + 1);
            for (int i = 0; i < pn->n_hist + pn->n_fc; i++) {
                int fc = i >= pn->n_hist, j = fc ? i - pn->n_hist : i;
                rc = fc ? point_x(pn, pn->fc_time, j, j + 1, &x, err)
                        : point_x(pn, pn->hist_time, j, j + 1 - pn->n_hist, &x, err);
                if (rc) return rc;
                if (i == 0) x0 = x;
                fprintf(df, "%.15g", x);
                put_value(df, pn->cov[k][i]);
                fputc('\n', df);
                if (isfinite(pn->cov[k][i])) {
                    finite++;
                    lo = fmin(lo, pn->cov[k][i]);
                    hi = fmax(hi, pn->cov[k][i]);
                }
            }
            if (!finite) fprintf(df, "%.15g,0\n", isfinite(x0) ? x0 : 0.0);
            fputs("\n\n", df);
            fprintf(mf, "covname[%d] = ", p * K + k + 1);
            put_string(mf, pn->cov_name[k] ? pn->cov_name[k] : "");
            fprintf(mf, "\ncovempty[%d] = %d\ncovtic[%d] = %.6g\n", p * K + k + 1, !finite,
                    p * K + k + 1, tic_step(lo, hi));
        }
    }
    return 0;
}

/* Replace the first "%s" of pattern by name, cut to [A-Za-z0-9._-] and to
 * NAME_IN_PATH_MAX bytes (a file name has at most 255). */
static char *series_path(const char *pattern, const char *name)
{
    const char *at = strstr(pattern, "%s");
    size_t n = strlen(name ? name : "");
    if (n > NAME_IN_PATH_MAX) n = NAME_IN_PATH_MAX;
    char *out = ts_xmalloc(strlen(pattern) + (n ? n : 6) + 16);
    size_t pre = (size_t)(at - pattern), o = pre;
    memcpy(out, pattern, pre);
    if (!n) {
        memcpy(out + o, "series", 6);
        o += 6;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        out[o++] = ok ? c : '_';
    }
    strcpy(out + o, at + 2);
    return out;
}

static int clashes(char *const *paths, int i)
{
    for (int j = 0; j < i; j++)
        if (!strcmp(paths[i], paths[j])) return 1;
    return 0;
}

/* Make each name unique by inserting "-2", "-3", ... before the extension
 * (there is one: image_type accepted the pattern's). */
static void unclash(char **paths, int n)
{
    for (int i = 1; i < n; i++) {
        char *orig = paths[i];
        const char *dot = strrchr(orig, '.');
        size_t size = strlen(orig) + 16;
        for (int k = 2; clashes(paths, i); k++) {
            char *renamed = ts_xmalloc(size);
            snprintf(renamed, size, "%.*s-%d%s", (int)(dot - orig), orig, k, dot);
            if (paths[i] != orig) free(paths[i]);
            paths[i] = renamed;
        }
        if (paths[i] != orig) free(orig);
    }
}

/* Draw panels [0, np) into nfiles files: file f holds count[f] panels from
 * first[f] on. One gnuplot run. */
static int draw_fans(const char *dir, const char *term, const ts_plot_panel *panels,
                     int np, char **paths, const int *first, const int *count, int nfiles,
                     const char *what, ts_error *err)
{
    int truth = 0, stacked = 0;
    for (int i = 0; i < np; i++) truth |= panels[i].truth != NULL;
    for (int f = 0; f < nfiles; f++) stacked = count[f] > stacked ? count[f] : stacked;
    plot_job job;
    int rc = job_open(&job, err);
    if (rc) return rc;
    FILE *mf = job.mf;
    int K = panels[0].n_cov;
    int height = K ? stacked * (FAN_PX + K * (COV_PX + ROW_GAP_PX) + ROW_GAP_PX + PANEL_GAP_PX) + 20
               : stacked > 1 ? STACKED_HEIGHT * stacked + 40 : PANEL_HEIGHT;
    fprintf(mf, "width = %d\nheight = %d\nnpanels = %d\n", PANEL_WIDTH, height, np);
    fprintf(mf, "fanpx = %d\ncovpx = %d\nrowgap = %d\npanelgap = %d\n", FAN_PX, COV_PX,
            ROW_GAP_PX, PANEL_GAP_PX);
    fprintf(mf, "array first[%d]\narray count[%d]\n", nfiles, nfiles);
    for (int f = 0; f < nfiles; f++)
        fprintf(mf, "first[%d] = %d\ncount[%d] = %d\n", f + 1, first[f] + 1, f + 1, count[f]);
    fprintf(mf, "array title[%d]\narray note[%d]\narray isdate[%d]\narray xfmt[%d]\n"
                "array fcstart[%d]\narray nonneg[%d]\narray hastruth[%d]\n"
                "array xlo[%d]\narray xhi[%d]\n",
            np, np, np, np, np, np, np, np, np);
    for (int i = 0; i < np && !rc; i++) rc = write_panel(job.df, mf, i + 1, &panels[i], err);
    if (!rc) rc = write_covariates(job.df, mf, panels, np, err);
    ts_atomic *outs = ts_xcalloc((size_t)nfiles, sizeof *outs);
    if (!rc) rc = open_outputs(outs, paths, nfiles, err);
    if (rc) {
        job_close(&job);
        free(outs);
        return rc;
    }
    rc = job_run(&job, dir, truth ? "backtest.gp" : "forecast.gp", term, outs, nfiles, what,
                 err);
    free(outs);
    return rc;
}

int ts_plot_fan(const char *out_path, const ts_plot_panel *panels, int n, ts_error *err)
{
    TS_CHECK(out_path != NULL && (panels != NULL || n <= 0));
    const char *term, *dir;
    int rc = image_type(out_path, &term, err);
    if (rc) return rc;
    if (n <= 0) return ts_fail(err, TS_EUSAGE, "%s: no series to plot", out_path);
    if (!(dir = ts_plot_dir()))
        return ts_fail(err, TS_EUNAVAIL, "gnuplot templates (forecast.gp) not found: set "
                       "TSDIFF_PLOTS_DIR to tsdiff's plots folder to draw %s", out_path);

    if (!strstr(out_path, "%s")) {
        int np = n;
        if (np > TS_PLOT_MAX_PANELS) {
            ts_warn("%s: drawing the first %d of %d series (put %%s in the file name for one "
                    "file per series)", out_path, TS_PLOT_MAX_PANELS, n);
            np = TS_PLOT_MAX_PANELS;
        }
        char *path = (char *)out_path;
        int first = 0;
        return draw_fans(dir, term, panels, np, &path, &first, &np, 1, out_path, err);
    }

    /* One file per series, FILES_PER_RUN files per gnuplot run. */
    char **paths = ts_xmalloc((size_t)n * sizeof *paths);
    for (int i = 0; i < n; i++) paths[i] = series_path(out_path, panels[i].name);
    unclash(paths, n);
    int first[FILES_PER_RUN], count[FILES_PER_RUN];
    for (int i = 0; i < FILES_PER_RUN; i++) count[i] = 1;
    for (int i0 = 0; i0 < n && !rc; i0 += FILES_PER_RUN) {
        int k = n - i0 < FILES_PER_RUN ? n - i0 : FILES_PER_RUN;
        for (int i = 0; i < k; i++) first[i] = i;
        rc = draw_fans(dir, term, panels + i0, k, paths + i0, first, count, k, out_path, err);
    }
    for (int i = 0; i < n; i++) free(paths[i]);
    free(paths);
    return rc;
}

/* ---- loss curves ---------------------------------------------------------- */

int ts_plot_loss(const char *out_path, int n, const long *step, const float *train,
                 const float *val, ts_error *err)
{
    TS_CHECK(out_path != NULL && (n <= 0 || (step && train)));
    const char *term, *dir;
    int rc = image_type(out_path, &term, err);
    if (rc) return rc;
    if (!(dir = ts_plot_dir()))
        return ts_fail(err, TS_EUNAVAIL, "gnuplot templates (loss.gp) not found: set "
                       "TSDIFF_PLOTS_DIR to tsdiff's plots folder to draw %s", out_path);
    plot_job job;
    if ((rc = job_open(&job, err))) return rc;

    /* Block 0: step, train, train smoothed (the mean log loss over a centred
     * window of about a fiftieth of the run: no lag); block 1: step, val. */
    double *sum = ts_xmalloc(((size_t)n + 1) * sizeof *sum);
    int *count = ts_xmalloc(((size_t)n + 1) * sizeof *count);
    sum[0] = 0;
    count[0] = 0;
    for (int i = 0; i < n; i++) {
        int ok = train[i] > 0 && isfinite(train[i]);
        sum[i + 1] = sum[i] + (ok ? log(train[i]) : 0);
        count[i + 1] = count[i] + ok;
    }
    int half = n / 100, good = count[n], nval = 0;
    for (int i = 0; i < n; i++) {
        int lo = i - half < 0 ? 0 : i - half, hi = i + half + 1 > n ? n : i + half + 1;
        int k = count[hi] - count[lo];
        fprintf(job.df, "%ld", step[i]);
        put_value(job.df, train[i] > 0 ? train[i] : NAN);
        put_value(job.df, k ? exp((sum[hi] - sum[lo]) / k) : NAN);
        fputc('\n', job.df);
    }
    free(sum);
    free(count);
    fputs(n ? "\n\n" : "NaN,NaN,NaN\n\n\n", job.df);
    for (int i = 0; val && i < n; i++) {
        if (!(val[i] > 0) || !isfinite(val[i])) continue;
        fprintf(job.df, "%ld", step[i]);
        put_value(job.df, val[i]);
        fputc('\n', job.df);
        nval++;
    }
    if (!nval) fputs("NaN,NaN\n", job.df);
    if (!good && !nval) {
        job_close(&job);
        return ts_fail(err, TS_EDATA, "%s: no positive loss values to plot", out_path);
    }
    fprintf(job.mf, "width = %d\nheight = %d\nhasval = %d\n", PANEL_WIDTH, PANEL_HEIGHT,
            nval > 0);

    ts_atomic out;
    char *path = (char *)out_path;
    if ((rc = open_outputs(&out, &path, 1, err))) {
        job_close(&job);
        return rc;
    }
    return job_run(&job, dir, "loss.gp", term, &out, 1, out_path, err);
}
