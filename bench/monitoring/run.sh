#!/usr/bin/env bash
# Readings per second from Mosquitto into durable storage (yingji's MQTT
# consumer: QoS 1, acknowledged after commit, rules run, counters and the
# 1-minute and 1-hour roll-ups kept) against the anchor measured in the same
# run: the broker's own delivery rate of the same messages to a null QoS 1
# subscriber (mosquitto_sub).
#
#   bench/monitoring/run.sh [N] [YINGJI_BIN]          # SQLite (default)
#   DATABASE=postgres://postgres@127.0.0.1:5432/bench bench/monitoring/run.sh   # an empty database
#
# Needs mosquitto (with mosquitto_pub/mosquitto_sub), curl and python3. The
# run starts its own broker on a free port with `max_queued_messages 0`:
# with Mosquitto's default (1,000 a session) a consumer slower than the
# publisher has the rest of the stream dropped by the broker, and the run
# would never see N readings stored (see docs/operations.md).
# Prints one line: readings, both rates, the ratio, the database, yingji's
# peak resident memory.
set -euo pipefail
N="${1:-20000}"
BIN="${2:-${YINGJI_BIN:-target/release/yingji}}"
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
BROKER_PORT=$(free_port)
INFLIGHT="${INFLIGHT:-100}"
cat >"$WORK/mosquitto.conf" <<CONF
listener $BROKER_PORT 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_inflight_messages $INFLIGHT
CONF
mosquitto -c "$WORK/mosquitto.conf" >"$WORK/broker.log" 2>&1 &
for _ in $(seq 1 50); do (echo >/dev/tcp/127.0.0.1/$BROKER_PORT) 2>/dev/null && break; sleep 0.1; done

# The demo's data (6 sensors), served with the MQTT consumer on.
args=(--data-dir "$WORK/data")
if [ -n "${DATABASE:-}" ]; then args+=(--database "$DATABASE"); fi
"$BIN" "${args[@]}" demo --no-serve >/dev/null
ROOT="bench$RANDOM"
YINGJI_MQTT_URL="mqtt://127.0.0.1:$BROKER_PORT" YINGJI_LOG=warn "$BIN" "${args[@]}" serve --listen "127.0.0.1:$PORT" \
  >"$WORK/serve.log" 2>&1 &
SERVE=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
curl -fs -c "$WORK/c" -H 'content-type: application/json' -d '{"username":"admin","password":"Demo@2025"}' \
  "http://127.0.0.1:$PORT/api/v1/auth/login" >/dev/null
TOPIC=$(curl -fs -b "$WORK/c" "http://127.0.0.1:$PORT/api/v1/monitoring/sensors" |
  python3 -c 'import json,sys; print([s["topic"] for s in json.load(sys.stdin) if s["kind"]=="temperature"][0])')
accepted() {
  curl -fs -b "$WORK/c" "http://127.0.0.1:$PORT/api/v1/monitoring/devices" |
    python3 -c 'import json,sys; print(sum(d["accepted"] for d in json.load(sys.stdin)))'
}
# N readings, one a millisecond back from now (all inside the time window).
python3 - "$N" >"$WORK/msgs" <<'PY'
import sys, datetime
n = int(sys.argv[1]); now = datetime.datetime.now(datetime.timezone.utc)
for i in range(n):
    t = now - datetime.timedelta(milliseconds=n - i)
    print('{"at":"%s","value":%.2f}' % (t.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (t.microsecond // 1000), 20 + (i % 100) / 10))
PY

# Anchor: the broker delivering the same N messages to a null subscriber.
mosquitto_sub -p "$BROKER_PORT" -q 1 -t "$ROOT/anchor" -C "$N" >/dev/null &
SUB=$!
sleep 0.5
t0=$(date +%s.%N)
mosquitto_pub -p "$BROKER_PORT" -q 1 -t "$ROOT/anchor" -l <"$WORK/msgs"
wait $SUB
t1=$(date +%s.%N)
anchor=$(python3 -c "print(round($N/($t1-$t0)))")

# yingji: the same messages on the sensor's topic, until all are stored
# (at most 15 minutes).
base=$(accepted)
t0=$(date +%s.%N)
mosquitto_pub -p "$BROKER_PORT" -q 1 -t "$TOPIC" -l <"$WORK/msgs"
deadline=$(( $(date +%s) + 900 ))
while [ "$(( $(accepted) - base ))" -lt "$N" ]; do
  if [ "$(date +%s)" -gt "$deadline" ]; then
    echo "gave up: $(( $(accepted) - base )) of $N stored after 15 minutes" >&2
    exit 1
  fi
  sleep 0.1
done
t1=$(date +%s.%N)
ours=$(python3 -c "print(round($N/($t1-$t0)))")
rss=$(awk '/VmHWM/ {print $2 " kB"}' "/proc/$SERVE/status" 2>/dev/null || echo "?")
echo "readings=$N broker_to_null_subscriber=${anchor}/s yingji_to_storage=${ours}/s ratio=$(python3 -c "print(round($ours/$anchor, 3))") db=$([ -n "${DATABASE:-}" ] && echo postgres || echo sqlite) peak_rss=${rss}"
