/* shard.c - `--shard K/N`: which series a part forecasts (see shard.h). */
#include "cli/shard.h"

#include <stdint.h>
#include <stdlib.h>

int ts_shard_parse(const char *text, ts_shard *out, ts_error *err)
{
    out->k = out->n = 0;
    if (!text || !*text) return 0;
    char *end;
    long k = strtol(text, &end, 10), n = 0;
    int ok = end != text && *end == '/';
    if (ok) {
        const char *p = end + 1;
        n = strtol(p, &end, 10);
        ok = end != p && *end == '\0' && k >= 1 && n >= 1 && k <= n && n <= 1000000;
    }
    if (!ok)
        return ts_fail(err, TS_EUSAGE, "--shard: \"%s\" is not K/N with 1 <= K <= N "
                                       "(e.g. 1/4 .. 4/4)", text);
    out->k = (int)k;
    out->n = (int)n;
    return 0;
}

int ts_shard_of(const char *name, int parts)
{
    uint64_t h = 0xcbf29ce484222325ULL;   /* FNV-1a, 64 bits */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return (int)(h % (uint64_t)parts) + 1;
}

void ts_shard_select(const ts_shard *s, const ts_series_set *set, size_t *sel, size_t *n)
{
    if (s->n < 1) return;
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++)
        if (ts_shard_of(set->series[sel[i]].name, s->n) == s->k) sel[kept++] = sel[i];
    *n = kept;
}
