#!/usr/bin/env bash
# Our engine against TorchSharp (libtorch) on the six configurations, alternating rounds so both
# see the same machine state, then the ratio table. Usage: bench/compare.sh [rounds] [ids...]
# Run it on an otherwise idle machine: libtorch's 2 threads collapse when the other core is busy.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}; shift || true
out=bench/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
dotnet build -c Release bench/LstmBench >/dev/null
dotnet build -c Release bench/TorchBench >/dev/null
dotnet run -c Release --no-build --project bench/LstmBench -- peak | tee "$out/peak.jsonl"
for round in $(seq "$rounds"); do
  echo "round $round of $rounds (load $(cut -d' ' -f1 /proc/loadavg))"
  dotnet run -c Release --no-build --project bench/LstmBench -- "$@" | tee -a "$out/ours.jsonl"
  # --keep-heap: glibc malloc otherwise maps and unmaps libtorch's large blocks every iteration
  # (bench/TorchBench/README.md); we compare against the faster, stronger peer.
  dotnet run -c Release --no-build --project bench/TorchBench -- --keep-heap "$@" | tee -a "$out/theirs.jsonl"
done
dotnet run -c Release --no-build --project bench/LstmBench -- report "$out/ours.jsonl" "$out/theirs.jsonl" "$out/peak.jsonl" | tee "$out/table.md"
