"""Side-by-side tables (ours vs OSRM / pgRouting / Valhalla) from ONE run directory.

  python3 bench/routing/anchors.py OUT_DIR            # prints Markdown, also writes OUT_DIR/anchors.md

Reads what run.sh leaves in OUT_DIR: osm.txt (ours, `routing-bench osm`),
osrm.txt + osrm/*.time, pgrouting.json + pgrouting/*.time, valhalla.json +
valhalla/*.time.  Anchors that were not run are left out; an anchor that
failed is listed with its error.  Ratios are anchor / ours (> 1: ours faster
or smaller).  Standard library only.
"""

import json
import os
import re
import sys


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def time_v(path):
    """(wall seconds, max RSS MiB) from a `/usr/bin/time -v` log, or (None, None)."""
    t = read(path)
    if not t:
        return None, None
    wall = rss = None
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", t)
    if m:
        wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
    if m:
        rss = int(m.group(1)) / 1024.0
    return wall, rss


def num(pattern, text, group=1):
    m = re.search(pattern, text or "")
    return float(m.group(group)) if m else None


def ours(out):
    t = read(os.path.join(out, "osm.txt"))
    if not t:
        sys.exit(f"error: {out}/osm.txt missing: run `routing-bench osm PBF {out}` (run.sh) first")
    o = {
        "import_s": num(r"osm: import ([\d.]+) s", t),
        "ch_s": num(r"osm: CH build ([\d.]+) s", t),
        "peak_import_mib": num(r"peak RSS so far ([\d.]+) MiB", t),
        "peak_ch_mib": num(r"peak RSS during build ([\d.]+) MiB", t),
        "file_mib": num(r"osm: file ([\d.]+) MiB", t),
        "p2p_med_us": num(r"CH queries \(incl[^\n]*first run: median ([\d.]+) us", t),
        "p2p_p99_us": num(r"CH queries \(incl[^\n]*first run: median [\d.]+ us, p99 ([\d.]+) us", t),
        "p2p_min3_med_us": num(r"minimum of 3 runs: median ([\d.]+) us", t),
        "p2p_min3_p99_us": num(r"minimum of 3 runs: median [\d.]+ us, p99 ([\d.]+) us", t),
        "matrix_ms": num(r"matrix 100 x 1000: ([\d.]+) ms", t),
        "iso_poly_ms": num(r"isochrone 60 min from 20 stations: ([\d.]+) ms with polygons", t),
        "iso_nodes_ms": num(r"isochrone 60 min[^\n]*, ([\d.]+) ms nodes only", t),
        "iso_nodes": num(r"isochrone 60 min[^\n]*\((\d+) nodes", t),
        "nodes": num(r"osm: import [\d.]+ s: (\d+) nodes", t),
        "edges": num(r"osm: import [\d.]+ s: \d+ nodes, (\d+) edges", t),
    }
    o["prep_s"] = (o["import_s"] or 0) + (o["ch_s"] or 0)
    o["peak_mib"] = max(o["peak_import_mib"] or 0, o["peak_ch_mib"] or 0)
    return o


def f_time_us(us):
    if us is None:
        return "–"
    if us >= 1e6:
        return f"{us / 1e6:.2f} s"
    if us >= 1e3:
        return f"{us / 1e3:.2f} ms"
    return f"{us:.1f} µs"


def f_ms(ms):
    return "–" if ms is None else f_time_us(ms * 1e3)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    r = a / b
    if r >= 100:
        return f"{r:,.0f} ×"
    if r >= 10:
        return f"{r:.0f} ×"
    return f"{r:.1f} ×"


def table(rows):
    lines = ["| measure | yingji-routing | anchor | anchor ÷ ours |", "|---|---|---|---|"]
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")
    return "\n".join(lines)


