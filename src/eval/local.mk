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
