#!/usr/bin/env bash
# OSRM side by side on the same extract and the same query list (written by
# `routing-bench osm` into OUT_DIR/queries.csv).
#   bench/routing/osrm.sh OUT_DIR PBF ROUTING_BENCH_BINARY
# OSRM_CLIENT replaces the client (`routing-bench osrm`), which is then called
# as `$OSRM_CLIENT 127.0.0.1:PORT OUT_DIR` (http.sh uses it).
set -euo pipefail
OUT=$1 PBF=$2 B=$3
W=$OUT/osrm
mkdir -p "$W"
cd "$W"
if [ ! -x wheel/osrm/bin/osrm-routed ]; then
  pip download --only-binary=:all: --python-version 3.12 --platform manylinux_2_28_x86_64 --no-deps osrm-bindings -d .
  unzip -q -o osrm_bindings-*.whl -d wheel
  chmod +x wheel/osrm/bin/*
fi
O=wheel/osrm
cp "$PBF" li.osm.pbf
nice -n 15 /usr/bin/time -v $O/bin/osrm-extract -p $O/share/profiles/car.lua -t 1 li.osm.pbf >extract.log 2>extract.time
nice -n 15 /usr/bin/time -v $O/bin/osrm-contract -t 1 li.osrm >contract.log 2>contract.time
grep -H -E "Maximum resident|Elapsed" extract.time contract.time
ls -l li.osrm* | awk '{s+=$5} END {print "osrm files total bytes:", s}'
PORT=5055
nice -n 15 $O/bin/osrm-routed --algorithm ch -i 127.0.0.1 -p $PORT -t 1 --max-table-size 1100 -l WARNING li.osrm >routed.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break
  sleep 0.2
done
if [ -n "${OSRM_CLIENT:-}" ]; then
  $OSRM_CLIENT 127.0.0.1:$PORT "$OUT"
else
  nice -n 15 "$B" osrm 127.0.0.1:$PORT "$OUT" | tee "$OUT/osrm.txt"
fi
