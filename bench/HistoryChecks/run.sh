#!/usr/bin/env bash
# Measures finetune's and evaluate's history checks on simulated fleets; writes bench/results/history-checks.txt.
# usage: bench/HistoryChecks/run.sh HELDOUT120 HELD365
#   HELDOUT120: modelexport fleet --sites 100 --seed 2 --days 120 --out HELDOUT120
#   HELD365:    modelexport fleet --sites 100 --seed 2 --days 365 --out HELD365
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build bench/HistoryChecks -c Release -v q -nologo > /dev/null
hc() { echo "== historychecks $*"; dotnet bench/HistoryChecks/bin/Release/net10.0/historychecks.dll "$@"; }
{
  echo "# finetune's history checks on 100 simulated sites (fleet --seed 2, from 1 January), $(date -u +%Y-%m-%d)"
  for d in 14 28 90; do hc timing "$1" $d; hc timing "$1" $d hourly; done
  hc orient "$1" 28
  for s in 0 90 180 270; do hc orient "$2" 14 $s; done
  for d in 14 28; do for c in 0 0.7 0.5; do hc limit "$2" $d $c; done; done
  hc units "$2" 2
  hc units "$2" 14
} | tee bench/results/history-checks.txt
