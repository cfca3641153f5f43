#!/bin/sh
# tsdiff pretrain on a tiny generated corpus (few steps) writes a
# network-only universal model with its provenance, which forecasts a series
# of any frequency given with --data and resumes from its checkpoint; a
# folder of CSV files is a corpus too. The default model is found through
# TSDIFF_MODEL, and from the build tree when the shipped data/default.model
# is there; a fitted tsdiff.model in the current folder comes first. fit
# --init starts from a model's weights and refuses options and frequencies
# the model contradicts, with one line.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
DATA=$top_srcdir/data/sales.csv
Q="--threads 2 -q"
PT="--corpus-series 3 --length 80:160 --steps 3 --batch 4 --channels 8 --levels 2 --context 24 --horizon 8 $Q"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" pretrain $PT --checkpoint-every 2 -o "$T/p.model"
[ -s "$T/p.model.ckpt" ] || fail "no checkpoint"
expect_rc 0 "$TSDIFF" info "$T/p.model"
expect_out "fit record:     none"
expect_out "frequency:      any"
expect_out "season lag mask 2"
expect_out "corpus.freqs=H,D,W,M,Q"
expect_out "steps=3"
expect_out "command=tsdiff pretrain"
# the commit of the build is the checkout's, not one configure saw earlier
# (with "-dirty" or not: files may change between the build and the test)
if [ -e "$top_srcdir/.git" ] && c=$(cd "$top_srcdir" && git describe --always 2>/dev/null); then
    expect_out "(commit $c"
fi
if grep -q "optimizer state saved" "$OUT"; then fail "the network-only model keeps optimizer state"; fi

# it forecasts daily data and monthly data, horizons past its own in blocks
FC="-n 4 -K 3 --seed 2 $Q"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$T/p.model" --data "$DATA" --horizon 12 $FC -o "$T/d.csv"
[ "$(wc -l <"$T/d.csv")" -eq 61 ] || fail "daily forecast: $(wc -l <"$T/d.csv") lines, not 61"
head -1 "$T/d.csv" | grep -q "^series,timestamp,mean,q0.05" || fail "not the forecast CSV"
{ echo "month,units"; for y in 2022 2023; do for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
    echo "$y-$m,$((100 + ${m#0} * 7))"; done; done; } >"$T/monthly.csv"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$T/p.model" --data "$T/monthly.csv" --horizon 6 $FC -o "$T/m.csv"
grep -q "^units,2024-06-01," "$T/m.csv" || fail "monthly forecast: $(cat "$T/m.csv")"

# a checkpoint (fit record = the corpus) backtests any data: a universal
# network is not bound to the series it was trained on
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" backtest "$DATA" -m "$T/p.model.ckpt" --windows 1 --horizon 6 $FC -o "$T/bt.csv"
awk -F, '$1 == "(all)" && $2 == "tsdiff" && $3 > 0 { ok = 1 } END { exit !ok }' "$T/bt.csv" ||
    fail "backtest of a checkpoint scored nothing: $(cat "$T/bt.csv")"

# resume: the checkpoint's corpus, more steps
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" pretrain --resume --steps 2 $Q -o "$T/p.model"
expect_rc 0 "$TSDIFF" info "$T/p.model"
expect_out "steps=5"
expect_out "; then tsdiff pretrain --resume --steps 2"

# --init: a universal network trained on further, here on a longer window;
# the initial model's commands come first in the provenance
PI="--corpus-series 3 --length 80:160 --steps 1 --lr 1e-7 --batch 4 --select last --horizon 8 $Q"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" pretrain --init "$T/p.model" --context 40 $PI -o "$T/pi.model"
expect_rc 0 "$TSDIFF" info "$T/pi.model"
expect_out "context:        40"
expect_out "season lags:    up to 40 steps"
expect_out "init=$T/p.model"
expect_out "init.steps=5"
expect_out "; then tsdiff pretrain --resume --steps 2 $Q -o $T/p.model; then tsdiff pretrain --init"
# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" pretrain --init "$T/p.model" --channels 16 $PI -o "$T/px.model"
expect_err "drop --channels"
[ ! -e "$T/px.model" ] || fail "a refused --init left a model file"

