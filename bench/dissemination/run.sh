#!/usr/bin/env bash
# Reproduces bench/dissemination/RESULTS.md (issue 3): N SMS deliveries of one
# published warning to a local HTTP gateway that fails 5 % of requests and is
# killed (SIGKILL) and restarted once mid-run, while `yingji serve` itself is
# killed (SIGKILL) and restarted once; then checks that every recipient was
# delivered and no idempotency key was accepted twice, and measures the
# gateway's own capacity in the same run as the anchor (anchor.mjs).
#   bench/dissemination/run.sh [OUT_DIR]   (default /tmp/dissemination-bench)
# Environment: N (1000000) subscribers, all in COUNTY (140213 平城区);
#   DATABASE_URL: unset → SQLite in OUT_DIR/data; postgres://…/DB → that database,
#     dropped and created afresh (only that one);
#   FAIL_RATE (0.05); KILL_GW_AT (0.30) and KILL_YJ_AT (0.60) of N accepted by the
#   gateway; GW_DOWN_S (3) seconds the gateway stays down; WORKER_MS (50)
#   worker_interval_ms; WORKER_BATCH (500) worker_batch; CONCURRENCY (64)
#   worker_concurrency, and the requests in flight of the anchor; ANCHOR_COUNT
#   (min(N, 100000));
#   PLAN_BATCH (1000) subscribers per planning transaction;
#   MAX_WAIT_S (36000); SKIP_BUILD=1 reuses the release binary; YINGJI_BIN (the
#   binary to run, default $CARGO_TARGET_DIR/release/yingji); CARGO_TARGET_DIR.
# Run on demand; never part of the tests. Writes OUT_DIR/conditions.txt, events.tsv,
# summary.md, progress.tsv, db-*.tsv, the gateway ledger (ledger.tsv) and the logs.
set -euo pipefail
SELF=$(realpath "$0")
HERE=$(dirname "$SELF")
ROOT=$(realpath "$HERE/../..")
case "${1:-}" in -h | --help) sed -n '2,20p' "$SELF"; exit 0 ;; esac
OUT=$(realpath -m "${1:-/tmp/dissemination-bench}")
N=${N:-1000000}
COUNTY=${COUNTY:-140213}
FAIL_RATE=${FAIL_RATE:-0.05}
KILL_GW_AT=${KILL_GW_AT:-0.30}
KILL_YJ_AT=${KILL_YJ_AT:-0.60}
GW_DOWN_S=${GW_DOWN_S:-3}
WORKER_MS=${WORKER_MS:-50}
CONCURRENCY=${CONCURRENCY:-64}
WORKER_BATCH=${WORKER_BATCH:-500}
PLAN_BATCH=${PLAN_BATCH:-1000}
ANCHOR_COUNT_SET=${ANCHOR_COUNT:-}
MAX_WAIT_S=${MAX_WAIT_S:-36000}
GW_PORT=${GW_PORT:-18481}
YJ_PORT=${YJ_PORT:-18482}
ANCHOR_PORT=${ANCHOR_PORT:-18483}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
B=${YINGJI_BIN:-$CARGO_TARGET_DIR/release/yingji}
mkdir -p "$OUT"
cd "$ROOT"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  nice -n 10 make web
  nice -n 10 cargo build --release -p yingji
fi

D="$OUT/data"
rm -rf "$D" "$OUT/ledger.tsv" "$OUT/anchor-ledger.tsv" "$OUT/progress.tsv" "$OUT"/*.log
mkdir -p "$D"
DBARGS=(--data-dir "$D")
BACKEND=sqlite
if [ -n "${DATABASE_URL:-}" ]; then
  BACKEND=postgres
  PGDB=${DATABASE_URL##*/}
  psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS $PGDB" -c "CREATE DATABASE $PGDB"
  DBARGS+=(--database "$DATABASE_URL")
fi
sql() { # one query, tab-separated rows
  if [ "$BACKEND" = sqlite ]; then sqlite3 -separator $'\t' "file:$D/yingji.db?mode=ro" "$1"
  else psql "$DATABASE_URL" -tAF $'\t' -c "$1"; fi
}

{
  echo "run.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), N=$N, $BACKEND, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "cpu: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "memory: $(free -h | awk '/Mem:/ {print $2}'); rustc: $(rustc --version); node: $(node --version)"
  echo "yingji: $(git -C "$ROOT" log -1 --format='%h %s' | cut -c1-100)"
  if [ "$BACKEND" = postgres ]; then echo "postgres: $(psql "$DATABASE_URL" -tAc 'SHOW server_version')"; fi
} | tee "$OUT/conditions.txt"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
now() { date +%s.%N; }
ms() { date +%s%3N; }

