//! Dispatch: nearest resources and coverage, by the straight-line estimate
//! (no graph, both databases) and by road (the real Liechtenstein extract).
use crate::common::*;
use serde_json::{json, Value};
use yingji::dispatch::Estimate;

/// A point `dx`, `dy` degrees from a division's interior point.
fn near(app: &TestApp, division: &str, dx: f64, dy: f64) -> (f64, f64) {
    let (lon, lat) = app.point_in(division);
    (lon + dx, lat + dy)
}

async fn team(u: &User, app: &TestApp, name: &str, div: &str, d: (f64, f64), kind: &str) -> i64 {
    let (lon, lat) = near(app, div, d.0, d.1);
    let r = u
        .post(
            "/api/v1/registries/team",
            &json!({ "name": name, "division": div, "lon": lon, "lat": lat,
                     "attrs": { "team_kind": kind, "headcount": 20 } }),
        )
        .await;
    assert_eq!(r.status(), 201, "{name}");
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn settlement(u: &User, app: &TestApp, name: &str, div: &str, d: (f64, f64), pop: i64) {
    let (lon, lat) = near(app, div, d.0, d.1);
    let r = u
        .post(
            "/api/v1/registries/settlement",
            &json!({ "name": name, "division": div, "lon": lon, "lat": lat,
                     "attrs": { "settlement_type": "village", "population": pop } }),
        )
        .await;
    assert_eq!(r.status(), 201, "{name}: {}", r.text().await.unwrap());
}

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn nearest_by_estimate_ranks_filters_and_stays_in_jurisdiction() {
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let near_id = team(&pc, &app, "近队", "140213", (0.0, 0.0), "forest_fire").await;
        team(&pc, &app, "中队", "140213", (0.02, 0.0), "forest_fire").await;
        team(&pc, &app, "远队", "140213", (0.04, 0.01), "forest_fire").await;
        team(&pc, &app, "矿山队", "140213", (0.005, 0.0), "mine").await;
        team(&yz, &app, "云州队", "140215", (0.0, 0.0), "forest_fire").await;
        let (lon, lat) = app.point_in("140213");
        let q = format!("/api/v1/dispatch/nearest?at={lat},{lon}&kind=team&category=forest_fire");
        let r: Value = pc.get(&q).await.json().await.unwrap();
        assert_eq!(r["method"], "estimate", "{r}");
        assert!(r["note"].as_str().unwrap().contains("绕行系数"), "{r}");
        assert_eq!(names(&r), ["近队", "中队", "远队"], "{r}");
        // The time is the stated estimate.
        let e = Estimate::default();
        let it = &r["items"][1];
        let (t, d) = e.leg(
            [it["lon"].as_f64().unwrap(), it["lat"].as_f64().unwrap()],
            [lon, lat],
        );
        assert!((it["time_s"].as_f64().unwrap() - t).abs() < 0.1);
        assert!((it["distance_m"].as_f64().unwrap() - d).abs() < 1.0);
        assert_eq!(it["route"].as_array().unwrap().len(), 2);
        // Another county's team is not offered to a Pingcheng operator …
        assert!(!names(&r).contains(&"云州队".to_string()));
        // … but the city commander sees both counties.
        let cmd = app.login("commander").await;
        let all: Value = cmd.get(&q).await.json().await.unwrap();
        assert!(names(&all).contains(&"云州队".to_string()), "{all}");
        // And Yunzhou sees only its own.
        let y: Value = yz.get(&q).await.json().await.unwrap();
        assert_eq!(names(&y), ["云州队"]);
        // Without a category every kind of team; limit respected.
        let r: Value = pc
            .get(&format!(
                "/api/v1/dispatch/nearest?at={lat},{lon}&kind=team&limit=2"
            ))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(names(&r), ["近队", "矿山队"]);

        // A dispatched team is not offered again unless asked.
        let item: Value = pc
            .get(&format!("/api/v1/registries/team/{near_id}"))
            .await
            .json()
            .await
            .unwrap();
        let mut upd = item.clone();
        for k in ["category", "kind", "updated_at", "division_name", "id"] {
            upd.as_object_mut().unwrap().remove(k);
        }
        upd["status"] = json!("dispatched");
        let put = pc
            .put(&format!("/api/v1/registries/team/{near_id}"), &upd)
            .await;
        assert_eq!(put.status(), 200, "{}", put.text().await.unwrap());
        let r: Value = pc.get(&q).await.json().await.unwrap();
        assert_eq!(names(&r), ["中队", "远队"]);
        let r: Value = pc
            .get(&format!("{q}&include_unavailable=true"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(names(&r)[0], "近队");

        // Bad input names the field, with its code for the UI.
        for (query, field, code) in [
            (
                format!("at={lat},{lon}&kind=enterprise"),
                "kind",
                "not_an_option",
            ),
            (
                format!("at={lat},{lon}&kind=team&limit=0"),
                "limit",
                "out_of_range",
            ),
            ("at=91,113&kind=team".to_string(), "at", "not_lat_lon"),
            ("at=north&kind=team".to_string(), "at", "not_lat_lon"),
            (
                "at=40.1,113.3;40.2,113.3&kind=team".to_string(),
                "at",
                "one_point",
            ),
            (
                format!("at={lat},{lon}&kind=shelter&min_capacity=-1"),
                "min_capacity",
                "negative",
            ),
        ] {
            let r = pc.get(&format!("/api/v1/dispatch/nearest?{query}")).await;
            assert_eq!(r.status(), 422, "{query}");
            let p: Value = r.json().await.unwrap();
            assert_eq!(p["errors"][0]["field"], field, "{query}: {p}");
            assert_eq!(p["errors"][0]["code"], code, "{query}: {p}");
        }
        // Not logged in: 401.
        assert_eq!(reqwest::get(app.url(&q)).await.unwrap().status(), 401);
    }
}

#[tokio::test]
async fn coverage_by_estimate_matches_brute_force_and_suggests_sites() {
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        team(&pc, &app, "站A", "140213", (0.0, 0.0), "fire").await;
        let pops = [
            ((0.005, 0.0), 1000),
            ((0.0, 0.005), 2000),
            ((0.025, 0.0), 3000),
            ((0.027, 0.002), 500),
        ];
        for (i, (d, p)) in pops.iter().enumerate() {
            settlement(&pc, &app, &format!("村{i}"), "140213", *d, *p).await;
        }
        settlement(&yz, &app, "云州村", "140215", (0.0, 0.0), 9999).await;
        let r: Value = pc
            .get("/api/v1/dispatch/coverage?kind=team&category=fire&minutes=3&sites=1")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(r["method"], "estimate", "{r}");
        // Brute force with the stated estimate.
        let e = Estimate::default();
        let st = &r["stations"][0];
        let s = [st["lon"].as_f64().unwrap(), st["lat"].as_f64().unwrap()];
        let mut covered = 0.0;
        let mut total = 0.0;
        for v in r["settlements"].as_array().unwrap() {
            let p = v["population"].as_f64().unwrap();
            total += p;
            let t = e
                .leg(s, [v["lon"].as_f64().unwrap(), v["lat"].as_f64().unwrap()])
                .0;
            if t <= 180.0 {
                covered += p;
                assert!(v["time_s"].is_number(), "{v}");
            } else {
                assert!(v["time_s"].is_null(), "{v}");
            }
        }
        assert_eq!(total, 6500.0, "another county's settlement is not counted");
        assert_eq!(r["total_population"].as_f64().unwrap(), total);
        assert_eq!(r["covered_population"].as_f64().unwrap(), covered);
        assert_eq!(covered, 3000.0);
        assert_eq!(r["uncovered_count"], 2);
        // The best new site covers the far pair.
        let sug = &r["suggested"][0];
        assert_eq!(sug["added_population"].as_f64().unwrap(), 3500.0, "{r}");
        assert_eq!(sug["covered_population"].as_f64().unwrap(), 6500.0);
        assert_eq!(r["by_county"][0]["code"], "140213");

        // The city sees both counties; Yunzhou has no fire station.
        let cmd = app.login("commander").await;
        let c: Value = cmd
            .get("/api/v1/dispatch/coverage?kind=team&category=fire&minutes=3")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(c["total_population"].as_f64().unwrap(), 6500.0 + 9999.0);
        let y: Value = yz
            .get("/api/v1/dispatch/coverage?kind=team&category=fire&minutes=3")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(y["covered_population"].as_f64().unwrap(), 0.0);
        assert_eq!(y["stations"].as_array().unwrap().len(), 0);
        // Yunzhou cannot analyse Pingcheng.
        let p: Value = yz
            .get("/api/v1/dispatch/coverage?division=140213")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["errors"][0]["field"], "division", "{p}");

        for (query, field) in [
            ("minutes=0", "minutes"),
            ("minutes=601", "minutes"),
            ("sites=21", "sites"),
            ("kind=expert", "kind"),
            ("division=140215", "division"),
        ] {
            let p: Value = pc
                .get(&format!("/api/v1/dispatch/coverage?{query}"))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(p["errors"][0]["field"], field, "{query}: {p}");
        }
    }
}

