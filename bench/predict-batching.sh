#!/usr/bin/env bash
# HTTP predict with and without dynamic batching, side by side: one Release service at a time on
# the same data folder, alternating "off" (Serving:MaxBatchSequences=1) and "on" (the defaults),
# each driven by bench/HttpLoad at the same rates with B2's model at batch 1 (48 steps × 8 inputs,
# hidden 64). Prints HttpLoad's table per round.
# Usage: bench/predict-batching.sh [rounds] [seconds per rate] [rate ...]   (default: 2 5 1000 2000 3000 4000 6000)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}; seconds=${2:-5}; shift $(( $# > 2 ? 2 : $# )) || true
rates=("$@"); [[ ${#rates[@]} -gt 0 ]] || rates=(1000 2000 3000 4000 6000)
port=5095; base=http://127.0.0.1:$port
data=$(mktemp -d)
service=""
stop() { [[ -n $service ]] && kill "$service" 2> /dev/null && wait "$service" 2> /dev/null; service=""; }
trap 'stop; rm -rf "$data"' EXIT

dotnet build -c Release src/Api > /dev/null
dotnet build -c Release bench/HttpLoad > /dev/null

start() { # settings as environment variables
    env "$@" Logging__LogLevel__Default=Warning RateLimits__PredictPerSecond=0 Storage__DataFolder="$data" \
        dotnet src/Api/bin/Release/net10.0/LstmService.Api.dll --urls $base > "$data/service.log" 2>&1 &
    service=$!
    for _ in $(seq 60); do curl -sf $base/health/ready > /dev/null && return; sleep 1; done
    cat "$data/service.log"; exit 1
}

# B2's model: 8 inputs, hidden 64, dense on the last step, trained one epoch on random sequences.
start
job=$(python3 - "$base" <<'PY'
import json, random, sys, urllib.request
random.seed(1)
sequences = [{"inputs": [[random.uniform(-1, 1) for _ in range(8)] for _ in range(48)], "target": [random.uniform(-1, 1)]} for _ in range(32)]
body = {"name": "B2", "data": {"sequences": sequences}, "model": {"hiddenSize": 64, "output": {"kind": "dense", "size": 1, "steps": "last"}},
        "training": {"epochs": 1, "validationFraction": 0}}
request = urllib.request.Request(sys.argv[1] + "/api/jobs", json.dumps(body).encode(), {"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(request))["id"])
PY
)
until curl -s $base/api/jobs/$job | grep -q '"status":"succeeded"'; do sleep 1; done
model=$(curl -s $base/api/jobs/$job | python3 -c 'import json, sys; print(json.load(sys.stdin)["modelId"])')
stop

for round in $(seq "$rounds"); do
    for mode in off on; do
        if [[ $mode == off ]]; then start Serving__MaxBatchSequences=1; else start Serving__MaxBatchSequences=64; fi
        echo "## round $round, batching $mode"
        dotnet bench/HttpLoad/bin/Release/net10.0/LstmService.HttpLoad.dll $base "$model" "$seconds" "${rates[@]}"
        stop
    done
done
