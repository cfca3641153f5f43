#!/bin/sh
# fit and forecast end to end on a tiny model of the bundled sales data:
# output files, shapes, headers, quantile order, timestamps, non-negativity,
# plots, reproducibility, and the error paths with their exit codes.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
DATA=$top_srcdir/data/sales.csv
M=$T/tiny.model
TINY="--steps 40 --batch 8 --channels 8 --levels 2 --diffusion-steps 50 --horizon 14 --context 28 --threads 2"

expect_rc 0 "$TSDIFF" fit "$DATA" $TINY -o "$M"
[ -s "$M" ] || fail "fit wrote no model"
expect_out "model saved to $M"
[ "$(ls "$T" | grep -c '\.model\.')" -eq 0 ] || fail "fit left a temporary file"

expect_rc 0 "$TSDIFF" info "$M"
expect_out "horizon:        14"
expect_out "targets:        scaled values"

# --target residual: departures from the lag-7 forecast; forecasts as usual,
# non-negative and with monotone quantiles.
expect_rc 0 "$TSDIFF" fit "$DATA" $TINY --steps 5 --target residual -o "$T/r.model" --quiet
expect_rc 0 "$TSDIFF" info "$T/r.model"
expect_out "targets:        residuals of the seasonal-naive forecast (lag 7)"
expect_out "10 input channels"  # 9 with value targets, + log gain
expect_rc 0 "$TSDIFF" forecast -m "$T/r.model" --horizon 20 --samples 8 --sampler-steps 2 \
    -o "$T/r.csv" --quiet
[ "$(tail -n +2 "$T/r.csv" | wc -l)" -eq 100 ] || fail "residual-target forecast rows != 5 x 20"
awk -F, 'NR > 1 { for (i = 5; i <= NF; i++) if ($i + 0 < $(i-1) + 0) exit 1;
                  if ($4 + 0 < 0) exit 2 }' "$T/r.csv" || fail "residual-target quantiles"
expect_rc 64 "$TSDIFF" fit "$DATA" $TINY --target levels -o "$T/x.model"
[ ! -e "$T/x.model" ] || fail "a refused fit wrote a model"

# forecast: 5 series x 20 steps (longer than the trained 14: two blocks).
expect_rc 0 "$TSDIFF" forecast -m "$M" --horizon 20 --samples 16 --sampler-steps 5 \
    -o "$T/fc.csv" --samples-out "$T/s.csv" --seed 7 --quiet
head -1 "$T/fc.csv" | grep -qx 'series,timestamp,mean,q0.05,q0.1,q0.25,q0.5,q0.75,q0.9,q0.95' \
    || fail "forecast header: $(head -1 "$T/fc.csv")"
[ "$(tail -n +2 "$T/fc.csv" | wc -l)" -eq 100 ] || fail "forecast rows != 5 x 20"
[ "$(tail -n +2 "$T/s.csv" | wc -l)" -eq $((5 * 20 * 16)) ] || fail "samples rows"
head -1 "$T/s.csv" | grep -qx 'series,step,sample,value' || fail "samples header"
# quantiles monotone, non-negative sales, finite numbers
awk -F, 'NR > 1 { for (i = 5; i <= NF; i++) if ($i + 0 < $(i-1) + 0) exit 1;
                  if ($4 + 0 < 0) exit 2; if ($3 == "nan" || $3 == "inf") exit 3 }' "$T/fc.csv" \
    || fail "quantiles not monotone / negative / not finite"
# timestamps continue the daily grid after the last date of the data
last=$(tail -1 "$DATA" | cut -d, -f1)
first=$(sed -n 2p "$T/fc.csv" | cut -d, -f2)
[ "$first" = "$(date -u -d "$last + 1 day" +%Y-%m-%d)" ] || fail "first forecast date $first after $last"
twentieth=$(sed -n 21p "$T/fc.csv" | cut -d, -f2)
[ "$twentieth" = "$(date -u -d "$last + 20 days" +%Y-%m-%d)" ] || fail "20th date $twentieth"

