#!/bin/sh
# tests/fuzz/run.sh [SECONDS] - fuzz the CSV reader with libFuzzer under
# AddressSanitizer and UndefinedBehaviorSanitizer for SECONDS (default 300).
#
# Builds libtsdiff with clang and the sanitizers in a scratch folder, seeds
# the corpus with tests/data/csv under several option sets (the first byte
# of an input picks them: fuzz_csv.c), and runs on every core. A crash, a
# leak or a broken promise of csv.h stops it with the input saved as
# tests/fuzz/crash-* or leak-* (ignored by git); replay one with
#     $W/fuzz_csv tests/fuzz/crash-...
# Needs clang and its fuzzer runtime (Debian: clang, libclang-rt-14-dev or
# the clang package's own), and libomp-dev for configure's OpenMP check.
# Not part of make check: it runs for a time, not to a verdict.
set -eu
SECS=${1:-300}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
W=${FUZZ_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/tsdiff-fuzz.XXXXXX")}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
command -v clang >/dev/null 2>&1 || { echo "run.sh: clang not found" >&2; exit 1; }
[ -x "$SRC/configure" ] || (cd "$SRC" && ./autogen.sh >/dev/null)
mkdir -p "$W/build" "$W/corpus"
(cd "$W/build" && "$SRC/configure" -q --without-cuda CC=clang \
    CFLAGS="-O1 -g $SAN -fsanitize=fuzzer-no-link" LDFLAGS="$SAN" &&
    make -j"$(nproc)" libtsdiff.a >/dev/null)
clang -O1 -g $SAN -fsanitize=fuzzer -I"$SRC/src" -I"$W/build" \
    "$SRC/tests/fuzz/fuzz_csv.c" "$W/build/libtsdiff.a" -lcsv -lm -o "$W/fuzz_csv"
# Seeds: every test CSV as wide, headerless, long and aggregated input.
for f in "$SRC"/tests/data/csv/* "$SRC"/data/sales.csv; do
    b=$(basename "$f")
    for pick in 0 1 2 8; do
        { printf "\\$(printf %03o "$pick")"; head -c 4096 "$f"; } >"$W/corpus/$pick-$b"
    done
done
echo "fuzzing the CSV reader for $SECS s in $W" >&2
cd "$W"   # the jobs' logs (fuzz-N.log) go here
"$W/fuzz_csv" -max_total_time="$SECS" -max_len=8192 -timeout=10 \
    -jobs="$(nproc)" -workers="$(nproc)" -print_final_stats=1 \
    -artifact_prefix="$SRC/tests/fuzz/" "$W/corpus"
