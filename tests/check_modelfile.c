/* check_modelfile.c - CRC-32, atomic output files, and the model file
 * container: round trips, and a loader that survives any damaged file. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/atomic.h"
#include "io/crc32.h"
#include "io/error.h"
#include "io/modelfile.h"
#include "io/signals.h"
#include "testutil.h"

/* ---- helpers ---- */

static char dir[256];        /* a fresh directory per test */
static char path[512];       /* dir/model.tsd */

static void setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/check_modelfile.XXXXXX", t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/model.tsd", dir);
}

/* Number of entries in dir, other than . and .. */
static int dir_entries(const char *d)
{
    DIR *dp = opendir(d);
    ck_assert_ptr_nonnull(dp);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(dp);
    return n;
}

static void teardown(void)
{
    DIR *dp = opendir(dir);
    if (!dp) return;
    struct dirent *e;
    char p[800];
    while ((e = readdir(dp))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(dp);
    rmdir(dir);
}

static unsigned char *slurp(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)len + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return buf;
}

static void spit(const char *p, const void *buf, size_t n)
{
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Rewrite the trailing CRC so that a doctored buffer passes it. */
static void fix_crc(unsigned char *buf, size_t n)
{
    put_le(buf + n - 4, ts_crc32(buf, n - 4), 4);
}

/* Load expecting failure `code` with a message starting "PATH: " and
 * containing `want` (unless NULL). */
static void expect_load_error(const char *p, int code, const char *want)
{
    ts_error err = {0};
    ts_mf *m = (ts_mf *)1;
    int rc = ts_mf_load(p, &m, &err);
    ck_assert_msg(rc == code, "rc %d, want %d (%s)", rc, code, err.msg);
    ck_assert_int_eq(err.code, code);
    ck_assert_ptr_null(m);
    ck_assert_msg(strncmp(err.msg, p, strlen(p)) == 0 && err.msg[strlen(p)] == ':',
                  "message does not name the file: %s", err.msg);
    if (want) ck_assert_msg(strstr(err.msg, want), "message '%s' lacks '%s'", err.msg, want);
}

/* A small model with one record of every type. */
static ts_mf *sample_model(void)
{
    ts_mf *m = ts_mf_new();
    ts_mf_set_i64(m, "steps", 12345);
    ts_mf_set_f64(m, "loss", 0.125);
    ts_mf_set_str(m, "name", "sales");
    float w[5] = {1.5f, -2.0f, 0.0f, 3.25f, 1e-3f};
    ts_mf_set_f32s(m, "weights", w, 5);
    int64_t shape[3] = {4, -8, 16};
    ts_mf_set_i64s(m, "shape", shape, 3);
    const char *names[3] = {"a", "", "ccc"};
    ts_mf_set_strs(m, "series", names, 3);
    return m;
}

static void save_sample(const char *p)
{
    ts_mf *m = sample_model();
    ts_error err = {0};
    ck_assert_int_eq(ts_mf_save(m, p, &err), 0);
    ts_mf_free(m);
}

/* ---- CRC-32 ---- */

START_TEST(crc_check_value)
{
    ck_assert_uint_eq(ts_crc32("123456789", 9), 0xCBF43926u);
    ck_assert_uint_eq(ts_crc32("", 0), 0);
    uint32_t c = ts_crc32_update(0, "1234", 4);
    ck_assert_uint_eq(ts_crc32_update(c, "56789", 5), 0xCBF43926u);
    /* "The quick brown fox jumps over the lazy dog" -> 0x414FA339 */
    const char *fox = "The quick brown fox jumps over the lazy dog";
    ck_assert_uint_eq(ts_crc32(fox, strlen(fox)), 0x414FA339u);
}
END_TEST

/* Long buffers go 8 bytes a step: the same CRC as zlib's (Python's
 * zlib.crc32 gave the values), whatever the alignment, and the same as
 * the byte-a-step path that short updates take. */
START_TEST(crc_long_buffers)
{
    unsigned char b[1000];
    for (int i = 0; i < 1000; i++) b[i] = (unsigned char)((i * 131 + 7) & 0xff);
    ck_assert_uint_eq(ts_crc32(b, 1000), 0x1ed57bb9u);
    ck_assert_uint_eq(ts_crc32(b + 3, 997), 0x0891265fu);
    for (size_t n = 0; n <= 200; n += 13) {
        uint32_t bytewise = 0;
        for (size_t i = 0; i < n; i++) bytewise = ts_crc32_update(bytewise, b + 5 + i, 1);
        ck_assert_uint_eq(ts_crc32(b + 5, n), bytewise);
    }
}
END_TEST

/* ---- atomic files ---- */

START_TEST(atomic_commit_and_abort)
{
    ts_error err = {0};
    ts_atomic a = {0};
    ck_assert_int_eq(ts_atomic_open(&a, path, &err), 0);
    ck_assert_ptr_nonnull(a.tmp);
    fputs("hello\n", a.f);
    ck_assert_int_eq(access(path, F_OK), -1);      /* not there until commit */
    ck_assert_int_eq(dir_entries(dir), 1);         /* only the temp file */
    ck_assert_int_eq(ts_atomic_commit(&a, &err), 0);
    ck_assert_ptr_null(a.f);
    ck_assert_ptr_null(a.tmp);
    size_t n;
    unsigned char *buf = slurp(path, &n);
    ck_assert_uint_eq(n, 6);
    ck_assert(memcmp(buf, "hello\n", 6) == 0);
    free(buf);

    /* abort leaves the old file alone and no temp behind */
    ck_assert_int_eq(ts_atomic_open(&a, path, &err), 0);
    fputs("other", a.f);
    ts_atomic_abort(&a);
    ts_atomic_abort(&a);                           /* twice is harmless */
    buf = slurp(path, &n);
    ck_assert_uint_eq(n, 6);
    free(buf);
    ck_assert_int_eq(dir_entries(dir), 1);

    /* a signal while the temporary file is open: the run dies by it, the
     * temporary file is gone and the old file is untouched */
    for (int deferred = 0; deferred <= 1; deferred++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            ts_signals_init(deferred);
            if (ts_atomic_open(&a, path, &err) != 0) _exit(1);
            fputs("half", a.f);
            fflush(a.f);
            raise(SIGTERM);
            if (deferred && ts_signals_caught() == SIGTERM) raise(SIGTERM);  /* the second */
            _exit(2);
        }
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
        ck_assert_int_eq(dir_entries(dir), 1);
        buf = slurp(path, &n);
        ck_assert_uint_eq(n, 6);
        free(buf);
    }
}
END_TEST

