//! Benchmarks of yingji-routing (run as the `routing-bench` example of the
//! yingji-routing crate; see RESULTS.md beside this file for commands and figures).
//!
//! ```text
//! routing-bench osm  <file.osm.pbf> <out-dir>    import, preprocess, save/load, 10k queries,
//!                                                100x1000 matrix, 60-min isochrone from 20 stations
//! routing-bench grid <nodes> <out-dir>           the same on a generated road-like grid
//! routing-bench osrm <host:port> <out-dir>       the query list of `osm` against osrm-routed: times,
//!                                                agreement (OUT/agreement.csv, worst first), reach
//! routing-bench route <file.yjroute> <lon,lat> <lon,lat>   one route and its geometry
//! routing-bench matrix <file.yjroute> <runs>     the 100 x 1000 matrix of `osm` alone (profiling)
//! routing-bench http <yingji host:port> <token> <osrm host:port> <out-dir>
//!                                                like for like over HTTP: the same pairs, interleaved,
//!                                                one keep-alive connection to each server, with and
//!                                                without geometry, and the 100 x 1000 matrix
//! ```

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use yingji_routing::*;

type Res<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Resets the peak-RSS counter (Linux `clear_refs` 5).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

struct Bbox([f64; 4]);

fn bbox(g: &Graph) -> Bbox {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for v in 0..g.num_nodes() as u32 {
        let [x, y] = g.coord(v);
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    }
    Bbox(b)
}

fn random_snapped(ch: &Ch, b: &Bbox, n: usize, rng: &mut SmallRng) -> Vec<Snapped> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let lon = rng.random_range(b.0[0]..b.0[2]);
        let lat = rng.random_range(b.0[1]..b.0[3]);
        if let Ok(s) = ch.snap_within_default(lon, lat) {
            out.push(s);
        }
    }
    out
}

trait SnapExt {
    fn snap_within_default(&self, lon: f64, lat: f64) -> Result<Snapped>;
}
impl SnapExt for Ch {
    fn snap_within_default(&self, lon: f64, lat: f64) -> Result<Snapped> {
        self.router().snap_within(lon, lat, 200.0)
    }
}

/// Preprocess timing and file figures shared by both modes.
fn preprocess_and_store(g: &Graph, out: &Path, label: &str) -> Res<Ch> {
    reset_peak();
    let rss0 = status_kb("VmRSS:");
    let t = Instant::now();
    // CH_PARAMS=simulate,contract,update (settle limits, 0/1) to try other witness limits
    let params = std::env::var("CH_PARAMS")
        .ok()
        .and_then(|v| {
            let p: Vec<usize> = v.split(',').filter_map(|x| x.parse().ok()).collect();
            (p.len() == 3).then(|| ContractionParams {
                simulate_settle_limit: p[0],
                contract_settle_limit: p[1],
                update_neighbours: p[2] == 1,
            })
        })
        .unwrap_or_default();
    let ch = Ch::build_with(g, params, |_| {});
    let build = t.elapsed();
    let peak = status_kb("VmHWM:");
    println!(
        "{label}: CH build {:.2} s, peak RSS during build {:.0} MiB (RSS before {:.0} MiB), {} base edges, {} turns -> {} CH edges",
        build.as_secs_f64(),
        mib(peak),
        mib(rss0),
        g.num_edges(),
        ch.num_turns(),
        ch.num_ch_edges()
    );
    let file = out.join(format!("{label}.yjroute"));
    let t = Instant::now();
    ch.save(&file)?;
    let save = t.elapsed();
    let size = std::fs::metadata(&file)?.len();
    drop(ch);
    // load: best of 3 (file in page cache)
    let mut best = Duration::MAX;
    let mut loaded = None;
    for _ in 0..3 {
        let t = Instant::now();
        let c = Ch::load(&file)?;
        best = best.min(t.elapsed());
        loaded = Some(c);
    }
    let ch = loaded.ok_or("no load")?;
    let t = Instant::now();
    let _ = ch.snap(g.coord(0)[0], g.coord(0)[1]);
    let index = t.elapsed();
    println!(
        "{label}: file {:.1} MiB, save {:.0} ms, load {:.0} ms (+ {:.0} ms snapping index on first snap)",
        size as f64 / 1048576.0,
        save.as_secs_f64() * 1e3,
        best.as_secs_f64() * 1e3,
        index.as_secs_f64() * 1e3
    );
    Ok(ch)
}

