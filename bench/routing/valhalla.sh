#!/usr/bin/env bash
# Valhalla side by side on the same extract and the same query lists (written by
# `routing-bench osm` into OUT_DIR/queries.csv; see anchor_common.py).
#   bench/routing/valhalla.sh OUT_DIR PBF
# Downloads the pyvalhalla wheel from PyPI (pip download --only-binary=:all:
# --python-version 3.12 --platform manylinux_2_28_x86_64 --no-deps), unzips it,
# writes a config with the wheel's valhalla_build_config, builds the tiles with
# the wheel's valhalla_build_tiles (-j 1), then runs valhalla_bench.py in process
# through the bindings, which need Python >= 3.12 (the wheel is cp312-abi3).
# Environment: VALHALLA_VERSION (3.9.1), VALHALLA_PYTHON (a python >= 3.12; else
#   python3.12/3.13/python3 on PATH, pyenv's versions, then `uv python find/install`),
#   VALHALLA_SAMPLE (10000 route pairs), VALHALLA_JOBS (1 tile-build thread),
#   VALHALLA_COSTMATRIX_REPS (1 run of the slow default costmatrix; 0 skips it).
# Output: OUT_DIR/valhalla.txt, OUT_DIR/valhalla.json, OUT_DIR/valhalla/*.time.
set -euo pipefail
die() {
  echo "valhalla.sh: error: $*" >&2
  if [ -n "${OUT:-}" ] && [ -d "$OUT" ]; then
    printf '{"engine": "Valhalla", "error": %s}\n' "$(printf '%s' "$*" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')" >"$OUT/valhalla.json"
  fi
  exit 1
}
[ $# -ge 2 ] || die "usage: $0 OUT_DIR PBF"
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(realpath -m "$1")
mkdir -p "$OUT"
rm -f "$OUT/valhalla.json" "$OUT/valhalla.txt"
PBF=$(realpath -e "$2") || die "PBF not found: $2"
[ -s "$OUT/queries.csv" ] || die "$OUT/queries.csv missing: run \`routing-bench osm PBF $OUT\` (run.sh does) first"
[ -x /usr/bin/time ] || die "/usr/bin/time (Debian package 'time') is needed for peak memory"
VER=${VALHALLA_VERSION:-3.9.1}
W=$OUT/valhalla
mkdir -p "$W"
cd "$W"

# --- a Python >= 3.12 for the bindings ------------------------------------------
is312() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }
find_py312() {
  local c
  for c in "${VALHALLA_PYTHON:-}" python3.12 python3.13 python3.14 python3 \
    "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
    [ -n "$c" ] && is312 "$c" && { "$c" -c 'import sys; print(sys.executable)'; return 0; }
  done
  # uv: finds an installed interpreter, or downloads one (python-build-standalone,
  # which needs network access beyond the package registries, so it may fail)
  if [ ! -x uvtool/bin/uv ]; then
    python3 -m pip install -q --target uvtool uv >/dev/null 2>&1 || return 1
  fi
  c=$(PYTHONPATH= uvtool/bin/uv python find '>=3.12' 2>/dev/null) && is312 "$c" && { echo "$c"; return 0; }
  timeout 300 uvtool/bin/uv python install 3.12 >uv-install.log 2>&1 || return 1
  c=$(uvtool/bin/uv python find '>=3.12' 2>/dev/null) && is312 "$c" && { echo "$c"; return 0; }
  return 1
}
PY312=$(find_py312) || PY312=""
[ -n "$PY312" ] && echo "valhalla.sh: Python for the bindings: $PY312 ($("$PY312" -V 2>&1))"

# --- wheel ---------------------------------------------------------------------------
if [ ! -x wheel/valhalla/bin/valhalla_build_tiles ] || ! grep -q "^Version: $VER\$" wheel/pyvalhalla-*.dist-info/METADATA 2>/dev/null; then
  rm -rf wheel pyvalhalla-*.whl
  python3 -m pip download -q --only-binary=:all: --python-version 3.12 --platform manylinux_2_28_x86_64 \
    --no-deps "pyvalhalla==$VER" -d . || die "pip download pyvalhalla==$VER failed"
  unzip -q -o pyvalhalla-"$VER"-*.whl -d wheel || die "unzip of the pyvalhalla wheel failed"
  chmod +x wheel/valhalla/bin/*
fi
V=wheel/valhalla
"$V/bin/valhalla_build_tiles" --version >/dev/null 2>&1 || die "$V/bin/valhalla_build_tiles does not run on this machine"

# --- config + tiles (preprocessing) ----------------------------------------------------
# valhalla_build_config.py is plain Python (>= 3.10); run as a file so that the
# package's compiled module (3.12 only) is not imported.
CFGPY=${PY312:-python3}
rm -rf tiles
mkdir -p tiles
"$CFGPY" "$V/valhalla_build_config.py" \
  --mjolnir-tile-dir "$W/tiles" --mjolnir-tile-extract '' --mjolnir-traffic-extract '' \
  --mjolnir-admin '' --mjolnir-timezone '' --mjolnir-landmarks '' \
  --mjolnir-concurrency "${VALHALLA_JOBS:-1}" \
  --service-limits-auto-max-matrix-location-pairs 100000 \
  --service-limits-isochrone-max-locations 20 \
  --service-limits-isochrone-max-distance 1000000 >valhalla.json || die "valhalla_build_config failed"
cp -f "$PBF" li.osm.pbf
chmod u+w li.osm.pbf
nice -n 10 /usr/bin/time -v "$V/bin/valhalla_build_tiles" -c valhalla.json -j "${VALHALLA_JOBS:-1}" li.osm.pbf \
  >build.log 2>build.time || { tail -20 build.log build.time >&2; die "valhalla_build_tiles failed"; }
ls tiles/[0-9] >/dev/null 2>&1 || die "valhalla_build_tiles wrote no tiles (see $W/build.log)"
grep -H -E "Maximum resident|Elapsed" build.time
echo "valhalla: tiles $(du -sb tiles | cut -f1) bytes in $(find tiles -name '*.gph' | wc -l) tiles"

# --- queries ------------------------------------------------------------------------
if [ -z "$PY312" ]; then
  why=$(cd "$W" && PYTHONPATH=wheel python3 -c 'import valhalla' 2>&1 | tail -1) || true
  die "no Python >= 3.12 found (tried VALHALLA_PYTHON, python3.12/3.13/3.14/python3 on PATH, pyenv versions, \
uv python find/install): the pyvalhalla wheel is cp312-abi3; under $(python3 -V 2>&1) importing it gives: ${why:-?}; \
tiles were built and timed (see $W/build.time), queries were not run"
fi
if ! nice -n 10 /usr/bin/time -v "$PY312" "$HERE/valhalla_bench.py" --out "$OUT" --wheel "$W/wheel" \
  --config valhalla.json --sample "${VALHALLA_SAMPLE:-10000}" \
  --costmatrix-reps "${VALHALLA_COSTMATRIX_REPS:-1}" 2>client.time | tee "$OUT/valhalla.txt"; then
  tail -20 client.time >&2
  die "valhalla_bench.py failed (see $W/client.time)"
fi
[ -s "$OUT/valhalla.json" ] || die "valhalla_bench.py wrote no $OUT/valhalla.json"
