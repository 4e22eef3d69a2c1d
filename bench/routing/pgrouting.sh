#!/usr/bin/env bash
# pgRouting side by side on the same extract and the same query lists (written by
# `routing-bench osm` into OUT_DIR/queries.csv; see anchor_common.py).
#   bench/routing/pgrouting.sh OUT_DIR PBF
# Installs (if missing, as root) Debian's postgresql-15-pgrouting (pulls PostGIS),
# osm2pgrouting and osmium-tool; drops and recreates the database $PGR_DB
# (default yingji_bench_pgr; never `test`), converts the PBF to .osm XML with
# osmium, loads it with osm2pgrouting (mapconfig_for_cars.xml), then runs
# pgrouting_bench.py (psycopg 3 in a venv under OUT_DIR/pgrouting).
# Environment: PGHOST (127.0.0.1) PGPORT (5432) PGUSER (postgres) PGR_DB,
#   PGR_SAMPLE (10000 pgr_dijkstra pairs), PGR_BD_SAMPLE (1000 pgr_bdDijkstra pairs),
#   PGR_EXPLAIN_SAMPLE (1000 server-side EXPLAIN ANALYZE pairs).
# Output: OUT_DIR/pgrouting.txt, OUT_DIR/pgrouting.json, OUT_DIR/pgrouting/*.time.
set -euo pipefail
die() { echo "pgrouting.sh: error: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: $0 OUT_DIR PBF"
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(realpath -m "$1")
PBF=$(realpath -e "$2") || die "PBF not found: $2"
[ -s "$OUT/queries.csv" ] || die "$OUT/queries.csv missing: run \`routing-bench osm PBF $OUT\` (run.sh does) first"
PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
DB=${PGR_DB:-yingji_bench_pgr}
case "$DB" in
  test | postgres | root | template0 | template1) die "refusing to drop database '$DB': pick another PGR_DB" ;;
esac
[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || die "PGR_DB must be a plain lower-case identifier: $DB"
[ -x /usr/bin/time ] || die "/usr/bin/time (Debian package 'time') is needed for peak memory"
CONF=/usr/share/osm2pgrouting/mapconfig_for_cars.xml

# --- packages ---------------------------------------------------------------
missing=()
for p in postgresql-15-pgrouting osm2pgrouting osmium-tool; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages (${missing[*]}); install them as root"
  echo "pgrouting.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } ||
    die "apt-get install ${missing[*]} failed"
fi
[ -r "$CONF" ] || die "$CONF not found (osm2pgrouting package)"
psql -X -q -d postgres -c 'SELECT 1' >/dev/null || die "cannot connect to PostgreSQL at $PGHOST:$PGPORT as $PGUSER"

W=$OUT/pgrouting
mkdir -p "$W"
cd "$W"
rm -f "$OUT/pgrouting.json" "$OUT/pgrouting.txt"

# --- python client (psycopg 3) -----------------------------------------------
PY=${PGR_PYTHON:-python3}
if ! venv/bin/python -c 'import psycopg' 2>/dev/null; then
  rm -rf venv
  "$PY" -m venv venv || die "$PY -m venv failed"
  venv/bin/pip install -q 'psycopg[binary]>=3.1' || die "pip install psycopg[binary] failed"
fi

# --- database and load ---------------------------------------------------------
psql -X -q -v ON_ERROR_STOP=1 -d postgres \
  -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" || die "cannot (re)create database $DB"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -c 'CREATE EXTENSION postgis' -c 'CREATE EXTENSION pgrouting' ||
  die "CREATE EXTENSION postgis/pgrouting failed in $DB"
cp -f "$PBF" li.osm.pbf
chmod u+w li.osm.pbf
# preprocessing = PBF -> XML conversion (osm2pgrouting reads only XML) + osm2pgrouting load
nice -n 10 /usr/bin/time -v osmium cat li.osm.pbf -o li.osm -O >convert.log 2>convert.time ||
  { cat convert.log convert.time >&2; die "osmium cat failed"; }
nice -n 10 /usr/bin/time -v osm2pgrouting -f li.osm -c "$CONF" -d "$DB" -U "$PGUSER" -h "$PGHOST" -p "$PGPORT" \
  --clean >load.log 2>load.time || { tail -20 load.log load.time >&2; die "osm2pgrouting failed"; }
# osm2pgrouting prints some errors but still exits 0: check that the tables are there
n=$(psql -X -qtA -d "$DB" -c 'SELECT count(*) FROM ways') || die "no ways table after osm2pgrouting (see $W/load.log)"
[ "$n" -gt 0 ] || die "osm2pgrouting loaded 0 ways (see $W/load.log)"
# planner statistics (not needed by pgRouting itself; timed separately)
nice -n 10 /usr/bin/time -v psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -c 'VACUUM ANALYZE' >/dev/null 2>analyze.time ||
  die "VACUUM ANALYZE failed (see $W/analyze.time)"
grep -H -E "Maximum resident|Elapsed" convert.time load.time
psql -X -qtA -d "$DB" -c "SELECT 'pgrouting: database size ' || pg_size_pretty(pg_database_size('$DB'))
  || ', ways + vertices tables with indexes ' || pg_size_pretty(pg_total_relation_size('ways') + pg_total_relation_size('ways_vertices_pgr'))"

# --- queries -------------------------------------------------------------------
if ! nice -n 10 /usr/bin/time -v venv/bin/python "$HERE/pgrouting_bench.py" --out "$OUT" \
  --dsn "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$DB" \
  --sample "${PGR_SAMPLE:-10000}" --bd-sample "${PGR_BD_SAMPLE:-1000}" \
  --explain-sample "${PGR_EXPLAIN_SAMPLE:-1000}" 2>client.time | tee "$OUT/pgrouting.txt"; then
  tail -20 client.time >&2
  die "pgrouting_bench.py failed"
fi
[ -s "$OUT/pgrouting.json" ] || die "pgrouting_bench.py wrote no $OUT/pgrouting.json"
