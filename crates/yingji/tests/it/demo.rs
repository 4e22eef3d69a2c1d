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

/// The demo's invariants, each a named check over the seeded records that
/// lists what breaks it (an officer from Datong spots these at once).
#[tokio::test]
async fn demo_invariants() {
    use yingji::demo::data;
    let (s, _d) = demo_app(None).await;
    let tree = s.tree();
    let mut all = Vec::new();
    for kind in crate::common::KINDS {
        all.extend(items(&s, kind).await);
    }
    let of = |k: &'static str| all.iter().filter(move |i| i.kind == k);
    let teams: HashMap<String, String> = of("team")
        .map(|t| (t.name.clone(), t.category.clone()))
        .collect();
    // Equipment that fits each team kind, independent of the demo's table.
    let fits: HashMap<&str, &[&str]> = HashMap::from([
        (
            "fire",
            &[
                "fire_truck",
                "rescue_vehicle",
                "breathing_apparatus",
                "command_vehicle",
                "lighting",
            ][..],
        ),
        (
            "forest_fire",
            &[
                "forest_fire_vehicle",
                "drone",
                "satellite_phone",
                "command_vehicle",
            ][..],
        ),
        (
            "mine",
            &["rescue_vehicle", "breathing_apparatus", "command_vehicle"][..],
        ),
        (
            "hazmat",
            &[
                "rescue_vehicle",
                "breathing_apparatus",
                "drone",
                "command_vehicle",
            ][..],
        ),
        ("flood", &["boat", "pump", "lighting", "generator"][..]),
        ("power", &["generator", "rescue_vehicle", "lighting"][..]),
        ("gas", &["rescue_vehicle", "breathing_apparatus"][..]),
        ("heating", &["rescue_vehicle", "excavator", "pump"][..]),
        (
            "telecom",
            &["command_vehicle", "satellite_phone", "drone", "generator"][..],
        ),
        ("medical", &["ambulance", "command_vehicle"][..]),
        (
            "earthquake",
            &[
                "rescue_vehicle",
                "lighting",
                "drone",
                "generator",
                "breathing_apparatus",
            ][..],
        ),
        ("traffic", &["excavator", "rescue_vehicle", "lighting"][..]),
        ("water", &["pump", "excavator", "rescue_vehicle"][..]),
        ("construction", &["excavator", "generator", "lighting"][..]),
        (
            "aviation",
            &["drone", "command_vehicle", "satellite_phone"][..],
        ),
        ("environment", &["command_vehicle", "drone"][..]),
        ("social", &["rescue_vehicle", "boat", "drone"][..]),
    ]);
    let units: HashMap<&str, &[&str]> = HashMap::from([
        ("fire_truck", &["辆"][..]),
        ("forest_fire_vehicle", &["辆"][..]),
        ("rescue_vehicle", &["辆"][..]),
        ("command_vehicle", &["辆"][..]),
        ("ambulance", &["辆"][..]),
        ("excavator", &["台"][..]),
        ("pump", &["台"][..]),
        ("generator", &["台"][..]),
        ("boat", &["艘"][..]),
        ("drone", &["架"][..]),
        ("satellite_phone", &["部"][..]),
        ("breathing_apparatus", &["具", "台"][..]),
        ("lighting", &["套"][..]),
    ]);
    let urban: Vec<yingji::divisions::Code> = data::URBAN
        .iter()
        .map(|c| yingji::divisions::Code::parse(c).unwrap())
        .collect();
    let users = yingji::auth::store::list(&s.db, "").await.unwrap();
    type Check<'a> = (&'a str, Vec<String>);
    let checks: Vec<Check> = vec![
        ("every team's kind has fitting equipment, in its unit", {
            let mut bad = Vec::new();
            for (team, kind) in &teams {
                let mine: Vec<_> = of("equipment")
                    .filter(|e| e.attrs["owner_team"] == team.as_str())
                    .collect();
                if mine.is_empty() {
                    bad.push(format!("{team}: no equipment"));
                }
                for e in mine {
                    let ty = e.category.as_str();
                    if !fits[kind.as_str()].contains(&ty) {
                        bad.push(format!("{team} ({kind}): {ty}"));
                    }
                    if !units[ty].contains(&e.attrs["unit"].as_str().unwrap_or("")) {
                        bad.push(format!("{}: unit {}", e.name, e.attrs["unit"]));
                    }
                }
            }
            bad
        }),
        (
            "every team has a kind of affiliation, not all the bureau",
            {
                let bad: Vec<String> = of("team")
                    .filter(|t| {
                        t.attrs
                            .get("affiliation_type")
                            .and_then(|v| v.as_str())
                            .unwrap_or("")
                            .is_empty()
                    })
                    .map(|t| t.name.clone())
                    .collect();
                let fire_vertical = of("team")
                    .filter(|t| t.category == "fire")
                    .all(|t| t.attrs["affiliation_type"] == "fire_rescue");
                bad.into_iter()
                    .chain(
                        (!fire_vertical).then(|| "fire teams not vertically managed".to_string()),
                    )
                    .collect()
            },
        ),
        ("no 重大危险源 of a kind outside GB 18218", {
            of("hazard_source")
                .filter(|h| h.attrs["level"] != "none")
                .filter(|h| {
                    data::NOT_MAJOR_HAZARD.contains(&h.attrs["hazard_class"].as_str().unwrap())
                })
                .map(|h| h.name.clone())
                .collect()
        }),
        ("a 重大危险源's risk colour follows its grade", {
            of("hazard_source")
                .filter(|h| {
                    let level = h.attrs["level"].as_str().unwrap();
                    let color = h.attrs["risk_color"].as_str().unwrap();
                    match level {
                        "1" | "2" => color != "red",
                        "3" | "4" => color != "orange",
                        _ => false,
                    }
                })
                .map(|h| h.name.clone())
                .collect()
        }),
        ("shelter capacity ≤ area / per-person area", {
            of("shelter")
                .filter(|x| {
                    let cap = x.attrs["capacity"].as_f64().unwrap();
                    let area = x.attrs["area_m2"].as_f64().unwrap();
                    cap <= 0.0 || cap > area / yingji::resources::M2_PER_PERSON
                })
                .map(|x| x.name.clone())
                .collect()
        }),
        (
            "Ⅰ类 shelters hold the plan's 20,000, Ⅱ类 in the urban districts hold 10,000",
            {
                of("shelter")
                    .filter(|x| match x.category.as_str() {
                        "I" => x.attrs["capacity"] != 20_000,
                        "II" if data::URBAN.contains(&&x.division[..6]) => {
                            x.attrs["capacity"] != 10_000
                        }
                        _ => false,
                    })
                    .map(|x| x.name.clone())
                    .collect()
            },
        ),
        (
            "every city-level resource lies inside the urban districts",
            {
                all.iter()
                    .filter(|i| i.division.starts_with("140200"))
                    .filter(|i| {
                        !urban
                            .iter()
                            .any(|u| tree.contains_point(u, i.lon, i.lat) == Some(true))
                    })
                    .map(|i| format!("{} {}", i.kind, i.name))
                    .collect()
            },
        ),
        ("no doubled words in names", {
            all.iter()
                .filter_map(|i| data::doubled_word(&i.name).map(|w| format!("{} ({w})", i.name)))
                .collect()
        }),
        ("no expert's name carries the field", {
            of("expert")
                .filter(|e| {
                    e.name.contains('（') || e.name.contains('(') || e.name.chars().count() > 4
                })
                .map(|e| e.name.clone())
                .collect()
        }),
        (
            "no mine or coal enterprise in the wrong place, no numbered names",
            {
                of("enterprise")
                    .filter(|e| {
                        (e.category == "coal_mine"
                            && !["140212", "140214", "140226"].contains(&&e.division[..6]))
                            || e.name.chars().any(|c| c.is_ascii_digit())
                    })
                    .map(|e| e.name.clone())
                    .collect()
            },
        ),
        ("no service hotline as a duty phone", {
            let now = time::OffsetDateTime::now_utc();
            let (from, to) = (now - time::Duration::days(8), now + time::Duration::days(8));
            let mut bad: Vec<String> = all
                .iter()
                .filter(|i| data::is_hotline(&i.duty_phone))
                .map(|i| format!("{} {}", i.name, i.duty_phone))
                .collect();
            for div in std::iter::once("140200".to_string()).chain(
                yingji::demo::COUNTY_POPULATION_2020
                    .iter()
                    .map(|c| c.0.to_string()),
            ) {
                let code = format!("{div}000000");
                for x in yingji::duty::store::shifts_between(&s.db, &code, from.into(), to.into())
                    .await
                    .unwrap()
                {
                    for p in x.leader.iter().chain(x.officers.iter()) {
                        if data::is_hotline(&p.phone) {
                            bad.push(format!("{code} {} {}", p.name, p.phone));
                        }
                    }
                }
            }
            bad
        }),
        (
            "every county has a user, the city a 值班员 besides the commander",
            {
                let mut bad: Vec<String> = yingji::demo::COUNTY_POPULATION_2020
                    .iter()
                    .filter(|(c, _)| {
                        !users.iter().any(|u| {
                            u.division.starts_with(c) && u.role == yingji::auth::Role::Operator
                        })
                    })
                    .map(|(c, _)| c.to_string())
                    .collect();
                if !users
                    .iter()
                    .any(|u| u.division == "140200000000" && u.role == yingji::auth::Role::Operator)
                {
                    bad.push("no city 值班员".into());
                }
                bad
            },
        ),
    ];
    let failed: Vec<String> = checks
        .into_iter()
        .filter(|(_, bad)| !bad.is_empty())
        .map(|(name, bad)| format!("{name}: {bad:?}"))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
}

