//! Warning-area targeting benchmark: yingji-geo (`PointSet` + `TargetArea`)
//! against PostGIS (`ST_Covers` / `ST_Contains` / `ST_DWithin` with GiST
//! indexes) on the same 3,105,591 points and the same areas, in one run.
//! See RESULTS.md and run.sh.
//!
//! ```sh
//! targeting-bench --boundaries ../../data/datong/boundaries \
//!     --pg "host=127.0.0.1 user=postgres dbname=yingji_bench_targeting" --reps 7
//! ```

use std::io::Write;
use std::time::{Duration, Instant};

use geo::{
    BoundingRect, Contains, Coord, Intersects, LineString, MultiPolygon, Point, Polygon, Relate,
};
use postgres::{Client, NoTls};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use yingji_geo::sample::Sampler;
use yingji_geo::target::{PointSet, Predicate, TargetArea};
use yingji_geo::{coord, geojson, validate_polygon, PreparedArea};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Datong's ten county-level units with their 2020 census (第七次全国人口普查,
/// 2020-11-01) resident population, summing to the city's 3,105,591.
struct County {
    code: &'static str,
    name: &'static str,
    pop: usize,
    source: &'static str,
}

const COUNTIES: [County; 10] = [
    County { code: "140212", name: "新荣区", pop: 88_664, source: "derived: urban districts 2,030,203 − (平城+云冈) 1,790,452 − 云州 151,087; the city communiqué gives 8.86万" },
    County { code: "140213", name: "平城区", pop: 1_105_699, source: "平城区第七次全国人口普查公报 (given in the issue)" },
    County { code: "140214", name: "云冈区", pop: 684_753, source: "derived: census 'metro' (平城+云冈) 1,790,452 − 平城 1,105,699" },
    County { code: "140215", name: "云州区", pop: 151_087, source: "云州区第七次全国人口普查公报 (given in the issue)" },
    County { code: "140221", name: "阳高县", pop: 191_981, source: "中国人口普查分县资料—2020 (via zh.wikipedia)" },
    County { code: "140222", name: "天镇县", pop: 163_086, source: "estimate: remainder split by 2010 census shares" },
    County { code: "140223", name: "广灵县", pop: 135_236, source: "estimate: remainder split by 2010 census shares" },
    County { code: "140224", name: "灵丘县", pop: 212_771, source: "中国人口普查分县资料—2020 (via zh.wikipedia)" },
    County { code: "140225", name: "浑源县", pop: 254_371, source: "estimate: remainder split by 2010 census shares" },
    County { code: "140226", name: "左云县", pop: 117_943, source: "citypopulation.de 2020 census (via en.wikipedia)" },
];
const CITY_TOTAL: usize = 3_105_591;
const SEED: u64 = 20_201_101;
/// Every SNAP_EVERY-th point of a county is put exactly on one of the
/// county's boundary vertices (cycling through them), so that boundary
/// semantics are exercised against PostGIS on real data.
const SNAP_EVERY: usize = 1000;

struct Args {
    boundaries: String,
    pg: String,
    reps: usize,
    skip_pg: bool,
    /// Average points per grid cell (PointSet tuning).
    ppc: usize,
    /// Also write the report here.
    out: Option<String>,
    /// Profiling aid: run our side of every query this many times, then stop.
    loop_n: usize,
}

