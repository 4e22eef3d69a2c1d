//! Dispatch (就近调配): which teams, equipment, warehouses and shelters are
//! nearest to an incident by road travel time, and planning coverage (which
//! settlements a kind of station reaches within a time limit, and where new
//! stations would add the most).
//!
//! Travel times come from the road engine (`crates/routing`) when a graph is
//! loaded. Without one — or for a point too far from any road — they are an
//! [`Estimate`]: straight-line distance × a stated detour factor at a stated
//! speed, and every answer says which method it used.
//!
//! The rules here are pure: the caller fetches the records and the times.

pub mod api;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use yingji_routing::{greedy_max_cover, haversine_m, CoverageReport, DemandPoint, SiteSelection};

use crate::registry::Item;

/// The registry kinds a commander can dispatch to an incident.
pub const DISPATCHABLE: [&str; 5] = ["team", "expert", "equipment", "warehouse", "shelter"];

/// How travel times are estimated without a road graph.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Estimate {
    /// Road distance ÷ straight-line distance. 1.4 is the circuity commonly
    /// measured for rural road networks in hilly terrain (flat urban grids
    /// are nearer 1.2–1.3).
    pub detour_factor: f64,
    /// Average driving speed of a rescue vehicle, km/h.
    pub speed_kmh: f64,
}

impl Default for Estimate {
    fn default() -> Self {
        Estimate {
            detour_factor: 1.4,
            speed_kmh: 40.0,
        }
    }
}

impl Estimate {
    /// Estimated (time s, distance m) between two `[lon, lat]` points.
    pub fn leg(&self, from: [f64; 2], to: [f64; 2]) -> (f64, f64) {
        let d = haversine_m(from[0], from[1], to[0], to[1]) * self.detour_factor;
        (d / (self.speed_kmh / 3.6), d)
    }

    /// Whether the parameters make sense (checked at start).
    pub fn check(&self) -> Result<(), String> {
        if !(self.detour_factor.is_finite() && (1.0..=5.0).contains(&self.detour_factor)) {
            return Err("dispatch.detour_factor must be between 1 and 5".into());
        }
        if !(self.speed_kmh.is_finite() && (1.0..=200.0).contains(&self.speed_kmh)) {
            return Err("dispatch.speed_kmh must be between 1 and 200".into());
        }
        Ok(())
    }
}

/// How a travel time was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Shortest driving time on the road graph.
    Road,
    /// Straight line × detour factor at the estimate speed.
    Estimate,
}

/// What the incident needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Need {
    /// Registry kind: team, equipment, warehouse, shelter, expert.
    pub kind: String,
    /// Category of the kind (team kind, equipment type, shelter class …).
    pub category: Option<String>,
    /// A supply a warehouse must list among its main supplies (substring).
    pub supply: Option<String>,
    /// Shelters: at least this many places.
    pub min_capacity: Option<i64>,
    /// Offer records that are dispatched or under maintenance too.
    pub include_unavailable: bool,
}

