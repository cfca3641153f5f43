#!/bin/sh
# tsdiff synth: a seed gives the same file, series I the same rows however
# many are written, fit trains on the file, and bad options exit 64 with
# one line and no file.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
expect_rc 0 "$TSDIFF" synth -n 6 --length 80:160 --seed 3 -o "$T/a.csv"
[ "$(head -n 1 "$T/a.csv")" = "id,time,value" ] || fail "header: $(head -n 1 "$T/a.csv")"
[ "$(tail -n +2 "$T/a.csv" | cut -d, -f1 | uniq | wc -l)" -eq 6 ] || fail "not 6 series"
rows=$(tail -n +2 "$T/a.csv" | wc -l)
[ "$rows" -ge 480 ] && [ "$rows" -le 960 ] || fail "$rows rows for 6 series of 80 to 160"
expect_rc 0 "$TSDIFF" synth -n 6 --length 80:160 --seed 3
cmp -s "$OUT" "$T/a.csv" || fail "same seed, standard output: another file"
expect_rc 0 "$TSDIFF" synth -n 6 --length 80:160 --seed 4 -o "$T/b.csv"
cmp -s "$T/a.csv" "$T/b.csv" && fail "another seed, the same file"
# Series 4 and 5 alone (--first 4) are the rows of series 4 and 5 above.
expect_rc 0 "$TSDIFF" synth -n 2 --first 4 --length 80:160 --seed 3 -o "$T/c.csv"
grep -E '^s[45]-' "$T/a.csv" >"$T/want"
tail -n +2 "$T/c.csv" >"$T/got"
[ -s "$T/want" ] && cmp -s "$T/want" "$T/got" || fail "--first 4: other rows than series 4 and 5"
# Only what --kind names: intermittent counts are whole and non-negative.
expect_rc 0 "$TSDIFF" synth -n 5 --length 50 --kind intermittent --freq W -o "$T/k.csv"
awk -F, 'NR > 1 && ($3 < 0 || $3 != int($3) || $1 !~ /count/) { bad = 1 } END { exit bad }' \
    "$T/k.csv" || fail "--kind intermittent: a value that is not a count"
expect_rc 0 "$TSDIFF" info "$T/k.csv" --id-col id
expect_out "frequency: weekly"
expect_out "series: 5"
# Trains as it is.
expect_rc 0 "$TSDIFF" fit "$T/a.csv" --id-col id --steps 5 --horizon 8 --channels 8 \
    --levels 2 -j 2 -q -o "$T/a.model"
[ -s "$T/a.model" ] || fail "no model"
# Bad options: 64, one line, no file.
for bad in "--length 1" "--length 50:10" "--length 5:x" "--length :9" "--freq fortnightly" \
           "--kind trend,bogus" "--kind missing" "--series 0" "--freq Y --length 20000" \
           "--seed -1" "extra-operand"; do
    # shellcheck disable=SC2086
    expect_rc 64 "$TSDIFF" synth $bad -o "$T/bad.csv"
    [ ! -e "$T/bad.csv" ] || fail "synth $bad left $T/bad.csv"
    [ ! -e "$T/bad.csv.lock" ] || fail "synth $bad left a lock file"
done
expect_err "synth: unexpected argument"
expect_rc 73 "$TSDIFF" synth -n 2 -o "$T/no/such/folder/x.csv"
pass
