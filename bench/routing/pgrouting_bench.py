"""pgRouting side of the routing benchmark (run by pgrouting.sh, which loads the
database first).  Times the same query lists as `routing-bench osm` against a
database loaded by osm2pgrouting, from a psycopg 3 client on one TCP
connection to 127.0.0.1.

  python3 pgrouting_bench.py --out OUT --dsn DSN [--sample N] [--bd-sample N] [--explain-sample N]

Writes OUT/pgrouting.json (read by anchors.py) and prints `pgrouting: ...` lines.

Method (stated in ANCHORS.md):
- Query points are snapped to the nearest vertex (KNN `<->` on the vertex
  geometry, degrees) of the largest strongly connected component of the
  osm2pgrouting graph (ours snaps to the nearest road of its largest SCC).
  Snapping happens once, before timing, as our bench snaps before timing.
- Edge costs are osm2pgrouting's cost_s / reverse_cost_s (seconds; negative
  reverse cost = one-way).  Every pgRouting call reads its edges through the
  edges SQL and builds its graph per call: that is how pgRouting works, there
  is no separate preprocessing to keep between calls.
- Client time = psycopg execute + fetch of the whole result on loopback TCP
  (includes the SQL round trip, parse/plan of a prepared statement, and the
  transfer).  Server time = "Execution Time" + "Planning Time" of
  EXPLAIN (ANALYZE, TIMING OFF) of the same statement.
- A route returns time, distance and the path geometry (the path's edges as
  one MULTILINESTRING, WKB), like ours returns time, distance and geometry.
"""

import argparse
import io
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

try:
    import psycopg
except ImportError:
    die("psycopg (3) is not importable: pgrouting.sh installs it in a venv")

L = "pgrouting"
EDGES = "SELECT gid AS id, source, target, cost_s AS cost, reverse_cost_s AS reverse_cost FROM ways"

ROUTE_SQL = {
    fn: f"""SELECT count(*), sum(d.cost), sum(w.length_m),
       ST_AsBinary(ST_Collect(w.the_geom ORDER BY d.seq))
FROM {fn}(%s, %s::bigint, %s::bigint, directed => true) d JOIN ways w ON w.gid = d.edge"""
    for fn in ("pgr_dijkstra", "pgr_bdDijkstra")
}
MATRIX_SQL = """SELECT start_vid, end_vid, agg_cost
FROM pgr_dijkstraCost(%s, %s::bigint[], %s::bigint[], directed => true)"""
ISO_SQL = """SELECT node, agg_cost
FROM pgr_drivingDistance(%s, %s::bigint[], %s::float8, directed => true, equicost => true)"""
ISO_POLY_SQL = """SELECT count(*), ST_AsBinary(ST_ConcaveHull(ST_Collect(v.the_geom), 0.1))
FROM pgr_drivingDistance(%s, %s::bigint[], %s::float8, directed => true, equicost => true) dd
JOIN ways_vertices_pgr v ON v.id = dd.node"""


def log(msg):
    print(msg, flush=True)


def server_ms(cur, sql, params):
    cur.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql, params)
    plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    p = plan[0]
    return p.get("Planning Time", 0.0) + p.get("Execution Time", 0.0)


def timed(cur, sql, params):
    t = time.perf_counter()
    cur.execute(sql, params)
    rows = cur.fetchall()
    return time.perf_counter() - t, rows