/// The demo's warning subscribers: one per 100 residents of every
/// settlement, at its place, every one marked as demo data.
#[tokio::test]
async fn demo_subscribers_follow_the_population_and_say_they_are_demo_data() {
    let (s, _d) = demo_app(None).await;
    let settlements = items(&s, "settlement").await;
    let subs = items(&s, "subscriber").await;
    let mut want: HashMap<String, usize> = HashMap::new();
    for v in &settlements {
        let pop = v
            .attrs
            .0
            .get("population")
            .and_then(|p| p.as_i64())
            .unwrap();
        *want.entry(v.division.clone()).or_default() +=
            (pop / yingji::demo::RESIDENTS_PER_SUBSCRIBER) as usize;
    }
    want.retain(|_, n| *n > 0);
    assert_eq!(count_by(&subs, |x| x.division.clone()), want);
    assert!(
        (25_000..40_000).contains(&subs.len()),
        "tens of thousands: {}",
        subs.len()
    );
    let at: HashMap<&str, (f64, f64)> = settlements
        .iter()
        .map(|v| (v.division.as_str(), (v.lon, v.lat)))
        .collect();
    let odd: Vec<&str> = subs
        .iter()
        .filter(|x| {
            !(x.name.starts_with("演示订阅者")
                && x.phone.starts_with("1990")
                && x.phone.len() == 11
                && x.address.ends_with("（演示数据）")
                && at[x.division.as_str()] == (x.lon, x.lat))
        })
        .map(|x| x.name.as_str())
        .collect();
    assert!(odd.is_empty(), "{odd:?}");
}

