#!/bin/sh
# forecast-speed: wall time of `tsdiff forecast --horizon 30 --samples 100` on
# a model of data/sales.csv fitted without its last 30 days, with
# DPM-Solver++ (K = 10, 20), DDIM (K = 20) and ancestral DDPM (all T steps),
# and the accuracy of each on those held-out 30 days. Not part of make check.
#
#   bench/forecast-speed.sh [BUILD_DIR] [FIT_OPTIONS...]
set -eu
build=${1:-.}
[ $# -gt 0 ] && shift
src=$(cd "$(dirname "$0")/.." && pwd)
tsdiff=$build/src/tsdiff
data=$src/data/sales.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
# The model sees everything but the last 30 days (backtest fits it so).
"$tsdiff" backtest "$data" --init none --horizon 30 --windows 1 --samples 4 --sampler-steps 2 \
    --save-model "$tmp/m.model" --quiet "$@" >/dev/null
printf '%-16s %9s %9s %9s %9s %9s\n' sampler calls "time (s)" CRPS wQL9 cov80
for s in "dpmpp 10" "dpmpp 20" "ddim 20" "ddpm 0"; do
    set -- $s
    k=$2; [ "$k" = 0 ] && k=1
    t0=$(date +%s.%N)
    "$tsdiff" forecast -m "$tmp/m.model" --data "$data" --horizon 30 --samples 100 \
        --sampler "$1" --sampler-steps "$k" -o "$tmp/f.csv" --quiet
    t1=$(date +%s.%N)
    "$tsdiff" backtest "$data" --model "$tmp/m.model" --windows 1 --samples 100 \
        --sampler "$1" --sampler-steps "$k" --quiet >"$tmp/bt"
    T=$("$tsdiff" info "$tmp/m.model" | sed -n 's/^diffusion: .*T = \([0-9]*\)/\1/p')
    calls=$([ "$1" = ddpm ] && echo "$T" || echo "$k")
    awk -v name="$1 K=$2" -v c="$calls" -v t0="$t0" -v t1="$t1" '$1 == "tsdiff" {
        printf "%-16s %9d %9.2f %9.4g %9.4f %9.3f\n", (name ~ /ddpm/ ? "ddpm (all T)" : name), c, t1 - t0, $3, $4, $10 }' "$tmp/bt"
done
awk '$1 == "seasonal" { printf "%-16s %9s %9s %9s %9.4f %9.3f\n", "seasonal naive", "-", "-", "-", $5, $11 }' "$tmp/bt"
