# src/nn
libtsdiff_a_SOURCES += src/nn/backend.h src/nn/unet.h src/nn/params.h
libtsdiff_a_SOURCES += src/nn/backend.c src/nn/cpu_backend.c src/nn/cpu_backend.h \
	src/nn/cpu_gemm_conv.c src/nn/cpu_norm.c src/nn/cpu_elementwise.c \
	src/nn/cpu_optim.c src/nn/philox.c src/nn/philox.h
# Where `make install` puts the CUDA module that ts_backend_open() loads.
AM_CPPFLAGS += -DTSDIFF_PKGLIBDIR='"$(pkglibdir)"'

if HAVE_CHECK
check_PROGRAMS += tests/check_ops
TESTS += tests/check_ops
tests_check_ops_CFLAGS = $(TEST_CFLAGS)
tests_check_ops_LDADD = $(TEST_LIBS)
endif
