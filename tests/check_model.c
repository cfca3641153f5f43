/* check_model.c - the model (model/model.h): the network part and the
 * optional fit record, saved and loaded field for field; network-only files;
 * the fit group all there or all absent; the old fixtures.
 *
 * `check_model --net-only IN OUT` writes the network part of IN to OUT: it
 * made tests/data/model/net-only.model from tests/data/model/v1-daily.model. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/modelfile.h"
#include "model/model.h"
#include "testutil.h"

#define FIXTURES TSDIFF_SRCDIR "/tests/data/model/"

static char dir[256];
static char path[512];

static void setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/check_model.XXXXXX", t && *t ? t : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/m.model", dir);
}

static void teardown(void)
{
    unlink(path);
    rmdir(dir);
}

static float *random_floats(size_t n)
{
    float *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = (float)tu_normal();
    return v;
}

/* v1-daily.model with every field of the fit record set to something a
 * round trip can get wrong: CSV options, history, optimizer state. */
static void full_model(ts_model *m)
{
    ts_error err = {0};
    ck_assert_int_eq(ts_model_load(FIXTURES "v1-daily.model", m, &err), 0);
    ck_assert_ptr_nonnull(m->fit);
    ts_csv_opts c;
    ts_csv_opts_default(&c);
    c.time_col = "when";
    c.value_col = "qty";
    c.id_cols[0] = "store";
    c.id_cols[1] = "item";
    c.n_id_cols = 2;
    c.delimiter = ';';
    c.freq = "D";
    c.aggregate = 2;
    ts_model_set_csv(m, "/data/some file.csv", &c);
    ts_train_record *t = &m->fit->train;
    size_t n = m->net.n_params;
    t->skipped_steps = 3;
    t->val_windows = 32;
    t->select_crps = 1;
    t->seed = 12345678901ULL;
    t->params = random_floats(n);
    t->adam_m = random_floats(n);
    t->adam_v = random_floats(n);
    t->ema_now = random_floats(n);
    t->opt_step = 77;
}

static void assert_same_net(const ts_net *a, const ts_net *b)
{
    ck_assert_int_eq(a->win.context, b->win.context);
    ck_assert_int_eq(a->win.horizon, b->win.horizon);
    ck_assert_int_eq(a->win.length, b->win.length);
    ck_assert_int_eq(a->win.pad, b->win.pad);
    ck_assert_int_eq(a->win.channels, b->win.channels);
    ck_assert_int_eq(a->win.residual, b->win.residual);
    ck_assert_int_eq(a->win.has_time, b->win.has_time);
    ck_assert_int_eq(a->win.freq.unit, b->win.freq.unit);
    ck_assert_int_eq(a->win.freq.mult, b->win.freq.mult);
    for (int c = 0; c < a->win.channels; c++) {
        ck_assert_int_eq(a->win.chan[c].kind, b->win.chan[c].kind);
        ck_assert_double_eq(a->win.chan[c].param, b->win.chan[c].param);
    }
    ck_assert_mem_eq(&a->unet, &b->unet, sizeof a->unet);
    ck_assert_int_eq(a->sched, b->sched);
    ck_assert_int_eq(a->T, b->T);
    ck_assert_uint_eq(a->n_params, b->n_params);
    ck_assert_mem_eq(a->ema, b->ema, a->n_params * sizeof *a->ema);
}

static void assert_same_floats(const float *a, const float *b, size_t n)
{
    ck_assert((a == NULL) == (b == NULL));
    if (a) ck_assert_mem_eq(a, b, n * sizeof *a);
}

static void assert_same_str(const char *a, const char *b)
{
    ck_assert((a == NULL) == (b == NULL));
    if (a) ck_assert_str_eq(a, b);
}

