#!/usr/bin/env bash
# Installs, builds, and runs the main job on the bundled sample data: scores the sample
# systems and prints a leaderboard next to the paper's rows.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
PGC=./build/pgc
OUT=$(mktemp -d)
S=data/samples
for sys in $(ls $S/caption/preds); do
  name=${sys%.json}
  $PGC caption --refs $S/caption/refs.json --preds $S/caption/preds/$sys --name "$name" \
       --json "$OUT/$name.json" --quiet
done
$PGC leaderboard "$OUT"/*.json --table caption --with-paper --format md
