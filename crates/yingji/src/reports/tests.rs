use super::deadlines::{Calendar, Limits, Status};
use super::figures::Figures;
use super::grading::AccidentGrade;
use super::*;
use time::macros::datetime;

fn disaster() -> Disaster {
    Disaster {
        id: 1,
        name: "7·1 暴雨".into(),
        disaster_type: "rainstorm".into(),
        onset: datetime!(2026-07-01 02:00 UTC).into(), // 10:00 CST
        division: "140212000000".into(),
        townships: vec!["140212100000".into(), "140212101000".into()],
        source: "intake".into(),
        stable_at: None,
        created_by: "t".into(),
        created_at: datetime!(2026-07-01 02:00 UTC).into(),
        version: 1,
    }
}

fn report(
    kind: &str,
    level: &str,
    division: &str,
    step: &str,
    at: time::OffsetDateTime,
    dead: i64,
) -> Report {
    Report {
        id: 0,
        disaster_id: 1,
        kind: ReportKind::parse(kind).unwrap(),
        level: level.into(),
        division: division.into(),
        division_name: String::new(),
        step_key: step.into(),
        figures: Figures {
            dead,
            affected: 100,
            ..Default::default()
        },
        casualties: vec![],
        houses: vec![],
        ledger_refs: vec![],
        reason: String::new(),
        flags: vec![],
        supersedes: None,
        submitted_by: "t".into(),
        submitted_at: at.into(),
    }
}

fn status_of(steps: &[StepStatus], key: &str) -> Status {
    steps
        .iter()
        .find(|s| s.key == key)
        .map(|s| s.status)
        .unwrap_or_else(|| panic!("no step {key}: {steps:?}"))
}

#[test]
fn county_initial_on_time_late_and_missing() {
    let d = disaster();
    let l = Limits::default();
    let cal = Calendar::default();
    // No report by 12:00:01 → 漏报.
    let s = disaster_status(&d, &[], datetime!(2026-07-01 12:00:01 +8), &l, &cal);
    assert_eq!(status_of(&s, "140212000000:initial"), Status::Missing);
    // Exactly at 12:00 → on time; the city's 2 h then start.
    let r = report(
        "initial",
        "county",
        "140212000000",
        "140212000000:initial",
        datetime!(2026-07-01 12:00 +8),
        0,
    );
    let s = disaster_status(
        &d,
        std::slice::from_ref(&r),
        datetime!(2026-07-01 13:00 +8),
        &l,
        &cal,
    );
    assert_eq!(status_of(&s, "140212000000:initial"), Status::OnTime);
    assert_eq!(status_of(&s, "forward"), Status::Pending);
    assert_eq!(
        s.iter().find(|x| x.key == "forward").unwrap().due.text(),
        "2026-07-01T06:00:00.000Z"
    );
    // At 12:30 → 迟报.
    let late = report(
        "initial",
        "county",
        "140212000000",
        "140212000000:initial",
        datetime!(2026-07-01 12:30 +8),
        0,
    );
    let s = disaster_status(&d, &[late], datetime!(2026-07-01 13:00 +8), &l, &cal);
    assert_eq!(status_of(&s, "140212000000:initial"), Status::Late);
}

#[test]
fn ten_dead_or_missing_require_a_direct_report() {
    let d = disaster();
    let l = Limits::default();
    let r9 = report(
        "initial",
        "county",
        "140212000000",
        "140212000000:initial",
        datetime!(2026-07-01 11:00 +8),
        9,
    );
    let s = disaster_status(
        &d,
        std::slice::from_ref(&r9),
        datetime!(2026-07-01 11:30 +8),
        &l,
        &Calendar::default(),
    );
    assert!(!s.iter().any(|x| x.key.ends_with(":direct")));
    let r10 = report(
        "followup",
        "county",
        "140212000000",
        "x",
        datetime!(2026-07-01 11:10 +8),
        10,
    );
    let s = disaster_status(
        &d,
        &[r9, r10],
        datetime!(2026-07-01 11:30 +8),
        &l,
        &Calendar::default(),
    );
    assert_eq!(
        status_of(&s, "140212000000:direct"),
        Status::Missing,
        "at once means by 11:10"
    );
}

/// The direct report's clock starts when a township first shows 10 dead or
/// missing (two townships, 6 + 4), before the county reports; a township of
/// another county does not count for this one.
#[test]
fn a_township_report_starts_the_direct_report_clock() {
    let d = disaster();
    let l = Limits::default();
    let t1 = report(
        "initial",
        "township",
        "140212100000",
        "140212100000:initial",
        datetime!(2026-07-01 10:30 +8),
        6,
    );
    let mut t2 = report(
        "initial",
        "township",
        "140212101000",
        "140212101000:initial",
        datetime!(2026-07-01 10:40 +8),
        0,
    );
    t2.figures.missing = 4;
    let elsewhere = report(
        "initial",
        "township",
        "140213100000",
        "x",
        datetime!(2026-07-01 10:35 +8),
        20,
    );
    let now = datetime!(2026-07-01 10:45 +8);
    let s = disaster_status(
        &d,
        &[t1.clone(), elsewhere.clone()],
        now,
        &l,
        &Calendar::default(),
    );
    assert!(!s.iter().any(|x| x.key == "140212000000:direct"), "{s:?}");
    let s = disaster_status(&d, &[t1, t2, elsewhere], now, &l, &Calendar::default());
    let direct = s
        .iter()
        .find(|x| x.key == "140212000000:direct")
        .expect("direct");
    assert_eq!(direct.due.0, datetime!(2026-07-01 10:40 +8));
    assert_eq!(direct.status, Status::Missing);
    assert!(
        direct.label_zh.contains("应急管理部"),
        "{}",
        direct.label_zh
    );
}

