#!/usr/bin/env bash
# Reproduces the figures of RESULTS.md (and, with --anchors, of ANCHORS.md).
#   bench/routing/run.sh [OUT_DIR] [--anchors osrm,pgrouting,valhalla] [--no-grids]
#                                         (from the repository root or anywhere)
# Without --anchors: ours (extract + grids) and OSRM; WITH_OSRM=0 skips the OSRM
# comparison (which downloads the osrm-bindings wheel from PyPI).
# With --anchors LIST: ours, then exactly the listed anchors in the same run, on the
# same query lists (OUT_DIR/queries.csv), then the side-by-side tables
# (anchors.py -> OUT_DIR/anchors.md). A failing anchor does not stop the others;
# the script exits non-zero at the end if any failed. --no-grids skips the
# generated-grid runs (not needed for the anchors).
set -euo pipefail
SELF=$(realpath "$0")
cd "$(dirname "$SELF")/../.."
OUT_ARG="" ANCHORS="" GRIDS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --anchors) [ $# -ge 2 ] || { echo "run.sh: --anchors needs a list (osrm,pgrouting,valhalla)" >&2; exit 2; }
      ANCHORS=$2; shift 2 ;;
    --anchors=*) ANCHORS=${1#--anchors=}; shift ;;
    --no-grids) GRIDS=0; shift ;;
    -h | --help) sed -n '2,11p' "$SELF"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) [ -z "$OUT_ARG" ] || { echo "run.sh: more than one OUT_DIR given" >&2; exit 2; }
      OUT_ARG=$1; shift ;;
  esac
done
if [ -n "$ANCHORS" ]; then
  for a in ${ANCHORS//,/ }; do
    case "$a" in osrm | pgrouting | valhalla) ;; *) echo "run.sh: unknown anchor '$a' (osrm, pgrouting, valhalla)" >&2; exit 2 ;; esac
  done
fi
OUT=$(realpath -m "${OUT_ARG:-/tmp/routing-bench}")
mkdir -p "$OUT"
# the tables must only show anchors measured in this run
[ -z "$ANCHORS" ] || rm -f "$OUT"/{osrm.txt,pgrouting.json,pgrouting.txt,valhalla.json,valhalla.txt,anchors.md}
PBF=$(realpath ../shared/data/osm/liechtenstein-2024-03-04.osm.pbf)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
nice -n 15 cargo build --release -p yingji-routing --example routing-bench
B=$CARGO_TARGET_DIR/release/examples/routing-bench
echo "run.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/conditions.txt"
nice -n 15 /usr/bin/time -v "$B" osm "$PBF" "$OUT" 2>"$OUT/osm.time" | tee "$OUT/osm.txt"
if [ "$GRIDS" = 1 ]; then
  for n in 100000 1000000; do
    nice -n 15 /usr/bin/time -v "$B" grid "$n" "$OUT" 2>"$OUT/grid$n.time" | tee "$OUT/grid$n.txt"
  done
fi
grep -H -E "Maximum resident|Elapsed" "$OUT"/*.time
if [ -z "$ANCHORS" ]; then
  if [ "${WITH_OSRM:-1}" = 1 ]; then
    bench/routing/osrm.sh "$OUT" "$PBF" "$B"
  fi
  exit 0
fi
failed=()
for a in ${ANCHORS//,/ }; do
  echo "run.sh: anchor $a ($(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/conditions.txt"
  case "$a" in
    osrm) bench/routing/osrm.sh "$OUT" "$PBF" "$B" || failed+=(osrm) ;;
    pgrouting) bench/routing/pgrouting.sh "$OUT" "$PBF" || failed+=(pgrouting) ;;
    valhalla) bench/routing/valhalla.sh "$OUT" "$PBF" || failed+=(valhalla) ;;
  esac
done
echo "run.sh: anchors done ($(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/conditions.txt"
python3 bench/routing/anchors.py "$OUT" || failed+=(anchors.py)
if [ ${#failed[@]} -gt 0 ]; then
  echo "run.sh: FAILED: ${failed[*]} (see the messages above; tables above show what was measured)" >&2
  exit 1
fi