fn args() -> Args {
    let mut a = Args {
        boundaries: "../../data/datong/boundaries".into(),
        pg: "host=127.0.0.1 user=postgres dbname=yingji_bench_targeting".into(),
        reps: 7,
        skip_pg: false,
        ppc: yingji_geo::target::DEFAULT_POINTS_PER_CELL,
        out: None,
        loop_n: 0,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < v.len() {
        match v[i].as_str() {
            "--boundaries" => {
                a.boundaries = v.get(i + 1).cloned().unwrap_or_default();
                i += 1;
            }
            "--pg" => {
                a.pg = v.get(i + 1).cloned().unwrap_or_default();
                i += 1;
            }
            "--reps" => {
                a.reps = v.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(7);
                i += 1;
            }
            "--skip-pg" => a.skip_pg = true,
            "--ppc" => {
                a.ppc = v.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(a.ppc);
                i += 1;
            }
            "--loop" => {
                a.loop_n = v.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(0);
                i += 1;
            }
            "--out" => {
                a.out = v.get(i + 1).cloned();
                i += 1;
            }
            other => eprintln!("ignoring argument {other:?}"),
        }
        i += 1;
    }
    a
}

fn rss_kib() -> (u64, u64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let get = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (get("VmRSS:"), get("VmHWM:"))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn load_county(dir: &str, code: &str) -> Res<MultiPolygon<f64>> {
    let text = std::fs::read_to_string(format!("{dir}/{code}.geojson"))?;
    let gcj = geojson::parse_multipolygon(&text)?;
    // cnmaps boundaries are GCJ-02 though labelled WGS84.
    Ok(geojson::map_coords(&gcj, coord::gcj02_to_wgs84))
}

// ---------------------------------------------------------------- EWKB ----

fn put_f64(b: &mut Vec<u8>, x: f64) {
    b.extend_from_slice(&x.to_le_bytes());
}

fn ewkb_point(x: f64, y: f64, out: &mut String) {
    let mut b = Vec::with_capacity(25);
    b.push(1);
    b.extend_from_slice(&0x2000_0001u32.to_le_bytes());
    b.extend_from_slice(&4326u32.to_le_bytes());
    put_f64(&mut b, x);
    put_f64(&mut b, y);
    hex(&b, out);
}

fn ewkb_multipolygon(mp: &MultiPolygon<f64>) -> String {
    let mut b = Vec::new();
    b.push(1);
    b.extend_from_slice(&0x2000_0006u32.to_le_bytes());
    b.extend_from_slice(&4326u32.to_le_bytes());
    b.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
    for p in &mp.0 {
        b.push(1);
        b.extend_from_slice(&3u32.to_le_bytes());
        let rings: Vec<&LineString<f64>> =
            std::iter::once(p.exterior()).chain(p.interiors()).collect();
        b.extend_from_slice(&(rings.len() as u32).to_le_bytes());
        for r in rings {
            b.extend_from_slice(&(r.0.len() as u32).to_le_bytes());
            for c in &r.0 {
                put_f64(&mut b, c.x);
                put_f64(&mut b, c.y);
            }
        }
    }
    let mut s = String::new();
    hex(&b, &mut s);
    s
}

fn hex(b: &[u8], out: &mut String) {
    const H: &[u8; 16] = b"0123456789ABCDEF";
    for &x in b {
        out.push(H[(x >> 4) as usize] as char);
        out.push(H[(x & 15) as usize] as char);
    }
}

// -------------------------------------------------------------- points ----

struct Data {
    /// (id, lon, lat, county index)
    points: Vec<(u64, f64, f64, u32)>,
    counties: Vec<MultiPolygon<f64>>,
}

fn generate(dir: &str) -> Res<Data> {
    let total: usize = COUNTIES.iter().map(|c| c.pop).sum();
    assert_eq!(
        total, CITY_TOTAL,
        "county figures must add up to the city total"
    );
    let mut points = Vec::with_capacity(total);
    let mut counties = Vec::new();
    for (ci, c) in COUNTIES.iter().enumerate() {
        let mp = load_county(dir, c.code)?;
        let sampler = Sampler::new(&mp).ok_or("county has no area")?;
        let verts: Vec<Coord<f64>> =
            mp.0.iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(|r| r.0.iter().copied())
                .collect();
        let code: u64 = c.code.parse()?;
        let mut rng = SmallRng::seed_from_u64(SEED ^ code);
        for k in 0..c.pop {
            let (x, y) = sampler.sample(&mut rng);
            let (x, y) = if k % SNAP_EVERY == SNAP_EVERY - 1 {
                let v = verts[(k / SNAP_EVERY) % verts.len()];
                (v.x, v.y)
            } else {
                (x, y)
            };
            points.push((points.len() as u64 + 1, x, y, ci as u32));
        }
        counties.push(mp);
    }
    Ok(Data { points, counties })
}

fn nearest(points: &[(u64, f64, f64, u32)], x: f64, y: f64) -> (f64, f64) {
    let mut best = (f64::INFINITY, x, y);
    for p in points {
        let d = (p.1 - x).powi(2) + (p.2 - y).powi(2);
        if d < best.0 {
            best = (d, p.1, p.2);
        }
    }
    (best.1, best.2)
}

/// The "township-sized" area: an irregular 16-vertex star around (cx, cy),
/// radii 3.6–6.0 km (≈ 10 km across), with a ≈ 1 km rectangular hole. Its
/// outer vertices and one hole vertex are snapped onto generated points, the
/// hole's bottom edge is horizontal through a generated point and its right
/// edge vertical through another: those points are exactly on the boundary.
fn township(points: &[(u64, f64, f64, u32)], cx: f64, cy: f64) -> (MultiPolygon<f64>, usize) {
    let km_lat = 1.0 / 111.195;
    let km_lon = km_lat / cy.to_radians().cos();
    let radii = [
        6.0, 4.2, 5.4, 3.6, 5.8, 4.8, 5.0, 3.9, 6.0, 4.4, 5.2, 3.7, 5.6, 4.6, 5.3, 4.0,
    ];
    let mut ring: Vec<(f64, f64)> = radii
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let t = i as f64 * std::f64::consts::TAU / radii.len() as f64 + 0.1;
            nearest(points, cx + r * t.cos() * km_lon, cy + r * t.sin() * km_lat)
        })
        .collect();
    ring.push(ring[0]);
    // Hole: bottom edge through p (horizontal), right edge through q
    // (vertical), top-left corner on a point.
    let (hx, hy) = (cx + 1.5 * km_lon, cy - 1.0 * km_lat);
    let p = nearest(points, hx, hy);
    let q = nearest(points, hx + 0.6 * km_lon, hy + 0.5 * km_lat);
    let tl = nearest(points, hx - 0.6 * km_lon, hy + 1.0 * km_lat);
    let hole = vec![(tl.0, p.1), (q.0, p.1), (q.0, tl.1), tl, (tl.0, p.1)];
    let on_boundary = radii.len() + 3;
    (
        MultiPolygon::new(vec![Polygon::new(ring.into(), vec![hole.into()])]),
        on_boundary,
    )
}

