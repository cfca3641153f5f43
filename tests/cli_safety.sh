#!/bin/sh
# What a nightly job needs: no output may name an input or another output;
# output folders are checked before any work; one writer per output (locks,
# exit 75, --wait); checkpoints from step N on; write errors on every output
# and on standard output are exit 74 with the old file kept; a chart that
# gnuplot left incomplete never replaces a good one; a signal at any point
# leaves complete outputs or the old ones and no temporary file, here or in
# $TMPDIR, and no gnuplot behind; FIFOs are read once and never recorded.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
DATA=$T/sales.csv
cp "$top_srcdir/data/sales.csv" "$DATA"
M=$T/m.model
TINY="--steps 4 --batch 4 --channels 8 --levels 2 --diffusion-steps 20 --horizon 7
      --context 14 --threads 1 -q"
FC="--samples 4 --sampler-steps 2 --threads 1 -q"
mkdir "$T/tmp"
TMPDIR=$T/tmp
export TMPDIR

# No temporary file (NAME.XXXXXX), lock file or gnuplot scratch file left.
no_litter() {
    left=$(find "$T" -mindepth 1 -name '*.*.??????' -o -name '*.lock' -o -name 'tsdiff-*' | grep -v "$T/fake" || true)
    [ -z "$left" ] || fail "$1: left behind: $(echo $left)"
}
sum() { cksum <"$1"; }

# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$DATA" $TINY -o "$M"
d0=$(sum "$DATA")
m0=$(sum "$M")

# ---- outputs that name inputs or each other: 64 before any work ------------
# shellcheck disable=SC2086
{
expect_rc 64 "$TSDIFF" fit "$DATA" $TINY -o "$DATA"
expect_err "--model $DATA is the input DATA $DATA"
ln -s sales.csv "$T/link.csv"
expect_rc 64 "$TSDIFF" fit "$DATA" $TINY -o "$T/link.csv"
expect_rc 64 "$TSDIFF" fit "$DATA" $TINY -o "$T/x.png" --plot-loss "$T/./x.png"
expect_err "are the same file"
expect_rc 64 "$TSDIFF" forecast -m "$M" -o "$M" $FC
expect_err "--output $M is the input --model $M"
expect_rc 64 "$TSDIFF" forecast -m "$M" --data "$DATA" --samples-out "$T/link.csv" $FC
expect_rc 64 "$TSDIFF" forecast -m "$M" -o "$T/a.csv" --samples-out "$T/../$(basename "$T")/a.csv" $FC
expect_rc 64 "$TSDIFF" forecast -m "$M" -o - --samples-out - $FC
expect_err "both write to standard output"
expect_rc 64 "$TSDIFF" backtest "$DATA" $TINY -o "$DATA"
expect_rc 64 "$TSDIFF" backtest "$DATA" -m "$M" --save-model "$M" $FC
expect_rc 64 "$TSDIFF" fit "$DATA" $TINY -o ''
expect_err "--model: empty file name"
}
[ "$(sum "$DATA")" = "$d0" ] || fail "the data file changed"
[ "$(sum "$M")" = "$m0" ] || fail "the model file changed"
[ ! -e "$T/a.csv" ] && [ ! -e "$T/x.png" ] || fail "a refused run wrote an output"
# /dev/null may be named twice: it is not a file that can be destroyed.
expect_rc 0 "$TSDIFF" forecast -m "$M" -o /dev/null --samples-out /dev/null $FC

# ---- output folders and chart types checked before training --------------
# A million steps would take hours: these must fail first (timeout: a guard
# against a hang, not a speed test).
# shellcheck disable=SC2086
{
expect_rc 73 timeout 600 "$TSDIFF" fit "$DATA" $TINY --steps 1000000 -o "$T/no/such/m"
expect_err "--model $T/no/such/m: cannot create (folder $T/no/such"
expect_rc 73 timeout 600 "$TSDIFF" fit "$DATA" $TINY --steps 1000000 -o "$T"
expect_rc 64 timeout 600 "$TSDIFF" fit "$DATA" $TINY --steps 1000000 --plot-loss "$T/l.gif" -o "$T/n.model"
expect_rc 73 timeout 600 "$TSDIFF" forecast -m "$M" $FC -o "$T/no/f.csv"
expect_rc 73 timeout 600 "$TSDIFF" backtest "$DATA" $TINY --steps 1000000 --plot "$T/no/bt.png"
}
if [ "$(id -u)" != 0 ]; then   # root writes anywhere
    mkdir "$T/ro"
    chmod 555 "$T/ro"
    # shellcheck disable=SC2086
    expect_rc 73 timeout 600 "$TSDIFF" fit "$DATA" $TINY --steps 1000000 -o "$T/ro/m.model"
    chmod 755 "$T/ro"
fi
no_litter "refused runs"

