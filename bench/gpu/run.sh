#!/bin/sh
# bench/gpu/run.sh - the CUDA backend on a GPU machine: its test suite, then
# training and forecasting speed against the CPU, printed as a table.
#
# Usage: bench/gpu/run.sh [BUILD]
#        bench/gpu/run.sh --pack    (on a build machine: make build-gpu to carry)
#
# BUILD is a configured build tree (default: build-gpu in the source tree)
# holding src/tsdiff, cuda/tsdiff-cuda.so and tests/check_cuda. When it lacks
# them and the machine has the tools (autoreconf or a generated configure,
# libcsv, OpenBLAS, Check, nvcc), it is built here; otherwise build it on a
# machine that has them and bring it along. Shared libraries the machine
# lacks (libcsv, OpenBLAS, ...) may come along in BUILD/lib: --pack builds
# build-gpu in the source tree (ignored by git) with those libraries in
# build-gpu/lib and without the object files, about 50 MB to carry.
#
# CUDA libraries (libcudart, libcublas; libcudnn for TSDIFF_CUDA_CONV=cudnn)
# are looked for in $CUDA_HOME/lib64, /usr/local/cuda*/lib64 and the
# nvidia/*/lib folders of Python's site-packages (pip-installed CUDA, as
# PyTorch brings), and put on LD_LIBRARY_PATH.
#
# Environment: BENCH_STEPS (300), BENCH_THREADS (CPU threads; default all),
# BENCH_BIG (10000: samples of the large forecast), BENCH_CPU_BIG (1000: the
# CPU draws this many and its time is scaled to BENCH_BIG, as it is slow; 0
# skips it), BENCH_DEVICES (columns to run: "cpu cuda cudnn"), BENCH_TIMEOUT
# (seconds per run, default 150: a hung run must not take the whole of a
# lent machine's 10-minute call).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-$SRC/build-gpu}
case $B in /*) ;; *) B=$PWD/$B ;; esac   # the tests run from inside it
STEPS=${BENCH_STEPS:-300}
BIG=${BENCH_BIG:-10000}
TMO=${BENCH_TIMEOUT:-150}
THREADS=${BENCH_THREADS:-0}
CPU_BIG=${BENCH_CPU_BIG:-1000}
DEVICES=${BENCH_DEVICES:-cpu cuda cudnn}
DATA=$SRC/data/sales.csv
W=$(mktemp -d "${TMPDIR:-/tmp}/tsdiff-gpu.XXXXXX")
trap 'rm -rf "$W"' EXIT

say() { printf '%s\n' "$*" >&2; }
die() { say "run.sh: $*"; exit 1; }

# ---- --pack: a build to take to a GPU machine --------------------------------------
if [ "${1:-}" = --pack ]; then
    B=$SRC/build-gpu
    [ -x "$SRC/configure" ] || (cd "$SRC" && autoreconf -fi) || die "autoreconf failed"
    mkdir -p "$B" || die "cannot make $B"
    cd "$B" || die "cannot enter $B"
    "$SRC/configure" -q --with-cuda${CUDA_HOME:+=$CUDA_HOME} || die "configure failed"
    make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null || die "make failed"
    make tests/check_cuda >/dev/null || die "cannot build tests/check_cuda"
    mkdir -p lib
    for f in src/tsdiff tests/check_cuda; do ldd "$f"; done | awk '$3 ~ /^\// { print $3 }' |
        sort -u | while read -r lib; do
            case $(basename "$lib") in
            libc.so*|libm.so*|libdl.so*|librt.so*|libpthread.so*|ld-linux*|libgcc_s.so*) ;;
            *) cp -L "$lib" lib/ ;;
            esac
        done
    find . -name '*.o' -delete
    rm -f libtsdiff.a
    say "packed $(du -sh . | cut -f1) in $B: carry build-gpu, run bench/gpu/run.sh there"
    exit 0
fi

# ---- CUDA libraries ---------------------------------------------------------
libdirs=""
add_libdir() {
    case ":$libdirs:" in *":$1:"*) return ;; esac
    libdirs=${libdirs:+$libdirs:}$1
}
for d in ${CUDA_HOME:+"$CUDA_HOME/lib64"} /usr/local/cuda/lib64 /usr/local/cuda-*/lib64 \
         /usr/local/cuda/targets/x86_64-linux/lib; do
    [ -d "$d" ] && ls "$d"/libcublas.so* >/dev/null 2>&1 && add_libdir "$d"
