#!/bin/sh
# The main binary links no CUDA library (the CUDA backend is a module loaded
# at run time), and device selection behaves: --device cuda either trains on
# a GPU or exits 69 with one line saying why; --device auto then falls back
# to the CPU silently off a terminal, and with --verbose with one line when
# a CUDA module is there but unusable.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
CUDA_LIBS='libcuda\.|libcudart|libcublas|libcudnn|libnvrtc'

if command -v ldd >/dev/null 2>&1; then
    ldd "$TSDIFF" >"$OUT" 2>&1 || true
elif command -v readelf >/dev/null 2>&1; then
    readelf -d "$TSDIFF" >"$OUT" 2>&1 || true
else
    echo "no ldd or readelf: link check skipped"
    : >"$OUT"
fi
if grep -E "$CUDA_LIBS" "$OUT" >"$T/cuda-libs"; then
    fail "tsdiff links CUDA libraries: $(tr '\n' ' ' <"$T/cuda-libs")"
fi

DATA=$top_srcdir/data/sales.csv
TINY="--init none --steps 2 --batch 4 --channels 8 --levels 2 --diffusion-steps 20 --horizon 7
      --context 14 --threads 1"
set +e
# shellcheck disable=SC2086
TSDIFF_DEVICE='' "$TSDIFF" fit "$DATA" $TINY --device cuda -o "$T/gpu.model" >"$OUT" 2>"$ERR" </dev/null
rc=$?
set -e
case $rc in
0)
    [ -s "$T/gpu.model" ] || fail "--device cuda exited 0 but wrote no model"
    echo "a GPU is here: --device cuda trained"
    ;;
69)
    [ "$(wc -l <"$ERR")" -eq 1 ] || fail "--device cuda printed $(wc -l <"$ERR") lines, expected one"
    expect_err "device cuda unavailable: "
    [ ! -e "$T/gpu.model" ] || fail "--device cuda failed but wrote a model"
    # auto: silent off a terminal (a cron job's mail stays empty); with
    # --verbose one line where a module is there but unusable
    if grep -q "device cuda unavailable: no CUDA module at" "$ERR"; then lines=0; else lines=1; fi
    # shellcheck disable=SC2086
    expect_rc 0 env TSDIFF_DEVICE='' "$TSDIFF" fit "$DATA" $TINY --device auto -o "$T/auto.model"
    [ ! -s "$ERR" ] || fail "--device auto off a terminal: stderr not empty: $(cat "$ERR")"
    [ -s "$T/auto.model" ] || fail "--device auto wrote no model"
    # shellcheck disable=SC2086
    expect_rc 0 env TSDIFF_DEVICE='' "$TSDIFF" fit "$DATA" $TINY --device auto --verbose \
        -o "$T/auto.model"
    [ "$(grep -c 'using the CPU' "$ERR")" -eq $lines ] ||
        fail "--device auto --verbose: expected $lines fallback line(s)"
    # (and the fit's note of its validation time)
    [ "$(grep -v 'using the CPU' "$ERR" | grep -vc 'fit: validation took')" -eq 0 ] ||
        fail "--device auto: other lines on stderr"
    ;;
*)
    fail "--device cuda exited $rc (expected 0, or 69 without a GPU)"
    ;;
esac
pass