// ------------------------------------------------------------- postgis ----

fn pg_setup(pg: &str, data: &Data, out: &mut Report) -> Res<Client> {
    // Create the database from the maintenance database if missing.
    let dbname = pg
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("dbname="))
        .unwrap_or("yingji_bench_targeting")
        .to_string();
    let admin = pg.replace(&format!("dbname={dbname}"), "dbname=postgres");
    let mut a = Client::connect(&admin, NoTls)?;
    let exists = a
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&dbname])?
        .is_some();
    if !exists {
        a.batch_execute(&format!("CREATE DATABASE \"{dbname}\""))?;
    }
    let mut c = Client::connect(pg, NoTls)?;
    c.batch_execute("CREATE EXTENSION IF NOT EXISTS postgis")?;
    let v: String = c.query_one("SELECT postgis_full_version()", &[])?.get(0);
    let pgv: String = c.query_one("SELECT version()", &[])?.get(0);
    out.line(format!("PostgreSQL: {pgv}"));
    out.line(format!("PostGIS: {v}"));
    let settings: Vec<String> = c
        .query(
            "SELECT name || '=' || setting FROM pg_settings WHERE name IN \
             ('shared_buffers','work_mem','max_parallel_workers_per_gather','jit','effective_cache_size')",
            &[],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    out.line(format!("settings: {}", settings.join(", ")));

    c.batch_execute(
        "DROP TABLE IF EXISTS pts; \
         CREATE TABLE pts (id bigint NOT NULL, geom geometry(Point, 4326) NOT NULL);",
    )?;
    let t = Instant::now();
    {
        let mut w = c.copy_in("COPY pts (id, geom) FROM STDIN")?;
        let mut buf = String::with_capacity(8 << 20);
        for p in &data.points {
            buf.push_str(&p.0.to_string());
            buf.push('\t');
            ewkb_point(p.1, p.2, &mut buf);
            buf.push('\n');
            if buf.len() > (8 << 20) - 100 {
                w.write_all(buf.as_bytes())?;
                buf.clear();
            }
        }
        w.write_all(buf.as_bytes())?;
        w.finish()?;
    }
    let copy = t.elapsed();
    let t = Instant::now();
    c.batch_execute("CREATE INDEX pts_geom_gist ON pts USING gist (geom)")?;
    let gist = t.elapsed();
    let t = Instant::now();
    c.batch_execute("CREATE INDEX pts_geog_gist ON pts USING gist ((geom::geography))")?;
    let gist_geog = t.elapsed();
    let t = Instant::now();
    c.batch_execute("VACUUM ANALYZE pts")?;
    let analyze = t.elapsed();
    let sizes = c.query_one(
        "SELECT pg_relation_size('pts'), pg_relation_size('pts_geom_gist'), pg_relation_size('pts_geog_gist')",
        &[],
    )?;
    let (tb, ib, gb): (i64, i64, i64) = (sizes.get(0), sizes.get(1), sizes.get(2));
    out.line(format!(
        "PostGIS load: COPY {:.1} s, GiST(geometry) {:.1} s, GiST(geography) {:.1} s, VACUUM ANALYZE {:.1} s",
        copy.as_secs_f64(),
        gist.as_secs_f64(),
        gist_geog.as_secs_f64(),
        analyze.as_secs_f64()
    ));
    out.line(format!(
        "PostGIS size: table {:.0} MiB, GiST(geometry) {:.0} MiB, GiST(geography) {:.0} MiB",
        tb as f64 / 1048576.0,
        ib as f64 / 1048576.0,
        gb as f64 / 1048576.0
    ));
    Ok(c)
}

