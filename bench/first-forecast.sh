#!/usr/bin/env bash
# Time to the first forecast of the demo as a user meets it: wall time from typing `dotnet run --project src/EdgeAgent` (no
# configuration; the build is made before and not timed, `dotnet run` still checks it) until the console shows the forecast table,
# and the agent's own figure (process start to first forecast handed to the publisher). Runs N times: the first run after the
# build is the cold one. Usage: bench/first-forecast.sh [runs=3]
set -euo pipefail
runs="${1:-3}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log="$(mktemp -t first-forecast-XXXXXX.log)"
trap 'rm -f "$log"' EXIT
dotnet build "$repo/src/EdgeAgent" --nologo -v quiet >/dev/null
for ((i = 1; i <= runs; i++)); do
  : >"$log"
  start=$(date +%s%N)
  (cd "$repo" && exec setsid dotnet run --project src/EdgeAgent >"$log" 2>&1) &
  pid=$!
  shown=""
  for ((t = 0; t < 600; t++)); do
    if grep -q '^forecast issued' "$log"; then shown=$(( ($(date +%s%N) - start) / 1000000 )); break; fi
    sleep 0.1
  done
  agent=$(grep -m1 -o 'first forecast [0-9.]* s after start' "$log" || true)
  model=$(grep -m1 -o 'model [^ ,]*, weather [a-z-]*' "$log" || true)
  kill -INT -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "run $i: table on the console ${shown:-not within 60} ms after 'dotnet run'; agent: ${agent:-?}; ${model}"
done