static void assert_same_fit(const ts_fit_record *a, const ts_fit_record *b, size_t n_params,
                            int with_optimizer)
{
    assert_same_str(a->data_path, b->data_path);
    assert_same_str(a->csv.time_col, b->csv.time_col);
    assert_same_str(a->csv.value_col, b->csv.value_col);
    assert_same_str(a->csv.freq, b->csv.freq);
    ck_assert_int_eq(a->csv.n_id_cols, b->csv.n_id_cols);
    for (int i = 0; i < a->csv.n_id_cols; i++) ck_assert_str_eq(a->csv.id_cols[i], b->csv.id_cols[i]);
    ck_assert_int_eq(a->csv.delimiter, b->csv.delimiter);
    ck_assert_int_eq(a->csv.aggregate, b->csv.aggregate);
    ck_assert_int_eq(a->csv.no_header, b->csv.no_header);
    ck_assert_uint_eq(a->n_series, b->n_series);
    for (size_t i = 0; i < a->n_series; i++) {
        ck_assert_str_eq(a->names[i], b->names[i]);
        ck_assert_int_eq(a->last_time[i], b->last_time[i]);
        ck_assert_int_eq(a->length[i], b->length[i]);
        ck_assert_int_eq(a->nonneg[i], b->nonneg[i]);
    }
    const ts_train_record *s = &a->train, *t = &b->train;
    ck_assert_int_eq(s->steps, t->steps);
    ck_assert_int_eq(s->best_step, t->best_step);
    ck_assert_int_eq(s->skipped_steps, t->skipped_steps);
    ck_assert_int_eq(s->val_windows, t->val_windows);
    ck_assert_double_eq(s->final_loss, t->final_loss);
    ck_assert_double_eq(s->best_val_loss, t->best_val_loss);
    ck_assert_int_eq(s->select_crps, t->select_crps);
    ck_assert_uint_eq(s->seed, t->seed);
    ck_assert_int_eq(s->batch, t->batch);
    ck_assert_double_eq(s->lr, t->lr);
    ck_assert_int_eq(s->n_hist, t->n_hist);
    ck_assert_mem_eq(s->hist_step, t->hist_step, (size_t)s->n_hist * sizeof *s->hist_step);
    for (long i = 0; i < s->n_hist; i++) {   /* NaN where a record was not validated */
        ck_assert(s->hist_train[i] == t->hist_train[i]);
        ck_assert(s->hist_val[i] == t->hist_val[i] || (isnan(s->hist_val[i]) && isnan(t->hist_val[i])));
    }
    if (!with_optimizer) {
        ck_assert_ptr_null(t->params);
        return;
    }
    assert_same_floats(s->params, t->params, n_params);
    assert_same_floats(s->adam_m, t->adam_m, n_params);
    assert_same_floats(s->adam_v, t->adam_v, n_params);
    assert_same_floats(s->ema_now, t->ema_now, n_params);
    ck_assert_int_eq(s->opt_step, t->opt_step);
}

/* Saved network-only, a model loads with no fit record and the same net. */
START_TEST(net_only_roundtrip)
{
    ts_model m, back;
    ts_error err = {0};
    full_model(&m);
    ck_assert_int_eq(ts_model_save(&m, path, TS_SAVE_NET, &err), 0);
    ck_assert_int_eq(ts_model_load(path, &back, &err), 0);
    ck_assert_ptr_null(back.fit);
    ck_assert_ptr_nonnull(back.version);
    assert_same_net(&m.net, &back.net);
    ck_assert_int_eq(ts_model_find_series(&back, m.fit->names[0]), -1);
    const char *data = NULL;
    ck_assert_int_eq(ts_model_data_path(&back, path, "--data", &data, &err), TS_EUSAGE);
    ck_assert_ptr_null(data);
    ck_assert_msg(strstr(err.msg, "give --data") && strstr(err.msg, "network-only"), "%s", err.msg);
    /* saved again (any choice): still network only */
    ck_assert_int_eq(ts_model_save(&back, path, TS_SAVE_RESUMABLE, &err), 0);
    ts_model_free(&back);
    ck_assert_int_eq(ts_model_load(path, &back, &err), 0);
    ck_assert_ptr_null(back.fit);
    assert_same_net(&m.net, &back.net);
    ts_model_free(&back);
    ts_model_free(&m);
}
END_TEST

/* Saved with its fit record, every field comes back; the optimizer state
 * only when asked for. */
