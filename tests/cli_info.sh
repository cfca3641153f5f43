#!/bin/sh
# tsdiff info on CSV files: the summary and table, --csv, stdin, the CSV
# options, and the exit status and message of each kind of failure.
. "${top_srcdir:-.}/tests/lib.sh"
D=$top_srcdir/tests/data/csv

# The summary and the table (spaces squeezed: widths may change).
expect_rc 0 "$TSDIFF" info "$D/wide.csv"
expect_out "file: $D/wide.csv"
expect_out "frequency: daily"
expect_out "series: 2"
tr -s ' ' <"$OUT" >"$T/squeezed"
grep -qx 'name length first last missing min mean max' "$T/squeezed" || fail "no table header"
grep -qx 'a 4 2024-01-01 2024-01-04 1 1 2.33333 4' "$T/squeezed" || fail "row a"
grep -qx 'b 4 2024-01-01 2024-01-04 2 10 25 40' "$T/squeezed" || fail "row b"

# --csv: exactly the table, names quoted where needed.
expect_rc 0 "$TSDIFF" info --csv "$D/quotes.csv"
printf '%s\n' 'name,length,first,last,missing,min,mean,max' \
    '"a, b",3,2024-01-01,2024-01-03,0,1,2,3' \
    '"say ""hi""",3,2024-01-01,2024-01-03,0,10,20,30' >"$T/want"
cmp -s "$OUT" "$T/want" || { diff "$T/want" "$OUT" >&2; fail "--csv output"; }
expect_err 'left out text column "note"'  # a note, and still success

# Standard input.
"$TSDIFF" info --csv - <"$D/semicolon.csv" >"$OUT" 2>"$ERR" || fail "info - failed"
grep -qx 'b,2,2024-01-01,2024-01-02,0,2,2.5,3' "$OUT" || fail "stdin row b"

# The CSV options.
expect_rc 0 "$TSDIFF" info --csv --id-col store "$D/long1.csv"
grep -qx 'south,4,2024-01-01,2024-01-04,1,10,26.6667,40' "$OUT" || fail "long format"
expect_rc 0 "$TSDIFF" info --csv --id-col store --id-col item --value-col sales "$D/long2.csv"
grep -qx 's2/i1,3,2024-01-01,2024-01-03,1,7,7.5,8' "$OUT" || fail "two id columns"
expect_rc 0 "$TSDIFF" info --no-header "$D/no_header_notime.txt"
expect_out "frequency: none"
expect_out "series: 2"
expect_rc 0 "$TSDIFF" info --time-col ts_seconds "$D/ts_epoch.csv"
expect_out "frequency: hourly"
expect_rc 0 "$TSDIFF" info --delimiter '|' "$D/pipe.csv"
expect_out "a,x"
expect_rc 0 "$TSDIFF" info --freq 1H --csv "$D/freq_2h.csv"
grep -qx 'v,11,2024-03-01 00:00:00,2024-03-01 10:00:00,5,1,3.5,6' "$OUT" || fail "--freq 1H"
expect_rc 0 "$TSDIFF" info --aggregate mean --csv "$D/dup_wide.csv"
grep -qx 'a,3,2024-01-01,2024-01-03,0,1,2.33333,3' "$OUT" || fail "--aggregate mean"
expect_rc 0 "$TSDIFF" info --help
expect_out "--id-col COL"
expect_out "--aggregate sum|mean"

# 64: the command line.
expect_rc 64 "$TSDIFF" info
expect_err "info: expected one FILE, found 0"
expect_rc 64 "$TSDIFF" info "$D/wide.csv" "$D/wide.csv"
expect_rc 64 "$TSDIFF" info --aggregate max "$D/dup_wide.csv"
expect_err 'info: --aggregate expects sum or mean, found "max"'
expect_rc 64 "$TSDIFF" info --delimiter ab "$D/wide.csv"
expect_err "info: --delimiter expects one character or 'tab', found \"ab\""
expect_rc 64 "$TSDIFF" info --freq fortnightly "$D/wide.csv"
expect_err 'info: --freq: unknown frequency "fortnightly"'
expect_rc 64 "$TSDIFF" info --time-col nope "$D/wide.csv"
expect_err 'wide.csv: no column "nope" for --time-col (columns: date, a, b)'
expect_rc 64 "$TSDIFF" info --bogus "$D/wide.csv"

# 65: the data, with file:line:column.
expect_rc 65 "$TSDIFF" info "$D/err_decimal_comma.csv"
expect_err 'err_decimal_comma.csv:3:3: expected a number, found "12,5"'
expect_rc 65 "$TSDIFF" info "$D/dup_wide.csv"
expect_err "dup_wide.csv:4:1: duplicate timestamp 2024-01-02 (also on line 3)"
expect_rc 65 "$TSDIFF" info "$D/err_field_count.csv"
expect_err "err_field_count.csv:3:3: expected 3 fields, found 2"
expect_rc 65 "$TSDIFF" info "$D/err_empty.csv"
expect_err "err_empty.csv:1:1: empty file"
expect_rc 65 "$TSDIFF" info "$D/err_header_only.csv"
expect_err "err_header_only.csv:2:1: no data rows after the header"

# 66: no such file.
expect_rc 66 "$TSDIFF" info "$T/missing.csv"
expect_err "$T/missing.csv: cannot open: No such file or directory"
pass