# Same seed, same output; another seed, another output.
expect_rc 0 "$TSDIFF" forecast -m "$M" --horizon 20 --samples 16 --sampler-steps 5 -o "$T/fc2.csv" --seed 7 --quiet
cmp -s "$T/fc.csv" "$T/fc2.csv" || fail "same seed gave different forecasts"
expect_rc 0 "$TSDIFF" forecast -m "$M" --horizon 20 --samples 16 --sampler-steps 5 -o "$T/fc3.csv" --seed 8 --quiet
cmp -s "$T/fc.csv" "$T/fc3.csv" && fail "different seeds gave the same forecasts"

# Every sampler runs; one series only; stdout by default.
for s in ddpm ddim dpmpp; do
    expect_rc 0 "$TSDIFF" forecast -m "$M" --sampler $s --sampler-steps 4 --samples 4 --series widgets --quiet
    [ "$(tail -n +2 "$OUT" | wc -l)" -eq 14 ] || fail "$s: rows"
    tail -n +2 "$OUT" | cut -d, -f1 | sort -u | grep -qx widgets || fail "$s: series column"
done

# Plots, when gnuplot is here.
if command -v gnuplot >/dev/null 2>&1; then
    expect_rc 0 "$TSDIFF" forecast -m "$M" --samples 8 --sampler-steps 4 -o "$T/p.csv" --plot "$T/fan.png" --quiet
    [ "$(head -c 4 "$T/fan.png" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "not a PNG"
    [ "$(wc -c <"$T/fan.png")" -gt 10000 ] || fail "PNG too small"
    expect_rc 0 "$TSDIFF" forecast -m "$M" --samples 8 --sampler-steps 4 -o "$T/p.csv" --plot "$T/fan.svg" --quiet
    grep -q '<svg' "$T/fan.svg" || fail "not an SVG"
    expect_rc 0 "$TSDIFF" fit "$DATA" $TINY --steps 20 -o "$T/m2.model" --quiet --plot-loss "$T/loss.png"
    [ "$(head -c 4 "$T/loss.png" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "loss plot not a PNG"
fi
# gnuplot missing: exit 69, one line, and the CSV still written.
mkdir "$T/nobin"
expect_rc 69 env PATH="$T/nobin" "$TSDIFF" forecast -m "$M" --samples 4 --sampler-steps 3 -o "$T/still.csv" --plot "$T/x.png" --quiet
expect_err "gnuplot"
[ -s "$T/still.csv" ] || fail "CSV not written when gnuplot is missing"
[ ! -e "$T/x.png" ] || fail "partial plot left behind"

# Same seed and threads: byte-identical model files.
expect_rc 0 "$TSDIFF" fit "$DATA" $TINY --steps 10 -o "$T/a.model" --quiet
expect_rc 0 "$TSDIFF" fit "$DATA" $TINY --steps 10 -o "$T/b.model" --quiet
cmp -s "$T/a.model" "$T/b.model" || fail "same seed gave different model files"

# Any thread count gives the same bytes: every parallel loop's blocks and
# sums have a fixed order. Also under a wait policy the user sets, which
# tsdiff leaves alone (cli/omp_wait.c).
expect_rc 0 "$TSDIFF" fit "$DATA" $TINY --steps 10 --threads 1 -o "$T/j1.model" --quiet
cmp -s "$T/a.model" "$T/j1.model" || fail "fit: --threads 1 and 2 gave different model files"
FC="-m $M --samples 64 --sampler-steps 4 --quiet"
expect_rc 0 "$TSDIFF" forecast $FC --threads 1 -o "$T/j1.csv"
expect_rc 0 "$TSDIFF" forecast $FC --threads 2 -o "$T/j2.csv"
expect_rc 0 env OMP_WAIT_POLICY=active "$TSDIFF" forecast $FC --threads 3 -o "$T/j3.csv"
cmp -s "$T/j1.csv" "$T/j2.csv" || fail "forecast: --threads 1 and 2 differ"
cmp -s "$T/j1.csv" "$T/j3.csv" || fail "forecast: --threads 1 and 3 differ"
# libgomp (when it is the runtime) waits with tsdiff's spin count unless the
# user set one; OMP_DISPLAY_ENV prints it, last for the program that runs.
spins() { OMP_DISPLAY_ENV=verbose "$@" "$TSDIFF" --version 2>&1 |
          sed -n "s/^ *GOMP_SPINCOUNT = '\([0-9]*\)'.*/\1/p" | tail -n 1; }
if [ -n "$(spins env)" ]; then
    [ "$(spins env)" = 1000 ] || fail "default spin count: $(spins env)"
    [ "$(spins env GOMP_SPINCOUNT=7)" = 7 ] || fail "GOMP_SPINCOUNT=7 not kept"
    [ "$(spins env OMP_WAIT_POLICY=active)" != 1000 ] || fail "OMP_WAIT_POLICY=active overridden"
fi

# --resume continues the step count.
expect_rc 0 "$TSDIFF" fit $TINY --steps 10 -o "$T/a.model" --resume --quiet
expect_rc 0 "$TSDIFF" info "$T/a.model"
expect_out "training:       20 steps"

# Errors.
expect_rc 66 "$TSDIFF" forecast -m "$T/missing.model"
expect_rc 65 "$TSDIFF" forecast -m "$DATA"
expect_err "not a tsdiff model file"
# Damaged records under a valid CRC (found by tests/fuzz): one line, not SIGFPE.
expect_rc 65 "$TSDIFF" info "$top_srcdir/tests/data/model/freq_mult_zero.model"
expect_err "corrupt model file (window.freq_mult = 0 out of range)"
# Found by tests/fuzz: a last timestamp near INT64_MIN overflowed the time
# formatting (undefined behaviour; the sanitizer build stops on it).
expect_rc 0 "$TSDIFF" info "$top_srcdir/tests/data/model/last_time_min.model"
# A line break in a name from the file stays out of the (one-line) message.
expect_rc 65 "$TSDIFF" info "$top_srcdir/tests/data/model/schedule_newline.model"
expect_err 'corrupt model file (unknown schedule "line?r")'
expect_rc 64 "$TSDIFF" forecast -m "$M" --horizon 0
expect_rc 64 "$TSDIFF" forecast -m "$M" --horizon -3
expect_rc 64 "$TSDIFF" forecast -m "$M" --quantiles 0.9,0.1
expect_rc 64 "$TSDIFF" forecast -m "$M" --series nosuch
expect_rc 64 "$TSDIFF" forecast -m "$M" --sampler magic
# A series the model was not trained on is forecast too (a new product by
# the model of the old ones), non-negative since its data are; one row each
# of its 14 steps, starting the day after its last row.
awk -F, 'NR == 1 { print "date,newcomer"; next } NR > 1001 { print $1 "," $2 + 50 }' "$DATA" \
    >"$T/other.csv"
expect_rc 0 "$TSDIFF" forecast -m "$M" --data "$T/other.csv" --samples 8 --sampler-steps 4 \
    -o "$T/o.csv" --quiet
[ "$(grep -c '^newcomer,' "$T/o.csv")" -eq 14 ] || fail "newcomer rows"
last=$(tail -n 1 "$T/other.csv" | cut -d, -f1)
[ "$(sed -n 2p "$T/o.csv" | cut -d, -f2)" = "$(date -u -d "$last + 1 day" +%F)" ] ||
    fail "newcomer's first step: $(sed -n 2p "$T/o.csv")"
awk -F, 'NR > 1 && $4 + 0 < 0 { exit 1 }' "$T/o.csv" || fail "newcomer forecast negative"
expect_rc 64 "$TSDIFF" forecast -m "$M" --data "$T/other.csv" --series widgets
expect_err "has no series \"widgets\""
printf 'time,other\n1,1\n2,2\n' >"$T/nodates.csv"
expect_rc 65 "$TSDIFF" forecast -m "$M" --data "$T/nodates.csv"
expect_err "does not match the model's"
expect_rc 73 "$TSDIFF" forecast -m "$M" --samples 2 --sampler-steps 2 -o "$T/no/such/dir/f.csv"
expect_rc 64 "$TSDIFF" fit "$DATA" --levels 9
expect_rc 66 "$TSDIFF" fit "$T/nothing.csv"
printf 'date,x\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n' >"$T/short.csv"
expect_rc 65 "$TSDIFF" fit "$T/short.csv" --quiet -o "$T/short.model"
[ ! -e "$T/short.model" ] || fail "fit on too little data wrote a model"
printf 'date,x\n' >"$T/c.csv"; for i in $(seq 1 9); do printf '2024-01-0%d,5\n' $i >>"$T/c.csv"; done
expect_rc 65 "$TSDIFF" fit "$T/c.csv" --horizon 2 --quiet -o "$T/c.model"
expect_err "constant"
pass
