#!/usr/bin/env bash
# Regenerates the default bundle models/default/ (what the agent's demo loads) from nothing but this repository:
#   fleet → pretrain (foundation chain) → site-history of the demo site (demo-site.json, the agent's embedded demo site)
#   → finetune → evaluate (held-out weeks) → distill → export, signed with a fresh key whose public half is default.pub.
# About 5–8 minutes on 2 cores. Usage: models/regenerate.sh [work-folder]   (the work folder is kept for inspection)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
work="${1:-$(mktemp -d -t pvedge-regenerate-XXXXXX)}"
mkdir -p "$work"
echo "work folder: $work"

dotnet build "$repo/src/ModelExport" -c Release -o "$work/bin" --nologo -v quiet
mx() { echo "+ modelexport $*"; dotnet "$work/bin/modelexport.dll" "$@"; }

mx fleet --sites 24 --seed 1 --days 90 --out "$work/fleet"
mx pretrain --data "$work/fleet" --out "$work/foundation" --epochs 6 --days 90 --threads 2 --seed 1
mx site-history --site "$here/demo-site.json" --days 60 --seed 2 --start 2025-04-01 --out "$work/demo-train.csv"
mx site-history --site "$here/demo-site.json" --days 14 --seed 3 --start 2025-07-01 --out "$work/demo-heldout.csv"
# the demo site has a flat horizon and no near obstacle: without the edge stage (sharp units for chimneys and trees) its shading
# field stays smooth and distils into a formula, so the demo runs on formulas (ONNX Runtime not loaded); the gateway's nightly
# fine-tuning (Model:Retune) starts again from the foundation the bundle carries
mx finetune --base "$work/foundation" --history "$work/demo-train.csv" --site "$here/demo-site.json" --out "$work/demo" --threads 2 --edge-units 0
mx evaluate --bundle "$work/demo" --history "$work/demo-heldout.csv"
mx distill --bundle "$work/demo" --history "$work/demo-train.csv" --seconds 40 --threads 2 --seed 1
rm -f "$work/default.key" "$work/default.pub"
mx keygen --out "$work/default"
mx export --bundle "$work/demo" --out "$here/default" --sign "$work/default.key" --history "$work/demo-heldout.csv"
cp "$work/default.pub" "$here/default.pub"
du -sh "$here/default"
