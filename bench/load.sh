#!/bin/sh
# load: wall times of tsdiff on a busy machine. The script makes the load
# itself: for each hog count in HOGS it starts that many busy loops
# (`sh -c 'while :; do :; done'`, hog i pinned to CPU i with taskset when
# there is one), then times, interleaved REPEATS times (A B A B, so a change
# of the machine's other load hits every variant alike):
#
#   forecast  tsdiff forecast --horizon 30 --samples 100 --series widgets
#             (100 paths x 30 days, DPM-Solver++ K 20, as the PyTorch peer's
#             forecast) on a model of data/sales.csv fitted once with
#             --steps 50 before the first hog
#   fit       tsdiff fit data/sales.csv --steps 60
#
# at --threads 1 and --threads 2 (-j: other counts; 0 is the default, all
# cores with a fit's count following the load), for each VARIANT: a tsdiff binary, or
# NAME=VALUE... to run the first binary with those environment variables
# (e.g. OMP_WAIT_POLICY=active). The hogs are killed on exit. It prints the
# OpenBLAS kernel (OPENBLAS_CORETYPE as found, and the core OpenBLAS chose)
# and the load average at the start of each hog count: other jobs on the
# machine count too. Not part of make check.
#
#   bench/load.sh [-r REPEATS] [-h "HOGS"] [-j "THREADS"] [VARIANT...]
#                 (defaults: 2, "0 1 2", "1 2", ./src/tsdiff)
set -eu
repeats=2 hogs="0 1 2" threads="1 2"
while getopts r:h:j: o; do
    case $o in
    r) repeats=$OPTARG ;;
    h) hogs=$OPTARG ;;
    j) threads=$OPTARG ;;
    *) exit 64 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- ./src/tsdiff
src=$(cd "$(dirname "$0")/.." && pwd)
data=$src/data/sales.csv
tmp=$(mktemp -d)
pids=
stop_hogs() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    pids=
}
trap 'stop_hogs; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

# Variant v: its binary ($bin) and environment ($envs).
first=
case $1 in *=*) echo "load: the first VARIANT must be a tsdiff binary" >&2; exit 64 ;; esac
variant() {
    case $1 in
    *=*) bin=$first envs=$1 ;;
    *) bin=$1 envs= ;;
    esac
}
for v in "$@"; do
    variant "$v"
    [ -n "$first" ] || first=$bin
    [ -x "$bin" ] || { echo "load: $bin: not an executable" >&2; exit 66; }
done

corename() {
    lib=$(ldd "$first" | awk '/openblas/ { print $3; exit }')
    [ -n "$lib" ] && command -v python3 >/dev/null || { echo unknown; return; }
    python3 -c 'import ctypes, sys
f = ctypes.CDLL(sys.argv[1]).openblas_get_corename
f.restype = ctypes.c_char_p
print(f().decode())' "$lib" 2>/dev/null || echo unknown
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "OpenBLAS: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}, kernel $(corename)"
echo "OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-(unset)} GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-(unset)}"
"$first" fit "$data" --init none --steps 50 -o "$tmp/m.model" --quiet --device cpu

# run JOB THREADS: time one job of the current variant, in seconds.
run() {
    t0=$(date +%s.%N)
    case $1 in
    forecast) env $envs "$bin" forecast -m "$tmp/m.model" --data "$data" --horizon 30 \
                  --samples 100 --series widgets --threads "$2" --device cpu -o "$tmp/f.csv" --quiet ;;
    fit) env $envs "$bin" fit "$data" --init none --steps 60 --threads "$2" --device cpu \
             -o "$tmp/fit.model" --quiet ;;
    esac
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }'
}

printf '%-5s %-9s %-40s %s\n' hogs job "variant, threads" "wall s (each repeat) mean"
for h in $hogs; do
    i=0
    while [ "$i" -lt "$h" ]; do
        if command -v taskset >/dev/null; then
            taskset -c "$((i % $(nproc)))" sh -c 'while :; do :; done' &
        else
            sh -c 'while :; do :; done' &
        fi
        pids="$pids $!"
        i=$((i + 1))
    done
    sleep 1
    echo "-- $h hog(s); load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
    for job in forecast fit; do
        : >"$tmp/times"
        r=0
        while [ "$r" -lt "$repeats" ]; do
            for v in "$@"; do
                variant "$v"
                for t in $threads; do
                    echo "$v|$t $(run "$job" "$t")" >>"$tmp/times"
                done
            done
            r=$((r + 1))
        done
        awk -v h="$h" -v job="$job" '{
            k = substr($0, 1, length($0) - length($NF) - 1)   # a variant may hold spaces
            if (!(k in n)) order[m++] = k
            n[k]++; s[k] += $NF; all[k] = all[k] " " $NF }
            END { for (i = 0; i < m; i++) { k = order[i]; split(k, p, "|")
                printf "%-5s %-9s %-40s%s  %.2f\n", h, job, p[1] ", -j " p[2], all[k], s[k] / n[k] } }' \
            "$tmp/times"
    done
    stop_hogs
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
