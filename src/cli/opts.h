/* opts.h - one option table per subcommand drives parsing and --help.
 *
 * A subcommand declares a ts_cmd_spec whose options point at its own
 * variables; ts_opts_parse fills them (getopt_long underneath) and leaves the
 * operands in argv[*first .. argc). The same table prints --help, so the help
 * text can never drift from what is parsed.
 */
#ifndef TS_OPTS_H
#define TS_OPTS_H

#include <stdio.h>

#include "io/error.h"

typedef enum {
    TS_OPT_FLAG,    /* int *, set to 1 */
    TS_OPT_STRING,  /* const char **, last one wins */
    TS_OPT_INT,     /* int *, whole number in [min, max] */
    TS_OPT_LONG,    /* long *, whole number in [min, max] */
    TS_OPT_DOUBLE,  /* double *, finite number in [min, max] */
    TS_OPT_LIST,    /* ts_strlist *, repeatable */
} ts_opt_kind;

typedef struct ts_strlist {
    const char *item[32];
    int n;
} ts_strlist;

typedef struct ts_opt {
    const char *name;   /* long name without "--" */
    int short_name;     /* 0 if none */
    ts_opt_kind kind;
    void *dest;
    const char *arg;    /* argument name in --help, e.g. "N" */
    const char *help;   /* one line; the default goes in it */
    double min, max;    /* for numbers; both 0 means unbounded */
} ts_opt;

typedef struct ts_cmd_spec {
    const char *name;      /* "fit" */
    const char *operands;  /* "DATA.csv" or "" */
    const char *summary;   /* one line */
    const ts_opt *opts;    /* terminated by an entry with name == NULL */
    const char *epilog;    /* extra help text, may be NULL */
} ts_cmd_spec;

/* Parse argv (argv[0] is the subcommand name). Returns 0 and sets *first to
 * the index of the first operand; TS_EUSAGE with a message on a bad option;
 * -1 if --help was given (help already printed on stdout). */
int ts_opts_parse(const ts_cmd_spec *spec, int argc, char **argv, int *first,
                  ts_error *err);

void ts_opts_help(const ts_cmd_spec *spec, FILE *out);

/* Finish a subcommand: print err if rc is an error, return the exit status
 * (-1 from ts_opts_parse, meaning help was shown, becomes 0). In an MPI job
 * the ranks agree first (io/comm.h): every rank returns the first failing
 * rank's status and rank 0 alone prints its one line. */
int ts_cmd_exit(int rc, const ts_error *err);

#endif
