/* commands.h - the subcommands main.c dispatches to. Each takes the argv
 * that starts at the subcommand's name and returns the exit status. */
#ifndef TS_COMMANDS_H
#define TS_COMMANDS_H

#include <stdio.h>

#include "io/error.h"

int ts_cmd_info(int argc, char **argv);
int ts_cmd_fit(int argc, char **argv);
int ts_cmd_forecast(int argc, char **argv);
int ts_cmd_backtest(int argc, char **argv);
int ts_cmd_synth(int argc, char **argv);
int ts_cmd_pretrain(int argc, char **argv);

/* "MIN[:MAX]" series lengths (synth and pretrain --length): whole numbers,
 * 2 <= MIN <= MAX <= 10^7. TS_EUSAGE naming cmd otherwise. */
int ts_cli_length_range(const char *cmd, const char *s, size_t *lo, size_t *hi, ts_error *err);

/* `tsdiff info MODEL`: the model's settings and series (info_model.c),
 * read from the open stream in, named path. */
int ts_info_model(FILE *in, const char *path, int raw, ts_error *err);

#endif
