/* modelfile_io.c - the model file's binary format (see modelfile.h):
 * writing through ts_atomic, and a loader that checks every size and offset
 * before it reads a byte. */
#define _POSIX_C_SOURCE 200809L
#include "io/modelfile.h"
#include "io/modelfile_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/atomic.h"
#include "io/crc32.h"

static const unsigned char magic[8] = {'T', 'S', 'D', 'I', 'F', 'F', 0, 0x1a};
enum { HEADER = 16, TRAILER = 4 };

/* ---- writing ---- */

typedef struct writer {
    FILE *f;
    uint32_t crc;   /* of everything written so far */
} writer;

static void put(writer *w, const void *p, size_t n)
{
    if (!n) return;
    fwrite(p, 1, n, w->f);   /* errors surface in ts_atomic_commit */
    w->crc = ts_crc32_update(w->crc, p, n);
}

static void put_le(writer *w, uint64_t v, int bytes)
{
    unsigned char b[8];
    for (int i = 0; i < bytes; i++) b[i] = (unsigned char)(v >> (8 * i));
    put(w, b, (size_t)bytes);
}

static uint64_t payload_len(const ts_mf_rec *r)
{
    switch (r->type) {
    case TS_MF_I64: case TS_MF_F64: return 8;
    case TS_MF_STR: return r->n;
    case TS_MF_F32ARRAY: return (uint64_t)r->n * 4;
    case TS_MF_I64ARRAY: return (uint64_t)r->n * 8;
    }
    uint64_t len = 4;
    for (size_t i = 0; i < r->n; i++) len += 4 + strlen(((char **)r->data)[i]);
    return len;
}

/* Arrays go out through a buffer, one element of `size` bytes at a time. */
static void put_array(writer *w, const void *data, size_t n, int size)
{
    unsigned char buf[4096];
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = 0;
        if (size == 4) {
            uint32_t u;
            memcpy(&u, (const char *)data + 4 * i, 4);
            v = u;
        } else {
            memcpy(&v, (const char *)data + 8 * i, 8);
        }
        for (int b = 0; b < size; b++) buf[used++] = (unsigned char)(v >> (8 * b));
        if (used == sizeof buf) { put(w, buf, used); used = 0; }
    }
    put(w, buf, used);
}

static void put_rec(writer *w, const ts_mf_rec *r)
{
    size_t klen = strlen(r->key);
    put_le(w, klen, 2);
    put(w, r->key, klen);
    put_le(w, (uint64_t)r->type, 1);
    put_le(w, payload_len(r), 8);
    uint64_t bits;
    switch (r->type) {
    case TS_MF_I64: put_le(w, (uint64_t)r->i, 8); break;
    case TS_MF_F64: memcpy(&bits, &r->f, 8); put_le(w, bits, 8); break;
    case TS_MF_STR: put(w, r->data, r->n); break;
    case TS_MF_F32ARRAY: put_array(w, r->data, r->n, 4); break;
    case TS_MF_I64ARRAY: put_array(w, r->data, r->n, 8); break;
    case TS_MF_STRARRAY:
        put_le(w, r->n, 4);
        for (size_t i = 0; i < r->n; i++) {
            const char *s = ((char **)r->data)[i];
            size_t len = strlen(s);
            TS_CHECK(len <= UINT32_MAX);
            put_le(w, len, 4);
            put(w, s, len);
        }
        break;
    }
}

int ts_mf_save(const ts_mf *m, const char *path, ts_error *err)
{
    TS_CHECK(m->n <= TS_MF_MAX_RECORDS);
    ts_atomic out = {0};
    int rc = ts_atomic_open(&out, path, err);
    if (rc) return rc;
    writer w = {out.f, 0};
    put(&w, magic, sizeof magic);
    put_le(&w, TS_MF_VERSION, 4);
    put_le(&w, m->n, 4);
    for (size_t i = 0; i < m->n; i++) put_rec(&w, &m->rec[i]);
    put_le(&w, w.crc, 4);
    return ts_atomic_commit(&out, err);
}

/* ---- reading ---- */

typedef struct reader {
    const unsigned char *p;
    size_t end, off;   /* bytes p[off..end) are left */
} reader;

static int has(const reader *r, uint64_t k) { return k <= r->end - r->off; }

static uint64_t le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Take `bytes` little-endian bytes; the caller has checked has(). */
static uint64_t take(reader *r, int bytes)
{
    uint64_t v = le(r->p + r->off, bytes);
    r->off += (size_t)bytes;
    return v;
}

