/* net.c - the network part of a model (net.h). */
#include "diffusion/net.h"

#include <stdlib.h>
#include <string.h>

/* A window is padded for as many levels as the UNet can have. */
_Static_assert(TS_WINDOW_MAX_LEVELS == TS_UNET_MAX_LEVELS, "window and UNet levels differ");

void ts_net_free(ts_net *n)
{
    if (!n) return;
    free(n->ema);
    memset(n, 0, sizeof *n);
}
