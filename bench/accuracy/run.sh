#!/bin/sh
# bench/accuracy/run.sh - accuracy of tsdiff on public data sets, against
# the seasonal-naive baseline of the same run and the published numbers.
# Not part of `make check`: one data set takes minutes to tens of minutes.
#
#   bench/accuracy/run.sh DATASET [TSDIFF-BACKTEST-OPTIONS...]
#
# DATASET: m4_hourly, exchange_rate, nn5_daily or etth1 (two runs: H = 24
# and H = 48). Extra options go to `tsdiff backtest` after ours, so they
# override them (e.g. --steps 500 for a quick look).
#
# Environment:
#   TSDIFF           the binary (default: src/tsdiff of the build in the
#                    current directory, else `tsdiff` on the PATH)
#   TSDIFF_DATA_DIR  the data sets (default: ../shared/data next to the
#                    repository); read only, never copied into the repo
#   TMPDIR           where the converted CSVs and metric files go (removed
#                    at the end unless KEEP=1)
#
# Every setting below is a flag a user could pass too. The protocol of each
# data set is the standard one of its SOURCE.md:
#   m4_hourly      414 series, the 48 test values appended to the training
#                  values; one window of H = 48 (the M4 test); context 312
#                  as in TSDiff; season 24. M4 gives no start dates, so each
#                  series gets a synthetic hourly clock (m4_long.awk).
#   exchange_rate  the first 6221 rows (GluonTS exchange_rate_nips); 5
#                  rolling windows of H = 30, stride 30; season 5 (business
#                  days); no dates in the file, so no calendar channels.
#   nn5_daily      111 series, the file as it is; the last 56 days (H = 56);
#                  season 7.
#   etth1          the 7 columns of ETTh1, rows [0, 14400) (the end of the
#                  standard test part); 7 rolling windows at the end, stride
#                  = H, for H = 24 and H = 48; season 24.
# Scores: wQL9 (the normalised CRPS of the TSDiff/GluonTS papers: mean
# weighted quantile loss at 0.1 .. 0.9), sample CRPS, ND, MASE and sMAPE of
# the median, 95 % MSIS, interval coverage (metrics.h). The seasonal-naive
# rows use backtest's Gaussian intervals; its ND is the score of the point
# forecast, which is what the papers list as "seasonal naive".
set -eu

usage() {
    echo "usage: $0 m4_hourly|exchange_rate|nn5_daily|etth1 [backtest options]" >&2
    exit 64
}
[ $# -ge 1 ] || usage
SET=$1
shift

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null || (cd "$HERE/../.." && pwd))
DATA=${TSDIFF_DATA_DIR:-$TOP/../shared/data}
if [ -z "${TSDIFF:-}" ]; then
    if [ -x ./src/tsdiff ]; then TSDIFF=./src/tsdiff; else TSDIFF=tsdiff; fi
fi
command -v "$TSDIFF" >/dev/null 2>&1 || { echo "$0: no tsdiff binary ($TSDIFF); set TSDIFF" >&2; exit 66; }
[ -d "$DATA/$SET" ] || { echo "$0: no data set at $DATA/$SET (set TSDIFF_DATA_DIR)" >&2; exit 66; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tsdiff-accuracy.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT INT TERM

# The machine, for the record.
machine() {
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
    core=$(OPENBLAS_VERBOSE=2 "$TSDIFF" --version 2>&1 | sed -n 's/^Core: //p' | head -n 1)
    echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, OpenBLAS kernel ${core:-?}" \
         "(OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset})"
    echo "tsdiff: $("$TSDIFF" --version 2>/dev/null | head -n 1) ($TSDIFF)," \
         "checkout $(git -C "$TOP" describe --always --dirty 2>/dev/null || echo '?')"
}