/* A copy of n bytes as a C string; NULL if they hold a NUL. */
static char *dup_bytes(const unsigned char *p, size_t n)
{
    if (memchr(p, 0, n)) return NULL;
    char *s = ts_xmalloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static int decode_strs(ts_mf_rec *r, const unsigned char *p, size_t len)
{
    reader in = {p, len, 0};
    if (!has(&in, 4)) return -1;
    size_t n = (size_t)take(&in, 4);
    if (n > (len - 4) / 4) return -1;
    char **s = ts_xcalloc(n, sizeof *s);
    r->data = s;   /* so that ts_mf_rec_clear frees a partial array */
    for (r->n = 0; r->n < n; r->n++) {
        if (!has(&in, 4)) return -1;
        size_t sl = (size_t)take(&in, 4);
        if (!has(&in, sl) || !(s[r->n] = dup_bytes(p + in.off, sl))) return -1;
        in.off += sl;
    }
    return in.off == len ? 0 : -1;
}

static int decode_array(ts_mf_rec *r, const unsigned char *p, size_t len, int size)
{
    if (len % (size_t)size) return -1;
    r->n = len / (size_t)size;
    r->data = ts_xmalloc(len);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(r->data, p, len);   /* the file's byte order is the host's */
#else
    for (size_t i = 0; i < r->n; i++) {
        uint64_t v = le(p + i * (size_t)size, size);
        if (size == 4) {
            uint32_t u = (uint32_t)v;
            memcpy((char *)r->data + 4 * i, &u, 4);
        } else {
            memcpy((char *)r->data + 8 * i, &v, 8);
        }
    }
#endif
    return 0;
}

/* Fill r (type set) from its payload; -1 when the payload is malformed. */
static int decode(ts_mf_rec *r, const unsigned char *p, size_t len)
{
    switch (r->type) {
    case TS_MF_I64:
        if (len != 8) return -1;
        r->i = (int64_t)le(p, 8);
        return 0;
    case TS_MF_F64: {
        if (len != 8) return -1;
        uint64_t bits = le(p, 8);
        memcpy(&r->f, &bits, 8);
        return 0;
    }
    case TS_MF_STR:
        r->n = len;
        return (r->data = dup_bytes(p, len)) ? 0 : -1;
    case TS_MF_F32ARRAY: return decode_array(r, p, len, 4);
    case TS_MF_I64ARRAY: return decode_array(r, p, len, 8);
    case TS_MF_STRARRAY: return decode_strs(r, p, len);
    }
    return -1;
}

/* Read one record into m; -1 when it is malformed. */
static int read_rec(reader *in, ts_mf *m)
{
    if (!has(in, 2)) return -1;
    size_t klen = (size_t)take(in, 2);
    if (!has(in, (uint64_t)klen + 9)) return -1;
    const char *key = (const char *)in->p + in->off;
    if (!ts_mf_key_ok(key, klen)) return -1;
    in->off += klen;
    ts_mf_rec r = {0};
    r.type = (int)take(in, 1);
    uint64_t len = take(in, 8);
    if (!has(in, len)) return -1;
    int bad = decode(&r, in->p + in->off, (size_t)len);
    in->off += (size_t)len;
    if (bad) {
        ts_mf_rec_clear(&r);
        return -1;
    }
    r.key = ts_xmalloc(klen + 1);
    memcpy(r.key, key, klen);
    r.key[klen] = '\0';
    *ts_mf_append(m, r.key) = r;
    return 0;
}

/* After a CRC mismatch: do the record frames run past the end (a truncated
 * file) or not (corrupt bytes)? Reads only lengths, each checked. */
static int frames_fit(const unsigned char *buf, size_t size, uint32_t count)
{
    reader in = {buf, size - TRAILER, HEADER};
    for (uint32_t k = 0; k < count; k++) {
        if (!has(&in, 2)) return 0;
        uint64_t klen = take(&in, 2);
        if (!has(&in, klen + 9)) return 0;
        in.off += (size_t)klen + 1;
        uint64_t len = take(&in, 8);
        if (!has(&in, len)) return 0;
        in.off += (size_t)len;
    }
    return 1;
}

static int cmp_rec_key(const void *a, const void *b)
{
    return strcmp((*(const ts_mf_rec *const *)a)->key, (*(const ts_mf_rec *const *)b)->key);
}

/* 0, or the 1-based number of a record whose key came earlier. */
static size_t duplicate_key(const ts_mf *m)
{
    if (m->n < 2) return 0;
    const ts_mf_rec **v = ts_xmalloc(m->n * sizeof *v);
    for (size_t i = 0; i < m->n; i++) v[i] = &m->rec[i];
    qsort(v, m->n, sizeof *v, cmp_rec_key);
    size_t dup = 0;
    for (size_t i = 1; i < m->n && !dup; i++)
        if (strcmp(v[i - 1]->key, v[i]->key) == 0) {
            size_t a = (size_t)(v[i - 1] - m->rec), b = (size_t)(v[i] - m->rec);
            dup = (a > b ? a : b) + 1;
        }
    free(v);
    return dup;
}

static int corrupt(const char *path, ts_error *err, const char *what)
{
    return ts_fail(err, TS_EDATA, "%s: corrupt model file (%s)", path, what);
}

static int truncated(const char *path, ts_error *err)
{
    return ts_fail(err, TS_EDATA, "%s: truncated model file", path);
}

/* Check the header and CRC of buf[0..size), then read the records. */
static int parse(const unsigned char *buf, size_t size, const char *path, ts_mf *m,
                 ts_error *err)
{
    if (size < sizeof magic && memcmp(buf, magic, size) == 0) return truncated(path, err);
    if (size < sizeof magic || memcmp(buf, magic, sizeof magic) != 0)
        return ts_fail(err, TS_EDATA, "%s: not a tsdiff model file", path);
    if (size < 12) return truncated(path, err);
    uint32_t version = (uint32_t)le(buf + 8, 4);
    if (version != TS_MF_VERSION)
        return ts_fail(err, TS_EDATA,
                       "%s: model format version %u is not supported (this tsdiff reads %d)",
                       path, (unsigned)version, TS_MF_VERSION);
    if (size < HEADER + TRAILER) return truncated(path, err);
    uint32_t count = (uint32_t)le(buf + 12, 4);
    if (ts_crc32(buf, size - TRAILER) != (uint32_t)le(buf + size - TRAILER, 4))
        return frames_fit(buf, size, count) ? corrupt(path, err, "CRC mismatch")
                                            : truncated(path, err);
    if (count > TS_MF_MAX_RECORDS) return corrupt(path, err, "too many records");
    reader in = {buf, size - TRAILER, HEADER};
    char what[64];
    for (uint32_t k = 0; k < count; k++)
        if (read_rec(&in, m) != 0) {
            snprintf(what, sizeof what, "record %u", (unsigned)k + 1);
            return corrupt(path, err, what);
        }
    if (in.off != in.end) return corrupt(path, err, "data after the last record");
    size_t dup = duplicate_key(m);
    if (dup) {
        snprintf(what, sizeof what, "record %zu", dup);
        return corrupt(path, err, what);
    }
    return 0;
}

/* The whole stream in a malloc'd buffer, at most TS_MF_MAX_FILE bytes. */
static int read_all(FILE *f, const char *path, unsigned char **out, size_t *size, ts_error *err)
{
    struct stat st;
    int have_st = fstat(fileno(f), &st) == 0;
    if (have_st && S_ISDIR(st.st_mode))
        return ts_fail(err, TS_ENOINPUT, "%s: cannot open (%s)", path, strerror(EISDIR));
    if (have_st && S_ISREG(st.st_mode) && (uintmax_t)st.st_size > TS_MF_MAX_FILE)
        return ts_fail(err, TS_EDATA, "%s: model file too large", path);
    /* A regular file is read into one buffer of its size (and a byte, to
     * see the end); a stream grows its buffer. */
    size_t cap = have_st && S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 1 << 16, n = 0;
    errno = 0;
    unsigned char *buf = ts_xmalloc(cap);
    int rc = 0;
    for (;;) {
        if (n == cap) {
            if (cap > TS_MF_MAX_FILE) {
                rc = ts_fail(err, TS_EDATA, "%s: model file too large", path);
                break;
            }
            cap = cap > TS_MF_MAX_FILE / 2 ? TS_MF_MAX_FILE + 1 : 2 * cap;
            buf = ts_xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (!rc && ferror(f))
        rc = ts_fail(err, TS_EIO, "%s: read error (%s)", path, strerror(errno ? errno : EIO));
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *size = n;
    return 0;
}

int ts_mf_read(FILE *f, const char *path, ts_mf **out, ts_error *err)
{
    *out = NULL;
    unsigned char *buf = NULL;
    size_t size = 0;
    int rc = read_all(f, path, &buf, &size, err);
    if (rc) return rc;
    ts_mf *m = ts_mf_new();
    rc = parse(buf, size, path, m, err);
    free(buf);
    if (rc) {
        ts_mf_free(m);
        return rc;
    }
    m->path = ts_xstrdup(path);
    *out = m;
    return 0;
}

int ts_mf_load(const char *path, ts_mf **out, ts_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return ts_fail(err, TS_ENOINPUT, "%s: cannot open (%s)", path, strerror(errno));
    int rc = ts_mf_read(f, path, out, err);
    fclose(f);
    return rc;
}

int ts_modelfile_magic(const unsigned char *head, size_t n)
{
    return n >= sizeof magic && memcmp(head, magic, sizeof magic) == 0;
}

int ts_modelfile_probe(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    unsigned char head[sizeof magic];
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    return ts_modelfile_magic(head, got);
}
