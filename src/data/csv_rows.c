/* csv_rows.c - what each row means: the header, the roles of the columns
 * (time, ids, values, series), parsing cells, and storing every data row
 * (wide) or observation (long) as numbers. */
#include "data/csv_internal.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- cells ---- */

/* Field i of the current row, trimmed of blanks, NUL-terminated in place;
 * "" for a field the row lacks. */
char *csv_cell(csv_reader *r, size_t i)
{
    if (i >= r->nf) return "";
    char *s = r->buf + r->f[i].off;
    size_t n = r->f[i].len;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    return s;
}

static uint64_t cell_line(const csv_reader *r, size_t i)
{
    return r->f[i < r->nf ? i : r->nf - 1].line;
}

static int same_word(const char *a, const char *b)
{
    while (*a && tolower((unsigned char)*a) == tolower((unsigned char)*b)) a++, b++;
    return *a == '\0' && *b == '\0';
}

static int is_missing(const char *s)
{
    if (*s != 'n' && *s != 'N') return *s == '\0';  /* the common case: a number */
    return same_word(s, "na") || same_word(s, "nan") || same_word(s, "null") || same_word(s, "n/a");
}

/* A whole decimal number: [+-]digits[.digits][e[+-]digits]. 0, -1 if s is
 * not one, or 1 if it has a nonzero digit but is too small for a double
 * (*out is then 0). Short numbers take the exact fast path (at most 15 significant digits
 * times a power of ten up to 1e22 is correctly rounded in double); the rest
 * go to strtod. Either way the double is the one strtod would give. */
static int parse_number(const char *s, double *out)
{
    static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s;
    uint64_t mant = 0;
    int sig = 0, nd = 0, neg = 0;
    long scale = 0, ex = 0;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    for (; *p >= '0' && *p <= '9'; p++, nd++) {
        if (sig == 0 && *p == '0') continue;
        if (sig < 19) mant = mant * 10 + (uint64_t)(*p - '0'), sig++;
        else scale++;
    }
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, nd++) {
            if (sig == 0 && *p == '0') scale--;
            else if (sig < 19) mant = mant * 10 + (uint64_t)(*p - '0'), sig++, scale--;
        }
    if (nd == 0) return -1;
    if (*p == 'e' || *p == 'E') {
        int eneg = 0;
        p++;
        if (*p == '+' || *p == '-') eneg = *p++ == '-';
        if (*p < '0' || *p > '9') return -1;
        for (; *p >= '0' && *p <= '9'; p++)
            if (ex < 100000) ex = ex * 10 + (*p - '0');
        if (eneg) ex = -ex;
    }
    if (*p) return -1;
    long e = scale + ex;
    double d;
    if (mant == 0) d = 0;
    else if (sig <= 15 && e >= -22 && e <= 22) d = e < 0 ? (double)mant / p10[-e] : (double)mant * p10[e];
    else d = fabs(strtod(s, NULL));
    *out = neg ? -d : d;
    return d == 0 && mant != 0;
}

/* CSV_CELL_RANGE and CSV_CELL_TINY (>= CSV_CELL_RANGE, csv_internal.h): a
 * number outside a float's range */

/* Like overflow, a nonzero number below the normal floats (it would be read
 * as 0 or as a subnormal that loses digits and slows the arithmetic) is an
 * error, not a silent change of the data. */
int csv_number_cell(const char *s, float *v)
{
    double d;
    if (is_missing(s)) {
        *v = NAN;
        return CSV_CELL_MISSING;
    }
    int rc = parse_number(s, &d);
    if (rc < 0) return CSV_CELL_BAD;
    *v = (float)d;
    if (rc > 0 || (d != 0 && fabsf(*v) < FLT_MIN)) return CSV_CELL_TINY;
    return isfinite(*v) ? CSV_CELL_NUMBER : CSV_CELL_RANGE;
}

/* "12,5" or "-1,234": a number written with a decimal comma (or a
 * thousands separator) - an error wherever it appears, never text. */
