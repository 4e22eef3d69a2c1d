//! Driving profile: which OSM ways are roads, how fast they are driven, and in
//! which direction.
//!
//! A way is routable when its `highway=*` class has an entry in
//! [`Profile::speeds_kmh`], it is not an area (`area=yes`), not
//! `oneway=reversible`/`alternating`, and its access is not blocked: the most
//! specific of the tags in [`Profile::access_tags`] that is present decides (so
//! `access=no` + `motor_vehicle=yes` is driveable, `motorcar=private` is not).
//!
//! Speed: a valid `maxspeed` (`maxspeed:forward` / `maxspeed:backward` per
//! direction) times [`Profile::maxspeed_factor`], capped at
//! [`Profile::max_speed_kmh`]; otherwise the class default. `maxspeed` values
//! understood: `"50"`, `"50 km/h"`, `"50 mph"`, `"30 knots"`, `"none"` (class
//! default), `"walk"`, `"signals"`/`"variable"` (class default), several values
//! `"90;30;90"` (the highest — see [`Profile::parse_maxspeed`]), and zone codes such as `"CH:urban"`, `"DE:rural"`,
//! `"AT:motorway"`, `"RU:living_street"` ([`Profile::zone_speeds_kmh`] holds
//! country overrides, [`Profile::zone_kind_speeds_kmh`] the generic defaults).
//!
//! When no number is tagged, the zone in `maxspeed:type`, `source:maxspeed` or
//! `zone:maxspeed` (`CN:urban`, `DE:30`) gives the limit.
//!
//! Also: `construction=*` closes a way unless its value is in
//! [`Profile::construction_open`] (`highway=construction` has no speed, so is
//! never driven); classes in [`Profile::explicit_access_speeds_kmh`]
//! (`highway=track`) are driven only when the most specific access tag allows
//! (`motor_vehicle=designated`, `motorcar=yes`, `access=yes`);
//! `service=parking_aisle|driveway|…` are capped by
//! [`Profile::service_speeds_kmh`], `service=emergency_access` is closed to
//! the car; `route=ferry` ways are used at their `duration` (else
//! [`Profile::ferry_speed_kmh`]). Barrier nodes ([`Profile::barriers_open`],
//! [`Profile::barrier_delays_s`]): an unlisted `barrier=*` value (bollard,
//! gate, block, fence, …) blocks unless the node's most specific access tag
//! allows; a blocked barrier splits the road there (each side reaches it, none
//! passes). [`Profile::emergency`] is the emergency-vehicle variant.
//!
//! Turns ([`Profile::turns`], TOML `[turns]`: `signal_s`, `u_turn_s`,
//! `u_turns_anywhere`, `angle_costs = [[max_deg, right_s, left_s], …]`) and
//! turn restrictions ([`Profile::restriction_vehicles`]) are applied by the
//! edge-based graph ([`crate::turns`]).
//!
//! Direction: `oneway=yes|true|1` forward only, `oneway=-1|reverse` backward
//! only, `oneway=no` both; `junction=roundabout|circular` and
//! `highway=motorway` (and the classes in [`Profile::implied_oneway`]) are
//! one-way unless tagged `oneway=no`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Travel profile for OSM import. [`Profile::default`] is [`Profile::driving`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    /// Name, used in messages.
    pub name: String,
    /// Default speed (km/h) per `highway=*` class; classes not listed are not routable.
    pub speeds_kmh: BTreeMap<String, f64>,
    /// Whether `maxspeed` tags are used at all.
    pub use_maxspeed: bool,
    /// Tagged speed limits are multiplied by this (cars rarely drive at the limit).
    pub maxspeed_factor: f64,
    /// Upper bound for any speed, km/h.
    pub max_speed_kmh: f64,
    /// Lower bound for any speed, km/h (guards against `maxspeed=0`).
    pub min_speed_kmh: f64,
    /// Access tags from least to most specific, e.g. `access`, `vehicle`, `motor_vehicle`, `motorcar`.
    pub access_tags: Vec<String>,
    /// Access values that close a way, e.g. `no`, `private`.
    pub blocked_access: Vec<String>,
    /// Access values that leave a way open to reach places on it but not
    /// to drive through (`destination`, `delivery`, `customers`): a route
    /// enters such a way from an open road only when it has to (its start
    /// or end lies in it, or there is no other way), as OSRM's car profile
    /// does. The time reported is the real driving time (see
    /// [`crate::turns`]). Empty: driven like any road (the emergency
    /// profile).
    pub local_access: Vec<String>,
    /// Highway classes that are one-way unless tagged `oneway=no`.
    pub implied_oneway: Vec<String>,
    /// Country-specific zone speeds, e.g. `"CH:rural" -> 80`.
    pub zone_speeds_kmh: BTreeMap<String, f64>,
    /// Generic zone speeds by the part after the colon, e.g. `"urban" -> 50`.
    pub zone_kind_speeds_kmh: BTreeMap<String, f64>,
    /// Access values that explicitly allow, e.g. `yes`, `designated`: they
    /// open the classes of [`Profile::explicit_access_speeds_kmh`] and let a
    /// blocking barrier be passed.
    pub allowed_access: Vec<String>,
    /// Classes driven only when an access tag explicitly allows it
    /// (`highway=track` + `motor_vehicle=designated`), with their speed.
    pub explicit_access_speeds_kmh: BTreeMap<String, f64>,
    /// Tags that open a way closed by [`Profile::access_tags`] when their value
    /// is in [`Profile::allowed_access`] (the emergency profile: `psv`, `bus`
    /// — bus lanes and bus-only streets).
    pub opening_access_tags: Vec<String>,
    /// Values of `construction=*` that leave the way drivable (`no`, `minor`);
    /// any other value closes it. (`highway=construction` is no class.)
    pub construction_open: Vec<String>,
    /// Speed cap (km/h) per `service=*` subtype, e.g. `parking_aisle -> 5`.
    pub service_speeds_kmh: BTreeMap<String, f64>,
    /// `service=*` subtypes that are not driven, e.g. `emergency_access`.
    pub service_forbidden: Vec<String>,
    /// `barrier=*` values passed freely (`no`, `entrance`, `height_restrictor`).
    pub barriers_open: Vec<String>,
    /// `barrier=*` values passed with a delay in seconds (`lift_gate`,
    /// `toll_booth`, `border_control`, `cattle_grid`). Any other barrier value
    /// blocks, unless the node's most specific access tag allows.
    pub barrier_delays_s: BTreeMap<String, f64>,
    /// Ferry speed (km/h) for `route=ferry` without `duration`; `None`: ferries are not used.
    pub ferry_speed_kmh: Option<f64>,
    /// Vehicle types of this profile, most specific first, for turn
    /// restrictions: `restriction:<type>` is read before `restriction`, and a
    /// restriction whose `except=*` names one of them does not apply.
    pub restriction_vehicles: Vec<String>,
    /// Turn, U-turn and traffic-signal costs (see [`TurnCosts`]).
    pub turns: TurnCosts,
}

