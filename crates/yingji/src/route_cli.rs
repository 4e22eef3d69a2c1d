//! `yingji route …`: road-network commands on `yingji-routing`, printing JSON.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Subcommand;
use serde_json::{json, Value};
use yingji_routing::{
    Ch, CoverageParams, DemandPoint, Graph, Profile, Progress, SnapConfig, Snapped,
    DEFAULT_MAX_SNAP_M, DEFAULT_OFF_ROAD_KMH,
};

/// How points meet the road (the `[snapping]` of the server's configuration).
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct SnapArgs {
    /// Search radius around each point for a road, metres; farther points are refused.
    #[arg(long, default_value_t = DEFAULT_MAX_SNAP_M)]
    pub max_snap_m: f64,
    /// Speed of the off-road leg between a point and its road, km/h.
    #[arg(long, default_value_t = DEFAULT_OFF_ROAD_KMH)]
    pub off_road_kmh: f64,
}

impl SnapArgs {
    fn config(self) -> anyhow::Result<SnapConfig> {
        let c = SnapConfig {
            max_snap_m: self.max_snap_m,
            off_road_kmh: self.off_road_kmh,
        };
        c.check().context("--max-snap-m / --off-road-kmh")?;
        Ok(c)
    }
}

#[derive(Subcommand, Debug)]
pub enum RouteCmd {
    /// Import an OSM extract and preprocess it into one graph file.
    Build {
        #[arg(long)]
        osm: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Profile (TOML) overriding the default driving profile.
        #[arg(long)]
        profile: Option<PathBuf>,
    },
    /// Travel time, distance and geometry between two points.
    Query {
        graph: PathBuf,
        #[command(flatten)]
        snap: SnapArgs,
        /// LAT,LON
        #[arg(long)]
        from: String,
        /// LAT,LON
        #[arg(long)]
        to: String,
    },
    /// Travel-time matrix (seconds) from every source to every target.
    Matrix {
        graph: PathBuf,
        #[command(flatten)]
        snap: SnapArgs,
        /// LAT,LON;LAT,LON;…
        #[arg(long)]
        sources: String,
        #[arg(long)]
        targets: String,
    },
    /// Area reachable within the limit from any of the sources, as GeoJSON.
    Isochrone {
        graph: PathBuf,
        #[command(flatten)]
        snap: SnapArgs,
        /// LAT,LON;LAT,LON;…
        #[arg(long)]
        from: String,
        #[arg(long, default_value_t = 60.0)]
        minutes: f64,
    },
    /// Population covered by stations within the limit; optionally the best k new sites.
    Coverage {
        graph: PathBuf,
        #[command(flatten)]
        snap: SnapArgs,
        /// CSV with columns lat,lon
        #[arg(long)]
        stations: PathBuf,
        /// CSV with columns lat,lon,population
        #[arg(long)]
        demand: PathBuf,
        #[arg(long, default_value_t = 60.0)]
        minutes: f64,
        /// CSV with columns lat,lon of candidate sites
        #[arg(long)]
        candidates: Option<PathBuf>,
        #[arg(long, default_value_t = 4)]
        k: usize,
    },
}

/// Parse `LAT,LON;LAT,LON` (the order users read off maps) into `[lon, lat]`.
pub fn parse_points(s: &str) -> anyhow::Result<Vec<[f64; 2]>> {
    s.split(';')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let mut it = p.split(',').map(|x| x.trim().parse::<f64>());
            match (it.next(), it.next(), it.next()) {
                (Some(Ok(lat)), Some(Ok(lon)), None) => lon_lat(lat, lon),
                _ => None,
            }
            .ok_or_else(|| anyhow::anyhow!("{p:?} {NOT_LAT_LON}"))
        })
        .collect()
}

/// What a point that is not a latitude and a longitude is told.
pub const NOT_LAT_LON: &str = "is not LAT,LON (latitude −90…90, longitude −180…180)";

/// `[lon, lat]` when `lat`, `lon` are a latitude and a longitude in range.
pub fn lon_lat(lat: f64, lon: f64) -> Option<[f64; 2]> {
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some([lon, lat])
}

fn read_csv_points(path: &Path, with_population: bool) -> anyhow::Result<Vec<(f64, f64, f64)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if i == 0 && cells.first().is_some_and(|c| c.parse::<f64>().is_err()) {
            continue; // header
        }
        if line.trim().is_empty() {
            continue;
        }
        let num = |k: usize, name: &str| -> anyhow::Result<f64> {
            cells
                .get(k)
                .and_then(|c| c.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .with_context(|| {
                    format!("{} line {}: {name} is not a number", path.display(), i + 1)
                })
        };
        let (lat, lon) = (num(0, "lat")?, num(1, "lon")?);
        let pop = if with_population {
            num(2, "population")?
        } else {
            0.0
        };
        out.push((lon, lat, pop));
    }
    Ok(out)
}

fn load(path: &Path) -> anyhow::Result<Ch> {
    Ch::load(path).with_context(|| format!("loading graph {}", path.display()))
}

