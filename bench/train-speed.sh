#!/bin/sh
# train-speed: training steps/s and achieved GFLOP/s of `tsdiff fit` with the
# default configuration on data/sales.csv, next to OpenBLAS sgemm GFLOP/s
# measured in the same run. Not part of make check.
#
#   bench/train-speed.sh [BUILD_DIR] [STEPS]     (default: ., 300)
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

start=$(date +%s.%N)
"$tsdiff" fit "$src/data/sales.csv" --init none --steps "$steps" -o "$tmp/m.model" --quiet --device cpu
end=$(date +%s.%N)
"$tsdiff" info "$tmp/m.model" >"$tmp/info"
macs=$(sed -n 's/^compute: *\([0-9.]*\) M multiply-adds.*/\1/p' "$tmp/info")
batch=$(sed -n 's/^training: .*batch \([0-9]*\),.*/\1/p' "$tmp/info")
grep -E '^(window|network|compute|training):' "$tmp/info"
awk -v s="$steps" -v t0="$start" -v t1="$end" -v macs="$macs" -v b="$batch" 'BEGIN {
    t = t1 - t0
    printf "fit: %d steps in %.1f s: %.2f steps/s, %.1f GFLOP/s in the UNet (%.1f s for 1500 steps)\n",
        s, t, s / t, s / t * b * 3 * 2 * macs * 1e6 / 1e9, 1500 * t / s
}'
