#!/bin/sh
# tsdiff --device cuda end to end on the emulated CUDA module
# (tests/cuda_emu): training writes a model the CPU reads; forecasting gives
# the CPU's quantiles from the same model and seed, over two horizon blocks
# (the second replays the recorded solver loop) and two chunks of rows.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
if [ -z "${TSDIFF_CUDA_EMU:-}" ]; then
    echo "SKIP: no C++17 compiler: the emulated CUDA module was not built"
    exit 77
fi
DATA=$top_srcdir/data/sales.csv
TINY="--steps 3 --batch 4 --channels 8 --levels 2 --diffusion-steps 20 --horizon 7
      --context 14 --threads 1 --seed 4 -q"
FC="-n 4 -K 6 --horizon 14 --seed 9 --threads 1 -q"
emu() { env TSDIFF_CUDA_MODULE="$TSDIFF_CUDA_EMU" "$TSDIFF" "$@"; }

# same: two forecast CSVs with the same rows, text fields equal and numbers
# within 1e-3 of each other relative to the file's largest value.
same() {
    awk -F, -v what="$3" '
        NR == FNR { a[FNR] = $0; n = FNR; next }
        { b[FNR] = $0; m = FNR
          for (i = 1; i <= NF; i++) if ($i + 0 == $i && ($i < 0 ? -$i : $i) > big) big = ($i < 0 ? -$i : $i) }
        END {
            if (n != m || n < 2) { print what ": " n " rows against " m; exit 1 }
            for (r = 1; r <= n; r++) {
                k = split(a[r], x, ","); if (split(b[r], y, ",") != k) { print what ": row " r " differs in width"; exit 1 }
                for (i = 1; i <= k; i++) {
                    if (x[i] + 0 == x[i] && y[i] + 0 == y[i]) {
                        d = x[i] - y[i]; if (d < 0) d = -d
                        if (d > 1e-3 * big) { print what ": row " r " field " i ": " x[i] " vs " y[i]; exit 1 }
                    } else if (x[i] != y[i]) { print what ": row " r " field " i ": " x[i] " vs " y[i]; exit 1 }
                }
            }
        }' "$1" "$2" >"$T/diff" || fail "$(cat "$T/diff")"
}

# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$DATA" $TINY --device cpu -o "$T/cpu.model"
# shellcheck disable=SC2086
expect_rc 0 emu fit "$DATA" $TINY --device cuda -o "$T/gpu.model"
[ -s "$T/gpu.model" ] || fail "fit --device cuda wrote no model"
expect_rc 0 "$TSDIFF" info "$T/gpu.model"

# One model, both devices: the same forecast.
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$T/cpu.model" $FC --device cpu -o "$T/cpu.csv"
# shellcheck disable=SC2086
expect_rc 0 emu forecast -m "$T/cpu.model" $FC --device cuda -o "$T/gpu.csv"
same "$T/cpu.csv" "$T/gpu.csv" "forecast on cpu vs cuda"

# The model trained on the emulated GPU is the CPU-trained one, to rounding.
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$T/gpu.model" $FC --device cpu -o "$T/gpu-model.csv"
same "$T/cpu.csv" "$T/gpu-model.csv" "cpu-trained vs cuda-trained model"
# A fault inside the module (a kernel launch that fails mid-fit) is an
# internal error through the program's fatal-error hook: exit 70, one line
# naming the call, no model and no lock file left.
# shellcheck disable=SC2086
expect_rc 70 env TS_EMU_FAIL_LAUNCH=400 TSDIFF_CUDA_MODULE="$TSDIFF_CUDA_EMU" "$TSDIFF" fit \
    "$DATA" $TINY --device cuda -o "$T/fault.model"
grep -q "internal error at .*unspecified launch failure" "$ERR" ||
    fail "no internal-error line: $(cat "$ERR")"
[ ! -e "$T/fault.model" ] || fail "a model was written after a CUDA fault"
ls "$T" | grep -q '\.lock$' && fail "a lock file was left: $(ls "$T")"
pass
