/* emu_cudnn.cc - cuDNN is not emulated: in the host emulation the module's
 * cuDNN path (cuda/cuda_cudnn.cu, TSDIFF_CUDA_CONV=cudnn) reports itself
 * unusable, and the module keeps its GEMM convolutions, as it does on a
 * machine without libcudnn. */
#include "cuda/cuda_internal.h"
#include "emu_internal.h"

#include <stdio.h>

int ts_cudnn_create(ts_cuda *cu, ts_cudnn **out, char *why, size_t why_size)
{
    (void)cu;
    *out = NULL;
    snprintf(why, why_size, "cuDNN is not emulated");
    return -1;
}

void ts_cudnn_destroy(ts_cudnn *dnn)
{
    if (dnn) ts_emu_die("a cuDNN state exists in the emulation");
}

void ts_cudnn_conv_fwd(ts_cuda *, const ts_conv1d_shape *, const float *, const float *, float *)
{
    ts_emu_die("cuDNN convolution called in the emulation");
}

void ts_cudnn_conv_bwd_data(ts_cuda *, const ts_conv1d_shape *, const float *, const float *,
                            float *)
{
    ts_emu_die("cuDNN convolution called in the emulation");
}

void ts_cudnn_conv_bwd_filter(ts_cuda *, const ts_conv1d_shape *, const float *, const float *,
                              float *)
{
    ts_emu_die("cuDNN convolution called in the emulation");
}