# --scaling centred: the zero line, the model's scaling kept by --init; a
# fit from it on data of 200 whole windows or more goes hybrid (windows
# that reach 0 measured from 0); a
# mean-scaled model trained on further centred widens
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" pretrain --init "$T/p.model" --scaling centred --context 24 $PI -o "$T/pc.model"
expect_rc 0 "$TSDIFF" info "$T/pc.model"
expect_out "15 zero line"
expect_out "targets:        centred values"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" pretrain --init "$T/pc.model" --context 24 $PI -o "$T/pc2.model"
expect_rc 0 "$TSDIFF" info "$T/pc2.model"
expect_out "15 zero line"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$DATA" --init "$T/pc.model" --steps 2 --batch 4 $Q -o "$T/fc.model"
expect_rc 0 "$TSDIFF" info "$T/fc.model"
expect_out "targets:        hybrid values"
# on data of few whole windows the fit keeps the model's centring
head -n 81 "$DATA" >"$T/short.csv"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$T/short.csv" --init "$T/pc.model" --steps 2 --batch 4 $Q -o "$T/fs.model"
expect_rc 0 "$TSDIFF" info "$T/fs.model"
expect_out "targets:        centred values"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$T/fc.model" $FC -o "$T/fcc.csv"
[ "$(wc -l <"$T/fcc.csv")" -eq 151 ] || fail "centred fit's forecast: $(wc -l <"$T/fcc.csv") lines"
# --scaling base: a centred network measured from the context's base
# instead (the same channels); the model file keeps which, and so does a fit
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" pretrain --init "$T/pc.model" --scaling base --context 24 $PI -o "$T/pb.model"
expect_rc 0 "$TSDIFF" info "$T/pb.model"
expect_out "15 zero line"
expect_out "targets:        values from the context's base"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$DATA" --init "$T/pb.model" --steps 2 --batch 4 $Q -o "$T/fb.model"
expect_rc 0 "$TSDIFF" info "$T/fb.model"
expect_out "targets:        values from the context's base"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$T/fb.model" $FC -o "$T/fcb.csv"
[ "$(wc -l <"$T/fcb.csv")" -eq 151 ] || fail "based fit's forecast: $(wc -l <"$T/fcb.csv") lines"
cmp -s "$T/fcb.csv" "$T/fcc.csv" && fail "based and centred fits forecast alike"
# --scaling cross (the default model's): centred unless the context
# crosses 0; a fit on data of 200 whole windows goes hybrid, one on few
# keeps it
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" pretrain --init "$T/pc.model" --scaling cross --context 24 $PI -o "$T/px.model"
expect_rc 0 "$TSDIFF" info "$T/px.model"
expect_out "targets:        centred values, scaled from 0 where the context crosses 0"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$DATA" --init "$T/px.model" --steps 2 --batch 4 $Q -o "$T/fx.model"
expect_rc 0 "$TSDIFF" info "$T/fx.model"
expect_out "targets:        hybrid values"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$T/short.csv" --init "$T/px.model" --steps 2 --batch 4 $Q -o "$T/fxs.model"
expect_rc 0 "$TSDIFF" info "$T/fxs.model"
expect_out "targets:        centred values, scaled from 0"
rm -f "$T/px.model" "$T/fx.model" "$T/fxs.model"
# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" pretrain --init "$T/pc.model" --scaling mean $PI -o "$T/px.model"
expect_err "input channels are not the first"
# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" pretrain --scaling median $PI -o "$T/px.model"
expect_err "--scaling expects mean, centred, base, hybrid or cross"
# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" pretrain --resume --scaling centred $Q -o "$T/p.model"

# a folder of CSV files of two frequencies
mkdir "$T/corpus"
cp "$DATA" "$T/corpus/daily.csv"
cp "$T/monthly.csv" "$T/corpus/monthly.csv"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" pretrain --corpus "$T/corpus" --steps 2 --batch 4 --channels 8 --levels 2 \
    --context 8 --horizon 4 $Q -o "$T/dir.model"
expect_rc 0 "$TSDIFF" info "$T/dir.model"
expect_out "corpus=$T/corpus"
expect_rc 66 "$TSDIFF" pretrain --corpus "$T/none" --steps 1 $Q -o "$T/x.model"

