"""Valhalla side of the routing benchmark (run by valhalla.sh after it built the
tiles).  In process, through the pyvalhalla bindings (`valhalla.Actor`), on the
same query lists as `routing-bench osm`.  Needs Python >= 3.12 (the wheel is
cp312-abi3) with the unzipped wheel on sys.path.

  python3.12 valhalla_bench.py --out OUT --wheel WHEEL_DIR --config valhalla.json [--sample N]

Writes OUT/valhalla.json (read by anchors.py) and prints `valhalla: ...` lines.

Method (stated in ANCHORS.md):
- Each request is a prebuilt JSON string; the timer covers only the Actor call
  (Valhalla parses the request, snaps the coordinates to edges itself — loki —,
  computes, and serialises its JSON answer); parsing the answer in Python is
  outside the timer.  Our timings exclude snapping (points are snapped before
  timing; one snap costs ~4 us).
- Routes: costing auto, directions_type none (no maneuvers/narrative), the
  answer has time, length and the encoded shape.
- Matrix: sources_to_targets, verbose false, once with Valhalla's own choice of
  algorithm (select_optimal -> costmatrix for 100 x 1000) and once with
  thor.source_to_target_algorithm = timedistancematrix (one tree per source),
  which is much faster here.
- Isochrone: one request with the 20 stations as locations (Valhalla expands
  from all of them at once; service_limits.isochrone.max_locations raised to 20),
  contours [{time: 60}], polygons true.  For reference also 20 single-location
  requests (sum of their times; their union is not computed).
- Logging is switched off (logging.type "") for the queries.
"""

import argparse
import copy
import json
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from anchor_common import (  # noqa: E402
    ISO_LIMIT_S,
    MATRIX_SOURCES,
    MATRIX_TARGETS,
    STATIONS,
    compare_matrix,
    compare_times,
    die,
    fmt_stats,
    load_our_matrix,
    load_queries,
    stats_us,
    write_json,
)

L = "valhalla"


def log(msg):
    print(msg, flush=True)


def loc(p):
    return {"lon": p[0], "lat": p[1]}


def actor_for(valhalla, cfg, algorithm):
    c = copy.deepcopy(cfg)
    c.setdefault("logging", {})["type"] = ""
    c["thor"]["source_to_target_algorithm"] = algorithm
    return valhalla.Actor(c)


def timed(fn, req):
    t = time.perf_counter()
    try:
        s = fn(req)
        err = None
    except RuntimeError as e:  # valhalla.ValhallaError
        s, err = None, str(e)
    return time.perf_counter() - t, s, err


