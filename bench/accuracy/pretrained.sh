#!/usr/bin/env bash
# bench/accuracy/pretrained.sh - the pretrained model (data/default.model,
# or TSDIFF_MODEL) zero-shot, fine-tuned from it (`--init default`, FT
# steps) and trained from scratch (`--init none`, STEPS steps: fine-tuning
# gets a fifth by default), beside naive and seasonal naive, all scored by
# `tsdiff backtest` on the same windows (100 paths, DPM-Solver++ K = 10,
# seed 1). Cases:
#   sales     data/sales.csv: 5 daily series, the last 30 days held out.
#   etth1     ETTh1 rows [0, 14400), 7 series, 7 rolling windows of H = 24,
#             stride 24, season 24 (run.sh's etth1_h24 windows).
#   exchange  exchange_rate, the first 6221 rows, 8 series, 5 windows of 30,
#             stride 30, season 5 (run.sh's windows); no dates, so the
#             universal model gets no season channels. Both fits keep the
#             weights of the best validation loss (--select loss, as run.sh).
#             One more zero-shot row with a synthetic business-day clock.
#   nn5       NN5 daily, 111 series, fitted on the first 735 days, the last
#             56 held out (H = 56: two blocks of the model's 32), season 7.
#   m4        M4 Hourly, 414 series, the official 48 test hours (two blocks),
#             season 24; the scratch fit is run.sh's (--context 312
#             --target residual). M4_SAMPLES paths (default 50, for time).
#   epf       EPF day-ahead prices (shared/data/epf), the four markets as
#             one panel of 4 series, the last 14 days held out as rolling
#             windows of H = 24 (stride 24), season 24: the protocol of
#             bench/accuracy/epf_covariates.sh. The three rows see the prices
#             alone (the pretrained network has no covariate channels); one
#             more row fine-tunes with the nine future-known covariates.
#   etth1cut, m4cut  data of EPF's size from the other sources, to tell a
#             data set's size from its kind: ETTh1's 7 columns cut to the
#             last 1680 hours of [0, 14400) (etth1's 7 windows of 24), and
#             M4 Hourly's H1-H8 (700 training hours each, m4's window and
#             scratch fit, SAMPLES paths).
#   short     short series, ONE SERIES AT A TIME as a user with one short
#             series would (one backtest per series): NSHORT M4 Hourly series
#             (H1, H21, H41, ...: every 20th) cut to their last 7 days of
#             training hours plus the 48 official test hours (H = 48, season
#             24), and NSHORT NN5 series (every 5th column from N101) cut to
#             their last 112 days, ending 1998-03-22, the last 28 held out
#             (H = 28, season 7). Fine-tune and scratch use SHORT_STEPS and
#             SHORT_STEPS / 5 steps of batch SHORT_BATCH; the df row
#             fine-tunes with the fit's own defaults (`--init default`
#             alone: the rate shrinks with the data). Scores: the mean over
#             the series of the per-series wQL9, MASE, sMAPE (M4's way of
#             pooling), the geometric mean of wQL9 relative to seasonal naive,
#             and the pooled 95 % coverage. (3 days of history is too short:
#             a fit from scratch at H = 48 needs 97 points before the window.)
#   speed     zero-shot `tsdiff forecast --model default --data sales.csv
#             --horizon 30 --samples 100` (K = 20, the default) beside the
#             same forecast with a model fitted from scratch; fine-tune (FT
#             steps) beside the fit from scratch (STEPS), interleaved.
# Not part of `make check`. Never copies data into the repository: the cut
# files go to $TMPDIR.
#
#   bench/accuracy/pretrained.sh [sales|etth1|exchange|nn5|m4|epf|etth1cut|m4cut|short|speed|all]...
#
# Environment: TSDIFF (default src/tsdiff), TSDIFF_DATA_DIR (default
# ../shared/data next to the repository; on the project VM /work/shared/data),
# STEPS (scratch steps, default 1500, fit's default), FT (fine-tune steps,
# default STEPS / 5), BATCH (default 32), NSHORT (series per short set,
# default 20), SHORT_STEPS (default 250), SHORT_BATCH (default 16), SAMPLES
# (default 100), M4_SAMPLES (default 50), TSDIFF_MODEL (the pretrained model
# to test, default the shipped one), SEEDS (runs per fitted row, seeds 1 ..
# SEEDS pooled by `backtest --seeds`, default 1), ROWS (zs,ft,sc: which rows to run;
# df, the short case's fine-tune with the fit's defaults, only when named),
# FT_OPTS (more options for the fine-tuned rows, e.g. "--lr 3e-3").
set -euo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
TSDIFF=${TSDIFF:-$HERE/src/tsdiff}
DATA=${TSDIFF_DATA_DIR:-$HERE/../shared/data}
[ -d "$DATA" ] || DATA=/work/shared/data
STEPS=${STEPS:-1500}
FT=${FT:-$((STEPS / 5))}
BATCH=${BATCH:-32}
NSHORT=${NSHORT:-20}
SHORT_STEPS=${SHORT_STEPS:-250}
SHORT_BATCH=${SHORT_BATCH:-16}
SAMPLES=${SAMPLES:-100}
M4_SAMPLES=${M4_SAMPLES:-50}
ROWS=${ROWS:-zs,ft,sc}
SEEDS=${SEEDS:-1}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tsdiff-pre.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
BT=(--sampler-steps 10 --quiet --seed 1 --seeds "$SEEDS")
read -ra FTO <<<"${FT_OPTS:-}"
# the CSVs hold the scores (with --quiet and -o, backtest prints nothing)
backtest() { "$TSDIFF" backtest "$@" >/dev/null; }

