#!/bin/sh
# Covariates known in the future (README, man tsdiff: COVARIATES). A long
# file of two series with a numeric covariate (promo) and a categorical one
# (store), the last 7 days with empty targets: fit with them; the forecast
# from the same file and from the history plus --future gives the same
# rows; a covariate missing for one future day is one line naming series,
# covariate and day, exit 65, nothing written; data without the covariate,
# or with a level the model has not seen, exit 65; info lists them; a model
# without covariates ignores --future and still forecasts as before. A
# pretrained universal model fine-tuned with --init gains the covariates;
# a model with covariates starts only a fit with the same ones.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
TINY="--channels 8 --levels 2 --res-blocks 1 --diffusion-steps 20 --batch 8 --threads 2"
FC="-n 4 -K 4 --seed 3 --threads 2 -q"
awk 'BEGIN {
    srand(11)
    print "id,date,sales,promo,store" > "'"$T"'/all.csv"
    print "id,date,sales,promo,store" > "'"$T"'/hist.csv"
    print "id,date,promo,store" > "'"$T"'/fut.csv"
    for (s = 1; s <= 2; s++) for (t = 0; t < 97; t++) {
        p = rand() < 0.3; d = strftime("%Y-%m-%d", 1704067200 + 86400 * t, 1)
        st = s == 1 ? "big" : "small"
        y = sprintf("%.2f", 10 + 5 * p + rand())
        if (t < 90) {
            print "S" s "," d "," y "," p "," st > "'"$T"'/all.csv"
            print "S" s "," d "," y "," p "," st > "'"$T"'/hist.csv"
        } else {
            print "S" s "," d ",," p "," st > "'"$T"'/all.csv"
            print "S" s "," d "," p "," st > "'"$T"'/fut.csv"
        }
    }
}'
COLS="--id-col id --value-col sales"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$T/all.csv" $COLS --covariate promo --categorical store $TINY \
    --horizon 7 --context 14 --steps 3 -o "$T/m.model" --quiet
expect_rc 0 "$TSDIFF" info "$T/m.model"
expect_out "covariates:     promo (0/1), store=big, store=small"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$T/m.model" $FC -o "$T/same.csv"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$T/m.model" --data "$T/hist.csv" --future "$T/fut.csv" \
    $FC -o "$T/future.csv"
[ "$(wc -l <"$T/same.csv")" -eq 15 ] || fail "expected 14 forecast rows"
cmp -s "$T/same.csv" "$T/future.csv" || fail "--future forecasts other rows than future rows"
grep -q "^S1,2024-03-31," "$T/same.csv" || fail "the horizon does not start after the last target"

# one future day missing for S2: one line, 65, nothing written
grep -v "^S2,2024-04-03," "$T/fut.csv" >"$T/fut_gap.csv"
# shellcheck disable=SC2086
expect_rc 65 "$TSDIFF" forecast -m "$T/m.model" --data "$T/hist.csv" --future "$T/fut_gap.csv" \
    $FC -o "$T/x.csv"
expect_err 'tsdiff: series "S2": covariate "promo" has no value at 2024-04-03'
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "more than one error line"
[ ! -e "$T/x.csv" ] || fail "a refused forecast wrote its output"
# no future at all
# shellcheck disable=SC2086
expect_rc 65 "$TSDIFF" forecast -m "$T/m.model" --data "$T/hist.csv" $FC -o "$T/x.csv"
expect_err 'covariate "promo" has no value at 2024-03-31'
[ ! -e "$T/x.csv" ] || fail "a refused forecast wrote its output"
# data without the covariate
cut -d, -f1-3 "$T/hist.csv" >"$T/nocov.csv"
# shellcheck disable=SC2086
expect_rc 65 "$TSDIFF" forecast -m "$T/m.model" --data "$T/nocov.csv" $FC -o "$T/x.csv"
expect_err 'the model was fitted with covariate "promo", which this file has no column for'
# an unknown level
sed 's/,small$/,tiny/' "$T/all.csv" >"$T/level.csv"
# shellcheck disable=SC2086
expect_rc 65 "$TSDIFF" forecast -m "$T/m.model" --data "$T/level.csv" $FC -o "$T/x.csv"
expect_err 'categorical covariate "store" has level "tiny" at 2024-01-01, which the model was not fitted with'
[ ! -e "$T/x.csv" ] || fail "a refused forecast wrote its output"
# bad options
expect_rc 64 "$TSDIFF" fit "$T/all.csv" $COLS --covariates some -o "$T/y.model"
expect_err "--covariates expects all"
expect_rc 64 "$TSDIFF" fit "$T/all.csv" $COLS --covariate price -o "$T/y.model"
expect_err 'no column "price" for --covariate'

# --plot-covariates: rows under the fan charts; a usage error without
# --plot, or without covariates to draw
# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" forecast -m "$T/m.model" --plot-covariates $FC -o "$T/x.csv"
expect_err "--plot-covariates draws under the fan charts: give --plot FILE"
# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" forecast -m "$top_srcdir/tests/data/model/v1-daily.model" \
    --data "$top_srcdir/data/sales.csv" --plot "$T/x.png" --plot-covariates $FC -o "$T/x.csv"
