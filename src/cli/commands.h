/* commands.h - the subcommands main.c dispatches to. Each takes the argv
 * that starts at the subcommand's name and returns the exit status. */
#ifndef TS_COMMANDS_H
#define TS_COMMANDS_H

int ts_cmd_info(int argc, char **argv);

#endif
