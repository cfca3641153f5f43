/* unet_widen.c - a trained UNet's weights as those of a UNet reading more
 * input channels, the new ones starting at zero (unet.h). Fine-tuning a
 * pretrained network with covariates starts from it: before any step it
 * computes exactly what the pretrained network computes. */
#include "nn/unet.h"

#include <string.h>

#include "io/error.h"

/* The input convolution's weights [cout, cin, k]: each output channel's
 * rows of the old inputs, then zero rows for the new ones. */
static void widen_conv(const ts_tensor_info *a, const float *w, const ts_tensor_info *b,
                       float *out)
{
    TS_CHECK(a->ndim == 3 && b->ndim == 3 && a->shape[0] == b->shape[0] &&
             a->shape[2] == b->shape[2] && b->shape[1] > a->shape[1]);
    size_t k = (size_t)a->shape[2], old_row = (size_t)a->shape[1] * k;
    size_t new_row = (size_t)b->shape[1] * k;
    for (int o = 0; o < a->shape[0]; o++) {
        float *dst = out + b->offset + o * new_row;
        memcpy(dst, w + a->offset + o * old_row, old_row * sizeof *dst);
        memset(dst + old_row, 0, (new_row - old_row) * sizeof *dst);
    }
}

void ts_unet_widen_inputs(const ts_unet_config *from, const float *w, const ts_unet_config *to,
                          float *out)
{
    ts_unet_config same = *to;
    same.in_channels = from->in_channels;
    TS_CHECK(to->in_channels > from->in_channels && !memcmp(&same, from, sizeof same));
    ts_param_table a, b;
    ts_unet_param_layout(from, &a);
    ts_unet_param_layout(to, &b);
    TS_CHECK(a.n == b.n);
    for (int i = 0; i < a.n; i++) {
        const ts_tensor_info *ta = &a.t[i], *tb = &b.t[i];
        TS_CHECK(!strcmp(ta->name, tb->name));
        if (!strcmp(ta->name, "in.conv.w")) {
            widen_conv(ta, w, tb, out);
        } else {
            TS_CHECK(ta->count == tb->count);
            memcpy(out + tb->offset, w + ta->offset, ta->count * sizeof *out);
        }
    }
    ts_params_free(&a);
    ts_params_free(&b);
}
