/* main.c - tsdiff's entry point: dispatch to a subcommand, nothing else. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/omp_wait.h"
#include "io/comm.h"
#include "io/error.h"
#include "io/signals.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    int parallel;   /* shares its work among MPI ranks; else rank 0 alone runs it */
} subcommand;

static const subcommand commands[] = {
    {"fit", ts_cmd_fit, "train a diffusion model of the series in a CSV file", 1},
    {"forecast", ts_cmd_forecast, "draw sample futures and their quantiles from a model", 1},
    {"backtest", ts_cmd_backtest, "score tsdiff against baselines on held-out windows", 1},
    {"info", ts_cmd_info, "describe a CSV file's series or a model file", 0},
    {"pretrain", ts_cmd_pretrain, "train a network for any series on a generated or given corpus", 0},
    {"synth", ts_cmd_synth, "write synthetic series to train on or to try tsdiff with", 0},
};
#define NCOMMANDS (int)(sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: tsdiff SUBCOMMAND [OPTIONS] [ARGS]\n"
            "Probabilistic time-series forecasting with conditional diffusion.\n\n"
            "Subcommands:\n");
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "  %-10s %s\n\n"
            "Run 'tsdiff SUBCOMMAND --help' or 'man tsdiff' for details.\n"
            "  -h, --help     show this help and exit\n"
            "  -V, --version  show the version and exit\n",
            "help", "show the help of a subcommand");
}

static const subcommand *find(const char *name)
{
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

/* The one check of the standard streams, for every command: output that
 * could not be written (a full disk, a closed descriptor) is exit 74. */
static int finish(int rc)
{
    errno = 0;
    int bad_out = fflush(stdout) != 0 || ferror(stdout);
    if (bad_out && !rc) {
        ts_error err;
        ts_fail(&err, TS_EIO, "standard output: write error (%s)", strerror(errno ? errno : EIO));
        ts_error_print(&err);
    }
    int bad_err = fflush(stderr) != 0 || ferror(stderr);
    return rc ? rc : bad_out || bad_err ? TS_EIO : 0;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "tsdiff: missing subcommand (try 'tsdiff --help')\n");
        return TS_EUSAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("tsdiff %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help")) {
        if (argc < 3) {
            usage(stdout);
            return 0;
        }
        const subcommand *sc = find(argv[2]);
        if (!sc) {
            fprintf(stderr, "tsdiff: help: unknown subcommand '%s' (try 'tsdiff --help')\n", argv[2]);
            return TS_EUSAGE;
        }
        char *hargv[] = {argv[2], "--help", NULL};
        return sc->run(2, hargv);
    }
    const subcommand *sc = find(cmd);
    if (!sc) {
        fprintf(stderr, "tsdiff: unknown %s '%s' (try 'tsdiff --help')\n",
                cmd[0] == '-' ? "option" : "subcommand", cmd);
        return TS_EUSAGE;
    }
    if (!sc->parallel) {   /* an MPI job's rank 0 runs it alone */
        int root = ts_comm_root();
        ts_comm_alone();
        if (!root) return 0;
    }
    return sc->run(argc - 1, argv + 1);
}

/* An internal fault leaves no temporary output and no child behind, and
 * in an MPI job takes the other ranks down with it. */
static void on_fatal(int code)
{
    ts_signals_undo();
    ts_comm_abort(code);
}

int main(int argc, char **argv)
{
    ts_omp_wait_init(argv);
    ts_comm_init(&argc, &argv);
    ts_set_fatal_hook(on_fatal);
    int rc = finish(dispatch(argc, argv));
    ts_comm_finalize();
    return rc;
}