/// Times every query; returns the single-run times, the per-query minimum over
/// `reps` runs (filters out preemption on a shared machine), and the routes.
fn time_queries(
    ch: &Ch,
    pairs: &[(Snapped, Snapped)],
    reps: usize,
) -> (Vec<Duration>, Vec<Duration>, Vec<Option<Route>>) {
    let mut first = Vec::with_capacity(pairs.len());
    let mut best = vec![Duration::MAX; pairs.len()];
    let mut routes = Vec::with_capacity(pairs.len());
    for rep in 0..reps.max(1) {
        for (i, (a, b)) in pairs.iter().enumerate() {
            let t = Instant::now();
            let r = ch.route(a, b);
            let d = t.elapsed();
            best[i] = best[i].min(d);
            if rep == 0 {
                first.push(d);
                routes.push(r);
            }
        }
    }
    (first, best, routes)
}

fn report_queries(label: &str, what: &str, times: &mut [Duration]) {
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len().max(1) as u32;
    println!(
        "{label}: {} {what}: median {:.1} us, p99 {:.1} us, mean {:.1} us, max {:.1} us",
        times.len(),
        us(pct(times, 0.5)),
        us(pct(times, 0.99)),
        us(mean),
        us(*times.last().unwrap_or(&Duration::ZERO))
    );
}