/// The team kinds (`team_kind` dictionary) an incident type calls for, the
/// first the one to send first: 矿山救护 for a mine, 危化救援 for a chemical
/// leak, 森林消防 for a forest fire … The longest listed prefix of the type
/// code decides; an unlisted type has no preference (nearest of any kind).
/// Sources: the Datong plan's 专项预案 command structures (规划 四.5, 四.8:
/// 矿山、危化、森林消防、防汛专业队伍) and the 国家矿山应急救援队伍 /
/// 危险化学品救援队伍 roles; the order within a row is the platform's
/// assumption (docs/rules.md, "Dispatch suggestions").
pub fn team_kinds_for(incident_type: &str) -> &'static [&'static str] {
    const TABLE: &[(&str, &[&str])] = &[
        (
            "accident.production.coal_mine",
            &["mine", "medical", "fire"],
        ),
        (
            "accident.production.non_coal_mine",
            &["mine", "medical", "fire"],
        ),
        (
            "accident.production.chemical",
            &["hazmat", "fire", "environment", "medical"],
        ),
        ("accident.production", &["fire", "medical", "construction"]),
        ("accident.fire", &["fire", "medical"]),
        ("accident.traffic", &["traffic", "fire", "medical"]),
        ("accident.public_facility.gas", &["gas", "fire", "medical"]),
        ("accident.public_facility.power", &["power", "telecom"]),
        (
            "accident.public_facility.heating",
            &["heating", "construction"],
        ),
        ("accident.public_facility.water", &["water", "construction"]),
        ("accident.public_facility", &["construction", "fire"]),
        ("accident.environment", &["environment", "hazmat", "fire"]),
        ("natural.fire", &["forest_fire", "fire", "aviation"]),
        ("natural.wildfire", &["forest_fire", "fire", "aviation"]),
        (
            "natural.earthquake",
            &["earthquake", "construction", "medical", "fire"],
        ),
        (
            "natural.geological",
            &["construction", "earthquake", "medical"],
        ),
        ("natural.flood_drought", &["flood", "water", "medical"]),
        ("natural.meteorological", &["flood", "power", "traffic"]),
        ("public_health", &["medical"]),
    ];
    let under = |code: &str, prefix: &str| {
        code == prefix || (code.starts_with(prefix) && code[prefix.len()..].starts_with('.'))
    };
    TABLE
        .iter()
        .filter(|(prefix, _)| under(incident_type, prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map_or(&[], |(_, kinds)| kinds)
}

/// Why a record is not offered (None: it is).
pub fn ineligible(item: &Item, need: &Need) -> Option<&'static str> {
    if item.kind != need.kind {
        return Some("kind");
    }
    if !need.include_unavailable && item.status != "available" {
        return Some("status");
    }
    if let Some(c) = &need.category {
        if item.category != *c {
            return Some("category");
        }
    }
    if let Some(s) = &need.supply {
        let listed = match item.attrs.get("main_supplies") {
            Some(Value::Array(v)) => v
                .iter()
                .filter_map(Value::as_str)
                .any(|x| x.contains(s.as_str())),
            Some(Value::String(x)) => x.contains(s.as_str()),
            _ => false,
        };
        if !listed {
            return Some("supply");
        }
    }
    if let Some(min) = need.min_capacity {
        let cap = item
            .attrs
            .get("capacity")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if cap < min {
            return Some("capacity");
        }
    }
    None
}

/// A travel time: (seconds, metres, how it was obtained).
pub type Timed = (f64, f64, Method);

/// A candidate with its travel time to the incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked<T> {
    pub item: T,
    pub time_s: f64,
    pub distance_m: f64,
    pub method: Method,
}

/// Rank by travel time (ties: straight-line order, then input order); keep
/// the first `limit`. Candidates without a time (no road between them) are
/// returned separately, in input order.
pub fn rank<T>(candidates: Vec<(T, Option<Timed>)>, limit: usize) -> (Vec<Ranked<T>>, Vec<T>) {
    rank_by(candidates, limit, |_| 0)
}

/// [`rank`], what the incident needs first: by `priority` (lower first, e.g.
/// the place of a team's kind in [`team_kinds_for`]), then by travel time.
pub fn rank_by<T>(
    candidates: Vec<(T, Option<Timed>)>,
    limit: usize,
    priority: impl Fn(&T) -> usize,
) -> (Vec<Ranked<T>>, Vec<T>) {
    let mut ranked = Vec::new();
    let mut unreachable = Vec::new();
    for (item, t) in candidates {
        match t {
            Some((time_s, distance_m, method)) => ranked.push(Ranked {
                item,
                time_s,
                distance_m,
                method,
            }),
            None => unreachable.push(item),
        }
    }
    ranked.sort_by(|a, b| {
        priority(&a.item)
            .cmp(&priority(&b.item))
            .then(a.time_s.total_cmp(&b.time_s))
    });
    ranked.truncate(limit);
    (ranked, unreachable)
}

/// Coverage of `demand` by `stations` (`[lon, lat]`) within `limit_s` by
/// the estimate — the same report the road engine gives, so one page shows
/// either.
pub fn coverage_estimate(
    stations: &[[f64; 2]],
    demand: &[DemandPoint],
    limit_s: f64,
    est: &Estimate,
) -> CoverageReport {
    let mut time_s = vec![None; demand.len()];
    let mut nearest = vec![None; demand.len()];
    for (d, p) in demand.iter().enumerate() {
        let best = stations
            .iter()
            .enumerate()
            .map(|(i, s)| (est.leg(*s, [p.lon, p.lat]).0, i))
            .filter(|(t, _)| *t <= limit_s)
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((t, i)) = best {
            time_s[d] = Some(t);
            nearest[d] = Some(i);
        }
    }
    let covered: Vec<usize> = (0..demand.len()).filter(|&d| time_s[d].is_some()).collect();
    let uncovered: Vec<usize> = (0..demand.len()).filter(|&d| time_s[d].is_none()).collect();
    CoverageReport {
        limit_s,
        total_population: demand.iter().map(|d| d.population).sum(),
        covered_population: covered.iter().map(|&d| demand[d].population).sum(),
        covered,
        uncovered,
        off_road: Vec::new(),
        time_s,
        nearest_station: nearest,
    }
}

