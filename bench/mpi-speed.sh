#!/bin/sh
# mpi-speed: data-parallel training and split forecasts on this machine, one
# process against 2 MPI ranks, interleaved round by round (A B C A B C ...)
# so that a busy machine weighs on every variant alike; prints the load
# average before and after. Not part of make check.
#
#   bench/mpi-speed.sh [BUILD_DIR] [STEPS] [ROUNDS]     (default: ., 150, 3)
#
# fit: the default network on data/sales.csv, STEPS steps (validation
# included), one process on 2 threads (and on 1) against 2 ranks of 1 thread, with the
# rank-ordered gradient sum (default) and MPI_Allreduce
# (TSDIFF_MPI_REDUCE=allreduce). forecast: 20 synthetic daily series x 100
# samples, 10 solver steps (2000 rows, 4 chunks), one process on 1 and 2 threads
# against 2 ranks of 1 thread; the CSVs must be byte-identical.
set -eu
build=${1:-.}
steps=${2:-150}
rounds=${3:-3}
src=$(cd "$(dirname "$0")/.." && pwd)
tsdiff=$build/src/tsdiff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi="mpirun --quiet --oversubscribe -np 2"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# fit VARIANT THREADS [LAUNCHER...]: one timed fit; steps/s from its summary.
fit() {
    name=$1; threads=$2; shift 2
    "$@" "$tsdiff" fit "$src/data/sales.csv" --init none --steps "$steps" -o "$tmp/$name.model" --verbose \
        --threads "$threads" >"$tmp/out" 2>"$tmp/err"
    sed -n 's/^fit: .*(\([0-9.]*\) steps\/s).*/\1/p' "$tmp/out" | tr '\n' ' ' >>"$tmp/fit.$name"
    sed -n 's/.*summing the gradients (\([0-9]*\) floats a step) took \([0-9.]*\) s.*/\1 \2/p' \
        "$tmp/err" >>"$tmp/comm.$name"
}
for r in $(seq 1 "$rounds"); do
    fit one_2threads 2
    fit one_1thread 1
    fit ranks2 1 $mpi
    fit ranks2_allreduce 1 env TSDIFF_MPI_REDUCE=allreduce $mpi
done
"$tsdiff" info "$tmp/one_2threads.model" | grep -E '^(network|compute):'
for v in one_2threads one_1thread ranks2 ranks2_allreduce; do
    printf 'fit %-18s steps/s: %s\n' "$v" "$(cat "$tmp/fit.$v")"
    [ -s "$tmp/comm.$v" ] && printf '    gradient sums (floats, seconds a run): %s\n' "$(tr '\n' ' ' <"$tmp/comm.$v")"
done

"$tsdiff" synth --freq D --series 20 --length 400 --seed 1 -o "$tmp/synth.csv"
"$tsdiff" fit "$tmp/synth.csv" --id-col id --init none --steps 30 -o "$tmp/fc.model" --quiet
fc() {
    name=$1; threads=$2; shift 2
    t0=$(date +%s.%N)
    "$@" "$tsdiff" forecast -m "$tmp/fc.model" --samples 100 --sampler-steps 10 \
        --threads "$threads" -o "$tmp/$name.csv" --quiet
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{ printf "%.2f ", $2 - $1 }' >>"$tmp/fc.$name"
}
for r in $(seq 1 "$rounds"); do
    fc one_1thread 1
    fc one_2threads 2
    fc ranks2 1 $mpi
done
for v in one_1thread one_2threads ranks2; do
    printf 'forecast %-14s seconds: %s\n' "$v" "$(cat "$tmp/fc.$v")"
done
cmp "$tmp/one_1thread.csv" "$tmp/ranks2.csv" && echo "forecast: 2 ranks byte-identical to one process"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