static int decimal_comma(const char *s)
{
    const char *p = s + (*s == '+' || *s == '-');
    size_t a = strspn(p, "0123456789");
    if (a == 0 || p[a] != ',') return 0;
    size_t b = strspn(p + a + 1, "0123456789");
    return b > 0 && p[a + 1 + b] == '\0';
}

static int utf8_valid(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s++;
        int more;
        unsigned min, cp;
        if (c < 0x80) continue;
        else if ((c & 0xE0) == 0xC0) more = 1, min = 0x80, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0) more = 2, min = 0x800, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0) more = 3, min = 0x10000, cp = c & 0x07;
        else return 0;
        for (int i = 0; i < more; i++, s++) {
            if ((*s & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (*s & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    }
    return 1;
}

static uint32_t line32(uint64_t line) { return line > UINT32_MAX ? UINT32_MAX : (uint32_t)line; }

int csv_bad_number(csv_reader *r, size_t col, const char *s, int st)
{
    char show[80];
    return csv_fail(r, TS_EDATA, cell_line(r, col), col + 1,
                    st == CSV_CELL_RANGE  ? "number out of range for a float: \"%s\""
                    : st == CSV_CELL_TINY ? "number too small for a float: \"%s\""
                                      : "expected a number, found \"%s\"",
                    csv_show(s, show, sizeof show));
}

static int time_cell(csv_reader *r, int64_t *t)
{
    char show[80];
    const char *s = csv_cell(r, (size_t)r->time_col);
    if (ts_time_parse(s, r->tform, t) == 0) return 0;
    return csv_fail(r, TS_EDATA, cell_line(r, (size_t)r->time_col), (size_t)r->time_col + 1,
                    "expected a timestamp, found \"%s\"", csv_show(s, show, sizeof show));
}

/* ---- the header and the roles of the columns ---- */

/* "a, b, c, ..." for messages. */
static const char *col_list(const csv_reader *r, int role, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->ncols && n + 8 < size; i++) {
        if (!r->cols[i].name[0] || (role >= 0 && (int)r->cols[i].role != role)) continue;
        char show[80];
        int k = snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
                         csv_show(r->cols[i].name, show, sizeof show));
        if (k < 0 || (size_t)k >= size - n) {
            snprintf(buf + n, size - n, "%s...", n ? ", " : "");
            break;
        }
        n += (size_t)k;
    }
    return buf;
}

/* A column given as an option: its exact name, or a 1-based number. */
int csv_find_col(csv_reader *r, const csv_map *names, const char *opt, const char *want)
{
    char list[300];
    size_t i = csv_map_get(names, want, csv_hash(want));
    if (i != (size_t)-1) return (int)i;
    if (*want && strspn(want, "0123456789") == strlen(want) && strlen(want) < 8) {
        long k = atol(want);
        if (k >= 1 && (size_t)k <= r->ncols) return (int)(k - 1);
    }
    csv_fail(r, TS_EUSAGE, 0, 0, "no column \"%s\" for --%s (columns: %s)", want, opt,
             col_list(r, -1, list, sizeof list));
    return -1;
}

/* Bind --time-col, --value-col and --id-col to columns. */
static int bind_options(csv_reader *r, const csv_map *names)
{
    const ts_csv_opts *o = r->o;
    int used[2 + TS_CSV_MAX_ID_COLS], nused = 0;
    const char *what[2 + TS_CSV_MAX_ID_COLS];
    char show[80];
    if (o->time_col && (r->time_col = csv_find_col(r, names, "time-col", o->time_col)) < 0) return r->rc;
    if (r->time_col >= 0) used[nused] = r->time_col, what[nused++] = "--time-col";
    if (o->value_col && (r->value_col = csv_find_col(r, names, "value-col", o->value_col)) < 0)
        return r->rc;
    if (r->value_col >= 0) used[nused] = r->value_col, what[nused++] = "--value-col";
    for (int k = 0; k < o->n_id_cols && k < TS_CSV_MAX_ID_COLS; k++) {
        if ((r->id_col[k] = csv_find_col(r, names, "id-col", o->id_cols[k])) < 0) return r->rc;
        r->cols[r->id_col[k]].role = ROLE_ID;
        used[nused] = r->id_col[k], what[nused++] = "--id-col";
        r->n_id++;
    }
    for (int a = 0; a < nused; a++)
        for (int b = a + 1; b < nused; b++)
            if (used[a] == used[b])
                return csv_fail(r, TS_EUSAGE, 0, 0, "column \"%s\" is given to both %s and %s",
                                csv_show(r->cols[used[a]].name, show, sizeof show), what[a],
                                what[b]);
    return csv_cov_bind(r, names);
}