# 1. The demo (not served), its settlements, N subscribers of one county, imported.
nice -n 10 "$B" "${DBARGS[@]}" demo --no-serve
nice -n 10 "$B" "${DBARGS[@]}" export registry --kind settlement --out "$OUT/settlements.csv"
python3 "$HERE/gen.py" "$OUT/settlements.csv" "$OUT/subscribers.csv" "$N" "$COUNTY"
# The demo has warning subscribers of its own (one per 100 residents): those
# of COUNTY are reached too, so every count below is N + theirs.
sql "SELECT phone FROM registry_items WHERE kind = 'subscriber' AND division LIKE '$COUNTY%'" >"$OUT/demo-phones.txt"
N_DEMO=$(wc -l <"$OUT/demo-phones.txt")
N_SUBS=$N
N=$((N_SUBS + N_DEMO))
ANCHOR_COUNT=${ANCHOR_COUNT_SET:-$((N < 100000 ? N : 100000))}
echo "subscribers: $N_SUBS generated + $N_DEMO of the demo in $COUNTY = $N recipients" | tee -a "$OUT/conditions.txt"
t0=$(now)
nice -n 10 "$B" "${DBARGS[@]}" import registry --kind subscriber "$OUT/subscribers.csv"
echo "import: $(python3 -c "print(f'{$(now) - $t0:.1f}')") s" | tee -a "$OUT/conditions.txt"

# 2. The gateway and the server.
cat >"$OUT/yingji.toml" <<EOF
listen = "127.0.0.1:$YJ_PORT"

[warnings]
worker_interval_ms = $WORKER_MS
worker_batch = $WORKER_BATCH
worker_concurrency = $CONCURRENCY
plan_batch = $PLAN_BATCH

[warnings.channels.sms]
url = "http://127.0.0.1:$GW_PORT/sms"
sign = "大同应急"
timeout_ms = 5000
body = { format = "json", template = { phone = "{phone}", content = "{text}", key = "{key}" } }
success = { pointer = "/code", equals = "0", retry_values = ["500"], message_pointer = "/msg" }

[cluster]
node_id = "bench-dissem"

[warnings.channels.retry]
base_ms = 200
cap_ms = 2000
min_ms = 50
max_attempts = 100
EOF
GW_PID=
start_gateway() {
  nice -n 10 node "$HERE/gateway.mjs" "$GW_PORT" "$OUT/ledger.tsv" "$FAIL_RATE" >>"$OUT/gateway.log" 2>&1 &
  GW_PID=$!
  PIDS+=("$GW_PID")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$GW_PORT/stats" >/dev/null && return; sleep 0.1; done
  echo "run.sh: the gateway did not start" >&2; exit 1
}
YJ_PID=
start_yingji() {
  RUST_LOG=info NO_COLOR=1 nice -n 10 "$B" --config "$OUT/yingji.toml" "${DBARGS[@]}" serve >>"$OUT/yingji.log" 2>&1 &
  YJ_PID=$!
  PIDS+=("$YJ_PID")
  for _ in $(seq 1200); do curl -sf "http://127.0.0.1:$YJ_PORT/healthz" >/dev/null && return; sleep 0.1; done
  echo "run.sh: yingji did not start" >&2; exit 1
}
start_gateway
start_yingji

API=http://127.0.0.1:$YJ_PORT/api/v1
login() {
  curl -sf -c "$OUT/$1.cookies" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"Demo@2025\"}" "$API/auth/login" >/dev/null
}
call() { # user method path [json]
  curl -s -b "$OUT/$1.cookies" -H 'x-requested-with: yingji' -H 'content-type: application/json' \
    -X "$2" ${4:+-d "$4"} "$API$3"
}
login pingcheng
login commander
EXPIRES=$(date -u -d '+12 hours' '+%Y-%m-%dT%H:%M:%SZ')
t0=$(now)
W=$(call pingcheng POST /warnings "{\"hazard\":\"rainstorm\",\"level\":\"yellow\",
  \"description\":\"预计未来6小时内平城区降雨量将达50毫米以上，请注意防范。（演练，分发基准测试）\",
  \"area\":{\"divisions\":[\"$COUNTY\"]},\"area_desc\":\"平城区全境\",\"expires_at\":\"$EXPIRES\",\"exercise\":true}")
WID=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$W" 2>/dev/null) || {
  echo "run.sh: the draft was refused: ${W:0:600}" >&2; exit 1; }
echo "draft $WID: $(python3 -c "print(f'{$(now) - $t0:.1f}')") s, reach $(python3 -c 'import json,sys; r=json.loads(sys.argv[1])["reach"]; print(r.get("subscribers_by_channel"))' "$W")" | tee -a "$OUT/conditions.txt"
for step in "pingcheng 1 submit" "commander 2 approve"; do
  set -- $step
  R=$(call "$1" POST "/warnings/$WID/events" "{\"version\":$2,\"kind\":\"$3\"}")
  case "$R" in *'"state"'*) ;; *) echo "run.sh: $3 refused: ${R:0:600}" >&2; exit 1 ;; esac
done
T_PUBLISH=$(ms)
R=$(call commander POST "/warnings/$WID/events" '{"version":3,"kind":"publish"}')
T_PUBLISHED=$(ms)
case "$R" in *'"published"'*) ;; *) echo "run.sh: publish refused: ${R:0:600}" >&2; exit 1 ;; esac
PLANNED=$(sql "SELECT count(*) FROM deliveries WHERE warning_id = $WID")
echo "publish (answers; planning goes on in the background): $(((T_PUBLISHED - T_PUBLISH)))ms, $PLANNED deliveries planned by then" | tee -a "$OUT/conditions.txt"

