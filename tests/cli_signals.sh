#!/bin/sh
# A signal at any point leaves each output complete (the new one or the old
# one), no temporary file beside the outputs or in $TMPDIR, and no gnuplot
# running. The points: every create, write, fsync and rename of every output
# of forecast and fit (TSDIFF_FAULT=OP:N:SIGTERM raises the signal exactly
# there), a second signal during fit's final save, a signal while gnuplot
# draws, and signals after a series of delays ($SIGNAL_DELAYS, in seconds,
# to run more of them). The number of points run is printed.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
DATA=$top_srcdir/data/sales.csv
M=$T/m.model
TINY="--batch 4 --channels 8 --levels 2 --diffusion-steps 20 --horizon 7 --context 14
      --threads 1 -q"
FC="--samples 4 --sampler-steps 2 --threads 1 -q -m $M -o $T/f.csv --samples-out $T/s.csv"
mkdir "$T/tmp"
TMPDIR=$T/tmp
export TMPDIR
points=0

no_litter() {
    left=$(find "$T" -mindepth 1 \( -name '*.*.??????' -o -name '*.lock' -o -name 'tsdiff-*' \) \
           ! -path "$T/fake/*" || true)
    [ -z "$left" ] || fail "$1: left behind: $(echo $left)"
}
sum() { cksum <"$1"; }
png_whole() { [ "$(tail -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 49454e44ae426082 ]; }
# run_sig WANT CMD...: CMD ends by the signal (exit WANT, 128+N) or exits WANT.
run_sig() {
    want=$1; shift
    set +e
    "$@" >/dev/null 2>"$ERR" </dev/null
    got=$?
    set -e
    [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want"
    points=$((points + 1))
}

# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" fit "$DATA" $TINY --steps 3 -o "$M"
# Two sets of outputs: the old ones (seed 1) and what a run with seed 2 makes.
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast $FC --seed 2 --plot "$T/f.png"
new_f=$(sum "$T/f.csv")
new_s=$(sum "$T/s.csv")
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast $FC --seed 1 --plot "$T/f.png"
old_f=$(sum "$T/f.csv")
old_s=$(sum "$T/s.csv")
old_p=$(sum "$T/f.png")
[ "$old_f" != "$new_f" ] || fail "seeds 1 and 2 gave the same forecast"

# forecast, three outputs: a signal at each step of each.
for op in create write fsync rename; do
    for n in 1 2 3; do
        for sig in SIGTERM SIGINT; do
            code=143
            [ $sig = SIGINT ] && code=130
            # shellcheck disable=SC2086
            run_sig $code env TSDIFF_FAULT=$op:$n:$sig "$TSDIFF" forecast $FC --seed 2 --plot "$T/f.png"
            f=$(sum "$T/f.csv")
            s=$(sum "$T/s.csv")
            [ "$f" = "$old_f" ] || [ "$f" = "$new_f" ] || fail "$op:$n:$sig: forecast CSV neither old nor new"
            [ "$s" = "$old_s" ] || [ "$s" = "$new_s" ] || fail "$op:$n:$sig: samples neither old nor new"
            png_whole "$T/f.png" || fail "$op:$n:$sig: chart not whole"
            no_litter "forecast $op:$n:$sig"
            # back to the old outputs
            # shellcheck disable=SC2086
            expect_rc 0 "$TSDIFF" forecast $FC --seed 1 --plot "$T/f.png"
        done
    done
done
[ "$(sum "$T/f.png")" = "$old_p" ] || fail "the chart is not reproducible"

# fit: checkpoints at steps 1, 2, 3, the final save and the loss chart; the
# first signal anywhere stops after that step and saves a complete model.
for op in create write fsync rename; do
    for n in 1 2 3 4 5; do
        cp "$M" "$T/c.model"
        # shellcheck disable=SC2086
        run_sig 143 env TSDIFF_FAULT=$op:$n:SIGTERM "$TSDIFF" fit "$DATA" $TINY --steps 3 \
            --checkpoint-every 1 -o "$T/c.model" --plot-loss "$T/loss.png"
        expect_rc 0 "$TSDIFF" info "$T/c.model"
        expect_out "resumable:      yes"
        [ ! -e "$T/loss.png" ] || png_whole "$T/loss.png" || fail "fit $op:$n: loss chart not whole"
        no_litter "fit $op:$n"
    done
done
# A second signal during the final save: the run ends at once, the old
# model stays as it was.
m0=$(sum "$M")
# shellcheck disable=SC2086
run_sig 143 env TSDIFF_FAULT=write:1:SIGTERM,rename:1:SIGTERM "$TSDIFF" fit "$DATA" $TINY \
    --steps 3 -o "$M"
[ "$(sum "$M")" = "$m0" ] || fail "a second signal during the save changed the model"
no_litter "second signal"

# A signal while gnuplot draws: gnuplot goes too (its process group), and
# nothing is left. The fake gnuplot says its pid, then takes its time.
if command -v gnuplot >/dev/null 2>&1; then
    mkdir "$T/fake"
    cat >"$T/fake/gnuplot" <<EOF
#!/bin/sh
echo \$\$ >"$T/fake/pid"
sleep 600
EOF
    chmod +x "$T/fake/gnuplot"
    for sig in TERM INT HUP; do
        rm -f "$T/fake/pid"
        # shellcheck disable=SC2086
        PATH="$T/fake:$PATH" "$TSDIFF" forecast $FC --seed 2 --plot "$T/f.png" 2>"$ERR" &
        pid=$!
        while [ ! -s "$T/fake/pid" ] && kill -0 $pid 2>/dev/null; do sleep 0.05; done
        [ -s "$T/fake/pid" ] || fail "forecast ended before it ran gnuplot: $(cat "$ERR")"
        kill -$sig $pid
        set +e; wait $pid; got=$?; set -e
        [ $got -gt 128 ] || fail "forecast killed by SIG$sig during the chart exited $got"
        g=$(cat "$T/fake/pid")
        k=0
        while kill -0 "$g" 2>/dev/null && [ $k -lt 100 ]; do sleep 0.05; k=$((k + 1)); done
        ! kill -0 "$g" 2>/dev/null || fail "gnuplot outlived tsdiff (SIG$sig)"
        [ "$(sum "$T/f.png")" = "$old_p" ] || fail "SIG$sig during the chart replaced it"
        no_litter "SIG$sig during the chart"
        points=$((points + 1))
        # shellcheck disable=SC2086
        expect_rc 0 "$TSDIFF" forecast $FC --seed 1 --plot "$T/f.png"
    done
fi

# kill_after DELAY SIG CMD...: start CMD, send SIG after DELAY seconds (it
# may be done by then), wait; $got is its exit status.
kill_after() {
    d=$1 sig=$2
    shift 2
    "$@" 2>"$ERR" &
    pid=$!
    sleep "$d"
    kill -"$sig" $pid 2>/dev/null || true
    set +e; wait $pid; got=$?; set -e
}

# Signals after delays: training, sampling, saving, wherever they land.
for d in ${SIGNAL_DELAYS:-0 0.02 0.1 0.3 0.6 1}; do
    cp "$M" "$T/d.model"
    # shellcheck disable=SC2086
    kill_after "$d" TERM "$TSDIFF" fit "$DATA" $TINY --steps 1000000 --checkpoint-every 7 -o "$T/d.model"
    [ $got -eq 143 ] || fail "fit killed after ${d}s exited $got"
    expect_rc 0 "$TSDIFF" info "$T/d.model"
    # shellcheck disable=SC2086
    kill_after "$d" INT "$TSDIFF" forecast $FC --seed 2 --samples 64 --plot "$T/f.png"
    [ $got -eq 130 ] || [ $got -eq 0 ] || fail "forecast killed after ${d}s exited $got"
    png_whole "$T/f.png" || fail "forecast killed after ${d}s: chart not whole"
    no_litter "delay $d"
    points=$((points + 2))
done
# SIGKILL cannot be caught: the model is still the old one or a complete
# checkpoint (a temporary file may stay; a later run goes on regardless).
for d in ${SIGNAL_DELAYS:-0 0.02 0.1 0.3 0.6 1}; do
    cp "$M" "$T/k.model"
    # shellcheck disable=SC2086
    kill_after "$d" KILL "$TSDIFF" fit "$DATA" $TINY --steps 1000000 --checkpoint-every 1 -o "$T/k.model"
    expect_rc 0 "$TSDIFF" info "$T/k.model"
    expect_out "resumable:      yes"
    # shellcheck disable=SC2086
    expect_rc 0 "$TSDIFF" fit --resume --steps 2 $TINY -o "$T/k.model"
    rm -f "$T"/k.model.?????? "$T/k.model.lock"
    points=$((points + 1))
done
echo "signal points run: $points"
pass