# ---- one writer per output: exit 75 at once, or --wait -----------------------
if command -v flock >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    expect_rc 75 flock "$M.lock" "$TSDIFF" fit "$DATA" $TINY -o "$M"
    expect_err "$M is in use by another tsdiff run"
    expect_rc 75 flock "$T/f.csv.lock" "$TSDIFF" forecast -m "$M" $FC -o "$T/f.csv"
    [ "$(sum "$M")" = "$m0" ] && [ ! -e "$T/f.csv" ] || fail "a locked-out run wrote"
    rm -f "$M.lock" "$T/f.csv.lock"
    # A holder for one second, then --wait 600 gets the lock.
    flock "$M.lock" sleep 1 &
    holder=$!
    while flock -n "$M.lock" true && kill -0 $holder 2>/dev/null; do :; done   # until it holds it
    # shellcheck disable=SC2086
    expect_rc 0 "$TSDIFF" fit "$DATA" $TINY -o "$M" --wait 600
    wait $holder
else
    echo "SKIP: no flock(1): the lock tests against an outside holder"
fi
# A long fit --resume holds the model; a short fit to the same file is
# refused instead of overwriting it later; the resume then saves.
# shellcheck disable=SC2086
"$TSDIFF" fit --resume -o "$M" --steps 1000000 -q --threads 1 >/dev/null 2>"$T/resume.err" &
long=$!
while [ ! -e "$M.lock" ] && kill -0 $long 2>/dev/null; do sleep 0.05; done
# shellcheck disable=SC2086
expect_rc 75 "$TSDIFF" fit "$DATA" $TINY -o "$M"
kill -INT $long
set +e; wait $long; rc=$?; set -e
[ $rc -eq 130 ] || fail "interrupted fit --resume exited $rc: $(cat "$T/resume.err")"
expect_rc 0 "$TSDIFF" info "$M"
no_litter "locks"

# ---- checkpoints from step N on ------------------------------------------------
# The 2nd save fails: the 1st (step 3) must be there, long before the first
# validation (step 10 of 200).
rm -f "$T/c.model"
# shellcheck disable=SC2086
expect_rc 74 env TSDIFF_FAULT=rename:2:EIO "$TSDIFF" fit "$DATA" $TINY --steps 200 \
    --checkpoint-every 3 -o "$T/c.model"
expect_err "$T/c.model: write error (Input/output error)"
expect_rc 0 "$TSDIFF" info "$T/c.model"
expect_out "training:       3 steps"
no_litter "checkpoint"

# ---- write errors: every output, standard output too -------------------------
expect_rc 0 "$TSDIFF" forecast -m "$M" $FC -o "$T/f.csv" --samples-out "$T/s.csv"
f0=$(sum "$T/f.csv")
s0=$(sum "$T/s.csv")
m0=$(sum "$M")
for rule in create:1:EACCES write:1:ENOSPC fsync:1:EIO rename:1:EIO write:2:EDQUOT; do
    code=74
    [ "${rule%%:*}" = create ] && code=73
    expect_rc $code env TSDIFF_FAULT=$rule "$TSDIFF" forecast -m "$M" $FC --seed 2 \
        -o "$T/f.csv" --samples-out "$T/s.csv"
    [ "$rule" = write:2:EDQUOT ] || [ "$(sum "$T/f.csv")" = "$f0" ] || fail "$rule: forecast CSV changed"
    [ "$(sum "$T/s.csv")" = "$s0" ] || fail "$rule: samples file changed"
    [ "$rule" = write:2:EDQUOT ] && continue   # fit and backtest write one file
    # shellcheck disable=SC2086
    expect_rc $code env TSDIFF_FAULT=$rule "$TSDIFF" fit "$DATA" $TINY -o "$M"
    [ "$(sum "$M")" = "$m0" ] || fail "$rule: model changed"
    # shellcheck disable=SC2086
    expect_rc $code env TSDIFF_FAULT=$rule "$TSDIFF" backtest "$DATA" $TINY $FC -o "$T/bt.csv"
    [ ! -e "$T/bt.csv" ] || fail "$rule: partial metrics file"
done
no_litter "write errors"
# An internal fault halfway through an output leaves the old one and no
# temporary file (the CLI's fatal-error hook).
f0=$(sum "$T/f.csv")
expect_rc 70 env TSDIFF_FAULT=write:1:INTERNAL "$TSDIFF" forecast -m "$M" $FC --seed 2 \
    -o "$T/f.csv" --samples-out "$T/s.csv"
expect_err "internal error"
[ "$(sum "$T/f.csv")" = "$f0" ] || fail "internal fault: forecast CSV changed"
no_litter "internal fault"
if [ -w /dev/full ]; then
    for cmd in "info $DATA" "info $M" "forecast -m $M $FC" "--version" "fit --help"; do
        set +e
        # shellcheck disable=SC2086
        "$TSDIFF" $cmd >/dev/full 2>"$ERR"
        rc=$?
        set -e
        [ $rc -eq 74 ] || fail "'$cmd' to a full standard output exited $rc"
        expect_err "standard output: write error"
    done