note() {
    echo "load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC," \
         "checkout $(git -C "$HERE" describe --always --dirty 2>/dev/null || echo '?')," \
         "model ${TSDIFF_MODEL:-data/default.model}"
}
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc | xargs printf '%.1f'; }
want() { [[ ",$ROWS," == *",$1,"* ]]; }

# the (all) rows: method wql9 nd mase smape msis cov80 cov95
summary() {
    awk -F, '$1 == "(all)" { gsub(/ /, "-", $2)
        printf "%s %.4f %.4f %.3f %.2f %.2f %.3f %.3f\n", $2, $5, $7, $8, $9, $10, $12, $13 }' "$1"
}

# three NAME FILE 'BACKTEST ARGS' 'SCRATCH FIT ARGS': the three rows and
# the baselines of one data set, as Markdown table rows
three() {
    local name=$1 file=$2 t
    local -a bt sc
    read -ra bt <<<"$3"
    read -ra sc <<<"${4:-}"
    echo "== $name: tsdiff backtest $(basename "$file") ${bt[*]} ${BT[*]}"
    echo "   seeds 1 to $SEEDS pooled; zero-shot: --model default; fine-tuned: --init default --steps $FT --batch $BATCH${FTO[*]:+ ${FTO[*]}};" \
         "scratch: --init none --steps $STEPS --batch $BATCH ${sc[*]}"
    note
    echo "| method | wQL9 | ND | MASE | sMAPE | MSIS | cov80 | cov95 | seconds |"
    echo "|---|---|---|---|---|---|---|---|---|"
    if want zs; then
        t=$(now)
        backtest "$file" "${bt[@]}" "${BT[@]}" --model default -o "$WORK/$name.zs.csv"
        summary "$WORK/$name.zs.csv" | sed "s/^tsdiff/zero-shot/; s/\$/ $(since "$t")/"
    fi
    if want ft; then
        t=$(now)
        backtest "$file" "${bt[@]}" "${BT[@]}" --init default --steps "$FT" \
            --batch "$BATCH" "${FTO[@]}" -o "$WORK/$name.ft.csv"
        summary "$WORK/$name.ft.csv" | grep '^tsdiff' |
            sed "s/^tsdiff/fine-tuned-$FT/; s/\$/ $(since "$t")/"
    fi
    if want sc; then
        t=$(now)
        backtest "$file" "${bt[@]}" "${BT[@]}" --init none --steps "$STEPS" \
            --batch "$BATCH" "${sc[@]}" -o "$WORK/$name.sc.csv"
        summary "$WORK/$name.sc.csv" | grep '^tsdiff' |
            sed "s/^tsdiff/scratch-$STEPS/; s/\$/ $(since "$t")/"
    fi
    note
}

