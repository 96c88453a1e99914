#!/usr/bin/env bash
# Training as a user meets it: B2- and B3-shaped jobs posted to a freshly started service,
# published as the image ships it (ReadyToRun), timed from the job's startedAt to finishedAt, so
# the first epochs, the database writes and the final evaluation all count. Beside them in the
# same run, TorchSharp's steady state on the same work (bench/TorchBench, after its warm-up).
# With --busy, B2 is also run beside one busy process (a spinning shell), ours through HTTP and
# TorchSharp's, each against its own figure alone from the same round.
#   B2: 8 inputs, hidden 64, 48 steps, batch 32, 40 batches an epoch (1,280 sequences)
#   B3: 64 inputs, hidden 256, 2 layers, 64 steps, batch 64, 4 batches an epoch (256 sequences)
# Usage: bench/http-training.sh [rounds] [--busy]     (default 2 rounds, 4 and 20 epochs each)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=2; busy=false
for arg in "$@"; do if [[ $arg == --busy ]]; then busy=true; else rounds=$arg; fi; done
port=5098; base=http://127.0.0.1:$port
work=$(mktemp -d)
service=""; spinner=""
stop() { [[ -n $service ]] && kill "$service" 2> /dev/null && wait "$service" 2> /dev/null; service=""; }
trap 'stop; [[ -n $spinner ]] && kill $spinner 2> /dev/null; rm -rf "$work"' EXIT

dotnet publish src/Api -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/service" > /dev/null
dotnet build -c Release bench/TorchBench > /dev/null
for shape in "B2 8 64 1 48 32 1280" "B3 64 256 2 64 64 256"; do
    python3 - "$work" $shape <<'PY'
import json, random, sys
work, name, inputs, hidden, layers, steps, batch, count = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
random.seed(1)
sequences = [{"inputs": [[round(random.uniform(-1, 1), 4) for _ in range(inputs)] for _ in range(steps)], "target": [round(random.uniform(-1, 1), 4)]} for _ in range(count)]
for epochs in (4, 20):
    json.dump({"name": f"{name} through HTTP", "data": {"sequences": sequences},
               "model": {"hiddenSize": hidden, "layers": layers, "output": {"kind": "dense", "size": 1, "steps": "last"}},
               "training": {"epochs": epochs, "batchSize": batch, "validationFraction": 0, "learningRate": 0.001}},
              open(f"{work}/{name}-{epochs}.json", "w"))
PY
done

ours() { # shape epochs sequences → sequences/s over the job's startedAt..finishedAt
    rm -rf "$work/data"
    Logging__LogLevel__Default=Warning RateLimits__JobsPerMinute=0 Storage__DataFolder="$work/data" \
        dotnet "$work/service/LstmService.Api.dll" --urls $base > "$work/service.log" 2>&1 &
    service=$!
    until curl -sf $base/health/ready > /dev/null; do sleep 0.05; done
    local job=$(curl -s $base/api/jobs -H 'content-type: application/json' --data-binary @"$work/$1-$2.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    until curl -s $base/api/jobs/$job | grep -q '"status":"succeeded"'; do sleep 0.1; done
    curl -s $base/api/jobs/$job | python3 -c '
import json, sys
from datetime import datetime
view = json.load(sys.stdin); t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
print(round(int(sys.argv[1]) * int(sys.argv[2]) / (t(view["finishedAt"]) - t(view["startedAt"])).total_seconds()))' "$2" "$3"
    stop
}
theirs() { # ids… → "id sequences/s" lines
    dotnet bench/TorchBench/bin/Release/net10.0/LstmService.TorchBench.dll --keep-heap "$@" |
        python3 -c 'import json, sys; [print(r["Id"], round(r["Median"])) for r in map(json.loads, sys.stdin) if r.get("Median")]'
}
spin() { (while :; do :; done) & spinner=$!; }
unspin() { kill $spinner; wait $spinner 2> /dev/null || true; spinner=""; }

echo "| round | job | ours through HTTP (sequences/s) | TorchSharp steady state (sequences/s) | ratio |"
echo "| --- | --- | --- | --- | --- |"
for round in $(seq "$rounds"); do
    declare -A torch=()
    while read -r id rate; do torch[$id]=$rate; done < <(theirs B2 B3)
    declare -A alone=()
    for job in "B2 4 1280" "B2 20 1280" "B3 4 256" "B3 20 256"; do
        set -- $job
        rate=$(ours "$@"); alone[$1-$2]=$rate
        echo "| $round | $1, $2 epochs | $rate | ${torch[$1]} | $(python3 -c "print(f'{$rate / ${torch[$1]}:.2f}×')") |"
    done
    if $busy; then
        spin
        rate=$(ours B2 20 1280); torch_busy=$(theirs B2 | cut -d' ' -f2)
        unspin
        echo "| $round | B2, 20 epochs, beside a busy process | $rate ($(python3 -c "print(f'{${alone[B2-20]} / $rate:.2f}')")× slower than alone) | $torch_busy ($(python3 -c "print(f'{${torch[B2]} / $torch_busy:.2f}')")× slower) | $(python3 -c "print(f'{$rate / $torch_busy:.2f}×')") |"
    fi
done
