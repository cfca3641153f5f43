#!/bin/sh
# Calendars with days the data never has: a Monday-to-Friday series (daily
# stock prices, with a holiday) is read as business days (B), fitted, saved,
# loaded and forecast on trading days only; a grid with a weekday the data
# never has is refused unless --freq asks for it; a model file with an
# unknown frequency is refused.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
TINY="--steps 5 --batch 8 --channels 8 --levels 2 --diffusion-steps 50 --horizon 10 --context 40 --threads 2"

# gen FIRST_DAY LAST_DAY SKIP: a wide CSV of one series, a row per calendar
# day (days since 1970-01-01) except the weekdays (0 Monday .. 6 Sunday) in
# SKIP and the holiday 2024-07-04.
gen() {
    awk -v z0="$1" -v z1="$2" -v skip="$3" 'BEGIN {
        print "date,close"
        for (z = z0; z <= z1; z++) {
            w = (z + 3) % 7
            if (index(skip, w)) continue
            e = z + 719468; era = int(e / 146097); doe = e - era * 146097
            yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
            doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
            mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
            m = mp < 10 ? mp + 3 : mp - 9; y = yoe + era * 400 + (m <= 2)
            day = sprintf("%04d-%02d-%02d", y, m, d)
            if (day == "2024-07-04") continue
            n++
            printf "%s,%.2f\n", day, 100 + 0.05 * n + (w == 0 ? 2 : 0) + (n % 3) * 0.5
        }
    }'
}
weekday() { date -u -d "$1" +%u; }  # 1 Monday .. 7 Sunday

# 2024-01-01 (a Monday, day 19723) to 2025-02-23 (a Sunday): 60 weeks, the
# last row a Friday, 299 trading days and the holiday.
B=$T/close.csv
gen 19723 20142 56 >"$B"
[ "$(tail -n +2 "$B" | wc -l)" -eq 299 ] || fail "generator: $(wc -l <"$B") lines"
last=$(tail -1 "$B" | cut -d, -f1)
[ "$(weekday "$last")" -eq 5 ] || fail "generator: last row $last is no Friday"

expect_rc 0 "$TSDIFF" info "$B"
expect_out "frequency: B"
# 300 trading days from the first row to the last; the holiday is missing
awk '$1 == "close" { if ($2 != 300 || $5 != 1) exit 1; n++ } END { exit n != 1 }' "$OUT" \
    || fail "info: $(cat "$OUT")"

M=$T/b.model
expect_rc 0 "$TSDIFF" fit "$B" $TINY -o "$M" --quiet
expect_rc 0 "$TSDIFF" info "$M"
expect_out "frequency:      B"

# 12 steps: trading days only, the first the Monday after the last Friday,
# step 6 the Monday after that (the k-th step is the k-th trading day).
expect_rc 0 "$TSDIFF" forecast -m "$M" --horizon 12 --samples 4 --sampler-steps 2 -o "$T/fc.csv" --quiet
[ "$(tail -n +2 "$T/fc.csv" | wc -l)" -eq 12 ] || fail "forecast rows: $(cat "$T/fc.csv")"
for day in $(tail -n +2 "$T/fc.csv" | cut -d, -f2); do
    [ "$(weekday "$day")" -le 5 ] || fail "forecast step on a weekend: $day"
done
first=$(sed -n 2p "$T/fc.csv" | cut -d, -f2)
[ "$first" = "$(date -u -d "$last + 3 days" +%Y-%m-%d)" ] || fail "first step $first after $last"
[ "$first" = 2025-02-24 ] || fail "first step $first"
[ "$(sed -n 7p "$T/fc.csv" | cut -d, -f2)" = 2025-03-03 ] || fail "step 6: $(sed -n 7p "$T/fc.csv")"
[ "$(tail -1 "$T/fc.csv" | cut -d, -f2)" = 2025-03-11 ] || fail "step 12: $(tail -1 "$T/fc.csv")"

# --freq B is the same grid; a Saturday row is off it.
expect_rc 0 "$TSDIFF" info "$B" --freq B
expect_out "frequency: B"
{ cat "$B"; echo "2025-02-22,1"; } >"$T/sat.csv"
expect_rc 65 "$TSDIFF" info "$T/sat.csv" --freq B
expect_err "sat.csv:301:1: timestamp 2025-02-22 is off the B grid that starts at 2024-01-01 (line 2)"

# One Saturday among weekdays: daily, but Sundays never come, so the grid
# is refused (a forecast would have Sundays); --freq D accepts it.
expect_rc 65 "$TSDIFF" info "$T/sat.csv"
expect_err "sat.csv:2:1: no timestamp falls on a Sunday though the data spans many weeks"
expect_err "(give --freq daily to accept that)"
expect_rc 0 "$TSDIFF" info "$T/sat.csv" --freq daily
expect_out "frequency: daily"

# Six-day weeks (no Sundays) and weekdays without Wednesdays: refused too.
gen 19723 20142 6 >"$T/six.csv"
expect_rc 65 "$TSDIFF" fit "$T/six.csv" $TINY -o "$T/x.model"
expect_err "no timestamp falls on a Sunday though"
[ ! -e "$T/x.model" ] || fail "a refused fit wrote a model"
gen 19723 20142 256 >"$T/nowed.csv"
expect_rc 65 "$TSDIFF" info "$T/nowed.csv"
expect_err "no timestamp falls on a Wednesday though the data spans many weeks: a B forecast"

# Three weeks of weekdays are too few to tell: daily, as before.
gen 19723 19743 56 >"$T/short.csv"
expect_rc 0 "$TSDIFF" info "$T/short.csv"
expect_out "frequency: daily"

# A model file with a frequency unit this tsdiff does not know (CRC intact).
expect_rc 65 "$TSDIFF" info "$top_srcdir/tests/data/model/freq_unit_unknown.model"
expect_err "corrupt model file (window.freq_unit = 10 out of range)"
pass