fn pg_ids(c: &mut Client, sql: &str) -> Res<(Vec<u64>, Duration)> {
    let t = Instant::now();
    let rows = c.query(sql, &[])?;
    let ids: Vec<u64> = rows.iter().map(|r| r.get::<_, i64>(0) as u64).collect();
    Ok((ids, t.elapsed()))
}

fn pg_count(c: &mut Client, sql: &str) -> Res<(usize, Duration)> {
    let t = Instant::now();
    let n: i64 = c.query_one(sql, &[])?.get(0);
    Ok((n as usize, t.elapsed()))
}

fn pg_plan(c: &mut Client, sql: &str) -> Res<Vec<String>> {
    Ok(c.query(
        &format!("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}"),
        &[],
    )?
    .iter()
    .map(|r| r.get::<_, String>(0))
    .collect())
}

// -------------------------------------------------------------- report ----

#[derive(Default)]
struct Report {
    text: String,
}

impl Report {
    fn line(&mut self, s: String) {
        println!("{s}");
        self.text.push_str(&s);
        self.text.push('\n');
    }
}

enum Shape<'a> {
    Poly(&'a MultiPolygon<f64>),
    Circle(f64, f64, f64),
}

struct Query<'a> {
    name: String,
    shape: Shape<'a>,
}

