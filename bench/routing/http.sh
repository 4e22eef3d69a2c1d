#!/usr/bin/env bash
# yingji's routing over HTTP against osrm-routed over HTTP, like for like
# (issue 14): the same pairs, interleaved, one keep-alive connection to each
# server on 127.0.0.1, with GeoJSON geometry and without any, and the
# 100 x 1,000 matrix with durations and distances from both. Both servers
# answer from one thread of work per request (osrm-routed -t 1; yingji's
# route is answered on the request's task).
#   bench/routing/http.sh [OUT_DIR]     (downloads the osrm-bindings wheel from PyPI)
set -euo pipefail
SELF=$(realpath "$0")
cd "$(dirname "$SELF")/../.."
OUT=$(realpath -m "${1:-/tmp/routing-http}")
mkdir -p "$OUT"
PBF=$(realpath data/osm/liechtenstein-2024-03-04.osm.pbf)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
nice -n 15 cargo build --release -p yingji-routing --example routing-bench
nice -n 15 cargo build --release -p yingji
B=$CARGO_TARGET_DIR/release/examples/routing-bench
Y=$CARGO_TARGET_DIR/release/yingji
echo "http.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/conditions.txt"
# the query list (queries.csv) and the graph (osm.yjroute) from the same extract
[ -s "$OUT/queries.csv" ] && [ -s "$OUT/osm.yjroute" ] || "$B" osm "$PBF" "$OUT" >"$OUT/osm.txt"
D=$OUT/yingji-data
rm -rf "$D"
"$Y" --data-dir "$D" demo --no-serve >"$OUT/yingji-demo.log" 2>&1
TOKEN=$("$Y" --data-dir "$D" user token create --username observer --name bench --days 1 2>/dev/null)
YPORT=5056
YINGJI_ROUTING_GRAPH=$OUT/osm.yjroute YINGJI_LOG=warn "$Y" --data-dir "$D" serve --listen 127.0.0.1:$YPORT >"$OUT/yingji.log" 2>&1 &
YPID=$!
trap 'kill $YPID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/$YPORT) 2>/dev/null && break
  sleep 0.2
done
OSRM_CLIENT="$B http 127.0.0.1:$YPORT $TOKEN" bench/routing/osrm.sh "$OUT" "$PBF" "$B" | tee "$OUT/http.txt"
