/* params.h - a table of named tensors laid out in one contiguous buffer.
 * Parameters, gradients, Adam moments and EMA weights all share a layout,
 * so saving is one write and the optimizer is one loop. */
#ifndef TS_PARAMS_H
#define TS_PARAMS_H

#include <stddef.h>

typedef struct ts_tensor_info {
    char name[64];     /* e.g. "down0.res1.conv1.w" */
    size_t offset;     /* in floats from the buffer's start */
    size_t count;
    int ndim;
    int shape[4];
} ts_tensor_info;

typedef struct ts_param_table {
    ts_tensor_info *t;
    int n, cap;
    size_t total;      /* floats in the buffer */
} ts_param_table;

/* Append a tensor; returns its offset. */
size_t ts_params_add(ts_param_table *pt, const char *name, int ndim, const int *shape);
void ts_params_free(ts_param_table *pt);

#endif