START_TEST(full_roundtrip)
{
    ts_model m, back;
    ts_error err = {0};
    full_model(&m);
    ck_assert_int_eq(ts_model_save(&m, path, TS_SAVE_RESUMABLE, &err), 0);
    ck_assert_int_eq(ts_model_load(path, &back, &err), 0);
    ck_assert_ptr_nonnull(back.fit);
    assert_same_net(&m.net, &back.net);
    assert_same_fit(m.fit, back.fit, m.net.n_params, 1);
    ts_model_free(&back);
    /* a forecast's load: everything but the optimizer state */
    ck_assert_int_eq(ts_model_load_sampling(path, &back, &err), 0);
    assert_same_net(&m.net, &back.net);
    assert_same_fit(m.fit, back.fit, m.net.n_params, 0);
    ck_assert_ptr_null(back.fit->train.adam_m);
    ts_model_free(&back);
    ck_assert_int_eq(ts_model_save(&m, path, TS_SAVE_FIT, &err), 0);
    ck_assert_int_eq(ts_model_load(path, &back, &err), 0);
    assert_same_net(&m.net, &back.net);
    assert_same_fit(m.fit, back.fit, m.net.n_params, 0);
    ts_model_free(&back);
    ts_model_free(&m);
}
END_TEST

/* The fit group is all there or all absent; optimizer state needs it. */
START_TEST(fit_group_whole)
{
    ts_model m, back;
    ts_error err = {0};
    ts_mf *f = NULL;
    full_model(&m);
    ck_assert_int_eq(ts_model_save(&m, path, TS_SAVE_NET, &err), 0);
    ck_assert_int_eq(ts_mf_load(path, &f, &err), 0);
    ts_mf_set_i64(f, "series.count", 1);                 /* one record of the group */
    ck_assert_int_eq(ts_mf_save(f, path, &err), 0);
    ck_assert_int_eq(ts_model_load(path, &back, &err), TS_EDATA);
    ck_assert_msg(strstr(err.msg, "data.path") != NULL, "%s", err.msg);
    ts_mf_free(f);

    ck_assert_int_eq(ts_model_save(&m, path, TS_SAVE_NET, &err), 0);
    ck_assert_int_eq(ts_mf_load(path, &f, &err), 0);
    ts_mf_set_f32s(f, "optim.params", m.fit->train.params, m.net.n_params);
    ck_assert_int_eq(ts_mf_save(f, path, &err), 0);
    ck_assert_int_eq(ts_model_load(path, &back, &err), TS_EDATA);
    ck_assert_msg(strstr(err.msg, "without a fit record") != NULL, "%s", err.msg);
    ts_mf_free(f);
    ts_model_free(&m);
}
END_TEST

/* The clamp rule: the fit record's flag for a series it knows by name,
 * else the data's. */
START_TEST(series_nonneg_rule)
{
    ts_model m = {0};
    float up[] = {1, 2, 3}, down[] = {1, -2, 3};
    ts_series s[] = {{.name = "a", .len = 3, .values = up}, {.name = "b", .len = 3, .values = down}};
    ts_series_set set = {.series = s, .n = 2, .freq = {TS_FREQ_NONE, 1}};
    ck_assert_int_eq(ts_model_series_nonneg(&m, &s[0]), 1);   /* no fit record: the data */
    ck_assert_int_eq(ts_model_series_nonneg(&m, &s[1]), 0);
    ts_model_set_series(&m, &set);
    ck_assert_uint_eq(m.fit->n_series, 2);
    ck_assert_int_eq(m.fit->length[1], 3);
    ck_assert_int_eq(m.fit->last_time[1], 2);
    m.fit->nonneg[0] = 0;                                      /* the record wins */
    m.fit->nonneg[1] = 1;
    ck_assert_int_eq(ts_model_series_nonneg(&m, &s[0]), 0);
    ck_assert_int_eq(ts_model_series_nonneg(&m, &s[1]), 1);
    ts_series c = {.name = "c", .len = 3, .values = down};     /* unknown: the data */
    ck_assert_int_eq(ts_model_series_nonneg(&m, &c), 0);
    ts_model_free(&m);
}
END_TEST