/* TSDIFF_FAULT fails each step of a commit in turn: the error names the
 * file, the old file stays whole, no temporary file is left. */
START_TEST(atomic_faults)
{
    static const char *const rules[] = {"create:1:ENOSPC", "write:1:ENOSPC", "fsync:1:EIO",
                                        "rename:1:EIO", "write:2:EDQUOT"};
    static const int codes[] = {TS_ECANTCREAT, TS_EIO, TS_EIO, TS_EIO, TS_EIO};
    ts_error err = {0};
    ts_atomic a = {0};
    FILE *f = fopen(path, "w");
    fputs("hello\n", f);
    fclose(f);
    for (int i = 0; i < 5; i++) {
        pid_t pid = fork();   /* the fault counters are per process */
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            setenv("TSDIFF_FAULT", rules[i], 1);
            int rc = 0;
            for (int k = 0; k < 2 && !rc; k++) {
                rc = ts_atomic_open(&a, path, &err);
                if (!rc) {
                    fputs("new\n", a.f);
                    rc = ts_atomic_commit(&a, &err);
                }
            }
            int named = strstr(err.msg, path) != NULL;
            _exit(rc == codes[i] && named ? 0 : 1);
        }
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "rule %s", rules[i]);
        ck_assert_int_eq(dir_entries(dir), 1);
        size_t n;
        unsigned char *buf = slurp(path, &n);
        /* write:2 lets the first commit through */
        ck_assert_uint_eq(n, i == 4 ? 4 : 6);
        free(buf);
    }
}
END_TEST