static int do_header(csv_reader *r)
{
    csv_map names = {0};
    size_t nnum = 0, nnamed = 0;
    char show[80];
    r->ncols = r->nf;
    r->cols = ts_xcalloc(r->nf, sizeof *r->cols);
    for (size_t i = 0; i < r->nf; i++) {
        char v[32];
        snprintf(v, sizeof v, "V%zu", i + 1);
        const char *s = r->o->no_header ? v : csv_cell(r, i);
        double d;
        if (!utf8_valid((const unsigned char *)s))
            return csv_fail(r, TS_EDATA, cell_line(r, i), i + 1, "invalid UTF-8 in a column name");
        r->cols[i].name = ts_xstrdup(s);
        if (*s) nnamed++;
        if (*s && parse_number(s, &d) == 0) nnum++;
    }
    if (nnamed && nnum == nnamed && !r->o->no_header)
        return csv_fail(r, TS_EDATA, r->f[0].line, 1,
                        "the first line holds numbers, not column names "
                        "(use --no-header for a file without a header)");
    r->trailing_empty = r->ncols > 1 && r->cols[r->ncols - 1].name[0] == '\0';
    for (size_t i = 0; i < r->ncols && !r->rc; i++) {
        const char *s = r->cols[i].name;
        if (!*s) continue;
        uint64_t h = csv_hash(s);
        size_t j = csv_map_get(&names, s, h);
        if (j != (size_t)-1)
            csv_fail(r, TS_EDATA, cell_line(r, i), i + 1,
                     "duplicate column name \"%s\" (also column %zu)", csv_show(s, show, sizeof show),
                     j + 1);
        else
            csv_map_put(&names, s, h, i);
    }
    if (!r->rc) bind_options(r, &names);
    csv_map_free(&names);
    return r->rc;
}

/* Header names that make a column the time column (2), or let a column
 * found by its content hold integers (1: a 4-digit year). */