def osrm_section(out, o):
    t = read(os.path.join(out, "osrm.txt"))
    if not t:
        return None
    ew, er = time_v(os.path.join(out, "osrm", "extract.time"))
    cw, cr = time_v(os.path.join(out, "osrm", "contract.time"))
    med = num(r"point-to-point queries over HTTP[^\n]*median ([\d.]+) us", t)
    p99 = num(r"point-to-point queries over HTTP[^\n]*p99 ([\d.]+) us", t)
    floor = num(r"/nearest requests[^\n]*median ([\d.]+) us", t)
    tab = num(r"table 100 x 1000 over HTTP: ([\d.]+) ms", t)
    prep = (ew or 0) + (cw or 0) if ew is not None else None
    peak = max(er or 0, cr or 0) if er is not None else None
    rows = [
        ["preprocessing (ours: import + CH; OSRM: extract + contract, `-t 1`)",
         f"{o['prep_s']:.2f} s", f"{prep:.2f} s" if prep is not None else "–", ratio(prep, o["prep_s"])],
        ["peak memory of preprocessing", f"{o['peak_mib']:.0f} MiB", f"{peak:.0f} MiB" if peak else "–",
         ratio(peak, o["peak_mib"])],
        ["point-to-point, median (ours in process; OSRM over HTTP)", f_time_us(o["p2p_med_us"]), f_time_us(med),
         ratio(med, o["p2p_med_us"])],
        ["point-to-point, p99", f_time_us(o["p2p_p99_us"]), f_time_us(p99), ratio(p99, o["p2p_p99_us"])],
        ["point-to-point, median minus the HTTP floor (`/nearest`)", f_time_us(o["p2p_med_us"]),
         f_time_us(med - floor) if med and floor else "–", ratio(med - floor if med and floor else None, o["p2p_med_us"])],
        ["100 × 1,000 matrix (OSRM: best of 3, HTTP + JSON)", f_ms(o["matrix_ms"]), f_ms(tab), ratio(tab, o["matrix_ms"])],
    ]
    return "### OSRM (CH, `osrm-routed`, HTTP on loopback)\n\n" + table(rows)


