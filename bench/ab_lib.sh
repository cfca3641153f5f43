# ab_lib.sh - what bench/peer-ab.sh and bench/latency.sh share, sourced
# after their options: `ab_setup USAGE "$@"` checks for the two binaries OLD
# and NEW and sets old and new (absolute paths), src (the source tree),
# data (data/sales.csv), peer and py (the PyTorch peer and its Python), the
# network configurations A and B as fit options (fitA, fitB) and as the
# peer's (tA, tB), and runs the rest of the script in a scratch folder,
# removed at exit.
ab_setup() {
    usage=$1
    shift
    [ $# -eq 2 ] || { echo "usage: $usage" >&2; exit 64; }
    old=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
    new=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
    src=$(cd "$(dirname "$0")/.." && pwd)
    data=$src/data/sales.csv
    peer=$src/../shared/peers/torch_unet1d.py
    py=/usr/bin/python3
    fitA="--channels 32 --levels 3 --res-blocks 1 --batch 64 --context 120 --horizon 30"
    fitB="--channels 64 --levels 3 --res-blocks 2 --batch 64 --context 312 --horizon 48"
    tA="--width 32 --levels 3 --blocks 1 --batch 64 --context 120 --horizon 30"
    tB="--width 64 --levels 3 --blocks 2 --batch 64 --context 312 --horizon 48"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    cd "$tmp"
}