static int time_name(const char *s)
{
    static const char *const names[] = {"date", "time",  "timestamp", "datetime", "ds",
                                        "epoch", "unix", "unix_time", "unixtime"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (same_word(s, names[i])) return 2;
    return same_word(s, "year");
}

/* On the first data row: find the time column, the value column (long
 * format) and the series columns (wide format). */
static int decide_roles(csv_reader *r)
{
    char show[80], list[300];
    for (size_t j = 0; j < r->ncols && r->time_col < 0; j++)  /* a column named "date" ... */
        if (time_name(r->cols[j].name) == 2 && r->cols[j].role == ROLE_SKIP &&
            (int)j != r->value_col)
            r->time_col = (int)j;
    if (r->time_col >= 0) {
        const char *s = csv_cell(r, (size_t)r->time_col);
        if ((r->tform = ts_time_sniff(s, 1)) == TS_TFORM_NONE)
            return csv_fail(r, TS_EDATA, cell_line(r, (size_t)r->time_col), (size_t)r->time_col + 1,
                            "expected a timestamp, found \"%s\"", csv_show(s, show, sizeof show));
    } else {  /* ... or else the first column whose first value is a date */
        for (size_t j = 0; j < r->ncols && r->time_col < 0; j++) {
            csv_col *c = &r->cols[j];
            if (!c->name[0] || c->role == ROLE_ID || c->role == ROLE_COV || (int)j == r->value_col)
                continue;
            ts_time_form form = ts_time_sniff(csv_cell(r, j), time_name(c->name));
            if (form != TS_TFORM_NONE) r->time_col = (int)j, r->tform = form;
        }
    }
    if (r->time_col >= 0) r->cols[r->time_col].role = ROLE_TIME;

    if (r->n_id > 0 && r->value_col < 0 && !r->o->cov_only) {
        size_t n = 0;
        for (size_t j = 0; j < r->ncols; j++)
            if (r->cols[j].name[0] && r->cols[j].role == ROLE_SKIP) n++, r->value_col = (int)j;
        if (n != 1) {
            for (size_t j = 0; j < r->ncols; j++)
                if (r->cols[j].role == ROLE_SKIP) r->cols[j].role = ROLE_SERIES;  /* for the list */
            return csv_fail(r, TS_EUSAGE, 0, 0, "name the column of values with --value-col (%s%s)",
                            n ? "candidates: " : "no column is left",
                            n ? col_list(r, ROLE_SERIES, list, sizeof list) : "");
        }
    }
    if (r->o->cov_all && r->n_id == 0 && r->value_col < 0 && !r->o->cov_only)
        return csv_fail(r, TS_EUSAGE, 0, 0, "--covariates all in a wide file needs --value-col "
                        "(the one column that is the series)");
    if (r->n_id > 0 || r->o->cov_only) {
        if (r->value_col >= 0) r->cols[r->value_col].role = ROLE_VALUE;
    } else if (r->value_col >= 0) {
        r->cols[r->value_col].role = ROLE_SERIES;
        r->cols[r->value_col].kind = KIND_NUMBER;  /* named: must be numbers */
    } else {
        for (size_t j = 0; j < r->ncols; j++)
            if (r->cols[j].name[0] && r->cols[j].role == ROLE_SKIP) r->cols[j].role = ROLE_SERIES;
    }
    csv_cov_mark_all(r);
    r->roles_done = 1;
    r->first_data_line = r->f[0].line;
    return 0;
}

/* ---- storing data ---- */

static void grow_wide(csv_reader *r)
{
    r->rcap = r->rcap ? 2 * r->rcap : 16;
    r->t = ts_xrealloc(r->t, r->rcap * sizeof *r->t);
    r->tl = ts_xrealloc(r->tl, r->rcap * sizeof *r->tl);
    for (size_t j = 0; j < r->ncols; j++)
        if (r->cols[j].role == ROLE_SERIES && r->cols[j].kind != KIND_TEXT)
            r->cols[j].v = ts_xrealloc(r->cols[j].v, r->rcap * sizeof(float));
}

static int store_wide(csv_reader *r)
{
    int64_t t = (int64_t)r->nrows;
    if (r->nrows == r->rcap) grow_wide(r);
    if (r->time_col >= 0 && time_cell(r, &t)) return r->rc;
    for (size_t j = 0; j < r->ncols; j++) {
        csv_col *c = &r->cols[j];
        if (c->role != ROLE_SERIES || c->kind == KIND_TEXT) continue;
        const char *s = csv_cell(r, j);
        float v;
        int st = csv_number_cell(s, &v);
        if (st >= CSV_CELL_RANGE || (st == CSV_CELL_BAD && (c->kind == KIND_NUMBER || decimal_comma(s))))
            return csv_bad_number(r, j, s, st);
        if (st == CSV_CELL_BAD) {  /* a text column: left out */
            c->kind = KIND_TEXT;
            c->text_line = cell_line(r, j);
            free(c->v);
            c->v = NULL;
            continue;
        }
        if (st == CSV_CELL_NUMBER) c->kind = KIND_NUMBER, c->seen = 1;
        c->v[r->nrows] = v;
    }
    if (csv_cov_store(r, r->nrows)) return r->rc;
    r->t[r->nrows] = t;
    r->tl[r->nrows++] = line32(r->f[0].line);
    return 0;
}

/* The series named by the current row's ids, created on first sight. */
static csv_lseries *long_series(csv_reader *r)
{
    char show[80];
    size_t n = 0;
    for (int k = 0; k < r->n_id; k++) {
        size_t j = (size_t)r->id_col[k];
        const char *s = csv_cell(r, j);
        size_t len = strlen(s);
        if (!*s) {
            csv_fail(r, TS_EDATA, cell_line(r, j), j + 1, "empty id in column \"%s\"",
                     csv_show(r->cols[j].name, show, sizeof show));
            return NULL;
        }
        if (!utf8_valid((const unsigned char *)s)) {
            csv_fail(r, TS_EDATA, cell_line(r, j), j + 1, "invalid UTF-8 in an id: \"%s\"",
                     csv_show(s, show, sizeof show));
            return NULL;
        }
        if (n + len + 2 > r->keycap) {
            r->keycap = 2 * (n + len + 2);
            r->key = ts_xrealloc(r->key, r->keycap);
        }
        if (k) r->key[n++] = '/';
        memcpy(r->key + n, s, len);
        n += len;
    }
    r->key[n] = '\0';
    uint64_t h = csv_hash(r->key);
    size_t i = csv_map_get(&r->smap, r->key, h);
    if (i == (size_t)-1) {
        if (r->nls == r->lscap) {
            r->lscap = r->lscap ? 2 * r->lscap : 16;
            r->ls = ts_xrealloc(r->ls, r->lscap * sizeof *r->ls);
        }
        i = r->nls++;
        r->ls[i] = (csv_lseries){ts_xstrdup(r->key), NULL, 0, 0};
        csv_map_put(&r->smap, r->ls[i].name, h, i);
    }
    return &r->ls[i];
}

static int store_long(csv_reader *r)
{
    int64_t t = 0;
    float v;
    if (r->time_col >= 0 && time_cell(r, &t)) return r->rc;
    csv_lseries *s = long_series(r);
    if (!s) return r->rc;
    const char *vs = r->value_col >= 0 ? csv_cell(r, (size_t)r->value_col) : "";
    int st = csv_number_cell(vs, &v);
    if (st == CSV_CELL_BAD || st >= CSV_CELL_RANGE) return csv_bad_number(r, (size_t)r->value_col, vs, st);
    if (csv_cov_store(r, r->ncrows)) return r->rc;
    if (r->time_col < 0) t = (int64_t)s->n;  /* no time: the row order */
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4;
        s->obs = ts_xrealloc(s->obs, s->cap * sizeof *s->obs);
    }
    s->obs[s->n++] = (csv_obs){t, v, line32(r->f[0].line), r->ncrows - 1};
    return 0;
}

