//! The built web UI (web/dist), embedded in the binary.
//!
//! `npm run build` precompresses every text file (web/scripts/compress.mjs:
//! `<file>.br`, `<file>.gz`); a browser that accepts brotli or gzip is sent
//! that copy with `Content-Encoding`, so the UI's bytes on the wire are a
//! quarter of its size and nothing is compressed per request (RFC 9110
//! §8.4 Content-Encoding, §12.5.3 Accept-Encoding; brotli RFC 7932).

use std::borrow::Cow;

use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "../../web/dist/"]
#[allow_missing = true]
struct Assets;

/// A content coding of a precompressed copy, in the server's order of
/// preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    pub fn token(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }
    fn suffix(self) -> &'static str {
        match self {
            Coding::Brotli => ".br",
            Coding::Gzip => ".gz",
        }
    }
}

/// The codings an `Accept-Encoding` value accepts, best first (brotli before
/// gzip; a coding with `q=0` is refused, `*` accepts both; RFC 9110
/// §12.5.3). Identity is always possible and not listed.
pub fn accepted_codings(accept_encoding: &str) -> Vec<Coding> {
    let mut br = None;
    let mut gz = None;
    let mut star = None;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            .filter_map(|v| v.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        match name.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gz = Some(q),
            "*" => star = Some(q),
            _ => {}
        }
    }
    let ok = |q: Option<f32>| q.or(star).is_some_and(|q| q > 0.0);
    let mut out = Vec::new();
    if ok(br) {
        out.push(Coding::Brotli);
    }
    if ok(gz) {
        out.push(Coding::Gzip);
    }
    out
}

/// One file of the UI as sent: its bytes, and the coding they are in.
pub struct Served {
    pub path: String,
    pub data: Cow<'static, [u8]>,
    pub coding: Option<Coding>,
}

/// Pick the file for a request path (client routes fall back to the app
/// shell, `index.html`) and its best accepted precompressed copy; `get`
/// reads the asset set (the embedded one, or a test's).
pub fn pick(
    path: &str,
    accept_encoding: &str,
    get: impl Fn(&str) -> Option<Cow<'static, [u8]>>,
) -> Option<Served> {
    let path = if !path.is_empty() && get(path).is_some() {
        path
    } else {
        "index.html"
    };
    for c in accepted_codings(accept_encoding) {
        if let Some(data) = get(&format!("{path}{}", c.suffix())) {
            return Some(Served {
                path: path.to_string(),
                data,
                coding: Some(c),
            });
        }
    }
    let data = get(path)?;
    Some(Served {
        path: path.to_string(),
        data,
        coding: None,
    })
}

/// Whether this binary embeds a built UI (web/dist was built before it).
pub fn has_ui() -> bool {
    Assets::get("index.html").is_some()
}

pub async fn static_handler(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") {
        return crate::http::ApiError::NotFound.into_response();
    }
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(served) = pick(path, accept, |p| Assets::get(p).map(|f| f.data)) else {
        return (
            StatusCode::NOT_FOUND,
            "web UI not built: run `make web` (or `npm --prefix web ci && npm --prefix web run build`) and rebuild",
        )
            .into_response();
    };
    let mime = Assets::get(&served.path)
        .map(|f| f.metadata.mimetype().to_string())
        .unwrap_or_else(|| "application/octet-stream".into());
    let cache_control = if served.path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut res = (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, cache_control.to_string()),
            (header::VARY, "Accept-Encoding".to_string()),
        ],
        served.data,
    )
        .into_response();
    if let Some(c) = served.coding {
        res.headers_mut().insert(
            header::CONTENT_ENCODING,
            header::HeaderValue::from_static(c.token()),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_table() {
        use Coding::*;
        let table: [(&str, &[Coding]); 9] = [
            ("", &[]),
            ("gzip, deflate, br, zstd", &[Brotli, Gzip]),
            ("gzip", &[Gzip]),
            ("br", &[Brotli]),
            ("br;q=0, gzip", &[Gzip]),
            ("BR; q=0.5, GZIP;q=0", &[Brotli]),
            ("*", &[Brotli, Gzip]),
            ("*;q=0", &[]),
            ("identity", &[]),
        ];
        for (accept, want) in table {
            assert_eq!(accepted_codings(accept), want, "{accept:?}");
        }
    }

    #[test]
    fn picks_the_best_precompressed_copy_and_falls_back_to_the_shell() {
        let files = [
            ("index.html", &b"<html>"[..]),
            ("index.html.gz", b"GZ"),
            ("assets/a.js", b"js"),
            ("assets/a.js.br", b"BR"),
            ("assets/a.js.gz", b"GZa"),
            ("favicon.svg", b"<svg>"),
        ];
        let get = |p: &str| {
            files
                .iter()
                .find(|(n, _)| *n == p)
                .map(|(_, d)| Cow::Borrowed(*d))
        };
        // (path, accept, served path, coding, bytes)
        let table = [
            (
                "assets/a.js",
                "gzip, br",
                "assets/a.js",
                Some(Coding::Brotli),
                &b"BR"[..],
            ),
            (
                "assets/a.js",
                "gzip",
                "assets/a.js",
                Some(Coding::Gzip),
                b"GZa",
            ),
            ("assets/a.js", "", "assets/a.js", None, b"js"),
            ("login", "br, gzip", "index.html", Some(Coding::Gzip), b"GZ"),
            ("", "identity", "index.html", None, b"<html>"),
            ("favicon.svg", "br", "favicon.svg", None, b"<svg>"),
        ];
        for (path, accept, want_path, coding, bytes) in table {
            let s = pick(path, accept, get).unwrap();
            assert_eq!(
                (s.path.as_str(), s.coding, &*s.data),
                (want_path, coding, bytes),
                "{path} {accept}"
            );
        }
    }
}
