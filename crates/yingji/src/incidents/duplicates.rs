//! 重复来电: is the call being taken about an incident already open?
//!
//! A fire seen from a highway is reported by ten drivers; a flood by every
//! village on the river. The duty officer taking the call is shown the open
//! incidents of a related type near the same place reported within a recent
//! window, and adds the call to one of them (a 续报 of kind `call`) instead
//! of opening a second incident. The rule is pure: the clock and the open
//! incidents are its inputs.
//!
//! No regulation defines a duplicate report; radius (default 2 km) and
//! window (default 2 h) are the platform's assumption, configurable as
//! `[incidents] duplicate_radius_m` / `duplicate_window_minutes`
//! (docs/rules.md, "Duplicate calls").

use geo::{Distance, Haversine, Point};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::model::Incident;

/// How near and how recent a call must be to be offered as a duplicate.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DuplicateRule {
    /// Metres between the call's point and the open incident's point.
    pub duplicate_radius_m: f64,
    /// Minutes since the open incident was received.
    pub duplicate_window_minutes: i64,
}

impl Default for DuplicateRule {
    fn default() -> Self {
        DuplicateRule {
            duplicate_radius_m: 2_000.0,
            duplicate_window_minutes: 120,
        }
    }
}

/// The call being taken, as far as the form has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Call<'a> {
    pub incident_type: &'a str,
    pub division: Option<&'a str>,
    pub point: Option<(f64, f64)>,
}

/// An open incident the call may be about.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PossibleDuplicate {
    pub id: i64,
    pub title: String,
    pub incident_type: String,
    pub division: String,
    pub state: String,
    pub address: String,
    pub received_at: String,
    /// Metres between the two points; none when either has no point (then
    /// the incident is in the call's own division).
    pub distance_m: Option<f64>,
    /// Minutes since the incident was received.
    pub minutes_ago: i64,
    /// Its version, for the 续报 that adds the call to it.
    pub version: i64,
}

/// Whether two type codes (`accident.production.coal_mine`) can name the
/// same event: equal, one the other's ancestor, or the same category (the
/// first two parts: a caller says 火灾, the next one 森林火灾).
pub fn related_types(a: &str, b: &str) -> bool {
    let category = |c: &str| {
        let mut parts = c.splitn(3, '.');
        match (parts.next(), parts.next()) {
            (Some(x), Some(y)) => Some((x.to_string(), y.to_string())),
            _ => None,
        }
    };
    let under =
        |x: &str, y: &str| x.len() > y.len() && x.starts_with(y) && x[y.len()..].starts_with('.');
    a == b
        || under(a, b)
        || under(b, a)
        || matches!((category(a), category(b)), (Some(x), Some(y)) if x == y)
}

