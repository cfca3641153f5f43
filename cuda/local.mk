# cuda: the CUDA backend module (built when configure finds the toolkit)
#
# cuda/tsdiff-cuda.so is a shared object that src/nn/backend.c dlopen()s for
# --device cuda|auto; src/tsdiff itself links no CUDA library. It is built
# with nvcc by the explicit rules below (automake knows nothing of .cu) and
# installed into $(pkglibdir), where backend.c looks for it.
CUDA_SRCS = cuda/cuda_backend.cu cuda/cuda_gemm_conv.cu cuda/cuda_kernels.cu \
	cuda/cuda_cudnn.cu
CUDA_HDRS = cuda/cuda_internal.h
EXTRA_DIST += $(CUDA_SRCS) $(CUDA_HDRS) bench/gpu/run.sh

# Runs everywhere: the main binary links no CUDA library, and --device
# cuda|auto behave (exit 69 with one line, or fall back with one line).
EXTRA_DIST += tests/cuda_device.sh
TESTS += tests/cuda_device.sh

if HAVE_CUDA
# SASS for sm_80 (A100; also runs on sm_86/89) and sm_90 (H100), and PTX of
# compute_90 for the GPUs after. -fmad=false: no fused multiply-adds, as in
# the CPU backend, so elementwise results agree with it to the last bit
# (SiLU too: both use nn/sigmoid.h).
NVCC_ARCH = -gencode arch=compute_80,code=sm_80 \
	-gencode arch=compute_90,code=[sm_90,compute_90]
NVCC_FLAGS = -O3 -std=c++17 $(NVCC_ARCH) -fmad=false \
	-Xcompiler -fPIC,-Wall,-Wextra,-fvisibility=hidden \
	-I$(top_srcdir) -I$(top_srcdir)/src -I$(CUDA_HOME)/include \
	-DTS_CUDNN_FALLBACK='"$(CUDA_HOME)/lib64/libcudnn.so.9"'
# cuDNN is dlopen()ed on demand (cuda_cudnn.cu), not linked. -z defs: the
# module must not lean on symbols of the program that loads it.
CUDA_LINK = -cudart shared -L$(CUDA_HOME)/lib64 -lcublas -ldl \
	-Xlinker -rpath=$(CUDA_HOME)/lib64 -Xlinker -zdefs
CUDA_DEPS = $(CUDA_HDRS) src/nn/backend.h src/nn/ops.h src/nn/sigmoid.h src/io/error.h
CUDA_OBJS = cuda/cuda_backend.o cuda/cuda_gemm_conv.o cuda/cuda_kernels.o \
	cuda/cuda_cudnn.o

NVCC_V = $(NVCC_V_@AM_V@)
NVCC_V_ = $(NVCC_V_@AM_DEFAULT_V@)
NVCC_V_0 = @echo "  NVCC    " $@;
NVCC_V_1 =

cuda/cuda_backend.o: cuda/cuda_backend.cu $(CUDA_DEPS)
	@$(MKDIR_P) cuda
	$(NVCC_V)$(NVCC) $(NVCC_FLAGS) -c -o $@ $(srcdir)/cuda/cuda_backend.cu
cuda/cuda_gemm_conv.o: cuda/cuda_gemm_conv.cu $(CUDA_DEPS)
	@$(MKDIR_P) cuda
	$(NVCC_V)$(NVCC) $(NVCC_FLAGS) -c -o $@ $(srcdir)/cuda/cuda_gemm_conv.cu
cuda/cuda_kernels.o: cuda/cuda_kernels.cu $(CUDA_DEPS)
	@$(MKDIR_P) cuda
	$(NVCC_V)$(NVCC) $(NVCC_FLAGS) -c -o $@ $(srcdir)/cuda/cuda_kernels.cu
cuda/cuda_cudnn.o: cuda/cuda_cudnn.cu $(CUDA_DEPS)
	@$(MKDIR_P) cuda
	$(NVCC_V)$(NVCC) $(NVCC_FLAGS) -c -o $@ $(srcdir)/cuda/cuda_cudnn.cu

cuda/tsdiff-cuda.so: $(CUDA_OBJS)
	$(NVCC_V)$(NVCC) -shared -o $@ $(CUDA_OBJS) $(CUDA_LINK)

# Built by `make`, installed by `make install` into $(pkglibdir) (automake
# allows no DATA there, hence a directory of our own naming the same place).
cudaexecdir = $(pkglibdir)
cudaexec_DATA = cuda/tsdiff-cuda.so
CLEANFILES += cuda/tsdiff-cuda.so $(CUDA_OBJS)

if HAVE_CHECK
# Every op against the CPU backend, a UNet training step and a DPM-Solver++
# forecast; exits 77 (skipped) where the module finds no GPU.
TESTS += tests/check_cuda
endif
endif

# tests/check_cuda loads a module with dlopen() and links no CUDA library: it
# is built everywhere, for the real module above and for the emulated one
# (tests/cuda_emu/local.mk).
if HAVE_CHECK
check_PROGRAMS += tests/check_cuda
tests_check_cuda_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTS_CUDA_MODULE_PATH='"$(abs_top_builddir)/cuda/tsdiff-cuda.so"'
tests_check_cuda_SOURCES = tests/check_cuda.c tests/op_table.c tests/op_table.h
tests_check_cuda_CFLAGS = $(TEST_CFLAGS)
tests_check_cuda_LDADD = $(TEST_LIBS)
endif
