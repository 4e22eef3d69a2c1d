//! The rules as tables, with the clock as a parameter.

use super::*;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-07-20 08:00 UTC);

fn at(secs: i64) -> OffsetDateTime {
    T0 + Duration::seconds(secs)
}

fn threshold(high: Option<f64>, low: Option<f64>, hyst: f64, dur: i64) -> RuleSet {
    RuleSet {
        threshold: Some(Threshold {
            high,
            low,
            hysteresis: hyst,
            min_duration_secs: dur,
        }),
        rate: None,
        silence: None,
        combination: None,
    }
}

/// Feed `(seconds, value)` readings; the signals as `(seconds, "+rule" |
/// "-rule")`.
fn run(rules: &RuleSet, readings: &[(i64, f64)]) -> Vec<(i64, String)> {
    let mut st = RuleState::default();
    let mut out = Vec::new();
    for (t, v) in readings {
        let (next, sig) = on_reading(rules, st, at(*t), *v, &Latest::new());
        st = next;
        for s in sig {
            let mark = match &s {
                Signal::Raise { .. } => "+",
                Signal::Clear { .. } => "-",
            };
            out.push((*t, format!("{mark}{}", s.rule().as_str())));
        }
    }
    out
}

/// Readings `(seconds, value)` and signals `(seconds, "+rule")`.
type Readings = Vec<(i64, f64)>;
type Signals = Vec<(i64, String)>;

fn sig(list: &[(i64, &str)]) -> Vec<(i64, String)> {
    list.iter().map(|(t, s)| (*t, s.to_string())).collect()
}

#[test]
fn threshold_with_hysteresis_and_duration() {
    // (case, rules, readings, signals)
    let gas = threshold(Some(1.0), None, 0.1, 0);
    let rain = threshold(Some(20.0), None, 2.0, 600);
    let low = threshold(None, Some(2.0), 0.5, 0);
    let cases: Vec<(&str, RuleSet, Readings, Signals)> = vec![
        (
            "below: nothing",
            gas.clone(),
            vec![(0, 0.5), (60, 0.99)],
            vec![],
        ),
        (
            "at the limit raises (≥)",
            gas.clone(),
            vec![(0, 0.5), (60, 1.0)],
            sig(&[(60, "+threshold")]),
        ),
        (
            "wavering inside the band raises once",
            gas.clone(),
            vec![(0, 1.2), (60, 0.95), (120, 1.05), (180, 0.91)],
            sig(&[(0, "+threshold")]),
        ),
        (
            "back below the band clears, again above raises again",
            gas.clone(),
            vec![(0, 1.2), (60, 0.85), (120, 1.3)],
            sig(&[(0, "+threshold"), (60, "-threshold"), (120, "+threshold")]),
        ),
        (
            "exactly limit − hysteresis stays in alarm",
            gas.clone(),
            vec![(0, 1.2), (60, 0.9)],
            sig(&[(0, "+threshold")]),
        ),
        (
            "too short a run does not raise",
            rain.clone(),
            vec![(0, 25.0), (300, 26.0), (360, 10.0), (420, 30.0)],
            vec![],
        ),
        (
            "a run of the minimum duration raises at its end",
            rain.clone(),
            vec![
                (0, 25.0),
                (300, 26.0),
                (599, 27.0),
                (600, 22.0),
                (900, 21.0),
            ],
            sig(&[(600, "+threshold")]),
        ),
        (
            "a low limit",
            low.clone(),
            vec![(0, 3.0), (60, 2.0), (120, 2.4), (180, 2.6)],
            sig(&[(60, "+threshold"), (180, "-threshold")]),
        ),
        (
            "an older reading changes nothing",
            gas.clone(),
            vec![(60, 0.5), (0, 5.0), (120, 0.6)],
            vec![],
        ),
    ];
    for (name, rules, readings, want) in cases {
        assert_eq!(run(&rules, &readings), want, "{name}");
    }
}

