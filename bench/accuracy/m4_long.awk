# m4_long.awk - M4 train + test files -> one long CSV "series,time,value".
#
#   awk -F, -f m4_long.awk Hourly-train.csv Hourly-test.csv > m4.csv
#
# M4 rows are one series each: a quoted id, then the values, right-padded
# with empty fields. The test values (the 48-step out-of-sample horizon) are
# appended to the training values of the same series. M4 hides the start
# dates, so every series gets a synthetic hourly clock: Unix seconds from
# 2000-01-03 00:00 UTC (a Monday), one step = `step` seconds (-v step=N,
# default 3600). Only the phase inside a day and a week depends on that
# choice, and it is the same for every series.
BEGIN { if (!step) step = 3600; t0 = 946857600; print "series,time,value" }
FNR == 1 { file++; next }
{
    gsub(/"/, "")
    id = $1
    if (file == 1) order[++n] = id
    for (i = 2; i <= NF; i++) {
        if ($i == "") continue
        k = len[id]++
        val[id, k] = $i
    }
}
END {
    for (s = 1; s <= n; s++) {
        id = order[s]
        for (k = 0; k < len[id]; k++) printf "%s,%d,%s\n", id, t0 + k * step, val[id, k]
    }
}
