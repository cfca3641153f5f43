#!/bin/sh
# tests/fuzz/run.sh [csv|model] [SECONDS] - fuzz the CSV reader (default) or
# the model-file reader with libFuzzer under AddressSanitizer and
# UndefinedBehaviorSanitizer for SECONDS (default 300), on every core
# ($FUZZ_JOBS parallel jobs, default nproc).
#
# Builds tsdiff with clang and the sanitizers in a scratch folder ($FUZZ_DIR,
# else a new one in $TMPDIR) and seeds the corpus: for csv, tests/data/csv
# under several option sets (the first two bytes of an input pick them, see
# fuzz_csv.c) and a file with covariates, with and without a future file;
# for model, two small models fitted by that build and the
# network part of the first, cut to 8
# weights (shrink_model.c) and less their CRC (fuzz_model.c appends it). A crash, a leak or a broken
# promise stops it with the input saved as tests/fuzz/crash-* or leak-*
# (ignored by git); replay one with `$FUZZ_DIR/fuzz_TARGET FILE`.
# Needs clang with its fuzzer runtime and libomp-dev (Debian: clang,
# libomp-dev). Not part of make check: it runs for a time, not to a verdict.
set -eu
TARGET=${1:-csv}
SECS=${2:-300}
case $TARGET in csv|model) ;; *) echo "usage: run.sh [csv|model] [SECONDS]" >&2; exit 64 ;; esac
SRC=$(cd "$(dirname "$0")/../.." && pwd)
W=${FUZZ_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/tsdiff-fuzz.XXXXXX")}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
command -v clang >/dev/null 2>&1 || { echo "run.sh: clang not found" >&2; exit 1; }
[ -x "$SRC/configure" ] || (cd "$SRC" && ./autogen.sh >/dev/null)
mkdir -p "$W/build" "$W/corpus-$TARGET"
if [ ! -f "$W/build/Makefile" ]; then
    (cd "$W/build" && "$SRC/configure" -q --without-cuda CC=clang \
        CFLAGS="-O1 -g $SAN -fsanitize=fuzzer-no-link" LDFLAGS="$SAN")
fi
(cd "$W/build" && make -j"$(nproc)" libtsdiff.a src/tsdiff >/dev/null)
libs=$(sed -n 's/^LIBS = //p; s/^CSV_LIBS = //p; s/^BLAS_LIBS = //p; s/^OPENMP_CFLAGS = //p' \
    "$W/build/Makefile" | tr '\n' ' ')
# shellcheck disable=SC2086
clang -O1 -g $SAN -fsanitize=fuzzer -I"$SRC/src" -I"$W/build" \
    "$SRC/tests/fuzz/fuzz_$TARGET.c" "$W/build/libtsdiff.a" $libs -lm -o "$W/fuzz_$TARGET"
C=$W/corpus-$TARGET
# shellcheck disable=SC2059   # the octal escape of byte $1 is the format
byte() { printf "\\$(printf %03o "$1")"; }
if [ "$TARGET" = csv ]; then
    # Every test CSV as wide, headerless, long and aggregated input, without
    # covariates (the second byte 0).
    for f in "$SRC"/tests/data/csv/* "$SRC"/data/sales.csv; do
        b=$(basename "$f")
        for pick in 0 1 2 8; do
            { byte "$pick"; byte 0; head -c 4096 "$f"; } >"$C/$pick-$b"
        done
    done
    # A long file with covariates (columns 4 store, 5 promo) and future rows,
    # then a future file after a NUL: long with --value-col 3 (6), under
    # --covariates all (1), --covariate 4 (2), --categorical 4 --covariate 5
    # (7), each with the future file (+ 8).
    awk 'BEGIN { print "id,date,sales,store,promo"
        for (s = 1; s <= 2; s++) for (d = 1; d <= 28; d++)
            printf "S%d,2024-01-%02d,%s,%s,%d\n", s, d, d <= 24 ? 10 + d % 7 : "",
                s == 1 ? "big" : "small", d % 3 == 0 }' >"$W/cov.csv"
    printf 'id,date,store,promo\nS1,2024-01-29,big,1\nS2,2024-01-29,small,0\nS2,2024-01-30,small,1\n' \
        >"$W/fut.csv"
    for cv in 1 2 7; do
        { byte 6; byte "$cv"; cat "$W/cov.csv"; } >"$C/cov-$cv"
        { byte 6; byte $((cv + 8)); cat "$W/cov.csv"; byte 0; cat "$W/fut.csv"; } >"$C/cov-fut-$cv"
    done
else
    tiny="--steps 2 --batch 4 --channels 8 --levels 2 --diffusion-steps 20 --horizon 7
          --context 14 --threads 1 -q"
    # shellcheck disable=SC2086
    "$W/build/src/tsdiff" fit "$SRC/data/sales.csv" $tiny -o "$W/a.model"
    # shellcheck disable=SC2086
    "$W/build/src/tsdiff" fit "$SRC/data/sales.csv" $tiny --target residual \
        --checkpoint-every 1 -o "$W/b.model"
    # shellcheck disable=SC2086
    clang -O1 -g $SAN -I"$SRC/src" -I"$W/build" "$SRC/tests/fuzz/shrink_model.c" \
        "$W/build/libtsdiff.a" $libs -lm -o "$W/shrink_model"
    for m in a b; do
        "$W/shrink_model" "$W/$m.model" "$W/$m.small"
        head -c -4 "$W/$m.small" >"$C/$m"
    done
    "$W/shrink_model" --net-only "$W/a.model" "$W/n.small"   # no fit record
    head -c -4 "$W/n.small" >"$C/n"
fi
echo "fuzzing the $TARGET reader for $SECS s in $W" >&2
cd "$W"   # the jobs' logs (fuzz-N.log) go here
"$W/fuzz_$TARGET" -max_total_time="$SECS" -max_len=16384 -timeout=10 \
    -jobs="${FUZZ_JOBS:-$(nproc)}" -workers="${FUZZ_JOBS:-$(nproc)}" -print_final_stats=1 \
    -artifact_prefix="$SRC/tests/fuzz/" "$C"
