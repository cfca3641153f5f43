/* modelfile.c - the model file's records in memory: set, get, dump.
 * Reading and writing the binary format is in modelfile_io.c. */
#include "io/modelfile.h"
#include "io/modelfile_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

ts_mf *ts_mf_new(void)
{
    return ts_xcalloc(1, sizeof(ts_mf));
}

void ts_mf_rec_clear(ts_mf_rec *r)
{
    if (r->type == TS_MF_STRARRAY) {
        char **s = r->data;
        for (size_t i = 0; i < r->n; i++) free(s[i]);
    }
    free(r->data);
    r->data = NULL;
    r->n = 0;
}

void ts_mf_free(ts_mf *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->n; i++) {
        ts_mf_rec_clear(&m->rec[i]);
        free(m->rec[i].key);
    }
    free(m->rec);
    free(m->path);
    free(m);
}

static ts_mf_rec *find(const ts_mf *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->rec[i].key, key) == 0) return &m->rec[i];
    return NULL;
}

int ts_mf_key_ok(const char *key, size_t len)
{
    if (len == 0 || len > 65535) return 0;
    for (size_t i = 0; i < len; i++)
        if (key[i] < 0x20 || key[i] > 0x7e) return 0;
    return 1;
}

ts_mf_rec *ts_mf_append(ts_mf *m, char *key)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 16;
        m->rec = ts_xrealloc(m->rec, m->cap * sizeof *m->rec);
    }
    ts_mf_rec *r = &m->rec[m->n++];
    memset(r, 0, sizeof *r);
    r->key = key;
    return r;
}

/* The record for KEY, emptied, with the new type; appended when new. */
static ts_mf_rec *slot(ts_mf *m, const char *key, int type)
{
    TS_CHECK(ts_mf_key_ok(key, strlen(key)));
    ts_mf_rec *r = find(m, key);
    if (r) ts_mf_rec_clear(r);
    else r = ts_mf_append(m, ts_xstrdup(key));
    r->type = type;
    return r;
}

static void *copy(const void *v, size_t bytes)
{
    void *p = ts_xmalloc(bytes);
    if (bytes) memcpy(p, v, bytes);
    return p;
}

void ts_mf_set_i64(ts_mf *m, const char *key, int64_t v) { slot(m, key, TS_MF_I64)->i = v; }
void ts_mf_set_f64(ts_mf *m, const char *key, double v) { slot(m, key, TS_MF_F64)->f = v; }

void ts_mf_set_str(ts_mf *m, const char *key, const char *v)
{
    TS_CHECK(v != NULL);
    ts_mf_rec *r = slot(m, key, TS_MF_STR);
    r->n = strlen(v);
    r->data = ts_xstrdup(v);
}

void ts_mf_set_f32s(ts_mf *m, const char *key, const float *v, size_t n)
{
    TS_CHECK(v != NULL || n == 0);
    TS_CHECK(n <= SIZE_MAX / sizeof(float));
    ts_mf_rec *r = slot(m, key, TS_MF_F32ARRAY);
    r->data = copy(v, n * sizeof(float));
    r->n = n;
}

void ts_mf_set_i64s(ts_mf *m, const char *key, const int64_t *v, size_t n)
{
    TS_CHECK(v != NULL || n == 0);
    TS_CHECK(n <= SIZE_MAX / sizeof(int64_t));
    ts_mf_rec *r = slot(m, key, TS_MF_I64ARRAY);
    r->data = copy(v, n * sizeof(int64_t));
    r->n = n;
}

void ts_mf_set_strs(ts_mf *m, const char *key, const char *const *v, size_t n)
{
    TS_CHECK(v != NULL || n == 0);
    TS_CHECK(n <= UINT32_MAX);
    char **s = ts_xmalloc(n * sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        TS_CHECK(v[i] != NULL);
        s[i] = ts_xstrdup(v[i]);
    }
    ts_mf_rec *r = slot(m, key, TS_MF_STRARRAY);
    r->data = s;
    r->n = n;
}

const char *ts_mf_type_name(int type)
{
    switch (type) {
    case TS_MF_I64: return "i64";
    case TS_MF_F64: return "f64";
    case TS_MF_STR: return "str";
    case TS_MF_F32ARRAY: return "f32";
    case TS_MF_I64ARRAY: return "i64";
    case TS_MF_STRARRAY: return "str";
    }
    return "?";
}

static const char *type_desc(int type)
{
    switch (type) {
    case TS_MF_I64: return "an integer";
    case TS_MF_F64: return "a number";
    case TS_MF_STR: return "a string";
    case TS_MF_F32ARRAY: return "a float array";
    case TS_MF_I64ARRAY: return "an integer array";
    case TS_MF_STRARRAY: return "a string array";
    }
    return "of unknown type";
}

