#!/bin/sh
# forecast --shard K/N: the parts are disjoint, cover every series, are the
# same on every run, and merge into one CSV (one header); a part without
# series writes the header alone; bad K/N is a usage error.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
DATA=$top_srcdir/data/sales.csv
M=$T/tiny.model
expect_rc 0 "$TSDIFF" fit "$DATA" --steps 10 --batch 4 --channels 8 --levels 2 \
    --diffusion-steps 20 --horizon 7 --context 14 --threads 1 -o "$M" --quiet
FC="-m $M --samples 4 --sampler-steps 4 --threads 1 --quiet"
expect_rc 0 "$TSDIFF" forecast $FC -o "$T/all.csv"

for k in 1 2 3; do
    expect_rc 0 "$TSDIFF" forecast $FC --shard $k/3 -o "$T/p$k.csv" --samples-out "$T/s$k.csv"
done
expect_rc 0 "$TSDIFF" forecast $FC --shard 2/3 -o "$T/again.csv"
cmp -s "$T/p2.csv" "$T/again.csv" || fail "a shard differs between two runs"
# The merge of the README: the first part's header, the others' rows.
{ cat "$T/p1.csv"; tail -n +2 "$T/p2.csv"; tail -n +2 "$T/p3.csv"; } >"$T/merged.csv"
[ "$(head -1 "$T/merged.csv")" = "$(head -1 "$T/all.csv")" ] || fail "merged header"
cut -d, -f1,2 "$T/all.csv" | sort >"$T/keys.all"
cut -d, -f1,2 "$T/merged.csv" | sort >"$T/keys.merged"
cmp -s "$T/keys.all" "$T/keys.merged" || fail "the merged parts are not every series and step once"
# Each series in one part only.
for k in 1 2 3; do tail -n +2 "$T/p$k.csv" | cut -d, -f1 | sort -u; done | sort | uniq -d >"$T/dup"
[ ! -s "$T/dup" ] || fail "series in two parts: $(cat "$T/dup")"
# More parts than series: some parts are empty, with their header.
empty=0
for k in $(seq 1 20); do
    expect_rc 0 "$TSDIFF" forecast $FC --shard $k/20 -o "$T/q.csv"
    [ "$(wc -l <"$T/q.csv")" -eq 1 ] && empty=$((empty + 1))
done
[ "$empty" -ge 15 ] || fail "5 series in 20 parts left $empty parts empty"
for bad in 0/3 4/3 3 x/2 1/0 1/3x; do
    expect_rc 64 "$TSDIFF" forecast $FC --shard "$bad" -o "$T/bad.csv"
    expect_err "--shard"
done
pass