/* The committed network-only fixture is v1-daily.model's network. */
START_TEST(fixtures_load)
{
    ts_model full, net;
    ts_error err = {0};
    ck_assert_int_eq(ts_model_load(FIXTURES "v1-daily.model", &full, &err), 0);
    ck_assert_ptr_nonnull(full.fit);
    ck_assert_uint_eq(full.fit->n_series, 5);
    ck_assert_int_eq(ts_model_load(FIXTURES "net-only.model", &net, &err), 0);
    ck_assert_ptr_null(net.fit);
    assert_same_net(&full.net, &net.net);
    ts_model_free(&full);
    ts_model_free(&net);
    ck_assert_int_eq(ts_model_load(FIXTURES "last_time_min.model", &full, &err), 0);
    ck_assert_ptr_nonnull(full.fit);
    ts_model_free(&full);
}
END_TEST

/* The channel table record: the one this tsdiff builds loads, one with a
 * channel of another kind, parameter or order is refused by name; a file
 * without it (the format before it) loads. */
START_TEST(model_channel_table)
{
    const char *fixture = FIXTURES "v1-daily.model";
    static const char *good[] = {"noisy", "history", "mask", "sin 7", "cos 7",
                                 "sin 365.25", "cos 365.25", "lag 7", "log scale"};
    const char *bad[9];
    ts_error err = {0};
    ts_model m;
    ts_mf *f = NULL;
    ck_assert_int_eq(ts_model_load(fixture, &m, &err), 0);   /* no table record */
    ck_assert_int_eq(m.net.win.channels, 9);
    ck_assert_int_eq(m.net.win.chan[7].kind, TS_CHAN_LAG);
    ck_assert_double_eq(m.net.win.chan[7].param, 7);
    ts_model_free(&m);
    ck_assert_int_eq(ts_mf_load(fixture, &f, &err), 0);
    ts_mf_set_strs(f, "window.channel_table", good, 9);
    ck_assert_int_eq(ts_mf_save(f, path, &err), 0);
    ck_assert_int_eq(ts_model_load(path, &m, &err), 0);
    ts_model_free(&m);
    for (int k = 0; k < 3; k++) {
        memcpy(bad, good, sizeof bad);
        if (k == 0) bad[7] = "lag 5";                              /* parameter */
        if (k == 1) bad[8] = "log gain";                           /* kind */
        if (k == 2) { bad[3] = "cos 7"; bad[4] = "sin 7"; }        /* order */
        ts_mf_set_strs(f, "window.channel_table", bad, 9);
        ck_assert_int_eq(ts_mf_save(f, path, &err), 0);
        ck_assert_int_eq(ts_model_load(path, &m, &err), TS_EDATA);
        ck_assert_msg(strstr(err.msg, "input channel") != NULL, "%s", err.msg);
    }
    ts_mf_set_strs(f, "window.channel_table", good, 8);             /* count */
    ck_assert_int_eq(ts_mf_save(f, path, &err), 0);
    ck_assert_int_eq(ts_model_load(path, &m, &err), TS_EDATA);
    ts_mf_free(f);
}
END_TEST


/* A universal network (window.h, UNIVERSAL) with provenance round-trips:
 * its table, the grid it was bound to, the lines; a stored table that is
 * not the universal one is refused. */
