#!/bin/sh
# The example data generator reproduces the committed data/sales.csv byte for
# byte, honours --seed and --days, and rejects bad arguments.
set -u
GEN=${GEN_SALES:-./data/gen_sales}
REF=${top_srcdir:-.}/data/sales.csv
T=$(mktemp -d "${TMPDIR:-/tmp}/gen_sales.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL gen_sales.sh: $*" >&2; exit 1; }

[ -x "$GEN" ] || fail "generator $GEN not built"
"$GEN" "$T/sales.csv" || fail "generator exited $?"
cmp "$T/sales.csv" "$REF" || fail "output differs from $REF"

# Shape: a header, 1096 days from 2022-01-01 to 2024-12-31, six fields a row.
[ "$(head -n 1 "$T/sales.csv")" = "date,widgets,gadgets,gizmos,doohickeys,sprockets" ] ||
    fail "bad header"
[ "$(wc -l <"$T/sales.csv")" -eq 1097 ] || fail "expected 1097 lines"
sed -n 2p "$T/sales.csv" | grep -q '^2022-01-01,' || fail "first day is not 2022-01-01"
tail -n 1 "$T/sales.csv" | grep -q '^2024-12-31,' || fail "last day is not 2024-12-31"
awk -F, 'NF != 6 { exit 1 }' "$T/sales.csv" || fail "a row without six fields"
# Closed on Christmas Day; a few cells missing.
grep -q '^2023-12-25,0,0,0,0,0$' "$T/sales.csv" || fail "not closed on 2023-12-25"
[ "$(grep -c ',,\|,$' "$T/sales.csv")" -ge 3 ] || fail "no missing cells"

# --days and stdout; --seed changes the draws but not the shape.
"$GEN" --days 10 - >"$T/short.csv" || fail "--days 10 exited $?"
[ "$(wc -l <"$T/short.csv")" -eq 11 ] || fail "--days 10: expected 11 lines"
"$GEN" --seed 7 "$T/seed7.csv" || fail "--seed 7 exited $?"
cmp -s "$T/seed7.csv" "$REF" && fail "--seed 7 gave the default output"
[ "$(wc -l <"$T/seed7.csv")" -eq 1097 ] || fail "--seed 7: expected 1097 lines"

# Bad arguments: usage error 64, no output file.
"$GEN" --days 0 "$T/bad.csv" 2>/dev/null; [ $? -eq 64 ] || fail "--days 0 not rejected"
"$GEN" --seed x "$T/bad.csv" 2>/dev/null; [ $? -eq 64 ] || fail "--seed x not rejected"
[ -e "$T/bad.csv" ] && fail "output written despite bad arguments"
"$GEN" "$T/no/such/dir.csv" 2>/dev/null; [ $? -eq 73 ] || fail "unwritable path not 73"
echo "PASS gen_sales.sh"
