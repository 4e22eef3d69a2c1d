#!/usr/bin/env bash
# Reproduces bench/sse/RESULTS.md: 500 concurrent SSE viewers of one incident
# while 续报 updates are posted, on SQLite and on PostgreSQL, each against the
# same run with a single viewer (the anchor: what fan-out costs).
#   bench/sse/run.sh [OUT_DIR]         (from anywhere; default /tmp/sse-bench)
# Environment: VIEWERS (500), WRITES (200), INTERVAL_MS (50), PG_ADMIN
#   (postgres://postgres@127.0.0.1:5432/postgres; PG=0 skips PostgreSQL).
# Builds the web UI and the release binary (target dir $CARGO_TARGET_DIR or
# ./target) and the client (/tmp/target-bench-sse), starts `yingji demo` on a
# fresh data directory / a fresh database `yingji_bench_sse` on 127.0.0.1.
set -euo pipefail
SELF=$(realpath "$0")
HERE=$(dirname "$SELF")
cd "$HERE/../.."
case "${1:-}" in -h | --help) sed -n '2,10p' "$SELF"; exit 0 ;; esac
OUT=$(realpath -m "${1:-/tmp/sse-bench}")
mkdir -p "$OUT"
VIEWERS=${VIEWERS:-500} WRITES=${WRITES:-200} INTERVAL_MS=${INTERVAL_MS:-50}
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
ulimit -n 8192 2>/dev/null || true

make web >/dev/null
nice cargo build --release -p yingji
BIN=$CARGO_TARGET_DIR/release/yingji
CARGO_TARGET_DIR=/tmp/target-bench-sse nice cargo build --release --manifest-path "$HERE/Cargo.toml"
CLIENT=/tmp/target-bench-sse/release/sse-bench

PORT=18090
SERVER=""
stop() { [ -z "$SERVER" ] || { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; }; }
trap stop EXIT

# start NAME [--database URL]: a fresh demo, served on $PORT
start() {
  local name=$1; shift
  local dir="$OUT/data-$name"
  rm -rf "$dir"
  "$BIN" --data-dir "$dir" "$@" demo --listen "127.0.0.1:$PORT" >"$OUT/server-$name.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "run.sh: the $name server did not start (see $OUT/server-$name.log)" >&2
  exit 1
}

measure() {
  local name=$1
  for n in 1 "$VIEWERS"; do
    echo "== $name: $n viewer(s), $WRITES updates every $INTERVAL_MS ms"
    "$CLIENT" --url "http://127.0.0.1:$PORT" --viewers "$n" --writes "$WRITES" \
      --interval-ms "$INTERVAL_MS" --label "$name-$n" --json "$OUT/$name-$n.json" >/dev/null
  done
}

start sqlite
measure sqlite
stop

if [ "${PG:-1}" != 0 ]; then
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS yingji_bench_sse" -c "CREATE DATABASE yingji_bench_sse" >/dev/null
  start postgres --database "${PG_ADMIN%/*}/yingji_bench_sse"
  measure postgres
  stop
fi

python3 - "$OUT" "$VIEWERS" <<'PY'
import json, pathlib, sys
out, n = pathlib.Path(sys.argv[1]), sys.argv[2]
rows = ["| backend | viewers | write ack p50 / p99 (ms) | write → a viewer p50 / p99 (ms) | write → every viewer p50 / p99 / max (ms) | p99 ratio to 1 viewer |",
        "|---|---:|---:|---:|---:|---:|"]
for be in ("sqlite", "postgres"):
    one, many = out / f"{be}-1.json", out / f"{be}-{n}.json"
    if not (one.exists() and many.exists()):
        continue
    a, b = json.loads(one.read_text()), json.loads(many.read_text())
    for r in (a, b):
        ratio = r["write_to_every_viewer"]["p99_ms"] / a["write_to_every_viewer"]["p99_ms"]
        rows.append(f"| {be} | {r['viewers']} | {r['write_ack']['p50_ms']:.1f} / {r['write_ack']['p99_ms']:.1f} "
                    f"| {r['write_to_viewer']['p50_ms']:.1f} / {r['write_to_viewer']['p99_ms']:.1f} "
                    f"| {r['write_to_every_viewer']['p50_ms']:.1f} / {r['write_to_every_viewer']['p99_ms']:.1f} / {r['write_to_every_viewer']['max_ms']:.1f} "
                    f"| {ratio:.2f} |")
text = "\n".join(rows) + "\n"
(out / "table.md").write_text(text)
print(text)
PY