# backtest NAME CSV OPTIONS...: run one backtest, time it, keep the metrics.
backtest() {
    name=$1 csv=$2
    shift 2
    echo
    echo "== $name"
    echo "command: tsdiff backtest $* $(basename "$csv")"
    t0=$(date +%s)
    rc=0
    "$TSDIFF" backtest -q -o "$WORK/$name.metrics.csv" "$@" "$csv" || rc=$?
    t1=$(date +%s)
    if [ $rc -ne 0 ]; then
        echo "$0: $name: tsdiff backtest exited with status $rc after $((t1 - t0)) s" >&2
        exit $rc
    fi
    echo "wall time: $((t1 - t0)) s"
}

# report NAME PUBLISHED: tsdiff vs seasonal naive (this run) vs published.
# PUBLISHED: "label|wQL9|MASE|sMAPE|MSIS;..." with '-' for unknown cells.
report() {
    awk -F, -v pub="$2" '
    function cell(x, f) { return x == "-" || x == "" || x == "nan" ? "-" : sprintf(f, x) }
    $1 == "(all)" && ($2 == "tsdiff" || $2 == "seasonal naive") {
        m = $2 == "tsdiff" ? "tsdiff" : "seasonal naive (this run)"
        printf "| %-34s | %8s | %8s | %8s | %8s | %8s | %8s | %6s | %6s |\n", m,
               cell($5, "%.4f"), cell($4, "%.4g"), cell($7, "%.4f"), cell($8, "%.3f"),
               cell($9, "%.2f"), cell($10, "%.2f"), cell($12, "%.3f"), cell($13, "%.3f")
    }
    BEGIN {
        printf "| %-34s | %8s | %8s | %8s | %8s | %8s | %8s | %6s | %6s |\n", "method",
               "wQL9", "CRPS", "ND", "MASE", "sMAPE", "MSIS", "cov80", "cov95"
        print "|------------------------------------|---------:|---------:|---------:|---------:|---------:|---------:|-------:|-------:|"
    }
    END {
        n = split(pub, rows, ";")
        for (i = 1; i <= n; i++) {
            split(rows[i], f, "|")
            printf "| %-34s | %8s | %8s | %8s | %8s | %8s | %8s | %6s | %6s |\n",
                   "published: " f[1], f[2], "-", "-", f[3], f[4], f[5], "-", "-"
        }
    }' "$WORK/$1.metrics.csv"
}

machine
case $SET in
m4_hourly)
    csv=$WORK/m4_hourly.csv
    awk -F, -f "$HERE/m4_long.awk" "$DATA/m4_hourly/Hourly-train.csv" \
        "$DATA/m4_hourly/Hourly-test.csv" >"$csv"
    backtest m4_hourly "$csv" --id-col series --horizon 48 --windows 1 --season 24 \
        --context 312 --samples 100 "$@"
    report m4_hourly "seasonal naive (point)|0.048|1.193|13.91|-;DeepAR|0.052|-|-|-;CSDI|0.040|-|-|-;TSDiff (cond.)|0.039|-|-|-;TSDiff-Q|0.036|-|-|-;M4 winner (Smyl)|-|0.893|9.33|7.93;ARIMA|-|-|-|7.54;ETS|-|-|-|17.49"
    ;;
exchange_rate)
    csv=$WORK/exchange_rate.csv
    head -n 6221 "$DATA/exchange_rate/exchange_rate.txt" >"$csv"
    backtest exchange_rate "$csv" --no-header --horizon 30 --windows 5 --stride 30 \
        --season 5 --samples 100 "$@"
    report exchange_rate "seasonal naive (point)|0.011|-|-|-;TSDiff-Q|0.011|-|-|-;TFT (best published)|0.007|-|-|-"
    ;;
nn5_daily)
    backtest nn5_daily "$DATA/nn5_daily/NN5_FINAL_DATASET_WITH_TEST_DATA.csv" \
        --horizon 56 --windows 1 --season 7 --samples 100 "$@"
    report nn5_daily ""
    ;;
etth1)
    csv=$WORK/etth1.csv
    head -n 14401 "$DATA/etth1/ETTh1.csv" >"$csv"    # the header and rows [0, 14400)
    for h in 24 48; do
        backtest etth1_h$h "$csv" --horizon $h --windows 7 --stride $h --season 24 \
            --samples 100 "$@"
        report etth1_h$h ""
    done
    ;;
*) usage ;;
esac