#[test]
fn rate_of_change() {
    let rules = RuleSet {
        threshold: None,
        rate: Some(RateOfChange {
            max_per_minute: 2.0,
        }),
        silence: None,
        combination: None,
    };
    let cases: Vec<(&str, Readings, Signals)> = vec![
        ("one reading: no rate", vec![(0, 100.0)], vec![]),
        ("slow rise", vec![(0, 0.0), (60, 1.9), (120, 3.8)], vec![]),
        (
            "a jump raises once, a calm step clears",
            vec![(0, 0.0), (60, 5.0), (120, 12.0), (180, 12.5)],
            sig(&[(60, "+rate"), (180, "-rate")]),
        ),
        (
            "a fall counts too, per minute not per reading",
            vec![(0, 10.0), (30, 8.5), (90, 8.4)],
            sig(&[(30, "+rate"), (90, "-rate")]),
        ),
    ];
    for (name, readings, want) in cases {
        assert_eq!(run(&rules, &readings), want, "{name}");
    }
}

#[test]
fn silence_after_n_intervals_and_back() {
    let rules = RuleSet {
        threshold: None,
        rate: None,
        silence: Some(Silence { intervals: 3 }),
        combination: None,
    };
    // (case, last reading, now, raises)
    let cases = [
        ("never read, just created", None, 100, false),
        (
            "never read, three intervals since creation",
            None,
            180,
            true,
        ),
        ("read two intervals ago", Some(60), 180, false),
        ("read exactly three intervals ago", Some(60), 240, true),
    ];
    for (name, last, now, raises) in cases {
        let st = RuleState {
            last_at: last.map(|s| UtcText(at(s))),
            ..Default::default()
        };
        let (st, sig) = on_tick(&rules, st, 60, T0, at(now));
        assert_eq!(!sig.is_empty(), raises, "{name}");
        assert_eq!(st.silence_on, raises, "{name}");
        if raises {
            // Once: the next tick says nothing, a reading clears it.
            let (st, again) = on_tick(&rules, st, 60, T0, at(now + 600));
            assert!(again.is_empty(), "{name}");
            let (st, back) = on_reading(&rules, st, at(now + 601), 1.0, &Latest::new());
            assert_eq!(
                back,
                vec![Signal::Clear {
                    rule: RuleKind::Silence,
                    value: Some(1.0)
                }],
                "{name}"
            );
            assert!(!st.silence_on);
        }
    }
}

#[test]
fn overrides_replace_the_kinds_defaults_rule_by_rule() {
    let d = SensorKind::Gas.default_rules();
    assert_eq!(d.threshold.as_ref().and_then(|t| t.high), Some(1.0));
    let o = RuleSet {
        threshold: Some(Threshold {
            high: Some(0.8),
            low: None,
            hysteresis: 0.05,
            min_duration_secs: 0,
        }),
        rate: Some(RateOfChange {
            max_per_minute: 0.5,
        }),
        silence: None,
        combination: None,
    };
    let e = d.over(&o);
    assert_eq!(e.threshold.as_ref().and_then(|t| t.high), Some(0.8));
    assert_eq!(e.rate, o.rate);
    assert_eq!(e.silence, d.silence, "kept from the kind");
    // A kind without a national number has no threshold of its own.
    assert!(SensorKind::WaterLevel.default_rules().threshold.is_none());
    assert!(SensorKind::ALL
        .iter()
        .all(|k| k.default_rules().silence.is_some()));
}

#[test]
fn rule_sets_name_their_wrong_fields() {
    let bad = RuleSet {
        threshold: Some(Threshold {
            high: Some(1.0),
            low: Some(0.9),
            hysteresis: -1.0,
            min_duration_secs: -5,
        }),
        rate: Some(RateOfChange {
            max_per_minute: 0.0,
        }),
        silence: Some(Silence { intervals: 0 }),
        combination: None,
    };
    let fields: Vec<String> = bad.check().into_iter().map(|e| e.field).collect();
    for f in [
        "rules.threshold.hysteresis",
        "rules.threshold.min_duration_secs",
        "rules.rate.max_per_minute",
        "rules.silence.intervals",
    ] {
        assert!(fields.contains(&f.to_string()), "{f}: {fields:?}");
    }
    assert!(SensorKind::Gas.default_rules().check().is_empty());
}

