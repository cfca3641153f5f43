# lib.sh - helpers for the shell tests: run a command, check its exit status,
# its stdout ($OUT) and its stderr ($ERR). Each test gets a scratch folder $T.
set -u
: "${TSDIFF:?TSDIFF must name the tsdiff binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/tsdiff-test.XXXXXX")
OUT=$T/stdout
ERR=$T/stderr
trap 'rm -rf "$T"' EXIT
NAME=$(basename "$0")

fail() { echo "FAIL $NAME: $*" >&2; echo "--- stderr:" >&2; cat "$ERR" >&2 2>/dev/null; exit 1; }
pass() { echo "PASS $NAME"; exit 0; }

# expect_rc CODE CMD...: run CMD, fail unless it exits with CODE.
expect_rc() {
    want=$1; shift
    set +e
    "$@" >"$OUT" 2>"$ERR" </dev/null
    got=$?
    set -e
    [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want"
    # Errors are one line on stderr.
    if [ "$want" -ne 0 ] && [ "$(wc -l <"$ERR")" -ne 1 ]; then
        fail "'$*' printed $(wc -l <"$ERR") lines on stderr, expected one"
    fi
    return 0
}
# expect_err TEXT: stderr of the last command contains TEXT.
expect_err() { grep -qF -- "$1" "$ERR" || fail "stderr lacks '$1'"; }
# expect_out TEXT: stdout of the last command contains TEXT.
expect_out() { grep -qF -- "$1" "$OUT" || fail "stdout lacks '$1'"; }
