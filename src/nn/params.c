/* params.c - the table of named tensors that describes one contiguous buffer.
 *
 * The table is host metadata only: it never touches the floats. Tensors are
 * laid out back to back in the order they are added, so the same table
 * describes parameters, gradients, Adam moments and EMA weights.
 */
#include "nn/params.h"

#include <stdlib.h>
#include <string.h>

#include "io/error.h"

size_t ts_params_add(ts_param_table *pt, const char *name, int ndim, const int *shape)
{
    TS_CHECK(ndim >= 1 && ndim <= 4);
    TS_CHECK(strlen(name) < sizeof pt->t[0].name);
    if (pt->n == pt->cap) {
        pt->cap = pt->cap ? 2 * pt->cap : 32;
        pt->t = ts_xrealloc(pt->t, (size_t)pt->cap * sizeof *pt->t);
    }
    ts_tensor_info *ti = &pt->t[pt->n++];
    memset(ti, 0, sizeof *ti);
    strcpy(ti->name, name);
    ti->ndim = ndim;
    ti->count = 1;
    for (int i = 0; i < ndim; i++) {
        TS_CHECK(shape[i] >= 1);
        ti->shape[i] = shape[i];
        ti->count *= (size_t)shape[i];
    }
    ti->offset = pt->total;
    pt->total += ti->count;
    return ti->offset;
}

void ts_params_free(ts_param_table *pt)
{
    free(pt->t);
    memset(pt, 0, sizeof *pt);
}