START_TEST(atomic_modes)
{
    ts_error err = {0};
    ts_atomic a = {0};
    mode_t old = umask(022);
    ck_assert_int_eq(ts_atomic_open(&a, path, &err), 0);
    ck_assert_int_eq(ts_atomic_commit(&a, &err), 0);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0644);
    /* a replaced file keeps its mode */
    ck_assert_int_eq(chmod(path, 0600), 0);
    ck_assert_int_eq(ts_atomic_open(&a, path, &err), 0);
    ck_assert_int_eq(ts_atomic_commit(&a, &err), 0);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    umask(old);
}
END_TEST

START_TEST(atomic_special_paths)
{
    ts_error err = {0};
    ts_atomic a = {0};
    /* a device is written in place, never replaced */
    ck_assert_int_eq(ts_atomic_open(&a, "/dev/null", &err), 0);
    ck_assert_ptr_null(a.tmp);
    fputs("x", a.f);
    ck_assert_int_eq(ts_atomic_commit(&a, &err), 0);
    struct stat st;
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    /* "-" is stdout: flushed, not closed */
    ck_assert_int_eq(ts_atomic_open(&a, "-", &err), 0);
    ck_assert_ptr_eq(a.f, stdout);
    ck_assert_int_eq(ts_atomic_commit(&a, &err), 0);
    ck_assert_int_ne(fileno(stdout), -1);
    /* a directory cannot be replaced */
    ck_assert_int_eq(ts_atomic_open(&a, dir, &err), TS_ECANTCREAT);
    ck_assert_ptr_null(a.f);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot create"));
}
END_TEST

START_TEST(atomic_missing_directory)
{
    ts_error err = {0};
    ts_atomic a = {0};
    char p[600];
    snprintf(p, sizeof p, "%s/no/such/out.csv", dir);
    ck_assert_int_eq(ts_atomic_open(&a, p, &err), TS_ECANTCREAT);
    ck_assert_int_eq(err.code, TS_ECANTCREAT);
    ck_assert_ptr_nonnull(strstr(err.msg, p));
    ck_assert_ptr_nonnull(strstr(err.msg, "No such file or directory"));
    ck_assert_ptr_null(a.f);
    ck_assert_ptr_null(a.tmp);
    ck_assert_ptr_null(a.path);
    ck_assert_int_eq(dir_entries(dir), 0);
}
END_TEST

/* ---- model file round trips ---- */

