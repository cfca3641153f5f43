# src/cli: the command line. main.c dispatches; one file per subcommand.
src_tsdiff_SOURCES += src/cli/main.c src/cli/opts.c src/cli/opts.h \
	src/cli/commands.h src/cli/cmd_info.c src/cli/cmd_fit.c src/cli/cmd_forecast.c \
	src/cli/cmd_backtest.c src/cli/info_model.c src/cli/fit_opts.c src/cli/fit_opts.h src/cli/csv_opts.h \
	src/cli/outputs.c src/cli/outputs.h src/cli/cmd_synth.c src/cli/omp_wait.c \
	src/cli/omp_wait.h src/cli/cmd_pretrain.c
# commit.h: the commit a build is made from (git describe, "-dirty" with
# local changes), recorded in pretrained models; rewritten at every make
# when it changes, so a rebuild after a commit records the new one (the
# commit configure saw went stale). "unknown" outside a git checkout.
nodist_src_tsdiff_SOURCES = commit.h
BUILT_SOURCES = commit.h
CLEANFILES += commit.h
commit.h: FORCE
	@c=`cd $(top_srcdir) && test -e .git && git describe --always --dirty 2>/dev/null` || \
	c=unknown; l="#define TSDIFF_COMMIT \"$$c\""; \
	if test ! -f $@ || test "`cat $@`" != "$$l"; then echo "$$l" >$@; fi
FORCE:
.PHONY: FORCE
# --shard K/N: which series a part of a job array forecasts
src_tsdiff_SOURCES += src/cli/shard.c src/cli/shard.h