/// Costs of turning, read by the edge-based graph ([`crate::turns`]).
///
/// At an *intersection* (a node with three or more neighbouring nodes) a
/// turn costs by its angle, the deviation from straight on in degrees:
/// the first row of [`TurnCosts::angle_costs`] whose `max_deg` is not below
/// the angle gives `right_s` or `left_s`. Along a road (a node with two
/// neighbours: shape points, a curve) nothing is added. A U-turn (back to
/// the node one came from) is allowed only where no other way on is
/// allowed (a dead end, a closed barrier, or after restrictions), at
/// [`TurnCosts::u_turn_s`], unless [`TurnCosts::u_turns_anywhere`].
/// Passing a `highway=traffic_signals` node adds [`TurnCosts::signal_s`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TurnCosts {
    /// Seconds added at every `highway=traffic_signals` node passed.
    pub signal_s: f64,
    /// Seconds of a U-turn.
    pub u_turn_s: f64,
    /// Allow U-turns at every node, not only where nothing else is allowed.
    pub u_turns_anywhere: bool,
    /// Rows `[max_deg, right_s, left_s]` in ascending `max_deg` (right-hand
    /// traffic: a left turn crosses the oncoming lane; swap the columns for
    /// left-hand traffic). Angles beyond the last row use the last row.
    pub angle_costs: Vec<[f64; 3]>,
}