impl Query<'_> {
    fn area(&self, pred: Predicate) -> TargetArea {
        let a = match &self.shape {
            Shape::Poly(mp) => TargetArea::from_multipolygon(mp),
            Shape::Circle(x, y, r) => TargetArea::from_circle(*x, *y, *r),
        };
        a.expect("benchmark areas are valid").with_predicate(pred)
    }

    fn sql(&self, pred: Predicate, count: bool) -> Option<String> {
        let sel = if count { "count(*)" } else { "id" };
        match &self.shape {
            Shape::Poly(mp) => {
                let f = match pred {
                    Predicate::Covers => "ST_Covers",
                    Predicate::Contains => "ST_Contains",
                };
                Some(format!(
                    "SELECT {sel} FROM pts WHERE {f}('{}'::geometry, geom)",
                    ewkb_multipolygon(mp)
                ))
            }
            Shape::Circle(x, y, r) => match pred {
                Predicate::Covers => Some(format!(
                    "SELECT {sel} FROM pts WHERE ST_DWithin(geom::geography, \
                     ST_SetSRID(ST_MakePoint({x:?}, {y:?}), 4326)::geography, {r:?}, false)"
                )),
                Predicate::Contains => None,
            },
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn run_query(
    q: &Query,
    pred: Predicate,
    set: &PointSet,
    pg: Option<&mut Client>,
    reps: usize,
    out: &mut Report,
    table: &mut Vec<String>,
) -> Res<()> {
    let area = q.area(pred);
    let st = set.explain(&area);
    // Ours: build the TargetArea from the polygon and collect the ids, each
    // repetition (a new warning area arrives each time).
    // Ours takes milliseconds: many more repetitions, for stabler medians
    // on a shared machine.
    let ours_reps = (4 * reps).max(31);
    let mut ours = [Vec::new(), Vec::new()];
    let mut ours_ids = Vec::new();
    for (k, threads) in [1usize, 2].iter().enumerate() {
        for rep in 0..=ours_reps {
            let t = Instant::now();
            let a = q.area(pred);
            let ids = set.ids_in_par(&a, *threads);
            let d = t.elapsed();
            if rep > 0 {
                ours[k].push(d);
            }
            if k == 0 && rep == 0 {
                ours_ids = ids;
            } else {
                assert_eq!(ids.len(), ours_ids.len());
            }
        }
    }
    let mut ours_count = Vec::new();
    for rep in 0..=ours_reps {
        let t = Instant::now();
        let n = set.count_in(&q.area(pred));
        if rep > 0 {
            ours_count.push(t.elapsed());
        }
        assert_eq!(n, ours_ids.len());
    }
    let mins: Vec<f64> = ours
        .iter()
        .map(|v| v.iter().min().map_or(0.0, |d| ms(*d)))
        .collect();
    let (o1, o2, oc) = (
        median(ours[0].clone()),
        median(ours[1].clone()),
        median(ours_count),
    );
    let mut sorted_ours = ours_ids.clone();
    sorted_ours.sort_unstable();
    let pname = match pred {
        Predicate::Covers => "covers",
        Predicate::Contains => "contains",
    };
    out.line(format!(
        "[{} / {pname}] ours ({ours_reps} reps): {} points; 1 thread {:.2} ms (min {:.2}), 2 threads {:.2} ms (min {:.2}), count {:.2} ms; \
         cells {} (inside {}, partial {}), points taken in bulk {}, tested {}",
        q.name,
        ours_ids.len(),
        ms(o1),
        mins[0],
        ms(o2),
        mins[1],
        ms(oc),
        st.cells,
        st.cells_inside,
        st.cells_partial,
        st.points_bulk,
        st.points_tested
    ));
    let (Some(c), Some(sql)) = (pg, q.sql(pred, false)) else {
        table.push(format!(
            "| {} | {pname} | {} | {:.2} | {:.2} | – | – | – | – |",
            q.name,
            ours_ids.len(),
            ms(o1),
            ms(o2)
        ));
        return Ok(());
    };
    let count_sql = q.sql(pred, true).unwrap_or_default();
    let mut pg_t = Vec::new();
    let mut pg_c = Vec::new();
    let mut theirs = Vec::new();
    for rep in 0..=reps {
        let (ids, d) = pg_ids(c, &sql)?;
        let (n, dc) = pg_count(c, &count_sql)?;
        assert_eq!(n, ids.len());
        if rep > 0 {
            pg_t.push(d);
            pg_c.push(dc);
        } else {
            theirs = ids;
        }
    }
    theirs.sort_unstable();
    let equal = theirs == sorted_ours;
    let (p, pc) = (median(pg_t), median(pg_c));
    out.line(format!(
        "[{} / {pname}] PostGIS: {} points; ids {:.2} ms, count(*) {:.2} ms; identical id sets: {equal}",
        q.name,
        theirs.len(),
        ms(p),
        ms(pc)
    ));
    if !equal {
        let a: std::collections::BTreeSet<u64> = sorted_ours.iter().copied().collect();
        let b: std::collections::BTreeSet<u64> = theirs.iter().copied().collect();
        let only_ours: Vec<_> = a.difference(&b).take(10).collect();
        let only_pg: Vec<_> = b.difference(&a).take(10).collect();
        out.line(format!(
            "   MISMATCH: only ours {} (e.g. {only_ours:?}), only PostGIS {} (e.g. {only_pg:?})",
            a.difference(&b).count(),
            b.difference(&a).count()
        ));
    }
    for l in pg_plan(c, &sql)? {
        out.line(format!("     plan: {l}"));
    }
    out.line(format!(
        "[{} / {pname}] ratio PostGIS ÷ ours: ids {:.1}× (1 thread), {:.1}× (2 threads); count {:.1}×",
        q.name,
        ms(p) / ms(o1),
        ms(p) / ms(o2),
        ms(pc) / ms(oc)
    ));
    table.push(format!(
        "| {} | {pname} | {} | {:.2} | {:.2} | {:.1} | {:.1}× / {:.1}× | {:.2} / {:.1} ({:.0}×) | {} |",
        q.name,
        ours_ids.len(),
        ms(o1),
        ms(o2),
        ms(p),
        ms(p) / ms(o1),
        ms(p) / ms(o2),
        ms(oc),
        ms(pc),
        ms(pc) / ms(oc),
        if equal { "yes" } else { "NO" }
    ));
    assert!(equal, "id sets differ");
    Ok(())
}

/// Per-point cost of point-in-polygon alternatives on the candidates of one
/// county's bounding box.
fn microbench(name: &str, mp: &MultiPolygon<f64>, set: &PointSet, out: &mut Report) {
    let b = mp.bounding_rect().expect("county has a box");
    let cand: Vec<(f64, f64)> = set
        .iter()
        .filter(|p| p.1 >= b.min().x && p.1 <= b.max().x && p.2 >= b.min().y && p.2 <= b.max().y)
        .map(|p| (p.1, p.2))
        .take(400_000)
        .collect();
    let n = cand.len();
    let time = |f: &dyn Fn(f64, f64) -> bool, k: usize| -> (f64, usize) {
        let t = Instant::now();
        let hits = cand[..k].iter().filter(|p| f(p.0, p.1)).count();
        (t.elapsed().as_nanos() as f64 / k as f64, hits)
    };
    let t = Instant::now();
    let ours = TargetArea::from_multipolygon(mp)
        .expect("valid")
        .with_predicate(Predicate::Contains);
    let prep_ours = t.elapsed();
    let t = Instant::now();
    let pa = PreparedArea::from_multipolygon(mp);
    let prep_pa = t.elapsed();
    let t = Instant::now();
    let itree = geo::algorithm::indexed::IntervalTreeMultiPolygon::new(mp);
    let prep_it = t.elapsed();
    let t = Instant::now();
    let prepared = geo::PreparedGeometry::from(mp);
    let prep_pg = t.elapsed();
    let small = n.min(20_000);
    let (a, ha) = time(&|x, y| ours.contains(x, y), n);
    let (b2, hb) = time(&|x, y| pa.contains(x, y), n);
    let (c, hc) = time(&|x, y| itree.contains(&Point::new(x, y)), n);
    let (d, hd) = time(&|x, y| mp.contains(&Point::new(x, y)), small);
    let (e, he) = time(&|x, y| mp.intersects(&Point::new(x, y)), small);
    let (f, hf) = time(
        &|x, y| prepared.relate(&Point::new(x, y)).is_contains(),
        small,
    );
    out.line(format!(
        "point-in-polygon, {name} ({} vertices), {n} candidates from its box:",
        mp.0.iter().map(|p| p.exterior().0.len()).sum::<usize>()
    ));
    out.line(format!(
        "  yingji TargetArea::locate (bands)          {a:7.1} ns/pt  prep {:?}  ({ha} interior)",
        prep_ours
    ));
    out.line(format!(
        "  yingji PreparedArea::contains (bands)      {b2:7.1} ns/pt  prep {:?}  ({hb} covered)",
        prep_pa
    ));
    out.line(format!(
        "  geo IntervalTreeMultiPolygon::contains     {c:7.1} ns/pt  prep {:?}  ({hc} interior)",
        prep_it
    ));
    out.line(format!(
        "  geo MultiPolygon::contains (no index)      {d:7.1} ns/pt  ({hd} of first {small})"
    ));
    out.line(format!(
        "  geo MultiPolygon::intersects (no index)    {e:7.1} ns/pt  ({he} of first {small})"
    ));
    out.line(format!("  geo PreparedGeometry::relate().is_contains {f:7.1} ns/pt  prep {:?}  ({hf} of first {small})", prep_pg));
}

fn main() -> Res<()> {
    let a = args();
    let mut out = Report::default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    out.line(format!(
        "machine: {} × {cpu}; load average at start: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.trim()
    ));
    out.line(format!(
        "repetitions per measurement: {} (+1 warm-up), median reported",
        a.reps
    ));

    // ---- data
    let t = Instant::now();
    let data = generate(&a.boundaries)?;
    out.line(format!(
        "generated {} points in the ten county polygons (WGS84) in {:.2} s (seed {SEED}, every {SNAP_EVERY}th on a boundary vertex)",
        data.points.len(),
        t.elapsed().as_secs_f64()
    ));
    for c in &COUNTIES {
        out.line(format!(
            "  {} {} {:>9}  {}",
            c.code, c.name, c.pop, c.source
        ));
    }

    // ---- our index
    let (rss0, _) = rss_kib();
    let t = Instant::now();
    let set = PointSet::new_grouped_with_points_per_cell(data.points.iter().copied(), a.ppc);
    let build = t.elapsed();
    let (rss1, hwm) = rss_kib();
    let (gx, gy) = set.grid_dims();
    out.line(format!(
        "PointSet::new_grouped ({} points per cell): {:.0} ms for {} points; grid {gx}×{gy}; {:.1} MiB held ({:.1} B/point); RSS +{:.0} MiB (peak RSS {:.0} MiB)",
        a.ppc,
        ms(build),
        set.len(),
        set.memory_bytes() as f64 / 1048576.0,
        set.memory_bytes() as f64 / set.len() as f64,
        (rss1.saturating_sub(rss0)) as f64 / 1024.0,
        hwm as f64 / 1024.0
    ));
    let t = Instant::now();
    let plain = PointSet::with_points_per_cell(data.points.iter().map(|p| (p.0, p.1, p.2)), a.ppc);
    out.line(format!(
        "PointSet::new (no groups): {:.0} ms; {:.1} MiB held",
        ms(t.elapsed()),
        plain.memory_bytes() as f64 / 1048576.0
    ));
    drop(plain);

    // ---- areas
    let pingcheng = &data.counties[1];
    let yunzhou = &data.counties[3];
    // The township: around Datong's old town (WGS84), inside 平城区.
    let (town, snapped) = township(&data.points, 113.296, 40.088);
    validate_polygon(&town)?;
    let circle = (113.32, 40.06, 3_000.0);
    out.line(format!(
        "township polygon: {} outer + {} hole vertices, bbox {:?}; {snapped} generated points placed exactly on its boundary",
        town.0[0].exterior().0.len() - 1,
        town.0[0].interiors()[0].0.len() - 1,
        town.bounding_rect().map(|r| (r.min().x, r.min().y, r.max().x, r.max().y))
    ));
    out.line(format!(
        "township polygon (WKB hex): {}",
        ewkb_multipolygon(&town)
    ));
    let queries = [
        Query {
            name: "county 平城区 (140213)".into(),
            shape: Shape::Poly(pingcheng),
        },
        Query {
            name: "county 云州区 (140215)".into(),
            shape: Shape::Poly(yunzhou),
        },
        Query {
            name: "township polygon (~10 km, with hole)".into(),
            shape: Shape::Poly(&town),
        },
        Query {
            name: format!("circle r={} m at ({}, {})", circle.2, circle.0, circle.1),
            shape: Shape::Circle(circle.0, circle.1, circle.2),
        },
    ];

    if a.loop_n > 0 {
        for q in &queries {
            let t = Instant::now();
            let mut n = 0;
            for _ in 0..a.loop_n {
                n += set.ids_in(&q.area(Predicate::Covers)).len();
            }
            let per = t.elapsed() / a.loop_n as u32;
            let t = Instant::now();
            for _ in 0..a.loop_n {
                n += set.count_in(&q.area(Predicate::Covers));
            }
            let per_c = t.elapsed() / a.loop_n as u32;
            let t = Instant::now();
            for _ in 0..a.loop_n {
                n += set.ids_in_par(&q.area(Predicate::Covers), 2).len();
            }
            let per_2 = t.elapsed() / a.loop_n as u32;
            println!(
                "{}: ids_in {:.2} ms, 2 threads {:.2} ms, count_in {:.2} ms ({n})",
                q.name,
                ms(per),
                ms(per_2),
                ms(per_c)
            );
        }
        return Ok(());
    }

    // ---- PostGIS
    let mut pg = if a.skip_pg {
        None
    } else {
        Some(pg_setup(&a.pg, &data, &mut out)?)
    };
    if let Some(c) = pg.as_mut() {
        let v: bool = c
            .query_one(
                &format!(
                    "SELECT ST_IsValid('{}'::geometry)",
                    ewkb_multipolygon(&town)
                ),
                &[],
            )?
            .get(0);
        out.line(format!("PostGIS ST_IsValid(township) = {v}"));
    }

    // ---- queries
    let mut table = vec![
        "| query | predicate | points | ours 1 thread ms | ours 2 threads ms | PostGIS ms | PostGIS ÷ ours (1 / 2 threads) | count(*): ours ms / PostGIS ms | same ids |".to_string(),
        "|---|---|---:|---:|---:|---:|---:|---:|---|".to_string(),
    ];
    for q in &queries {
        for pred in [Predicate::Covers, Predicate::Contains] {
            if matches!(q.shape, Shape::Circle(..)) && pred == Predicate::Contains {
                continue;
            }
            run_query(q, pred, &set, pg.as_mut(), a.reps, &mut out, &mut table)?;
        }
    }

    // Which counties the township touches, with points reached (groups).
    let by_county = set.count_by_group(&queries[2].area(Predicate::Covers), 2);
    let named: Vec<String> = by_county
        .iter()
        .map(|(g, n)| format!("{} {n}", COUNTIES[*g as usize].name))
        .collect();
    out.line(format!(
        "township polygon reaches, by county: {}",
        named.join(", ")
    ));
    let list: Vec<(&str, MultiPolygon<f64>)> = COUNTIES
        .iter()
        .zip(&data.counties)
        .map(|(c, mp)| (c.name, mp.clone()))
        .collect();
    for q in &queries[2..] {
        let t = Instant::now();
        let touched = q.area(Predicate::Covers).touched(&list);
        out.line(format!(
            "{} touches counties {:?} (by boundary, {:.1} ms)",
            q.name,
            touched,
            ms(t.elapsed())
        ));
    }

    microbench("平城区", pingcheng, &set, &mut out);

    out.line(String::new());
    for l in table {
        out.line(l);
    }
    let (_, hwm) = rss_kib();
    out.line(format!(
        "peak RSS of the benchmark process: {:.0} MiB",
        hwm as f64 / 1024.0
    ));
    out.line(format!(
        "load average at end: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    ));
    if let Some(path) = &a.out {
        std::fs::write(path, &out.text)?;
    }
    Ok(())
}