# the default model: TSDIFF_MODEL, in an empty folder
mkdir "$T/empty"
cd "$T/empty"
# shellcheck disable=SC2086
expect_rc 0 env TSDIFF_MODEL="$T/p.model" "$TSDIFF" forecast --data "$DATA" --horizon 4 $FC --verbose \
    -o "$T/z.csv"
expect_err "forecasting zero-shot with the pretrained model $T/p.model"
[ "$(wc -l <"$T/z.csv")" -eq 21 ] || fail "zero-shot forecast: $(wc -l <"$T/z.csv") lines"
# shellcheck disable=SC2086
expect_rc 66 env TSDIFF_MODEL="$T/gone.model" "$TSDIFF" forecast --data "$DATA" $FC -o "$T/g.csv"
expect_err "TSDIFF_MODEL"
# a fitted tsdiff.model here comes first
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$DATA" --steps 2 --batch 4 --channels 8 --levels 2 --context 8 \
    --horizon 4 $Q
# shellcheck disable=SC2086
expect_rc 0 env TSDIFF_MODEL="$T/p.model" "$TSDIFF" forecast --data "$DATA" $FC --verbose -o "$T/f.csv"
if grep -q "zero-shot" "$ERR"; then fail "the pretrained model was used before ./tsdiff.model"; fi
rm tsdiff.model
# the build tree: the shipped model, when there is one
if [ -f "$top_srcdir/data/default.model" ]; then
    # shellcheck disable=SC2086
    env -u TSDIFF_MODEL "$TSDIFF" forecast --data "$DATA" --horizon 30 $FC --verbose \
        -o "$T/s.csv" 2>"$ERR" || fail "zero-shot with the shipped model"
    expect_err "data/default.model"
    [ "$(wc -l <"$T/s.csv")" -eq 151 ] || fail "shipped model: $(wc -l <"$T/s.csv") lines"
    # pretrain --init default: one step at the least rate (its window) forecasts as the
    # shipped model does; the same run from random weights does not
    expect_rc 0 "$TSDIFF" info "$top_srcdir/data/default.model"
    ctx=$(awk '/^context:/ { print $2 }' "$OUT")
    hor=$(awk '/^horizon:/ { print $2 }' "$OUT")
    for init in default none; do
        # shellcheck disable=SC2086
        expect_rc 0 env -u TSDIFF_MODEL "$TSDIFF" pretrain --init $init --context "$ctx" \
            --horizon "$hor" --corpus-series 3 --length 80:160 --steps 1 --lr 1e-7 --batch 4 \
            --select last $Q -o "$T/p_$init.model"
        # shellcheck disable=SC2086
        expect_rc 0 "$TSDIFF" forecast -m "$T/p_$init.model" --data "$DATA" --horizon 8 $FC \
            -o "$T/fc_$init.csv"
    done
    # shellcheck disable=SC2086
    env -u TSDIFF_MODEL "$TSDIFF" forecast --data "$DATA" --horizon 8 $FC -o "$T/fc_shipped.csv" \
        2>"$ERR" || fail "zero-shot with the shipped model"
    far() {  # the largest relative difference of the mean forecasts in $1 and $2
        paste -d, "$1" "$2" | awk -F, 'NR > 1 { d = ($3 - $13) / ($3 > 0 ? $3 : -$3) + 1e-30;
            if (d < 0) d = -d; if (d > m) m = d } END { printf "%g", m }'
    }
    a=$(far "$T/fc_shipped.csv" "$T/fc_default.csv")
    b=$(far "$T/fc_shipped.csv" "$T/fc_none.csv")
    awk -v a="$a" -v b="$b" 'BEGIN { exit !(a < 1e-3 && b > 0.1) }' ||
        fail "pretrain --init default: mean forecasts $a from the shipped model's, random weights $b"
    # a resumed run scores the weights kept so far on its own validation
    # windows first: a wrecking step after five good ones keeps one of those
    # shellcheck disable=SC2086
    expect_rc 0 env -u TSDIFF_MODEL "$TSDIFF" fit "$DATA" --steps 5 --batch 4 $Q -o "$T/r.model"
    expect_rc 0 "$TSDIFF" info "$T/r.model"
    expect_out "data/default.model"
    expect_rc 0 "$TSDIFF" fit --resume --steps 1 --lr 1 --batch 4 $Q -o "$T/r.model"
    expect_rc 0 "$TSDIFF" info "$T/r.model"
    expect_out "training:       6 steps"
    grep -q "^best val.*(step [1-5], the weights kept)" "$OUT" ||
        fail "the wrecking step was kept: $(grep "^best val" "$OUT")"
