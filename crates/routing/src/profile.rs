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
//! `"60;80"` (the lowest), and zone codes such as `"CH:urban"`, `"DE:rural"`,
//! `"AT:motorway"`, `"RU:living_street"` ([`Profile::zone_speeds_kmh`] holds
//! country overrides, [`Profile::zone_kind_speeds_kmh`] the generic defaults).
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
    /// Highway classes that are one-way unless tagged `oneway=no`.
    pub implied_oneway: Vec<String>,
    /// Country-specific zone speeds, e.g. `"CH:rural" -> 80`.
    pub zone_speeds_kmh: BTreeMap<String, f64>,
    /// Generic zone speeds by the part after the colon, e.g. `"urban" -> 50`.
    pub zone_kind_speeds_kmh: BTreeMap<String, f64>,
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
                ("road", 20.0),
            ]),
            use_maxspeed: true,
            maxspeed_factor: 0.8,
            max_speed_kmh: 130.0,
            min_speed_kmh: 3.0,
            access_tags: strings(&["access", "vehicle", "motor_vehicle", "motorcar"]),
            blocked_access: strings(&["no", "private", "agricultural", "forestry"]),
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
        for (k, v) in self.speeds_kmh.iter().chain(&self.zone_speeds_kmh) {
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
        if !(self.maxspeed_factor.is_finite() && self.maxspeed_factor > 0.0) {
            return bad("maxspeed_factor must be > 0".into());
        }
        Ok(())
    }

    /// Decides on a way from its tags (`get` looks a tag up).
    pub(crate) fn way_speeds<'a>(
        &self,
        get: impl Fn(&str) -> Option<&'a str>,
    ) -> Option<WaySpeeds> {
        let highway = get("highway")?;
        let default = *self.speeds_kmh.get(highway)?;
        if get("area") == Some("yes") {
            return None;
        }
        // most specific access tag decides
        for tag in self.access_tags.iter().rev() {
            if let Some(v) = get(tag) {
                if self.blocked_access.iter().any(|b| b == v) {
                    return None;
                }
                break;
            }
        }
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
        let clamp = |s: f64| s.clamp(self.min_speed_kmh, self.max_speed_kmh);
        let limit = |key: &str| -> Option<f64> {
            if !self.use_maxspeed {
                return None;
            }
            let v = get(key)?;
            self.parse_maxspeed(v)
                .map(|s| s * self.maxspeed_factor)
                .filter(|s| s.is_finite() && *s > 0.0)
        };
        let both = limit("maxspeed");
        let fwd = clamp(limit("maxspeed:forward").or(both).unwrap_or(default));
        let bwd = clamp(limit("maxspeed:backward").or(both).unwrap_or(default));
        Some(WaySpeeds {
            forward: (oneway != Oneway::Backward).then_some(fwd),
            backward: (oneway != Oneway::Forward).then_some(bwd),
        })
    }

    /// Parses an OSM `maxspeed` value to km/h; `None` when it gives no number
    /// (`none`, `signals`, unknown text: the class default then applies).
    pub fn parse_maxspeed(&self, value: &str) -> Option<f64> {
        // several values: the lowest one that parses
        if value.contains(';') {
            return value
                .split(';')
                .filter_map(|v| self.parse_maxspeed(v))
                .min_by(|a, b| a.total_cmp(b));
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
            return self.zone_kind_speeds_kmh.get(kind).copied();
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
        assert_eq!(p.parse_maxspeed("60;80"), Some(60.0));
        assert_eq!(p.parse_maxspeed("fast"), None);
        assert_eq!(p.parse_maxspeed(""), None);
        assert_eq!(p.parse_maxspeed("0"), None);
        assert_eq!(p.parse_maxspeed("XX:nonsense"), None);
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