fn osm(pbf: &Path, out: &Path) -> Res<()> {
    let label = "osm";
    let t = Instant::now();
    let g = Graph::from_osm_pbf(pbf, &Profile::driving(), |_| {})?;
    let import = t.elapsed();
    println!(
        "{label}: import {:.2} s: {} nodes, {} edges; peak RSS so far {:.0} MiB",
        import.as_secs_f64(),
        g.num_nodes(),
        g.num_edges(),
        mib(status_kb("VmHWM:"))
    );
    let ch = preprocess_and_store(&g, out, label)?;
    let b = bbox(&g);
    let mut rng = SmallRng::seed_from_u64(20240304);
    let pts = random_snapped(&ch, &b, 20_000, &mut rng);
    let pairs: Vec<(Snapped, Snapped)> = pts.chunks(2).map(|c| (c[0], c[1])).collect();
    // warm-up
    let _ = time_queries(&ch, &pairs[..200], 1);
    let (mut times, mut best, routes) = time_queries(&ch, &pairs, 3);
    report_queries(
        label,
        "random point-to-point CH queries (incl. path unpacking + geometry), first run",
        &mut times,
    );
    report_queries(
        label,
        "same queries, per-query minimum of 3 runs",
        &mut best,
    );
    let found = routes.iter().filter(|r| r.is_some()).count();
    println!("{label}: {found} of {} pairs connected", pairs.len());
    // query list and our answers for the OSRM comparison
    let mut q = std::fs::File::create(out.join("queries.csv"))?;
    for ((a, b), r) in pairs.iter().zip(&routes) {
        let (t, d) = r
            .as_ref()
            .map_or((-1.0, -1.0), |r| (r.time_s, r.distance_m));
        writeln!(
            q,
            "{:.7},{:.7},{:.7},{:.7},{t:.3},{d:.1}",
            a.lon, a.lat, b.lon, b.lat
        )?;
    }
    // Dijkstra baseline on 200 pairs
    let mut dt: Vec<Duration> = pairs[..200]
        .iter()
        .map(|(a, b)| {
            let t = Instant::now();
            let _ = ch.router().route_dijkstra(a, b);
            t.elapsed()
        })
        .collect();
    report_queries(
        label,
        "Dijkstra (reference, turn-aware) queries, same pairs",
        &mut dt,
    );
    // snapping
    let coords: Vec<(f64, f64)> = (0..10_000)
        .map(|_| {
            (
                rng.random_range(b.0[0]..b.0[2]),
                rng.random_range(b.0[1]..b.0[3]),
            )
        })
        .collect();
    let t = Instant::now();
    let ok = coords
        .iter()
        .filter(|(x, y)| ch.snap(*x, *y).is_ok())
        .count();
    println!(
        "{label}: snap 10000 random coordinates: {:.1} us each ({ok} within 1000 m)",
        us(t.elapsed()) / 10_000.0
    );
    // matrix 100 x 1000
    let srcs = &pts[..100];
    let dsts = &pts[100..1100];
    let t = Instant::now();
    let m = ch.matrix(srcs, dsts);
    let mt = t.elapsed();
    let reach = (0..100)
        .flat_map(|i| (0..1000).map(move |j| (i, j)))
        .filter(|&(i, j)| m.get(i, j).is_some())
        .count();
    println!(
        "{label}: matrix 100 x 1000: {:.1} ms ({reach} cells reachable)",
        mt.as_secs_f64() * 1e3
    );
    // warm: the best of 5 more runs (the first one above includes the
    // per-query memory's allocation and cold caches)
    let best = (0..5)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(ch.matrix(srcs, dsts));
            t.elapsed()
        })
        .min()
        .unwrap_or_default();
    println!(
        "{label}: matrix 100 x 1000, best of 5 more runs: {:.1} ms",
        best.as_secs_f64() * 1e3
    );
    let mut f = std::fs::File::create(out.join("matrix.csv"))?;
    for i in 0..100 {
        let row: Vec<String> = (0..1000)
            .map(|j| m.time_s(i, j).map_or("-1".into(), |t| format!("{t:.3}")))
            .collect();
        writeln!(f, "{}", row.join(","))?;
    }
    // isochrone: 60 minutes from 20 stations
    let stations = &pts[2000..2020];
    let t = Instant::now();
    let iso = ch.isochrone(stations, 3600.0)?;
    let it = t.elapsed();
    let t = Instant::now();
    let iso_np = ch.router().isochrone_with(
        stations,
        3600.0,
        &IsochroneOptions {
            polygons: false,
            ..Default::default()
        },
    )?;
    let it_np = t.elapsed();
    println!(
        "{label}: isochrone 60 min from 20 stations: {:.1} ms with polygons ({} nodes, {} polygons, cell {} m), {:.1} ms nodes only",
        it.as_secs_f64() * 1e3,
        iso.nodes.len(),
        iso.polygons.0.len(),
        iso.cell_m,
        it_np.as_secs_f64() * 1e3
    );
    let _ = iso_np;
    let t = Instant::now();
    let iso10 = ch.isochrone(stations, 600.0)?;
    println!(
        "{label}: isochrone 10 min from 20 stations: {:.1} ms ({} nodes, {} polygons)",
        t.elapsed().as_secs_f64() * 1e3,
        iso10.nodes.len(),
        iso10.polygons.0.len()
    );
    // closures: close a 1 km box in the middle and rerun 2000 queries
    let (cx, cy) = (pts[0].lon, pts[0].lat);
    let mut c = Closures::new(&ch);
    let t = Instant::now();
    let n = c.close_bbox(&ch, cx - 0.0066, cy - 0.0045, cx + 0.0066, cy + 0.0045)?;
    let ct = t.elapsed();
    let r = ch.with_closures(&c);
    let mut ctimes = Vec::new();
    for (a, bb) in &pairs[..2000] {
        let (Ok(a), Ok(bb)) = (r.snap(a.lon, a.lat), r.snap(bb.lon, bb.lat)) else {
            continue;
        };
        let t = Instant::now();
        let _ = r.route(&a, &bb);
        ctimes.push(t.elapsed());
    }
    println!(
        "{label}: closing a ~1 km box: {n} edges closed in {:.1} ms",
        ct.as_secs_f64() * 1e3
    );
    report_queries(label, "queries with that closure", &mut ctimes);
    println!(
        "{label}: final peak RSS {:.0} MiB",
        mib(status_kb("VmHWM:"))
    );
    Ok(())
}