def pgr_section(out, o):
    j = read(os.path.join(out, "pgrouting.json"))
    if not j:
        return None
    p = json.loads(j)
    if "error" in p:
        return f"### pgRouting\n\nNot measured: {p['error']}"
    cw, cr = time_v(os.path.join(out, "pgrouting", "convert.time"))
    lw, lr = time_v(os.path.join(out, "pgrouting", "load.time"))
    aw, _ = time_v(os.path.join(out, "pgrouting", "analyze.time"))
    prep = (cw or 0) + (lw or 0)
    d = p["p2p_dijkstra"]
    bd = p.get("p2p_bddijkstra")
    sv = p.get("p2p_dijkstra_server")
    ic = p.get("p2p_dijkstra_interleaved_client")
    m = p["matrix"]
    iso = p["isochrone"]
    g = p["graph"]
    rows = [
        ["preprocessing (pgRouting: PBF→XML with osmium + osm2pgrouting load)", f"{o['prep_s']:.2f} s",
         f"{prep:.2f} s ({cw:.2f} + {lw:.2f})", ratio(prep, o["prep_s"])],
        ["peak memory of preprocessing (pgRouting: osm2pgrouting client process only)", f"{o['peak_mib']:.0f} MiB",
         f"{max(cr or 0, lr or 0):.0f} MiB", ratio(max(cr or 0, lr or 0), o["peak_mib"])],
        [f"point-to-point, median (pgr_dijkstra, {d['n']:,} pairs, client side)", f_time_us(o["p2p_med_us"]),
         f_time_us(d["median_us"]), ratio(d["median_us"], o["p2p_med_us"])],
        ["point-to-point, p99 (same)", f_time_us(o["p2p_p99_us"]), f_time_us(d["p99_us"]),
         ratio(d["p99_us"], o["p2p_p99_us"])],
    ]
    if sv:
        rows.append([f"point-to-point, median, server side (EXPLAIN ANALYZE, first {sv['n']:,} pairs; "
                     f"client side of the same pairs {f_time_us(ic['median_us']) if ic else '–'})",
                     f_time_us(o["p2p_med_us"]), f_time_us(sv["median_us"]), ratio(sv["median_us"], o["p2p_med_us"])])
        rows.append(["point-to-point, p99, server side", f_time_us(o["p2p_p99_us"]), f_time_us(sv["p99_us"]),
                     ratio(sv["p99_us"], o["p2p_p99_us"])])
    if bd:
        rows.append([f"point-to-point, median (pgr_bdDijkstra, {bd['n']:,} pairs, client side)",
                     f_time_us(o["p2p_med_us"]), f_time_us(bd["median_us"]), ratio(bd["median_us"], o["p2p_med_us"])])
        rows.append(["point-to-point, p99 (pgr_bdDijkstra)", f_time_us(o["p2p_p99_us"]), f_time_us(bd["p99_us"]),
                     ratio(bd["p99_us"], o["p2p_p99_us"])])
    rows += [
        ["100 × 1,000 matrix (pgr_dijkstraCost many-to-many, best of 3; server side "
         f"{f_ms(m['server_ms'])})", f_ms(o["matrix_ms"]), f_ms(m["best_of_3_ms"]),
         ratio(m["best_of_3_ms"], o["matrix_ms"])],
        ["60-min isochrone from 20 stations, reached nodes only (pgr_drivingDistance multi-source, best of 3; "
         f"server side {f_ms(iso['server_ms'])})", f_ms(o["iso_nodes_ms"]), f_ms(iso["best_of_3_ms"]),
         ratio(iso["best_of_3_ms"], o["iso_nodes_ms"])],
        ["same with a polygon (ours: 100 m cells; pgRouting: ST_ConcaveHull of the reached vertices)",
         f_ms(o["iso_poly_ms"]), f_ms(iso["concave_hull_best_of_3_ms"]),
         ratio(iso["concave_hull_best_of_3_ms"], o["iso_poly_ms"])],
    ]
    floor = p.get("select1", {}).get("median_us")
    notes = [
        f"pgRouting {p['versions']['pgrouting']}, PostGIS {p['versions']['postgis']}, {p['versions']['postgresql']}; "
        f"osm2pgrouting graph {g['vertices']:,} vertices, {g['edges']:,} edges ({g['directed_arcs']:,} directed arcs; "
        f"ours {o['nodes']:,.0f} nodes, {o['edges']:,.0f} directed edges); largest SCC {g['largest_scc_vertices']:,} vertices.",
        f"Snapping: nearest vertex of the largest SCC, once before timing (median {g['snap_distance_median_m']:.0f} m, "
        f"max {g['snap_distance_max_m']:.0f} m away); `SELECT 1` round trip median {f_time_us(floor)}"
        + (f"; VACUUM ANALYZE after the load {aw:.2f} s (not counted)." if aw is not None else "."),
        f"Answers: {d['connected']:,} of {d['n']:,} pairs connected; travel time ours/pgRouting median "
        f"{d['time_ratio']['median_ratio_ours_over_anchor']:.2f} (different speed tables), distance ours/pgRouting "
        f"median {d['distance_ratio']['median_ratio_ours_over_anchor']:.3f}; matrix {m['cells_reachable']:,} cells "
        f"reachable; isochrone {iso['reached_vertices']:,} vertices reached (ours {o['iso_nodes']:,.0f} nodes).",
    ]
    return ("### pgRouting (`pgr_*` over SQL from a psycopg client, loopback TCP)\n\n" + table(rows) + "\n\n"
            + "\n".join("- " + n for n in notes))