done
for py in python3 python; do
    command -v "$py" >/dev/null 2>&1 || continue
    sites=$("$py" -c 'import site, sys; print("\n".join(site.getsitepackages() + [site.getusersitepackages()]))' 2>/dev/null)
    for s in $sites; do
        for d in "$s"/nvidia/*/lib "$s"/nvidia/cu*/lib "$s"/nvidia/*/lib64; do
            [ -d "$d" ] && ls "$d"/lib*.so* >/dev/null 2>&1 && add_libdir "$d"
        done
    done
    break
done
[ -d "$B/lib" ] && add_libdir "$B/lib"
[ -n "$libdirs" ] && LD_LIBRARY_PATH=$libdirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}"
say "library path: ${LD_LIBRARY_PATH:-(none)}"

# ---- build (unless brought along) ---------------------------------------------
if [ ! -x "$B/src/tsdiff" ] || [ ! -f "$B/cuda/tsdiff-cuda.so" ]; then
    say "no build in $B: building"
    if [ ! -x "$SRC/configure" ]; then
        command -v autoreconf >/dev/null 2>&1 || die "no configure and no autoreconf: bring a build"
        (cd "$SRC" && autoreconf -fi) || die "autoreconf failed"
    fi
    mkdir -p "$B" || die "cannot make $B"
    cd "$B" || die "cannot enter $B"
    cuda_opt=--with-cuda
    [ -n "${CUDA_HOME:-}" ] && cuda_opt=--with-cuda=$CUDA_HOME
    "$SRC/configure" -q "$cuda_opt" || die "configure failed (see $B/config.log)"
    make -j"$(nproc 2>/dev/null || echo 4)" >"$W/make.log" 2>&1 || { tail -20 "$W/make.log" >&2; die "make failed"; }
    make -j"$(nproc 2>/dev/null || echo 4)" tests/check_cuda >>"$W/make.log" 2>&1 || say "could not build tests/check_cuda"
    cd "$SRC" || exit 1
fi
TSDIFF=$B/src/tsdiff
export TSDIFF_CUDA_MODULE="$B/cuda/tsdiff-cuda.so"
unset TSDIFF_DEVICE TSDIFF_CUDA_CONV TSDIFF_CUDA_GRAPHS TSDIFF_CUDA_SYNC
if ldd "$TSDIFF_CUDA_MODULE" 2>/dev/null | grep -q 'not found'; then
    ldd "$TSDIFF_CUDA_MODULE" | grep 'not found' >&2
    die "the CUDA module misses libraries (see above)"
fi
if ldd "$TSDIFF" 2>/dev/null | grep -q 'not found'; then
    ldd "$TSDIFF" | grep 'not found' >&2
    die "tsdiff misses libraries: bring them in $B/lib"
fi
command -v nvidia-smi >/dev/null 2>&1 &&
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2

# ---- tests ----------------------------------------------------------------------
tests="not built"
if [ -x "$B/tests/check_cuda" ]; then
    (cd "$B" && timeout "$TMO" ./tests/check_cuda) >"$W/check.log" 2>&1
    rc=$?
    cat "$W/check.log" >&2
    case $rc in 0) tests=passed ;; 77) tests="skipped (no usable GPU)" ;; *) tests="FAILED ($rc)" ;; esac
fi
say "tests/check_cuda: $tests"

# ---- timings ----------------------------------------------------------------------
now() { date +%s.%N; }
put() { printf '%s\n' "${2:--}" >"$W/res_$1"; }
get() { cat "$W/res_$1" 2>/dev/null || echo -; }
# run KEY CMD...: time CMD; its seconds (or - if it failed) under KEY
run() {
    key=$1
    shift
    t0=$(now)
    timeout "$TMO" "$@" >"$W/$key.out" 2>&1
    rc=$?
    t1=$(now)
    if [ $rc -ne 0 ]; then
        say "$key: exit $rc"
        tail -3 "$W/$key.out" >&2
        put "$key" -
    else
        put "$key" "$(echo "$t1 $t0" | awk '{ printf "%.2f", $1 - $2 }')"
    fi
}

THR=""
[ "$THREADS" -gt 0 ] 2>/dev/null && THR="--threads $THREADS"
FC="--horizon 30 --sampler-steps 20 --seed 5 --quiet"

for dev in $DEVICES; do
    case $dev in
    cpu) d=cpu conv='' big=$CPU_BIG ;;
    cuda) d=cuda conv=gemm big=$BIG ;;
    cudnn) d=cuda conv=cudnn big=$BIG ;;
    *) die "unknown device column $dev (cpu, cuda or cudnn)" ;;
    esac
    # shellcheck disable=SC2086
    run fit_$dev env TSDIFF_CUDA_CONV=$conv "$TSDIFF" fit "$DATA" --init none --steps "$STEPS" --seed 3 \
        --device $d $THR -o "$W/$dev.model"
    put "sps_$dev" "$(sed -n 's/.*(\([0-9.]*\) steps\/s).*/\1/p' "$W/fit_$dev.out" | tail -1)"
    model=$W/$dev.model
    [ -s "$model" ] || continue
    # shellcheck disable=SC2086
    run fc100_$dev env TSDIFF_CUDA_CONV=$conv "$TSDIFF" forecast -m "$model" -n 100 $FC \
        --device $d $THR -o "$W/f100_$dev.csv"
    [ "$big" -gt 0 ] || continue
    # shellcheck disable=SC2086
    run fcbig_$dev env TSDIFF_CUDA_CONV=$conv "$TSDIFF" forecast -m "$model" -n "$big" $FC \
        --device $d $THR -o "$W/fbig_$dev.csv"
    t=$(get "fcbig_$dev")
    if [ "$big" -ne "$BIG" ] && [ "$t" != - ]; then   # scaled to BIG samples
        put "fcbig_$dev" "~$(echo "$t $BIG $big" | awk '{ printf "%.0f", $1 * $2 / $3 }')"
    fi