fn grid(nodes: usize, out: &Path) -> Res<()> {
    let label = format!("grid{nodes}");
    let t = Instant::now();
    let g = synthetic::road_grid(nodes, 7);
    println!(
        "{label}: generated {} nodes, {} edges in {:.1} s",
        g.num_nodes(),
        g.num_edges(),
        t.elapsed().as_secs_f64()
    );
    let ch = preprocess_and_store(&g, out, &label)?;
    let b = bbox(&g);
    let mut rng = SmallRng::seed_from_u64(99);
    let pts = random_snapped(&ch, &b, 20_000, &mut rng);
    let pairs: Vec<(Snapped, Snapped)> = pts.chunks(2).map(|c| (c[0], c[1])).collect();
    let _ = time_queries(&ch, &pairs[..100], 1);
    let (mut times, mut best, _) = time_queries(&ch, &pairs, 3);
    report_queries(
        &label,
        "random point-to-point CH queries, first run",
        &mut times,
    );
    report_queries(
        &label,
        "same queries, per-query minimum of 3 runs",
        &mut best,
    );
    let mut dt: Vec<Duration> = pairs[..20]
        .iter()
        .map(|(a, b)| {
            let t = Instant::now();
            let _ = ch.router().route_dijkstra(a, b);
            t.elapsed()
        })
        .collect();
    report_queries(&label, "Dijkstra queries", &mut dt);
    Ok(())
}

/// Minimal HTTP/1.1 keep-alive GET client for osrm-routed on loopback.
struct Http {
    host: String,
    r: BufReader<std::net::TcpStream>,
}

impl Http {
    fn new(host: &str) -> Res<Http> {
        let s = std::net::TcpStream::connect(host)?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Http {
            host: host.into(),
            r: BufReader::new(s),
        })
    }

    /// GET with one reconnect: osrm-routed closes a keep-alive connection after 512 requests.
    fn get(&mut self, path: &str) -> Res<serde_json::Value> {
        self.send("GET", path, "", None)
    }

    /// One request with extra header lines (each ending in CRLF) and an
    /// optional JSON body; reconnects once if the server closed the connection.
    fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &str,
        body: Option<&str>,
    ) -> Res<serde_json::Value> {
        match self.request(method, path, headers, body) {
            Ok(v) => Ok(v),
            Err(_) => {
                *self = Http::new(&self.host.clone())?;
                self.request(method, path, headers, body)
            }
        }
    }

    fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &str,
        body: Option<&str>,
    ) -> Res<serde_json::Value> {
        let body_head = body.map_or(String::new(), |b| {
            format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                b.len()
            )
        });
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: keep-alive\r\n{headers}{body_head}\r\n{}",
            self.host,
            body.unwrap_or("")
        );
        self.r.get_mut().write_all(req.as_bytes())?;
        let mut len = 0usize;
        let mut line = String::new();
        let mut status = String::new();
        loop {
            line.clear();
            if self.r.read_line(&mut line)? == 0 {
                return Err("connection closed".into());
            }
            let l = line.trim_end();
            if status.is_empty() {
                status = l.to_string();
            }
            if l.is_empty() {
                break;
            }
            if let Some(v) = l.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse()?;
            }
        }
        let mut body = vec![0u8; len];
        self.r.read_exact(&mut body)?;
        if !status.contains(" 200") {
            return Err(format!(
                "{method} {path}: {status}: {}",
                String::from_utf8_lossy(&body)
            )
            .into());
        }
        Ok(serde_json::from_slice(&body)?)
    }
}

/// The query list written by `osm`: lon1, lat1, lon2, lat2, our time, our distance.
fn query_rows(out: &Path) -> Res<Vec<Vec<f64>>> {
    let text = std::fs::read_to_string(out.join("queries.csv"))?;
    Ok(text
        .lines()
        .map(|l| l.split(',').filter_map(|x| x.parse().ok()).collect())
        .filter(|v: &Vec<f64>| v.len() == 6)
        .collect())
}

