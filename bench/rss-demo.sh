#!/usr/bin/env bash
# Resident memory of the demo over time: builds edgeagent (Release), runs the demo (`edgeagent --demo --speed S`: simulator on
# Modbus TCP, embedded broker, the shipped default bundle on its compiled formulas with the engine in shadow, the demo weather
# feed; EDGEAGENT__Model__Runner=onnx for ONNX Runtime) for M minutes and samples
# /proc/<pid>/status (VmRSS, RssAnon, RssFile, VmHWM) and CPU seconds (/proc/<pid>/stat) every minute into a CSV.
# Prints the peak and the final RSS. Usage: bench/rss-demo.sh [minutes=60] [speed=60] [csv=bench/results/rss-demo-<utc>.csv]
# Extra agent settings can be passed as EDGEAGENT__Section__Key variables (with --demo the demo defaults stay underneath).
set -euo pipefail
minutes="${1:-60}"
speed="${2:-60}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
csv="${3:-$repo/bench/results/rss-demo-$stamp.csv}"
mkdir -p "$(dirname "$csv")"
work="$(mktemp -d -t rss-demo-XXXXXX)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build "$repo/src/EdgeAgent" -c Release --nologo -v quiet -o "$work/bin" >/dev/null
ticks="$(getconf CLK_TCK)"
start_ns="$(date +%s%N)"
dotnet "$work/bin/edgeagent.dll" --demo --speed "$speed" >"$work/demo.log" 2>&1 &
pid=$!

status() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
cpu_s() { awk -v t="$ticks" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$pid/stat"; }

echo "minute,elapsed_s,vmrss_kb,rss_anon_kb,rss_file_kb,vmhwm_kb,threads,cpu_s" >"$csv"
peak=0
for ((m = 0; m <= minutes; m++)); do
  if ((m > 0)); then sleep $((60 - ($(date +%s) - start_ns / 1000000000) % 60)); fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "the demo exited early; its log:" >&2; tail -20 "$work/demo.log" >&2; exit 1; fi
  rss="$(status VmRSS)"
  elapsed=$(( ($(date +%s%N) - start_ns) / 1000000000 ))
  echo "$m,$elapsed,$rss,$(status RssAnon),$(status RssFile),$(status VmHWM),$(status Threads),$(cpu_s)" >>"$csv"
  ((rss > peak)) && peak=$rss
  echo "minute $m: VmRSS $((rss / 1024)) MiB" >&2
done
final="$(tail -1 "$csv" | cut -d, -f3)"
first="$(grep -m1 -o 'first forecast [0-9.]* s after start' "$work/demo.log" || echo 'first forecast: not seen')"
simulated_h=$(awk -v m="$minutes" -v s="$speed" 'BEGIN { printf "%.1f", m * s / 60 }')
echo "demo at speed $speed for $minutes min ($simulated_h simulated hours): peak VmRSS $((peak / 1024)).$(( (peak % 1024) * 10 / 1024 )) MiB, final $((final / 1024)).$(( (final % 1024) * 10 / 1024 )) MiB, VmHWM $(( $(status VmHWM) / 1024 )) MiB, CPU $(cpu_s) s; $first; samples in $csv"