done

ratio() { echo "$1 $2" | tr -d '~' | awk '$1 + 0 > 0 && $2 + 0 > 0 { printf "%.1fx", $1 / $2; exit } { print "-" }'; }
row() {   # LABEL KEY: one line of the table; the speed-up is cpu / cuda (or cuda / cpu for rates)
    a=$(get "$2_cpu") b=$(get "$2_cuda") c=$(get "$2_cudnn")
    if [ "$2" = sps ]; then r=$(ratio "$b" "$a"); else r=$(ratio "$a" "$b"); fi
    printf '%-40s %12s %12s %12s %9s\n' "$1" "$a" "$b" "$c" "$r"
}
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
printf '\ntsdiff on %s (%s, %s CPU cores); tests/check_cuda %s\n' "$(uname -n)" \
    "${gpu:-no nvidia-smi}" "$(nproc 2>/dev/null || echo ?)" "$tests"
printf '%-40s %12s %12s %12s %9s\n' "" "cpu" "cuda gemm" "cuda cudnn" "speed-up"
row "fit, $STEPS steps: steps/s" sps
row "fit, $STEPS steps, with validation: s" fit
row "forecast 100 samples x 30 steps: s" fc100
row "forecast $BIG samples x 30 steps: s" fcbig
printf '(every series of %s; dpmpp, 20 solver steps; each device forecasts from the\n' \
    "$(basename "$DATA")"
printf ' model it trained; wall times with start-up and output; ~: scaled from %s samples)\n' \
    "$CPU_BIG"
case $tests in passed) exit 0 ;; *) exit 1 ;; esac