#[test]
fn followups_are_assigned_to_the_open_day() {
    let d = disaster();
    let l = Limits::default();
    let cal = Calendar::default();
    // 10 dead: 重大 (Ⅱ) under the natural-disaster relief plan, so daily 续报
    // are owed (a disaster below 重大 owes none: see the next test).
    let initial = report(
        "initial",
        "county",
        "140212000000",
        "140212000000:initial",
        datetime!(2026-07-01 11:00 +8),
        10,
    );
    // A 续报 at 08:30 on 2 July satisfies 2 July's step.
    let k = step_for(
        &d,
        std::slice::from_ref(&initial),
        ReportKind::Followup,
        ("county", "140212000000"),
        datetime!(2026-07-02 08:30 +8),
        &l,
        &cal,
    );
    assert_eq!(k, "140212000000:followup:2026-07-02");
    // Late at 11:00 on 2 July, still for 2 July.
    let k = step_for(
        &d,
        std::slice::from_ref(&initial),
        ReportKind::Followup,
        ("county", "140212000000"),
        datetime!(2026-07-02 11:00 +8),
        &l,
        &cal,
    );
    assert_eq!(k, "140212000000:followup:2026-07-02");
    // With 2 July done, a report at 20:00 counts for 3 July.
    let done = report(
        "followup",
        "county",
        "140212000000",
        "140212000000:followup:2026-07-02",
        datetime!(2026-07-02 08:30 +8),
        10,
    );
    let k = step_for(
        &d,
        &[initial.clone(), done],
        ReportKind::Followup,
        ("county", "140212000000"),
        datetime!(2026-07-02 20:00 +8),
        &l,
        &cal,
    );
    assert_eq!(k, "140212000000:followup:2026-07-03");
    assert_eq!(
        step_for(
            &d,
            &[initial],
            ReportKind::Forward,
            ("city", "140200000000"),
            datetime!(2026-07-01 12:00 +8),
            &l,
            &cal
        ),
        "forward"
    );
}

/// 《自然灾害情况统计调查制度》: daily 续报 for 重大/特别重大 until stable. A
/// small local event (no level under the relief plan) owes none and is never
/// 漏报 for them; once a report makes it 重大 the 续报 run from the next day.
#[test]
fn only_major_disasters_owe_daily_followups() {
    let d = disaster();
    let l = Limits::default();
    let cal = Calendar::default();
    let small = report(
        "initial",
        "county",
        "140212000000",
        "140212000000:initial",
        datetime!(2026-07-01 11:00 +8),
        1,
    );
    let now = datetime!(2026-07-04 12:00 +8);
    let s = disaster_status(&d, std::slice::from_ref(&small), now, &l, &cal);
    assert!(
        !s.iter().any(|x| x.key.contains("followup")),
        "no daily 续报 for a small event: {s:?}"
    );
    assert!(!s
        .iter()
        .any(|x| x.status == Status::Missing && x.key.contains("followup")));
    // 5 dead is 较大 (Ⅲ): still none with the default (Ⅱ and above).
    let larger = report(
        "followup",
        "county",
        "140212000000",
        "x",
        datetime!(2026-07-02 15:00 +8),
        5,
    );
    let s = disaster_status(&d, &[small.clone(), larger.clone()], now, &l, &cal);
    assert!(!s.iter().any(|x| x.key.contains("followup")));
    // 10 dead on 2 July at 16:00 makes it 重大: 续报 from 3 July.
    let major = report(
        "followup",
        "county",
        "140212000000",
        "x",
        datetime!(2026-07-02 16:00 +8),
        10,
    );
    let s = disaster_status(&d, &[small.clone(), larger.clone(), major], now, &l, &cal);
    let keys: Vec<&str> = s
        .iter()
        .filter(|x| x.key.starts_with("140212000000:followup"))
        .map(|x| x.key.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "140212000000:followup:2026-07-03",
            "140212000000:followup:2026-07-04"
        ]
    );
    assert!(s.iter().any(|x| x.key == "followup-city:2026-07-03"));
    // Configured for every disaster (the old behaviour): from the onset's next day.
    let every = Limits {
        followup_daily_min_level: None,
        ..Limits::default()
    };
    let s = disaster_status(&d, std::slice::from_ref(&small), now, &every, &cal);
    assert!(s
        .iter()
        .any(|x| x.key == "140212000000:followup:2026-07-02"));
    // Township reports count too: two townships of 1 500 relocated each are
    // 3 000 (Ⅳ needs 1 000; Ⅱ needs 20 000) — still not daily.
    let mut t1 = report(
        "initial",
        "township",
        "140212100000",
        "a",
        datetime!(2026-07-01 10:30 +8),
        0,
    );
    t1.figures.relocated = 1500;
    t1.figures.affected = 1500;
    let s = disaster_status(&d, &[t1], now, &l, &cal);
    assert!(!s.iter().any(|x| x.key.contains("followup")));
}

