#!/usr/bin/env bash
# Forecasting accuracy on the public series in samples/ (copied from shared/reference/forecasting),
# trained through the service's HTTP API as a user would: with the defaults (seeds 1, 2 and 3;
# only the target named), and with the alternatives the defaults were chosen over. Prints
# markdown tables: one-step test RMSE and MASE beside the naive and seasonal-naive forecasts the
# service computes and the classical figures (ETS, ARIMA) quoted in samples/README.md; RMSE at
# step 24 (hourly) and 12 (monthly) beside seasonal naive; per symbol MASE for the stocks' global model.
#
# Self-contained: builds the service in Release, starts it on a free port with a fresh data folder,
# runs one job at a time, stops it. About 4 minutes on 2 cores. From the repository root:
#   bench/forecasting/accuracy.sh
# Environment: OUT (default bench/results/forecasting-accuracy) receives each job's JSON.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-bench/results/forecasting-accuracy}
mkdir -p "$OUT"
DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 5191)
BASE=http://localhost:$PORT

dotnet build -c Release src/Api >/dev/null
ASPNETCORE_URLS=$BASE dotnet run -c Release --no-build --no-launch-profile --project src/Api -- \
  --Storage:DataFolder "$DATA" --RateLimits:JobsPerMinute 0 --RateLimits:PredictPerSecond 0 >"$OUT/service.log" 2>&1 &
SERVICE=$!
trap 'kill $SERVICE 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 60); do curl -sf "$BASE/health/ready" >/dev/null && break; sleep 1; done

upload() { # file [query] → dataset id
  curl -sSf "$BASE/api/datasets?name=$1${2:-}" -H 'content-type: text/csv' --data-binary "@samples/$1" | jq -r .id
}

# train DATASET TARGET TRAINING_JSON LABEL → the finished job's view (also saved under $OUT)
train() {
  local request id view status
  request=$(jq -nc --arg d "$1" --arg t "$2" --argjson x "$3" '{datasetId: $d, training: ({targets: [$t]} + $x)}')
  id=$(curl -sSf "$BASE/api/jobs" -H 'content-type: application/json' -d "$request" | jq -r .id)
  while :; do
    view=$(curl -sSf "$BASE/api/jobs/$id")
    status=$(jq -r .status <<<"$view")
    [[ $status == succeeded || $status == failed ]] && break
    sleep 1
  done
  jq -n --argjson r "$request" --argjson j "$view" '{request: $r, job: $j}' >"$OUT/$(tr -c 'A-Za-z0-9.-' _ <<<"$4" | sed 's/_*$//').json"
  echo "$view"
}

f() { jq -r "$1 // empty | . * 10000 | round / 10000" <<<"$2"; } # a figure to 4 decimals, "" when absent

echo "## One step ahead (test part)"
echo
echo "| series | setting | seed | epochs (kept) | RMSE | MASE | naive RMSE | s-naive RMSE | ETS | ARIMA | RMSE at step H (H) | s-naive at step H |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
row() { # series target dataset ets arima label training seed
  local view e t=".\"$2\"" step
  view=$(train "$3" "$2" "$(jq -c --argjson s "$8" '. + {seed: $s}' <<<"$7")" "$1-$6-s$8")
  e=.evaluation
  step=$(jq -r "[$e.horizons[]? | select(.step == 24 or .step == 12)] | last | .step // empty" <<<"$view")
  echo "| $1 | $6 | $8 | $(jq -r '"\(.progress.epoch) (\(.weightsEpoch))"' <<<"$view") | $(f "$e.metrics$t.rmse" "$view") | $(f "$e.metrics$t.mase" "$view")" \
    "| $(f "$e.baselines.naive$t.rmse" "$view") | $(f "$e.baselines.seasonalNaive$t.rmse" "$view") | $4 | $5" \
    "| ${step:+$(f "[$e.horizons[] | select(.step == $step)][0].metrics$t.rmse" "$view") ($step)} | ${step:+$(f "[$e.horizons[] | select(.step == $step)][0].baselines.seasonalNaive$t.rmse" "$view")} |"
}

# series file target ETS ARIMA extra-training: the defaults (3 seeds), then each alternative (seed 1).
series() {
  local dataset
  dataset=$(upload "$2")
  for seed in 1 2 3; do row "$1" "$3" "$dataset" "$4" "$5" defaults "$6" "$seed"; done
  row "$1" "$3" "$dataset" "$4" "$5" "no linear part" "$(jq -c '. + {linear: false}' <<<"$6")" 1
  row "$1" "$3" "$dataset" "$4" "$5" "zscore (before)" "$(jq -c '. + {scaling: "zscore"}' <<<"$6")" 1
  [[ -n ${7:-} ]] && row "$1" "$3" "$dataset" "$4" "$5" "direct horizon $7" "$(jq -c --argjson h "$7" '. + {horizon: $h}' <<<"$6")" 1
  return 0
}

series sf-temps sf-temps.csv temp 0.0707 – '{}' 24
series seattle-weather seattle-weather.csv temp_max 2.813 2.813 '{}'
series elec-equip elec-equip.csv orders 1.429 6.442 '{}' 12
# The README holds out the last 21 of macro's 203 rows; round(0.1 · 203) = 20.
series macro macro.csv realgdp 88.12 91.79 "$(jq -nc '{testFraction: (21 / 203)}')"

echo
echo "## Stocks: one global model of five symbols (test part: each symbol's last tenth)"
echo
echo "| setting | seed | epochs (kept) | mean MASE | naive mean MASE | per symbol: MASE / naive MASE |"
echo "|---|---|---|---|---|---|"
stocks=$(upload stocks.csv "&seriesColumn=symbol")
for seed in 1 2 3; do
  view=$(train "$stocks" price "{\"seed\": $seed}" "stocks-defaults-s$seed")
  echo "| defaults | $seed | $(jq -r '"\(.progress.epoch) (\(.weightsEpoch))"' <<<"$view") | $(f .evaluation.metrics.price.mase "$view") | $(f .evaluation.baselines.naive.price.mase "$view")" \
    "| $(jq -r '[.evaluation.series | to_entries[] | "\(.key) \(.value.metrics.price.mase * 1000 | round / 1000) / \(.value.baselines.naive.price.mase * 1000 | round / 1000)"] | join(", ")' <<<"$view") |"
done
