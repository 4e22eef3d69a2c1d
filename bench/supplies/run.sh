#!/usr/bin/env bash
# Ledger throughput (issue 17): N ledger postings (issues and transfers of
# two lines each, against the same two items of two warehouses) posted by 50
# concurrent HTTP clients, on SQLite and on PostgreSQL, with the consistency
# check (GET /supplies/check) passing after; the anchor, in the same run and
# on the same server, is N plain journaled writes of another kind
# (PUT /supplies/minimums: one upsert and one journal entry) by 50 clients.
#   bench/supplies/run.sh [OUT_DIR]        (default /tmp/supplies-bench)
# Environment: N (default 1000); C (default 50); PG (default
#   postgres://postgres@127.0.0.1:5432) — the script creates and finally drops
#   only the database yingji_bench_supplies; SKIP_PG=1 measures SQLite only;
#   YINGJI_BIN: a built binary (default: build the release one).
set -euo pipefail
SELF=$(realpath "$0")
HERE=$(dirname "$SELF")
ROOT=$(realpath "$HERE/../..")
case "${1:-}" in -h | --help) sed -n '2,13p' "$SELF"; exit 0 ;; esac
OUT=$(realpath -m "${1:-/tmp/supplies-bench}")
N=${N:-1000}
C=${C:-50}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=yingji_bench_supplies
mkdir -p "$OUT"
cd "$ROOT"
if [ -z "${YINGJI_BIN:-}" ]; then
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
  nice -n 10 cargo build --release -p yingji
  YINGJI_BIN=$CARGO_TARGET_DIR/release/yingji
fi
B=$YINGJI_BIN
{
  echo "run.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), binary $B"
  echo "cpu: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "postgres: $(psql "$PG/postgres" -tAc 'SHOW server_version' 2>/dev/null || echo n/a)"
} | tee "$OUT/conditions.txt"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

run() {
  local port=$1 label=$2
  shift 2
  env NO_COLOR=1 "$@" "$B" demo --listen "127.0.0.1:$port" >"$OUT/$label-server.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
  node "$HERE/load.mjs" "http://127.0.0.1:$port" "$N" "$C" | sed "s/^/$label: /" | tee -a "$OUT/results.txt"
  kill "${PIDS[-1]}" && wait "${PIDS[-1]}" 2>/dev/null || true
}

: >"$OUT/results.txt"
rm -rf "$OUT/sqlite" && mkdir -p "$OUT/sqlite"
run 18481 sqlite YINGJI_DATA_DIR="$OUT/sqlite"
if [ "${SKIP_PG:-0}" != 1 ]; then
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  rm -rf "$OUT/pg" && mkdir -p "$OUT/pg"
  run 18482 postgres YINGJI_DATA_DIR="$OUT/pg" YINGJI_DATABASE_URL="$PG/$DB"
  psql "$PG/postgres" -qc "DROP DATABASE $DB"
fi
