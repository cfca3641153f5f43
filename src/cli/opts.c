/* opts.c - table-driven option parsing and --help for the subcommands. */
#include "cli/opts.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/comm.h"

#define MAX_OPTS 64
#define HELP_ID 1000  /* getopt value of --help */

static int opt_count(const ts_cmd_spec *spec)
{
    int n = 0;
    while (spec->opts && spec->opts[n].name) n++;
    return n;
}

static int bounded(const ts_opt *o, double v)
{
    return (o->min == 0 && o->max == 0) || (v >= o->min && v <= o->max);
}

static int store(const ts_cmd_spec *spec, const ts_opt *o, const char *arg, ts_error *err)
{
    char *end;
    double d;
    long l;
    switch (o->kind) {
    case TS_OPT_FLAG:
        *(int *)o->dest = 1;
        return 0;
    case TS_OPT_STRING:
        *(const char **)o->dest = arg;
        return 0;
    case TS_OPT_LIST: {
        ts_strlist *sl = o->dest;
        if (sl->n == (int)(sizeof sl->item / sizeof sl->item[0]))
            return ts_fail(err, TS_EUSAGE, "%s: too many --%s options", spec->name, o->name);
        sl->item[sl->n++] = arg;
        return 0;
    }
    case TS_OPT_INT:
    case TS_OPT_LONG:
        errno = 0;
        l = strtol(arg, &end, 10);
        if (errno || end == arg || *end || !bounded(o, (double)l) ||
            (o->kind == TS_OPT_INT && (l < -2147483647L || l > 2147483647L)))
            break;
        if (o->kind == TS_OPT_INT) *(int *)o->dest = (int)l;
        else *(long *)o->dest = l;
        return 0;
    case TS_OPT_DOUBLE:
        errno = 0;
        d = strtod(arg, &end);
        if (errno || end == arg || *end || !isfinite(d) || !bounded(o, d)) break;
        *(double *)o->dest = d;
        return 0;
    }
    if (o->min != 0 || o->max != 0)
        return ts_fail(err, TS_EUSAGE, "%s: --%s expects a number from %g to %g, found \"%s\"",
                       spec->name, o->name, o->min, o->max, arg);
    return ts_fail(err, TS_EUSAGE, "%s: --%s expects a number, found \"%s\"",
                   spec->name, o->name, arg);
}

int ts_opts_parse(const ts_cmd_spec *spec, int argc, char **argv, int *first,
                  ts_error *err)
{
    struct option lo[MAX_OPTS + 2];
    char so[3 * MAX_OPTS + 4];
    int n = opt_count(spec), ns = 0;
    TS_CHECK(n <= MAX_OPTS);

    so[ns++] = ':';  /* report a missing argument as ':' */
    for (int i = 0; i < n; i++) {
        const ts_opt *o = &spec->opts[i];
        lo[i] = (struct option){o->name, o->kind == TS_OPT_FLAG ? no_argument : required_argument,
                                NULL, 2000 + i};
        if (o->short_name) {
            so[ns++] = (char)o->short_name;
            if (o->kind != TS_OPT_FLAG) so[ns++] = ':';
        }
    }
    lo[n] = (struct option){"help", no_argument, NULL, HELP_ID};
    lo[n + 1] = (struct option){0, 0, 0, 0};
    so[ns] = '\0';

    optind = 0;  /* full reset of getopt's state */
    opterr = 0;
    for (;;) {
        int idx = -1;
        int c = getopt_long(argc, argv, so, lo, &idx);
        if (c == -1) break;
        if (c == HELP_ID) {
            ts_opts_help(spec, stdout);
            return -1;
        }
        if (c == '?' || c == ':') {
            const char *bad = argv[optind - 1];
            if (optopt && optopt < 256 && (!bad || strncmp(bad, "--", 2) != 0))
                return ts_fail(err, TS_EUSAGE, "%s: %s -%c (try 'tsdiff %s --help')",
                               spec->name, c == ':' ? "missing argument to" : "unknown option",
                               optopt, spec->name);
            return ts_fail(err, TS_EUSAGE, "%s: %s %s (try 'tsdiff %s --help')", spec->name,
                           c == ':' ? "missing argument to" : "unknown option",
                           bad ? bad : "?", spec->name);
        }
        const ts_opt *o = NULL;
        if (c >= 2000 && c < 2000 + n) o = &spec->opts[c - 2000];
        for (int i = 0; !o && i < n; i++)
            if (spec->opts[i].short_name == c) o = &spec->opts[i];
        TS_CHECK(o != NULL);
        int rc = store(spec, o, optarg, err);
        if (rc) return rc;
    }
    *first = optind;
    return 0;
}

void ts_opts_help(const ts_cmd_spec *spec, FILE *out)
{
    fprintf(out, "Usage: tsdiff %s [OPTIONS]%s%s\n%s\n\nOptions:\n", spec->name,
            spec->operands[0] ? " " : "", spec->operands, spec->summary);
    for (int i = 0; spec->opts && spec->opts[i].name; i++) {
        const ts_opt *o = &spec->opts[i];
        char left[96];
        int k = snprintf(left, sizeof left, "  %c%c%s--%s%s%s", o->short_name ? '-' : ' ',
                         o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ",
                         o->name, o->kind == TS_OPT_FLAG ? "" : " ",
                         o->kind == TS_OPT_FLAG ? "" : o->arg);
        if (k < 29)   /* at least two spaces before the help */
            fprintf(out, "%-30s%s\n", left, o->help);
        else fprintf(out, "%s\n%30s%s\n", left, "", o->help);
    }
    fprintf(out, "%-30s%s\n", "      --help", "show this help and exit");
    if (spec->epilog) fprintf(out, "\n%s", spec->epilog);
}

int ts_cmd_exit(int rc, const ts_error *err)
{
    if (rc == -1) return 0;
    ts_error e = *err;
    rc = ts_comm_agree(rc, &e);   /* an MPI job ends with one status, one line */
    if (rc && ts_comm_root()) ts_error_print(&e);
    return rc;
}