fn osrm(host: &str, out: &Path) -> Res<()> {
    let rows = query_rows(out)?;
    let mut http = Http::new(host)?;
    // warm-up
    for r in rows.iter().take(200) {
        let _ = http.get(&format!(
            "/route/v1/driving/{},{};{},{}?overview=false&steps=false",
            r[0], r[1], r[2], r[3]
        ));
    }
    // pairs OSRM answers NoRoute (400) for, and pairs only one engine joins
    let (mut osrm_none, mut ours_only, mut osrm_only) = (0, 0, 0);
    let mut times = Vec::new();
    let mut ratios = Vec::new();
    let mut dratios = Vec::new();
    let mut ours_t = Vec::new();
    let mut osrm_t = Vec::new();
    let mut outliers = Vec::new();
    for r in &rows {
        let path = format!(
            "/route/v1/driving/{},{};{},{}?overview=full&geometries=polyline&steps=false",
            r[0], r[1], r[2], r[3]
        );
        let t = Instant::now();
        let v = http.get(&path);
        times.push(t.elapsed());
        let Ok(v) = v else {
            osrm_none += 1;
            if r[4] >= 0.0 {
                ours_only += 1;
            }
            continue;
        };
        if r[4] < 0.0 {
            osrm_only += 1;
        }
        let route = &v["routes"][0];
        if let (Some(d), Some(m)) = (route["duration"].as_f64(), route["distance"].as_f64()) {
            if r[4] > 30.0 && d > 30.0 {
                outliers.push((r[0], r[1], r[2], r[3], r[4], d, r[5], m));
                ratios.push(r[4] / d);
                dratios.push(r[5] / m);
                ours_t.push(r[4]);
                osrm_t.push(d);
            }
        }
    }
    report_queries(
        "osrm",
        "point-to-point queries over HTTP (overview=full, keep-alive, loopback)",
        &mut times,
    );
    println!(
        "osrm: {osrm_none} pairs without an OSRM route ({ours_only} of them routed by yingji); {osrm_only} pairs routed by OSRM but not by yingji"
    );
    // HTTP overhead estimate: the cheapest request OSRM serves
    let mut nt = Vec::new();
    for r in rows.iter().take(2000) {
        let t = Instant::now();
        http.get(&format!("/nearest/v1/driving/{},{}?number=1", r[0], r[1]))?;
        nt.push(t.elapsed());
    }
    report_queries("osrm", "/nearest requests (HTTP round-trip floor)", &mut nt);
    let n = ratios.len();
    let mean_ours = ours_t.iter().sum::<f64>() / n.max(1) as f64;
    let mean_osrm = osrm_t.iter().sum::<f64>() / n.max(1) as f64;
    let within = ratios.iter().filter(|r| (**r - 1.0).abs() <= 0.05).count();
    println!(
        "osrm: travel-time ratio ours/OSRM over {n} routes > 30 s: median {:.3}, p5 {:.3}, p95 {:.3}, within 5 %: {:.1} %, mean-of-times ratio {:.3}; distance ratio median {:.3}, p5 {:.3}, p95 {:.3}",
        ratio_pct(&mut ratios, 0.5),
        ratio_pct(&mut ratios, 0.05),
        ratio_pct(&mut ratios, 0.95),
        100.0 * within as f64 / n.max(1) as f64,
        mean_ours / mean_osrm,
        ratio_pct(&mut dratios, 0.5),
        ratio_pct(&mut dratios, 0.05),
        ratio_pct(&mut dratios, 0.95),
    );
    // every pair with both answers, worst ratios first, to look into
    outliers.sort_by(|a, b| {
        (a.4 / a.5 - 1.0)
            .abs()
            .total_cmp(&(b.4 / b.5 - 1.0).abs())
            .reverse()
    });
    let mut f = std::fs::File::create(out.join("agreement.csv"))?;
    writeln!(f, "lon1,lat1,lon2,lat2,ours_s,osrm_s,ours_m,osrm_m,ratio")?;
    for o in &outliers {
        writeln!(
            f,
            "{:.6},{:.6},{:.6},{:.6},{:.1},{:.1},{:.0},{:.0},{:.3}",
            o.0,
            o.1,
            o.2,
            o.3,
            o.4,
            o.5,
            o.6,
            o.7,
            o.4 / o.5
        )?;
    }
    reach(&mut http, out)?;
    // 100 x 1000 table
    let coords: Vec<String> = rows
        .iter()
        .take(550)
        .flat_map(|r| {
            [
                format!("{:.6},{:.6}", r[0], r[1]),
                format!("{:.6},{:.6}", r[2], r[3]),
            ]
        })
        .collect();
    let coords = &coords[..1100];
    let srcs: Vec<String> = (0..100).map(|i| i.to_string()).collect();
    let dsts: Vec<String> = (100..1100).map(|i| i.to_string()).collect();
    let path = format!(
        "/table/v1/driving/{}?sources={}&destinations={}",
        coords.join(";"),
        srcs.join(";"),
        dsts.join(";")
    );
    let mut best = Duration::MAX;
    let mut table = serde_json::Value::Null;
    for _ in 0..3 {
        let t = Instant::now();
        table = http.get(&path)?;
        best = best.min(t.elapsed());
    }
    let cells = table["durations"].as_array().map_or(0, |a| a.len());
    println!(
        "osrm: table 100 x 1000 over HTTP: {:.1} ms (best of 3; {cells} rows; code {})",
        best.as_secs_f64() * 1e3,
        table["code"]
    );
    Ok(())
}