START_TEST(universal_roundtrip)
{
    ts_model m = {0}, back;
    ts_error err = {0};
    ck_assert_int_eq(ts_window_spec_make_universal(&m.net.win, 24, 8, 2, &err), 0);
    ts_window_bind_grid(&m.net.win, (ts_freq){TS_FREQ_MONTH, 1}, 1);
    m.net.unet = (ts_unet_config){.width = 4, .levels = 2, .res_blocks = 1, .temb_dim = 8,
                                  .groups = 2, .in_channels = m.net.win.channels,
                                  .length = m.net.win.length};
    m.net.sched = TS_SCHED_LINEAR;
    m.net.T = 20;
    m.net.n_params = 50;
    m.net.ema = random_floats(50);
    ts_model_set_provenance(&m, "corpus", "synthetic");
    ts_model_set_provenance(&m, "steps", "%d", 7);
    ts_model_set_provenance(&m, "steps", "%d", 9);   /* replaces */
    ck_assert_uint_eq(m.n_provenance, 2);
    ck_assert_int_eq(ts_model_save(&m, path, TS_SAVE_NET, &err), 0);
    ck_assert_int_eq(ts_model_load(path, &back, &err), 0);
    ck_assert_int_eq(back.net.win.universal, 1);
    assert_same_net(&m.net, &back.net);
    ck_assert_str_eq(ts_model_provenance(&back, "corpus"), "synthetic");
    ck_assert_str_eq(ts_model_provenance(&back, "steps"), "9");
    ck_assert_ptr_null(ts_model_provenance(&back, "step"));
    ts_model_free(&back);
    /* the table of an ordinary spec under the universal flag: refused */
    ts_mf *f = NULL;
    ck_assert_int_eq(ts_mf_load(path, &f, &err), 0);
    static const char *names[15] = {"noisy", "history", "mask", "sin 12", "cos 12"};
    for (int c = 5; c < 15; c++) names[c] = "lag 12";
    ts_mf_set_strs(f, "window.channel_table", names, 15);
    ck_assert_int_eq(ts_mf_save(f, path, &err), 0);
    ts_mf_free(f);
    ck_assert_int_eq(ts_model_load(path, &back, &err), TS_EDATA);
    ck_assert_msg(strstr(err.msg, "input channel 3") != NULL, "%s", err.msg);
    ts_model_free(&m);
}
END_TEST

/* The pretrained model: TSDIFF_MODEL when set (and only there); forecast's
 * default is ./tsdiff.model first. */
START_TEST(find_default_model)
{
    char found[4096], cwd[1024];
    int pretrained = -1;
    ts_error err = {0};
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(dir), 0);
    setenv("TSDIFF_MODEL", FIXTURES "net-only.model", 1);
    ck_assert_int_eq(ts_model_find_pretrained(found, sizeof found, &err), 0);
    ck_assert_str_eq(found, FIXTURES "net-only.model");
    ck_assert_int_eq(ts_model_find_default(found, sizeof found, &pretrained, &err), 0);
    ck_assert_int_eq(pretrained, 1);
    FILE *fp = fopen(TS_MODEL_DEFAULT_PATH, "w");
    ck_assert_ptr_nonnull(fp);
    fclose(fp);
    ck_assert_int_eq(ts_model_find_default(found, sizeof found, &pretrained, &err), 0);
    ck_assert_str_eq(found, TS_MODEL_DEFAULT_PATH);
    ck_assert_int_eq(pretrained, 0);
    unlink(TS_MODEL_DEFAULT_PATH);
    setenv("TSDIFF_MODEL", "/nonexistent/x.model", 1);
    ck_assert_int_eq(ts_model_find_pretrained(found, sizeof found, &err), TS_ENOINPUT);
    ck_assert_int_eq(ts_model_find_default(found, sizeof found, &pretrained, &err), TS_ENOINPUT);
    ck_assert_msg(strstr(err.msg, "TSDIFF_MODEL") != NULL, "%s", err.msg);
    unsetenv("TSDIFF_MODEL");
    ck_assert_int_eq(chdir(cwd), 0);
}
END_TEST

/* check_model --net-only IN OUT: the network part of IN into OUT. */
static int write_net_only(const char *in, const char *out)
{
    ts_model m;
    ts_error err = {0};
    int rc = ts_model_load(in, &m, &err);
    if (!rc) rc = ts_model_save(&m, out, TS_SAVE_NET, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    ts_model_free(&m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--net-only")) return write_net_only(argv[2], argv[3]);
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, net_only_roundtrip);
    tcase_add_test(tc, full_roundtrip);
    tcase_add_test(tc, fit_group_whole);
    tcase_add_test(tc, series_nonneg_rule);
    tcase_add_test(tc, fixtures_load);
    tcase_add_test(tc, model_channel_table);
    tcase_add_test(tc, universal_roundtrip);
    tcase_add_test(tc, find_default_model);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
