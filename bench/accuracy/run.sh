#!/usr/bin/env bash
# bench/accuracy/run.sh - accuracy of tsdiff on public data sets, against
# the seasonal-naive baseline of the same run and the published numbers.
# Not part of `make check`: one data set takes minutes to tens of minutes.
#
#   bench/accuracy/run.sh DATASET [FIT-OPTIONS...] [-- BACKTEST-OPTIONS...]
#
# DATASET: m4_hourly, exchange_rate, nn5_daily or etth1 (two runs: H = 24
# and H = 48; etth1_h24 or etth1_h48 runs one). Options go after ours, so they override them, e.g.
#   run.sh m4_hourly --steps 500 -- --sampler-steps 20
#
# Environment:
#   TSDIFF           the binary (default: src/tsdiff of the build in the
#                    current directory, else `tsdiff` on the PATH)
#   TSDIFF_DATA_DIR  the data sets (default: ../shared/data next to the
#                    repository); read only, never copied into the repo
#   TMPDIR           where the converted CSVs, the model and the metrics go
#                    (removed at the end unless KEEP=1)
#
# Each run fits a model on the data before the held-out windows (`tsdiff
# fit`), then scores it with `tsdiff backtest --model`, which also scores
# the naive and seasonal-naive baselines on the same windows. Every setting
# is a flag a user could pass. The protocol of each data set is the standard
# one of its SOURCE.md:
#   m4_hourly      414 series, one window of H = 48: the model is fitted on
#                  Hourly-train.csv and scored on the Hourly-test.csv values
#                  appended to it; context 312 as in TSDiff; season 24. M4
#                  gives no start dates, so each series gets a synthetic
#                  hourly clock (m4_long.awk). --target residual: many M4
#                  hourly series are nearly periodic (bench/RESULTS.md).
#   exchange_rate  the first 6221 rows (GluonTS exchange_rate_nips); 5
#                  rolling windows of H = 30, stride 30, so the model sees
#                  rows 1..6071; season 5 (business days); the file has no
#                  dates, so the model gets no calendar or lag channels.
#                  --select loss: with 8 series the validation CRPS (8
#                  windows, 8 paths each) is too noisy to pick weights by.
#   nn5_daily      111 series; fitted on the first 735 days, scored on the
#                  last 56 (H = 56); season 7.
#   etth1          the 7 columns of ETTh1, rows [0, 14400) (the end of the
#                  standard test part); 7 rolling windows at the end, stride
#                  = H, for H = 24 and H = 48; season 24.
# Scores (metrics.h): wQL9, the normalised CRPS of the TSDiff/GluonTS papers
# (mean weighted quantile loss at 0.1 .. 0.9); the sample CRPS; ND, MASE and
# sMAPE of the median; 95 % MSIS; interval coverage. The seasonal-naive row
# has backtest's Gaussian intervals; its ND is the score of the point
# forecast, which is what the papers list as "seasonal naive".
set -euo pipefail