impl Default for TurnCosts {
    fn default() -> Self {
        TurnCosts::driving()
    }
}

impl TurnCosts {
    /// No turn or signal cost and U-turns everywhere: the node-based graph's
    /// answers ([`crate::Graph::from_edges`] uses it).
    pub fn none() -> Self {
        TurnCosts {
            signal_s: 0.0,
            u_turn_s: 0.0,
            u_turns_anywhere: true,
            angle_costs: Vec::new(),
        }
    }

    /// A car. Assumption (no legal source: a calibration): the angle table
    /// samples OSRM 26's car profile (`turn_penalty` 7.5 s, `turn_bias`
    /// 1.075, logistic in the angle) at the middle of each band, with its
    /// 20 s U-turn and 2 s traffic-signal penalties.
    pub fn driving() -> Self {
        TurnCosts {
            signal_s: 2.0,
            u_turn_s: 20.0,
            u_turns_anywhere: false,
            angle_costs: vec![
                [20.0, 0.0, 0.0],
                [60.0, 0.1, 0.4],
                [120.0, 2.1, 5.4],
                [160.0, 6.9, 7.4],
                [180.0, 7.5, 7.5],
            ],
        }
    }

    /// Cost in milliseconds of a turn by `deg` degrees (0 straight on) to
    /// the right (`right`) or left, at an intersection.
    pub(crate) fn angle_ms(&self, deg: f64, right: bool) -> u32 {
        let row = self
            .angle_costs
            .iter()
            .find(|r| r[0] >= deg)
            .or(self.angle_costs.last());
        row.map_or(0, |r| secs_ms(if right { r[1] } else { r[2] }))
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let ok = |v: f64| v.is_finite() && (0.0..3600.0).contains(&v);
        if !ok(self.signal_s) || !ok(self.u_turn_s) {
            return Err("turns: signal_s and u_turn_s must be 0..3600 s".into());
        }
        for w in self.angle_costs.windows(2) {
            if w[0][0] >= w[1][0] {
                return Err("turns: angle_costs rows must ascend in max_deg".into());
            }
        }
        if self
            .angle_costs
            .iter()
            .any(|r| !(r[0].is_finite() && ok(r[1]) && ok(r[2])))
        {
            return Err("turns: angle_costs must be finite, costs 0..3600 s".into());
        }
        Ok(())
    }
}

pub(crate) fn secs_ms(s: f64) -> u32 {
    (s * 1000.0)
        .round()
        .clamp(0.0, crate::graph::MAX_EDGE_MS as f64) as u32
}

impl Default for Profile {
    fn default() -> Self {
        Profile::driving()
    }
}

