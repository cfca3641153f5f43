# src/model: what a model is (the network and its optional fit record), its
# file records and its description; above data/, nn/ and diffusion/.
libtsdiff_a_SOURCES += src/model/model.c src/model/model.h src/model/model_file.c \
	src/model/model_describe.c src/model/model_find.c
if HAVE_CHECK
check_PROGRAMS += tests/check_model
TESTS += tests/check_model
tests_check_model_CFLAGS = $(TEST_CFLAGS)
tests_check_model_LDADD = $(TEST_LIBS)
endif