const char *ts_mf_path(const ts_mf *m) { return m->path ? m->path : "model"; }

/* The record for KEY if it has TYPE; else NULL and the error. */
static const ts_mf_rec *lookup(const ts_mf *m, const char *key, int type, int *rc,
                               ts_error *err)
{
    const ts_mf_rec *r = find(m, key);
    if (!r)
        *rc = ts_fail(err, TS_EDATA, "%s: missing field '%s'", ts_mf_path(m), key);
    else if (r->type != type)
        *rc = ts_fail(err, TS_EDATA, "%s: field '%s' is %s, expected %s",
                      ts_mf_path(m), key, type_desc(r->type), type_desc(type));
    else
        return r;
    return NULL;
}

int ts_mf_get_i64(const ts_mf *m, const char *key, int64_t *v, ts_error *err)
{
    int rc = 0;
    const ts_mf_rec *r = lookup(m, key, TS_MF_I64, &rc, err);
    if (r) *v = r->i;
    return rc;
}

int ts_mf_get_f64(const ts_mf *m, const char *key, double *v, ts_error *err)
{
    int rc = 0;
    const ts_mf_rec *r = lookup(m, key, TS_MF_F64, &rc, err);
    if (r) *v = r->f;
    return rc;
}

int ts_mf_get_str(const ts_mf *m, const char *key, const char **v, ts_error *err)
{
    int rc = 0;
    const ts_mf_rec *r = lookup(m, key, TS_MF_STR, &rc, err);
    if (r) *v = r->data;
    return rc;
}

int ts_mf_get_f32s(const ts_mf *m, const char *key, const float **v, size_t *n,
                   ts_error *err)
{
    int rc = 0;
    const ts_mf_rec *r = lookup(m, key, TS_MF_F32ARRAY, &rc, err);
    if (r) { *v = r->data; *n = r->n; }
    return rc;
}

int ts_mf_get_i64s(const ts_mf *m, const char *key, const int64_t **v, size_t *n,
                   ts_error *err)
{
    int rc = 0;
    const ts_mf_rec *r = lookup(m, key, TS_MF_I64ARRAY, &rc, err);
    if (r) { *v = r->data; *n = r->n; }
    return rc;
}

int ts_mf_get_strs(const ts_mf *m, const char *key, const char *const **v,
                   size_t *n, ts_error *err)
{
    int rc = 0;
    const ts_mf_rec *r = lookup(m, key, TS_MF_STRARRAY, &rc, err);
    if (r) { *v = (const char *const *)r->data; *n = r->n; }
    return rc;
}

int ts_mf_has(const ts_mf *m, const char *key) { return find(m, key) != NULL; }

/* ---- dump ---- */

enum { DUMP_ITEMS = 8 };

/* A string in double quotes, control characters escaped. */
static void put_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", out);
        else if (*p == '\t') fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7f) fprintf(out, "\\x%02x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

static void dump_f32s(FILE *out, const float *v, size_t n)
{
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    size_t finite = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) continue;
        finite++;
        sum += v[i];
        if (v[i] < lo) lo = v[i];
        if (v[i] > hi) hi = v[i];
    }
    if (finite)
        fprintf(out, " min %.6g max %.6g mean %.6g", lo, hi, sum / (double)finite);
    if (finite < n) fprintf(out, " (%zu not finite)", n - finite);
}

static void dump_rec(FILE *out, const ts_mf_rec *r)
{
    fprintf(out, "%s = ", r->key);
    switch (r->type) {
    case TS_MF_I64: fprintf(out, "%lld", (long long)r->i); break;
    case TS_MF_F64: fprintf(out, "%.10g", r->f); break;
    case TS_MF_STR: put_quoted(out, r->data); break;
    default:
        fprintf(out, "%s[%zu]", ts_mf_type_name(r->type), r->n);
        if (r->type == TS_MF_F32ARRAY) {
            dump_f32s(out, r->data, r->n);
            break;
        }
        for (size_t i = 0; i < r->n && i < DUMP_ITEMS; i++) {
            fputs(i ? ", " : " ", out);
            if (r->type == TS_MF_I64ARRAY)
                fprintf(out, "%lld", (long long)((const int64_t *)r->data)[i]);
            else
                put_quoted(out, ((char *const *)r->data)[i]);
        }
        if (r->n > DUMP_ITEMS) fputs(", ...", out);
    }
    fputc('\n', out);
}

void ts_mf_dump(const ts_mf *m, FILE *out)
{
    for (size_t i = 0; i < m->n; i++) dump_rec(out, &m->rec[i]);
}