fn map(entries: &[(&str, f64)]) -> BTreeMap<String, f64> {
    entries.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl Profile {
    /// Car profile with speeds close to OSRM's car profile.
    pub fn driving() -> Self {
        Profile {
            name: "driving".into(),
            speeds_kmh: map(&[
                ("motorway", 90.0),
                ("motorway_link", 45.0),
                ("trunk", 85.0),
                ("trunk_link", 40.0),
                ("primary", 65.0),
                ("primary_link", 30.0),
                ("secondary", 55.0),
                ("secondary_link", 25.0),
                ("tertiary", 40.0),
                ("tertiary_link", 20.0),
                ("unclassified", 25.0),
                ("residential", 25.0),
                ("living_street", 10.0),
                ("service", 15.0),
                // `highway=road` (type not yet surveyed): kept, slowly, so
                // that a remote incident on one is reached at all.
                ("road", 20.0),
            ]),
            use_maxspeed: true,
            maxspeed_factor: 0.8,
            max_speed_kmh: 130.0,
            min_speed_kmh: 3.0,
            access_tags: strings(&["access", "vehicle", "motor_vehicle", "motorcar"]),
            blocked_access: strings(&["no", "private", "agricultural", "forestry"]),
            local_access: strings(&["destination", "delivery", "customers"]),
            implied_oneway: strings(&["motorway"]),
            zone_speeds_kmh: map(&[
                ("AT:rural", 100.0),
                ("AT:motorway", 130.0),
                ("CH:rural", 80.0),
                ("CH:motorway", 120.0),
                ("CH:trunk", 100.0),
                ("DE:rural", 100.0),
                ("DE:motorway", 130.0),
                ("FR:rural", 80.0),
                ("IT:rural", 90.0),
                ("IT:motorway", 130.0),
                ("RU:rural", 90.0),
                ("RU:motorway", 110.0),
                ("GB:nsl_single", 96.5),
                ("GB:nsl_dual", 112.6),
                ("GB:motorway", 112.6),
                ("UK:nsl_single", 96.5),
                ("UK:nsl_dual", 112.6),
                ("UK:motorway", 112.6),
                ("CN:expressway", 120.0),
                // 道路交通安全法实施条例 第四十五条 (docs/rules.md): roads with
                // one motor lane per direction, urban 50, highway 70.
                ("CN:urban", 50.0),
                ("CN:rural", 70.0),
            ]),
            zone_kind_speeds_kmh: map(&[
                ("urban", 50.0),
                ("rural", 80.0),
                ("trunk", 100.0),
                ("motorway", 120.0),
                ("expressway", 120.0),
                ("living_street", 20.0),
                ("zone20", 20.0),
                ("zone30", 30.0),
                ("walk", 6.0),
                ("school", 30.0),
                ("bicycle_road", 30.0),
            ]),
            allowed_access: strings(&["yes", "designated", "permissive", "destination"]),
            explicit_access_speeds_kmh: map(&[("track", 15.0)]),
            opening_access_tags: Vec::new(),
            construction_open: strings(&["no", "minor", "widening"]),
            service_speeds_kmh: map(&[
                ("parking_aisle", 5.0),
                ("parking", 5.0),
                ("driveway", 5.0),
                ("alley", 5.0),
                ("drive-through", 5.0),
            ]),
            service_forbidden: strings(&["emergency_access"]),
            barriers_open: strings(&[
                "no",
                "entrance",
                "height_restrictor",
                "arch",
                "sally_port",
                "border_control_booth",
            ]),
            barrier_delays_s: map(&[
                ("cattle_grid", 5.0),
                ("lift_gate", 15.0),
                ("toll_booth", 20.0),
                ("border_control", 60.0),
            ]),
            ferry_speed_kmh: Some(5.0),
            restriction_vehicles: strings(&["motorcar", "motor_vehicle", "vehicle"]),
            turns: TurnCosts::driving(),
        }
    }

    /// Emergency vehicle (fire engine, ambulance with lights and siren): the
    /// car, plus ways opened by `emergency=yes|designated` (the most specific
    /// access tag), by `psv`/`bus` (bus lanes, bus-only streets) and
    /// `service=emergency_access`; a `barrier` with `emergency=yes` is passed.
    /// Speeds are the legal speed (tagged `maxspeed`, else the class default
    /// scaled alike) times `factor`, capped at `cap_kmh`.
    /// 道路交通安全法 第五十三条 lets such vehicles exceed limits while on duty.
    pub fn emergency(factor: f64, cap_kmh: f64) -> Self {
        let car = Profile::driving();
        let scale = factor / car.maxspeed_factor;
        let mut access_tags = car.access_tags.clone();
        access_tags.push("emergency".into());
        let mut restriction_vehicles = car.restriction_vehicles.clone();
        restriction_vehicles.insert(0, "emergency".into());
        Profile {
            name: "emergency".into(),
            speeds_kmh: car
                .speeds_kmh
                .iter()
                .map(|(k, v)| (k.clone(), v * scale))
                .collect(),
            maxspeed_factor: factor,
            max_speed_kmh: cap_kmh,
            access_tags,
            opening_access_tags: strings(&["psv", "bus"]),
            restriction_vehicles,
            service_forbidden: Vec::new(),
            // on duty (第五十三条) through traffic is not what the sign forbids
            local_access: Vec::new(),
            explicit_access_speeds_kmh: car
                .explicit_access_speeds_kmh
                .iter()
                .map(|(k, v)| (k.clone(), v * scale))
                .collect(),
            ..car
        }
    }
}

/// Direction(s) in which a way may be driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Oneway {
    Both,
    Forward,
    Backward,
}

/// A `route=ferry` way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ferry {
    pub speed_kmh: f64,
    pub duration_s: Option<f64>,
    pub oneway: bool,
}

