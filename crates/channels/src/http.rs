//! HTTP helpers shared by the webhook and SMS adapters.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::address::RefusedAddress;
use crate::error::ConfigError;
use crate::outcome::{ErrorClass, Outcome, Reason};
use crate::retry::parse_retry_after;

/// Most response-body bytes read (for delivery details and SMS success checks).
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// The `User-Agent` sent by default.
pub const USER_AGENT: &str = concat!("yingji-channels/", env!("CARGO_PKG_VERSION"));

/// A reqwest client: rustls, no redirects (a POST must not silently become
/// another request), the given timeouts.
pub(crate) fn client(
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: &str,
) -> Result<reqwest::Client, ConfigError> {
    builder(timeout, connect_timeout, user_agent)
        .build()
        .map_err(|e| ConfigError::Http(e.to_string()))
}

/// A configured endpoint: an `http(s)://` URL, or the error `err` makes of
/// what is wrong with it.
pub(crate) fn endpoint(
    url: &str,
    err: impl Fn(String) -> ConfigError,
) -> Result<reqwest::Url, ConfigError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| err(format!("url {url:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(err(format!("url {url:?} is not http(s)")));
    }
    Ok(parsed)
}

/// The builder behind [`client`].
pub(crate) fn builder(
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: &str,
) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
}

/// The outcome of a transport-level error (no HTTP status received): a
/// destination the address guard refused is a permanent failure; timeouts,
/// connection and TLS errors are retried.
pub(crate) fn transport_error(e: &reqwest::Error) -> Outcome {
    if let Some(r) = find_in_chain::<RefusedAddress>(e) {
        return Outcome::failed(Reason::RefusedPrivateAddress, r.to_string());
    }
    if e.is_builder() {
        return Outcome::failed(
            Reason::InvalidRecipient,
            format!("invalid request: {}", error_chain(e)),
        );
    }
    if e.is_timeout() {
        return Outcome::retry(Reason::Timeout, format!("timed out: {}", error_chain(e)));
    }
    if find_in_chain::<rustls::Error>(e).is_some() {
        return Outcome::retry(Reason::TlsError, format!("TLS: {}", error_chain(e)));
    }
    if e.is_connect() {
        return Outcome::retry(
            Reason::ConnectError,
            format!("connection failed: {}", error_chain(e)),
        );
    }
    Outcome::retry(
        Reason::RequestError,
        format!("request failed: {}", error_chain(e)),
    )
}

/// The first error of type `T` in `e`'s source chain (looking inside
/// `std::io::Error`s, whose `source` skips the error they wrap).
pub(crate) fn find_in_chain<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<T>() {
            return Some(t);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(found) = find_in_chain::<T>(inner) {
                    return Some(found);
                }
            }
        }
        cur = err.source();
    }
    None
}

/// `e` and its sources, joined by `: `.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    s
}

/// Classifies an HTTP status (pure; the outcome's [`Reason`] is
/// [`Reason::Http`]); `body_excerpt` (may be empty) only goes into the text:
/// - 408, 5xx → retry ([`ErrorClass::Transient`]), honouring `Retry-After`;
/// - 429 → retry ([`ErrorClass::RateLimited`]), honouring `Retry-After`;
/// - anything else (other 4xx, 1xx, 3xx — redirects are not followed) →
///   failed.
///
/// 2xx is also accepted here and gives `Delivered`.
pub fn classify_status(
    status: u16,
    retry_after: Option<&str>,
    now: SystemTime,
    body_excerpt: &str,
) -> Outcome {
    let excerpt = if body_excerpt.is_empty() {
        String::new()
    } else {
        format!(": {body_excerpt}")
    };
    let code = Reason::Http(status);
    match status {
        200..=299 => Outcome::delivered(code, format!("HTTP {status}{excerpt}")),
        408 | 429 | 500..=599 => Outcome::Retry {
            after: retry_after.and_then(|v| parse_retry_after(v, now)),
            reason: format!("HTTP {status}{excerpt}"),
            class: if status == 429 {
                ErrorClass::RateLimited
            } else {
                ErrorClass::Transient
            },
            code,
        },
        _ => Outcome::failed(code, format!("HTTP {status}{excerpt}")),
    }
}

/// The `Retry-After` header value, if any and readable.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<String> {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Reads at most [`MAX_BODY`] bytes of the body (lossily as UTF-8). A body
/// that fails mid-way gives what was read.
pub(crate) async fn read_body(mut resp: reqwest::Response) -> String {
    let mut buf: Vec<u8> = Vec::new();
    while buf.len() < MAX_BODY {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_BODY - buf.len();
                buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// The first 200 characters of a body, on one line.
pub(crate) fn excerpt(body: &str) -> String {
    crate::message::truncate_chars(&crate::message::one_line(body), 200)
}
