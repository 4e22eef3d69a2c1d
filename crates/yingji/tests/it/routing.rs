//! Routing over HTTP on a graph built from the real Liechtenstein extract.
use crate::common::*;
use serde_json::Value;

#[tokio::test]
async fn route_and_isochrone_on_the_configured_graph() {
    let osm = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/osm/liechtenstein-2024-03-04.osm.pbf");
    assert!(
        osm.exists(),
        "the OSM extract is missing: {}",
        osm.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("li.graph");
    let g = yingji_routing::Graph::from_osm_pbf(&osm, &yingji_routing::Profile::driving(), |_| {})
        .unwrap();
    yingji_routing::Ch::build(&g, |_| {}).save(&path).unwrap();

    let app = TestApp::start_with(None, |c| c.routing_graph = Some(path.clone())).await;
    let u = app.login("observer").await;
    let r: Value = u
        .get("/api/v1/routing/route?from=47.14,9.52&to=47.05,9.50")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["geometry"]["type"], "LineString");
    assert!(
        r["properties"]["distance_m"].as_f64().unwrap() > 9_000.0,
        "{r}"
    );
    assert!(r["geometry"]["coordinates"].as_array().unwrap().len() > 10);
    // the answer says how far each end is from its road and what the
    // off-road leg costs, apart from the road part and in the total
    let ch = yingji_routing::Ch::load(&path).unwrap();
    let router = ch.router();
    let (a, b) = (
        router.snap(9.52, 47.14).unwrap(),
        router.snap(9.50, 47.05).unwrap(),
    );
    let want = router.route(&a, &b).unwrap();
    let pr = &r["properties"];
    // (JSON numbers read back within 1e-9)
    let close = |v: &Value, want: f64| (v.as_f64().unwrap() - want).abs() < 1e-9;
    assert!(close(&pr["off_road"]["from_m"], a.distance_m), "{pr}");
    assert!(close(&pr["off_road"]["to_m"], b.distance_m), "{pr}");
    assert!(
        close(&pr["off_road"]["time_s"], want.off_road.time_s),
        "{pr}"
    );
    assert!(close(&pr["road_time_s"], want.time_s), "{pr}");
    assert!(close(&pr["time_s"], want.total_time_s), "{pr}");
    assert!(close(&pr["distance_m"], want.total_distance_m), "{pr}");
    assert!(close(&pr["off_road_kmh"], 15.0));
    assert!(close(&pr["max_snap_m"], 1000.0));
    let lines = pr["off_road_lines"].as_array().unwrap();
    assert_eq!(
        lines.len(),
        [a.distance_m, b.distance_m]
            .iter()
            .filter(|d| **d > 0.0)
            .count()
    );
    assert_eq!(lines[0][0], serde_json::json!([9.52, 47.14]), "{pr}");
    let iso: Value = u
        .get("/api/v1/routing/isochrone?from=47.14,9.52;47.05,9.50&minutes=5")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(iso["geometry"]["type"], "MultiPolygon");
    assert!(iso["properties"]["nodes_reached"].as_u64().unwrap() > 100);
    let snaps = iso["properties"]["source_snap_m"].as_array().unwrap();
    assert_eq!(snaps.len(), 2);
    assert!((snaps[0].as_f64().unwrap() - a.distance_m).abs() < 1e-9);
    assert_eq!(
        iso["properties"]["source_off_road_s"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Coordinates carry six decimals at most, and the geometry can be left out.
    for c in r["geometry"]["coordinates"].as_array().unwrap() {
        for x in c.as_array().unwrap() {
            let text = x.to_string();
            let decimals = text.split('.').nth(1).map_or(0, str::len);
            assert!(decimals <= 6, "{text}");
        }
    }
    let bare: Value = u
        .get("/api/v1/routing/route?from=47.14,9.52&to=47.05,9.50&geometry=false")
        .await
        .json()
        .await
        .unwrap();
    assert!(bare["geometry"].is_null(), "{bare}");
    assert_eq!(bare["properties"], r["properties"]);

    // The matrix: every cell the engine's own matrix, off-road legs included.
    let pts = [[47.14, 9.52], [47.05, 9.50], [47.10, 9.53]];
    let m = u
        .post(
            "/api/v1/routing/matrix",
            &serde_json::json!({ "sources": pts[..2], "destinations": pts }),
        )
        .await;
    assert_eq!(m.status(), 200);
    let m: Value = m.json().await.unwrap();
    let snapped: Vec<_> = pts
        .iter()
        .map(|[lat, lon]| router.snap(*lon, *lat).unwrap())
        .collect();
    let want = router.matrix(&snapped[..2], &snapped);
    for i in 0..2 {
        for j in 0..3 {
            let leg = want.get(i, j).unwrap();
            assert!(
                close(&m["durations"][i][j], leg.total_time_s),
                "{i},{j}: {m}"
            );
            assert!(
                close(
                    &m["distances"][i][j],
                    leg.distance_m + leg.off_road.distance_m
                ),
                "{i},{j}: {m}"
            );
        }
    }
    assert!(close(&m["sources"][1]["snap_m"], b.distance_m), "{m}");
    assert_eq!(m["destinations"].as_array().unwrap().len(), 3);
    // a point given as [lon, lat] is named by its index; empty lists and
    // oversized matrices are refused before any routing
    for (body, field, code) in [
        (
            serde_json::json!({ "sources": [[47.14, 9.52], [9.50, 147.05]], "destinations": [[47.14, 9.52]] }),
            "sources[1]",
            "no_road_near",
        ),
        (
            serde_json::json!({ "sources": [[47.14, 9.52]], "destinations": [[47.14, 9.52], [95.0, 9.50]] }),
            "destinations[1]",
            "not_lat_lon",
        ),
        (
            serde_json::json!({ "sources": [[47.14, 9.52]], "destinations": [] }),
            "destinations",
            "points_required",
        ),
        (
            serde_json::json!({ "sources": vec![[47.14, 9.52]; 1001], "destinations": vec![[47.14, 9.52]; 1000] }),
            "destinations",
            "too_many_cells",
        ),
    ] {
        let p: Value = u
            .post("/api/v1/routing/matrix", &body)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["errors"][0]["field"], field, "{p}");
        assert_eq!(p["errors"][0]["code"], code, "{p}");
    }

    // Bad input names the field, with its code for the UI.
    for (query, field, code) in [
        ("from=40,113&to=47.05,9.50", "from", "no_road_near"),
        ("from=47.14&to=47.05,9.50", "from", "not_lat_lon"),
        (
            "from=47.14,9.52;47.05,9.50&to=47.05,9.50",
            "from",
            "one_point",
        ),
    ] {
        let p: Value = u
            .get(&format!("/api/v1/routing/route?{query}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["errors"][0]["field"], field, "{query}: {p}");
        assert_eq!(p["errors"][0]["code"], code, "{query}: {p}");
    }
    let p: Value = u
        .get("/api/v1/routing/route?from=40,113&to=47.05,9.50")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["errors"][0]["params"]["max_m"], 1000.0, "{p}");
    // the search radius is the configured one: 1 m refuses a point 1 m+ off
    let tight = TestApp::start_with(None, |c| {
        c.routing_graph = Some(path.clone());
        c.snapping.max_snap_m = 1.0;
    })
    .await;
    let far = if a.distance_m > 1.0 {
        "47.14,9.52"
    } else {
        "47.05,9.50"
    };
    assert!(a.distance_m > 1.0 || b.distance_m > 1.0);
    let p: Value = tight
        .login("observer")
        .await
        .get(&format!("/api/v1/routing/route?from={far}&to={far}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["errors"][0]["field"], "from", "{p}");
    let p: Value = u
        .get("/api/v1/routing/isochrone?from=47.14,9.52&minutes=0")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["errors"][0]["field"], "minutes", "{p}");
    assert_eq!(p["errors"][0]["code"], "time_limit_out_of_range", "{p}");
    let p: Value = u
        .get("/api/v1/routing/isochrone?from=&minutes=5")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&p["errors"][0]["field"], &p["errors"][0]["code"]),
        (&Value::from("from"), &Value::from("station_count")),
        "{p}"
    );
    assert_eq!(
        reqwest::get(app.url("/api/v1/routing/route?from=47.14,9.52&to=47.05,9.50"))
            .await
            .unwrap()
            .status(),
        401
    );

    // Without a graph: a clear 503, not a crash.
    let bare = TestApp::start(None).await;
    let r = bare
        .login("observer")
        .await
        .get("/api/v1/routing/route?from=47.14,9.52&to=47.05,9.50")
        .await;
    assert_eq!(r.status(), 503);
    assert_eq!(r.json::<Value>().await.unwrap()["key"], "unavailable");

    // A corrupt graph file stops the server from starting, with the reason.
    let bad = dir.path().join("bad.graph");
    std::fs::write(&bad, b"garbage").unwrap();
    let config = yingji::Config {
        data_dir: dir.path().join("d"),
        routing_graph: Some(bad),
        ..yingji::Config::default()
    };
    let e = yingji::open(config).await.err().expect("refused");
    assert!(e.to_string().contains("bad.graph"), "{e}");
}