def valhalla_section(out, o):
    j = read(os.path.join(out, "valhalla.json"))
    bw, br = time_v(os.path.join(out, "valhalla", "build.time"))
    if not j:
        return None
    v = json.loads(j)
    prep_rows = [
        ["preprocessing (Valhalla: valhalla_build_tiles `-j 1`)", f"{o['prep_s']:.2f} s",
         f"{bw:.2f} s" if bw else "–", ratio(bw, o["prep_s"])],
        ["peak memory of preprocessing", f"{o['peak_mib']:.0f} MiB", f"{br:.0f} MiB" if br else "–",
         ratio(br, o["peak_mib"])],
    ]
    if "error" in v:
        return "### Valhalla\n\n" + table(prep_rows) + f"\n\nQueries not measured: {v['error']}"
    r = v["p2p"]
    lm = v.get("route_minus_locate")
    lp = v.get("locate_pair")
    mx = v["matrix"]
    iso = v["isochrone"]
    rows = prep_rows + [
        [f"point-to-point, median ({r['n']:,} pairs, in process, Valhalla snaps inside the call)",
         f_time_us(o["p2p_med_us"]), f_time_us(r["median_us"]), ratio(r["median_us"], o["p2p_med_us"])],
        ["point-to-point, p99", f_time_us(o["p2p_p99_us"]), f_time_us(r["p99_us"]), ratio(r["p99_us"], o["p2p_p99_us"])],
    ]
    if lm:
        rows.append([f"point-to-point, median, route minus `locate` of the same points (first {lm['n']:,} pairs; "
                     f"locate alone {f_time_us(lp['median_us'])})", f_time_us(o["p2p_med_us"]),
                     f_time_us(lm["median_us"]), ratio(lm["median_us"], o["p2p_med_us"])])
    best = None
    for algo, mm in sorted(mx.items()):
        rows.append([f"100 × 1,000 matrix ({mm['algorithm']}{', Valhalla default' if algo == 'select_optimal' else ''}; "
                     f"best of {mm['runs']})", f_ms(o["matrix_ms"]), f_ms(mm["best_ms"]),
                     ratio(mm["best_ms"], o["matrix_ms"])])
        best = mm["best_ms"] if best is None else min(best, mm["best_ms"])
    rows += [
        ["60-min isochrone from 20 stations, polygons (one 20-location request, best of 3)",
         f_ms(o["iso_poly_ms"]), f_ms(iso["best_of_3_ms"]), ratio(iso["best_of_3_ms"], o["iso_poly_ms"])],
        ["same as 20 single-location requests (sum; union not computed)", f_ms(o["iso_poly_ms"]),
         f_ms(iso["single_20_sum_ms"]), ratio(iso["single_20_sum_ms"], o["iso_poly_ms"])],
    ]
    notes = [
        f"Valhalla {v['version']} (pyvalhalla wheel, Python {v['python']}), `valhalla.Actor` in process; "
        f"{r['failed']} route(s) failed; travel time ours/Valhalla median "
        f"{r['time_ratio']['median_ratio_ours_over_anchor']:.2f}, distance median "
        f"{r['distance_ratio']['median_ratio_ours_over_anchor']:.3f}.",
    ]
    return "### Valhalla (in process, `valhalla.Actor`)\n\n" + table(rows) + "\n\n" + "\n".join("- " + n for n in notes)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: anchors.py OUT_DIR")
    out = sys.argv[1]
    o = ours(out)
    parts = [
        f"Ours in this run: import {o['import_s']:.2f} s + CH {o['ch_s']:.2f} s, peak {o['peak_mib']:.0f} MiB; "
        f"10,000 routes first run median {f_time_us(o['p2p_med_us'])}, p99 {f_time_us(o['p2p_p99_us'])} "
        f"(per-query minimum of 3 runs: {f_time_us(o['p2p_min3_med_us'])} / {f_time_us(o['p2p_min3_p99_us'])}); "
        f"matrix {f_ms(o['matrix_ms'])}; isochrone {f_ms(o['iso_poly_ms'])} with polygons, "
        f"{f_ms(o['iso_nodes_ms'])} nodes only. Ours are single runs (first run for the routes)."
    ]
    for sec in (osrm_section(out, o), pgr_section(out, o), valhalla_section(out, o)):
        if sec:
            parts.append(sec)
    md = "\n\n".join(parts) + "\n"
    with open(os.path.join(out, "anchors.md"), "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
