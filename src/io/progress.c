/* progress.c - the progress bar on stderr: shown on terminals only, redrawn
 * at most ten times a second, cut to the terminal's width. */
#define _POSIX_C_SOURCE 200809L
#include "io/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "io/error.h"

#define REDRAW_INTERVAL 0.1  /* seconds */

struct ts_progress {
    char *what;
    long total;
    int active;        /* stderr is a terminal and not quiet */
    int drawn;         /* a bar is on screen */
    double t0;         /* start, seconds on the monotonic clock */
    double last_draw;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    const char *cols = getenv("COLUMNS");
    int n = cols ? atoi(cols) : 0;
    return n > 0 ? n : 80;
}

ts_progress *ts_progress_start(const char *what, long total, int quiet)
{
    ts_progress *p = ts_xcalloc(1, sizeof *p);
    p->what = ts_xstrdup(what ? what : "");
    p->total = total;
    p->active = !quiet && isatty(STDERR_FILENO);
    p->t0 = now_seconds();
    p->last_draw = -1;
    return p;
}

/* "1:05" or "2:03:07" */
static void format_duration(char *buf, size_t size, double s)
{
    if (s < 0 || s > 359999) s = 359999;
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

char *ts_progress_line(char *buf, size_t size, const char *what, long done,
                       long total, double elapsed, const char *extra, int width)
{
    char head[96], tail[72], rate[32], eta[32];
    if (width < 20) width = 20;
    if (total > 0) snprintf(head, sizeof head, "%s %ld/%ld", what, done, total);
    else snprintf(head, sizeof head, "%s %ld", what, done);

    double per_s = elapsed > 0 ? done / elapsed : 0;
    if (done <= 0 || elapsed <= 0) snprintf(rate, sizeof rate, "-- it/s");
    else if (per_s >= 100) snprintf(rate, sizeof rate, "%.0f it/s", per_s);
    else if (per_s >= 1) snprintf(rate, sizeof rate, "%.1f it/s", per_s);
    else snprintf(rate, sizeof rate, "%.1f s/it", 1 / per_s);
    if (total <= 0) eta[0] = '\0';
    else if (done <= 0 || elapsed <= 0) snprintf(eta, sizeof eta, "  ETA --:--");
    else {
        char d[24];
        format_duration(d, sizeof d, (total - done) / per_s);
        snprintf(eta, sizeof eta, "  ETA %s", d);
    }
    snprintf(tail, sizeof tail, "  %s%s", rate, eta);
    if (!extra) extra = "";

    /* The bar takes what is left of the width, 10 to 30 columns, or none. */
    char bar[40] = "";
    if (total > 0) {
        /* head, " [", the bar, "] 100%", "  extra", tail; one column spare */
        size_t fixed = strlen(head) + 2 + 6 + strlen(tail) +
                       (extra[0] ? 2 + strlen(extra) : 0);
        int w = width - 1 - (int)fixed;
        if (w > 30) w = 30;
        if (w >= 10) {
            double frac = done >= total ? 1 : done > 0 ? (double)done / total : 0;
            int fill = (int)(frac * w);
            bar[0] = '[';
            for (int i = 0; i < w; i++) bar[1 + i] = i < fill ? '#' : '.';
            snprintf(bar + 1 + w, sizeof bar - 1 - w, "] %3d%%", (int)(frac * 100));
        } else {
            snprintf(bar, sizeof bar, "%3d%%",
                     (int)((done >= total ? 1 : done > 0 ? (double)done / total : 0) * 100));
        }
    }
    snprintf(buf, size, "%s%s%s%s%s%s", head, bar[0] ? " " : "", bar,
             extra[0] ? "  " : "", extra, tail);
    if (strlen(buf) > (size_t)width - 1) buf[width - 1] = '\0';
    return buf;
}

void ts_progress_update(ts_progress *p, long done, const char *fmt, ...)
{
    if (!p || !p->active) return;
    double t = now_seconds();
    int last = p->total > 0 && done >= p->total;
    if (p->last_draw >= 0 && t - p->last_draw < REDRAW_INTERVAL && !last) return;
    p->last_draw = t;

    char extra[256] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(extra, sizeof extra, fmt, ap);
        va_end(ap);
    }
    char line[512];
    ts_progress_line(line, sizeof line, p->what, done, p->total, t - p->t0, extra,
                     terminal_width());
    /* Return to the start of the line, draw, clear what is left of it. */
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->drawn = 1;
}

void ts_progress_finish(ts_progress *p, const char *fmt, ...)
{
    if (!p) return;
    if (p->active) {
        if (p->drawn) fputs("\r\033[K", stderr);
        if (fmt) {
            va_list ap;
            va_start(ap, fmt);
            fprintf(stderr, "%s: ", p->what);
            vfprintf(stderr, fmt, ap);
            fputc('\n', stderr);
            va_end(ap);
        }
        fflush(stderr);
    }
    free(p->what);
    free(p);
}