#[test]
fn admission_window_and_range() {
    let w = Window {
        future: Duration::minutes(5),
        past: Duration::hours(72),
    };
    let now = at(0);
    let cases = [
        ("now", 0, 1.0, Ok(())),
        ("within skew", 299, 1.0, Ok(())),
        ("beyond skew", 301, 1.0, Err(Refused::Future)),
        ("three days back", -72 * 3600, 1.0, Ok(())),
        ("older", -72 * 3600 - 1, 1.0, Err(Refused::Past)),
        ("above range", 0, 101.0, Err(Refused::OutOfRange)),
        ("below range", 0, -1.0, Err(Refused::OutOfRange)),
        ("not a number", 0, f64::NAN, Err(Refused::OutOfRange)),
    ];
    for (name, secs, v, want) in cases {
        let got = admit(at(secs), v, (Some(0.0), Some(100.0)), w, now).map(|_| ());
        assert_eq!(got, want, "{name}");
    }
    // Cut to milliseconds, the precision of the duplicate check.
    let t = datetime!(2026-07-20 08:00:00.123456789 UTC);
    assert_eq!(
        admit(t, 1.0, (None, None), w, t),
        Ok(datetime!(2026-07-20 08:00:00.123 UTC))
    );
    assert_eq!(minute_of(t), datetime!(2026-07-20 08:00 UTC));
}

fn alarm(state: AlarmState, level: i64) -> Alarm {
    Alarm {
        id: 1,
        sensor_id: 1,
        point_id: 1,
        division: "140213".into(),
        rule: RuleKind::Threshold,
        state,
        value: Some(1.2),
        limit_value: Some(1.0),
        message: "m".into(),
        raised_at: UtcText(T0),
        cleared_at: None,
        acknowledged_by: String::new(),
        acknowledged_at: None,
        resolved_by: String::new(),
        resolved_at: None,
        resolution_note: String::new(),
        escalation_level: level,
        escalated_at: None,
        incident_id: None,
        created_at: UtcText(T0),
        updated_at: UtcText(T0),
        version: 1,
    }
}

#[test]
fn alarm_life_cycle() {
    use AlarmState as S;
    let ack = AlarmCommand::Acknowledge {
        note: String::new(),
    };
    let resolve = AlarmCommand::Resolve {
        note: "已处置".into(),
    };
    let false_alarm = AlarmCommand::FalseAlarm {
        reason: "传感器标定中".into(),
    };
    let no_reason = AlarmCommand::FalseAlarm { reason: " ".into() };
    // (from, command, to or refusal code)
    let cases: Vec<(S, &AlarmCommand, Result<S, &str>)> = vec![
        (S::Raised, &ack, Ok(S::Acknowledged)),
        (S::Raised, &resolve, Ok(S::Resolved)),
        (S::Raised, &false_alarm, Ok(S::FalseAlarm)),
        (S::Acknowledged, &ack, Err("alarm_step_not_allowed")),
        (S::Acknowledged, &resolve, Ok(S::Resolved)),
        (S::Acknowledged, &false_alarm, Ok(S::FalseAlarm)),
        (S::Acknowledged, &no_reason, Err("reason")),
        (S::Resolved, &ack, Err("alarm_step_not_allowed")),
        (S::Resolved, &resolve, Err("alarm_step_not_allowed")),
        (S::FalseAlarm, &false_alarm, Err("alarm_step_not_allowed")),
    ];
    for (from, cmd, want) in cases {
        let got = apply(alarm(from, 0), cmd, "pingcheng", at(60));
        match (got, want) {
            (Ok((a, payload)), Ok(to)) => {
                assert_eq!(a.state, to, "{from:?} {}", cmd.as_str());
                assert_eq!(payload["from"], from.as_str());
                assert_eq!(payload["to"], to.as_str());
            }
            (Err(RuleError::State(r)), Err(code)) => assert_eq!(r.code, code),
            (Err(RuleError::Field(f)), Err(name)) => assert_eq!(f.field, name),
            (got, want) => panic!("{from:?} {}: {got:?} vs {want:?}", cmd.as_str()),
        }
    }
    assert_eq!(
        alarm_allowed(&alarm(S::Raised, 0), T0),
        vec!["acknowledge", "resolve", "false_alarm"]
    );
    assert_eq!(
        alarm_allowed(&alarm(S::Acknowledged, 0), T0),
        vec!["resolve", "false_alarm"]
    );
    assert!(alarm_allowed(&alarm(S::Resolved, 0), T0).is_empty());
}

