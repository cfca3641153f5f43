# src/eval
# metrics: CRPS, quantiles, wQL, ND, MASE, sMAPE, MSIS, coverage
libtsdiff_a_SOURCES += src/eval/metrics.c src/eval/metrics.h
if HAVE_CHECK
check_PROGRAMS += tests/check_metrics
TESTS += tests/check_metrics
tests_check_metrics_CFLAGS = $(TEST_CFLAGS)
tests_check_metrics_LDADD = $(TEST_LIBS)
endif
libtsdiff_a_SOURCES += src/eval/baseline.c src/eval/baseline.h \
	src/eval/backtest.c src/eval/backtest.h
# the forecast's files (writers refuse values that are not finite)
libtsdiff_a_SOURCES += src/eval/forecast_out.c src/eval/forecast_out.h
if HAVE_CHECK
check_PROGRAMS += tests/check_forecast_out
TESTS += tests/check_forecast_out
tests_check_forecast_out_CFLAGS = $(TEST_CFLAGS)
tests_check_forecast_out_LDADD = $(TEST_LIBS)
endif
