/* error.c - user-error records, warnings, and the internal-fault exits. */
#include "io/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Process-wide: how talkative the run is (set once by the command), and what
 * an internal fault runs before the process ends. */
static int quiet_mode, verbose_mode;
static int rank_ = -1;       /* -1: not one of several ranks */
static char origin[32];      /* "rank K: " in a job of several */
static ts_fatal_hook fatal_hook;

/* Messages are one line: text from a file (a name, a value) may hold line
 * breaks or terminal escapes, so every control character becomes '?'. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

int ts_fail(ts_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        one_line(err->msg);
        err->code = code;
    }
    return code;
}

void ts_error_print(const ts_error *err)
{
    fprintf(stderr, "tsdiff: %s\n", err->msg[0] ? err->msg : "unknown error");
}

void ts_set_quiet(int quiet) { quiet_mode = quiet; }

void ts_set_rank(int rank)
{
    rank_ = rank;
    snprintf(origin, sizeof origin, "rank %d: ", rank);
}

void ts_set_verbose(int verbose) { verbose_mode = verbose; }

/* "tsdiff: PREFIX" and the message on one line of stderr. */
static void say(const char *prefix, const char *fmt, va_list ap)
{
    char line[sizeof ((ts_error *)0)->msg];
    vsnprintf(line, sizeof line, fmt, ap);
    one_line(line);
    fprintf(stderr, "tsdiff: %s%s\n", prefix, line);
}

void ts_warn(const char *fmt, ...)
{
    if (rank_ > 0) return;
    va_list ap;
    va_start(ap, fmt);
    say("warning: ", fmt, ap);
    va_end(ap);
}

void ts_info(const char *fmt, ...)
{
    if (quiet_mode || rank_ > 0) return;
    va_list ap;
    va_start(ap, fmt);
    say("", fmt, ap);
    va_end(ap);
}

void ts_set_fatal_hook(ts_fatal_hook hook) { fatal_hook = hook; }

void ts_die_internal(const char *file, int line, const char *what)
{
    fprintf(stderr, "tsdiff: %sinternal error at %s:%d: %s\n", origin, file, line, what);
    ts_fatal_hook hook = fatal_hook;
    fatal_hook = NULL;  /* a fault inside the hook ends the process at once */
    if (hook) hook(TS_EINTERNAL);
    exit(TS_EINTERNAL);
}

void *ts_xmalloc_at(size_t n, const char *file, int line)
{
    void *p = malloc(n ? n : 1);
    if (!p) ts_die_internal(file, line, "out of memory");
    return p;
}

void *ts_xcalloc_at(size_t n, size_t size, const char *file, int line)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) ts_die_internal(file, line, "out of memory");
    return p;
}

void *ts_xrealloc_at(void *p, size_t n, const char *file, int line)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) ts_die_internal(file, line, "out of memory");
    return q;
}

char *ts_xstrdup_at(const char *s, const char *file, int line)
{
    size_t n = strlen(s) + 1;
    char *p = ts_xmalloc_at(n, file, line);
    memcpy(p, s, n);
    return p;
}

void ts_note(const char *fmt, ...)
{
    if (rank_ > 0 || (!verbose_mode && (quiet_mode || !isatty(STDERR_FILENO)))) return;
    va_list ap;
    va_start(ap, fmt);
    say("", fmt, ap);
    va_end(ap);
}
