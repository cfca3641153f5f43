#!/bin/sh
# train-speed: training steps/s and achieved GFLOP/s of `tsdiff fit` with the
# default configuration on data/sales.csv, next to OpenBLAS sgemm GFLOP/s
# measured in the same run. Not part of make check.
#
#   bench/train-speed.sh [BUILD_DIR] [STEPS]     (default: ., 300)
#
# The steps alone are the difference of a STEPS-step and a 2 x STEPS-step
# fit, set against OpenBLAS sgemm 1024^3 on 2 threads measured after them.
#
# GFLOP/s counts 2 flops per multiply-add of the UNet (tsdiff info prints
# them per window) and the backward as twice the forward: 3 x 2 x MACs per
# window per step, times the batch.
set -eu
build=${1:-.}
steps=${2:-300}
src=$(cd "$(dirname "$0")/.." && pwd)
tsdiff=$build/src/tsdiff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}"
make -s -C "$build" bench-ops 2>/dev/null | grep -E '^(gemm|sgemm|conv1d) ' || true

# Two fits, STEPS and 2 x STEPS: the second's extra time is steps alone
# (both pay the same start-up and the same 20 validations).
fit() {
    s0=$(date +%s.%N)
    "$tsdiff" fit "$src/data/sales.csv" --init none --steps "$1" -o "$tmp/m.model" --quiet --device cpu
    s1=$(date +%s.%N)
    echo "$s1 - $s0" | bc -l
}
t1=$(fit "$steps")
t2=$(fit $((2 * steps)))
"$tsdiff" info "$tmp/m.model" >"$tmp/info"
macs=$(sed -n 's/^compute: *\([0-9.]*\) M multiply-adds.*/\1/p' "$tmp/info")
batch=$(sed -n 's/^training: .*batch \([0-9]*\),.*/\1/p' "$tmp/info")
grep -E '^(window|network|compute|training):' "$tmp/info"
peak=$(make -s -C "$build" bench-ops 2>/dev/null | sed -n 's/^sgemm 1024 1024 1024 0 0 (OpenBLAS, [0-9]* threads).* \([0-9.]*\) GFLOP\/s$/\1/p' | head -1)
awk -v s="$steps" -v t1="$t1" -v t2="$t2" -v macs="$macs" -v b="$batch" -v peak="${peak:-0}" 'BEGIN {
    f = b * 3 * 2 * macs * 1e6 / 1e9          # GFLOP per step
    printf "fit: %d steps in %.1f s: %.2f steps/s, %.1f GFLOP/s in the UNet (%.1f s for 1500 steps)\n",
        s, t1, s / t1, s / t1 * f, 1500 * t1 / s
    d = t2 - t1
    printf "steps alone (%d more steps in %.1f s): %.2f steps/s, %.1f GFLOP/s", s, d, s / d, s / d * f
    if (peak > 0) printf ", %.0f %% of sgemm'"'"'s %.1f GFLOP/s (2 threads, again after the fits)", 100 * s / d * f / peak, peak
    printf "\n"
}'