def setup_snapping(conn, points):
    """Largest SCC + nearest-vertex snapping of all points (untimed for the queries)."""
    with conn.cursor() as cur:
        t = time.perf_counter()
        cur.execute("DROP TABLE IF EXISTS bench_scc, bench_main_vertices, bench_points")
        cur.execute(
            "CREATE TABLE bench_scc AS SELECT component, node FROM pgr_strongComponents(%s)",
            (EDGES,),
        )
        cur.execute(
            """CREATE TABLE bench_main_vertices AS
               SELECT v.id, v.the_geom FROM ways_vertices_pgr v JOIN bench_scc s ON s.node = v.id
               WHERE s.component = (SELECT component FROM bench_scc GROUP BY component
                                    ORDER BY count(*) DESC, component LIMIT 1)"""
        )
        cur.execute("CREATE INDEX ON bench_main_vertices USING gist (the_geom)")
        cur.execute("ANALYZE bench_main_vertices")
        scc_s = time.perf_counter() - t
        cur.execute("SELECT count(*) FROM bench_main_vertices")
        n_main = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM ways_vertices_pgr")
        n_all = cur.fetchone()[0]
        cur.execute("SELECT count(*), count(*) FILTER (WHERE reverse_cost_s >= 0) FROM ways")
        n_ways, n_twoway = cur.fetchone()
        cur.execute("CREATE TABLE bench_points (i int PRIMARY KEY, lon float8, lat float8, v bigint)")
        buf = io.StringIO()
        for i, (lon, lat) in enumerate(points):
            buf.write(f"{i}\t{lon!r}\t{lat!r}\n")
        with cur.copy("COPY bench_points (i, lon, lat) FROM STDIN") as cp:
            cp.write(buf.getvalue())
        t = time.perf_counter()
        cur.execute(
            """UPDATE bench_points p SET v = (
                 SELECT m.id FROM bench_main_vertices m
                 ORDER BY m.the_geom <-> ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326) LIMIT 1)"""
        )
        snap_s = time.perf_counter() - t
        cur.execute("SELECT i, v FROM bench_points ORDER BY i")
        vid = [v for _, v in cur.fetchall()]
        cur.execute(
            """SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d), max(d) FROM (
                 SELECT ST_Distance(ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)::geography,
                                    m.the_geom::geography) AS d
                 FROM bench_points p JOIN bench_main_vertices m ON m.id = p.v) x"""
        )
        snap_med_m, snap_max_m = cur.fetchone()
    info = {
        "vertices": n_all,
        "edges": n_ways,
        "directed_arcs": n_ways + n_twoway,
        "largest_scc_vertices": n_main,
        "scc_and_index_s": scc_s,
        "snap_all_points_s": snap_s,
        "snap_points": len(points),
        "snap_distance_median_m": snap_med_m,
        "snap_distance_max_m": snap_max_m,
    }
    log(
        f"{L}: graph {n_all} vertices, {n_ways} edges ({n_ways + n_twoway} directed arcs); "
        f"largest SCC {n_main} vertices (SCC + index {scc_s:.2f} s)"
    )
    log(
        f"{L}: snapped {len(points)} points to the nearest SCC vertex in {snap_s:.2f} s "
        f"({snap_s / len(points) * 1e6:.0f} us each, server side); distance to the vertex: "
        f"median {snap_med_m:.0f} m, max {snap_max_m:.0f} m"
    )
    return vid, info