/// Whether the points OSRM puts within 500 m of a road are answered by
/// yingji too: 2,000 uniform random points of the graph's bounding box
/// (seed 7), OSRM's `/nearest` distance against yingji's snap with its
/// default radius (`OUT/osm.yjroute`, written by `osm`).
fn reach(http: &mut Http, out: &Path) -> Res<()> {
    let ch = Ch::load(out.join("osm.yjroute"))?;
    let b = bbox(ch.graph());
    let mut rng = SmallRng::seed_from_u64(7);
    let (mut near, mut ours, mut ours_near, mut far_snap) = (0, 0, 0, 0.0f64);
    for _ in 0..2000 {
        let lon = rng.random_range(b.0[0]..b.0[2]);
        let lat = rng.random_range(b.0[1]..b.0[3]);
        let v = http.get(&format!("/nearest/v1/driving/{lon:.6},{lat:.6}?number=1"))?;
        let od = v["waypoints"][0]["distance"]
            .as_f64()
            .unwrap_or(f64::INFINITY);
        let y = ch.snap(lon, lat).ok();
        if y.is_some() {
            ours += 1;
        }
        if od <= 500.0 {
            near += 1;
            if let Some(y) = y {
                ours_near += 1;
                // how much farther our road is than OSRM's nearest
                far_snap = far_snap.max(y.distance_m - od);
            }
        }
    }
    println!(
        "osrm: reach: of 2000 random points, {near} within 500 m of an OSRM road; yingji snaps {ours_near} of those ({ours} of all 2000, default radius {DEFAULT_MAX_SNAP_M} m); largest excess of yingji's snap over OSRM's nearest: {far_snap:.0} m"
    );
    Ok(())
}

