//! Coverage analysis: which demand (e.g. village population) is reachable
//! from stations within a time limit, and where to add stations (greedy
//! maximal covering location).
//!
//! Times are the driving time between the station's and the demand point's
//! snapped points plus the off-road leg at each end (the snap distances at
//! the router's [`crate::SnapConfig::off_road_kmh`]); points farther than
//! [`CoverageParams::max_snap_m`] from any road count as uncovered and are
//! listed in [`CoverageReport::off_road`]. They come from a
//! [`Router::matrix_within`] (stations × demand points, searches pruned at the
//! limit), so they are exact and respect closures.
//!
//! Greedy: each round adds the candidate covering the most still-uncovered
//! population (ties: lowest candidate index) until `k` sites are chosen or no
//! candidate adds anything. Greedy achieves at least `1 - 1/e` of the optimal
//! coverage for a given `k`.

use crate::router::limit_ms;
use crate::{Error, Result, Router, Snapped};

/// A place with people (or any weight) to cover.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DemandPoint {
    pub lon: f64,
    pub lat: f64,
    /// Weight, e.g. population; must be finite and >= 0.
    pub population: f64,
}

/// Parameters of coverage analysis.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CoverageParams {
    /// Time limit in seconds (default 3600).
    pub limit_s: f64,
    /// Points farther from a road than this are off-road (default 1000 m).
    pub max_snap_m: f64,
}

impl Default for CoverageParams {
    fn default() -> Self {
        CoverageParams {
            limit_s: 3600.0,
            max_snap_m: crate::snap::DEFAULT_MAX_SNAP_M,
        }
    }
}

/// Result of [`Router::coverage`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CoverageReport {
    pub limit_s: f64,
    pub total_population: f64,
    pub covered_population: f64,
    /// Indices of covered demand points.
    pub covered: Vec<usize>,
    /// Indices of uncovered demand points (including off-road ones).
    pub uncovered: Vec<usize>,
    /// Indices of demand points with no road within `max_snap_m`.
    pub off_road: Vec<usize>,
    /// Per demand point: travel time (s) from the nearest station, if within the limit.
    pub time_s: Vec<Option<f64>>,
    /// Per demand point: index of the nearest station, if within the limit.
    pub nearest_station: Vec<Option<usize>>,
}

/// One chosen site of [`Router::greedy_sites`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SiteChoice {
    /// Index into the candidate list.
    pub candidate: usize,
    /// Population newly covered by this site.
    pub added_population: f64,
    /// Covered population after adding it (existing stations included).
    pub covered_population: f64,
}

/// Result of [`Router::greedy_sites`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SiteSelection {
    pub total_population: f64,
    /// Covered by the existing stations alone.
    pub initial_covered_population: f64,
    /// Chosen sites in order of choice (at most `k`).
    pub choices: Vec<SiteChoice>,
    /// Candidates with no road within `max_snap_m` (never chosen).
    pub off_road_candidates: Vec<usize>,
}

fn check_demand(demand: &[DemandPoint]) -> Result<f64> {
    let mut total = 0.0;
    for (i, d) in demand.iter().enumerate() {
        if !(d.population.is_finite() && d.population >= 0.0) {
            return Err(Error::InvalidArgument(format!(
                "demand point {i}: population {} must be finite and >= 0",
                d.population
            )));
        }
        total += d.population;
    }
    Ok(total)
}

