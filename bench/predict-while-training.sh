#!/usr/bin/env bash
# Predictions while a job trains: B2's model at batch 1 (bench/HttpLoad) against the Release
# service, first while a B3-sized job trains (64 inputs, hidden 256, 2 layers, 64 steps, batch
# 64), then with the job cancelled, side by side. Usage: bench/predict-while-training.sh [seconds per rate] [rate ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}; shift $(( $# > 0 ? 1 : 0 )) || true
rates=("$@"); [[ ${#rates[@]} -gt 0 ]] || rates=(100 300 1000)
port=5097; base=http://127.0.0.1:$port
data=$(mktemp -d)
service=""
trap '[[ -n $service ]] && kill $service 2> /dev/null; rm -rf "$data"' EXIT
dotnet build -c Release src/Api > /dev/null
dotnet build -c Release bench/HttpLoad > /dev/null
Logging__LogLevel__Default=Warning RateLimits__PredictPerSecond=0 RateLimits__JobsPerMinute=0 Storage__DataFolder="$data" \
    dotnet src/Api/bin/Release/net10.0/LstmService.Api.dll --urls $base > "$data/service.log" 2>&1 &
service=$!
until curl -sf $base/health/ready > /dev/null; do sleep 0.5; done

post_job() { # inputs hidden layers steps sequences epochs → job id
    python3 - "$base" "$@" <<'PY'
import json, random, sys, urllib.request
base, inputs, hidden, layers, steps, count, epochs = sys.argv[1], *map(int, sys.argv[2:])
random.seed(1)
sequences = [{"inputs": [[round(random.uniform(-1, 1), 3) for _ in range(inputs)] for _ in range(steps)], "target": [0.5]} for _ in range(count)]
body = {"data": {"sequences": sequences}, "model": {"hiddenSize": hidden, "layers": layers, "output": {"kind": "dense", "size": 1, "steps": "last"}},
        "training": {"epochs": epochs, "batchSize": 64, "validationFraction": 0}}
request = urllib.request.Request(base + "/api/jobs", json.dumps(body).encode(), {"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(request))["id"])
PY
}
b2=$(post_job 8 64 1 48 32 1)
until curl -s $base/api/jobs/$b2 | grep -q '"status":"succeeded"'; do sleep 0.5; done
model=$(curl -s $base/api/jobs/$b2 | python3 -c 'import json, sys; print(json.load(sys.stdin)["modelId"])')

b3=$(post_job 64 256 2 64 256 5000)   # within Limits:MaxWorkPerJob; cancelled long before
until curl -s $base/api/jobs/$b3 | grep -q '"status":"running"'; do sleep 0.5; done
echo "## while the B3-sized job trains"
dotnet bench/HttpLoad/bin/Release/net10.0/LstmService.HttpLoad.dll $base "$model" "$seconds" "${rates[@]}"
curl -s -X POST $base/api/jobs/$b3/cancel > /dev/null
until curl -s $base/api/jobs/$b3 | grep -q '"status":"cancelled"'; do sleep 0.5; done
echo "## with nothing training"
dotnet bench/HttpLoad/bin/Release/net10.0/LstmService.HttpLoad.dll $base "$model" "$seconds" "${rates[@]}"
