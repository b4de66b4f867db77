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
# Grounded captions (caption metrics + PQ of the grounded masks) on the two-image sample; its
# results go to their own folder so the caption leaderboard below reads caption results only.
mkdir -p "$OUT/grounded"
$PGC grounded --gt $S/grounded/gt.jsonl --pred $S/grounded/sample_system.pred.jsonl \
     --metrics caption,pq --name sample_system --json "$OUT/grounded/grounded-sample.json" --quiet
$PGC leaderboard "$OUT"/*.json --table caption --with-paper --format md
