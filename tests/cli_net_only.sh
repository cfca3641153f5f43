#!/bin/sh
# A network-only model (tests/data/model/net-only.model: the network part of
# v1-daily.model, written by `tests/check_model --net-only
# tests/data/model/v1-daily.model tests/data/model/net-only.model`) forecasts
# from --data exactly the rows its full model forecasts; without --data,
# forecast is a usage error that says to give it; info says it has no fit
# record; fit --resume refuses it (no optimizer state); backtest --model
# scores it on every series as it scores the full model.
. "${top_srcdir:-.}/tests/lib.sh"
set -e
FIX=$top_srcdir/tests/data/model
DATA=$top_srcdir/data/sales.csv
FC="-n 8 -K 4 --seed 3 --threads 2 -q"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$FIX/net-only.model" --data "$DATA" $FC -o "$T/net.csv"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$FIX/v1-daily.model" --data "$DATA" $FC -o "$T/full.csv"
[ "$(wc -l <"$T/net.csv")" -gt 1 ] || fail "no forecast rows"
cmp -s "$T/net.csv" "$T/full.csv" || fail "the network-only model forecasts other rows"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$FIX/net-only.model" --data "$DATA" $FC --series gizmos \
    --allow-negative -o "$T/net3.csv"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" forecast -m "$FIX/v1-daily.model" --data "$DATA" $FC --series gizmos \
    --allow-negative -o "$T/full3.csv"
cmp -s "$T/net3.csv" "$T/full3.csv" || fail "--allow-negative forecasts differ"

# shellcheck disable=SC2086
expect_rc 64 "$TSDIFF" forecast -m "$FIX/net-only.model" $FC -o "$T/x.csv"
expect_err "network-only"
expect_err "give --data"
[ ! -e "$T/x.csv" ] || fail "a refused forecast wrote its output"

expect_rc 0 "$TSDIFF" info "$FIX/net-only.model"
expect_out "fit record:     none"
expect_out "network:        width 4, levels 2"
if grep -q "^series:" "$OUT"; then fail "info lists series of a network-only model"; fi
expect_rc 0 "$TSDIFF" info "$FIX/v1-daily.model"
if grep -q "fit record" "$OUT"; then fail "info says a full model has no fit record"; fi
expect_out "series:         5"

cp "$FIX/net-only.model" "$T/n.model"
expect_rc 64 "$TSDIFF" fit --resume -o "$T/n.model" --steps 2 -q "$DATA"
expect_err "no optimizer state"
cmp -s "$FIX/net-only.model" "$T/n.model" || fail "a refused resume changed the model"

BT="--windows 1 --samples 8 --sampler-steps 4 --threads 2 --quiet"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" backtest "$DATA" -m "$FIX/net-only.model" $BT
cp "$OUT" "$T/bt-net.txt"
grep -q "^tsdiff  *35 " "$T/bt-net.txt" || fail "backtest did not score every series: $(cat "$T/bt-net.txt")"
# shellcheck disable=SC2086
expect_rc 0 "$TSDIFF" backtest "$DATA" -m "$FIX/v1-daily.model" $BT
cmp -s "$OUT" "$T/bt-net.txt" || fail "backtests of the network-only and the full model differ"
pass