/// Percentile of a list of ratios (sorted in place).
fn ratio_pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// yingji over HTTP against osrm-routed over HTTP, like for like: the same
/// pairs in the same order, each pair asked of yingji and then of OSRM on one
/// keep-alive connection each, both with GeoJSON geometry and both without
/// any; then the 100 x 1000 matrix (durations and distances from both).
fn http(yingji: &str, token: &str, osrm: &str, out: &Path) -> Res<()> {
    let rows = query_rows(out)?;
    let auth = format!("Authorization: Bearer {token}\r\n");
    let (mut y, mut o) = (Http::new(yingji)?, Http::new(osrm)?);
    let yq = |r: &[f64], geometry: bool| {
        format!(
            "/api/v1/routing/route?from={:.6},{:.6}&to={:.6},{:.6}&geometry={geometry}",
            r[1], r[0], r[3], r[2]
        )
    };
    let oq = |r: &[f64], geometry: bool| {
        let overview = if geometry {
            "full&geometries=geojson"
        } else {
            "false"
        };
        format!(
            "/route/v1/driving/{:.6},{:.6};{:.6},{:.6}?overview={overview}&steps=false",
            r[0], r[1], r[2], r[3]
        )
    };
    for r in rows.iter().take(200) {
        let _ = y.send("GET", &yq(r, true), &auth, None);
        let _ = o.send("GET", &oq(r, true), "", None);
    }
    let mut ratios = Vec::new();
    let mut dratios = Vec::new();
    for geometry in [true, false] {
        let (mut yt, mut ot) = (Vec::new(), Vec::new());
        for r in &rows {
            let t = Instant::now();
            let a = y.send("GET", &yq(r, geometry), &auth, None);
            let ya = t.elapsed();
            let t = Instant::now();
            let b = o.send("GET", &oq(r, geometry), "", None)?;
            let ob = t.elapsed();
            // a pair yingji cannot snap or join answers 422: not timed
            let Ok(a) = a else { continue };
            yt.push(ya);
            ot.push(ob);
            let route = &b["routes"][0];
            if let (true, Some(ys), Some(os), Some(yd), Some(od)) = (
                geometry,
                a["properties"]["time_s"].as_f64(),
                route["duration"].as_f64(),
                a["properties"]["distance_m"].as_f64(),
                route["distance"].as_f64(),
            ) {
                if os > 30.0 {
                    ratios.push(ys / os);
                    dratios.push(yd / od);
                }
            }
        }
        let what = if geometry {
            "with GeoJSON geometry"
        } else {
            "without geometry"
        };
        report_queries("yingji-http", &format!("route {what}"), &mut yt);
        report_queries("osrm-http", &format!("route {what}"), &mut ot);
        let (y50, o50) = (pct(&yt, 0.5), pct(&ot, 0.5));
        let (y99, o99) = (pct(&yt, 0.99), pct(&ot, 0.99));
        println!(
            "http: route {what}: OSRM / yingji time per request: p50 {:.2}x, p99 {:.2}x",
            us(o50) / us(y50),
            us(o99) / us(y99)
        );
    }
    let n = ratios.len();
    let within = ratios.iter().filter(|r| (**r - 1.0).abs() <= 0.05).count();
    println!(
        "http: travel time yingji / OSRM over {n} routes > 30 s: median {:.3}, p5 {:.3}, p95 {:.3}, within 5 %: {:.1} %; distance median {:.3}",
        ratio_pct(&mut ratios, 0.5),
        ratio_pct(&mut ratios, 0.05),
        ratio_pct(&mut ratios, 0.95),
        100.0 * within as f64 / n.max(1) as f64,
        ratio_pct(&mut dratios, 0.5)
    );
    // 100 x 1000: the first 100 origins to the next 1000 points of the list
    let pts: Vec<[f64; 2]> = rows
        .iter()
        .take(550)
        .flat_map(|r| [[r[0], r[1]], [r[2], r[3]]])
        .take(1100)
        .collect();
    let (src, dst) = pts.split_at(100);
    let body = serde_json::json!({
        "sources": src.iter().map(|p| [p[1], p[0]]).collect::<Vec<_>>(),
        "destinations": dst.iter().map(|p| [p[1], p[0]]).collect::<Vec<_>>(),
    })
    .to_string();
    let coords: Vec<String> = pts
        .iter()
        .map(|p| format!("{:.6},{:.6}", p[0], p[1]))
        .collect();
    let opath = format!(
        "/table/v1/driving/{}?sources={}&destinations={}&annotations=duration,distance",
        coords.join(";"),
        (0..100)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(";"),
        (100..pts.len())
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(";")
    );
    let (mut yb, mut ob) = (Duration::MAX, Duration::MAX);
    let mut cells = (0, 0);
    for _ in 0..5 {
        let t = Instant::now();
        let a = y.send("POST", "/api/v1/routing/matrix", &auth, Some(&body))?;
        yb = yb.min(t.elapsed());
        let t = Instant::now();
        let b = o.send("GET", &opath, "", None)?;
        ob = ob.min(t.elapsed());
        cells = (
            a["durations"].as_array().map_or(0, |a| a.len()),
            b["durations"].as_array().map_or(0, |a| a.len()),
        );
    }
    println!(
        "http: matrix 100 x {} (durations and distances), best of 5: yingji {:.1} ms, OSRM /table {:.1} ms, OSRM / yingji {:.2}x ({} and {} rows)",
        dst.len(),
        yb.as_secs_f64() * 1e3,
        ob.as_secs_f64() * 1e3,
        ob.as_secs_f64() / yb.as_secs_f64(),
        cells.0,
        cells.1
    );
    Ok(())
}

