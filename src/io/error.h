/* error.h - the one error-handling pattern of tsdiff.
 *
 * User errors (bad option, bad row, corrupt model, unwritable output) are
 * returned up the stack: a function that can fail takes a `ts_error *` as its
 * last argument, fills it with ts_fail() and returns the status code, which is
 * a sysexits.h value (0 on success). Library code never exits; the CLI prints
 * the message as one line and exits with the code.
 *
 * Internal faults (out of memory, a broken invariant, a GPU error) are not
 * recoverable: the TS_CHECK macro and the ts_x* allocators print file:line and
 * end the process with EX_SOFTWARE (70) through the one fatal-error hook: the
 * program installs it (the CLI undoes its temporary files; a data-parallel
 * run would take its other processes down with it); without one, or when it
 * returns, the process exits 70.
 */
#ifndef TS_ERROR_H
#define TS_ERROR_H

#include <stddef.h>
#include <sysexits.h>

enum {
    TS_OK = 0,
    TS_EUSAGE = EX_USAGE,          /* 64: bad command line */
    TS_EDATA = EX_DATAERR,         /* 65: bad input data or model file */
    TS_ENOINPUT = EX_NOINPUT,      /* 66: input file missing or unreadable */
    TS_EUNAVAIL = EX_UNAVAILABLE,  /* 69: a needed service (gnuplot, GPU) absent */
    TS_EINTERNAL = EX_SOFTWARE,    /* 70: internal fault */
    TS_ECANTCREAT = EX_CANTCREAT,  /* 73: cannot create an output file */
    TS_EIO = EX_IOERR,             /* 74: read or write failed */
    TS_ETEMPFAIL = EX_TEMPFAIL,    /* 75: another run holds the lock; try again later */
};

typedef struct ts_error {
    int code;        /* 0 or a TS_E* code */
    char msg[1024];  /* one line, no trailing newline, no "tsdiff: " prefix */
} ts_error;

/* Fill *err (which may be NULL) and return code. printf-style message;
 * control characters in it (from text in a file) become '?'. */
int ts_fail(ts_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print "tsdiff: MSG" on stderr. */
void ts_error_print(const ts_error *err);

/* Warnings and information for the user, one line each on stderr (control
 * characters become '?', at most 1023 bytes). ts_info is silenced by
 * ts_set_quiet(1). */
void ts_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ts_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ts_set_quiet(int quiet);

/* Notes on what is normal but worth knowing (the CPU chosen because no GPU
 * is there): one line on stderr only with ts_set_verbose(1) (--verbose), or
 * when stderr is a terminal and not quiet; a cron job's mail stays empty. */
void ts_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ts_set_verbose(int verbose);

/* In a job of several processes (io/comm.h): this process's rank. Its
 * internal faults and warnings then say "rank K: ", and ranks other than 0
 * print no warnings, notes or information: rank 0 speaks for the job. */
void ts_set_rank(int rank);

/* The fatal-error hook: called with the exit status (70) after the message
 * is printed. It may end the process itself; when it returns, exit(code)
 * follows. NULL: none (the default). */
typedef void (*ts_fatal_hook)(int code);
void ts_set_fatal_hook(ts_fatal_hook hook);

/* Internal faults: print where, run the fatal-error hook, exit 70. */
_Noreturn void ts_die_internal(const char *file, int line, const char *what);
#define TS_CHECK(cond) \
    do { if (!(cond)) ts_die_internal(__FILE__, __LINE__, #cond); } while (0)

void *ts_xmalloc_at(size_t n, const char *file, int line);
void *ts_xcalloc_at(size_t n, size_t size, const char *file, int line);
void *ts_xrealloc_at(void *p, size_t n, const char *file, int line);
char *ts_xstrdup_at(const char *s, const char *file, int line);
#define ts_xmalloc(n) ts_xmalloc_at((n), __FILE__, __LINE__)
#define ts_xcalloc(n, s) ts_xcalloc_at((n), (s), __FILE__, __LINE__)
#define ts_xrealloc(p, n) ts_xrealloc_at((p), (n), __FILE__, __LINE__)
#define ts_xstrdup(s) ts_xstrdup_at((s), __FILE__, __LINE__)

#endif
