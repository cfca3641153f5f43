#!/bin/sh
# peer-ab: two tsdiff binaries (OLD, NEW) and the PyTorch peer
# (../shared/peers/torch_unet1d.py) on the peer's shapes, interleaved in one
# run so that the host's other load hits all three alike. For each repeat and
# each thread count, in this order: OLD, NEW, PyTorch on
#
#   train A   width 32, 1 block, 3 levels, batch 64, context 120 + 30: steps/s
#             of tsdiff = N extra steps over the extra time of a 2N-step fit
#             against an N-step one (N 100; both pay the same start-up)
#   train B   width 64, 2 blocks, context 312 + 48 (N 10)
#   forecast  100 paths x 30 days of one series on the A model, DPM-Solver++
#             K 20 (the peer's forecast), wall seconds with process start and
#             CSV read; and, for tsdiff, the same with K 10
#
# and prints one line per figure (label, threads, config, value), then the
# median over the repeats of each. The load average is printed before each
# repeat. Not part of make check; the peer needs /usr/bin/python3 with torch.
#
#   bench/peer-ab.sh [-r REPEATS] [-j "THREADS"] [-c "CONFIGS"] OLD NEW
#                    (defaults: 1, "2 1", "A B")
set -eu
repeats=1 threads="2 1" configs="A B"
while getopts r:j:c: o; do
    case $o in
    r) repeats=$OPTARG ;;
    j) threads=$OPTARG ;;
    c) configs=$OPTARG ;;
    *) exit 64 ;;
    esac
done
shift $((OPTIND - 1))
. "$(dirname "$0")/ab_lib.sh"
ab_setup "bench/peer-ab.sh [-r N] [-j THREADS] [-c CONFIGS] OLD NEW" "$@"

now() { date +%s.%N; }
fit() {  # binary options steps output threads -> seconds
    s=$(now)
    "$1" fit "$data" $2 --init none --steps "$3" --select loss -o "$4" --quiet --device cpu --threads "$5"
    e=$(now)
    echo "$e - $s" | bc -l
}
fc() {  # binary model threads K -> seconds
    s=$(now)
    "$1" forecast -m "$2" --data "$data" --series widgets --horizon 30 --samples 100 \
        --sampler-steps "$4" -o f.csv --quiet --device cpu --threads "$3"
    e=$(now)
    echo "$e - $s" | bc -l | cut -c1-6
}
peer_json() { $py -c "import json,sys; r=[json.loads(l) for l in open('$1')][-1]; print($2)"; }

for rep in $(seq "$repeats"); do
    echo "# repeat $rep, load $(cut -d' ' -f1-3 /proc/loadavg)"
    for th in $threads; do
        for cfg in $configs; do
            if [ "$cfg" = A ]; then f=$fitA t=$tA n=100; else f=$fitB t=$tB n=10; fi
            for v in old new; do
                eval bin=\$$v
                t1=$(fit "$bin" "$f" $n one.model "$th")
                t2=$(fit "$bin" "$f" $((2 * n)) "$v$cfg.model" "$th")
                echo "$v $th $cfg train_steps_per_s $(echo "$n / ($t2 - $t1)" | bc -l | cut -c1-6)"
            done
            $py "$peer" $t --threads "$th" --steps 20 --sample "" --json p.json >/dev/null 2>&1
            echo "torch $th $cfg train_steps_per_s $(peer_json p.json "'%.4f' % r['train_steps_per_s']")"
        done
        for v in old new; do
            eval bin=\$$v
            echo "$v $th A forecast_k20_s $(fc "$bin" "${v}A.model" "$th" 20)"
            echo "$v $th A forecast_k10_s $(fc "$bin" "${v}A.model" "$th" 10)"
        done
        $py "$peer" $tA --threads "$th" --steps 1 --warmup 1 --warmup-s 0 \
            --sample "100:dpm:20:3" --json s.json >/dev/null 2>&1
        echo "torch $th A forecast_k20_s $(peer_json s.json "'%.3f' % r['sample'][0]['wall_s']['median']")"
    done
done | tee log
echo "# medians"
awk '!/^#/ { k = $1 " " $2 " " $3 " " $4; v[k] = v[k] " " $5; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
     END { for (i = 1; i <= n; i++) { m = split(v[order[i]], a, " ");
               for (x = 1; x <= m; x++) for (y = x + 1; y <= m; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
               med = m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
               printf "%s %s\n", order[i], med } }' log
