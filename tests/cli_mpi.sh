#!/bin/sh
# MPI: `mpirun -np N tsdiff fit/forecast/backtest` on loopback for N = 1, 2,
# 3 against one process. fit: N = 1 is byte-identical to a run without
# mpirun; N = 2, 3 keep weights within 1e-3 of it (they differ only in the
# order the ranks' gradient parts are added). forecast and backtest
# --model: byte-identical files for any N. A rank that fails ends the job
# with one line naming it, its status, and no output.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
[ "${TSDIFF_HAVE_MPI:-no}" = yes ] || { echo "SKIP $NAME: tsdiff built without MPI"; exit 77; }
command -v mpirun >/dev/null 2>&1 ||
    { echo "SKIP $NAME: mpirun not found (Debian: apt-get install openmpi-bin)"; exit 77; }
# Open MPI refuses root without these (CI runs as root); --quiet drops its
# banners, --oversubscribe lets 3 ranks share 2 cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# The sanitizer build: Open MPI's own allocations are never freed.
[ -z "${TSDIFF_SANITIZER_BUILD:-}" ] || export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
mpi() { n=$1; shift; mpirun --quiet --oversubscribe --bind-to none -np "$n" "$@"; }

DATA=$top_srcdir/data/sales.csv
NET="--batch 6 --channels 8 --levels 2 --diffusion-steps 20 --horizon 7 --context 14 --threads 1"
TINY="--steps 30 $NET --quiet"

# fit: one process, then N = 1, 2, 3 ranks.
expect_rc 0 "$TSDIFF" fit "$DATA" $TINY -o "$T/m0.model"
expect_rc 0 mpi 1 "$TSDIFF" fit "$DATA" $TINY -o "$T/m1.model"
cmp -s "$T/m0.model" "$T/m1.model" || fail "fit under mpirun -np 1 differs from one process"
for n in 2 3; do
    expect_rc 0 mpi $n "$TSDIFF" fit "$DATA" $TINY -o "$T/m$n.model"
    "$MODEL_DIFF" "$T/m0.model" "$T/m$n.model" >"$T/diff" || fail "model_diff m0 m$n"
    awk '{ if ($4 + 0 > 1e-3 || $6 + 0 > 1e-3) exit 1 }' "$T/diff" ||
        fail "fit on $n ranks: weights apart by more than 1e-3: $(cat "$T/diff")"
done
"$MODEL_DIFF" "$T/m2.model" "$T/m3.model" >"$T/diff"
echo "$NAME: weights of 2 ranks against 3: $(cat "$T/diff")"
# Rank 0 alone speaks (one summary line) and saves the checkpoints.
expect_rc 0 mpi 2 "$TSDIFF" fit "$DATA" $NET --steps 4 --checkpoint-every 2 -o "$T/m2b.model"
[ "$(wc -l <"$OUT")" -eq 1 ] && expect_out "fit: 4 steps" || fail "not one summary line"
[ -z "$(ls "$T" | grep -v '\.model$' | grep model)" ] || fail "a temporary file was left"

# info runs on rank 0 alone: once.
expect_rc 0 mpi 2 "$TSDIFF" info "$T/m1.model"
[ "$(grep -c '^model:' "$OUT")" -eq 1 ] || fail "info on 2 ranks did not print once"

# forecast: 110 samples x 5 series = 550 rows, two chunks of the one-process
# layout (3 ranks: one without a chunk), and two blocks (horizon 14 of 7).
FC="-m $T/m0.model --samples 110 --sampler-steps 4 --horizon 14 --threads 1 --quiet"
expect_rc 0 "$TSDIFF" forecast $FC -o "$T/f0.csv" --samples-out "$T/s0.csv"
for n in 1 2 3; do
    expect_rc 0 mpi $n "$TSDIFF" forecast $FC -o "$T/f$n.csv" --samples-out "$T/s$n.csv"
    cmp -s "$T/f0.csv" "$T/f$n.csv" || fail "forecast on $n ranks differs from one process"
    cmp -s "$T/s0.csv" "$T/s$n.csv" || fail "samples on $n ranks differ from one process"
done
# Standard output: rank 0 writes it once.
expect_rc 0 mpi 2 "$TSDIFF" forecast $FC
cmp -s "$T/f0.csv" "$OUT" || fail "forecast to standard output on 2 ranks"

# backtest: fitted on 2 ranks end to end; a given model scores the same.
BT="--windows 2 --samples 8 --sampler-steps 4 $TINY"
expect_rc 0 "$TSDIFF" backtest "$DATA" $BT --save-model "$T/bt.model" -o "$T/b0.csv"
expect_rc 0 mpi 2 "$TSDIFF" backtest "$DATA" $BT -o "$T/b2fit.csv"
for n in 2 3; do
    expect_rc 0 mpi $n "$TSDIFF" backtest "$DATA" $BT -m "$T/bt.model" -o "$T/b$n.csv"
    cmp -s "$T/b0.csv" "$T/b$n.csv" || fail "backtest --model on $n ranks differs"
done

# Failures. Bad data on rank 1 only (its own --data): status 65, one line
# naming the rank, no CSV.
awk -F, 'NR == 6 { $2 = "x" } 1' OFS=, "$DATA" >"$T/bad.csv"
expect_rc 65 mpirun --quiet --oversubscribe -np 1 "$TSDIFF" forecast $FC -d "$DATA" -o "$T/fx.csv" \
    : -np 1 "$TSDIFF" forecast $FC -d "$T/bad.csv" -o "$T/fx.csv"
expect_err "rank 1: $T/bad.csv:6:2:"
[ ! -e "$T/fx.csv" ] || fail "a failed job wrote its CSV"
# An internal fault on rank 0 as it creates the CSV: MPI_Abort, status 70.
TSDIFF_FAULT=create:1:INTERNAL expect_rc 70 mpi 2 "$TSDIFF" forecast $FC -o "$T/fx.csv"
expect_err "rank 0: internal error"
[ ! -e "$T/fx.csv" ] || fail "an aborted job wrote its CSV"
# More ranks than windows in a batch: a usage error before any step.
expect_rc 64 mpi 3 "$TSDIFF" fit "$DATA" $TINY --batch 2 -o "$T/mx.model"
expect_err "ranks"
[ ! -e "$T/mx.model" ] || fail "a failed fit wrote its model"
# A rank killed mid-fit ends the job without a model.
set +e
mpi 2 "$TSDIFF" fit "$DATA" $TINY --steps 100000 -o "$T/mk.model" >/dev/null 2>&1 &
job=$!
set -e
victim=
for i in $(seq 1 100); do
    for p in $(pgrep -f "$T/mk.model" || true); do
        tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 && victim=$p
    done
    [ -n "$victim" ] && break
    sleep 0.1
done
[ -n "$victim" ] || fail "rank 1 of the fit never started"
sleep 1
kill -9 "$victim"
set +e
wait "$job"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a job with a killed rank exited 0"
[ ! -e "$T/mk.model" ] || fail "a job with a killed rank wrote its model"
pass
