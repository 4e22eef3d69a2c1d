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
    let iso: Value = u
        .get("/api/v1/routing/isochrone?from=47.14,9.52;47.05,9.50&minutes=5")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(iso["geometry"]["type"], "MultiPolygon");
    assert!(iso["properties"]["nodes_reached"].as_u64().unwrap() > 100);
    // Bad input names the field.
    let p: Value = u
        .get("/api/v1/routing/route?from=40,113&to=47.05,9.50")
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