def run_routes(conn, fn, pairs, rows):
    sql = ROUTE_SQL[fn]
    times, found, ours_t, their_t, ours_d, their_d = [], 0, [], [], [], []
    with conn.cursor() as cur:
        for s, t in pairs[:20]:  # warm-up (also makes psycopg prepare the statement)
            cur.execute(sql, (EDGES, s, t))
            cur.fetchall()
        for k, (s, t) in enumerate(pairs):
            dt, res = timed(cur, sql, (EDGES, s, t))
            times.append(dt)
            n, cost, length, _geom = res[0]
            if n:
                found += 1
                ours_t.append(rows[k][4])
                their_t.append(cost)
                ours_d.append(rows[k][5])
                their_d.append(length)
            elif s == t:
                found += 1
    st = stats_us(times)
    st["connected"] = found
    st["time_ratio"] = compare_times(ours_t, their_t)
    st["distance_ratio"] = compare_times(ours_d, their_d, min_s=300.0)
    return st


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--sample", type=int, default=10000, help="pgr_dijkstra point-to-point pairs (first N)")
    ap.add_argument("--bd-sample", type=int, default=1000, help="pgr_bdDijkstra pairs (first N)")
    ap.add_argument("--explain-sample", type=int, default=1000, help="server-side EXPLAIN ANALYZE pairs")
    a = ap.parse_args()

    rows, points = load_queries(a.out)
    res = {"engine": "pgRouting", "snapping": "nearest vertex of the largest SCC"}
    with psycopg.connect(a.dsn, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT pgr_version(), postgis_lib_version(), version()")
            pgr_v, postgis_v, pg_v = cur.fetchone()
        res["versions"] = {"pgrouting": pgr_v, "postgis": postgis_v, "postgresql": pg_v.split(",")[0]}
        log(f"{L}: pgRouting {pgr_v}, PostGIS {postgis_v}, {pg_v.split(',')[0]}")
        vid, res["graph"] = setup_snapping(conn, points)
        pairs = [(vid[2 * i], vid[2 * i + 1]) for i in range(len(rows))]

        # SQL round-trip floor
        with conn.cursor() as cur:
            ft = []
            for _ in range(2000):
                t = time.perf_counter()
                cur.execute("SELECT 1")
                cur.fetchall()
                ft.append(time.perf_counter() - t)
        res["select1"] = stats_us(ft)
        log(fmt_stats(L, "`SELECT 1` round trips (client floor)", res["select1"]))

        n = min(a.sample, len(pairs))
        t0 = time.perf_counter()
        res["p2p_dijkstra"] = st = run_routes(conn, "pgr_dijkstra", pairs[:n], rows)
        log(
            fmt_stats(L, "pgr_dijkstra point-to-point queries, client side (incl. round trip, path + geometry)", st)
            + f"; {st['connected']} connected; {time.perf_counter() - t0:.0f} s in all"
        )
        log(
            f"{L}: travel time ours/pgRouting median {st['time_ratio']['median_ratio_ours_over_anchor']:.3f} "
            f"({st['time_ratio']['n']} routes > 30 s); distance ours/pgRouting median "
            f"{st['distance_ratio']['median_ratio_ours_over_anchor']:.3f}"
        )
        nb = min(a.bd_sample, len(pairs))
        if nb:
            res["p2p_bddijkstra"] = st = run_routes(conn, "pgr_bdDijkstra", pairs[:nb], rows)
            log(fmt_stats(L, "pgr_bdDijkstra point-to-point queries, client side", st))
        ne = min(a.explain_sample, len(pairs))
        if ne:
            # client and server time of the same pair back to back, so that the two
            # are comparable on a machine whose load changes
            sql = ROUTE_SQL["pgr_dijkstra"]
            cv, sv = [], []
            with conn.cursor() as cur:
                for s, t in pairs[:ne]:
                    cv.append(timed(cur, sql, (EDGES, s, t))[0])
                    sv.append(server_ms(cur, sql, (EDGES, s, t)) / 1e3)
            res["p2p_dijkstra_interleaved_client"] = stats_us(cv)
            res["p2p_dijkstra_server"] = stats_us(sv)
            log(fmt_stats(L, "pgr_dijkstra queries, client side, interleaved with the next line",
                          res["p2p_dijkstra_interleaved_client"]))
            log(fmt_stats(L, "same pgr_dijkstra queries, server side (EXPLAIN ANALYZE planning + execution)",
                          res["p2p_dijkstra_server"]))

        # 100 x 1000 matrix
        srcs = [vid[i] for i in MATRIX_SOURCES]
        dsts = [vid[i] for i in MATRIX_TARGETS]
        with conn.cursor() as cur:
            mt, mrows = [], None
            for _ in range(3):
                dt, mrows = timed(cur, MATRIX_SQL, (EDGES, srcs, dsts))
                mt.append(dt)
            msrv = server_ms(cur, MATRIX_SQL, (EDGES, srcs, dsts))
        cost = {(s, t): c for s, t, c in mrows}
        m = [[0.0 if s == t else cost.get((s, t)) for t in dsts] for s in srcs]
        reach = sum(1 for r in m for c in r if c is not None)
        res["matrix"] = {
            "first_ms": mt[0] * 1e3,
            "best_of_3_ms": min(mt) * 1e3,
            "server_ms": msrv,
            "cells_reachable": reach,
            "distinct_sources": len(set(srcs)),
            "distinct_targets": len(set(dsts)),
            "time_ratio": compare_matrix(load_our_matrix(a.out), m),
        }
        log(
            f"{L}: matrix 100 x 1000 with pgr_dijkstraCost (many-to-many, one call): first {mt[0] * 1e3:.1f} ms, "
            f"best of 3 {min(mt) * 1e3:.1f} ms client side, {msrv:.1f} ms server side; {reach} cells reachable"
        )

        # 60-minute isochrone from 20 stations
        st_v = [vid[i] for i in STATIONS]
        with conn.cursor() as cur:
            it, irows = [], None
            for _ in range(3):
                dt, irows = timed(cur, ISO_SQL, (EDGES, st_v, ISO_LIMIT_S))
                it.append(dt)
            isrv = server_ms(cur, ISO_SQL, (EDGES, st_v, ISO_LIMIT_S))
            pt, prow = [], None
            for _ in range(3):
                dt, prow = timed(cur, ISO_POLY_SQL, (EDGES, st_v, ISO_LIMIT_S))
                pt.append(dt)
        nodes = len({r[0] for r in irows})
        res["isochrone"] = {
            "first_ms": it[0] * 1e3,
            "best_of_3_ms": min(it) * 1e3,
            "server_ms": isrv,
            "reached_vertices": nodes,
            "concave_hull_first_ms": pt[0] * 1e3,
            "concave_hull_best_of_3_ms": min(pt) * 1e3,
        }
        log(
            f"{L}: isochrone 60 min from 20 stations, pgr_drivingDistance (multi-source, equicost): "
            f"first {it[0] * 1e3:.1f} ms, best of 3 {min(it) * 1e3:.1f} ms client side, {isrv:.1f} ms server side; "
            f"{nodes} vertices reached"
        )
        log(
            f"{L}: same + ST_ConcaveHull(0.1) polygon of the reached vertices: first {pt[0] * 1e3:.1f} ms, "
            f"best of 3 {min(pt) * 1e3:.1f} ms"
        )
    write_json(os.path.join(a.out, "pgrouting.json"), res)


if __name__ == "__main__":
    main()
