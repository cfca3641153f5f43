#!/bin/sh
# Model files of the format before the channel table (tests/data/model/
# v1-daily.model, written by tsdiff at 938d849's format) still load, show
# their channel table (rebuilt from the settings) and forecast the rows they
# forecast then (v1-daily-forecast.csv, same seed; to 1e-4 relative, for
# BLAS kernels that round differently on other processors).
. "${top_srcdir:-.}/tests/lib.sh"
set -e
FIX=$top_srcdir/tests/data/model
expect_rc 0 "$TSDIFF" info "$FIX/v1-daily.model"
expect_out "channels:       0 noisy, 1 history, 2 mask, 3 sin 7, 4 cos 7, 5 sin 365.25, 6 cos 365.25, 7 lag 7, 8 log scale"
expect_rc 0 "$TSDIFF" forecast -m "$FIX/v1-daily.model" --data "$top_srcdir/data/sales.csv" \
    -n 8 -K 4 --seed 3 --threads 2 -q -o "$T/f.csv"
[ "$(wc -l <"$T/f.csv")" -eq "$(wc -l <"$FIX/v1-daily-forecast.csv")" ] || fail "row count"
paste -d, "$T/f.csv" "$FIX/v1-daily-forecast.csv" | awk -F, '
    NR == 1 { next }
    { n = NF / 2
      if ($1 != $(n + 1) || $2 != $(n + 2)) { print "row " NR ": " $1 " " $2; bad = 1; exit }
      for (i = 3; i <= n; i++) {
          a = $i + 0; b = $(i + n) + 0; d = a - b; if (d < 0) d = -d
          m = (a < 0 ? -a : a) > (b < 0 ? -b : b) ? (a < 0 ? -a : a) : (b < 0 ? -b : b)
          if (d > 1e-4 * m + 1e-6) { print "row " NR " column " i ": " a " vs " b; bad = 1; exit }
      } }
    END { exit bad }' >"$OUT" || fail "forecast differs from the old format's: $(cat "$OUT")"
pass
