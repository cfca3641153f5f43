# tests: shell tests of the command as a whole; Check suites register in the
# local.mk of the module they test.
EXTRA_DIST += tests/lib.sh tests/cli_basic.sh
TESTS += tests/cli_basic.sh
EXTRA_DIST += tests/cli_fit_forecast.sh tests/data/model/freq_mult_zero.model \
	tests/data/model/schedule_newline.model \
	tests/data/model/last_time_min.model
TESTS += tests/cli_fit_forecast.sh
EXTRA_DIST += tests/cli_backtest.sh
TESTS += tests/cli_backtest.sh
EXTRA_DIST += tests/cli_safety.sh tests/cli_signals.sh
TESTS += tests/cli_safety.sh tests/cli_signals.sh
EXTRA_DIST += tests/cli_compat.sh tests/data/model/v1-daily.model tests/data/model/v1-daily-forecast.csv
TESTS += tests/cli_compat.sh
EXTRA_DIST += tests/cli_net_only.sh tests/data/model/net-only.model
TESTS += tests/cli_net_only.sh
# pretrain, the universal network, the default model, fit --init
EXTRA_DIST += tests/cli_pretrain.sh
TESTS += tests/cli_pretrain.sh
EXTRA_DIST += tests/cli_calendar.sh tests/data/model/freq_unit_unknown.model
TESTS += tests/cli_calendar.sh
EXTRA_DIST += tests/cli_long_horizon.sh
TESTS += tests/cli_long_horizon.sh
EXTRA_DIST += tests/man_page.sh
TESTS += tests/man_page.sh
EXTRA_DIST += tests/cli_synth.sh
TESTS += tests/cli_synth.sh
EXTRA_DIST += tests/cli_covariates.sh
TESTS += tests/cli_covariates.sh
EXTRA_DIST += tests/testutil.h
# libFuzzer targets for the CSV and model-file readers, and their driver
# (tests/fuzz/run.sh; not in make check).
EXTRA_DIST += tests/fuzz/fuzz_csv.c tests/fuzz/fuzz_model.c tests/fuzz/shrink_model.c \
	tests/fuzz/run.sh
# MPI: 2- and 3-rank runs against one process (skipped without mpirun);
# --shard parts. model_diff measures how far two models' weights are apart.
EXTRA_DIST += tests/cli_mpi.sh tests/cli_shard.sh
TESTS += tests/cli_mpi.sh tests/cli_shard.sh
check_PROGRAMS += tests/model_diff
