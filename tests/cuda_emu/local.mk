# tests/cuda_emu: the CUDA module's own code (cuda/*.cu) built against a host
# emulation of the CUDA runtime and cuBLAS, and tests/check_cuda run on it,
# so that every build, GPU or not, checks the module's kernels, transfers,
# scratch buffers and graph recording against the CPU backend.
#
# The .cu files are compiled as C++ after one rewrite: each kernel launch
# "k<<<grid, block, shmem, stream>>>(" becomes
# "ts_emu_launch(k, "k", grid, block, shmem, stream, " (cuda_runtime.h here).
EMU_HDRS = tests/cuda_emu/cuda_runtime.h tests/cuda_emu/cublas_v2.h \
	tests/cuda_emu/emu_internal.h
EMU_SRCS = tests/cuda_emu/emu_runtime.cc tests/cuda_emu/emu_exec.cc \
	tests/cuda_emu/emu_cublas.cc tests/cuda_emu/emu_cudnn.cc
EXTRA_DIST += $(EMU_HDRS) $(EMU_SRCS) tests/check_cuda_emu.sh tests/cli_cuda_emu.sh
TESTS += tests/check_cuda_emu.sh tests/cli_cuda_emu.sh

if HAVE_CUDA_EMU
EMU_MODULE = tests/cuda_emu/tsdiff-cuda-emu.so
EMU_CXXFLAGS = -std=c++17 -fPIC -fvisibility=hidden $(WARN_CFLAGS) \
	-I$(top_srcdir)/tests/cuda_emu -I$(top_srcdir) -I$(top_srcdir)/src
EMU_GEN = tests/cuda_emu/gen_cuda_backend.cc tests/cuda_emu/gen_cuda_gemm_conv.cc \
	tests/cuda_emu/gen_cuda_kernels.cc
EMU_OBJS = tests/cuda_emu/gen_cuda_backend.o tests/cuda_emu/gen_cuda_gemm_conv.o \
	tests/cuda_emu/gen_cuda_kernels.o tests/cuda_emu/emu_runtime.o \
	tests/cuda_emu/emu_exec.o tests/cuda_emu/emu_cublas.o tests/cuda_emu/emu_cudnn.o
EMU_DEPS = $(EMU_HDRS) cuda/cuda_internal.h src/nn/backend.h src/nn/ops.h src/nn/sigmoid.h \
	src/io/error.h
EMU_LAUNCH = 's/\([A-Za-z_][A-Za-z_0-9]*\)<<<\(.*\)>>>(/ts_emu_launch(\1, "\1", \2, /'

EMU_V = $(EMU_V_@AM_V@)
EMU_V_ = $(EMU_V_@AM_DEFAULT_V@)
EMU_V_0 = @echo "  EMU     " $@;
EMU_V_1 =

tests/cuda_emu/gen_cuda_backend.cc: cuda/cuda_backend.cu
	@$(MKDIR_P) tests/cuda_emu
	$(EMU_V)$(SED) $(EMU_LAUNCH) $(srcdir)/cuda/cuda_backend.cu >$@
tests/cuda_emu/gen_cuda_gemm_conv.cc: cuda/cuda_gemm_conv.cu
	@$(MKDIR_P) tests/cuda_emu
	$(EMU_V)$(SED) $(EMU_LAUNCH) $(srcdir)/cuda/cuda_gemm_conv.cu >$@
tests/cuda_emu/gen_cuda_kernels.cc: cuda/cuda_kernels.cu
	@$(MKDIR_P) tests/cuda_emu
	$(EMU_V)$(SED) $(EMU_LAUNCH) $(srcdir)/cuda/cuda_kernels.cu >$@

tests/cuda_emu/gen_cuda_backend.o: tests/cuda_emu/gen_cuda_backend.cc $(EMU_DEPS)
	$(EMU_V)$(CXX) $(EMU_CXXFLAGS) $(CXXFLAGS) -c -o $@ tests/cuda_emu/gen_cuda_backend.cc
tests/cuda_emu/gen_cuda_gemm_conv.o: tests/cuda_emu/gen_cuda_gemm_conv.cc $(EMU_DEPS)
	$(EMU_V)$(CXX) $(EMU_CXXFLAGS) $(CXXFLAGS) -c -o $@ tests/cuda_emu/gen_cuda_gemm_conv.cc
tests/cuda_emu/gen_cuda_kernels.o: tests/cuda_emu/gen_cuda_kernels.cc $(EMU_DEPS)
	$(EMU_V)$(CXX) $(EMU_CXXFLAGS) $(CXXFLAGS) -c -o $@ tests/cuda_emu/gen_cuda_kernels.cc
tests/cuda_emu/emu_runtime.o: tests/cuda_emu/emu_runtime.cc $(EMU_DEPS)
	@$(MKDIR_P) tests/cuda_emu
	$(EMU_V)$(CXX) $(EMU_CXXFLAGS) $(CXXFLAGS) -c -o $@ $(srcdir)/tests/cuda_emu/emu_runtime.cc
tests/cuda_emu/emu_exec.o: tests/cuda_emu/emu_exec.cc $(EMU_DEPS)
	@$(MKDIR_P) tests/cuda_emu
	$(EMU_V)$(CXX) $(EMU_CXXFLAGS) $(CXXFLAGS) -c -o $@ $(srcdir)/tests/cuda_emu/emu_exec.cc
tests/cuda_emu/emu_cublas.o: tests/cuda_emu/emu_cublas.cc $(EMU_DEPS)
	@$(MKDIR_P) tests/cuda_emu
	$(EMU_V)$(CXX) $(EMU_CXXFLAGS) $(CXXFLAGS) -c -o $@ $(srcdir)/tests/cuda_emu/emu_cublas.cc
tests/cuda_emu/emu_cudnn.o: tests/cuda_emu/emu_cudnn.cc $(EMU_DEPS)
	@$(MKDIR_P) tests/cuda_emu
	$(EMU_V)$(CXX) $(EMU_CXXFLAGS) $(CXXFLAGS) -c -o $@ $(srcdir)/tests/cuda_emu/emu_cudnn.cc

# -z defs: like the real module, it may lean on no symbol of its loader.
$(EMU_MODULE): $(EMU_OBJS)
	$(EMU_V)$(CXX) $(CXXFLAGS) $(LDFLAGS) -shared -o $@ $(EMU_OBJS) -Wl,-z,defs

check_DATA = $(EMU_MODULE)
CLEANFILES += $(EMU_MODULE) $(EMU_OBJS) $(EMU_GEN)
AM_TESTS_ENVIRONMENT += \
	TSDIFF_CUDA_EMU='$(abs_top_builddir)/$(EMU_MODULE)'; export TSDIFF_CUDA_EMU;
endif
