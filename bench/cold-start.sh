#!/usr/bin/env bash
# A fresh service's first job, under each way of getting optimized code early: the published
# service as it ships, ReadyToRun, and the runtime's tiering knobs (as environment variables; a
# project sets the same in its runtimeconfig). For each: seconds from process start to
# /health/ready, then a B2-shaped job (8 inputs, hidden 64, 48 steps, batch 32, 40 batches an
# epoch) of 4 epochs: each epoch's seconds and the job's wall time (startedAt to finishedAt).
# Variants alternate within each round. Usage: bench/cold-start.sh [rounds] [epochs] [variant ...]
# (default 2 rounds of 4 epochs, every variant; variants by the names in the table)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}; epochs=${2:-4}; shift $(( $# > 2 ? 2 : $# )) || true
only=("$@")
port=5096; base=http://127.0.0.1:$port
work=$(mktemp -d)
service=""
stop() { [[ -n $service ]] && kill "$service" 2> /dev/null && wait "$service" 2> /dev/null; service=""; }
trap 'stop; rm -rf "$work"' EXIT

dotnet publish src/Api -c Release -o "$work/plain" > /dev/null
dotnet publish src/Api -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/r2r" > /dev/null
python3 - "$work/job.json" "$epochs" <<'PY'
import json, random, sys
random.seed(1)
sequences = [{"inputs": [[round(random.uniform(-1, 1), 4) for _ in range(8)] for _ in range(48)], "target": [round(random.uniform(-1, 1), 4)]} for _ in range(1280)]
json.dump({"name": "B2 cold", "data": {"sequences": sequences}, "model": {"hiddenSize": 64, "output": {"kind": "dense", "size": 1, "steps": "last"}},
           "training": {"epochs": int(sys.argv[2]), "batchSize": 32, "validationFraction": 0, "learningRate": 0.001}}, open(sys.argv[1], "w"))
PY

run() { # name, folder, environment...
    local name=$1 folder=$2; shift 2
    if [[ ${#only[@]} -gt 0 && ! " ${only[*]} " == *" $name "* ]]; then return; fi
    local started=$(date +%s.%N)
    env "$@" Logging__LogLevel__Default=Warning RateLimits__JobsPerMinute=0 Storage__DataFolder="$work/data" \
        dotnet "$folder/LstmService.Api.dll" --urls $base > "$work/service.log" 2>&1 &
    service=$!
    until curl -sf $base/health/ready > /dev/null; do sleep 0.05; done
    local ready=$(echo "$(date +%s.%N) - $started" | bc)
    local job=$(curl -s $base/api/jobs -H 'content-type: application/json' --data-binary @"$work/job.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    until curl -s $base/api/jobs/$job | grep -q '"status":"succeeded"'; do sleep 0.2; done
    curl -s $base/api/jobs/$job/losses > "$work/losses.json"; curl -s $base/api/jobs/$job > "$work/job-view.json"
    python3 - "$name" "$ready" "$work/losses.json" "$work/job-view.json" "$epochs" <<'PY'
import json, sys
from datetime import datetime
name, ready = sys.argv[1], float(sys.argv[2])
seconds = [round(l["seconds"], 2) for l in json.load(open(sys.argv[3]))]
shown = seconds if len(seconds) <= 6 else seconds[:4] + ["…", f"median {sorted(seconds)[len(seconds) // 2]}"]
view = json.load(open(sys.argv[4]))
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
wall = (t(view["finishedAt"]) - t(view["startedAt"])).total_seconds()
print(f"| {name} | {ready:.2f} | {' / '.join(map(str, shown))} | {wall:.2f} | {1280 * int(sys.argv[5]) / wall:,.0f} |")
PY
    stop
}

echo "| variant | start to ready (s) | epoch seconds | job wall (s) | sequences/s |"
echo "| --- | --- | --- | --- | --- |"
for round in $(seq "$rounds"); do
    run "as-shipped" "$work/plain"
    run "ReadyToRun" "$work/r2r"
    run "TieredCompilation=0" "$work/plain" DOTNET_TieredCompilation=0
    run "TC_QuickJitForLoops=0" "$work/plain" DOTNET_TC_QuickJitForLoops=0
    run "ReadyToRun+TC_QuickJitForLoops=0" "$work/r2r" DOTNET_TC_QuickJitForLoops=0
done