expect_err "v1-daily.model has no covariates to draw"
if [ -e "$T/x.csv" ] || [ -e "$T/x.png" ]; then fail "a refused forecast wrote its output"; fi
expect_rc 64 "$TSDIFF" backtest "$top_srcdir/data/sales.csv" --plot "$T/x.png" --plot-covariates \
    --steps 1 -q
expect_err "has no covariates to draw (give --covariate COL)"
if command -v gnuplot >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    expect_rc 0 "$TSDIFF" forecast -m "$T/m.model" --plot "$T/cov.svg" --plot-covariates $FC \
        -o "$T/x.csv"
    [ "$(grep -c '>promo</title>' "$T/cov.svg")" -eq 2 ] || fail "no promo row under each series"
    grep -q '>store (0 big, 1 small)</title>' "$T/cov.svg" || fail "no store row"
    rm -f "$T/x.csv"
fi

# fine-tuning a pretrained universal model: it gains the covariate channels
# (their input weights at 0: tests/check_unet.c), and its forecasts need them
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" pretrain --corpus-series 3 --length 80:160 --steps 2 --batch 4 --channels 8 \
    --levels 2 --context 14 --horizon 7 --threads 2 -q -o "$T/p.model"
# shellcheck disable=SC2086
expect_rc 0 env TSDIFF_MODEL="$T/p.model" "$TSDIFF" fit "$T/all.csv" $COLS --init default \
    --covariate promo --categorical store --horizon 7 --steps 2 --batch 8 --threads 2 \
    -o "$T/ft.model" -q
expect_rc 0 "$TSDIFF" info "$T/ft.model"
expect_out "covariates:     promo (0/1), store=big, store=small"
expect_out "18 input channels"
expect_out "14 log scale, 15 indicator 0, 16 indicator 1, 17 indicator 2"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$T/ft.model" $FC -o "$T/ft.csv"
[ "$(wc -l <"$T/ft.csv")" -eq 15 ] || fail "expected 14 fine-tuned forecast rows"
# shellcheck disable=SC2086
expect_rc 65 "$TSDIFF" forecast -m "$T/ft.model" --data "$T/hist.csv" $FC -o "$T/x.csv"
expect_err 'covariate "promo" has no value at 2024-03-31'
# on hourly data a fine-tune keeps a gentle rate (1e-3), but one that adds
# covariate inputs (at 0) learns them at the daily grids' 3e-3
awk 'BEGIN { srand(5); print "id,time,sales,promo"
    for (s = 1; s <= 2; s++) for (t = 0; t < 150; t++) { p = rand() < 0.3
        printf "S%d,%s,%.2f,%d\n", s, strftime("%Y-%m-%d %H:00", 1704067200 + 3600 * t, 1),
               10 + 5 * p + rand(), p } }' >"$T/hourly.csv"
for cov in "" "--covariate promo"; do
    # shellcheck disable=SC2086
    expect_rc 0 env TSDIFF_MODEL="$T/p.model" "$TSDIFF" fit "$T/hourly.csv" $COLS $cov \
        --init default --horizon 7 --steps 1 --batch 8 --threads 2 -o "$T/h.model" -q
    expect_rc 0 "$TSDIFF" info "$T/h.model"
    if [ -n "$cov" ]; then expect_out "lr 0.003,"; else expect_out "lr 0.001,"; fi
done
# a model with covariates starts only a fit with the same ones
# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" fit "$T/all.csv" $COLS --init "$T/ft.model" --covariate promo --steps 1 \
    -o "$T/x.model" -q
expect_err "--init $T/ft.model: the model's covariate input 2 is store=big, the data's none"
[ ! -e "$T/x.model" ] || fail "a refused fit wrote a model"
# promo no longer 0/1 in the data: a numeric input where the model has an indicator
awk -F, -v OFS=, 'NR == 2 { $4 = 2 } 1' "$T/all.csv" >"$T/two.csv"
# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" fit "$T/two.csv" $COLS --init "$T/ft.model" --covariate promo \
    --categorical store --steps 1 -o "$T/x.model" -q
expect_err "the model's covariate input 1 is promo (0/1), the data's promo (fit with"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$T/all.csv" $COLS --init "$T/ft.model" --covariate promo \
    --categorical store --steps 1 --batch 8 --threads 2 -o "$T/ft2.model" -q

# a model without covariates: the same forecast as before, --future ignored
FIX=$top_srcdir/tests/data/model
DATA=$top_srcdir/data/sales.csv
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$FIX/v1-daily.model" --data "$DATA" $FC -o "$T/old.csv"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$FIX/v1-daily.model" --data "$DATA" --future "$T/fut.csv" \
    $FC -o "$T/old2.csv"
cmp -s "$T/old.csv" "$T/old2.csv" || fail "--future changed a model without covariates"
pass