START_TEST(roundtrip_every_type)
{
    ts_mf *m = ts_mf_new();
    ts_mf_set_i64(m, "min", INT64_MIN);
    ts_mf_set_i64(m, "max", INT64_MAX);
    ts_mf_set_f64(m, "neg_zero", -0.0);
    ts_mf_set_f64(m, "inf", INFINITY);
    ts_mf_set_f64(m, "third", 1.0 / 3.0);
    ts_mf_set_str(m, "empty", "");
    ts_mf_set_str(m, "utf8", "caf\xc3\xa9 \xe2\x82\xac");
    ts_mf_set_f32s(m, "no_floats", NULL, 0);
    ts_mf_set_i64s(m, "no_ints", NULL, 0);
    ts_mf_set_strs(m, "no_strs", NULL, 0);
    const char *names[4] = {"", "x", "two words", "\xc3\xa9"};
    ts_mf_set_strs(m, "names", names, 4);
    int64_t iv[4] = {0, -1, INT64_MIN, INT64_MAX};
    ts_mf_set_i64s(m, "ints", iv, 4);
    /* 300k floats with arbitrary bit patterns (NaN payloads included) */
    size_t nf = 300000;
    uint32_t *bits = malloc(nf * 4);
    for (size_t i = 0; i < nf; i++) bits[i] = (uint32_t)tu_next();
    float *fv = malloc(nf * 4);
    memcpy(fv, bits, nf * 4);
    ts_mf_set_f32s(m, "big", fv, nf);
    ts_mf_set_str(m, "replaced", "first");
    ts_mf_set_i64(m, "replaced", 7);               /* replaces, new type */

    ts_error err = {0};
    ck_assert_int_eq(ts_mf_save(m, path, &err), 0);
    ts_mf *r = NULL;
    ck_assert_int_eq(ts_mf_load(path, &r, &err), 0);
    ck_assert_ptr_nonnull(r);
    const char *keys[] = {"min", "max", "neg_zero", "inf", "third", "empty", "utf8",
                          "no_floats", "no_ints", "no_strs", "names", "ints", "big", "replaced"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        ck_assert_msg(ts_mf_has(r, keys[i]), "%s lost", keys[i]);
    ck_assert_str_eq(ts_mf_path(r), path);

    int64_t i64;
    ck_assert_int_eq(ts_mf_get_i64(r, "min", &i64, &err), 0);
    ck_assert(i64 == INT64_MIN);
    ck_assert_int_eq(ts_mf_get_i64(r, "max", &i64, &err), 0);
    ck_assert(i64 == INT64_MAX);
    ck_assert_int_eq(ts_mf_get_i64(r, "replaced", &i64, &err), 0);
    ck_assert(i64 == 7);
    double d;
    ck_assert_int_eq(ts_mf_get_f64(r, "neg_zero", &d, &err), 0);
    ck_assert(d == 0.0 && signbit(d));
    ck_assert_int_eq(ts_mf_get_f64(r, "inf", &d, &err), 0);
    ck_assert(isinf(d) && d > 0);
    ck_assert_int_eq(ts_mf_get_f64(r, "third", &d, &err), 0);
    ck_assert(d == 1.0 / 3.0);
    const char *s;
    ck_assert_int_eq(ts_mf_get_str(r, "empty", &s, &err), 0);
    ck_assert_str_eq(s, "");
    ck_assert_int_eq(ts_mf_get_str(r, "utf8", &s, &err), 0);
    ck_assert_str_eq(s, "caf\xc3\xa9 \xe2\x82\xac");
    const float *f;
    size_t n = 99;
    ck_assert_int_eq(ts_mf_get_f32s(r, "no_floats", &f, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    const int64_t *iv2;
    ck_assert_int_eq(ts_mf_get_i64s(r, "no_ints", &iv2, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    const char *const *sv;
    ck_assert_int_eq(ts_mf_get_strs(r, "no_strs", &sv, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(ts_mf_get_strs(r, "names", &sv, &n, &err), 0);
    ck_assert_uint_eq(n, 4);
    for (int i = 0; i < 4; i++) ck_assert_str_eq(sv[i], names[i]);
    ck_assert_int_eq(ts_mf_get_i64s(r, "ints", &iv2, &n, &err), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert(memcmp(iv2, iv, sizeof iv) == 0);
    ck_assert_int_eq(ts_mf_get_f32s(r, "big", &f, &n, &err), 0);
    ck_assert_uint_eq(n, nf);
    ck_assert(memcmp(f, bits, nf * 4) == 0);       /* bit-exact */

    /* a second save of the loaded model gives the same bytes */
    char p2[600];
    snprintf(p2, sizeof p2, "%s/copy.tsd", dir);
    ck_assert_int_eq(ts_mf_save(r, p2, &err), 0);
    size_t n1, n2;
    unsigned char *b1 = slurp(path, &n1), *b2 = slurp(p2, &n2);
    ck_assert_uint_eq(n1, n2);
    ck_assert(memcmp(b1, b2, n1) == 0);
    free(b1);
    free(b2);
    free(bits);
    free(fv);
    ts_mf_free(r);
    ts_mf_free(m);
}
END_TEST

START_TEST(exact_bytes)
{
    /* One I64 record "a" = 1, written out by hand. */
    ts_mf *m = ts_mf_new();
    ts_mf_set_i64(m, "a", 1);
    ts_error err = {0};
    ck_assert_int_eq(ts_mf_save(m, path, &err), 0);
    ts_mf_free(m);
    unsigned char want[8 + 4 + 4 + 2 + 1 + 1 + 8 + 8 + 4] = {
        'T', 'S', 'D', 'I', 'F', 'F', 0, 0x1a,
        1, 0, 0, 0,                 /* version */
        1, 0, 0, 0,                 /* one record */
        1, 0, 'a',                  /* key */
        1,                          /* I64 */
        8, 0, 0, 0, 0, 0, 0, 0,     /* payload length */
        1, 0, 0, 0, 0, 0, 0, 0,     /* payload */
    };
    fix_crc(want, sizeof want);
    size_t n;
    unsigned char *got = slurp(path, &n);
    ck_assert_uint_eq(n, sizeof want);
    ck_assert(memcmp(got, want, n) == 0);
    free(got);
}
END_TEST

START_TEST(getter_errors)
{
    save_sample(path);
    ts_mf *m = NULL;
    ts_error err = {0};
    ck_assert_int_eq(ts_mf_load(path, &m, &err), 0);
    ck_assert(ts_mf_has(m, "steps"));
    ck_assert(!ts_mf_has(m, "nope"));
    int64_t v;
    ck_assert_int_eq(ts_mf_get_i64(m, "nope", &v, &err), TS_EDATA);
    char want[700];
    snprintf(want, sizeof want, "%s: missing field 'nope'", path);
    ck_assert_str_eq(err.msg, want);
    double d;
    ck_assert_int_eq(ts_mf_get_f64(m, "steps", &d, &err), TS_EDATA);
    snprintf(want, sizeof want, "%s: field 'steps' is an integer, expected a number", path);
    ck_assert_str_eq(err.msg, want);
    const float *f;
    size_t n;
    ck_assert_int_eq(ts_mf_get_f32s(m, "shape", &f, &n, &err), TS_EDATA);
    ts_mf_free(m);

    m = ts_mf_new();
    ck_assert_int_eq(ts_mf_get_i64(m, "x", &v, &err), TS_EDATA);
    ck_assert_str_eq(err.msg, "model: missing field 'x'");
    ts_mf_free(m);
}
END_TEST

START_TEST(dump_lines)
{
    ts_mf *m = sample_model();
    int64_t many[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    ts_mf_set_i64s(m, "many", many, 10);
    ts_mf_set_str(m, "quote", "a\"b\n");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ts_mf_dump(m, out);
    fclose(out);
    ck_assert_str_eq(text,
                     "steps = 12345\n"
                     "loss = 0.125\n"
                     "name = \"sales\"\n"
                     "weights = f32[5] min -2 max 3.25 mean 0.5502\n"
                     "shape = i64[3] 4, -8, 16\n"
                     "series = str[3] \"a\", \"\", \"ccc\"\n"
                     "many = i64[10] 1, 2, 3, 4, 5, 6, 7, 8, ...\n"
                     "quote = \"a\\\"b\\n\"\n");
    free(text);
    ts_mf_free(m);
}
END_TEST

/* ---- saving ---- */

START_TEST(save_replaces_atomically)
{
    ts_mf *m = ts_mf_new();
    ts_mf_set_str(m, "v", "old");
    ts_error err = {0};
    ck_assert_int_eq(ts_mf_save(m, path, &err), 0);
    ts_mf_set_str(m, "v", "new");
    ck_assert_int_eq(ts_mf_save(m, path, &err), 0);
    ck_assert_int_eq(dir_entries(dir), 1);         /* no temp file left */
    ts_mf *r;
    ck_assert_int_eq(ts_mf_load(path, &r, &err), 0);
    const char *s;
    ck_assert_int_eq(ts_mf_get_str(r, "v", &s, &err), 0);
    ck_assert_str_eq(s, "new");
    ts_mf_free(r);
    ts_mf_free(m);
}
END_TEST

START_TEST(save_missing_directory)
{
    ts_mf *m = sample_model();
    ts_error err = {0};
    char p[600];
    snprintf(p, sizeof p, "%s/missing/model.tsd", dir);
    ck_assert_int_eq(ts_mf_save(m, p, &err), TS_ECANTCREAT);
    ck_assert_ptr_nonnull(strstr(err.msg, p));
    ck_assert_int_eq(dir_entries(dir), 0);
    ts_mf_free(m);
}
END_TEST

/* ---- loading damaged files ---- */

START_TEST(load_missing_and_special)
{
    char p[600];
    snprintf(p, sizeof p, "%s/absent.tsd", dir);
    expect_load_error(p, TS_ENOINPUT, "cannot open (No such file or directory)");
    expect_load_error(dir, TS_ENOINPUT, "cannot open");
    ck_assert_int_eq(ts_modelfile_probe(p), 0);
    ck_assert_int_eq(ts_modelfile_probe(dir), 0);
}
END_TEST

START_TEST(load_wrong_magic_and_version)
{
    const char *csv = "date,value\n2024-01-01,3\n";
    spit(path, csv, strlen(csv));
    expect_load_error(path, TS_EDATA, "not a tsdiff model file");
    ck_assert_int_eq(ts_modelfile_probe(path), 0);
    spit(path, "TSDIFF", 6);                       /* a prefix of the magic */
    expect_load_error(path, TS_EDATA, "truncated model file");

    save_sample(path);
    ck_assert_int_eq(ts_modelfile_probe(path), 1);
    size_t n;
    unsigned char *buf = slurp(path, &n);
    put_le(buf + 8, 2, 4);
    fix_crc(buf, n);
    spit(path, buf, n);
    char want[700];
    snprintf(want, sizeof want,
             "%s: model format version 2 is not supported (this tsdiff reads 1)", path);
    ts_error err = {0};
    ts_mf *m;
    ck_assert_int_eq(ts_mf_load(path, &m, &err), TS_EDATA);
    ck_assert_str_eq(err.msg, want);
    ck_assert_int_eq(ts_modelfile_probe(path), 1);
    free(buf);
}
END_TEST

START_TEST(load_every_flipped_byte)
{
    save_sample(path);
    size_t n;
    unsigned char *good = slurp(path, &n);
    unsigned char *buf = malloc(n);
    char p[600];
    snprintf(p, sizeof p, "%s/flipped.tsd", dir);
    const unsigned char flips[3] = {0x01, 0x80, 0xff};
    for (size_t off = 0; off < n; off++)
        for (int k = 0; k < 3; k++) {
            memcpy(buf, good, n);
            buf[off] ^= flips[k];
            spit(p, buf, n);
            expect_load_error(p, TS_EDATA, NULL);
            if (off >= 16) expect_load_error(p, TS_EDATA, "model file");
        }
    free(buf);
    free(good);
}
END_TEST

START_TEST(load_every_truncation)
{
    save_sample(path);
    size_t n;
    unsigned char *good = slurp(path, &n);
    char p[600];
    snprintf(p, sizeof p, "%s/short.tsd", dir);
    for (size_t len = 0; len < n; len++) {
        spit(p, good, len);
        expect_load_error(p, TS_EDATA, "truncated model file");
    }
    /* one byte too many is not a truncation but still an error */
    unsigned char *longer = malloc(n + 1);
    memcpy(longer, good, n);
    longer[n] = 0;
    spit(p, longer, n + 1);
    expect_load_error(p, TS_EDATA, NULL);
    free(longer);
    free(good);
}
END_TEST

/* A hand-built file: header, then records appended, then a valid CRC. */
typedef struct builder {
    unsigned char b[512];
    size_t n;
} builder;

static void b_bytes(builder *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void b_le(builder *b, uint64_t v, int bytes)
{
    put_le(b->b + b->n, v, bytes);
    b->n += (size_t)bytes;
}

static void b_start(builder *b, uint32_t count)
{
    b->n = 0;
    b_bytes(b, "TSDIFF\0\x1a", 8);
    b_le(b, 1, 4);
    b_le(b, count, 4);
}

static void b_rec(builder *b, const char *key, int type, uint64_t len, const void *payload,
                  size_t payload_bytes)
{
    b_le(b, strlen(key), 2);
    b_bytes(b, key, strlen(key));
    b_le(b, (uint64_t)type, 1);
    b_le(b, len, 8);
    b_bytes(b, payload, payload_bytes);
}

static void b_finish(builder *b, const char *p)
{
    b->n += 4;
    fix_crc(b->b, b->n);
    spit(p, b->b, b->n);
}

START_TEST(load_malformed_records)
{
    builder b;
    const unsigned char eight[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    char want[700];
#define EXPECT_RECORD(k)                                                        \
    do {                                                                        \
        snprintf(want, sizeof want, "%s: corrupt model file (record %d)", path, k); \
        expect_load_error(path, TS_EDATA, want);                                \
    } while (0)

    b_start(&b, 2);                                /* fine, then a bad type */
    b_rec(&b, "ok", TS_MF_I64, 8, eight, 8);
    b_rec(&b, "t", 7, 8, eight, 8);
    b_finish(&b, path);
    EXPECT_RECORD(2);

    b_start(&b, 1);                                /* I64 of 4 bytes */
    b_rec(&b, "i", TS_MF_I64, 4, eight, 4);
    b_finish(&b, path);
    EXPECT_RECORD(1);

    b_start(&b, 1);                                /* F32 array, 6 bytes */
    b_rec(&b, "f", TS_MF_F32ARRAY, 6, eight, 6);
    b_finish(&b, path);
    EXPECT_RECORD(1);

    b_start(&b, 1);                                /* I64 array, 12 bytes */
    b_rec(&b, "f", TS_MF_I64ARRAY, 12, "012345678901", 12);
    b_finish(&b, path);
    EXPECT_RECORD(1);

    b_start(&b, 1);                                /* NUL inside a string */
    b_rec(&b, "s", TS_MF_STR, 3, "a\0b", 3);
    b_finish(&b, path);
    EXPECT_RECORD(1);

    b_start(&b, 1);                                /* empty key */
    b_rec(&b, "", TS_MF_I64, 8, eight, 8);
    b_finish(&b, path);
    EXPECT_RECORD(1);

    b_start(&b, 1);                                /* control char in key */
    b_rec(&b, "a\tb", TS_MF_I64, 8, eight, 8);
    b_finish(&b, path);
    EXPECT_RECORD(1);

    b_start(&b, 3);                                /* duplicate key */
    b_rec(&b, "x", TS_MF_I64, 8, eight, 8);
    b_rec(&b, "y", TS_MF_I64, 8, eight, 8);
    b_rec(&b, "x", TS_MF_F64, 8, eight, 8);
    b_finish(&b, path);
    EXPECT_RECORD(3);

    b_start(&b, 1);                                /* payload past the end */
    b_rec(&b, "p", TS_MF_STR, 1000, "abc", 3);
    b_finish(&b, path);
    EXPECT_RECORD(1);

    b_start(&b, 1);                                /* length 2^64 - 1 */
    b_rec(&b, "p", TS_MF_STR, UINT64_MAX, "abc", 3);
    b_finish(&b, path);
    EXPECT_RECORD(1);

    b_start(&b, 2);                                /* count says 2, has 1 */
    b_rec(&b, "a", TS_MF_I64, 8, eight, 8);
    b_finish(&b, path);
    EXPECT_RECORD(2);

    b_start(&b, 0xffffffffu);                      /* absurd count */
    b_finish(&b, path);
    expect_load_error(path, TS_EDATA, "corrupt model file");

    b_start(&b, 0);                                /* bytes after the records */
    b_le(&b, 0, 2);
    b_finish(&b, path);
    expect_load_error(path, TS_EDATA, "corrupt model file (data after the last record)");

    /* string arrays: count too large, item past the end, NUL, slack */
    unsigned char sa[16];
    put_le(sa, 1000, 4);
    b_start(&b, 1);
    b_rec(&b, "s", TS_MF_STRARRAY, 4, sa, 4);
    b_finish(&b, path);
    EXPECT_RECORD(1);
    put_le(sa, 1, 4);
    put_le(sa + 4, 9, 4);
    memcpy(sa + 8, "abcd", 4);
    b_start(&b, 1);
    b_rec(&b, "s", TS_MF_STRARRAY, 12, sa, 12);
    b_finish(&b, path);
    EXPECT_RECORD(1);
    put_le(sa + 4, 4, 4);
    memcpy(sa + 8, "ab\0d", 4);
    b_start(&b, 1);
    b_rec(&b, "s", TS_MF_STRARRAY, 12, sa, 12);
    b_finish(&b, path);
    EXPECT_RECORD(1);
    memcpy(sa + 8, "abcdXY", 6);
    b_start(&b, 1);
    b_rec(&b, "s", TS_MF_STRARRAY, 14, sa, 14);
    b_finish(&b, path);
    EXPECT_RECORD(1);
    b_start(&b, 1);                                /* and the good one loads */
    b_rec(&b, "s", TS_MF_STRARRAY, 12, sa, 12);
    b_finish(&b, path);
    ts_mf *m;
    ts_error err = {0};
    ck_assert_int_eq(ts_mf_load(path, &m, &err), 0);
    const char *const *sv;
    size_t n;
    ck_assert_int_eq(ts_mf_get_strs(m, "s", &sv, &n, &err), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(sv[0], "abcd");
    ts_mf_free(m);
#undef EXPECT_RECORD
}
END_TEST

/* Random bytes, and random damage to a good file with the CRC made to
 * match (so the record parser itself sees the garbage): never a crash, and
 * either a clean load or one TS_EDATA line. */
START_TEST(load_garbage_never_crashes)
{
    save_sample(path);
    size_t n;
    unsigned char *good = slurp(path, &n);
    unsigned char *buf = malloc(n + 64);
    char p[600];
    snprintf(p, sizeof p, "%s/garbage.tsd", dir);
    int loaded = 0;
    for (int it = 0; it < 3000; it++) {
        size_t len;
        if (it % 3 == 0) {                         /* pure noise */
            len = tu_next() % 200;
            for (size_t i = 0; i < len; i++) buf[i] = (unsigned char)tu_next();
            if (len >= 16 && it % 2) { memcpy(buf, good, 12); }
        } else {                                   /* damaged good file */
            len = n - (it % 5 == 0 ? tu_next() % 8 : 0);
            memcpy(buf, good, len);
            int hits = 1 + (int)(tu_next() % 4);
            for (int h = 0; h < hits; h++) buf[16 + tu_next() % (len - 20)] = (unsigned char)tu_next();
        }
        if (len >= 20 && (it % 3 != 0 || it % 2)) fix_crc(buf, len);
        spit(p, buf, len);
        ts_error err = {0};
        ts_mf *m = NULL;
        int rc = ts_mf_load(p, &m, &err);
        ck_assert_msg(rc == 0 || rc == TS_EDATA, "rc %d: %s", rc, err.msg);
        if (rc == 0) {
            loaded++;
            FILE *devnull = fopen("/dev/null", "w");
            ts_mf_dump(m, devnull);                /* the dump must cope too */
            fclose(devnull);
            ts_mf_free(m);
        } else {
            ck_assert_ptr_null(m);
            ck_assert(strncmp(err.msg, p, strlen(p)) == 0);
        }
    }
    ck_assert_int_lt(loaded, 3000);
    free(buf);
    free(good);
}
END_TEST

static Suite *modelfile_suite(void)
{
    Suite *s = suite_create("modelfile");
    TCase *tc = tcase_create("crc");
    tcase_add_test(tc, crc_check_value);
    tcase_add_test(tc, crc_long_buffers);
    suite_add_tcase(s, tc);

    tc = tcase_create("atomic");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, atomic_commit_and_abort);
    tcase_add_test(tc, atomic_faults);
    tcase_add_test(tc, atomic_modes);
    tcase_add_test(tc, atomic_special_paths);
    tcase_add_test(tc, atomic_missing_directory);
    suite_add_tcase(s, tc);

    tc = tcase_create("roundtrip");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, roundtrip_every_type);
    tcase_add_test(tc, exact_bytes);
    tcase_add_test(tc, getter_errors);
    tcase_add_test(tc, dump_lines);
    tcase_add_test(tc, save_replaces_atomically);
    tcase_add_test(tc, save_missing_directory);
    suite_add_tcase(s, tc);

    tc = tcase_create("damage");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, load_missing_and_special);
    tcase_add_test(tc, load_wrong_magic_and_version);
    tcase_add_test(tc, load_every_flipped_byte);
    tcase_add_test(tc, load_every_truncation);
    tcase_add_test(tc, load_malformed_records);
    tcase_add_test(tc, load_garbage_never_crashes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(modelfile_suite()); }
