# src/cli: the command line. main.c dispatches; one file per subcommand.
src_tsdiff_SOURCES += src/cli/main.c src/cli/opts.c src/cli/opts.h \
	src/cli/commands.h src/cli/cmd_info.c
