#!/usr/bin/env bash
# bench/accuracy/epf_covariates.sh - future-known covariates on EPF: hourly
# day-ahead prices of four markets with the day-ahead load and generation
# forecasts and day-of-week indicators (shared/data/epf, SOURCE.md).
# Not part of `make check`.
#
#   bench/accuracy/epf_covariates.sh [MARKETS] [BACKTEST-OPTIONS...]
#
# MARKETS: a comma list of BE, DE, FR, NP (default: all four). One
# `tsdiff backtest` holds out the last --windows 24-hour windows (rolling,
# stride 24) of every market, fits tsdiff WITH the covariates and the same
# model WITHOUT them on the hours before, and scores both beside naive and
# seasonal naive (m = 24); a second backtest of the saved covariate model
# (--model: no refit) scores seasonal naive with m = 168. The covariates of
# each window are their real values, as a day-ahead forecast knows them.
#
# Environment: TSDIFF (the binary, default src/tsdiff), TSDIFF_DATA_DIR
# (default ../shared/data next to the repository; read, never copied),
# TMPDIR (the market subset, model and metrics go there; kept if KEEP=1).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
tsdiff=${TSDIFF:-$here/src/tsdiff}
data=${TSDIFF_DATA_DIR:-$here/../shared/data}/epf/epf-with-covariates.csv
markets=${1:-BE,DE,FR,NP}
[ $# -gt 0 ] && shift
work=$(mktemp -d "${TMPDIR:-/tmp}/epf.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
awk -F, -v m="$markets" 'BEGIN { n = split(m, a, ","); for (i = 1; i <= n; i++) keep[a[i]] = 1 }
    NR == 1 || ($1 in keep)' "$data" > "$work/epf.csv"
common=(--id-col unique_id --time-col ds --value-col y --covariates all --horizon 24
        --windows 7 --stride 24 --steps 400 --samples 50 --seed 1 --init none "$@")
echo "== $markets: tsdiff with and without covariates, seasonal naive m = 24"
"$tsdiff" backtest "$work/epf.csv" "${common[@]}" --season 24 \
    --save-model "$work/cov.model" -o "$work/m24.csv"
echo "== $markets: the same covariate model, seasonal naive m = 168"
"$tsdiff" backtest "$work/epf.csv" "${common[@]}" --season 168 --model "$work/cov.model" \
    -o "$work/m168.csv"