/// The open incidents `call` may be about, nearest and newest first.
pub fn possible_duplicates(
    call: &Call<'_>,
    open: &[Incident],
    rule: &DuplicateRule,
    now: OffsetDateTime,
) -> Vec<PossibleDuplicate> {
    let since = now - Duration::minutes(rule.duplicate_window_minutes.max(0));
    let mut out: Vec<PossibleDuplicate> = open
        .iter()
        .filter(|i| i.state.is_active())
        .filter(|i| i.received_at.0 >= since && i.received_at.0 <= now + Duration::minutes(5))
        .filter(|i| related_types(call.incident_type, &i.incident_type))
        .filter_map(|i| {
            let distance_m = match (call.point, i.lon.zip(i.lat)) {
                (Some((lon, lat)), Some((ilon, ilat))) => {
                    let d = Haversine.distance(Point::new(lon, lat), Point::new(ilon, ilat));
                    if d > rule.duplicate_radius_m {
                        return None;
                    }
                    Some(d.round())
                }
                // Without two points, only the same division counts.
                _ if call.division == Some(i.division.as_str()) => None,
                _ => return None,
            };
            Some(PossibleDuplicate {
                id: i.id,
                title: i.title.clone(),
                incident_type: i.incident_type.clone(),
                division: i.division.clone(),
                state: i.state.as_str().to_string(),
                address: i.address.clone(),
                received_at: i.received_at.to_string(),
                distance_m,
                minutes_ago: (now - i.received_at.0).whole_minutes().max(0),
                version: i.version,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        let d = |x: &PossibleDuplicate| x.distance_m.unwrap_or(f64::MAX);
        d(a).total_cmp(&d(b))
            .then(a.minutes_ago.cmp(&b.minutes_ago))
            .then(b.id.cmp(&a.id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents::IncidentState;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-07-01 10:00 UTC);

    fn incident(
        id: i64,
        ty: &str,
        point: Option<(f64, f64)>,
        minutes_ago: i64,
        state: IncidentState,
    ) -> Incident {
        Incident {
            division: "140213101000".into(),
            lon: point.map(|p| p.0),
            lat: point.map(|p| p.1),
            ..Incident::sample(id, ty, NOW - Duration::minutes(minutes_ago), state)
        }
    }

    #[test]
    fn related_types_table() {
        for (a, b, want) in [
            ("natural.fire.forest", "natural.fire.forest", true),
            ("natural.fire", "natural.fire.forest", true),
            ("natural.fire.forest", "natural.fire.grassland", true),
            (
                "accident.production.coal_mine",
                "accident.production.chemical",
                true,
            ),
            (
                "accident.production.coal_mine",
                "accident.traffic.road",
                false,
            ),
            ("natural", "natural.fire.forest", true),
            ("natural.fire", "natural.firework", false),
            ("accident", "natural", false),
        ] {
            assert_eq!(related_types(a, b), want, "{a} ~ {b}");
            assert_eq!(related_types(b, a), want, "{b} ~ {a}");
        }
    }

    /// (case, open incident, the call's point, the call's division,
    /// expected: None not offered, Some(distance) offered).
    type Case = (
        &'static str,
        Incident,
        Option<(f64, f64)>,
        Option<&'static str>,
        Option<Option<f64>>,
    );

    #[test]
    fn duplicates_table() {
        use IncidentState as S;
        let here = (113.300, 40.080);
        // 851 m east, ~5.5 km east.
        let near = Some((113.310, 40.080));
        let far = Some((113.365, 40.080));
        let fire = "natural.fire.forest";
        let rule = DuplicateRule::default();
        let responding = S::Responding {
            level: crate::plans::Level::IV,
        };
        let cases: Vec<Case> = vec![
            (
                "same type, near, recent",
                incident(1, fire, near, 30, S::Reported),
                Some(here),
                None,
                Some(Some(851.0)),
            ),
            (
                "too far",
                incident(2, fire, far, 30, S::Reported),
                Some(here),
                None,
                None,
            ),
            (
                "too old",
                incident(3, fire, near, 121, S::Reported),
                Some(here),
                None,
                None,
            ),
            (
                "window edge",
                incident(4, fire, near, 120, S::Verified),
                Some(here),
                None,
                Some(Some(851.0)),
            ),
            (
                "unrelated type",
                incident(5, "accident.traffic.road", near, 10, S::Reported),
                Some(here),
                None,
                None,
            ),
            (
                "ended",
                incident(6, fire, near, 10, S::Ended),
                Some(here),
                None,
                None,
            ),
            (
                "false report",
                incident(7, fire, near, 10, S::Dismissed),
                Some(here),
                None,
                None,
            ),
            (
                "responding counts",
                incident(8, "natural.fire", near, 10, responding),
                Some(here),
                None,
                Some(Some(851.0)),
            ),
            (
                "no point: same division",
                incident(9, fire, None, 10, S::Reported),
                Some(here),
                Some("140213101000"),
                Some(None),
            ),
            (
                "no point: other division",
                incident(10, fire, None, 10, S::Reported),
                Some(here),
                Some("140213102000"),
                None,
            ),
            (
                "call without point: same division",
                incident(11, fire, near, 10, S::Reported),
                None,
                Some("140213101000"),
                Some(None),
            ),
        ];
        for (name, i, point, division, want) in cases {
            let call = Call {
                incident_type: fire,
                division,
                point,
            };
            let got = possible_duplicates(&call, std::slice::from_ref(&i), &rule, NOW);
            assert_eq!(got.first().map(|d| d.distance_m), want, "{name}");
            assert!(got.iter().all(|d| d.id == i.id), "{name}");
        }
    }

    #[test]
    fn nearest_first_then_newest() {
        let rule = DuplicateRule::default();
        let open = vec![
            incident(
                1,
                "natural.fire.forest",
                Some((113.31, 40.08)),
                5,
                IncidentState::Reported,
            ),
            incident(
                2,
                "natural.fire.forest",
                Some((113.301, 40.08)),
                50,
                IncidentState::Reported,
            ),
            incident(
                3,
                "natural.fire.forest",
                Some((113.301, 40.08)),
                20,
                IncidentState::Verified,
            ),
        ];
        let call = Call {
            incident_type: "natural.fire.forest",
            division: None,
            point: Some((113.30, 40.08)),
        };
        let ids: Vec<i64> = possible_duplicates(&call, &open, &rule, NOW)
            .iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(ids, vec![3, 2, 1]);
        let narrow = DuplicateRule {
            duplicate_radius_m: 500.0,
            duplicate_window_minutes: 30,
        };
        let ids: Vec<i64> = possible_duplicates(&call, &open, &narrow, NOW)
            .iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(ids, vec![3]);
    }
}
