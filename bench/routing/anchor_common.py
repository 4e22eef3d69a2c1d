"""Helpers shared by the anchor drivers (pgrouting_bench.py, valhalla_bench.py).

Standard library only, works on Python >= 3.9.

The query points are the ones `routing-bench osm` wrote to OUT/queries.csv:
row i is `a.lon,a.lat,b.lon,b.lat,our_time_s,our_distance_m` for pair i, and
pair i is made of the bench's random snapped points 2i and 2i+1 (seed
20240304).  The bench's other inputs are slices of the same point list:

  100 x 1000 matrix:  sources = points 0..99, targets = points 100..1099
  isochrone stations: points 2000..2019 (pairs 1000..1009)

so all of them are rebuilt here from queries.csv, exactly as osrm.sh does.
"""

import json
import os
import sys

MATRIX_SOURCES = range(0, 100)
MATRIX_TARGETS = range(100, 1100)
STATIONS = range(2000, 2020)
ISO_LIMIT_S = 3600.0


def die(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(1)


def load_queries(out):
    """Returns (rows, points): rows = [(alon, alat, blon, blat, t_s, d_m)],
    points = [(lon, lat)] * 2 * len(rows)."""
    path = os.path.join(out, "queries.csv")
    if not os.path.isfile(path):
        die(f"{path} is missing: run `routing-bench osm <pbf> {out}` first")
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            parts = line.strip().split(",")
            if len(parts) != 6:
                die(f"{path}:{n}: expected 6 fields, got {len(parts)}")
            rows.append(tuple(float(x) for x in parts))
    if len(rows) < 1010:
        die(f"{path}: {len(rows)} rows, need at least 1010 (20,000 points expected)")
    points = []
    for r in rows:
        points.append((r[0], r[1]))
        points.append((r[2], r[3]))
    return rows, points


def load_our_matrix(out):
    """Our 100 x 1000 travel times (s) from OUT/matrix.csv, None where unreachable."""
    path = os.path.join(out, "matrix.csv")
    if not os.path.isfile(path):
        return None
    m = []
    with open(path) as f:
        for line in f:
            m.append([None if float(x) < 0 else float(x) for x in line.strip().split(",")])
    return m


def pct(sorted_vals, p):
    """Same definition as the Rust bench: element round((n-1)*p) of the sorted list."""
    if not sorted_vals:
        return float("nan")
    return sorted_vals[int(round((len(sorted_vals) - 1) * p))]


def stats_us(times_s):
    """median / p99 / mean / max in microseconds of a list of durations in seconds."""
    t = sorted(x * 1e6 for x in times_s)
    return {
        "n": len(t),
        "median_us": pct(t, 0.5),
        "p99_us": pct(t, 0.99),
        "mean_us": sum(t) / len(t) if t else float("nan"),
        "max_us": t[-1] if t else float("nan"),
    }


def fmt_stats(label, what, s):
    return (
        f"{label}: {s['n']} {what}: median {s['median_us']:.1f} us, p99 {s['p99_us']:.1f} us, "
        f"mean {s['mean_us']:.1f} us, max {s['max_us']:.1f} us"
    )


def median(vals):
    v = sorted(vals)
    return v[len(v) // 2] if v else float("nan")


def compare_times(ours, theirs, min_s=30.0):
    """Median of ours/theirs over pairs where both are > min_s."""
    r = [a / b for a, b in zip(ours, theirs) if a is not None and b is not None and a > min_s and b > min_s]
    return {"n": len(r), "median_ratio_ours_over_anchor": median(r)}


def compare_matrix(ours, theirs):
    """ours, theirs: 100 x 1000 lists (None = unreachable)."""
    if ours is None:
        return None
    a, b = [], []
    for i in range(len(theirs)):
        for j in range(len(theirs[i])):
            a.append(ours[i][j])
            b.append(theirs[i][j])
    return compare_times(a, b)


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)
