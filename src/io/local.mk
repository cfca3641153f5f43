# src/io: the ground floor: errors and logging, the model-file container,
# atomic files, locks, signals, the gnuplot driver, progress, and the
# random numbers every layer draws (Philox).
libtsdiff_a_SOURCES += src/io/error.c src/io/error.h src/io/selfdir.c src/io/selfdir.h
# the ranks of an MPI job, or one process (MPI only with HAVE_MPI)
libtsdiff_a_SOURCES += src/io/comm.c src/io/comm.h
# signals and what they undo, output locks, the fault-injection test hook
libtsdiff_a_SOURCES += src/io/signals.c src/io/signals.h src/io/lock.c src/io/lock.h \
	src/io/fault.c src/io/fault.h
# atomic output files, CRC-32, the Philox counter-based generator, the model
# file container
libtsdiff_a_SOURCES += src/io/philox.c src/io/philox.h
libtsdiff_a_SOURCES += src/io/atomic.c src/io/atomic.h src/io/crc32.c src/io/crc32.h \
	src/io/modelfile.c src/io/modelfile_io.c src/io/modelfile.h src/io/modelfile_impl.h
if HAVE_CHECK
check_PROGRAMS += tests/check_modelfile
TESTS += tests/check_modelfile
tests_check_modelfile_CFLAGS = $(TEST_CFLAGS)
tests_check_modelfile_LDADD = $(TEST_LIBS)
endif
# progress bar, gnuplot driver
libtsdiff_a_SOURCES += src/io/progress.c src/io/progress.h src/io/plot.c src/io/plot.h
if HAVE_CHECK
check_PROGRAMS += tests/check_progress tests/check_plot
TESTS += tests/check_progress tests/check_plot
tests_check_progress_CFLAGS = $(TEST_CFLAGS)
tests_check_progress_LDADD = $(TEST_LIBS)
tests_check_plot_CFLAGS = $(TEST_CFLAGS)
tests_check_plot_LDADD = $(TEST_LIBS)
endif