def run_matrix(actor, req, reps):
    ts, s = [], None
    for _ in range(reps):
        dt, s, err = timed(actor.matrix, req)
        if err:
            die(f"matrix request failed: {err}")
        ts.append(dt)
    j = json.loads(s)
    dur = j["sources_to_targets"]["durations"]
    reach = sum(1 for r in dur for c in r if c is not None)
    return ts, j.get("algorithm", "?"), dur, reach


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--wheel", required=True, help="directory of the unzipped pyvalhalla wheel")
    ap.add_argument("--config", required=True, help="valhalla.json written by valhalla_build_config")
    ap.add_argument("--sample", type=int, default=10000, help="point-to-point pairs (first N)")
    ap.add_argument("--costmatrix-reps", type=int, default=1, help="runs of the (slow) costmatrix matrix")
    a = ap.parse_args()
    if sys.version_info < (3, 12):
        die(f"Python {sys.version.split()[0]}: the pyvalhalla wheel (cp312-abi3) needs >= 3.12")
    sys.path.insert(0, os.path.abspath(a.wheel))
    try:
        import valhalla
    except ImportError as e:
        die(f"cannot import valhalla from {a.wheel}: {e}")
    with open(a.config) as f:
        cfg = json.load(f)

    rows, points = load_queries(a.out)
    res = {"engine": "Valhalla", "version": valhalla.__version__, "python": sys.version.split()[0]}
    log(f"{L}: Valhalla {valhalla.__version__} (pyvalhalla wheel), Python {res['python']}, in process")
    t = time.perf_counter()
    actor = actor_for(valhalla, cfg, "select_optimal")
    res["actor_init_ms"] = (time.perf_counter() - t) * 1e3

    # point-to-point routes
    def route_req(r):
        return json.dumps(
            {
                "locations": [{"lon": r[0], "lat": r[1]}, {"lon": r[2], "lat": r[3]}],
                "costing": "auto",
                "directions_type": "none",
            }
        )

    n = min(a.sample, len(rows))
    reqs = [route_req(r) for r in rows[:n]]
    for q in reqs[:200]:  # warm-up: tiles into the cache
        timed(actor.route, q)
    times, fails, ours_t, their_t, ours_d, their_d, errs = [], 0, [], [], [], [], {}
    t0 = time.perf_counter()
    for k, q in enumerate(reqs):
        dt, s, err = timed(actor.route, q)
        times.append(dt)
        if err:
            fails += 1
            errs[err[:80]] = errs.get(err[:80], 0) + 1
            continue
        summ = json.loads(s)["trip"]["summary"]
        ours_t.append(rows[k][4])
        their_t.append(summ["time"])
        ours_d.append(rows[k][5])
        their_d.append(summ["length"] * 1000.0)
    st = stats_us(times)
    st["failed"] = fails
    st["errors"] = errs
    st["time_ratio"] = compare_times(ours_t, their_t)
    st["distance_ratio"] = compare_times(ours_d, their_d, min_s=300.0)
    res["p2p"] = st
    log(
        fmt_stats(L, "point-to-point routes in process (Actor.route, snapping included, shape)", st)
        + f"; {fails} failed; {time.perf_counter() - t0:.0f} s in all"
    )
    if errs:
        log(f"{L}: route errors: {errs}")
    # snapping share: Actor.locate of the same two points, right after the route
    nl = min(2000, n)
    lt, diff = [], []
    for k in range(nl):
        r = rows[k]
        lq = json.dumps({"locations": [{"lon": r[0], "lat": r[1]}, {"lon": r[2], "lat": r[3]}], "costing": "auto"})
        dr, _, _ = timed(actor.route, reqs[k])
        dl, _, _ = timed(actor.locate, lq)
        lt.append(dl)
        diff.append(dr - dl)
    res["locate_pair"] = stats_us(lt)
    res["route_minus_locate"] = stats_us([max(d, 0.0) for d in diff])
    log(fmt_stats(L, "Actor.locate of the same two points (loki snapping alone)", res["locate_pair"]))
    log(fmt_stats(L, "route minus locate, pair by pair (routing without snapping, estimate)",
                  res["route_minus_locate"]))
    log(
        f"{L}: travel time ours/Valhalla median {st['time_ratio']['median_ratio_ours_over_anchor']:.3f} "
        f"({st['time_ratio']['n']} routes > 30 s); distance ours/Valhalla median "
        f"{st['distance_ratio']['median_ratio_ours_over_anchor']:.3f}"
    )

    # 100 x 1000 matrix
    mreq = json.dumps(
        {
            "sources": [loc(points[i]) for i in MATRIX_SOURCES],
            "targets": [loc(points[i]) for i in MATRIX_TARGETS],
            "costing": "auto",
            "verbose": False,
        }
    )
    ours_m = load_our_matrix(a.out)
    res["matrix"] = {}
    variants = [("timedistancematrix", 3), ("select_optimal", a.costmatrix_reps)]
    for algo, reps in variants:
        if reps <= 0:
            continue
        act = actor if algo == "select_optimal" else actor_for(valhalla, cfg, algo)
        timed(act.matrix, json.dumps({"sources": [loc(points[0])], "targets": [loc(points[1])], "costing": "auto"}))
        ts, used, dur, reach = run_matrix(act, mreq, reps)
        res["matrix"][algo] = {
            "algorithm": used,
            "first_ms": ts[0] * 1e3,
            "best_ms": min(ts) * 1e3,
            "runs": reps,
            "cells_reachable": reach,
            "time_ratio": compare_matrix(ours_m, dur),
        }
        log(
            f"{L}: matrix 100 x 1000 (sources_to_targets, config {algo} -> {used}): first {ts[0] * 1e3:.1f} ms, "
            f"best of {reps} {min(ts) * 1e3:.1f} ms; {reach} cells reachable"
        )

    # 60-minute isochrone from 20 stations
    ireq = json.dumps(
        {
            "locations": [loc(points[i]) for i in STATIONS],
            "costing": "auto",
            "contours": [{"time": ISO_LIMIT_S / 60.0}],
            "polygons": True,
        }
    )
    it, s = [], None
    for _ in range(3):
        dt, s, err = timed(actor.isochrone, ireq)
        if err:
            die(f"multi-location isochrone failed: {err}")
        it.append(dt)
    feats = json.loads(s)["features"]
    single = []
    for i in STATIONS:
        q = json.dumps(
            {"locations": [loc(points[i])], "costing": "auto", "contours": [{"time": ISO_LIMIT_S / 60.0}], "polygons": True}
        )
        dt, _, err = timed(actor.isochrone, q)
        if err:
            die(f"single-location isochrone failed: {err}")
        single.append(dt)
    res["isochrone"] = {
        "first_ms": it[0] * 1e3,
        "best_of_3_ms": min(it) * 1e3,
        "features": len(feats),
        "geometry": [f["geometry"]["type"] for f in feats],
        "single_20_sum_ms": sum(single) * 1e3,
        "single_median_ms": sorted(single)[len(single) // 2] * 1e3,
    }
    log(
        f"{L}: isochrone 60 min from 20 stations (one request, 20 locations, polygons): first {it[0] * 1e3:.1f} ms, "
        f"best of 3 {min(it) * 1e3:.1f} ms; {len(feats)} feature(s) {res['isochrone']['geometry']}"
    )
    log(
        f"{L}: 20 single-location 60-min isochrones: {sum(single) * 1e3:.1f} ms in all "
        f"(median {res['isochrone']['single_median_ms']:.1f} ms each; union not computed)"
    )
    write_json(os.path.join(a.out, "valhalla.json"), res)


if __name__ == "__main__":
    main()
