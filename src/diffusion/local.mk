# src/diffusion
libtsdiff_a_SOURCES += src/diffusion/schedule.h src/diffusion/sampler.h
libtsdiff_a_SOURCES += src/diffusion/schedule.c src/diffusion/sampler.c \
	src/diffusion/objective.c src/diffusion/objective.h \
	src/diffusion/sample_stats.c src/diffusion/sample_stats.h

if HAVE_CHECK
check_PROGRAMS += tests/check_schedule tests/check_sampler
TESTS += tests/check_schedule tests/check_sampler
tests_check_schedule_CFLAGS = $(TEST_CFLAGS)
tests_check_schedule_LDADD = $(TEST_LIBS)
tests_check_sampler_CFLAGS = $(TEST_CFLAGS)
tests_check_sampler_LDADD = $(TEST_LIBS)
endif
libtsdiff_a_SOURCES += src/diffusion/net.c src/diffusion/net.h \
	src/diffusion/train.c src/diffusion/train.h \
	src/diffusion/forecast.c src/diffusion/forecast.h \
	src/diffusion/denoiser.c src/diffusion/denoiser.h
# the training loop's seams: per-worker streams, skipped steps
if HAVE_CHECK
check_PROGRAMS += tests/check_train
TESTS += tests/check_train
tests_check_train_CFLAGS = $(TEST_CFLAGS)
tests_check_train_LDADD = $(TEST_LIBS)
endif
