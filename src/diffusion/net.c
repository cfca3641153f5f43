/* net.c - the network part of a model (net.h). */
#include "diffusion/net.h"

#include <stdlib.h>
#include <string.h>

void ts_net_free(ts_net *n)
{
    if (!n) return;
    free(n->ema);
    memset(n, 0, sizeof *n);
}
