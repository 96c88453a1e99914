#!/usr/bin/env bash
# Our engine at another commit against the working tree, on the same configurations, in paired
# rounds that alternate which goes first; prints new/old per pair and the median. On a shared
# machine absolute figures drift by ±20% within minutes, so only the paired ratios mean anything.
# Usage: bench/ab.sh <old-commit> [rounds] [ids...]     e.g. bench/ab.sh HEAD~1 4 B2 I2
set -euo pipefail
cd "$(dirname "$0")/.."
old_commit=$(git rev-parse "$1"); shift
rounds=${1:-4}; shift || true
old_tree=$(mktemp -d /tmp/lstm-ab-XXXXXX)
trap 'git worktree remove --force "$old_tree" >/dev/null 2>&1 || true' EXIT
git worktree add -q --detach "$old_tree" "$old_commit"
dotnet build -c Release "$old_tree/bench/LstmBench" >/dev/null
dotnet build -c Release bench/LstmBench >/dev/null
bench=bench/LstmBench/bin/Release/net10.0/LstmService.LstmBench.dll
results=$(mktemp)
for round in $(seq "$rounds"); do
  order="old new"; [ $((round % 2)) = 0 ] && order="new old"
  for side in $order; do
    dir=.; [ "$side" = old ] && dir=$old_tree
    dotnet "$dir/$bench" "$@" | sed "s/^/$round $side /" >> "$results"
  done
done
python3 - "$results" <<'PY'
import json, statistics, sys
from collections import defaultdict
runs = defaultdict(dict)
units = {}
for line in open(sys.argv[1]):
    round_, side, record = line.split(' ', 2)
    r = json.loads(record)
    runs[(r['Id'], round_)][side] = r['Median']
    units[r['Id']] = r['Unit']
for id_ in sorted(units):
    # above 1 when new is faster, for a time per iteration as for a rate
    is_time = units[id_].startswith(('ms', 'µs'))
    pairs = [v['old'] / v['new'] if is_time else v['new'] / v['old'] for (i, _), v in runs.items() if i == id_ and len(v) == 2]
    print(f"{id_}: new {statistics.median(pairs):.3f}x as fast (pairs {', '.join(f'{p:.2f}' for p in pairs)})")
PY
