//! One intake (issue #13): an incident of a production-safety type opens its
//! accident record in the same transaction, so nothing is typed twice and
//! the accident's deadlines (its steps, the overdue list, the 迟报/漏报
//! scan) and the indicators (which read the accidents) see it at once.
//!
//! The incident's facts give the accident's counts (死亡, 下落不明, 重伤,
//! 直接经济损失) and its 较大涉险 facts (被困, 紧急疏散); its type gives the
//! industry ([`accident_industry`]), and so the grading regime and the
//! sector department. The platform's receipt of the call is the county
//! department's receipt, and the city's too when a city user took it (both
//! see it at that moment); the unit's own report (双报告) is the enterprise
//! user's, filed apart.

use serde_json::json;
use time::OffsetDateTime;

use super::cadence::Danger;
use super::grading::AccidentFacts;
use super::{regimes, store, Accident};
use crate::auth::{authorize, Action, Principal};
use crate::db::UtcText;
use crate::http::ApiError;
use crate::journal::{Change, NewEntry};

/// The accident industry (`reports::INDUSTRIES`) of an incident type
/// (`data/plans/incident-types.json`), or `None` when the type is not a
/// production-safety accident. The longest code that is the type or one of
/// its ancestors decides.
pub fn accident_industry(incident_type: &str) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("accident.production.coal_mine", "coal_mine"),
        ("accident.production.non_coal_mine", "non_coal_mine"),
        ("accident.production.hazmat", "hazmat"),
        ("accident.production.fireworks", "fireworks"),
        ("accident.production.industry_trade", "industry_trade"),
        ("accident.production.construction", "construction"),
        ("accident.production.special_equipment", "special_equipment"),
        ("accident.production", "other"),
        ("accident.traffic.road", "road_traffic"),
        ("accident.traffic.railway", "railway"),
        ("accident.fire", "fire"),
    ];
    TABLE
        .iter()
        .filter(|(code, _)| {
            incident_type == *code
                || incident_type
                    .strip_prefix(code)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .max_by_key(|(code, _)| code.len())
        .map(|(_, industry)| *industry)
}

/// What the intake knows of the incident.
pub struct IncidentIntake<'a> {
    pub id: i64,
    pub title: &'a str,
    pub incident_type: &'a str,
    pub division: &'a str,
    pub onset: OffsetDateTime,
    pub received: OffsetDateTime,
    pub facts: &'a crate::plans::Facts,
    pub description: &'a str,
    /// The incident's source: `system` (a sensor alarm) opens no accident.
    pub source: &'a str,
}

/// The accident an incident opens (pure): `None` when its type is not a
/// production-safety accident, or when a sensor alarm raised it
/// (**assumption**: an alarm is not an accident until someone reports one;
/// the alarm's incident can be linked later by hand).
pub fn accident_of(i: &IncidentIntake<'_>, by: &str, city_user: bool) -> Option<Accident> {
    if i.source == "system" {
        return None;
    }
    let industry = accident_industry(i.incident_type)?;
    let f = i.facts;
    let counts = AccidentFacts {
        deaths: f.deaths,
        missing: f.missing,
        serious_injuries: f.injured,
        direct_loss_yuan: f.direct_loss_yuan,
    };
    let danger = Danger {
        trapped: f.trapped,
        evacuated: u32::try_from(f.evacuated_people).unwrap_or(u32::MAX),
        ..Danger::default()
    };
    let rf = regimes::RegimeFacts::default();
    let (grade, _) = regimes::grade_by_regime(industry, &counts, &rf);
    let mut received = vec![("county".to_string(), UtcText(i.received))];
    if city_user {
        received.push(("city".to_string(), UtcText(i.received)));
    }
    Some(
        Accident {
            id: 0,
            name: i.title.to_string(),
            industry: industry.to_string(),
            division: i.division.to_string(),
            occurred_at: i.onset.into(),
            road_or_fire: super::deadlines::is_road_or_fire(industry),
            deaths: i64::from(f.deaths),
            missing: i64::from(f.missing),
            serious_injuries: i64::from(f.injured),
            direct_loss_yuan: i64::try_from(f.direct_loss_yuan).unwrap_or(i64::MAX),
            grade,
            grade_zh: grade.label_zh().into(),
            received,
            skips: vec![],
            notifications: vec![],
            description: i.description.to_string(),
            unit_learned_at: None,
            danger,
            larger_danger: vec![],
            sector_department: None,
            sector_received: vec![],
            followups: vec![],
            settled_at: None,
            regime_facts: rf,
            regime: regimes::Regime::Order493,
            duty_reports: vec![],
            incident_id: Some(i.id),
            bulletin: Default::default(),
            enterprise_id: None,
            created_by: by.to_string(),
            created_at: i.received.into(),
            version: 1,
        }
        .derive(),
    )
}

