//! The Datong demo matches the counts of the 14th Five-Year plan and is deterministic.
use std::collections::HashMap;

use yingji::auth::Scope;
use yingji::registry::store::{list, Filter};
use yingji::Config;

async fn demo_app(database_url: Option<String>) -> (yingji::AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        database_url,
        ..Config::default()
    };
    let s = yingji::open(config).await.unwrap();
    yingji::demo::create(&s).await.unwrap();
    (s, dir)
}

async fn items(s: &yingji::AppState, kind: &str) -> Vec<yingji::registry::Item> {
    let scope = Scope {
        prefix: String::new(),
        org: None,
    };
    list(
        &s.db,
        &s.tree(),
        kind,
        &scope,
        &Filter {
            limit: 100_000,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .1
}

fn count_by(
    items: &[yingji::registry::Item],
    f: impl Fn(&yingji::registry::Item) -> String,
) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for i in items {
        *m.entry(f(i)).or_default() += 1;
    }
    m
}

#[tokio::test]
async fn demo_matches_the_plan() {
    let (s, _d) = demo_app(None).await;
    let tree = s.tree();
    assert_eq!(tree.boundaries().count(), 11);

    let teams = items(&s, "team").await;
    assert_eq!(teams.len(), 34);
    assert_eq!(count_by(&teams, |t| t.category.clone()).len(), 17);
    let people: i64 = teams
        .iter()
        .map(|t| t.attrs["headcount"].as_i64().unwrap())
        .sum();
    assert!(people >= 3600, "{people}");

    let shelters = items(&s, "shelter").await;
    let by_class = count_by(&shelters, |t| t.category.clone());
    assert_eq!((by_class["I"], by_class["II"], by_class["III"]), (2, 8, 11));
    let first: Vec<&str> = shelters
        .iter()
        .filter(|s| s.category == "I")
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(first, vec!["市示范性教育实践基地", "御河东岸生态园"]);

    let wh = items(&s, "warehouse").await;
    assert_eq!(wh.len(), 11);
    assert!(wh.iter().any(|w| w.name == "大同市救灾物资储备中心"));

    let mp = items(&s, "monitoring_point").await;
    let by_type = count_by(&mp, |t| t.category.clone());
    assert_eq!(by_type["forest_fire_video"], 42);
    assert_eq!(by_type["seismic_reference"], 13);
    assert_eq!(by_type["seismic_basic"], 15);
    assert_eq!(by_type["seismic_general"], 80);

    // Every record lies inside its division's boundary.
    for kind in crate::common::KINDS {
        for it in items(&s, kind).await {
            let code = yingji::divisions::Code::parse(&it.division).unwrap();
            assert_eq!(
                tree.contains_point(&code, it.lon, it.lat),
                Some(true),
                "{kind} {}",
                it.name
            );
        }
    }
    // Demo users can log in; the journal verifies.
    assert!(yingji::auth::store::credentials(&s.db, "qiye")
        .await
        .unwrap()
        .unwrap()
        .user
        .org
        .starts_with("enterprise:"));
    assert!(yingji::journal::verify(&s.db).await.unwrap().ok());

    // A week of duty rosters for the city and each county: a leader's
    // 24-hour shift and officers' day and night shifts every day, those
    // ended handed over, those running on duty, none overlapping.
    let now = time::OffsetDateTime::now_utc();
    let today = now.to_offset(time::macros::offset!(+8)).date();
    let monday = today - time::Duration::days(today.weekday().number_days_from_monday() as i64);
    let (from, _) = yingji::duty::day_bounds(monday);
    let (_, to) = yingji::duty::day_bounds(monday + time::Duration::days(6));
    let counties: Vec<String> = yingji::demo::COUNTY_POPULATION_2020
        .iter()
        .map(|(c, _)| format!("{c}000000"))
        .collect();
    for div in std::iter::once("140200000000").chain(counties.iter().map(String::as_str)) {
        let shifts = yingji::duty::store::shifts_between(&s.db, div, from.into(), to.into())
            .await
            .unwrap();
        let mine: Vec<_> = shifts
            .iter()
            .filter(|x| x.date >= monday.to_string())
            .collect();
        assert_eq!(mine.len(), 21, "{div}");
        for x in &mine {
            let (start, end) = (x.starts_at, x.ends_at);
            // States as of when the demo was made.
            let now = x.created_at;
            let want = if end <= now {
                yingji::duty::ShiftState::Acknowledged
            } else if start <= now {
                yingji::duty::ShiftState::OnDuty
            } else {
                yingji::duty::ShiftState::Scheduled
            };
            assert_eq!(x.state, want, "{div} {} {:?}", x.date, x.period);
        }
        let slots: Vec<yingji::duty::Slot> = mine.iter().map(|x| x.slot()).collect();
        for sl in &slots {
            assert_eq!(yingji::duty::overlapping(sl, &slots), None, "{div}");
        }
    }
    let pc = yingji::auth::store::user_id(&s.db, "pingcheng")
        .await
        .unwrap();
    let pcs = yingji::duty::store::shifts_between(&s.db, "140213000000", from.into(), to.into())
        .await
        .unwrap();
    assert!(pcs
        .iter()
        .filter(|x| !x.officers.is_empty())
        .all(|x| x.user_ids().contains(&pc.unwrap())));
}

#[tokio::test]
async fn demo_is_deterministic_and_runs_on_postgres_too() {
    let (a, _da) = demo_app(None).await;
    let second = match std::env::var("YINGJI_TEST_DATABASE_URL") {
        Ok(base) => Some(crate::common::fresh_pg_url(&base).await),
        Err(_) => None,
    };
    let (b, _db) = demo_app(second).await;
    for kind in crate::common::KINDS {
        let pa: Vec<(String, f64, f64)> = items(&a, kind)
            .await
            .into_iter()
            .map(|i| (i.name, i.lon, i.lat))
            .collect();
        let pb: Vec<(String, f64, f64)> = items(&b, kind)
            .await
            .into_iter()
            .map(|i| (i.name, i.lon, i.lat))
            .collect();
        assert_eq!(pa, pb, "{kind}");
    }
}
