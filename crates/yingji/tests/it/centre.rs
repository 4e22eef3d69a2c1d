//! The command centre: the UI's assets served precompressed.

use std::io::Read;

use crate::common::*;

async fn raw(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url(path))
        .header("accept-encoding", accept)
        .send()
        .await
        .unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The app shell and its scripts go out brotli- or gzip-compressed to a
/// browser that accepts it, identical once decoded, and plain otherwise.
#[tokio::test]
async fn web_assets_are_served_compressed_when_accepted() {
    let app = TestApp::start(None).await;
    let plain = raw(&app, "/login", "identity").await;
    if !yingji::server::web::has_ui() {
        // Built without web/dist: the shell says how to build it.
        assert_eq!(plain.status(), 404);
        return;
    }
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.headers()["vary"], "Accept-Encoding");
    let html = plain.bytes().await.unwrap().to_vec();

    let br = raw(&app, "/login", "gzip, deflate, br").await;
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert!(br.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(br.bytes().await.unwrap().len() < html.len());

    let gz = raw(&app, "/login", "gzip").await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gunzip(&gz.bytes().await.unwrap()), html);

    // The entry script named in the shell, likewise.
    let text = String::from_utf8(html).unwrap();
    let script = text
        .split("src=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .find(|s| s.starts_with("/assets/") && s.ends_with(".js"))
        .expect("entry script");
    let js_plain = raw(&app, script, "").await;
    assert!(js_plain.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert_eq!(
        js_plain.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let js = js_plain.bytes().await.unwrap();
    let js_gz = raw(&app, script, "gzip;q=1, br;q=0").await;
    assert_eq!(js_gz.headers()["content-encoding"], "gzip");
    let js_gz = js_gz.bytes().await.unwrap();
    assert!(js_gz.len() * 2 < js.len(), "{} vs {}", js_gz.len(), js.len());
    assert_eq!(gunzip(&js_gz), js);
}