# table: turn "method a b c ..." lines (method names with '-' for spaces) into rows
table() { awk '/^==|^ |^load|^\|/ { print; next }
    { gsub(/-/, " ", $1); printf "| %s", $1; for (i = 2; i <= NF; i++) printf " | %s", $i; print " |" }'; }

sales() { three sales "$HERE/data/sales.csv" "--horizon 30 --windows 1 --samples $SAMPLES"; }

# $WORK/etth1.csv: ETTh1's header and rows [0, 14400)
etth1_rows() { head -n 14401 "$DATA/etth1/ETTh1.csv" >"$WORK/etth1.csv"; }

# $WORK/m4.csv: M4 Hourly in long format, the test hours after the training
# ones (made once per run of the script)
m4_long() {
    [ -s "$WORK/m4.csv" ] || awk -F, -f "$HERE/bench/accuracy/m4_long.awk" \
        "$DATA/m4_hourly/Hourly-train.csv" "$DATA/m4_hourly/Hourly-test.csv" >"$WORK/m4.csv"
}

etth1() {
    etth1_rows
    three etth1_h24 "$WORK/etth1.csv" "--horizon 24 --windows 7 --stride 24 --season 24 --samples $SAMPLES"
}

exchange() {
    head -n 6221 "$DATA/exchange_rate/exchange_rate.txt" >"$WORK/exchange.csv"
    three exchange "$WORK/exchange.csv" \
        "--no-header --horizon 30 --windows 5 --stride 30 --season 5 --select loss --samples $SAMPLES"
    want zs || return 0
    # the same rows on a synthetic business-day clock from Monday 2000-01-03
    # (the file has no dates): the universal model then gets its channels
    awk -F, 'BEGIN { t = 946857600 } { printf "%s", strftime("%Y-%m-%d", t, 1)
             t += 86400 * (strftime("%u", t, 1) == 5 ? 3 : 1); for (i = 1; i <= NF; i++) printf ",%s", $i
             print "" }' "$WORK/exchange.csv" | sed '1s/^/date,a,b,c,d,e,f,g,h\n/' >"$WORK/exchange_b.csv"
    local t
    t=$(now)
    backtest "$WORK/exchange_b.csv" --freq B --horizon 30 --windows 5 --stride 30 --season 5 \
        --samples "$SAMPLES" "${BT[@]}" --model default -o "$WORK/exchange_b.zs.csv"
    summary "$WORK/exchange_b.zs.csv" | grep '^tsdiff' |
        sed "s/^tsdiff/zero-shot,-business-day-clock/; s/\$/ $(since "$t")/"
}

nn5() {
    three nn5 "$DATA/nn5_daily/NN5_FINAL_DATASET_WITH_TEST_DATA.csv" \
        "--horizon 56 --windows 1 --season 7 --samples $SAMPLES"
}

m4() {
    m4_long
    three m4 "$WORK/m4.csv" "--id-col series --horizon 48 --windows 1 --season 24 --samples $M4_SAMPLES" \
        "--context 312 --target residual"
}

etth1cut() {
    etth1_rows
    { head -n 1 "$WORK/etth1.csv"; tail -n 1680 "$WORK/etth1.csv"; } >"$WORK/etth1cut.csv"
    three etth1cut "$WORK/etth1cut.csv" "--horizon 24 --windows 7 --stride 24 --season 24 --samples $SAMPLES"
}

