#!/usr/bin/env bash
# Peak memory (VmHWM) of the service while it reads one large JSON body: how far a body expands
# in memory. Usage: bench/request-memory.sh [bodyMiB=60] [endpoint=jobs|datasets|predict]
# Runs the Release build with workstation GC, as the container does, on a throw-away data folder.
# The job body names an unknown initialModelId, so it is parsed, checked and built, then refused:
# nothing trains. Each run starts a fresh process, so the peak is this one request's.
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-60}; endpoint=${2:-jobs}
work=$(mktemp -d); trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet build -c Release src/Api -o "$work/bin" >/dev/null
python3 - "$mib" "$endpoint" > "$work/body.json" <<'PY'
import sys
mib, endpoint = int(sys.argv[1]), sys.argv[2]
# The worst case per byte: one-digit values, one input per step ("[0]," is 4 bytes, 40 in memory).
steps = ",".join(["[0]"] * 10000)
seq = '{"inputs":[' + steps + '],"target":[0]}' if endpoint != "predict" else "[" + steps + "]"
n = mib * 1024 * 1024 // (len(seq) + 1)
body = ",".join([seq] * n)
if endpoint == "jobs":
    print('{"initialModelId":"none","model":{"output":{"steps":"last"}},"data":{"sequences":[' + body + ']}}', end="")
elif endpoint == "datasets":
    print('{"name":"big","sequences":[' + body + ']}', end="")
else:
    print('{"sequences":[' + body + ']}', end="")
PY
export DOTNET_gcServer=0 Limits__MaxRequestBodyBytes=$((mib * 1024 * 1024 + 1024 * 1024)) Limits__MaxJsonBodyBytes=$((mib * 1024 * 1024 + 1024 * 1024))
dotnet "$work/bin/LstmService.Api.dll" --urls http://127.0.0.1:5097 --Storage:DataFolder "$work/data" >"$work/log" 2>&1 &
pid=$!
until curl -sf http://127.0.0.1:5097/health/live >/dev/null; do sleep 0.5; done
path=/api/$endpoint
[ "$endpoint" = predict ] && path=/api/models/none/predict
before=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
code=$(curl -s -o "$work/answer" -w '%{http_code}' -H 'content-type: application/json' --data-binary @"$work/body.json" http://127.0.0.1:5097$path)
after=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
bytes=$(stat -c %s "$work/body.json")
echo "endpoint=$endpoint body=$((bytes / 1048576)) MiB status=$code peak before=$((before / 1024)) MiB after=$((after / 1024)) MiB growth=$(( (after - before) / 1024 )) MiB ($(( (after - before) * 1024 / bytes ))x the body)"
head -c 300 "$work/answer"; echo
[ "$code" -lt 500 ] || grep -A12 -m1 fail: "$work/log"
