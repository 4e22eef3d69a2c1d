//! The built web UI (web/dist), embedded in the binary.

use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "../../web/dist/"]
#[allow_missing = true]
struct Assets;

pub async fn static_handler(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") {
        return crate::http::ApiError::NotFound.into_response();
    }
    let (file, cache) = match Assets::get(path) {
        Some(f) if !path.is_empty() => (f, path.starts_with("assets/")),
        // Client-side routes fall back to the app shell.
        _ => match Assets::get("index.html") {
            Some(f) => (f, false),
            None => {
                return (
                    StatusCode::NOT_FOUND,
                    "web UI not built: run `make web` (or `npm --prefix web ci && npm --prefix web run build`) and rebuild",
                )
                    .into_response()
            }
        },
    };
    let mime = file.metadata.mimetype().to_string();
    let cache_control = if cache {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, cache_control.to_string()),
        ],
        file.data,
    )
        .into_response()
}
