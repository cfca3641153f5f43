#!/bin/sh
# The command itself: --help, --version, help SUBCOMMAND, unknown words.
. "${top_srcdir:-.}/tests/lib.sh"

expect_rc 0 "$TSDIFF" --help
grep -q '^Usage: tsdiff SUBCOMMAND' "$OUT" || fail "--help: no usage line"
expect_rc 0 "$TSDIFF" --version
grep -q '^tsdiff [0-9]' "$OUT" || fail "--version: no version"
expect_rc 0 "$TSDIFF" help info
grep -q '^Usage: tsdiff info' "$OUT" || fail "help info: no usage"
expect_rc 0 "$TSDIFF" info --help
grep -q '^Usage: tsdiff info' "$OUT" || fail "info --help: no usage"
expect_rc 64 "$TSDIFF"
expect_err "missing subcommand"
expect_rc 64 "$TSDIFF" frobnicate
expect_err "unknown subcommand 'frobnicate'"
expect_rc 64 "$TSDIFF" --frobnicate
expect_err "unknown option '--frobnicate'"
expect_rc 64 "$TSDIFF" help frobnicate
expect_rc 64 "$TSDIFF" info --no-such-option x.csv
expect_err "unknown option --no-such-option"
pass
