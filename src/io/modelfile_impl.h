/* modelfile_impl.h - the in-memory layout of a ts_mf, shared by
 * modelfile.c (records) and modelfile_io.c (the binary format) only. */
#ifndef TS_MODELFILE_IMPL_H
#define TS_MODELFILE_IMPL_H

#include "io/modelfile.h"

typedef struct ts_mf_rec {
    char *key;     /* owned, NUL-terminated */
    int type;      /* TS_MF_* */
    int64_t i;     /* TS_MF_I64 */
    double f;      /* TS_MF_F64 */
    void *data;    /* owned: STR char[n+1]; F32ARRAY float[n];
                      I64ARRAY int64_t[n]; STRARRAY char *[n], each owned */
    size_t n;      /* STR: bytes without the NUL; arrays: items */
} ts_mf_rec;

struct ts_mf {
    ts_mf_rec *rec;   /* in file order */
    size_t n, cap;
    char *path;       /* owned; the loaded file, for messages; NULL if new */
};

/* Append a record taking ownership of KEY (no duplicate check). */
ts_mf_rec *ts_mf_append(ts_mf *m, char *key);
/* Free a record's value (not its key). */
void ts_mf_rec_clear(ts_mf_rec *r);
/* 1 when key[0..len) is a valid key: 1..65535 printable ASCII bytes. */
int ts_mf_key_ok(const char *key, size_t len);
/* Element type name for the dump: "i64", "f64", "str", "f32". */
const char *ts_mf_type_name(int type);

#endif