m4cut() {
    m4_long
    awk -F, 'NR == 1 || $1 ~ /^H[1-8]$/' "$WORK/m4.csv" >"$WORK/m4cut.csv"
    three m4cut "$WORK/m4cut.csv" "--id-col series --horizon 48 --windows 1 --season 24 --samples $SAMPLES" \
        "--context 312 --target residual"
}

epf() {
    local t bt=(--id-col unique_id --time-col ds --value-col y --horizon 24 --windows 14
                --stride 24 --season 24 --samples "$SAMPLES")
    cp "$DATA/epf/epf-with-covariates.csv" "$WORK/epf.csv"
    three epf "$WORK/epf.csv" "${bt[*]}"
    want ft || return 0
    t=$(now)
    backtest "$WORK/epf.csv" "${bt[@]}" "${BT[@]}" --covariates all --init default \
        --steps "$FT" --batch "$BATCH" -o "$WORK/epf.cov.csv"
    summary "$WORK/epf.cov.csv" | grep '^tsdiff' | head -n 1 |
        sed "s/^tsdiff/fine-tuned-$FT,-with-the-covariates/; s/\$/ $(since "$t")/"
}

# shortmeans SET ROW FILES...: Markdown rows, per method, of the mean over
# the series of wQL9, MASE, sMAPE, the geometric mean of wQL9 / seasonal
# naive's and the pooled cov95; tsdiff is named ROW, the baselines are
# printed only when ROW is zero-shot
shortmeans() {
    local set=$1 row=$2
    shift 2
    awk -F, -v set="$set" -v row="$row" '
    $1 == "(all)" { n[$2]++; w[$2] += $5; m[$2] += $8; s[$2] += $9; c[$2] += $13 * $3; p[$2] += $3
                    q[FILENAME, $2] = $5; f[FILENAME] = 1 }
    END {
        for (k in n) {
            if (k != "tsdiff" && row != "zero-shot") continue
            g = 0; for (x in f) g += log(q[x, k] / q[x, "seasonal naive"])
            printf "| %s | %s | %.4f | %.3f | %.2f | %.3f | %.3f | %d |\n", set, k == "tsdiff" ? row : k,
                   w[k] / n[k], m[k] / n[k], s[k] / n[k], exp(g / n[k]), c[k] / p[k], n[k]
        }
    }' "$@" | sort
}

