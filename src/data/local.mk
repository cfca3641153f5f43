# src/data
libtsdiff_a_SOURCES += src/data/series.h src/data/covariates.c src/data/covariates.h
# windows, scaling and input channels (window.h)
libtsdiff_a_SOURCES += src/data/window.c src/data/window.h src/data/window_features.c \
	src/data/window_features.h src/data/window_index.c
# CSV ingestion (csv.h), the series set, timestamps and frequencies
libtsdiff_a_SOURCES += src/data/csv.c src/data/csv.h src/data/csv_internal.h \
	src/data/csv_rows.c src/data/csv_grid.c src/data/csv_map.c src/data/csv_cov.c \
	src/data/series.c src/data/timefmt.c src/data/timefmt.h src/data/freq.c
# Check suite of the covariates (CSV columns, inputs, channels, model file)
if HAVE_CHECK
check_PROGRAMS += tests/check_covariates
TESTS += tests/check_covariates
tests_check_covariates_CFLAGS = $(TEST_CFLAGS)
tests_check_covariates_LDADD = $(TEST_LIBS)
endif
# Check suite of the windows
if HAVE_CHECK
check_PROGRAMS += tests/check_window
TESTS += tests/check_window
tests_check_window_CFLAGS = $(TEST_CFLAGS)
tests_check_window_LDADD = $(TEST_LIBS)
endif
if HAVE_CHECK
check_PROGRAMS += tests/check_csv tests/check_time
TESTS += tests/check_csv tests/check_time
tests_check_csv_CFLAGS = $(TEST_CFLAGS)
tests_check_csv_LDADD = $(TEST_LIBS)
tests_check_time_CFLAGS = $(TEST_CFLAGS)
tests_check_time_LDADD = $(TEST_LIBS)
endif
# CSV reader: shell test, fixtures (tests/data/csv), ingestion benchmark
TESTS += tests/cli_info.sh
EXTRA_DIST += tests/cli_info.sh bench/ingest.sh \
	tests/data/csv/bom_crlf.csv \
	tests/data/csv/bom_notime.csv \
	tests/data/csv/crlf_err.csv \
	tests/data/csv/delims_only_rows.csv \
	tests/data/csv/dup_long.csv \
	tests/data/csv/dup_wide.csv \
	tests/data/csv/err_bad_first_time.csv \
	tests/data/csv/err_bad_time.csv \
	tests/data/csv/err_bad_utf8.csv \
	tests/data/csv/err_blank_only.csv \
	tests/data/csv/err_decimal_comma.csv \
	tests/data/csv/err_delims_row_middle.csv \
	tests/data/csv/err_dup_header.csv \
	tests/data/csv/err_empty.csv \
	tests/data/csv/err_empty_id.csv \
	tests/data/csv/err_field_count.csv \
	tests/data/csv/err_field_count_more.csv \
	tests/data/csv/err_gap.csv \
	tests/data/csv/err_header_only.csv \
	tests/data/csv/err_no_names.csv \
	tests/data/csv/err_no_numeric.csv \
	tests/data/csv/err_nul.csv \
	tests/data/csv/err_off_grid.csv \
	tests/data/csv/err_quote.csv \
	tests/data/csv/err_range.csv \
	tests/data/csv/err_single_time.csv \
	tests/data/csv/err_text_in_numbers.csv \
	tests/data/csv/err_tiny.csv \
	tests/data/csv/err_tiny_long.csv \
	tests/data/csv/err_unclosed_quote.csv \
	tests/data/csv/freq_15min.csv \
	tests/data/csv/freq_2h.csv \
	tests/data/csv/freq_month_end.csv \
	tests/data/csv/freq_monthly.csv \
	tests/data/csv/freq_quarterly.csv \
	tests/data/csv/freq_seconds.csv \
	tests/data/csv/freq_weekly.csv \
	tests/data/csv/freq_yearly.csv \
	tests/data/csv/long1.csv \
	tests/data/csv/long2.csv \
	tests/data/csv/long_notime.csv \
	tests/data/csv/missing_tokens.csv \
	tests/data/csv/no_header.csv \
	tests/data/csv/no_header_notime.txt \
	tests/data/csv/no_newline_at_end.csv \
	tests/data/csv/no_time.csv \
	tests/data/csv/pipe.csv \
	tests/data/csv/quotes.csv \
	tests/data/csv/quotes_err_after.csv \
	tests/data/csv/semicolon.csv \
	tests/data/csv/tab.tsv \
	tests/data/csv/text_col.csv \
	tests/data/csv/tiny_ok.csv \
	tests/data/csv/trailing_blank.csv \
	tests/data/csv/trailing_empty_col.csv \
	tests/data/csv/ts_datetime_space.csv \
	tests/data/csv/ts_datetime_t_nosec.csv \
	tests/data/csv/ts_epoch.csv \
	tests/data/csv/ts_epoch_named.csv \
	tests/data/csv/ts_fraction.csv \
	tests/data/csv/ts_offset.csv \
	tests/data/csv/ts_slash.csv \
	tests/data/csv/ts_year.csv \
	tests/data/csv/ts_yyyymm.csv \
	tests/data/csv/ts_yyyymmdd.csv \
	tests/data/csv/ts_zulu.csv \
	tests/data/csv/unsorted.csv \
	tests/data/csv/value_col.csv \
	tests/data/csv/value_col_empty.csv \
	tests/data/csv/wide.csv \
	tests/data/csv/wide_trim.csv
# pretraining corpora of several frequencies (corpus.h)
libtsdiff_a_SOURCES += src/data/corpus.c src/data/corpus.h
# the synthetic corpus (synth.h): families, components, a reproducible stream
libtsdiff_a_SOURCES += src/data/synth.c src/data/synth.h src/data/synth_parts.h \
	src/data/synth_family.c src/data/synth_rng.c src/data/synth_trend.c \
	src/data/synth_season.c src/data/synth_noise.c src/data/synth_demand.c \
	src/data/synth_gp.c src/data/detmath.c src/data/detmath.h
if HAVE_CHECK
check_PROGRAMS += tests/check_synth
TESTS += tests/check_synth
tests_check_synth_CFLAGS = $(TEST_CFLAGS)
tests_check_synth_LDADD = $(TEST_LIBS)
endif