fi
cd "$T"

# fit --init FILE: the model's network, its weights to start; a universal
# model takes the window a fit from scratch would choose for the data (on
# grids finer than a day its context capped at its own, 24 here), or what
# --context and --horizon give
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$DATA" --init "$T/p.model" --steps 2 --batch 4 $Q -o "$T/ft.model"
expect_rc 0 "$TSDIFF" info "$T/ft.model"
expect_out "init=$T/p.model"
expect_out "horizon:        30"
window=$(grep -E "^(context|horizon):" "$OUT")
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$DATA" --init none --steps 1 --batch 4 --channels 8 --levels 2 $Q \
    -o "$T/sc.model"
expect_rc 0 "$TSDIFF" info "$T/sc.model"
[ "$(grep -E "^(context|horizon):" "$OUT")" = "$window" ] ||
    fail "daily fine-tune window '$window', a fit from scratch's '$(grep -E "^(context|horizon):" "$OUT")'"
awk 'BEGIN { print "time,load"; for (i = 0; i < 400; i++)
             printf "2024-01-%02d %02d:00,%d\n", 1 + int(i / 24), i % 24, 50 + (i % 24) * 3 + (i * 7) % 5 }' \
    >"$T/hourly.csv"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$T/hourly.csv" --init "$T/p.model" --steps 2 --batch 4 $Q -o "$T/fth.model"
# hourly data: the model's own window (context 24, horizon 8); the 48 hours
# asked by default are what forecast takes, block by block
expect_rc 0 "$TSDIFF" info "$T/fth.model"
expect_out "context:        24"
expect_out "horizon:        8 (forecasts 48 by default, block by block)"
expect_out "lr 0.001,"
expect_rc 0 "$TSDIFF" forecast -m "$T/fth.model" -n 4 -K 3 --seed 2 --threads 2 -o "$T/fth.csv"
[ "$(wc -l <"$T/fth.csv")" -eq 49 ] || fail "hourly fine-tune forecast: $(wc -l <"$T/fth.csv") lines"
if grep -q "in blocks" "$ERR"; then fail "the blocks the fit asked for were announced"; fi
expect_rc 0 "$TSDIFF" forecast -m "$T/fth.model" -n 4 -K 3 --seed 2 --threads 2 --horizon 60 \
    -o "$T/fth60.csv"
expect_err "sampling in blocks of 8"
# a longer context on hourly data: the lags past the 24 steps the model was
# trained with stay empty (daily data, below, learn them: up to 40)
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$T/hourly.csv" --init "$T/p.model" --context 40 --steps 2 --batch 4 $Q \
    -o "$T/ftl.model"
expect_rc 0 "$TSDIFF" info "$T/ftl.model"
expect_out "context:        40"
expect_out "season lags:    up to 24 steps"
# few whole windows (60 points: 60 - 2 x 8 - 24 + 1 = 21 of 200): a tenth of
# the rate, and a line that says so
head -n 61 "$T/hourly.csv" >"$T/short.csv"
expect_rc 0 "$TSDIFF" fit "$T/short.csv" --init "$T/p.model" --steps 2 --batch 4 --threads 2 \
    --verbose -o "$T/fts.model"
expect_err "fine-tuning at rate 0.000105"
expect_rc 0 "$TSDIFF" info "$T/fts.model"
expect_out "lr 0.000105,"
# none (30 points): one step at the smallest rate, the weights as they are
head -n 31 "$T/hourly.csv" >"$T/tiny.csv"
expect_rc 0 "$TSDIFF" fit "$T/tiny.csv" --init "$T/p.model" --batch 4 --threads 2 --verbose \
    -o "$T/ftt.model"
expect_err "keeps the pretrained weights"
expect_rc 0 "$TSDIFF" info "$T/ftt.model"
expect_out "training:       1 steps, batch 4, lr 1e-07,"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$DATA" --init "$T/p.model" --context 40 --horizon 6 --steps 2 --batch 4 \
    $Q -o "$T/ft2.model"