/// `yingji demo` run as a process on a free port of a fresh data dir,
/// killed when dropped.
struct DemoProcess {
    child: std::process::Child,
    base: String,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl DemoProcess {
    async fn start(extra: &[&str]) -> DemoProcess {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = dir.path().join("demo.log");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_yingji"))
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let p = DemoProcess {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        };
        let started = std::time::Instant::now();
        while !reqwest::get(format!("{}/healthz", p.base))
            .await
            .is_ok_and(|r| r.status() == reqwest::StatusCode::OK)
        {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(180),
                "yingji demo did not come up:\n{}",
                p.printed()
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        p
    }

    /// What the demo printed so far.
    fn printed(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A client logged in as the demo user `name`.
    async fn login(&self, name: &str) -> reqwest::Client {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = c
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&serde_json::json!({ "username": name, "password": yingji::demo::DEMO_PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login {name}");
        c
    }

    /// The demo's sensors, as the commander sees them.
    async fn sensors(&self, cmd: &reqwest::Client) -> Vec<serde_json::Value> {
        cmd.get(format!("{}/api/v1/monitoring/sensors", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

impl Drop for DemoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `yingji demo` as a bureau first starts it: a warning published there is
/// delivered through the demo's own gateway (SMS, cell broadcast) and its
/// own MQTT broker (the loudspeakers of every township), and its coverage
/// is met; a sensor reading published to its broker reaches its sensor.
#[tokio::test]
async fn the_demo_delivers_a_warning_through_its_own_gateway() {
    use serde_json::{json, Value};
    let demo = DemoProcess::start(&[]).await;
    let base = demo.base.clone();
    let (op, cmd) = (demo.login("xinrongqu").await, demo.login("commander").await);
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::hours(6))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let w: Value = op
        .post(format!("{base}/api/v1/warnings"))
        .header("x-requested-with", "test")
        .json(&json!({ "hazard": "rainstorm", "level": "yellow", "description": "预计6小时内降雨量将达50毫米以上。",
                       "area": { "divisions": ["140212"] }, "area_desc": "新荣区", "expires_at": expires }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = w["id"].as_i64().expect("a draft");
    for (c, v, k) in [
        (&op, 1, "submit"),
        (&cmd, 2, "approve"),
        (&cmd, 3, "publish"),
    ] {
        let r = c
            .post(format!("{base}/api/v1/warnings/{id}/events"))
            .header("x-requested-with", "test")
            .json(&json!({ "version": v, "kind": k }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{k}: {}", r.text().await.unwrap());
    }
    let started = std::time::Instant::now();
    loop {
        let c: Value = op
            .get(format!("{base}/api/v1/warnings/{id}/coverage"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let sms = &c["channels"]["sms"];
        // One loudspeaker message per township of the district, through
        // the demo's own MQTT broker.
        let townships = c["by_division"].as_array().map_or(0, |r| {
            r.iter()
                .filter(|r| r["targeted_population"].as_i64() > Some(0))
                .count()
        });
        if c["met"] == true
            && sms["targeted"].as_i64() > Some(0)
            && sms["delivered"] == sms["targeted"]
            && c["channels"]["broadcast"]["delivered"].as_u64() == Some(townships as u64)
        {
            assert!(townships >= 5, "新荣区 has several townships: {c}");
            assert_eq!(c["channels"]["cell_broadcast"]["delivered"], 1, "{c}");
            assert!(c["targeted_population"].as_i64() > Some(80_000), "{c}");
            assert_eq!(c["reached_population"], c["targeted_population"], "{c}");
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "not delivered: {c}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }

    // A sensor reading published to the demo's broker (the address it
    // printed) reaches the demo's sensor.
    let printed = demo.printed();
    let broker: std::net::SocketAddr = printed
        .split("demo MQTT broker on ")
        .nth(1)
        .and_then(|r| {
            r.split(':')
                .take(2)
                .collect::<Vec<_>>()
                .join(":")
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no broker address printed:\n{printed}"));
    let sensors = demo.sensors(&cmd).await;
    let s = &sensors[0];
    let topic = format!(
        "yingji/{}/{}/{}",
        s["division"].as_str().unwrap(),
        s["point_id"],
        s["code"].as_str().unwrap()
    );
    let mut o = rumqttc::MqttOptions::new("demo-test", broker.ip().to_string(), broker.port());
    o.set_keep_alive(std::time::Duration::from_secs(5));
    let (client, mut events) = rumqttc::AsyncClient::new(o, 8);
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    client
        .publish(
            topic,
            rumqttc::QoS::AtLeastOnce,
            false,
            json!({ "at": now, "value": 0.123 }).to_string(),
        )
        .await
        .unwrap();
    tokio::spawn(async move { while events.poll().await.is_ok() {} });
    let started = std::time::Instant::now();
    loop {
        let one: Value = cmd
            .get(format!("{base}/api/v1/monitoring/sensors/{}", s["id"]))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if one["last_value"] == json!(0.123) {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the reading did not arrive: {one}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
}

/// `yingji demo --sim-sensors` (what `make demo` runs) plays live readings
/// for every demo sensor through its own broker.
#[tokio::test]
async fn the_demo_plays_live_sensor_readings_when_asked() {
    let demo = DemoProcess::start(&["--sim-sensors"]).await;
    let cmd = demo.login("commander").await;
    let started = std::time::Instant::now();
    loop {
        let sensors = demo.sensors(&cmd).await;
        let live = sensors
            .iter()
            .filter(|s| !s["last_value"].is_null())
            .count();
        if !sensors.is_empty() && live == sensors.len() {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "{live} of {} sensors have readings:\n{}",
            sensors.len(),
            demo.printed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// The demo's supervision pages are not empty: every enterprise has risk
/// points and so a colour, hazards are in every state of the loop, some are
/// overdue, some 重大 ones are listed (by the county or the city), and the
/// demo enterprise user has hazards of their own.
#[tokio::test]
async fn demo_supervision_data_covers_the_loop() {
    use yingji::supervision::store::{self, HazardFilter, RiskFilter, Scoped};
    use yingji::supervision::{enterprise_level, HazardState};
    let (s, _d) = demo_app(None).await;
    let all = Scoped {
        prefix: "",
        org: None,
    };
    let points = store::risk_points(&s.db, &all, &RiskFilter::default())
        .await
        .unwrap();
    let enterprises = items(&s, "enterprise").await;
    for e in &enterprises {
        let mine = points
            .iter()
            .filter(|r| r.enterprise_id == e.id)
            .map(|r| r.level);
        assert!(enterprise_level(mine).is_some(), "{} has no colour", e.name);
    }
    let colours: std::collections::BTreeSet<&str> =
        points.iter().map(|r| r.level.colour()).collect();
    assert!(colours.len() >= 3, "{colours:?}");
    let page = |f: HazardFilter| {
        let s = s.clone();
        async move {
            store::hazards(
                &s.db,
                &Scoped {
                    prefix: "",
                    org: None,
                },
                &HazardFilter { limit: 500, ..f },
            )
            .await
            .unwrap()
        }
    };
    let (hazards, total) = page(HazardFilter::default()).await;
    assert!(total >= 40, "{total}");
    for st in HazardState::ALL {
        assert!(hazards.iter().any(|h| h.state == st), "no hazard {st:?}");
    }
    let now = time::OffsetDateTime::now_utc();
    let (_, overdue) = page(HazardFilter {
        overdue_at: Some(now.into()),
        ..Default::default()
    })
    .await;
    assert!(overdue > 0);
    let (listed, n) = page(HazardFilter {
        listed: Some(true),
        ..Default::default()
    })
    .await;
    assert!(n > 0);
    assert!(listed
        .iter()
        .all(|h| h.grade == Some(yingji::supervision::HazardGrade::Major)));
    // The steps are journaled: every hazard has its report entry.
    let entries = yingji::journal::list(
        &s.db,
        &yingji::journal::ListFilter {
            module: Some("supervision".into()),
            entity: Some("hazard".into()),
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let reported = entries.iter().filter(|e| e.kind == "reported").count() as i64;
    assert_eq!(reported, total);
    // 企业安全管理员 (qiye) sees hazards of their enterprise.
    let org: String = sqlx::query_scalar("SELECT org FROM users WHERE username = 'qiye'")
        .fetch_one(s.db.pool())
        .await
        .unwrap();
    let (_, mine) = store::hazards(
        &s.db,
        &Scoped {
            prefix: "",
            org: Some(&org),
        },
        &HazardFilter {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(mine > 0, "{org}");
}

/// `yingji demo` routes on the embedded Datong main roads from the first
/// start: a dispatch is answered by road, with the off-road legs of a
/// village far from a main road, and the map config says "main roads only"
/// with the ODbL attribution.
#[tokio::test]
async fn demo_dispatches_by_road() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let file = yingji::demo::roads::configure(&mut config).unwrap();
    assert_eq!(file, Some(dir.path().join(yingji::demo::roads::FILE)));
    assert_eq!(config.snapping.max_snap_m, yingji::demo::roads::MAX_SNAP_M);
    let s = yingji::open(config).await.unwrap();
    assert!(s.routing.is_some(), "the demo loads its road graph");
    yingji::demo::create(&s).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(yingji::server::serve(s.clone(), listener));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": "commander", "password": yingji::demo::DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let get = |path: String| {
        let (c, b) = (client.clone(), base.clone());
        async move {
            c.get(format!("{b}{path}"))
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let m = get("/api/v1/map/config".into()).await;
    assert_eq!(m["roads_main_only"], true, "{m}");
    assert!(m["roads_attribution"]
        .as_str()
        .unwrap()
        .contains("OpenStreetMap"));
    // a village of 浑源 (mountains, far from the main roads)
    let villages = items(&s, "settlement").await;
    let v = villages
        .iter()
        .find(|v| v.division.starts_with("140225"))
        .unwrap();
    let r = get(format!(
        "/api/v1/dispatch/nearest?at={},{}&kind=team&limit=5",
        v.lat, v.lon
    ))
    .await;
    assert_eq!(r["method"], "road", "{r}");
    let items = r["items"].as_array().unwrap();
    assert_eq!(items.len(), 5, "{r}");
    for it in items {
        assert_eq!(it["method"], "road", "{it}");
        let road = it["road_time_s"].as_f64().unwrap();
        let off = it["off_road"]["time_s"].as_f64().unwrap();
        assert!(road > 0.0, "{it}");
        assert!(
            (it["time_s"].as_f64().unwrap() - (road + off)).abs() < 0.2,
            "{it}"
        );
        assert!(it["route"].as_array().unwrap().len() >= 2, "{it}");
    }
    let iso = get(format!(
        "/api/v1/routing/isochrone?from={},{}&minutes=30",
        v.lat, v.lon
    ))
    .await;
    assert_eq!(iso["geometry"]["type"], "MultiPolygon", "{iso}");
}