usage() {
    echo "usage: $0 m4_hourly|exchange_rate|nn5_daily|etth1[_h24|_h48] [fit options] [-- backtest options]" >&2
    exit 64
}
[ $# -ge 1 ] || usage
SET=$1
shift
USER_FIT=() USER_BT=()
while [ $# -gt 0 ]; do
    if [ "$1" = -- ]; then shift; USER_BT=("$@"); break; fi
    USER_FIT+=("$1")
    shift
done

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null || (cd "$HERE/../.." && pwd))
DATA=${TSDIFF_DATA_DIR:-$TOP/../shared/data}
if [ -z "${TSDIFF:-}" ]; then
    if [ -x ./src/tsdiff ]; then TSDIFF=./src/tsdiff; else TSDIFF=tsdiff; fi
fi
command -v "$TSDIFF" >/dev/null 2>&1 || { echo "$0: no tsdiff binary ($TSDIFF); set TSDIFF" >&2; exit 66; }
[ -d "$DATA/${SET%_h[0-9]*}" ] || { echo "$0: no data set at $DATA/${SET%_h[0-9]*} (set TSDIFF_DATA_DIR)" >&2; exit 66; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tsdiff-accuracy.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT

# The machine, for the record.
machine() {
    local cpu core
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
    core=$(OPENBLAS_VERBOSE=2 "$TSDIFF" --version 2>&1 | sed -n 's/^Core: //p' | head -n 1)
    echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, OpenBLAS kernel ${core:-?}" \
         "(OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "tsdiff: $("$TSDIFF" --version 2>/dev/null | head -n 1) ($TSDIFF)," \
         "checkout $(git -C "$TOP" describe --always --dirty 2>/dev/null || echo '?')"
}

# run NAME TRAIN FULL: fit on TRAIN (the data before the held-out windows)
# with FIT[@], then score the model on the held-out windows of FULL with
# `backtest --model` and BT[@]. The fit saves a checkpoint every 250 steps;
# if it is stopped (another user's kill on a shared machine), it is resumed
# from there, at most 5 times; a killed backtest runs once more. The wall
# time counts everything.
run() {
    local name=$1 train=$2 full=$3 model=$WORK/$1.model rc=0 tries=0 done_steps steps=1500
    local fit=("${FIT[@]}" "${USER_FIT[@]}") bt=("${BT[@]}" "${USER_BT[@]}")
    for ((i = 0; i + 1 < ${#fit[@]}; i++)); do
        [ "${fit[i]}" = --steps ] && steps=${fit[i + 1]}
    done
    echo
    echo "== $name"
    echo "command: tsdiff fit --init none ${fit[*]} --checkpoint-every 250 -o $name.model $(basename "$train")"
    echo "         tsdiff backtest --model $name.model ${bt[*]} $(basename "$full")"
    local t0=$SECONDS
    "$TSDIFF" fit -q --init none "${fit[@]}" --checkpoint-every 250 -o "$model" "$train" || rc=$?
    while { [ $rc -eq 143 ] || [ $rc -eq 137 ] || [ $rc -eq 130 ]; } && [ $tries -lt 5 ] &&
          [ -s "$model" ]; do
        done_steps=$("$TSDIFF" info "$model" | sed -n 's/^training: *\([0-9]*\) steps.*/\1/p')
        [ -n "$done_steps" ] && [ "$done_steps" -lt "$steps" ] || break
        echo "fit stopped (status $rc) at step $done_steps of $steps; resuming" >&2
        tries=$((tries + 1))
        rc=0
        # No DATA.csv: the model's own file, read with the model's CSV options.
        "$TSDIFF" fit -q --resume --steps $((steps - done_steps)) --checkpoint-every 250 \
            -o "$model" || rc=$?
    done
    [ $rc -eq 0 ] || { echo "$0: $name: tsdiff fit exited with status $rc" >&2; exit $rc; }
    local t1=$SECONDS
    for tries in 1 2; do
        rc=0
        "$TSDIFF" backtest -q --model "$model" -o "$WORK/$name.metrics.csv" "${bt[@]}" "$full" || rc=$?
        [ $rc -eq 137 ] || [ $rc -eq 143 ] || break
        echo "backtest killed (status $rc); once more" >&2
    done
    [ $rc -eq 0 ] || { echo "$0: $name: tsdiff backtest exited with status $rc" >&2; exit $rc; }
    echo "wall time: $((SECONDS - t0)) s (fit $((t1 - t0)) s, backtest $((SECONDS - t1)) s)"
    if [ "${KEEP:-0}" = 1 ]; then echo "model and metrics kept in $WORK"; fi
}

# report NAME PUBLISHED: tsdiff vs seasonal naive (this run) vs published,
# as a Markdown table. PUBLISHED: "label|wQL9|MASE|sMAPE|MSIS;..." with '-'
# for cells not published.
report() {
    awk -F, -v pub="$2" '
    function cell(x, f) { return x == "-" || x == "" || x == "nan" ? "-" : sprintf(f, x) }
    function row(m, a, b, c, d, e, f, g, h) {
        printf "| %-34s | %8s | %8s | %8s | %8s | %8s | %8s | %6s | %6s |\n", m, a, b, c, d, e, f, g, h
    }
    BEGIN {
        row("method", "wQL9", "CRPS", "ND", "MASE", "sMAPE", "MSIS", "cov80", "cov95")
        print "|------------------------------------|---------:|---------:|---------:|---------:|---------:|---------:|-------:|-------:|"
    }
    $1 == "(all)" && ($2 == "tsdiff" || $2 == "seasonal naive") {
        row($2 == "tsdiff" ? "tsdiff" : "seasonal naive (this run)", cell($5, "%.4f"),
            cell($4, "%.4g"), cell($7, "%.4f"), cell($8, "%.3f"), cell($9, "%.2f"),
            cell($10, "%.2f"), cell($12, "%.3f"), cell($13, "%.3f"))
    }
    END {
        n = split(pub, rows, ";")
        for (i = 1; i <= n; i++) {
            split(rows[i], f, "|")
            row("published: " f[1], f[2], "-", "-", f[3], f[4], f[5], "-", "-")
        }
    }' "$WORK/$1.metrics.csv"
}

machine
BACKTEST_STD=(--samples 100 --sampler-steps 10)
case $SET in
m4_hourly)
    awk -F, -f "$HERE/m4_long.awk" "$DATA/m4_hourly/Hourly-train.csv" >"$WORK/m4_train.csv"
    awk -F, -f "$HERE/m4_long.awk" "$DATA/m4_hourly/Hourly-train.csv" \
        "$DATA/m4_hourly/Hourly-test.csv" >"$WORK/m4_full.csv"
    FIT=(--id-col series --horizon 48 --context 312 --steps 1500 --target residual)
    BT=(--id-col series --horizon 48 --windows 1 --season 24 "${BACKTEST_STD[@]}")
    run m4_hourly "$WORK/m4_train.csv" "$WORK/m4_full.csv"
    report m4_hourly "seasonal naive (point)|0.048|1.193|13.91|-;DeepAR|0.052|-|-|-;CSDI|0.040|-|-|-;TSDiff (cond.)|0.039|-|-|-;TSDiff-Q|0.036|-|-|-;M4 winner (Smyl)|-|0.893|9.33|7.93;ARIMA|-|-|-|7.54;ETS|-|-|-|17.49"
    ;;
exchange_rate)
    head -n 6071 "$DATA/exchange_rate/exchange_rate.txt" >"$WORK/exchange_train.csv"
    head -n 6221 "$DATA/exchange_rate/exchange_rate.txt" >"$WORK/exchange_full.csv"
    FIT=(--no-header --horizon 30 --steps 4000 --select loss)
    BT=(--no-header --horizon 30 --windows 5 --stride 30 --season 5 "${BACKTEST_STD[@]}")
    run exchange_rate "$WORK/exchange_train.csv" "$WORK/exchange_full.csv"
    report exchange_rate "seasonal naive (point)|0.011|-|-|-;TSDiff-Q|0.011|-|-|-;TFT (best published)|0.007|-|-|-"
    ;;
nn5_daily)
    nn5=$DATA/nn5_daily/NN5_FINAL_DATASET_WITH_TEST_DATA.csv
    head -n 736 "$nn5" >"$WORK/nn5_train.csv"      # the header and the first 735 days
    FIT=(--horizon 56)
    BT=(--horizon 56 --windows 1 --season 7 "${BACKTEST_STD[@]}")
    run nn5_daily "$WORK/nn5_train.csv" "$nn5"
    report nn5_daily ""
    ;;
etth1 | etth1_h24 | etth1_h48)
    hs="24 48"
    [ "$SET" = etth1 ] || hs=${SET#etth1_h}
    head -n 14401 "$DATA/etth1/ETTh1.csv" >"$WORK/etth1_full.csv"   # header, rows [0, 14400)
    for h in $hs; do
        head -n $((14401 - 7 * h)) "$DATA/etth1/ETTh1.csv" >"$WORK/etth1_train_h$h.csv"
        FIT=(--horizon $h)
        BT=(--horizon $h --windows 7 --stride $h --season 24 "${BACKTEST_STD[@]}")
        run etth1_h$h "$WORK/etth1_train_h$h.csv" "$WORK/etth1_full.csv"
        report etth1_h$h ""
    done
    ;;
*) usage ;;
esac
