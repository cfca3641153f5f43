/* unet_speed.c - size and speed of the UNet on the CPU backend. Not part of
 * `make check`; run `make bench-unet`.
 *
 *   bench/unet_speed [threads] [batch] [reps]   (defaults: all cores, 64, 3)
 *
 * Prints parameter counts and multiply-adds per window for a few
 * configurations (in_channels 4, temb 64, groups 8, res_blocks 2, L = 128),
 * then the best time of forward, backward and forward+backward for width 64,
 * levels 3 at the given batch, with the GFLOP/s (2 flops per multiply-add;
 * the backward counted as twice the forward).
 */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nn/backend.h"
#include "nn/unet.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 0;
    int batch = argc > 2 ? atoi(argv[2]) : 64;
    int reps = argc > 3 ? atoi(argv[3]) : 3;
    ts_backend *be = ts_backend_cpu_create(threads);
    ts_unet_config cfg = { .in_channels = 4, .length = 128, .width = 32, .levels = 3,
                           .res_blocks = 2, .temb_dim = 64, .groups = 8 };
    printf("%-28s %12s %14s\n", "config (L=128, 2 res blocks)", "parameters", "MACs/window");
    for (int w = 32; w <= 64; w *= 2)
        for (int lv = 3; lv <= 4; lv++) {
            cfg.width = w;
            cfg.levels = lv;
            ts_unet *net = ts_unet_create(be, &cfg, 1);
            printf("width %2d levels %d %19zu %14.4g\n", w, lv, ts_unet_params(net)->total,
                   ts_unet_flops(&cfg));
            ts_unet_free(net);
        }

    cfg.width = 64;
    cfg.levels = 3;
    ts_unet *net = ts_unet_create(be, &cfg, batch);
    if (!net) { fprintf(stderr, "out of memory\n"); return 1; }
    ts_unet_init(net, 1);
    size_t nin = (size_t)batch * cfg.in_channels * cfg.length, nout = (size_t)batch * cfg.length;
    float *x = be->alloc(be, nin), *eps = be->alloc(be, nout), *deps = be->alloc(be, nout);
    float *ht = malloc((size_t)batch * sizeof *ht);
    be->randn(be, nin, 3, 0, x);
    be->randn(be, nout, 4, 0, deps);
    for (int b = 0; b < batch; b++) ht[b] = (float)(b * 997 % 1000);
    double tf = 1e30, tb = 1e30;
    for (int r = 0; r <= reps; r++) {   /* run 0 warms up */
        double t0 = now();
        ts_unet_forward(net, batch, x, ht, eps);
        be->sync(be);
        double t1 = now();
        ts_unet_backward(net, deps, NULL);
        be->sync(be);
        double t2 = now();
        if (r > 0 && t1 - t0 < tf) tf = t1 - t0;
        if (r > 0 && t2 - t1 < tb) tb = t2 - t1;
    }
    double mac = ts_unet_flops(&cfg) * batch;
    printf("width 64 levels 3, batch %d, %s backend: forward %.1f ms (%.1f GFLOP/s), "
           "backward %.1f ms (%.1f GFLOP/s), forward+backward %.1f ms\n",
           batch, be->name, 1e3 * tf, 2 * mac / tf * 1e-9, 1e3 * tb, 4 * mac / tb * 1e-9,
           1e3 * (tf + tb));
    free(ht);
    be->free(be, x);
    be->free(be, eps);
    be->free(be, deps);
    ts_unet_free(net);
    ts_backend_destroy(be);
    return 0;
}
