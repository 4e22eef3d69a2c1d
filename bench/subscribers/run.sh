#!/usr/bin/env bash
# Reproduces bench/subscribers/RESULTS.md: importing 1,000,000 warning
# subscribers (CSV) through HTTP into a release `yingji demo` server, on
# SQLite and on PostgreSQL, against an anchor measured in the same run:
# PostgreSQL's own COPY of the same CSV into a plain table.
#   bench/subscribers/run.sh [OUT_DIR]        (from anywhere; default /tmp/subscribers-bench)
# Environment: N (default 1000000) rows; PG (default postgres://postgres@127.0.0.1:5432)
#   server URL without a database — the script creates and finally drops only the
#   database yingji_bench_subscribers; SKIP_PG=1 measures SQLite only;
#   CARGO_TARGET_DIR as usual (default: the repository's target/).
# Steps: build the release binary, create the Datong demo on SQLite, export its
# settlements, generate the subscribers from them (gen.py, deterministic), start
# `yingji demo` and time one multipart upload (curl, loopback) until the answer
# `{"imported": N}`; the same on a PostgreSQL demo database; then `\copy` the file
# into a plain table in that database. Run on demand; never part of the tests.
set -euo pipefail
SELF=$(realpath "$0")
HERE=$(dirname "$SELF")
ROOT=$(realpath "$HERE/../..")
case "${1:-}" in -h | --help) sed -n '2,16p' "$SELF"; exit 0 ;; esac
OUT=$(realpath -m "${1:-/tmp/subscribers-bench}")
N=${N:-1000000}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=yingji_bench_subscribers
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$OUT"
cd "$ROOT"
nice -n 10 cargo build --release -p yingji
B=$CARGO_TARGET_DIR/release/yingji

{
  echo "run.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "cpu: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "memory: $(free -h | awk '/Mem:/ {print $2}'); rustc: $(rustc --version)"
  echo "postgres: $(psql "$PG/postgres" -tAc 'SHOW server_version' 2>/dev/null || echo n/a)"
} | tee "$OUT/conditions.txt"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

now() { date +%s.%N; }

# Start `yingji demo` on PORT with the given environment, log in as admin,
# upload the file; the seconds go to SECONDS_TAKEN.
import_over_http() {
  local port=$1 label=$2
  shift 2
  env RUST_LOG=info NO_COLOR=1 "$@" "$B" demo --listen "127.0.0.1:$port" >"$OUT/$label-server.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
  curl -sf -c "$OUT/$label.cookies" -H 'content-type: application/json' \
    -d '{"username":"admin","password":"Demo@2025"}' "http://127.0.0.1:$port/api/v1/auth/login" >/dev/null
  local t0 t1
  t0=$(now)
  curl -s -b "$OUT/$label.cookies" -H 'x-requested-with: yingji' \
    -F "file=@$OUT/subscribers.csv;type=text/csv" -o "$OUT/$label-answer.json" \
    "http://127.0.0.1:$port/api/v1/registries/subscriber/import"
  t1=$(now)
  local got
  got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("imported", 0))' "$OUT/$label-answer.json")
  if [ "$got" != "$N" ]; then
    echo "run.sh: $label import failed: $(head -c 600 "$OUT/$label-answer.json")" >&2
    exit 1
  fi
  echo "$label server peak RSS: $(awk '/VmHWM/ {print $2, $3}' "/proc/${PIDS[-1]}/status")" | tee -a "$OUT/conditions.txt"
  sed 's/\x1b\[[0-9;]*m//g' "$OUT/$label-server.log" |
    grep -o 'read_and_validated_ms=[0-9]* written_ms=[0-9]* committed_ms=[0-9]*' | sed "s/^/$label: /" | tee -a "$OUT/conditions.txt" || true
  kill "${PIDS[-1]}" && wait "${PIDS[-1]}" 2>/dev/null || true
  SECONDS_TAKEN=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
}

# 1. The demo dataset on SQLite, its settlements, the subscribers.
S="$OUT/sqlite"
rm -rf "$S" && mkdir -p "$S"
YINGJI_DATA_DIR="$S" "$B" demo --no-serve
YINGJI_DATA_DIR="$S" "$B" export registry --kind settlement --out "$OUT/settlements.csv"
python3 "$HERE/gen.py" "$OUT/settlements.csv" "$OUT/subscribers.csv" "$N"
SIZE=$(stat -c %s "$OUT/subscribers.csv")
echo "file: $N rows, $SIZE bytes, sha256 $(sha256sum "$OUT/subscribers.csv" | cut -c1-16)…" | tee -a "$OUT/conditions.txt"

# 2. SQLite through HTTP.
import_over_http 18471 sqlite YINGJI_DATA_DIR="$S" YINGJI_MAX_IMPORT_MB=400
T_SQLITE=$SECONDS_TAKEN
echo "sqlite: $T_SQLITE s" | tee "$OUT/results.txt"

if [ "${SKIP_PG:-0}" != 1 ]; then
  # 3. PostgreSQL through HTTP (a fresh demo database).
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  P="$OUT/pg"
  rm -rf "$P" && mkdir -p "$P"
  import_over_http 18472 pg YINGJI_DATA_DIR="$P" YINGJI_DATABASE_URL="$PG/$DB" YINGJI_MAX_IMPORT_MB=400
  T_PG=$SECONDS_TAKEN
  echo "postgres: $T_PG s" | tee -a "$OUT/results.txt"

  # 4. The anchor: COPY of the same file into a plain table, same database.
  psql "$PG/$DB" -qc "CREATE TABLE copy_anchor (name TEXT, division TEXT, lon DOUBLE PRECISION, lat DOUBLE PRECISION,
      address TEXT, phone TEXT, subscriber_type TEXT, email TEXT, webhook_url TEXT)"
  t0=$(now)
  psql "$PG/$DB" -qc "\\copy copy_anchor FROM '$OUT/subscribers.csv' WITH (FORMAT csv, HEADER true)"
  t1=$(now)
  T_COPY=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
  ROWS=$(psql "$PG/$DB" -tAc "SELECT count(*) FROM copy_anchor")
  [ "$ROWS" = "$N" ] || { echo "run.sh: COPY loaded $ROWS rows" >&2; exit 1; }
  echo "copy: $T_COPY s" | tee -a "$OUT/results.txt"
  psql "$PG/postgres" -qc "DROP DATABASE $DB"
fi

python3 - "$OUT/results.txt" "$N" <<'EOF' | tee "$OUT/summary.md"
import sys
t = dict(l.split(": ")[0:2] for l in open(sys.argv[1]).read().splitlines())
t = {k: float(v.split()[0]) for k, v in t.items()}
n = int(sys.argv[2])
copy = t.get("copy")
print("| load | seconds | rows/s | × COPY time |")
print("|---|---:|---:|---:|")
for k, label in [("sqlite", "yingji HTTP import, SQLite"), ("postgres", "yingji HTTP import, PostgreSQL"),
                 ("copy", "PostgreSQL COPY, plain table (anchor)")]:
    if k in t:
        ratio = f"{t[k] / copy:.1f}" if copy else "–"
        print(f"| {label} | {t[k]:.1f} | {n / t[k]:,.0f} | {ratio} |")
EOF
echo "run.sh: done $(date -u '+%H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT" | tee -a "$OUT/conditions.txt"