#[test]
fn accidents_chain_and_investigation() {
    let a = Accident {
        id: 1,
        name: "某煤矿顶板事故".into(),
        industry: "coal_mine".into(),
        division: "140214000000".into(),
        occurred_at: datetime!(2026-03-01 00:00 UTC).into(),
        road_or_fire: false,
        deaths: 3,
        missing: 0,
        serious_injuries: 0,
        direct_loss_yuan: 0,
        grade: AccidentGrade::Larger,
        grade_zh: String::new(),
        received: vec![
            ("county".into(), datetime!(2026-03-01 00:40 UTC).into()),
            ("city".into(), datetime!(2026-03-01 03:00 UTC).into()),
        ],
        skips: vec![],
        notifications: vec![crate::reports::notify::Notification {
            level: "county".into(),
            party: "police".into(),
            at: datetime!(2026-03-01 02:41 UTC).into(),
            by: "t".into(),
            note: String::new(),
        }],
        description: String::new(),
        unit_learned_at: None,
        danger: Default::default(),
        larger_danger: vec![],
        sector_department: None,
        sector_received: vec![],
        followups: vec![],
        settled_at: None,
        regime_facts: Default::default(),
        regime: crate::reports::regimes::Regime::Order493,
        duty_reports: vec![],
        incident_id: None,
        bulletin: Default::default(),
        enterprise_id: None,
        created_by: "t".into(),
        created_at: datetime!(2026-03-01 00:00 UTC).into(),
        version: 1,
    };
    let s = accident_status(
        &a,
        None,
        datetime!(2026-03-01 12:00 UTC),
        &Limits::default(),
    );
    assert_eq!(status_of(&s, "report:county"), Status::OnTime);
    assert_eq!(
        status_of(&s, "report:city"),
        Status::Late,
        "02:40 due, received 03:00"
    );
    assert_eq!(
        status_of(&s, "report:province"),
        Status::Missing,
        "due 05:00"
    );
    assert_eq!(status_of(&s, "supplement-window"), Status::Pending);
    // 第十条: the county received it at 00:40, notifications due 02:40; the
    // police at 02:41 is late, the union never: missing; the city's are
    // due 05:00 and none is done.
    assert_eq!(status_of(&s, "notify:county:police"), Status::Late);
    assert_eq!(status_of(&s, "notify:county:union"), Status::Missing);
    assert_eq!(status_of(&s, "notify:city:government"), Status::Missing);
    assert!(!s.iter().any(|x| x.key.starts_with("notify:province")));
    // 21号令: the county received it at 00:40 UTC, the province never: the
    // 电话快报 due 01:40 UTC is 漏报.
    assert_eq!(status_of(&s, "phone:province"), Status::Missing);
    let early = accident_status(
        &a,
        None,
        datetime!(2026-03-01 02:20 UTC),
        &Limits::default(),
    );
    assert_eq!(status_of(&early, "notify:county:labour"), Status::DueSoon);
    assert_eq!(status_of(&early, "notify:city:labour"), Status::Pending);
    let s = accident_status(
        &a,
        None,
        datetime!(2026-05-01 00:00 UTC),
        &Limits::default(),
    );
    assert_eq!(status_of(&s, "investigation"), Status::Missing);
    assert_eq!(status_of(&s, "supplement-window"), Status::OnTime);
}

#[test]
fn readers_see_only_reports_of_their_subtree() {
    let at = datetime!(2026-07-01 03:00 UTC);
    let all = vec![
        report("initial", "township", "140213100000", "a", at, 1),
        report("initial", "county", "140213000000", "b", at, 1),
        report("initial", "township", "140215100000", "c", at, 1),
        report("initial", "county", "140215000000", "d", at, 1),
        report("forward", "city", "140200000000", "e", at, 2),
    ];
    // (scope prefix, divisions seen)
    let table: [(&str, &[&str]); 4] = [
        (
            "1402",
            &[
                "140213100000",
                "140213000000",
                "140215100000",
                "140215000000",
                "140200000000",
            ],
        ),
        ("140213", &["140213100000", "140213000000"]),
        ("140215", &["140215100000", "140215000000"]),
        ("140213100", &["140213100000"]),
    ];
    for (prefix, want) in table {
        let mut r = all.clone();
        retain_visible(
            &mut r,
            &crate::auth::Scope {
                prefix: prefix.into(),
                org: None,
            },
        );
        let seen: Vec<&str> = r.iter().map(|r| r.division.as_str()).collect();
        assert_eq!(seen, want, "{prefix}");
    }
}