expect_rc 0 "$TSDIFF" info "$T/ft2.model"
expect_out "context:        40"
expect_out "horizon:        6"
expect_out "season lags:    up to 40 steps"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$T/ft2.model" $FC -o "$T/ft2.csv"
[ "$(wc -l <"$T/ft2.csv")" -eq 31 ] || fail "fine-tuned forecast: $(wc -l <"$T/ft2.csv") lines"

# --init auto, fit's default: the pretrained model unless the options ask
# for a network of their own; a TSDIFF_MODEL that names nothing is an error
# shellcheck disable=SC2086
expect_rc 0 env TSDIFF_MODEL="$T/p.model" "$TSDIFF" fit "$DATA" --steps 2 --batch 4 --threads 2 \
    -o "$T/auto.model"
expect_rc 0 "$TSDIFF" info "$T/auto.model"
expect_out "init=$T/p.model"
# shellcheck disable=SC2086
expect_rc 0 env TSDIFF_MODEL="$T/p.model" "$TSDIFF" fit "$DATA" --steps 2 --batch 4 --threads 2 \
    --channels 16 --verbose -o "$T/own.model"
expect_err "--channels asks for a network of its own: training from random weights"
expect_rc 0 "$TSDIFF" info "$T/own.model"
if grep -q "init=" "$OUT"; then fail "--channels 16 started from the pretrained model"; fi
# shellcheck disable=SC2086
expect_rc 66 env TSDIFF_MODEL="$T/gone.model" "$TSDIFF" fit "$DATA" --steps 2 $Q -o "$T/x.model"
expect_err "TSDIFF_MODEL"
[ ! -e "$T/x.model" ] || fail "a failed fit wrote a model"
# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" fit "$DATA" --init "$T/p.model" --channels 16 --steps 2 $Q -o "$T/x.model"
expect_err "drop --channels"
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "more than one line: $(cat "$ERR")"
# a daily (not universal) model cannot start a monthly fit
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$DATA" --steps 2 --batch 4 --channels 8 --levels 2 --context 8 \
    --horizon 4 $Q -o "$T/daily.model"
# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" fit "$T/monthly.csv" --init "$T/daily.model" --steps 2 $Q -o "$T/x.model"
expect_err "cannot start a fit of monthly data"
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "more than one line: $(cat "$ERR")"
# and fixes its window (only a universal one takes the data's)
# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" fit "$DATA" --init "$T/daily.model" --horizon 7 --steps 2 $Q -o "$T/x.model"
expect_err "drop --horizon"

# backtest scores a universal model zero-shot, and fine-tunes with --init
BT="--windows 1 --samples 4 --sampler-steps 3 $Q"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" backtest "$DATA" -m "$T/p.model" $BT
grep -q "^tsdiff  *" "$OUT" || fail "no tsdiff row: $(cat "$OUT")"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" backtest "$DATA" --init "$T/p.model" --steps 2 --batch 4 $BT
grep -q "^tsdiff  *" "$OUT" || fail "no tsdiff row after --init: $(cat "$OUT")"
# --compare: the fit, the model it started from (zero-shot) and a fit from
# scratch, on the same windows
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" backtest "$DATA" --init "$T/p.model" --compare --steps 2 --batch 4 $BT \
    --horizon 6 -o "$T/cmp.csv"
for row in tsdiff zero-shot scratch naive "seasonal naive"; do
    grep -q "^(all),$row,30," "$T/cmp.csv" || fail "--compare: no pooled $row row: $(cat "$T/cmp.csv")"
done
# the zero-shot row is the model as it is: the same scores as --model
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" backtest "$DATA" -m "$T/p.model" $BT --horizon 6 -o "$T/zs.csv"
[ "$(grep '^(all),tsdiff,' "$T/zs.csv" | cut -d, -f3-)" = \
  "$(grep '^(all),zero-shot,' "$T/cmp.csv" | cut -d, -f3-)" ] || fail "zero-shot row differs from --model"
# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" backtest "$DATA" -m "$T/p.model" --compare $BT
expect_err "drop --model"
# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" backtest "$DATA" --init none --compare $BT
expect_err "drop --init none"
pass