/// One route of a saved graph, for looking into a disagreement: the snapped
/// ends, time, length and the geometry as `lon,lat` lines.
fn one_route(file: &Path, from: &str, to: &str) -> Res<()> {
    let ch = Ch::load(file)?;
    let p = |s: &str| -> Res<(f64, f64)> {
        let (x, y) = s.split_once(',').ok_or("LON,LAT")?;
        Ok((x.parse()?, y.parse()?))
    };
    let (a, b) = (p(from)?, p(to)?);
    let (a, b) = (ch.snap(a.0, a.1)?, ch.snap(b.0, b.1)?);
    println!(
        "from {:.6},{:.6} ({:.1} m), to {:.6},{:.6} ({:.1} m)",
        a.lon, a.lat, a.distance_m, b.lon, b.lat, b.distance_m
    );
    match ch.route(&a, &b) {
        Some(r) => {
            println!("time {:.1} s, length {:.0} m", r.time_s, r.distance_m);
            for c in &r.geometry {
                println!("{:.7},{:.7}", c[0], c[1]);
            }
        }
        None => println!("no route"),
    }
    Ok(())
}

/// The 100 x 1000 matrix of `osm` (the same points) on a saved graph, `runs`
/// times: best and median, for profiling the matrix alone.
fn matrix_only(file: &Path, runs: usize) -> Res<()> {
    let ch = Ch::load(file)?;
    let b = bbox(ch.graph());
    let mut rng = SmallRng::seed_from_u64(20240304);
    let pts = random_snapped(&ch, &b, 1100, &mut rng);
    let mut t: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let s = Instant::now();
            std::hint::black_box(ch.matrix(&pts[..100], &pts[100..1100]));
            s.elapsed()
        })
        .collect();
    t.sort();
    println!(
        "matrix 100 x 1000, {} runs: best {:.2} ms, median {:.2} ms",
        t.len(),
        t[0].as_secs_f64() * 1e3,
        pct(&t, 0.5).as_secs_f64() * 1e3
    );
    Ok(())
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: routing-bench osm <file.osm.pbf> <out-dir> | grid <nodes> <out-dir> | osrm <host:port> <out-dir> | http <yingji host:port> <token> <osrm host:port> <out-dir>";
    if args.len() == 6 && args[1] == "http" {
        let out = PathBuf::from(&args[5]);
        return http(&args[2], &args[3], &args[4], &out);
    }
    if args.len() == 4 && args[1] == "matrix" {
        return matrix_only(Path::new(&args[2]), args[3].parse()?);
    }
    if args.len() == 5 && args[1] == "route" {
        return one_route(Path::new(&args[2]), &args[3], &args[4]);
    }
    if args.len() < 4 {
        return Err(usage.into());
    }
    let out = PathBuf::from(&args[3]);
    std::fs::create_dir_all(&out)?;
    match args[1].as_str() {
        "osm" => osm(Path::new(&args[2]), &out),
        "grid" => grid(args[2].parse()?, &out),
        "osrm" => osrm(&args[2], &out),
        _ => Err(usage.into()),
    }
}