fn snap_all(router: &yingji_routing::Router<'_>, pts: &[[f64; 2]]) -> anyhow::Result<Vec<Snapped>> {
    pts.iter()
        .map(|p| {
            router
                .snap(p[0], p[1])
                .with_context(|| format!("point {},{} (lat,lon)", p[1], p[0]))
        })
        .collect()
}

fn progress_bar() -> impl FnMut(Progress) {
    let bar = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template("{msg:>16} [{bar:40}] {pos}/{len}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    let mut stage = None;
    move |p: Progress| {
        if stage != Some(p.stage) {
            stage = Some(p.stage);
            bar.reset();
            bar.set_message(p.stage.label());
        }
        bar.set_length(p.total);
        bar.set_position(p.done);
    }
}

pub fn run(cmd: RouteCmd) -> anyhow::Result<Value> {
    Ok(match cmd {
        RouteCmd::Build { osm, out, profile } => {
            let profile = match profile {
                Some(p) => toml::from_str::<Profile>(
                    &std::fs::read_to_string(&p)
                        .with_context(|| format!("reading {}", p.display()))?,
                )
                .with_context(|| format!("profile {}", p.display()))?,
                None => Profile::driving(),
            };
            let t0 = std::time::Instant::now();
            let graph = Graph::from_osm_pbf(&osm, &profile, progress_bar())
                .with_context(|| format!("importing {}", osm.display()))?;
            let t1 = t0.elapsed();
            let ch = Ch::build(&graph, progress_bar());
            ch.save(&out)
                .with_context(|| format!("writing {}", out.display()))?;
            json!({ "nodes": graph.num_nodes(), "edges": graph.num_edges(), "import_s": t1.as_secs_f64(), "total_s": t0.elapsed().as_secs_f64(), "out": out.display().to_string() })
        }
        RouteCmd::Query {
            graph,
            snap,
            from,
            to,
        } => {
            let ch = load(&graph)?;
            let router = ch.router().with_snap(snap.config()?);
            let (a, b) = (parse_points(&from)?, parse_points(&to)?);
            if a.len() != 1 || b.len() != 1 {
                bail!("--from and --to take one LAT,LON each");
            }
            let s = snap_all(&router, &[a[0], b[0]])?;
            match router.route(&s[0], &s[1]) {
                Some(r) => serde_json::to_value(r)?,
                None => json!({ "error": "no route between the points" }),
            }
        }
        RouteCmd::Matrix {
            graph,
            snap,
            sources,
            targets,
        } => {
            let ch = load(&graph)?;
            let router = ch.router().with_snap(snap.config()?);
            let s = snap_all(&router, &parse_points(&sources)?)?;
            let t = snap_all(&router, &parse_points(&targets)?)?;
            let m = router.matrix(&s, &t);
            let rows: Vec<Vec<Option<f64>>> = (0..s.len())
                .map(|i| (0..t.len()).map(|j| m.time_s(i, j)).collect())
                .collect();
            json!({ "time_s": rows })
        }
        RouteCmd::Isochrone {
            graph,
            snap,
            from,
            minutes,
        } => {
            let ch = load(&graph)?;
            let router = ch.router().with_snap(snap.config()?);
            let s = snap_all(&router, &parse_points(&from)?)?;
            let iso = router.isochrone(&s, minutes * 60.0)?;
            json!({ "limit_s": iso.limit_s, "nodes_reached": iso.nodes.len(), "polygons": yingji_geo::geojson::multipolygon_to_geojson(&iso.polygons) })
        }
        RouteCmd::Coverage {
            graph,
            snap,
            stations,
            demand,
            minutes,
            candidates,
            k,
        } => {
            let ch = load(&graph)?;
            let router = ch.router().with_snap(snap.config()?);
            let st: Vec<[f64; 2]> = read_csv_points(&stations, false)?
                .into_iter()
                .map(|(x, y, _)| [x, y])
                .collect();
            let dm: Vec<DemandPoint> = read_csv_points(&demand, true)?
                .into_iter()
                .map(|(lon, lat, population)| DemandPoint {
                    lon,
                    lat,
                    population,
                })
                .collect();
            let params = CoverageParams {
                limit_s: minutes * 60.0,
                max_snap_m: snap.max_snap_m,
            };
            let report = router.coverage(&st, &dm, &params)?;
            let mut v = json!({ "coverage": report });
            if let Some(c) = candidates {
                let cand: Vec<[f64; 2]> = read_csv_points(&c, false)?
                    .into_iter()
                    .map(|(x, y, _)| [x, y])
                    .collect();
                v["sites"] =
                    serde_json::to_value(router.greedy_sites(&st, &cand, &dm, k, &params)?)?;
            }
            v
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_lat_lon() {
        assert_eq!(
            parse_points("47.14,9.52;47.2,9.55").unwrap(),
            vec![[9.52, 47.14], [9.55, 47.2]]
        );
        for bad in ["9.52", "95,9", "47,200", "a,b", "1,2,3"] {
            assert!(parse_points(bad).is_err(), "{bad}");
        }
    }
}