/// Greedy new sites by the estimate (see [`greedy_max_cover`]).
pub fn greedy_sites_estimate(
    existing: &[[f64; 2]],
    candidates: &[[f64; 2]],
    demand: &[DemandPoint],
    k: usize,
    limit_s: f64,
    est: &Estimate,
) -> SiteSelection {
    let base = coverage_estimate(existing, demand, limit_s, est);
    let mut covered = vec![false; demand.len()];
    for &d in &base.covered {
        covered[d] = true;
    }
    let sets: Vec<Vec<usize>> = candidates
        .iter()
        .map(|c| {
            demand
                .iter()
                .enumerate()
                .filter(|(_, p)| est.leg(*c, [p.lon, p.lat]).0 <= limit_s)
                .map(|(d, _)| d)
                .collect()
        })
        .collect();
    let choices = greedy_max_cover(&sets, demand, &mut covered, base.covered_population, k);
    SiteSelection {
        total_population: base.total_population,
        initial_covered_population: base.covered_population,
        choices,
        off_road_candidates: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_incident_needs_first_then_road_time() {
        let t = |s: f64| Some((s, s * 10.0, Method::Road));
        // (name, category, time)
        let c = vec![
            (("近消防", "fire"), t(300.0)),
            (("远矿山", "mine"), t(1800.0)),
            (("近医疗", "medical"), t(200.0)),
            (("近矿山", "mine"), t(900.0)),
            (("电力", "power"), t(100.0)),
        ];
        let need = ["mine", "medical", "fire"];
        let prio = |x: &(&str, &str)| need.iter().position(|k| *k == x.1).unwrap_or(need.len());
        let (r, _) = rank_by(c.clone(), 10, prio);
        let names: Vec<&str> = r.iter().map(|x| x.item.0).collect();
        assert_eq!(names, ["近矿山", "远矿山", "近医疗", "近消防", "电力"]);
        let (r, _) = rank(c, 2);
        let names: Vec<&str> = r.iter().map(|x| x.item.0).collect();
        assert_eq!(names, ["电力", "近医疗"]);
    }

    #[test]
    fn team_kinds_follow_the_incident_type() {
        for (ty, want) in [
            (
                "accident.production.coal_mine",
                &["mine", "medical", "fire"][..],
            ),
            (
                "accident.production.chemical",
                &["hazmat", "fire", "environment", "medical"][..],
            ),
            (
                "accident.production.metallurgy",
                &["fire", "medical", "construction"][..],
            ),
            (
                "natural.fire.forest",
                &["forest_fire", "fire", "aviation"][..],
            ),
            ("natural.firework", &[][..]),
            ("accident.traffic.road", &["traffic", "fire", "medical"][..]),
            (
                "natural.flood_drought.flash_flood",
                &["flood", "water", "medical"][..],
            ),
            (
                "natural.earthquake",
                &["earthquake", "construction", "medical", "fire"][..],
            ),
            ("social.mass_incident", &[][..]),
        ] {
            assert_eq!(team_kinds_for(ty), want, "{ty}");
        }
        // Every suggested kind is a value of the team_kind dictionary.
        let kinds: Vec<String> = crate::resources::default_dictionaries()
            .into_iter()
            .find(|(name, _)| *name == "team_kind")
            .map(|(_, v)| v.into_iter().map(|o| o.value).collect())
            .unwrap_or_default();
        for ty in [
            "accident.production.chemical",
            "natural.earthquake",
            "accident.public_facility.gas",
            "accident.public_facility.heating",
            "accident.public_facility.power",
            "accident.environment",
            "natural.meteorological.rainstorm",
            "public_health.epidemic",
        ] {
            for k in team_kinds_for(ty) {
                assert!(kinds.contains(&k.to_string()), "{ty}: {k}");
            }
        }
    }
    use serde_json::{json, Map};

    fn item(kind: &str, status: &str, category: Option<&str>, attrs: Value) -> Item {
        let attrs: Map<String, Value> = attrs.as_object().cloned().unwrap_or_default();
        Item {
            id: 1,
            kind: kind.into(),
            name: "x".into(),
            division: "140213".into(),
            division_name: String::new(),
            lon: 113.3,
            lat: 40.1,
            address: String::new(),
            responsible: String::new(),
            phone: String::new(),
            duty_phone: String::new(),
            status: status.into(),
            category: category.unwrap_or_default().into(),
            attrs: crate::db::JsonText(attrs),
            version: 1,
            updated_at: crate::db::UtcText(time::macros::datetime!(2026-12-07 00:00 UTC)),
            org: String::new(),
        }
    }

    #[test]
    fn eligibility_table() {
        let team = item("team", "available", Some("forest_fire"), json!({}));
        let busy = item("team", "dispatched", Some("forest_fire"), json!({}));
        let wh = item(
            "warehouse",
            "available",
            Some("county"),
            json!({ "main_supplies": ["救灾帐篷", "棉被"] }),
        );
        let shelter = item(
            "shelter",
            "available",
            Some("II"),
            json!({ "capacity": 500 }),
        );
        let need = |kind: &str| Need {
            kind: kind.into(),
            ..Need::default()
        };
        let cases: Vec<(&Item, Need, Option<&str>)> = vec![
            (&team, need("team"), None),
            (&team, need("shelter"), Some("kind")),
            (
                &team,
                Need {
                    category: Some("forest_fire".into()),
                    ..need("team")
                },
                None,
            ),
            (
                &team,
                Need {
                    category: Some("mine".into()),
                    ..need("team")
                },
                Some("category"),
            ),
            (&busy, need("team"), Some("status")),
            (
                &busy,
                Need {
                    include_unavailable: true,
                    ..need("team")
                },
                None,
            ),
            (
                &wh,
                Need {
                    supply: Some("帐篷".into()),
                    ..need("warehouse")
                },
                None,
            ),
            (
                &wh,
                Need {
                    supply: Some("发电机".into()),
                    ..need("warehouse")
                },
                Some("supply"),
            ),
            (
                &shelter,
                Need {
                    min_capacity: Some(500),
                    ..need("shelter")
                },
                None,
            ),
            (
                &shelter,
                Need {
                    min_capacity: Some(501),
                    ..need("shelter")
                },
                Some("capacity"),
            ),
        ];
        for (i, n, want) in cases {
            assert_eq!(ineligible(i, &n), want, "{n:?}");
        }
    }

    #[test]
    fn estimate_is_detour_times_straight_line_at_speed() {
        let e = Estimate::default();
        // 0.1° of latitude ≈ 11.12 km
        let (t, d) = e.leg([113.0, 40.0], [113.0, 40.1]);
        assert!((d - 11_119.5 * 1.4).abs() < 20.0, "{d}");
        assert!((t - d / (40.0 / 3.6)).abs() < 1e-9);
        assert!(Estimate::default().check().is_ok());
        for (f, v) in [(0.9, 40.0), (1.4, 0.0), (f64::NAN, 40.0), (1.4, 500.0)] {
            let e = Estimate {
                detour_factor: f,
                speed_kmh: v,
            };
            assert!(e.check().is_err(), "{f} {v}");
        }
    }

    #[test]
    fn rank_orders_by_time_keeps_limit_and_separates_unreachable() {
        let c = vec![
            ("a", Some((300.0, 1.0, Method::Road))),
            ("b", None),
            ("c", Some((100.0, 1.0, Method::Road))),
            ("d", Some((200.0, 1.0, Method::Estimate))),
        ];
        let (r, u) = rank(c, 2);
        assert_eq!(r.iter().map(|r| r.item).collect::<Vec<_>>(), ["c", "d"]);
        assert_eq!(u, ["b"]);
    }

    fn brute(stations: &[[f64; 2]], demand: &[DemandPoint], limit: f64, e: &Estimate) -> f64 {
        demand
            .iter()
            .filter(|d| {
                stations
                    .iter()
                    .any(|s| e.leg(*s, [d.lon, d.lat]).0 <= limit)
            })
            .map(|d| d.population)
            .sum()
    }

    #[test]
    fn coverage_and_sites_by_estimate_match_brute_force() {
        let e = Estimate::default();
        // A line of villages 5 km apart; 30 minutes at 40 km/h ÷ 1.4 ≈ 14.3 km straight.
        let demand: Vec<DemandPoint> = (0..20)
            .map(|i| DemandPoint {
                lon: 113.0 + i as f64 * 0.0587,
                lat: 40.0,
                population: 100.0 + i as f64,
            })
            .collect();
        let stations = [[113.0, 40.0]];
        let r = coverage_estimate(&stations, &demand, 1800.0, &e);
        assert_eq!(r.covered_population, brute(&stations, &demand, 1800.0, &e));
        assert_eq!(r.covered, vec![0, 1, 2]);
        assert_eq!(
            r.total_population,
            demand.iter().map(|d| d.population).sum::<f64>()
        );
        let cands: Vec<[f64; 2]> = demand.iter().map(|d| [d.lon, d.lat]).collect();
        let s = greedy_sites_estimate(&stations, &cands, &demand, 2, 1800.0, &e);
        assert_eq!(s.choices.len(), 2);
        // Each choice's figure equals brute force over the sites chosen so far.
        let mut sites = stations.to_vec();
        for c in &s.choices {
            sites.push(cands[c.candidate]);
            assert_eq!(c.covered_population, brute(&sites, &demand, 1800.0, &e));
        }
        // No better single site exists for the first choice.
        let first = s.choices[0].added_population;
        for c in &cands {
            let gain = brute(&[stations[0], *c], &demand, 1800.0, &e) - r.covered_population;
            assert!(gain <= first + 1e-9);
        }
    }
}