/// Records placed straight through the store on the Liechtenstein graph
/// (the registry's own validation would refuse points outside Datong).
async fn place(app: &TestApp, kind: &str, name: &str, lon: f64, lat: f64, attrs: Value) -> i64 {
    let mut tx = app.state.db.begin().await.unwrap();
    let v = yingji::registry::Valid {
        name: name.into(),
        division: yingji::divisions::Code::parse("140213").unwrap(),
        lon,
        lat,
        address: String::new(),
        responsible: String::new(),
        phone: String::new(),
        duty_phone: String::new(),
        status: "available".into(),
        category: attrs
            .get("team_kind")
            .and_then(Value::as_str)
            .unwrap_or("village")
            .into(),
        attrs: attrs.as_object().cloned().unwrap(),
    };
    let id =
        yingji::registry::store::insert(&mut tx, kind, &v, "", time::OffsetDateTime::now_utc())
            .await
            .unwrap();
    tx.commit_unjournaled().await.unwrap();
    id
}

#[tokio::test]
async fn nearest_and_coverage_by_road_equal_the_engine() {
    let osm = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/osm/liechtenstein-2024-03-04.osm.pbf");
    assert!(osm.exists(), "the OSM extract is missing (data/osm)");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("li.graph");
    let g = yingji_routing::Graph::from_osm_pbf(&osm, &yingji_routing::Profile::driving(), |_| {})
        .unwrap();
    let ch = yingji_routing::Ch::build(&g, |_| {});
    ch.save(&path).unwrap();
    let app = TestApp::start_with(None, |c| c.routing_graph = Some(path.clone())).await;

    // Vaduz, Schaan, Balzers, Triesenberg, Malbun (far up the valley).
    let pts = [
        ("Vaduz", 9.5209, 47.1410),
        ("Schaan", 9.5095, 47.1650),
        ("Balzers", 9.5020, 47.0660),
        ("Triesenberg", 9.5430, 47.1180),
        ("Malbun", 9.6090, 47.1020),
    ];
    for (n, lon, lat) in &pts[..3] {
        place(
            &app,
            "team",
            n,
            *lon,
            *lat,
            json!({ "team_kind": "fire", "headcount": 10 }),
        )
        .await;
    }
    for (n, lon, lat) in &pts {
        place(
            &app,
            "settlement",
            n,
            *lon,
            *lat,
            json!({ "settlement_type": "village", "population": 1000 }),
        )
        .await;
    }
    let u = app.login("pingcheng").await;
    let (at_lon, at_lat) = (9.5300, 47.1300);
    let r: Value = u
        .get(&format!(
            "/api/v1/dispatch/nearest?at={at_lat},{at_lon}&kind=team"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["method"], "road", "{r}");
    let router = ch.router();
    let target = router.snap(at_lon, at_lat).unwrap();
    let mut want: Vec<(String, f64)> = pts[..3]
        .iter()
        .map(|(n, lon, lat)| {
            let from = router.snap(*lon, *lat).unwrap();
            (
                n.to_string(),
                router.route(&from, &target).unwrap().total_time_s,
            )
        })
        .collect();
    want.sort_by(|a, b| a.1.total_cmp(&b.1));
    let items = r["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for (it, (n, t)) in items.iter().zip(&want) {
        assert_eq!(it["name"], n.as_str());
        assert_eq!(it["method"], "road");
        assert!(
            (it["time_s"].as_f64().unwrap() - t).abs() < 0.2,
            "{it} vs {t}"
        );
        assert!(it["route"].as_array().unwrap().len() > 2);
    }

    // Coverage by road equals the engine's own figure.
    let r: Value = u
        .get("/api/v1/dispatch/coverage?kind=team&minutes=5&sites=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["method"], "road", "{r}");
    let stations: Vec<[f64; 2]> = pts[..3].iter().map(|p| [p.1, p.2]).collect();
    let demand: Vec<yingji_routing::DemandPoint> = pts
        .iter()
        .map(|p| yingji_routing::DemandPoint {
            lon: p.1,
            lat: p.2,
            population: 1000.0,
        })
        .collect();
    let params = yingji_routing::CoverageParams {
        limit_s: 300.0,
        ..Default::default()
    };
    let want = router.coverage(&stations, &demand, &params).unwrap();
    assert_eq!(
        r["covered_population"].as_f64().unwrap(),
        want.covered_population
    );
    assert!(
        want.covered_population < 5000.0,
        "Malbun is beyond 5 minutes"
    );
    assert_eq!(r["uncovered_count"], want.uncovered.len());
    let sel = router
        .greedy_sites(&stations, &stations_of(&demand), &demand, 1, &params)
        .unwrap();
    assert_eq!(
        r["suggested"][0]["added_population"].as_f64().unwrap(),
        sel.choices[0].added_population
    );
}

fn stations_of(d: &[yingji_routing::DemandPoint]) -> Vec<[f64; 2]> {
    d.iter().map(|p| [p.lon, p.lat]).collect()
}

/// The coarse Datong road network committed in the repository (main roads,
/// © OpenStreetMap contributors, ODbL), built into a graph file in `dir`.
fn datong_graph(dir: &std::path::Path) -> (std::path::PathBuf, yingji_routing::Ch) {
    let osm = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/datong/roads/datong-highways-coarse.osm.pbf");
    assert!(
        osm.exists(),
        "the Datong road network is missing (data/datong/roads)"
    );
    let g = yingji_routing::Graph::from_osm_pbf(&osm, &yingji_routing::Profile::driving(), |_| {})
        .unwrap();
    let ch = yingji_routing::Ch::build(&g, |_| {});
    let path = dir.join("datong.graph");
    ch.save(&path).unwrap();
    (path, ch)
}

#[tokio::test]
async fn nearest_by_road_carries_snap_distances_and_off_road_legs() {
    let dir = tempfile::tempdir().unwrap();
    let (path, ch) = datong_graph(dir.path());
    let wide = ch.router().with_snap(yingji_routing::SnapConfig {
        max_snap_m: 50_000.0,
        ..Default::default()
    });
    let offsets = [
        ("甲队", (0.01, 0.0)),
        ("乙队", (-0.02, 0.01)),
        ("丙队", (0.03, -0.01)),
    ];
    // where the teams and the incident are (the same for every database)
    let (lon0, lat0) = TestApp::start(None).await.point_in("140213");
    let at = (lon0 + 0.005, lat0 + 0.005);
    let target = wide.snap(at.0, at.1).unwrap();
    let team_snaps: Vec<_> = offsets
        .iter()
        .map(|(_, d)| wide.snap(lon0 + d.0, lat0 + d.1).unwrap())
        .collect();
    // a radius between the farthest team's snap distance and the others':
    // that team is estimated, the others go by road with their off-road legs
    let mut ds: Vec<f64> = team_snaps.iter().map(|s| s.distance_m).collect();
    ds.sort_by(f64::total_cmp);
    assert!(ds[2] - ds[1] > 20.0, "distinct snap distances {ds:?}");
    let radius = (ds[1] + ds[2]) / 2.0;
    assert!(
        target.distance_m < radius,
        "incident {} m off",
        target.distance_m
    );
    let cfg = yingji_routing::SnapConfig {
        max_snap_m: radius,
        off_road_kmh: 12.0,
    };
    let router = ch.router().with_snap(cfg);
    for b in backends().await {
        let app = TestApp::start_with(b, |c| {
            c.routing_graph = Some(path.clone());
            c.snapping = cfg;
        })
        .await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        for (n, d) in offsets {
            team(&pc, &app, n, "140213", d, "forest_fire").await;
        }
        // another jurisdiction's team is never offered to 平城区
        team(&yz, &app, "云州队", "140215", (0.0, 0.0), "forest_fire").await;
        let r: Value = pc
            .get(&format!(
                "/api/v1/dispatch/nearest?at={},{}&kind=team",
                at.1, at.0
            ))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(r["method"], "road", "{r}");
        assert_eq!(r["snapping"]["max_snap_m"], radius);
        assert_eq!(r["snapping"]["off_road_kmh"], 12.0);
        let sa = &r["snapped_at"];
        assert!(
            (sa["distance_m"].as_f64().unwrap() - target.distance_m).abs() < 0.1,
            "{r}"
        );
        let items = r["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "{r}");
        for it in items {
            let i = offsets.iter().position(|o| it["name"] == o.0).unwrap();
            let s = &team_snaps[i];
            if s.distance_m > radius {
                // no road within the radius of this team: estimated, said so
                assert_eq!(it["method"], "estimate", "{it}");
                assert!(
                    it["off_road"].is_null() && it["road_time_s"].is_null(),
                    "{it}"
                );
                assert_eq!(it["off_road_lines"].as_array().unwrap().len(), 0);
                continue;
            }
            assert_eq!(it["method"], "road", "{it}");
            let from = router.snap(s.input[0], s.input[1]).unwrap();
            let to = router.snap(at.0, at.1).unwrap();
            let want = router.route(&from, &to).unwrap();
            let o = &it["off_road"];
            assert!(
                (o["from_m"].as_f64().unwrap() - s.distance_m).abs() < 0.1,
                "{it}"
            );
            assert!(
                (o["to_m"].as_f64().unwrap() - target.distance_m).abs() < 0.1,
                "{it}"
            );
            assert!(
                (o["time_s"].as_f64().unwrap() - want.off_road.time_s).abs() < 0.1,
                "{it}"
            );
            let off_s = (s.distance_m + target.distance_m) / (12.0 / 3.6);
            assert!((want.off_road.time_s - off_s).abs() < 0.01, "12 km/h");
            assert!((it["road_time_s"].as_f64().unwrap() - want.time_s).abs() < 0.1);
            assert!((it["time_s"].as_f64().unwrap() - want.total_time_s).abs() < 0.1);
            let lines = it["off_road_lines"].as_array().unwrap();
            assert_eq!(lines.len(), 2, "{it}");
            // [off the road, on it]: the team's base, then the incident
            // (the registry keeps 7 decimals)
            let x = |v: &Value, want: f64| (v.as_f64().unwrap() - want).abs() < 1e-6;
            assert!(x(&lines[0][0][0], s.input[0]), "{it}");
            assert!(x(&lines[0][1][0], s.lon), "{it}");
            assert!(x(&lines[1][0][0], at.0), "{it}");
        }
        // ranked by the total (road + off-road, or the estimate)
        let t: Vec<f64> = items
            .iter()
            .map(|i| i["time_s"].as_f64().unwrap())
            .collect();
        assert!(t.windows(2).all(|w| w[0] <= w[1]), "{t:?}");
        assert!(!names(&r).contains(&"云州队".to_string()));

        // coverage by road says each station's snap distance
        settlement(&pc, &app, "某村", "140213", (0.012, 0.0), 500).await;
        let c: Value = pc
            .get("/api/v1/dispatch/coverage?kind=team&minutes=30")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(c["method"], "road", "{c}");
        assert_eq!(c["snapping"]["max_snap_m"], radius);
        for st in c["stations"].as_array().unwrap() {
            let i = offsets.iter().position(|o| st["name"] == o.0).unwrap();
            let d = team_snaps[i].distance_m;
            if d > radius {
                assert!(st["snap_m"].is_null(), "{st}");
                assert!(c["off_road_stations"].to_string().contains(offsets[i].0));
            } else {
                assert_eq!(st["snap_m"].as_f64().unwrap(), d.round(), "{st}");
            }
        }
    }
}
