#!/usr/bin/env bash
# How much a busy neighbour slows training: each engine alone, then beside one busy process (a
# spinning shell, which takes one of the machine's cores when it can), in alternating order per
# round. Prints each pair's medians and the slowdown, ours (bench/LstmBench) and libtorch's
# (bench/TorchBench). A fair share of a 2-core machine beside one busy process is 1.5× (two of
# three runnable threads); waiting on a descheduled thread makes it worse.
# Usage: bench/busy-neighbour.sh [rounds] [ids...]     (default 3 rounds of B2)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
if [ $# -ge 1 ] && [[ $1 =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
ids=("$@"); [[ ${#ids[@]} -gt 0 ]] || ids=(B2)
spinner=""
trap '[[ -n $spinner ]] && kill $spinner 2> /dev/null' EXIT
dotnet build -c Release bench/LstmBench > /dev/null
dotnet build -c Release bench/TorchBench > /dev/null
median() { python3 -c 'import json, sys; [print(r["Id"], round(r["Median"])) for r in map(json.loads, sys.stdin) if r.get("Median")]'; }
run() { # engine → "id median" lines
    if [[ $1 == ours ]]; then dotnet bench/LstmBench/bin/Release/net10.0/LstmService.LstmBench.dll "${ids[@]}" | median
    else dotnet bench/TorchBench/bin/Release/net10.0/LstmService.TorchBench.dll --keep-heap "${ids[@]}" | median; fi
}
busy() { (while :; do :; done) & spinner=$!; "$@"; kill $spinner; wait $spinner 2> /dev/null || true; spinner=""; }

echo "| round | engine | id | alone | beside a busy process | slowdown |"
echo "| --- | --- | --- | --- | --- | --- |"
for round in $(seq "$rounds"); do
    for engine in ours libtorch; do
        if (( round % 2 )); then a=$(run $engine); b=$(busy run $engine)
        else b=$(busy run $engine); a=$(run $engine); fi
        join <(sort <<< "$a") <(sort <<< "$b") | while read -r id alone beside; do
            echo "| $round | $engine | $id | $alone | $beside | $(python3 -c "print(f'{$alone / $beside:.2f}×')") |"
        done
    done
done
