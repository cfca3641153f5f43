# src/nn
libtsdiff_a_SOURCES += src/nn/backend.h src/nn/ops.h src/nn/unet.h src/nn/params.h
libtsdiff_a_SOURCES += src/nn/backend.c src/nn/cpu_backend.c src/nn/cpu_backend.h \
	src/nn/cpu_gemm_conv.c src/nn/cpu_conv3.c src/nn/cpu_wino3.c src/nn/cpu_norm.c src/nn/cpu_elementwise.c \
	src/nn/cpu_optim.c src/nn/sigmoid.h src/nn/sigmoid_avx512.h
# Where `make install` puts the CUDA module that ts_backend_open() loads.
AM_CPPFLAGS += -DTSDIFF_PKGLIBDIR='"$(pkglibdir)"'

if HAVE_CHECK
check_PROGRAMS += tests/check_ops
TESTS += tests/check_ops
tests_check_ops_SOURCES = tests/check_ops.c tests/op_table.c tests/op_table.h
tests_check_ops_CFLAGS = $(TEST_CFLAGS)
tests_check_ops_LDADD = $(TEST_LIBS)
endif

# Speed of every op of the op table (tests/op_table.c): `make bench-ops`
# (never in make check; BENCH_THREADS=n for the thread count, BENCH_DEVICE=cuda
# for the GPU; it needs the Check library, as the tests do).
bench-ops: tests/check_ops
	d='$(BENCH_DEVICE)'; t='$(BENCH_THREADS)'; \
	./tests/check_ops --speed --device "$${d:-cpu}" $${t:+--threads "$$t"}
.PHONY: bench-ops

# The UNet (layers, assembly, parameter table) and the optimizer.
libtsdiff_a_SOURCES += src/nn/params.c src/nn/unet.c src/nn/unet_widen.c src/nn/unet_blocks.c \
	src/nn/unet_blocks.h src/nn/optim.c src/nn/optim.h \
	src/nn/threads_gov.c src/nn/threads_gov.h

if HAVE_CHECK
check_PROGRAMS += tests/check_unet tests/check_optim
TESTS += tests/check_unet tests/check_optim
tests_check_unet_CFLAGS = $(TEST_CFLAGS)
tests_check_unet_LDADD = $(TEST_LIBS)
tests_check_optim_CFLAGS = $(TEST_CFLAGS)
tests_check_optim_LDADD = $(TEST_LIBS)
endif

# Size and speed of the UNet: `make bench-unet` (never in make check).
EXTRA_DIST += bench/unet_speed.c
CLEANFILES += bench/unet_speed
bench-unet: libtsdiff.a $(srcdir)/bench/unet_speed.c
	@$(MKDIR_P) bench
	$(CC) $(DEFS) $(AM_CPPFLAGS) $(CPPFLAGS) $(AM_CFLAGS) $(CFLAGS) -O2 \
		-o bench/unet_speed $(srcdir)/bench/unet_speed.c $(LDADD) $(LIBS)
	./bench/unet_speed $(BENCH_THREADS)
.PHONY: bench-unet