/// Open the accident of a production-safety incident inside the intake's
/// change (journal entry `accident` / `created` with the incident's id).
/// Nothing for another type, or for a user who may not write accidents.
pub async fn open_for_incident(
    tx: &mut Change,
    p: &Principal,
    i: &IncidentIntake<'_>,
) -> Result<Option<i64>, ApiError> {
    let Ok(scope) = authorize(p, Action::Write, "reports.accident") else {
        return Ok(None);
    };
    if !scope.covers(i.division, "") {
        return Ok(None);
    }
    let city_user = scope.prefix.len() <= 4;
    let Some(mut a) = accident_of(i, &p.username, city_user) else {
        return Ok(None);
    };
    a.id = store::insert_accident(tx, &a).await?;
    let (_, reasons) = regimes::grade_by_regime(
        &a.industry,
        &AccidentFacts {
            deaths: i.facts.deaths,
            missing: i.facts.missing,
            serious_injuries: i.facts.injured,
            direct_loss_yuan: i.facts.direct_loss_yuan,
        },
        &a.regime_facts,
    );
    tx.stage([NewEntry::new(
        &p.username,
        "reports",
        &a.division,
        "accident",
        a.id,
        "created",
        json!({ "accident": a, "grade_reasons": reasons, "from_incident": i.id }),
    )]);
    Ok(Some(a.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which incident types open an accident, and of which industry.
    #[test]
    fn production_safety_types_open_an_accident() {
        let table = [
            ("accident.production.coal_mine", Some("coal_mine")),
            ("accident.production.hazmat.pipeline", Some("hazmat")),
            (
                "accident.production.special_equipment",
                Some("special_equipment"),
            ),
            ("accident.production", Some("other")),
            ("accident.production.new_kind", Some("other")),
            ("accident.traffic.road", Some("road_traffic")),
            ("accident.traffic.railway", Some("railway")),
            ("accident.traffic.civil_aviation", None),
            ("accident.fire.building", Some("fire")),
            ("accident.fire", Some("fire")),
            ("accident.firework", None),
            ("accident.production_x", None),
            ("accident.public_facility.gas", None),
            ("natural.earthquake", None),
            ("", None),
        ];
        for (t, want) in table {
            assert_eq!(accident_industry(t), want, "{t}");
        }
        // Every industry named is one the accident form offers.
        for (t, _) in table {
            if let Some(ind) = accident_industry(t) {
                assert!(
                    super::super::INDUSTRIES.iter().any(|(k, _)| *k == ind),
                    "{ind}"
                );
            }
        }
    }

    #[test]
    fn the_accident_takes_the_incidents_facts() {
        let facts = crate::plans::Facts {
            deaths: 2,
            missing: 1,
            injured: 4,
            trapped: 3,
            evacuated_people: 600,
            direct_loss_yuan: 100,
            ..Default::default()
        };
        let at = time::macros::datetime!(2026-03-01 08:00 +8);
        let i = IncidentIntake {
            id: 7,
            title: "某矿顶板事故",
            incident_type: "accident.production.coal_mine",
            division: "140213000000",
            onset: at,
            received: at + time::Duration::minutes(30),
            facts: &facts,
            description: "",
            source: "phone",
        };
        let a = accident_of(&i, "u", false).unwrap();
        assert_eq!((a.deaths, a.missing, a.serious_injuries), (2, 1, 4));
        // 2 dead + 1 missing: 较大 (493号令 第三条 with 第十二条).
        assert_eq!(a.grade, super::super::grading::AccidentGrade::Larger);
        assert_eq!(a.incident_id, Some(7));
        assert_eq!(a.received.len(), 1);
        assert!(!a.larger_danger.is_empty());
        assert_eq!(accident_of(&i, "u", true).unwrap().received.len(), 2);
        let alarm = IncidentIntake {
            source: "system",
            ..i
        };
        assert!(accident_of(&alarm, "u", false).is_none());
        let other = IncidentIntake {
            incident_type: "natural.earthquake",
            ..alarm
        };
        assert!(accident_of(&other, "u", false).is_none());
    }
}