#[test]
fn escalation_timing() {
    let after = Duration::minutes(15);
    // (state, level now, minutes since raised, due level)
    let cases = [
        (AlarmState::Raised, 0, 14, None),
        (AlarmState::Raised, 0, 15, Some(1)),
        (AlarmState::Raised, 1, 29, None),
        (AlarmState::Raised, 1, 30, Some(2)),
        (AlarmState::Raised, 0, 45, Some(2)),
        (AlarmState::Raised, 2, 600, None),
        (AlarmState::Acknowledged, 0, 600, None),
        (AlarmState::Resolved, 0, 600, None),
    ];
    for (state, level, mins, want) in cases {
        assert_eq!(
            escalation_due(&alarm(state, level), after, 2, at(mins * 60)),
            want,
            "{state:?} level {level} after {mins} min"
        );
    }
}

#[test]
fn topics_and_payloads() {
    assert_eq!(
        mqtt::parse_topic("yingji/140213/17/ch4-1"),
        Some(("140213", 17, "ch4-1"))
    );
    assert_eq!(mqtt::parse_topic("yingji/140213/x/ch4"), None);
    assert_eq!(mqtt::parse_topic("ch4"), None);
    let one = mqtt::payload_items(3, br#"{"at":"2026-07-20T08:00:00Z","value":0.5}"#).unwrap();
    assert_eq!(one[0]["sensor_id"], 3);
    let two = mqtt::payload_items(3, br#"[{"at":"a","value":1},{"value":2}]"#).unwrap();
    assert_eq!(two.len(), 2);
    assert!(two[1]["at"].is_null());
    assert!(mqtt::payload_items(3, b"\xff").is_err());
    assert!(mqtt::payload_items(3, b"[1]").is_err());
}

/// A compact binary payload: `tag`, then per record the optional sensor id,
/// the time in milliseconds and the value, little-endian.
fn binary(tag: u8, records: &[(Option<i64>, i64, f64)]) -> Vec<u8> {
    let mut out = vec![tag];
    for (id, ms, v) in records {
        if let Some(id) = id {
            out.extend(id.to_le_bytes());
        }
        out.extend(ms.to_le_bytes());
        out.extend(v.to_le_bytes());
    }
    out
}

#[test]
fn compact_binary_payloads() {
    let ms = T0.unix_timestamp() * 1000 + 250;
    // MQTT: the topic names the sensor; 16-byte records.
    let p = binary(
        mqtt::BINARY_TAG,
        &[(None, ms, 0.5), (None, ms + 1000, 1.25)],
    );
    assert_eq!(p.len(), 1 + 2 * 16);
    let items = mqtt::payload_items(7, &p).unwrap();
    assert_eq!(
        items,
        vec![
            json!({ "sensor_id": 7, "at": "2026-07-20T08:00:00.250Z", "value": 0.5 }),
            json!({ "sensor_id": 7, "at": "2026-07-20T08:00:01.250Z", "value": 1.25 }),
        ]
    );
    // HTTP: each record names its sensor; 24-byte records.
    let p = binary(mqtt::BINARY_BATCH_TAG, &[(Some(9), ms, -3.0)]);
    assert_eq!(
        mqtt::binary_items(None, &p).unwrap(),
        vec![json!({ "sensor_id": 9, "at": "2026-07-20T08:00:00.250Z", "value": -3.0 })]
    );
    // Not a number: that reading is passed on as text (refused by the
    // reading's parse, counted malformed), the others stay numbers.
    let p = binary(mqtt::BINARY_TAG, &[(None, ms, f64::NAN), (None, ms, 1.0)]);
    let items = mqtt::payload_items(7, &p).unwrap();
    assert!(items[0]["value"].is_string() && items[1]["value"].is_number());
    // Malformed payloads: refused whole, with what is wrong.
    let good = binary(mqtt::BINARY_TAG, &[(None, ms, 0.5)]);
    let too_many = binary(
        mqtt::BINARY_TAG,
        &vec![(None, ms, 0.5); mqtt::BINARY_MAX_RECORDS + 1],
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "empty"),
        ("tag only", vec![mqtt::BINARY_TAG], "not a whole number"),
        (
            "short record",
            good[..good.len() - 1].to_vec(),
            "not a whole number",
        ),
        (
            "long record",
            [good.clone(), vec![0]].concat(),
            "not a whole number",
        ),
        (
            "time out of range",
            binary(mqtt::BINARY_TAG, &[(None, i64::MAX, 0.5)]),
            "out of range",
        ),
        ("too many", too_many, "more than"),
        (
            "batch tag on MQTT",
            binary(mqtt::BINARY_BATCH_TAG, &[(None, ms, 0.5)]),
            "first byte",
        ),
    ];
    for (name, p, want) in cases {
        let e = mqtt::binary_items(Some(7), &p).unwrap_err();
        assert!(e.contains(want), "{name}: {e}");
    }
    // A 16-byte record is not a batch record.
    assert!(mqtt::binary_items(None, &binary(mqtt::BINARY_BATCH_TAG, &[(None, ms, 0.5)])).is_err());
}

#[test]
fn series_resolution_by_range() {
    let h = |x: i64| T0 + Duration::hours(x);
    for (from, to, want) in [
        (h(0), h(1), Resolution::Raw),
        (h(0), h(6) + Duration::minutes(5), Resolution::Raw),
        (h(0), h(7), Resolution::Minute),
        (h(0), h(48), Resolution::Minute),
        (h(0), h(49), Resolution::Hour),
        (h(0), h(24 * 365), Resolution::Hour),
    ] {
        assert_eq!(resolution(from, to), want, "{from} – {to}");
    }
    let t = datetime!(2026-07-20 08:59:59.999 UTC);
    assert_eq!(minute_of(t), datetime!(2026-07-20 08:59 UTC));
    assert_eq!(hour_of(t), datetime!(2026-07-20 08:00 UTC));
}

fn gas_and_no_air() -> RuleSet {
    RuleSet {
        combination: Some(Combination {
            all: vec![
                Condition {
                    sensor: String::new(),
                    at_least: Some(0.8),
                    at_most: None,
                },
                Condition {
                    sensor: "wind-1".into(),
                    at_least: None,
                    at_most: Some(0.25),
                },
            ],
            max_age_secs: 120,
        }),
        ..RuleSet::default()
    }
}

#[test]
fn combinations_hold_only_together_and_with_fresh_readings() {
    let rules = gas_and_no_air();
    let wind = |secs: i64, v: f64| -> Latest { [("wind-1".to_string(), (at(secs), v))].into() };
    // (name, own reading at 100 s, the other sensor's latest, raised?)
    let cases: Vec<(&str, f64, Latest, bool)> = vec![
        ("gas high, air stopped", 0.9, wind(90, 0.1), true),
        ("gas high, air flowing", 0.9, wind(90, 1.5), false),
        ("gas normal, air stopped", 0.3, wind(90, 0.1), false),
        ("at the limits", 0.8, wind(90, 0.25), true),
        ("the other reading too old", 0.9, wind(-30, 0.1), false),
        ("no other reading", 0.9, Latest::new(), false),
    ];
    for (name, v, others, raised) in cases {
        let (st, sig) = on_reading(&rules, RuleState::default(), at(100), v, &others);
        assert_eq!(st.combination_on, raised, "{name}");
        assert_eq!(
            sig.iter().any(|s| matches!(
                s,
                Signal::Raise {
                    rule: RuleKind::Combination,
                    ..
                }
            )),
            raised,
            "{name}: {sig:?}"
        );
    }
    // Raised once while it holds, cleared when the air flows again.
    let (st, _) = on_reading(&rules, RuleState::default(), at(100), 0.9, &wind(90, 0.1));
    let (st, again) = on_reading(&rules, st, at(110), 1.0, &wind(105, 0.1));
    assert!(again.is_empty());
    let (st, back) = on_reading(&rules, st, at(120), 1.0, &wind(115, 2.0));
    assert_eq!(
        back,
        vec![Signal::Clear {
            rule: RuleKind::Combination,
            value: Some(1.0)
        }]
    );
    assert!(!st.combination_on);
}

#[test]
fn combinations_name_their_wrong_fields() {
    let mut r = gas_and_no_air();
    assert!(r.check().is_empty());
    let c = r.combination.as_mut().unwrap();
    c.all[0].sensor = "x".into();
    c.all[1].at_most = None;
    c.max_age_secs = 0;
    let fields: Vec<String> = r.check().into_iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        vec![
            "rules.combination.all[1].at_least",
            "rules.combination.all",
            "rules.combination.max_age_secs"
        ]
    );
}

