#!/bin/sh
# backtest end to end on a tiny model: the table, the metrics CSV, the
# baselines' numbers against an independent computation, --model refusal,
# and interrupting fit.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
DATA=$top_srcdir/data/sales.csv
TINY="--steps 30 --batch 8 --channels 8 --levels 2 --diffusion-steps 50 --context 28 --threads 2"

expect_rc 0 "$TSDIFF" backtest "$DATA" $TINY --horizon 14 --windows 2 --samples 8 \
    --sampler-steps 4 -o "$T/m.csv" --save-model "$T/bt.model"
for m in tsdiff naive "seasonal naive"; do grep -q "^$m " "$OUT" || fail "no $m row"; done
expect_out "2 windows of 14 steps"
head -1 "$T/m.csv" | grep -qx 'series,method,points,crps,wql9,wql19,nd,mase,smape,msis,cov50,cov80,cov95' \
    || fail "metrics header"
# 5 series + pooled, 3 methods each
[ "$(tail -n +2 "$T/m.csv" | wc -l)" -eq 18 ] || fail "metrics rows"
# 2 windows x 14 steps x 5 series = 140 points, less the missing truths
pts=$(grep '^(all),tsdiff,' "$T/m.csv" | cut -d, -f3)
[ "$pts" -gt 130 ] && [ "$pts" -le 140 ] || fail "pooled points $pts"

# Seasonal naive's MASE for one series, recomputed here with awk from the
# data: the point forecast repeats the last week before each window, and the
# scale is the in-sample mean |y_t - y_{t-7}| before that window.
mase_want=$(awk -F, -v col=2 -v H=14 -v K=2 '
    NR > 1 { n++; y[n] = $(col) }
    END {
        sum = 0; cnt = 0
        for (w = 0; w < K; w++) {
            o = n - H - (K - 1 - w) * H        # points before the window
            s = 0; c = 0
            for (t = 8; t <= o; t++) if (y[t] != "" && y[t-7] != "") { d = y[t] - y[t-7]; s += d < 0 ? -d : d; c++ }
            scale = s / c
            for (h = 1; h <= H; h++) {
                p = o - 7 + (h - 1) % 7 + 1
                while (y[p] == "") p -= 7
                if (y[o + h] == "") continue
                e = y[o + h] - y[p]; sum += (e < 0 ? -e : e) / scale; cnt++
            }
        }
        printf "%.4f", sum / cnt
    }' "$DATA")
mase_got=$(awk -F, '$1 == "widgets" && $2 == "seasonal naive" { printf "%.4f", $8 }' "$T/m.csv")
[ -n "$mase_want" ] && [ "$mase_want" = "$mase_got" ] || fail "seasonal naive MASE of widgets: $mase_got, expected $mase_want"
echo "seasonal naive MASE of widgets: $mase_got (awk: $mase_want)"

# A model that has seen the held-out windows is refused; the one fitted
# before them is accepted and scores the same windows.
expect_rc 0 "$TSDIFF" fit "$DATA" $TINY --horizon 14 -o "$T/full.model" --quiet
expect_rc 65 "$TSDIFF" backtest "$DATA" --model "$T/full.model" --windows 2
expect_err "overlap the held-out windows"
expect_rc 0 "$TSDIFF" backtest "$DATA" --model "$T/bt.model" --windows 2 --samples 8 --sampler-steps 4 --quiet
grep -q '^tsdiff ' "$OUT" || fail "backtest --model: no table"
# a fitted model scores only its own series: none of them here is an error
sed '1s/,\([^,]*\)/,other_\1/g' "$DATA" > "$T/renamed.csv"
expect_rc 65 "$TSDIFF" backtest "$T/renamed.csv" --model "$T/bt.model" --windows 2 --samples 8 \
    -o "$T/none.csv"
expect_err "nothing to score: none of its series is one the model was fitted on"
[ ! -e "$T/none.csv" ] || fail "backtest with nothing to score wrote its output"

# --seeds pools the runs: the model's wQL9 is the mean of the seeds' (one
# denominator), the baselines' do not move, the points add up.
for s in 1 2; do
    expect_rc 0 "$TSDIFF" backtest "$DATA" --model "$T/bt.model" --windows 2 --samples 8 \
        --sampler-steps 4 --seed $s -o "$T/s$s.csv" --quiet
    [ ! -s "$OUT" ] || fail "backtest --quiet -o FILE printed: $(head -n 2 "$OUT")"
done
expect_rc 0 "$TSDIFF" backtest "$DATA" --model "$T/bt.model" --windows 2 --samples 8 \
    --sampler-steps 4 --seeds 2 -o "$T/s12.csv"
expect_out "seeds 1 to 2 pooled"
row() { awk -F, -v m="$2" '$1 == "(all)" && $2 == m { print $3, $5 }' "$1"; }
set -- $(row "$T/s1.csv" tsdiff) $(row "$T/s2.csv" tsdiff) $(row "$T/s12.csv" tsdiff)
awk -v a="$2" -v b="$4" -v p="$6" 'BEGIN { d = (a + b) / 2 - p; exit !(d < 1e-4 * p && d > -1e-4 * p) }' \
    || fail "pooled wQL9 $6, expected the mean of $2 and $4"
[ "$5" -eq $(($1 + $3)) ] || fail "pooled points $5, expected $1 + $3"
[ "$2" != "$4" ] || fail "seeds 1 and 2 scored alike: the seed does not reach the sampler"
[ "$(row "$T/s12.csv" naive)" = "$(($1 + $3)) $(row "$T/s1.csv" naive | cut -d' ' -f2)" ] \
    || fail "naive moved with --seeds"
expect_rc 64 "$TSDIFF" backtest "$DATA" $TINY --seeds 2 --save-model "$T/x.model"
expect_err "not with --seeds 2"
[ ! -e "$T/x.model" ] || fail "refused --save-model wrote a model"

expect_rc 64 "$TSDIFF" backtest
expect_rc 64 "$TSDIFF" backtest "$DATA" --windows 0
expect_rc 65 "$TSDIFF" backtest "$DATA" --horizon 600 --windows 3 $TINY

# SIGINT during fit: a complete model is saved and the exit status is 130.
"$TSDIFF" fit "$DATA" $TINY --horizon 14 --steps 100000 --checkpoint-every 5 -o "$T/int.model" --quiet >"$OUT" 2>"$ERR" &
pid=$!
i=0
while [ ! -s "$T/int.model" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
sleep 1
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
[ "$rc" -eq 130 ] || fail "interrupted fit exited $rc, expected 130"
grep -q "interrupted" "$ERR" || fail "no interruption message"
expect_rc 0 "$TSDIFF" info "$T/int.model"
expect_out "resumable:      yes"
pass