# 3. Wait for every delivery, killing the gateway at KILL_GW_AT and yingji at KILL_YJ_AT.
EVENTS="$OUT/events.tsv"
printf 'publish\t%s\npublished\t%s\n' "$T_PUBLISH" "$T_PUBLISHED" >"$EVENTS"
GW_KILL=$(python3 -c "print(int($N * $KILL_GW_AT))")
YJ_KILL=$(python3 -c "print(int($N * $KILL_YJ_AT))")
gw_killed=0 yj_killed=0 planned=0 start=$(date +%s)
hwm() { awk '/VmHWM/ {print $2}' "/proc/$YJ_PID/status" 2>/dev/null || echo 0; }
unique() { curl -sf "http://127.0.0.1:$GW_PORT/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["unique"])'; }
while :; do
  u=$(unique || echo 0)
  printf '%s\t%s\n' "$(ms)" "$u" >>"$OUT/progress.tsv"
  if [ "$planned" = 0 ] && [ -n "$(sql "SELECT done_at FROM delivery_plans WHERE warning_id = $WID AND done_at IS NOT NULL")" ]; then
    printf 'planned\t%s\t%s\n' "$(ms)" "$(sql "SELECT planned FROM delivery_plans WHERE warning_id = $WID")" | tee -a "$EVENTS"
    planned=1
  fi
  if [ "$gw_killed" = 0 ] && [ "$u" -ge "$GW_KILL" ]; then
    kill -9 "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
    printf 'gateway_killed\t%s\t%s\n' "$(ms)" "$u" | tee -a "$EVENTS"
    sleep "$GW_DOWN_S"
    start_gateway
    printf 'gateway_restarted\t%s\t%s\n' "$(ms)" "$(unique)" | tee -a "$EVENTS"
    gw_killed=1
    continue
  fi
  if [ "$yj_killed" = 0 ] && [ "$u" -ge "$YJ_KILL" ]; then
    printf 'hwm_kb_1\t%s\n' "$(hwm)" | tee -a "$EVENTS"
    kill -9 "$YJ_PID"; wait "$YJ_PID" 2>/dev/null || true
    printf 'yingji_killed\t%s\t%s\n' "$(ms)" "$(unique)" | tee -a "$EVENTS"
    start_yingji
    printf 'yingji_restarted\t%s\t%s\n' "$(ms)" "$(unique)" | tee -a "$EVENTS"
    yj_killed=1
    continue
  fi
  if [ "$u" -ge "$N" ]; then
    left=$(sql "SELECT count(*) FROM deliveries WHERE warning_id = $WID AND state <> 'delivered'")
    [ "$left" = 0 ] && break
  fi
  if [ $(($(date +%s) - start)) -gt "$MAX_WAIT_S" ]; then
    echo "run.sh: not done after $MAX_WAIT_S s: gateway has $u of $N" >&2; exit 1
  fi
  sleep 1
done
printf 'all_delivered\t%s\n' "$(ms)" | tee -a "$EVENTS"
printf 'hwm_kb_2\t%s\n' "$(hwm)" | tee -a "$EVENTS"
sql "SELECT state, count(*), sum(attempts), max(attempts), count(DISTINCT idempotency_key) FROM deliveries WHERE warning_id = $WID GROUP BY state" |
  sed 's/^/db\t/' | tee "$OUT/db-states.tsv"
sql "SELECT attempts, count(*) FROM deliveries WHERE warning_id = $WID GROUP BY attempts ORDER BY attempts" >"$OUT/db-attempts.tsv"
CONTENT_CHARS=$(curl -sf "http://127.0.0.1:$GW_PORT/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["content_chars"])')
kill "$YJ_PID" "$GW_PID" 2>/dev/null || true
wait "$YJ_PID" "$GW_PID" 2>/dev/null || true

# 4. The anchor: a fresh gateway (same code, same failure rate) and a Node client
# with the same number of requests in flight as the worker.
nice -n 10 node "$HERE/gateway.mjs" "$ANCHOR_PORT" "$OUT/anchor-ledger.tsv" "$FAIL_RATE" >"$OUT/anchor-gateway.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$ANCHOR_PORT/stats" >/dev/null && break; sleep 0.1; done
nice -n 10 node "$HERE/anchor.mjs" "http://127.0.0.1:$ANCHOR_PORT/sms" "$ANCHOR_COUNT" "$CONCURRENCY" "$CONTENT_CHARS" | tee "$OUT/anchor.json"
kill "${PIDS[-1]}" 2>/dev/null || true

# 5. Verify and report.
python3 "$HERE/verify.py" "$OUT" "$N" | tee "$OUT/summary.md"
echo "run.sh: done $(date -u '+%H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT" | tee -a "$OUT/conditions.txt"
if [ "$BACKEND" = postgres ]; then psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE $PGDB"; fi