#[test]
fn a_preview_replays_the_readings_through_the_same_rules() {
    // A day of gas readings every 10 minutes, one hour of them above the
    // limit, a gap of an hour; the wind sensor stopped during part of it.
    let from = T0;
    let to = T0 + Duration::hours(24);
    let mut own = Vec::new();
    for m in (0..24 * 60).step_by(10) {
        if (600..660).contains(&m) {
            continue; // an hour without readings
        }
        let v = if (120..180).contains(&m) { 1.2 } else { 0.4 };
        own.push((T0 + Duration::minutes(m), v));
    }
    let mut rules = SensorKind::Gas.default_rules().over(&gas_and_no_air());
    rules.silence = Some(Silence { intervals: 3 });
    let wind: Vec<(OffsetDateTime, f64)> = (0..24 * 60)
        .step_by(10)
        .map(|m| {
            (
                T0 + Duration::minutes(m) - Duration::seconds(5),
                if (150..200).contains(&m) { 0.0 } else { 2.0 },
            )
        })
        .collect();
    let others = [("wind-1".to_string(), wind)].into();
    let events = preview(&rules, 600, &own, &others, from, to);
    let got: Vec<(i64, &str, RuleKind)> = events
        .iter()
        .map(|e| ((e.at.0 - T0).whole_minutes(), e.kind, e.rule))
        .collect();
    assert_eq!(
        got,
        vec![
            (120, "raised", RuleKind::Threshold),
            (150, "raised", RuleKind::Combination),
            (180, "cleared", RuleKind::Threshold),
            (180, "cleared", RuleKind::Combination),
            (620, "raised", RuleKind::Silence),
            (660, "cleared", RuleKind::Silence),
        ]
    );
}

#[test]
fn which_alarms_lead_to_a_public_warning_draft() {
    use AlarmState as A;
    use SensorKind as K;
    let table: &[(Option<K>, A, Option<&str>)] = &[
        (Some(K::Rainfall), A::Raised, Some("rainstorm")),
        (Some(K::Rainfall), A::Resolved, Some("rainstorm")),
        (Some(K::Displacement), A::Acknowledged, Some("geohazard")),
        (Some(K::Rainfall), A::FalseAlarm, None),
        (Some(K::Displacement), A::FalseAlarm, None),
        (Some(K::Gas), A::Raised, None),
        (Some(K::Temperature), A::Raised, None),
        (Some(K::TailingsLevel), A::Raised, None),
        (Some(K::WaterLevel), A::Raised, None),
        (None, A::Raised, None),
    ];
    for (k, s, want) in table {
        assert_eq!(warning_hazard(*k, *s), *want, "{k:?} {s:?}");
    }
}
