#!/usr/bin/env bash
# Reproduces bench/targeting/RESULTS.md: yingji-geo targeting vs PostGIS.
#   bench/targeting/run.sh [OUT_DIR]        (from anywhere; default /tmp/targeting-bench)
# Environment: REPS (default 7) repetitions per measurement (+1 warm-up);
#   PG (default "host=127.0.0.1 user=postgres dbname=yingji_bench_targeting");
#   DROP_DB=1 drops the benchmark database at the end.
# Installs Debian's postgresql-15-postgis-3 if missing, starts the local
# PostgreSQL 15 cluster if it is not up, creates the database (never touches
# another one), builds the benchmark (target dir /tmp/target-bench-targeting)
# and runs it: it generates the 3,105,591 points, loads them into PostGIS
# (COPY, GiST indexes, VACUUM ANALYZE) and times both sides on the same areas,
# asserting identical id sets.
set -euo pipefail
SELF=$(realpath "$0")
HERE=$(dirname "$SELF")
cd "$HERE"
case "${1:-}" in -h | --help) sed -n '2,12p' "$SELF"; exit 0 ;; esac
OUT=$(realpath -m "${1:-/tmp/targeting-bench}")
mkdir -p "$OUT"
REPS=${REPS:-7}
PG=${PG:-"host=127.0.0.1 user=postgres dbname=yingji_bench_targeting"}
DB=$(sed -n 's/.*dbname=\([^ ]*\).*/\1/p' <<<"$PG")
DB=${DB:-yingji_bench_targeting}

if ! dpkg-query -W -f='${Status}' postgresql-15-postgis-3 2>/dev/null | grep -q "install ok installed"; then
  echo "run.sh: installing postgresql-15-postgis-3"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-postgis-3
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "run.sh: starting PostgreSQL 15"
  pg_ctlcluster 15 main start || service postgresql start
  for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE \"$DB\""
fi
psql -h 127.0.0.1 -U postgres -d "$DB" -qc "CREATE EXTENSION IF NOT EXISTS postgis"

nice -n 10 cargo build --release --locked
B=/tmp/target-bench-targeting/release/targeting-bench
{
  echo "run.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "rustc: $(rustc --version)"
  echo "kernel: $(uname -r); memory: $(free -h | awk '/Mem:/ {print $2}')"
} | tee "$OUT/conditions.txt"
TIME=()
[ -x /usr/bin/time ] && TIME=(/usr/bin/time -v)
"${TIME[@]}" "$B" --boundaries ../../data/datong/boundaries --pg "$PG" --reps "$REPS" \
  --out "$OUT/results.txt" 2>"$OUT/time.txt" | tee "$OUT/log.txt"
grep -E "Maximum resident|Elapsed" "$OUT/time.txt" | tee -a "$OUT/conditions.txt" || true
echo "run.sh: done $(date -u '+%H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT" | tee -a "$OUT/conditions.txt"
if [ "${DROP_DB:-0}" = 1 ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE \"$DB\""
fi
