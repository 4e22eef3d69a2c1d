#!/usr/bin/env bash
# Reproduces the figures of RESULTS.md.
#   bench/routing/run.sh [OUT_DIR]        (from the repository root or anywhere)
# WITH_OSRM=0 skips the OSRM comparison (which downloads the osrm-bindings wheel from PyPI).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-/tmp/routing-bench}")
mkdir -p "$OUT"
PBF=$(realpath ../shared/data/osm/liechtenstein-2024-03-04.osm.pbf)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
nice -n 15 cargo build --release -p yingji-routing --example routing-bench
B=$CARGO_TARGET_DIR/release/examples/routing-bench
nice -n 15 /usr/bin/time -v "$B" osm "$PBF" "$OUT" 2>"$OUT/osm.time" | tee "$OUT/osm.txt"
for n in 100000 1000000; do
  nice -n 15 /usr/bin/time -v "$B" grid "$n" "$OUT" 2>"$OUT/grid$n.time" | tee "$OUT/grid$n.txt"
done
grep -H -E "Maximum resident|Elapsed" "$OUT"/*.time
if [ "${WITH_OSRM:-1}" = 1 ]; then
  bench/routing/osrm.sh "$OUT" "$PBF" "$B"
fi
