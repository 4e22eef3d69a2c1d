#!/usr/bin/env bash
# Fuzzing benchmark: builds the cargo-fuzz targets of fuzz/ and runs each for
# a fixed time, then prints per target: executions, execs/s, corpus size,
# coverage (libFuzzer's cov/ft) and crashes. Not part of `make test` or CI.
#
#   bench/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60, all)
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz
# --locked`). Each run starts from the committed seeds (fuzz/seeds/TARGET,
# plus crates/cap/tests/data for CAP) in a fresh working corpus
# fuzz/corpus/TARGET; libFuzzer runs in fork mode (one job) so that a crash,
# out-of-memory or timeout is counted and saved to fuzz/corpus/TARGET.artifacts/
# and the run goes on for the whole time. Full logs: fuzz/corpus/TARGET.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(cap_parse_validate osm_import registry_import)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/fuzz/target}

# Per target: extra seed directories and input size limit.
seeds() {
  case $1 in
    cap_parse_validate) echo "fuzz/seeds/$1 crates/cap/tests/data" ;;
    *) echo "fuzz/seeds/$1" ;;
  esac
}
max_len() {
  case $1 in
    cap_parse_validate) echo 16384 ;;
    osm_import) echo 65536 ;;   # the raw seed extract is 43 KB
    registry_import) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

# Build once, then run the binaries directly: `cargo fuzz run` passes other
# build settings than `cargo fuzz build` and would rebuild everything.
cargo +nightly fuzz build -O
bin=$CARGO_TARGET_DIR/$(rustc +nightly -vV | sed -n 's/^host: //p')/release

printf '%-20s %12s %9s %16s %8s %8s %s\n' target executions execs/s corpus cov ft "crashes (crash/oom/timeout)"
for t in "${targets[@]}"; do
  corpus=fuzz/corpus/$t
  found=fuzz/corpus/$t.artifacts
  rm -rf "$corpus" "$found" && mkdir -p "$corpus" "$found"
  log=fuzz/corpus/$t.log
  # shellcheck disable=SC2046
  "$bin/$t" "$corpus" $(seeds "$t") \
    -max_total_time="$secs" -rss_limit_mb=2048 -max_len="$(max_len "$t")" -timeout=10 \
    -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 -artifact_prefix="$found/" \
    >"$log" 2>&1 || true
  # Fork mode's status lines: "#EXECS: cov: C ft: F corp: N exec/s: E oom/timeout/crash: O/T/X time: S job: J ..."
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
  if [ -z "$last" ]; then
    printf '%-20s no status line: see %s\n' "$t" "$log"
    continue
  fi
  execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
  field() { sed -E "s|.* $1: ([^ ]+).*|\1|" <<<"$last"; }
  otc=$(field oom/timeout/crash)
  IFS=/ read -r oom timeout crash <<<"$otc"
  files=$(find "$corpus" -type f | wc -l)
  bytes=$(du -sb "$corpus" | cut -f1)
  t_s=$(field time | tr -d s)
  printf '%-20s %12s %9s %16s %8s %8s %s\n' "$t" "$execs" "$((execs / (t_s > 0 ? t_s : 1)))" \
    "$files files/${bytes}b" "$(field cov)" "$(field ft)" "$((oom + timeout + crash)) ($crash/$oom/$timeout)"
done
echo "inputs that crashed, ran out of memory or timed out (this run):"
find fuzz/corpus -path '*.artifacts/*' -type f | sort | sed 's/^/  /'
