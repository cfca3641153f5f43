/* unet.h - the conditional 1-D UNet that predicts the diffusion noise.
 *
 * Input  x[B, in_channels, L]: channel 0 the noisy target (0 on the context),
 *        then the conditioning channels the caller assembles (history, mask,
 *        calendar features, ...). L must be a multiple of 2^(levels-1).
 * Time   t[B] on the host: the diffusion time in training-step units
 *        (0 .. T-1, fractional values allowed), embedded sinusoidally and
 *        passed through an MLP into every residual block.
 * Output eps[B, 1, L]: the predicted noise at every position.
 *
 * All parameters live in one contiguous backend buffer described by a table
 * of named tensors (nn/params.h); gradients in a second buffer of the same
 * layout. The net owns both buffers and its activation arena, sized for
 * max_batch windows of length L at creation: forward and backward allocate
 * nothing.
 */
#ifndef TS_UNET_H
#define TS_UNET_H

#include <stdint.h>

#include "nn/backend.h"
#include "nn/params.h"

/* The most resolution levels: the one limit of the CLI, the window spec and
 * the model loader. */
#define TS_UNET_MAX_LEVELS 6

typedef struct ts_unet_config {
    int in_channels;  /* input channels, >= 1 */
    int length;       /* window length L */
    int width;        /* channels at the first level (doubles per level) */
    int levels;       /* resolution levels, 1 .. TS_UNET_MAX_LEVELS */
    int res_blocks;   /* residual blocks per level, >= 1 */
    int temb_dim;     /* time-embedding size (even) */
    int groups;       /* group-norm groups (divides every width) */
} ts_unet_config;

typedef struct ts_unet ts_unet;

/* Validate cfg; TS_EUSAGE with a clear message if it cannot be built. */
int ts_unet_check_config(const ts_unet_config *cfg, ts_error *err);

/* NULL only if the backend is out of memory. cfg must pass
 * ts_unet_check_config (an invalid one is an internal fault, exit 70).
 * The architecture and parameter names are described at the top of unet.c. */
ts_unet *ts_unet_create(ts_backend *be, const ts_unet_config *cfg, int max_batch);
/* A net that only runs forward (sampling): no gradient buffer, none of the
 * backward's buffers, and one region for what every block keeps for its
 * backward (unet_blocks.h, ts_build_arena): about a third of the memory,
 * the same outputs. ts_unet_init and ts_unet_backward are internal faults
 * on it; load its weights with be->upload. */
ts_unet *ts_unet_create_forward(ts_backend *be, const ts_unet_config *cfg, int max_batch);
void ts_unet_free(ts_unet *net);

const ts_param_table *ts_unet_params(const ts_unet *net);
float *ts_unet_weights(ts_unet *net);  /* backend buffer, params->total floats */
float *ts_unet_grads(ts_unet *net);    /* same layout; NULL for a forward-only net */

/* Deterministic initialisation from seed; the output conv starts at zero. */
void ts_unet_init(ts_unet *net, uint64_t seed);

/* Forward for B <= max_batch windows; saves what the backward needs. */
void ts_unet_forward(ts_unet *net, int batch, const float *x, const float *h_t, float *eps);
/* Backward of the last forward: accumulates d loss / d weights into the
 * grads buffer (zero it first with be->fill); dx may be NULL (not needed). */
void ts_unet_backward(ts_unet *net, const float *deps, float *dx);

/* Floats of activation arena a net for max_batch windows allocates (on top
 * of two buffers of parameters), to size batches to a memory budget. */
size_t ts_unet_arena_floats(const ts_unet_config *cfg, int max_batch);

/* The parameter table of a net of cfg (names, offsets, shapes), laid out
 * without a backend; free it with ts_params_free. cfg must pass
 * ts_unet_check_config. */
void ts_unet_param_layout(const ts_unet_config *cfg, ts_param_table *pt);

/* Weights w of a net of cfg `from` as weights out of a net of cfg `to`
 * that reads more input channels (to->in_channels > from->in_channels,
 * every other setting the same; TS_CHECKed): the new channels are the
 * last ones, and their weights in the input convolution "in.conv.w" (the
 * only layer that reads the input) are 0, so the widened net computes
 * what the original computes whatever the new channels hold. Every other
 * tensor is copied. out holds the `to` layout's total floats; host memory. */
void ts_unet_widen_inputs(const ts_unet_config *from, const float *w, const ts_unet_config *to,
                          float *out);

/* Multiply-adds of one forward of one window (for GFLOP/s reports). */
double ts_unet_flops(const ts_unet_config *cfg);

#endif
