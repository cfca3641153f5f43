#!/bin/sh
# The manual page against the program, so that neither drifts from the other:
# - every subcommand `tsdiff --help` lists has a part (.SS) under SUBCOMMANDS,
# - every option `tsdiff SUBCOMMAND --help` prints has an entry (a .TP tag
#   with the same short form, long form and argument, "-H, --horizon H") in
#   that subcommand's parts: the .SS sections whose title names it, such as
#   "tsdiff fit ..." and "Training options (fit and backtest)",
# - and every option entry there is an option of the subcommand;
# - the top-level options, the exit statuses of src/io/error.h and 130/143,
#   and every environment variable the code reads are documented;
# - groff -ww (and mandoc -Tlint, when installed) have nothing to warn about.
# Tags are written with font escapes only: \fB\-H\fR, \fB\-\-horizon\fR \fIH\fR.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
PAGE=${MAN_PAGE:-$top_srcdir/man/tsdiff.1}
[ -r "$PAGE" ] || fail "cannot read $PAGE"

# Roff escapes off a tag line: "\fB\-H\fR, \fB\-\-horizon\fR \fIH\fR" -> "-H, --horizon H".
plain() { sed -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\ / /g'; }

# tags SECTION [SUBCOMMAND]: the line after each .TP in .SH SECTION (and, with
# SUBCOMMAND, only in its .SS parts), without escapes.
tags() {
    awk -v sect="$1" -v cmd="${2-}" '
        /^\.SH/ { t = $0; sub(/^\.SH */, "", t); gsub(/"/, "", t); in_sect = (t == sect)
                  sel = in_sect && cmd == ""; next }
        in_sect && /^\.SS/ && cmd != "" {
            t = $0; sub(/^\.SS */, "", t); gsub(/[^A-Za-z0-9]+/, " ", t)
            n = split(t, w, " "); sel = 0
            for (i = 1; i <= n; i++) if (w[i] == cmd) sel = 1
            next }
        sel && /^\.TP/ { tag = 1; next }
        tag { tag = 0; print }
    ' "$PAGE" | plain
}

# The subcommands, from the top-level help.
expect_rc 0 "$TSDIFF" --help
cmds=$(awk '/^Subcommands:/ { on = 1; next } on && /^ *$/ { exit } on { print $1 }' "$OUT")
[ -n "$cmds" ] || fail "no subcommands in 'tsdiff --help'"
for long in $(grep -oE -- '--[a-z][a-z-]*' "$OUT" | sort -u); do
    grep -qF -- "$(printf '%s' "$long" | sed 's/-/\\-/g')" "$PAGE" || fail "page lacks $long"
done

checked=0
for c in $cmds; do
    [ "$c" = help ] && continue
    grep -E '^\.SS' "$PAGE" | grep -qw -- "$c" || fail "no .SS part for subcommand $c"
    expect_rc 0 "$TSDIFF" "$c" --help
    # "  -H, --horizon H   text" and "      --steps N   text" -> "-H, --horizon H", "--steps N"
    grep -E '^ +-' "$OUT" | sed -E 's/^ +//; s/  .*//' | grep -vx -- '--help' | sort >"$T/help"
    [ -s "$T/help" ] || fail "$c --help lists no options"
    tags SUBCOMMANDS "$c" | grep -E '^-' | sed 's/ *$//' | sort -u >"$T/page"
    missing=$(comm -23 "$T/help" "$T/page")
    [ -z "$missing" ] || fail "$c: options without an entry in the page: $(echo $missing)"
    extra=$(comm -13 "$T/help" "$T/page")
    [ -z "$extra" ] || fail "$c: page entries that are not options of $c: $(echo $extra)"
    checked=$((checked + $(wc -l <"$T/help")))
done
[ "$checked" -ge 40 ] || fail "only $checked options checked"

# Exit statuses: the sysexits codes error.h lists, and the signals of fit.
codes=$(grep -oE '/\* [0-9]+:' "$top_srcdir/src/io/error.h" | tr -dc '0-9\n')
[ -n "$codes" ] || fail "no exit codes found in src/io/error.h"
tags "EXIT STATUS" >"$T/status"
for code in 0 $codes 130 143; do
    grep -qwF -- "$code" "$T/status" || fail "EXIT STATUS lacks $code"
done

# Environment variables the code reads: getenv("NAME"), and any "TSDIFF_..."
# string (read through a helper).
vars=$(cat "$top_srcdir"/src/*/*.c "$top_srcdir"/cuda/*.c* 2>/dev/null |
       grep -oE 'getenv\("[A-Za-z_0-9]+"\)|"TSDIFF_[A-Z_0-9]+"' |
       sed -E 's/getenv\(//; s/[()"]//g' | sort -u)
[ -n "$vars" ] || fail "no getenv calls found"
tags ENVIRONMENT | sed -e 's/^\.[BI]R* *//' -e 's/"//g' >"$T/env"
for v in $vars; do
    grep -qw -- "$v" "$T/env" || fail "ENVIRONMENT lacks $v"
done

# The page formats without a single warning.
if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$PAGE" >"$T/groff" 2>&1 || fail "groff failed: $(cat "$T/groff")"
    [ ! -s "$T/groff" ] || fail "groff warns: $(head -5 "$T/groff")"
else
    echo "SKIP groff check (groff not installed)"
fi
if command -v mandoc >/dev/null 2>&1; then
    mandoc -Tlint -W warning "$PAGE" >"$T/lint" 2>&1 || true
    [ ! -s "$T/lint" ] || fail "mandoc warns: $(head -5 "$T/lint")"
fi
pass