impl Router<'_> {
    fn snap_all(
        &self,
        pts: &[[f64; 2]],
        max_m: f64,
        what: &str,
        strict: bool,
    ) -> Result<(Vec<Snapped>, Vec<usize>, Vec<usize>)> {
        let mut ok = Vec::new();
        let mut idx = Vec::new();
        let mut bad = Vec::new();
        for (i, p) in pts.iter().enumerate() {
            match self.snap_within(p[0], p[1], max_m) {
                Ok(s) => {
                    ok.push(s);
                    idx.push(i);
                }
                Err(Error::TooFarFromRoad { .. }) if !strict => bad.push(i),
                Err(e) => {
                    return Err(Error::InvalidArgument(format!("{what} {i}: {e}")));
                }
            }
        }
        Ok((ok, idx, bad))
    }

    /// Covered population of `stations` (`[lon, lat]`; each must be near a road).
    pub fn coverage(
        &self,
        stations: &[[f64; 2]],
        demand: &[DemandPoint],
        params: &CoverageParams,
    ) -> Result<CoverageReport> {
        let limit = limit_ms(params.limit_s)?;
        let total = check_demand(demand)?;
        let (st, _, _) = self.snap_all(stations, params.max_snap_m, "station", true)?;
        let pts: Vec<[f64; 2]> = demand.iter().map(|d| [d.lon, d.lat]).collect();
        let (dp, didx, off_road) = self.snap_all(&pts, params.max_snap_m, "demand point", false)?;
        let m = self.matrix_ms(&st, &dp, limit);
        let mut time_s = vec![None; demand.len()];
        let mut nearest = vec![None; demand.len()];
        for (j, &d) in didx.iter().enumerate() {
            let best = (0..st.len())
                .map(|i| (m.total_ms(i, j), i))
                .filter(|&(t, _)| t <= limit)
                .min();
            if let Some((t, i)) = best {
                time_s[d] = Some(t as f64 / 1000.0);
                nearest[d] = Some(i);
            }
        }
        let covered: Vec<usize> = (0..demand.len()).filter(|&d| time_s[d].is_some()).collect();
        let uncovered: Vec<usize> = (0..demand.len()).filter(|&d| time_s[d].is_none()).collect();
        let covered_population = covered.iter().map(|&d| demand[d].population).sum();
        Ok(CoverageReport {
            limit_s: params.limit_s,
            total_population: total,
            covered_population,
            covered,
            uncovered,
            off_road,
            time_s,
            nearest_station: nearest,
        })
    }

    /// Greedily picks up to `k` of `candidates` (`[lon, lat]`) to add to `existing`
    /// stations, each maximising the newly covered population.
    pub fn greedy_sites(
        &self,
        existing: &[[f64; 2]],
        candidates: &[[f64; 2]],
        demand: &[DemandPoint],
        k: usize,
        params: &CoverageParams,
    ) -> Result<SiteSelection> {
        let limit = limit_ms(params.limit_s)?;
        let total = check_demand(demand)?;
        let base = self.coverage(existing, demand, params)?;
        let mut covered = vec![false; demand.len()];
        for &d in &base.covered {
            covered[d] = true;
        }
        let (cs, cidx, off_road_candidates) =
            self.snap_all(candidates, params.max_snap_m, "candidate", false)?;
        let pts: Vec<[f64; 2]> = demand.iter().map(|d| [d.lon, d.lat]).collect();
        let (dp, didx, _) = self.snap_all(&pts, params.max_snap_m, "demand point", false)?;
        let m = self.matrix_ms(&cs, &dp, limit);
        // demand points each candidate covers
        let sets: Vec<Vec<usize>> = (0..cs.len())
            .map(|i| {
                (0..dp.len())
                    .filter(|&j| m.total_ms(i, j) <= limit)
                    .map(|j| didx[j])
                    .collect()
            })
            .collect();
        let choices = greedy_max_cover(&sets, demand, &mut covered, base.covered_population, k)
            .into_iter()
            .map(|c| SiteChoice {
                candidate: cidx[c.candidate],
                ..c
            })
            .collect();
        Ok(SiteSelection {
            total_population: total,
            initial_covered_population: base.covered_population,
            choices,
            off_road_candidates,
        })
    }
}

/// The greedy maximal-covering step on its own: `sets[i]` lists the demand
/// points candidate `i` covers; `covered` marks those already covered (it is
/// updated); `covered_population` is their population. Each round adds the
/// candidate covering the most still-uncovered population (ties: lowest
/// index) until `k` are chosen or none adds anything. The returned
/// [`SiteChoice::candidate`] indexes `sets`.
///
/// Pure: any source of "covers" (road travel times, straight-line estimates)
/// can use it.
pub fn greedy_max_cover(
    sets: &[Vec<usize>],
    demand: &[DemandPoint],
    covered: &mut [bool],
    mut covered_population: f64,
    k: usize,
) -> Vec<SiteChoice> {
    let mut chosen = vec![false; sets.len()];
    let mut choices = Vec::new();
    while choices.len() < k {
        let mut best: Option<(f64, usize)> = None;
        for (i, set) in sets.iter().enumerate() {
            if chosen[i] {
                continue;
            }
            let gain: f64 = set
                .iter()
                .filter(|&&d| !covered.get(d).copied().unwrap_or(true))
                .filter_map(|&d| demand.get(d).map(|p| p.population))
                .sum();
            if gain > 0.0 && best.is_none_or(|(g, _)| gain > g) {
                best = Some((gain, i));
            }
        }
        let Some((gain, i)) = best else { break };
        chosen[i] = true;
        for &d in &sets[i] {
            if let Some(c) = covered.get_mut(d) {
                *c = true;
            }
        }
        covered_population += gain;
        choices.push(SiteChoice {
            candidate: i,
            added_population: gain,
            covered_population,
        });
    }
    choices
}
