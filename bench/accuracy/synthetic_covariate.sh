#!/usr/bin/env bash
# bench/accuracy/synthetic_covariate.sh - does a covariate model recover a
# known effect? Four daily series y = 10 + 5 * promo + N(0, 1), promo a
# random 0/1 (p = 0.3) known in the future. `tsdiff backtest` holds out the
# last 4 windows of 14 days, fits tsdiff with the covariate and without it
# and prints both CRPS; beside them the CRPS of the true distribution
# N(10 + 5 promo, 1) on the same held-out points, computed here exactly:
#     CRPS(N(mu, 1), y) = z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi),  z = y - mu
# (its expectation over y is 1 / sqrt(pi) = 0.5642; 0.2337 = (sqrt 2 - 1) /
# sqrt(pi) is its value at y = mu only). Goal: tsdiff with the covariate
# within 10 % of the true CRPS (1000 steps reach it, 400 did not:
# bench/RESULTS.md); without it, it cannot know the jumps.
#
#   bench/accuracy/synthetic_covariate.sh [BACKTEST-OPTIONS...]
# Environment: TSDIFF (default src/tsdiff), TMPDIR, KEEP=1 keeps the files.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
tsdiff=${TSDIFF:-$here/src/tsdiff}
work=$(mktemp -d "${TMPDIR:-/tmp}/synthcov.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
H=14 K=4 N=600
# The data, and the true CRPS of the last K * H points of every series.
awk -v N=$N -v hold=$((H * K)) -v out="$work/promo.csv" 'BEGIN {
    srand(7); pi = 3.141592653589793
    print "id,date,sales,promo" > out
    for (s = 1; s <= 4; s++)
        for (t = 0; t < N; t++) {
            p = rand() < 0.3 ? 1 : 0
            u1 = rand(); u2 = rand(); if (u1 < 1e-12) u1 = 1e-12
            z = sqrt(-2 * log(u1)) * cos(2 * pi * u2)
            y = 10 + 5 * p + z
            d = strftime("%Y-%m-%d", 1672531200 + 86400 * t, 1)
            printf "S%d,%s,%.4f,%d\n", s, d, y, p > out
            if (t >= N - hold) { crps += z * (2 * Phi(z) - 1) + 2 * exp(-z * z / 2) / sqrt(2 * pi) - 1 / sqrt(pi); n++ }
        }
    printf "true N(mu, 1) CRPS on the %d held-out points: %.4f\n", n, crps / n
}
function Phi(x,   t, y, s) {   # Abramowitz-Stegun 26.2.17, |error| < 7.5e-8
    s = x < 0 ? -1 : 1; x = x < 0 ? -x : x
    t = 1 / (1 + 0.2316419 * x)
    y = 1 - exp(-x * x / 2) / sqrt(2 * 3.141592653589793) * t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))))
    return s > 0 ? y : 1 - y
}'
"$tsdiff" backtest "$work/promo.csv" --id-col id --value-col sales --covariate promo \
    --horizon $H --windows $K --steps 1000 --samples 100 --seed 1 --init none "$@"
