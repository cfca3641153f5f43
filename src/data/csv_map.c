/* csv_map.c - a string -> index hash map for the CSV reader (column names,
 * long-format series ids). Keys are borrowed, not copied. */
#include "data/csv_internal.h"

#include <stdlib.h>
#include <string.h>

uint64_t csv_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;  /* FNV-1a */
    while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

size_t csv_map_get(const csv_map *m, const char *key, uint64_t hash)
{
    if (!m->cap) return (size_t)-1;
    for (size_t j = hash & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
        const struct csv_map_slot *sl = &m->slot[j];
        if (!sl->key) return (size_t)-1;
        if (sl->hash == hash && strcmp(sl->key, key) == 0) return sl->idx;
    }
}

static void insert(struct csv_map_slot *slot, size_t cap, struct csv_map_slot s)
{
    size_t j = s.hash & (cap - 1);
    while (slot[j].key) j = (j + 1) & (cap - 1);
    slot[j] = s;
}

void csv_map_put(csv_map *m, const char *key, uint64_t hash, size_t idx)
{
    if (2 * (m->used + 1) > m->cap) {
        size_t ncap = m->cap ? 2 * m->cap : 64;
        struct csv_map_slot *ns = ts_xcalloc(ncap, sizeof *ns);
        for (size_t i = 0; i < m->cap; i++)
            if (m->slot[i].key) insert(ns, ncap, m->slot[i]);
        free(m->slot);
        m->slot = ns;
        m->cap = ncap;
    }
    insert(m->slot, m->cap, (struct csv_map_slot){key, hash, idx});
    m->used++;
}

void csv_map_free(csv_map *m)
{
    free(m->slot);
    memset(m, 0, sizeof *m);
}
