#!/bin/sh
# forecast 100 model horizons with a tiny model of the bundled sales data:
# the block-by-block sampler stays bounded and finite, and its first block
# is the one-horizon forecast itself.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
DATA=$top_srcdir/data/sales.csv
M=$T/tiny.model
TINY="--steps 40 --batch 8 --channels 8 --levels 2 --diffusion-steps 20 --horizon 7 --context 14 --threads 1"
FC="-m $M --samples 6 --sampler-steps 5 --seed 3 --threads 1 --quiet"

expect_rc 0 "$TSDIFF" fit "$DATA" $TINY -o "$M" --quiet
expect_rc 0 "$TSDIFF" forecast $FC --horizon 700 -o "$T/fc.csv" --samples-out "$T/s.csv"
[ "$(tail -n +2 "$T/fc.csv" | wc -l)" -eq $((5 * 700)) ] || fail "forecast rows != 5 x 700"
[ "$(tail -n +2 "$T/s.csv" | wc -l)" -eq $((5 * 700 * 6)) ] || fail "samples rows"

# Every number is finite: no nan or inf anywhere.
num='^-?[0-9]+(\.[0-9]*)?(e[-+][0-9]+)?$'
awk -F, -v num="$num" 'NR > 1 { for (i = 3; i <= NF; i++) if ($i !~ num) exit 1 }' "$T/fc.csv" \
    || fail "forecast CSV has a value that is not a finite number"
awk -F, -v num="$num" 'NR > 1 && $4 !~ num { exit 1 }' "$T/s.csv" \
    || fail "samples file has a value that is not a finite number"

# Plausible: after the first model horizon every sample lies within 10 times
# the range of the series' history beyond it (the band of forecast.h is 10
# times the last context's range, or the level when that is larger, and the
# context is part of the history; the level of these series, which all have
# zeros, is below their range). The first horizon is the model's own draw,
# which this tiny model (T = 20) makes thousands of ranges wide: it is left
# to the model, and only has to be finite.
awk -F, 'NR == FNR { if (FNR == 1) { for (i = 2; i <= NF; i++) name[i] = $i; next }
                     for (i = 2; i <= NF; i++) if ($i != "") {
                         v = $i + 0; s = name[i]
                         if (!(s in lo) || v < lo[s]) lo[s] = v
                         if (!(s in hi) || v > hi[s]) hi[s] = v } next }
         FNR > 1 && $2 > 7 { r = hi[$1] - lo[$1]
                  if ($4 < lo[$1] - 10 * r || $4 > hi[$1] + 10 * r) {
                      print $1, $2, $3, $4, lo[$1], hi[$1]; exit 1 } }' "$DATA" "$T/s.csv" \
    || fail "a sample after the first horizon is beyond 10 ranges of the history"

# The first block is the one-horizon forecast, to the byte.
expect_rc 0 "$TSDIFF" forecast $FC --horizon 7 -o "$T/fc7.csv" --samples-out "$T/s7.csv"
awk -F, 'NR == 1 || $2 <= 7' "$T/s.csv" >"$T/s700.csv"
cmp -s "$T/s7.csv" "$T/s700.csv" || fail "the first block differs from the -H 7 forecast"
pass
