#!/usr/bin/env bash
# Our engine at another commit against the working tree, on the same configurations, in paired
# rounds that alternate which goes first; prints new/old per pair and the median. On a shared
# machine absolute figures drift by ±20% within minutes, so only the paired ratios mean anything.
# Usage: bench/ab.sh <old-commit> [rounds] [ids...]     e.g. bench/ab.sh HEAD~1 4 B2 I2
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: bench/ab.sh <old-commit> [rounds] [ids...]"
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
old_commit=$(git rev-parse --verify "$1^{commit}"); shift
rounds=4
if [ $# -ge 1 ] && [[ $1 =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
[ $# -ge 1 ] || { echo "$usage (give the ids: without them LstmBench measures the FMA peak too)" >&2; exit 2; }
old_tree=$(mktemp -d /tmp/lstm-ab-XXXXXX)
results=$(mktemp)
trap 'git worktree remove --force "$old_tree" >/dev/null 2>&1 || true; rm -f "$results" "$results.build"' EXIT
git worktree add -q --detach "$old_tree" "$old_commit"
for tree in "$old_tree" .; do
  dotnet build -c Release "$tree/bench/LstmBench" > "$results.build" || { cat "$results.build"; exit 1; }
done
bench=bench/LstmBench/bin/Release/net10.0/LstmService.LstmBench.dll
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
    if r['Engine'] != 'lstmservice': continue
    runs[(r['Id'], round_)][side] = r['Median']
    units[r['Id']] = r['Unit']
for id_ in sorted(units):
    # above 1 when new is faster, for a time per iteration as for a rate
    is_time = units[id_].startswith(('ms', 'µs'))
    pairs = [v['old'] / v['new'] if is_time else v['new'] / v['old'] for (i, _), v in runs.items() if i == id_ and len(v) == 2]
    if not pairs:
        print(f"{id_}: measured on one side only")
        continue
    print(f"{id_}: new {statistics.median(pairs):.3f}x as fast (pairs {', '.join(f'{p:.2f}' for p in pairs)})")
PY
