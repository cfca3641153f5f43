/* modelfile.h - the model file: a self-describing container of typed,
 * named records, so the trainer can store whatever it needs without
 * changing this code.
 *
 * Format version 1, all integers little-endian:
 *
 *     magic     8 bytes  "TSDIFF\0\x1a"
 *     version   u32      1
 *     count     u32      number of records
 *     records   count times:
 *                 u16 key length, key bytes (printable ASCII, 1..65535 of them)
 *                 u8  type (TS_MF_I64 ...)
 *                 u64 payload length in bytes, payload
 *     crc       u32      CRC-32 (IEEE) of every byte before it
 *
 * Payloads: I64 and F64 are 8 bytes; STR is UTF-8 bytes without NUL;
 * F32ARRAY is n*4 bytes (IEEE binary32), I64ARRAY n*8 bytes; STRARRAY is
 * u32 count then, per item, u32 length + bytes (no NUL). Keys are unique.
 * Records are kept and written in the order they were first set.
 *
 * The loader trusts nothing: it checks the magic, the version, the CRC, and
 * every length and offset before reading, and reports one TS_EDATA line
 * naming the file; it never crashes on any input.
 */
#ifndef TS_MODELFILE_H
#define TS_MODELFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "io/error.h"

#define TS_MF_VERSION 1
#define TS_MF_MAX_FILE ((size_t)2 << 30)   /* the loader refuses larger files */
#define TS_MF_MAX_RECORDS (1u << 20)       /* ... and more records than this */

enum ts_mf_type {
    TS_MF_I64 = 1,
    TS_MF_F64 = 2,
    TS_MF_STR = 3,
    TS_MF_F32ARRAY = 4,
    TS_MF_I64ARRAY = 5,
    TS_MF_STRARRAY = 6,
};

typedef struct ts_mf ts_mf;   /* opaque; owns copies of everything */

ts_mf *ts_mf_new(void);
void ts_mf_free(ts_mf *m);    /* NULL is fine */

/* Setters copy their arguments. Setting an existing key replaces its value
 * (and type) in place. A key must be 1..65535 printable ASCII characters
 * (space to '~') and a string must not be NULL: anything else is an
 * internal fault (exit 70). */
void ts_mf_set_i64(ts_mf *m, const char *key, int64_t v);
void ts_mf_set_f64(ts_mf *m, const char *key, double v);
void ts_mf_set_str(ts_mf *m, const char *key, const char *v);
void ts_mf_set_f32s(ts_mf *m, const char *key, const float *v, size_t n);
void ts_mf_set_i64s(ts_mf *m, const char *key, const int64_t *v, size_t n);
void ts_mf_set_strs(ts_mf *m, const char *key, const char *const *v, size_t n);

/* Getters. A missing key is TS_EDATA "MODEL: missing field 'KEY'", a key of
 * another type TS_EDATA "MODEL: field 'KEY' is TYPE, expected TYPE", where
 * MODEL is the path the model was loaded from ("model" for one made by
 * ts_mf_new). Pointers returned stay valid until the key is set again or the
 * model is freed. Array pointers are never NULL, even for n = 0. */
int ts_mf_get_i64(const ts_mf *m, const char *key, int64_t *v, ts_error *err);
int ts_mf_get_f64(const ts_mf *m, const char *key, double *v, ts_error *err);
int ts_mf_get_str(const ts_mf *m, const char *key, const char **v, ts_error *err);
int ts_mf_get_f32s(const ts_mf *m, const char *key, const float **v, size_t *n,
                   ts_error *err);
int ts_mf_get_i64s(const ts_mf *m, const char *key, const int64_t **v, size_t *n,
                   ts_error *err);
int ts_mf_get_strs(const ts_mf *m, const char *key, const char *const **v,
                   size_t *n, ts_error *err);

/* 1 when KEY is present (of any type), else 0. */
int ts_mf_has(const ts_mf *m, const char *key);

/* The path used in error messages ("model" unless loaded from a file). */
const char *ts_mf_path(const ts_mf *m);

/* Write atomically (temp file, fsync, rename: see atomic.h). TS_ECANTCREAT
 * when the file cannot be created, TS_EIO when writing fails; PATH is then
 * untouched and no temporary file is left. */
int ts_mf_save(const ts_mf *m, const char *path, ts_error *err);

/* Read PATH whole (up to TS_MF_MAX_FILE bytes). Errors: TS_ENOINPUT
 * "FILE: cannot open (reason)"; TS_EIO "FILE: read error (reason)";
 * TS_EDATA "FILE: not a tsdiff model file" (bad magic),
 * "FILE: model format version N is not supported (this tsdiff reads 1)",
 * "FILE: truncated model file", "FILE: corrupt model file (CRC mismatch)",
 * "FILE: corrupt model file (record K)" (1-based: bad key, type or length),
 * "FILE: model file too large". *out is NULL on error. */
int ts_mf_load(const char *path, ts_mf **out, ts_error *err);

/* The same from an open stream (read to its end, not closed); PATH names
 * it in messages. For inputs that can be read only once (a FIFO). */
int ts_mf_read(FILE *f, const char *path, ts_mf **out, ts_error *err);

/* 1 when the n bytes at head start with the model file's magic. */
int ts_modelfile_magic(const unsigned char *head, size_t n);

/* 1 when PATH can be opened and starts with the magic, else 0. */
int ts_modelfile_probe(const char *path);

/* For `tsdiff info`: one "key = value" line per record, in file order.
 * Arrays show their element type and count, then the first few items; F32
 * arrays show min, max and mean of their finite items instead. */
void ts_mf_dump(const ts_mf *m, FILE *out);

#endif