fi

# ---- charts: gnuplot's failure or a cut-off image never replaces a good one --
if command -v gnuplot >/dev/null 2>&1; then
    real=$(command -v gnuplot)
    expect_rc 0 "$TSDIFF" forecast -m "$M" $FC -o /dev/null --plot "$T/fan.png"
    expect_rc 0 "$TSDIFF" forecast -m "$M" $FC -o /dev/null --plot "$T/fan.svg"
    p0=$(sum "$T/fan.png")
    v0=$(sum "$T/fan.svg")
    # A gnuplot that draws, then loses the end of the file and exits 0, as
    # on a full disk.
    mkdir "$T/fake"
    cat >"$T/fake/gnuplot" <<EOF
#!/bin/sh
"$real" "\$@" || exit \$?
for f in "$T"/*.png.?????? "$T"/*.svg.??????; do
    [ -f "\$f" ] && truncate -s 200 "\$f"
done
exit 0
EOF
    chmod +x "$T/fake/gnuplot"
    for img in fan.png fan.svg; do
        expect_rc 74 env PATH="$T/fake:$PATH" "$TSDIFF" forecast -m "$M" $FC -o /dev/null --plot "$T/$img"
        expect_err "$T/$img: gnuplot left an incomplete image"
    done
    [ "$(sum "$T/fan.png")" = "$p0" ] && [ "$(sum "$T/fan.svg")" = "$v0" ] || fail "a cut chart replaced a good one"
    # shellcheck disable=SC2086
    expect_rc 74 env PATH="$T/fake:$PATH" "$TSDIFF" fit "$DATA" $TINY -o "$T/l.model" --plot-loss "$T/loss.png"
    [ ! -e "$T/loss.png" ] || fail "a cut loss chart was kept"
    # One series name longer than a file name may be: the chart is still drawn.
    long=$(printf 'x%.0s' $(seq 300))
    awk -v n="$long" -F, 'NR == 1 { $2 = n } 1' OFS=, "$DATA" >"$T/long.csv"
    # shellcheck disable=SC2086
    expect_rc 0 "$TSDIFF" fit "$T/long.csv" $TINY -o "$T/long.model"
    expect_rc 0 "$TSDIFF" forecast -m "$T/long.model" $FC -o /dev/null --plot "$T/per-%s.png"
    [ "$(ls "$T" | grep -c '^per-.*\.png$')" -eq 5 ] || fail "per-series charts: $(ls "$T")"
    # A tiny tmpfs that fills up under the chart, where root may mount one.
    if [ "$(id -u)" = 0 ] && mkdir "$T/small" && mount -t tmpfs -o size=4m tmpfs "$T/small" 2>/dev/null; then
        cp "$T/fan.png" "$T/small/fan.png"
        head -c 8000000 /dev/zero >"$T/small/filler" 2>/dev/null || true   # full
        set +e
        "$TSDIFF" forecast -m "$M" $FC -o /dev/null --plot "$T/small/fan.png" 2>"$ERR"
        rc=$?
        set -e
        same=$(cmp -s "$T/fan.png" "$T/small/fan.png" && echo yes || echo no)
        ls "$T/small" >"$OUT"
        umount "$T/small"
        [ $rc -eq 74 ] || fail "chart on a full tmpfs exited $rc"
        [ "$same" = yes ] || fail "chart on a full tmpfs replaced the old one"
        [ "$(grep -c '\.png\.' "$OUT")" -eq 0 ] || fail "temporary chart left on the tmpfs"
    else
        echo "SKIP: the full-tmpfs chart test needs root and mount(8) (fault injection covers it)"
    fi
else
    echo "SKIP: no gnuplot: the chart tests"
fi
no_litter "charts"

# ---- FIFOs: read once, never recorded as the training data -------------------
if command -v mkfifo >/dev/null 2>&1; then
    mkfifo "$T/pipe"
    cat "$DATA" >"$T/pipe" &
    expect_rc 0 timeout 600 "$TSDIFF" info "$T/pipe"
    expect_out "series: 5"
    cat "$M" >"$T/pipe" &
    expect_rc 0 timeout 600 "$TSDIFF" info "$T/pipe"
    expect_out "horizon:        7"
    cat "$DATA" >"$T/pipe" &
    # shellcheck disable=SC2086
    expect_rc 0 timeout 600 "$TSDIFF" fit "$T/pipe" $TINY -o "$T/p.model"
    expect_rc 64 timeout 600 "$TSDIFF" forecast -m "$T/p.model" $FC
    expect_err "give --data"
    expect_rc 0 timeout 600 "$TSDIFF" forecast -m "$T/p.model" --data "$DATA" $FC -o /dev/null
    # shellcheck disable=SC2086
    expect_rc 64 timeout 600 "$TSDIFF" fit --resume -o "$T/p.model" --steps 2 -q
    expect_err "give DATA.csv"
fi
pass
