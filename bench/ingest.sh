#!/bin/sh
# bench/ingest.sh - CSV ingestion speed and memory. Generates a wide CSV
# (minutely timestamps, 10 series; about MB megabytes) once in $TMPDIR, then
# runs `tsdiff info` on it under /usr/bin/time -v and prints the throughput
# and the peak resident memory. Not part of `make check`.
#
#   bench/ingest.sh [TSDIFF [MB]]     defaults: $TSDIFF or ./src/tsdiff, 200
set -eu
TSDIFF=${1:-${TSDIFF:-./src/tsdiff}}
MB=${2:-200}
DIR=${TMPDIR:-/tmp}
FILE=$DIR/tsdiff-ingest-$MB.csv
LOG=$DIR/tsdiff-ingest-$$.log
trap 'rm -f "$LOG"' EXIT

[ -x /usr/bin/time ] || { echo "ingest.sh: needs GNU time (apt-get install time)" >&2; exit 69; }
[ -x "$TSDIFF" ] || { echo "ingest.sh: no tsdiff binary at $TSDIFF" >&2; exit 66; }

if [ ! -s "$FILE" ]; then
    # A row is about 100 bytes: "2020-01-01 00:00:00" and ten values.
    echo "generating $FILE ..." >&2
    awk -v rows=$((MB * 10000)) 'BEGIN {
        srand(1)
        y = 2020; mo = 1; d = 1; h = 0; mi = 0
        split("31 28 31 30 31 30 31 31 30 31 30 31", dim, " ")
        printf "time"
        for (j = 1; j <= 10; j++) printf ",s%d", j
        printf "\n"
        for (i = 0; i < rows; i++) {
            printf "%04d-%02d-%02d %02d:%02d:00", y, mo, d, h, mi
            for (j = 1; j <= 10; j++) printf ",%.3f", 100 * j + 50 * sin(i / 1440 * 6.283) + 10 * rand()
            printf "\n"
            if (++mi == 60) { mi = 0; if (++h == 24) { h = 0
                n = dim[mo] + (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
                if (++d > n) { d = 1; if (++mo > 12) { mo = 1; y++ } } } }
        }
    }' >"$FILE"
fi

bytes=$(wc -c <"$FILE")
/usr/bin/time -v "$TSDIFF" info "$FILE" >/dev/null 2>"$LOG" || { cat "$LOG" >&2; exit 1; }
wall=$(sed -n 's/^.*Elapsed (wall clock) time.*: //p' "$LOG")
rss=$(sed -n 's/^.*Maximum resident set size (kbytes): //p' "$LOG")
user=$(sed -n 's/^.*User time (seconds): //p' "$LOG")
sys=$(sed -n 's/^.*System time (seconds): //p' "$LOG")
awk -v b="$bytes" -v w="$wall" -v r="$rss" -v u="$user" -v s="$sys" 'BEGIN {
    n = split(w, p, ":"); t = 0
    for (i = 1; i <= n; i++) t = t * 60 + p[i]
    printf "file      %.1f MB (%d bytes)\n", b / 1e6, b
    printf "time      %.2f s wall, %.2f s user, %.2f s sys\n", t, u, s
    printf "speed     %.1f MB/s\n", (t > 0 ? b / 1e6 / t : 0)
    printf "peak RSS  %.1f MB (%.2f bytes of memory per byte of input)\n", r / 1024, r * 1024 / b
}'
