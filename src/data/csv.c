/* csv.c - streaming a CSV file through libcsv: opening, the byte-order
 * mark, sniffing the delimiter, counting lines (CRLF, quoted newlines), and
 * collecting each row's fields for csv_rows.c. */
#include "data/csv_internal.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK ((size_t)64 << 10)
#define MAX_FIELD_BYTES ((size_t)64 << 20)

void ts_csv_opts_default(ts_csv_opts *o) { memset(o, 0, sizeof *o); }

int csv_fail(csv_reader *r, int code, uint64_t line, size_t col, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    if (r->rc) return r->rc;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (col) ts_fail(r->err, code, "%s:%llu:%zu: %s", r->file, (unsigned long long)line, col, what);
    else if (line) ts_fail(r->err, code, "%s:%llu: %s", r->file, (unsigned long long)line, what);
    else ts_fail(r->err, code, "%s: %s", r->file, what);
    r->rc = code;
    return code;
}

const char *csv_show(const char *s, char *buf, size_t size)
{
    size_t n = 0, max = size < 64 ? size - 4 : 60;
    while (n < max && s[n]) {
        unsigned char c = (unsigned char)s[n];
        buf[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (s[n]) {
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;  /* whole UTF-8 chars */
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* ---- libcsv callbacks ---- */

static void on_field(void *s, size_t len, void *data)
{
    csv_reader *r = data;
    const char *p = s ? s : "";
    if (r->rc) return;
    r->after_cr = 0;
    if (r->blen + len + 1 > CSV_MAX_ROW_BYTES || r->nf == CSV_MAX_FIELDS) {
        csv_fail(r, TS_EDATA, r->nf ? r->f[0].line : r->line, 0,
                 "row too long (more than %zu MiB or %zu fields)", CSV_MAX_ROW_BYTES >> 20,
                 CSV_MAX_FIELDS);
        return;
    }
    if (r->blen + len + 1 > r->bcap) {
        r->bcap = 2 * (r->blen + len + 1);
        r->buf = ts_xrealloc(r->buf, r->bcap);
    }
    if (r->nf == r->fcap) {
        r->fcap = r->fcap ? 2 * r->fcap : 64;
        r->f = ts_xrealloc(r->f, r->fcap * sizeof *r->f);
    }
    r->f[r->nf++] = (csv_field){r->blen, len, r->line};
    memcpy(r->buf + r->blen, p, len);
    r->blen += len;
    r->buf[r->blen++] = '\0';
    int nul = 0;
    uint64_t line = r->line;
    for (size_t i = 0; i < len; i++) {  /* NUL bytes, and newlines inside a quoted field */
        nul |= p[i] == '\0';
        if (p[i] == '\n' || (p[i] == '\r' && (i + 1 == len || p[i + 1] != '\n'))) r->line++;
    }
    if (nul) csv_fail(r, TS_EDATA, line, r->nf, "NUL byte in a field (is this a text file?)");
}

static void on_row(int c, void *data)
{
    csv_reader *r = data;
    if (r->rc) return;
    if (c == '\n' && r->after_cr && r->nf == 0) {  /* the LF of a CRLF */
        r->after_cr = 0;
        return;
    }
    /* Blank lines are skipped. Rows whose fields are all empty (";;;") are
     * held back: at the end of the file they are skipped too, before more
     * data csv_empty_rows decides what they mean. */
    int empty = 1;
    for (size_t i = 0; i < r->nf && empty; i++) empty = r->f[i].len == 0;
    if (empty && r->nf > 1) {
        if (r->pending_empty++ == 0) r->pending_line = r->f[0].line;
    } else if (!empty) {
        if (r->pending_empty == 0 || csv_empty_rows(r) == 0) csv_row(r);
    }
    if (c == '\n' || c == '\r') r->line++;
    r->after_cr = c == '\r';
    r->nf = 0;
    r->blen = 0;
}

/* The delimiter of the header line: the most frequent of , ; and tab
 * outside quotes (ties in that order); a comma when there is none. */
static char sniff_delimiter(const char *s, size_t n)
{
    size_t i = 0, count[3] = {0, 0, 0};
    int quoted = 0;
    while (i < n && (s[i] == '\r' || s[i] == '\n')) i++;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '"') quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r')) break;
        else if (!quoted && c == ',') count[0]++;
        else if (!quoted && c == ';') count[1]++;
        else if (!quoted && c == '\t') count[2]++;
    }
    if (count[1] > count[0] && count[1] >= count[2]) return ';';
    if (count[2] > count[0] && count[2] > count[1]) return '\t';
    return ',';
}

/* Feed the stream to libcsv, chunk by chunk. */
static int parse_stream(csv_reader *r, FILE *fp)
{
    struct csv_parser p;
    char *chunk = ts_xmalloc(CHUNK);
    size_t n;
    int first = 1;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0)
        ts_die_internal(__FILE__, __LINE__, "csv_init failed");
    csv_set_blk_size(&p, CHUNK);
    while (!r->rc && (n = fread(chunk, 1, CHUNK, fp)) > 0) {
        const char *s = chunk;
        if (first) {
            if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, n -= 3;
            csv_set_delim(&p, (unsigned char)(r->o->delimiter ? r->o->delimiter
                                                              : sniff_delimiter(s, n)));
            first = 0;
        }
        size_t done = csv_parse(&p, s, n, on_field, on_row, r);
        if (r->rc) break;
        if (done < n || csv_error(&p) != CSV_SUCCESS) {
            if (csv_error(&p) == CSV_EPARSE)
                csv_fail(r, TS_EDATA, r->line, r->nf + 1,
                         "bad quoting: a quote inside a field must be doubled and the field quoted");
            else
                ts_die_internal(__FILE__, __LINE__, csv_strerror(csv_error(&p)));
        } else if (csv_get_buffer_size(&p) > MAX_FIELD_BYTES) {
            csv_fail(r, TS_EDATA, r->line, r->nf + 1,
                     "field longer than %zu MiB (a quote not closed?)", MAX_FIELD_BYTES >> 20);
        }
    }
    if (!r->rc && ferror(fp))
        ts_fail(r->err, r->rc = TS_ENOINPUT, "%s: cannot read: %s", r->file, strerror(errno));
    if (!r->rc && csv_fini(&p, on_field, on_row, r) != 0)
        csv_fail(r, TS_EDATA, r->line, r->nf + 1, "quoted field not closed at the end of the file");
    csv_free(&p);
    free(chunk);
    return r->rc;
}

void csv_reader_free(csv_reader *r)
{
    free(r->buf);
    free(r->f);
    for (size_t i = 0; i < r->ncols; i++) {
        free(r->cols[i].name);
        free(r->cols[i].v);
        csv_cov_free(&r->cols[i]);
    }
    free(r->cols);
    free(r->t);
    free(r->tl);
    for (size_t i = 0; i < r->nls; i++) {
        free(r->ls[i].name);
        free(r->ls[i].obs);
    }
    free(r->ls);
    csv_map_free(&r->smap);
    free(r->key);
}

int ts_csv_read_file(FILE *fp, const char *name, const ts_csv_opts *o, ts_series_set *out,
                     ts_error *err)
{
    csv_reader r;
    memset(out, 0, sizeof *out);
    memset(&r, 0, sizeof r);
    r.file = name;
    r.o = o;
    r.err = err;
    r.line = 1;
    r.time_col = r.value_col = -1;
    int rc = parse_stream(&r, fp);
    if (!rc) rc = csv_finish(&r, out);
    if (!rc) out->source = ts_xstrdup(name);
    csv_reader_free(&r);
    return rc;
}

int ts_csv_read(const char *path, const ts_csv_opts *o, ts_series_set *out, ts_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    memset(out, 0, sizeof *out);
    ts_freq f;
    if (o->freq && ts_freq_parse(o->freq, &f, err)) return TS_EUSAGE;  /* before a long read */
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp) return ts_fail(err, TS_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
    int rc = ts_csv_read_file(fp, is_stdin ? "stdin" : path, o, out, err);
    if (!rc && is_stdin) {
        free(out->source);
        out->source = ts_xstrdup(path);
    }
    if (!is_stdin) fclose(fp);
    return rc;
}
