/* shard.h - `--shard K/N`: the K-th of N disjoint parts of the series, for
 * job arrays and schedulers without MPI (Slurm arrays, xargs -P, Kubernetes
 * indexed jobs). A series belongs to part hash(name) mod N + 1 (64-bit
 * FNV-1a of its name's bytes), so its part depends on its name alone: the
 * same on every machine, whatever else the data holds. */
#ifndef TS_SHARD_H
#define TS_SHARD_H

#include <stddef.h>

#include "data/series.h"
#include "io/error.h"

typedef struct ts_shard {
    int k, n;    /* part k of n, 1 <= k <= n; n = 0: no sharding */
} ts_shard;

/* Parse "K/N" (1 <= K <= N <= 1000000); NULL or "" is no sharding. */
int ts_shard_parse(const char *text, ts_shard *out, ts_error *err);

/* The part (1 .. parts) the series named `name` belongs to. */
int ts_shard_of(const char *name, int parts);

/* Keep those of sel[0..*n) (indices into set) that belong to part s, in
 * their order. */
void ts_shard_select(const ts_shard *s, const ts_series_set *set, size_t *sel, size_t *n);

#endif