int csv_row(csv_reader *r)
{
    if (!r->header_done) {
        r->header_done = 1;
        if (do_header(r) || !r->o->no_header) return r->rc;
    }
    size_t nf = r->nf, nc = r->ncols;
    if (!(nf == nc || (nf + 1 == nc && r->trailing_empty) || (nf == nc + 1 && r->f[nc].len == 0)))
        return csv_fail(r, TS_EDATA, r->f[0].line, (nf < nc ? nf : nc) + 1,
                        "expected %zu fields, found %zu", nc, nf);
    if (!r->roles_done && decide_roles(r)) return r->rc;
    return r->n_id ? store_long(r) : store_wide(r);
}

int csv_empty_rows(csv_reader *r)
{
    size_t n = r->pending_empty;
    r->pending_empty = 0;
    if (!r->header_done) return 0;  /* before the header: nothing to say */
    if (!r->roles_done || r->n_id || r->time_col >= 0)
        return csv_fail(r, TS_EDATA, r->pending_line, 1, "every field of this row is empty");
    for (size_t i = 0; i < n; i++) {  /* no time column: the rows are missing values */
        if (r->nrows == r->rcap) grow_wide(r);
        for (size_t j = 0; j < r->ncols; j++)
            if (r->cols[j].role == ROLE_SERIES && r->cols[j].kind != KIND_TEXT)
                r->cols[j].v[r->nrows] = NAN;
        size_t nf = r->nf;
        r->nf = 0;   /* no cells: covariates missing */
        csv_cov_store(r, r->nrows);
        r->nf = nf;
        r->t[r->nrows] = (int64_t)r->nrows;
        r->tl[r->nrows++] = line32(r->pending_line + i);
    }
    return 0;
}
