#!/bin/sh
# latency: the wall time of one forecast, process start, model and CSV read
# included, for two tsdiff binaries (OLD, NEW) interleaved in one run, beside
# the PyTorch peer's sampling (../shared/peers/torch_unet1d.py, sampling
# only, inside its process). The job is issue 13's latency goal:
#
#   tsdiff forecast -m A.model --data data/sales.csv --series widgets
#                   --horizon 30 --samples 100 (default K 10)
#
# A.model: config A (width 32, 3 levels, 1 block, context 120 + 30) fitted
# 100 steps by NEW, once. Per repeat and thread count, in this order: OLD and
# NEW with the default device (auto), OLD and NEW with --device cpu, then the
# peer (DPM-Solver++ K 10, 3 timed runs, their median). Prints one line per
# figure (label, threads, value in seconds), the load average before each
# repeat, then the median of each figure over the repeats. Not part of make
# check; the peer needs /usr/bin/python3 with torch (skipped without).
#
#   bench/latency.sh [-r REPEATS] [-j "THREADS"] OLD NEW   (defaults 10, "2 1")
set -eu
repeats=10 threads="2 1"
while getopts r:j: o; do
    case $o in
    r) repeats=$OPTARG ;;
    j) threads=$OPTARG ;;
    *) exit 64 ;;
    esac
done
shift $((OPTIND - 1))
. "$(dirname "$0")/ab_lib.sh"
ab_setup "bench/latency.sh [-r N] [-j THREADS] OLD NEW" "$@"

# shellcheck disable=SC2086
"$new" fit "$data" $fitA --init none --steps 100 --select loss -o A.model --quiet --device cpu
have_peer=0
[ -f "$peer" ] && "$py" -c "import torch" 2>/dev/null && have_peer=1
fc() {  # binary threads [--device cpu] -> seconds
    b=$1 th=$2
    shift 2
    s=$(date +%s%N)
    "$b" forecast -m A.model --data "$data" --series widgets --horizon 30 --samples 100 \
        -o f.csv --quiet --threads "$th" "$@"
    e=$(date +%s%N)
    echo "$s $e" | awk '{printf "%.3f", ($2 - $1) / 1e9}'
}

for rep in $(seq "$repeats"); do
    echo "# repeat $rep, load $(cut -d' ' -f1-3 /proc/loadavg)"
    for th in $threads; do
        echo "old $th auto $(fc "$old" "$th")"
        echo "new $th auto $(fc "$new" "$th")"
        echo "old $th cpu $(fc "$old" "$th" --device cpu)"
        echo "new $th cpu $(fc "$new" "$th" --device cpu)"
        [ $have_peer = 1 ] || continue
        "$py" "$peer" --width 32 --levels 3 --blocks 1 --batch 64 --context 120 --horizon 30 \
            --threads "$th" --steps 1 --warmup 1 --warmup-s 0 --sample "100:dpm:10:3" \
            --json s.json >/dev/null 2>&1
        echo "torch $th sample_k10 $("$py" -c "import json; r=[json.loads(l) for l in open('s.json')][-1]; print('%.3f' % r['sample'][0]['wall_s']['median'])")"
    done
done | tee log
echo "# medians"
awk '!/^#/ { k = $1 " " $2 " " $3; v[k] = v[k] " " $4; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
     END { for (i = 1; i <= n; i++) { m = split(v[order[i]], a, " ");
               for (x = 1; x <= m; x++) for (y = x + 1; y <= m; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
               med = m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
               printf "%s %s\n", order[i], med } }' log
