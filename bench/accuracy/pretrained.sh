#!/usr/bin/env bash
# bench/accuracy/pretrained.sh - the pretrained model (data/default.model)
# zero-shot, fine-tuned from it (fit --init default) and trained from
# scratch on the same small budget, beside seasonal naive, on
#   sales   data/sales.csv: 5 daily series, the last 30 days held out
#           (`tsdiff backtest --windows 1 --horizon 30`);
#   nn5     a short-series benchmark: NSERIES NN5 daily series (every 4th
#           column from N101), each cut to its last 112 days (16 weeks,
#           ending 1998-03-22), the last 28 held out, forecast ONE SERIES AT
#           A TIME as a user with one short series would (one backtest per
#           series). Scores are means over the series of the per-series
#           wQL9, MASE and sMAPE (M4's way of pooling), and the pooled
#           95 % coverage.
# Not part of `make check`. Never copies data into the repository: the cut
# files go to $TMPDIR.
#
#   bench/accuracy/pretrained.sh [sales|nn5|all]
#
# Environment: TSDIFF (default src/tsdiff), TSDIFF_DATA_DIR (default
# ../shared/data next to the repository; on the project VM /work/shared/data),
# STEPS (fine-tune and scratch steps, default 200), BATCH (default 16),
# NSERIES (default 20), SAMPLES (default 100), TSDIFF_MODEL (the model to
# test, default: the shipped one).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
TSDIFF=${TSDIFF:-$HERE/src/tsdiff}
DATA=${TSDIFF_DATA_DIR:-$HERE/../shared/data}
[ -d "$DATA" ] || DATA=/work/shared/data
STEPS=${STEPS:-200}
BATCH=${BATCH:-16}
NSERIES=${NSERIES:-20}
SAMPLES=${SAMPLES:-100}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tsdiff-pre.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
BT=(--windows 1 --samples "$SAMPLES" --sampler-steps 10 --quiet --seed 1)
FT=(--steps "$STEPS" --batch "$BATCH")

# backtest METRICS.csv FILE ARGS...: one backtest, its CSV kept
backtest() {
    local out=$1 file=$2
    shift 2
    "$TSDIFF" backtest "$file" "${BT[@]}" --output "$out" "$@" >/dev/null
}

# rows of the (all) line: method wql9 mase smape cov95
summary() { awk -F, '$1 == "(all)" { print $2, $5, $8, $9, $13 }' "$@"; }

sales() {
    local f=$HERE/data/sales.csv t0 t1
    echo "== sales: 5 daily series, the last 30 days held out; fine-tune and scratch: $STEPS steps, batch $BATCH"
    echo "method wQL9 MASE sMAPE cov95 seconds"
    t0=$(date +%s.%N)
    backtest "$WORK/zs.csv" "$f" --horizon 30 --model default
    t1=$(date +%s.%N)
    summary "$WORK/zs.csv" | sed "s/^tsdiff/zero-shot/; s/\$/ $(echo "$t1 - $t0" | bc)/"
    backtest "$WORK/ft.csv" "$f" --horizon 30 --init default "${FT[@]}"
    t0=$(date +%s.%N)
    summary "$WORK/ft.csv" | grep '^tsdiff' | sed "s/^tsdiff/fine-tuned/; s/\$/ $(echo "$t0 - $t1" | bc)/"
    backtest "$WORK/sc.csv" "$f" --horizon 30 --init none "${FT[@]}"
    t1=$(date +%s.%N)
    summary "$WORK/sc.csv" | grep '^tsdiff' | sed "s/^tsdiff/scratch/; s/\$/ $(echo "$t1 - $t0" | bc)/"
}

# mean over the series of each score, per method, from per-series CSVs
means() {
    awk -F, '$1 == "(all)" { n[$2]++; w[$2] += $5; m[$2] += $8; s[$2] += $9;
                             c[$2] += $13 * $3; p[$2] += $3 }
             END { for (k in n) printf "%s %.4f %.4f %.3f %.3f (%d series)\n", k, w[k] / n[k],
                   m[k] / n[k], s[k] / n[k], c[k] / p[k], n[k] }' "$@"
}

nn5() {
    local src=$DATA/nn5_daily/NN5_FINAL_DATASET_WITH_TEST_DATA.csv
    echo "== nn5: $NSERIES daily series, 112 days each, the last 28 held out, one at a time"
    head -n 1 "$src" | sed 's/^\xef\xbb\xbf//' >"$WORK/head.csv"
    tail -n 112 "$src" >"$WORK/rows.csv"
    local k col t0 t1 tz=0 tf=0 ts=0
    for k in $(seq 1 "$NSERIES"); do
        col=$((2 + 4 * (k - 1)))
        cat "$WORK/head.csv" "$WORK/rows.csv" | cut -d';' -f1,"$col" >"$WORK/s$k.csv"
        t0=$(date +%s.%N)
        backtest "$WORK/zs$k.csv" "$WORK/s$k.csv" --horizon 28 --model default
        t1=$(date +%s.%N); tz=$(echo "$tz + $t1 - $t0" | bc)
        backtest "$WORK/ft$k.csv" "$WORK/s$k.csv" --horizon 28 --init default "${FT[@]}"
        t0=$(date +%s.%N); tf=$(echo "$tf + $t0 - $t1" | bc)
        backtest "$WORK/sc$k.csv" "$WORK/s$k.csv" --horizon 28 --init none "${FT[@]}"
        t1=$(date +%s.%N); ts=$(echo "$ts + $t1 - $t0" | bc)
    done
    echo "method mean-wQL9 mean-MASE mean-sMAPE cov95"
    means "$WORK"/zs*.csv | sed 's/^tsdiff/zero-shot/'
    means "$WORK"/ft*.csv | grep '^tsdiff' | sed 's/^tsdiff/fine-tuned/'
    means "$WORK"/sc*.csv | grep '^tsdiff' | sed 's/^tsdiff/scratch/'
    echo "seconds: zero-shot $tz, fine-tuned $tf, scratch $ts (all $NSERIES series)"
}

case ${1:-all} in
sales) sales ;;
nn5) nn5 ;;
all) sales; nn5 ;;
*) echo "usage: $0 [sales|nn5|all]" >&2; exit 64 ;;
esac