/// What a barrier node does to a vehicle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Barrier {
    Open,
    /// Passed after this many milliseconds.
    Delay(u32),
    Closed,
}

/// `duration=*` of a ferry: `HH:MM`, `HH:MM:SS` or minutes (`45`), in seconds.
pub(crate) fn parse_duration_s(v: &str) -> Option<f64> {
    let parts: Vec<f64> = v
        .trim()
        .split(':')
        .map(|p| p.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .ok()?;
    let s = match parts.as_slice() {
        [m] => m * 60.0,
        [h, m] => h * 3600.0 + m * 60.0,
        [h, m, s] => h * 3600.0 + m * 60.0 + s,
        _ => return None,
    };
    (s.is_finite() && s > 0.0).then_some(s)
}

/// What the profile makes of one way: `None` if not routable, else the speeds
/// (km/h) forward and backward (`None` for a forbidden direction).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct WaySpeeds {
    pub forward: Option<f64>,
    pub backward: Option<f64>,
}

impl Profile {
    /// Checks that the profile's numbers make sense.
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |m: String| Err(crate::Error::InvalidArgument(format!("profile: {m}")));
        if self.speeds_kmh.is_empty() {
            return bad("no highway class has a speed".into());
        }
        for (k, v) in self
            .speeds_kmh
            .iter()
            .chain(&self.zone_speeds_kmh)
            .chain(&self.explicit_access_speeds_kmh)
            .chain(&self.service_speeds_kmh)
        {
            if !(v.is_finite() && *v > 0.0) {
                return bad(format!("speed for {k:?} must be > 0, got {v}"));
            }
        }
        if !(self.min_speed_kmh.is_finite()
            && self.min_speed_kmh > 0.0
            && self.max_speed_kmh.is_finite()
            && self.max_speed_kmh >= self.min_speed_kmh)
        {
            return bad("need 0 < min_speed_kmh <= max_speed_kmh".into());
        }
        if let Some(v) = self.ferry_speed_kmh {
            if !(v.is_finite() && v > 0.0) {
                return bad(format!("ferry_speed_kmh must be > 0, got {v}"));
            }
        }
        for (k, v) in &self.barrier_delays_s {
            if !(v.is_finite() && *v >= 0.0 && *v < 86_400.0) {
                return bad(format!(
                    "delay for barrier {k:?} must be 0..86400 s, got {v}"
                ));
            }
        }
        if !(self.maxspeed_factor.is_finite() && self.maxspeed_factor > 0.0) {
            return bad("maxspeed_factor must be > 0".into());
        }
        if let Err(m) = self.turns.validate() {
            return bad(m);
        }
        Ok(())
    }

    /// The most specific access tag present, as (allows, blocks): `None`
    /// when no access tag is set.
    fn access<'a>(&self, get: &impl Fn(&str) -> Option<&'a str>) -> Option<(bool, bool)> {
        self.access_tags.iter().rev().find_map(|tag| {
            get(tag).map(|v| {
                (
                    self.allowed_access.iter().any(|a| a == v),
                    self.blocked_access.iter().any(|b| b == v),
                )
            })
        })
    }

    /// Whether the way is open to local traffic only (the most specific
    /// access tag's value is in [`Profile::local_access`]).
    pub(crate) fn local_only<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.access_tags
            .iter()
            .rev()
            .find_map(|tag| get(tag))
            .is_some_and(|v| self.local_access.iter().any(|l| l == v))
    }

    fn opened<'a>(&self, get: &impl Fn(&str) -> Option<&'a str>) -> bool {
        self.opening_access_tags
            .iter()
            .any(|t| get(t).is_some_and(|v| self.allowed_access.iter().any(|a| a == v)))
    }

    /// Decides on a way from its tags (`get` looks a tag up).
    pub(crate) fn way_speeds<'a>(
        &self,
        get: impl Fn(&str) -> Option<&'a str>,
    ) -> Option<WaySpeeds> {
        let highway = get("highway")?;
        let access = self.access(&get);
        let (default, explicit) = match self.speeds_kmh.get(highway) {
            Some(s) => (*s, false),
            None => (*self.explicit_access_speeds_kmh.get(highway)?, true),
        };
        if get("area") == Some("yes") {
            return None;
        }
        let allowed = match access {
            Some((_, true)) => self.opened(&get),
            Some((true, _)) => true,
            _ if explicit => self.opened(&get),
            _ => true,
        };
        if !allowed {
            return None;
        }
        if get("construction").is_some_and(|v| !self.construction_open.iter().any(|o| o == v)) {
            return None;
        }
        let service = get("service");
        if service.is_some_and(|v| self.service_forbidden.iter().any(|f| f == v)) {
            return None;
        }
        let service_cap = service
            .and_then(|v| self.service_speeds_kmh.get(v))
            .copied()
            .unwrap_or(f64::INFINITY);
        let implied = self.implied_oneway.iter().any(|c| c == highway)
            || matches!(get("junction"), Some("roundabout") | Some("circular"));
        let oneway = match get("oneway") {
            Some("yes") | Some("true") | Some("1") => Oneway::Forward,
            Some("-1") | Some("reverse") => Oneway::Backward,
            Some("no") | Some("false") | Some("0") => Oneway::Both,
            Some("reversible") | Some("alternating") => return None,
            _ if implied => Oneway::Forward,
            _ => Oneway::Both,
        };
        let clamp = |s: f64| {
            s.min(service_cap)
                .clamp(self.min_speed_kmh, self.max_speed_kmh)
        };
        let factor = |s: f64| Some(s * self.maxspeed_factor).filter(|s| s.is_finite() && *s > 0.0);
        let limit = |key: &str| -> Option<f64> {
            if !self.use_maxspeed {
                return None;
            }
            self.parse_maxspeed(get(key)?).and_then(factor)
        };
        // the zone when no number is tagged: `maxspeed:type=CN:urban`,
        // `source:maxspeed=DE:urban`, `zone:maxspeed=DE:30`
        let zone = || {
            ["maxspeed:type", "source:maxspeed", "zone:maxspeed"]
                .iter()
                .find_map(|k| limit(k))
        };
        let both = limit("maxspeed").or_else(zone);
        let fwd = clamp(limit("maxspeed:forward").or(both).unwrap_or(default));
        let bwd = clamp(limit("maxspeed:backward").or(both).unwrap_or(default));
        Some(WaySpeeds {
            forward: (oneway != Oneway::Backward).then_some(fwd),
            backward: (oneway != Oneway::Forward).then_some(bwd),
        })
    }

    /// A ferry (`route=ferry`): its duration in seconds if tagged
    /// (`duration=HH:MM[:SS]` or minutes), and its direction — `None` when
    /// ferries are not used or access closes it.
    pub(crate) fn ferry<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> Option<Ferry> {
        if get("route") != Some("ferry") {
            return None;
        }
        let speed = self.ferry_speed_kmh?;
        if let Some((_, true)) = self.access(&get) {
            return None;
        }
        let duration_s = get("duration").and_then(parse_duration_s);
        let oneway = matches!(get("oneway"), Some("yes") | Some("true") | Some("1"));
        Some(Ferry {
            speed_kmh: speed,
            duration_s,
            oneway,
        })
    }

    /// A turn-restriction relation's tags: `Some(true)` for `only_*`,
    /// `Some(false)` for `no_*`, `None` when it does not bind this profile
    /// (not `type=restriction`, another value, an `except=*` naming one of
    /// [`Profile::restriction_vehicles`], or only `restriction:<other
    /// vehicle>`). `restriction:<vehicle>` is read before `restriction`.
    pub(crate) fn restriction<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> Option<bool> {
        if get("type") != Some("restriction") {
            return None;
        }
        let ours = |v: &str| self.restriction_vehicles.iter().any(|t| t == v.trim());
        if get("except").is_some_and(|e| e.split(';').any(ours)) {
            return None;
        }
        let value = self
            .restriction_vehicles
            .iter()
            .find_map(|t| get(&format!("restriction:{t}")))
            .or_else(|| get("restriction"))?;
        if value.starts_with("only_") {
            Some(true)
        } else if value.starts_with("no_") {
            Some(false)
        } else {
            None
        }
    }

    /// What a node's `barrier=*` does to a vehicle passing it.
    pub(crate) fn barrier<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> Barrier {
        let Some(kind) = get("barrier") else {
            return Barrier::Open;
        };
        match self.access(&get) {
            Some((_, true)) if !self.opened(&get) => return Barrier::Closed,
            Some((true, _)) => return Barrier::Open,
            _ if self.opened(&get) => return Barrier::Open,
            _ => {}
        }
        if self.barriers_open.iter().any(|b| b == kind) {
            return Barrier::Open;
        }
        match self.barrier_delays_s.get(kind) {
            Some(s) => Barrier::Delay((s * 1000.0).round().max(0.0) as u32),
            None => Barrier::Closed,
        }
    }

    /// Parses an OSM `maxspeed` value to km/h; `None` when it gives no number
    /// (`none`, `signals`, unknown text: the class default then applies).
    pub fn parse_maxspeed(&self, value: &str) -> Option<f64> {
        // several values (`90;30;90`): the highest that parses. Such lists
        // mostly give a limit per lane or per stretch, or a lower limit for
        // some hours or vehicles; the way is driven at its highest limit most
        // of the time, and taking the lowest made city times far too long.
        if value.contains(';') {
            return value
                .split(';')
                .filter_map(|v| self.parse_maxspeed(v))
                .max_by(|a, b| a.total_cmp(b));
        }
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        match v {
            "none" | "signals" | "variable" | "unposted" | "implicit" => return None,
            "walk" => return Some(6.0),
            _ => {}
        }
        if v.contains(':') {
            if let Some(s) = self.zone_speeds_kmh.get(v) {
                return Some(*s);
            }
            let kind = v.split(':').nth(1)?.trim();
            // `DE:30` (zone:maxspeed) names the number itself
            return self.zone_kind_speeds_kmh.get(kind).copied().or_else(|| {
                kind.parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite() && *n > 0.0)
            });
        }
        let num_end = v
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(v.len());
        let n: f64 = v[..num_end].parse().ok()?;
        let unit = v[num_end..].trim().to_ascii_lowercase();
        let kmh = match unit.as_str() {
            "" | "km/h" | "kmh" | "kph" | "km/hr" => n,
            "mph" => n * 1.609_344,
            "knots" | "kn" | "knot" => n * 1.852,
            _ => return None,
        };
        (kmh.is_finite() && kmh > 0.0).then_some(kmh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speeds(tags: &[(&str, &str)]) -> Option<WaySpeeds> {
        let p = Profile::driving();
        p.way_speeds(|k| tags.iter().find(|(t, _)| *t == k).map(|(_, v)| *v))
    }

    #[test]
    fn maxspeed_values() {
        let p = Profile::driving();
        assert_eq!(p.parse_maxspeed("50"), Some(50.0));
        assert_eq!(p.parse_maxspeed("50 km/h"), Some(50.0));
        assert!((p.parse_maxspeed("50 mph").unwrap_or(0.0) - 80.467).abs() < 0.01);
        assert_eq!(p.parse_maxspeed("CH:urban"), Some(50.0));
        assert_eq!(p.parse_maxspeed("CH:rural"), Some(80.0));
        assert_eq!(p.parse_maxspeed("XX:rural"), Some(80.0));
        assert_eq!(p.parse_maxspeed("DE:motorway"), Some(130.0));
        assert_eq!(p.parse_maxspeed("none"), None);
        assert_eq!(p.parse_maxspeed("walk"), Some(6.0));
        assert_eq!(p.parse_maxspeed("60;80"), Some(80.0));
        assert_eq!(p.parse_maxspeed("90;30;90"), Some(90.0));
        assert_eq!(p.parse_maxspeed("DE:30"), Some(30.0));
        assert_eq!(p.parse_maxspeed("CN:urban"), Some(50.0));
        assert_eq!(p.parse_maxspeed("fast"), None);
        assert_eq!(p.parse_maxspeed(""), None);
        assert_eq!(p.parse_maxspeed("0"), None);
        assert_eq!(p.parse_maxspeed("XX:nonsense"), None);
    }

    #[test]
    fn restriction_tags() {
        let p = Profile::driving();
        let r = |t: &[(&str, &str)]| {
            p.restriction(|k: &str| t.iter().find(|(x, _)| *x == k).map(|(_, v)| *v))
        };
        let ty = ("type", "restriction");
        assert_eq!(r(&[ty, ("restriction", "no_left_turn")]), Some(false));
        assert_eq!(r(&[ty, ("restriction", "only_straight_on")]), Some(true));
        assert_eq!(r(&[("restriction", "no_left_turn")]), None);
        assert_eq!(r(&[ty, ("restriction:hgv", "no_left_turn")]), None);
        assert_eq!(r(&[ty, ("restriction:motorcar", "no_u_turn")]), Some(false));
        assert_eq!(
            r(&[
                ty,
                ("restriction", "no_left_turn"),
                ("restriction:motorcar", "only_left_turn")
            ]),
            Some(true)
        );
        assert_eq!(
            r(&[
                ty,
                ("restriction", "no_left_turn"),
                ("except", "bicycle; motorcar")
            ]),
            None
        );
        assert_eq!(
            r(&[
                ty,
                ("restriction", "no_left_turn"),
                ("except", "bicycle;psv")
            ]),
            Some(false)
        );
        let e = Profile::emergency(1.2, 140.0);
        let t = [ty, ("restriction", "no_left_turn"), ("except", "emergency")];
        assert_eq!(
            e.restriction(|k: &str| t.iter().find(|(x, _)| *x == k).map(|(_, v)| *v)),
            None
        );
        assert_eq!(r(&[ty, ("restriction", "give_way")]), None);
    }

    #[test]
    fn turn_cost_table() {
        let t = TurnCosts::driving();
        assert_eq!(t.angle_ms(5.0, true), 0);
        assert_eq!(t.angle_ms(90.0, true), 2100);
        assert_eq!(t.angle_ms(90.0, false), 5400);
        assert_eq!(t.angle_ms(200.0, false), 7500);
        assert_eq!(TurnCosts::none().angle_ms(90.0, false), 0);
        let mut p = Profile::driving();
        p.turns.angle_costs = vec![[90.0, 1.0, 1.0], [60.0, 1.0, 1.0]];
        assert!(p.validate().is_err());
        p.turns = TurnCosts {
            signal_s: -1.0,
            ..TurnCosts::driving()
        };
        assert!(p.validate().is_err());
    }

    #[test]
    fn way_rules() {
        assert_eq!(speeds(&[("building", "yes")]), None);
        assert_eq!(speeds(&[("highway", "footway")]), None);
        let r = speeds(&[("highway", "residential")]).unwrap();
        assert_eq!((r.forward, r.backward), (Some(25.0), Some(25.0)));
        let r = speeds(&[("highway", "primary"), ("maxspeed", "50")]).unwrap();
        assert_eq!(r.forward, Some(40.0));
        let r = speeds(&[("highway", "primary"), ("oneway", "yes")]).unwrap();
        assert_eq!(r.backward, None);
        let r = speeds(&[("highway", "primary"), ("oneway", "-1")]).unwrap();
        assert_eq!((r.forward.is_none(), r.backward.is_some()), (true, true));
        let r = speeds(&[("highway", "motorway")]).unwrap();
        assert_eq!(r.backward, None);
        let r = speeds(&[("highway", "motorway"), ("oneway", "no")]).unwrap();
        assert!(r.backward.is_some());
        let r = speeds(&[("highway", "tertiary"), ("junction", "roundabout")]).unwrap();
        assert_eq!(r.backward, None);
        assert_eq!(
            speeds(&[("highway", "service"), ("access", "private")]),
            None
        );
        assert_eq!(speeds(&[("highway", "service"), ("motorcar", "no")]), None);
        assert!(speeds(&[
            ("highway", "service"),
            ("access", "no"),
            ("motor_vehicle", "yes")
        ])
        .is_some());
        assert_eq!(
            speeds(&[
                ("highway", "service"),
                ("access", "yes"),
                ("motor_vehicle", "private")
            ]),
            None
        );
        assert_eq!(
            speeds(&[("highway", "primary"), ("oneway", "reversible")]),
            None
        );
        let r = speeds(&[("highway", "primary"), ("maxspeed", "200")]).unwrap();
        assert_eq!(r.forward, Some(130.0));
    }
}