short() {
    local k col id t0 tz=0 tf=0 td=0 ts=0 ft=$((SHORT_STEPS / 5))
    local -a m4bt=(--id-col series --horizon 48 --windows 1 --season 24 --samples "$SAMPLES")
    local -a nnbt=(--horizon 28 --windows 1 --season 7 --samples "$SAMPLES")
    local src=$DATA/nn5_daily/NN5_FINAL_DATASET_WITH_TEST_DATA.csv
    echo "== short: $NSHORT M4 Hourly series (7 days + 48 h, H = 48) and $NSHORT NN5 series" \
         "(112 days, H = 28), one backtest per series; fine-tuned: --init default --steps $ft" \
         "--batch $SHORT_BATCH; scratch: --init none --steps $SHORT_STEPS --batch $SHORT_BATCH"
    note
    m4_long
    head -n 1 "$src" | sed 's/^\xef\xbb\xbf//' >"$WORK/nnhead.csv"
    tail -n 112 "$src" >"$WORK/nnrows.csv"
    for k in $(seq 1 "$NSHORT"); do
        id=H$((1 + 20 * (k - 1)))
        { echo "series,time,value"; grep "^$id," "$WORK/m4.csv" | tail -n 216; } >"$WORK/m4s$k.csv"
        col=$((2 + 5 * (k - 1)))
        cat "$WORK/nnhead.csv" "$WORK/nnrows.csv" | cut -d';' -f1,"$col" >"$WORK/nns$k.csv"
    done
    local set
    for set in m4 nn; do
        local -a bt
        if [ $set = m4 ]; then bt=("${m4bt[@]}"); else bt=("${nnbt[@]}"); fi
        for k in $(seq 1 "$NSHORT"); do
            local f=$WORK/${set}s$k.csv
            if want zs; then
                t0=$(now)
                backtest "$f" "${bt[@]}" "${BT[@]}" --model default -o "$WORK/$set.zs.$k.csv"
                tz=$(echo "$tz + $(since "$t0")" | bc)
            fi
            if want ft; then
                t0=$(now)
                backtest "$f" "${bt[@]}" "${BT[@]}" --init default --steps "$ft" \
                    --batch "$SHORT_BATCH" -o "$WORK/$set.ft.$k.csv"
                tf=$(echo "$tf + $(since "$t0")" | bc)
            fi
            if want df; then
                t0=$(now)
                backtest "$f" "${bt[@]}" "${BT[@]}" --init default -o "$WORK/$set.df.$k.csv"
                td=$(echo "$td + $(since "$t0")" | bc)
            fi
            if want sc; then
                t0=$(now)
                backtest "$f" "${bt[@]}" "${BT[@]}" --init none --steps "$SHORT_STEPS" \
                    --batch "$SHORT_BATCH" -o "$WORK/$set.sc.$k.csv"
                ts=$(echo "$ts + $(since "$t0")" | bc)
            fi
        done
    done
    echo "| set | method | mean wQL9 | mean MASE | mean sMAPE | gmean wQL9 / seasonal naive | cov95 | series |"
    echo "|---|---|---|---|---|---|---|---|"
    for set in m4 nn; do
        local name=M4-short
        [ $set = nn ] && name=NN5-short
        want zs && shortmeans $name zero-shot "$WORK"/$set.zs.*.csv
        want ft && shortmeans $name "fine-tuned $ft" "$WORK"/$set.ft.*.csv
        want df && shortmeans $name "fine-tuned, fit's defaults" "$WORK"/$set.df.*.csv
        want sc && shortmeans $name "scratch $SHORT_STEPS" "$WORK"/$set.sc.*.csv
    done
    echo "seconds, all $((2 * NSHORT)) series: zero-shot $tz, fine-tuned $tf, fit's defaults $td," \
         "scratch $ts"
    note
}

speed() {
    local f=$HERE/data/sales.csv t i
    echo "== speed: data/sales.csv (5 daily series), forecast 100 paths x 30 days (K = 20);" \
         "fine-tune $FT steps against scratch $STEPS steps, batch $BATCH"
    note
    t=$(now)
    "$TSDIFF" fit -q "$f" --horizon 30 --init none --steps "$STEPS" --batch "$BATCH" -o "$WORK/sc.model"
    echo "fit --init none --steps $STEPS: $(since "$t") s"
    t=$(now)
    "$TSDIFF" fit -q "$f" --init default --steps "$FT" --batch "$BATCH" -o "$WORK/ft.model"
    echo "fit --init default --steps $FT: $(since "$t") s"
    for i in 1 2; do
        t=$(now)
        "$TSDIFF" forecast -q --model "$HERE/data/default.model" --data "$f" --horizon 30 \
            --samples 100 -o "$WORK/zs.csv"
        echo "forecast zero-shot (run $i): $(since "$t") s"
        t=$(now)
        "$TSDIFF" forecast -q --model "$WORK/sc.model" --horizon 30 --samples 100 -o "$WORK/sc.csv"
        echo "forecast with the scratch-fitted model (run $i): $(since "$t") s"
    done
    note
}

[ $# -gt 0 ] || set -- all
for c in "$@"; do
    case $c in
    sales | etth1 | exchange | nn5 | m4 | epf | etth1cut | m4cut) $c | table ;;
    short) short ;;
    speed) speed ;;
    all) for d in sales etth1 exchange epf short nn5 m4 speed; do "$0" "$d"; done ;;
    *) echo "usage: $0 [sales|etth1|exchange|nn5|m4|epf|etth1cut|m4cut|short|speed|all]..." >&2
       exit 64 ;;
    esac
done
