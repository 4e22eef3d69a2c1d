//! Webhooks: a signed HTTP POST of the CAP XML or the JSON form.
//!
//! Each request carries
//! - `Content-Type: application/cap+xml` or `application/json`;
//! - `X-Yingji-Signature: sha256=<hex>`, the lower-case hex HMAC-SHA256 of
//!   the exact body bytes keyed with the recipient's secret (check it with
//!   [`verify_signature`]);
//! - `X-Yingji-Timestamp`: Unix seconds when the attempt was made (not
//!   signed; informational);
//! - `Idempotency-Key`: [`crate::idempotency_key`] — the same on every retry,
//!   so receivers can drop duplicates;
//! - `X-Yingji-Alert`: the CAP identifier.
//!
//! 2xx is delivered; 408, 429, 5xx, timeouts and connection errors are
//! retried (honouring `Retry-After`); any other status, redirects included,
//! is a permanent failure.
//!
//! Only public addresses are reached, unless allow-listed
//! ([`WebhookConfig::allow`]): the URL's host is checked after DNS
//! resolution and the connection goes to the checked address (see
//! [`crate::GuardedResolver`]); a refused destination is a permanent
//! failure ([`crate::Reason::RefusedPrivateAddress`]) and no connection is
//! made. Redirects are not followed and system proxy settings are ignored.
//! The receiver's answer body is never read into the outcome: only its
//! status counts.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::address::{check_literal_host, system_lookup, AllowList, GuardedResolver, Lookup};
use crate::error::ConfigError;
use crate::http;
use crate::message::{idempotency_key, Message, Recipient, WebhookFormat};
use crate::outcome::{Outcome, Reason};

/// Signature header name.
pub const SIGNATURE_HEADER: &str = "X-Yingji-Signature";
/// Timestamp header name.
pub const TIMESTAMP_HEADER: &str = "X-Yingji-Timestamp";
/// Idempotency header name.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// Alert identifier header name.
pub const ALERT_HEADER: &str = "X-Yingji-Alert";

/// Webhook adapter settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// Whole-request timeout in milliseconds (connect, send, response).
    /// Default 10 000.
    pub timeout_ms: u64,
    /// Connection timeout in milliseconds. Default 5 000.
    pub connect_timeout_ms: u64,
    /// `User-Agent` header. Default `yingji-channels/<version>`.
    pub user_agent: String,
    /// Destinations that are not public but may be reached all the same
    /// (the bureau's own systems): CIDR blocks, addresses, host names —
    /// `["10.1.2.0/24", "hooks.bureau.local"]`. Default none: loopback,
    /// private (RFC 1918), link-local, CGNAT, unique-local … are refused.
    pub allow: AllowList,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            timeout_ms: 10_000,
            connect_timeout_ms: 5_000,
            user_agent: http::USER_AGENT.to_string(),
            allow: AllowList::default(),
        }
    }
}

/// The webhook adapter (one pooled HTTP client).
#[derive(Debug, Clone)]
pub struct WebhookChannel {
    client: reqwest::Client,
    allow: Arc<AllowList>,
}

impl WebhookChannel {
    /// Builds the HTTP client (host names looked up by the system resolver).
    pub fn new(config: &WebhookConfig) -> Result<Self, ConfigError> {
        Self::with_lookup(config, system_lookup())
    }

    /// Builds the HTTP client with host names looked up by `lookup` (for
    /// tests); the addresses found go through the same guard.
    pub fn with_lookup(config: &WebhookConfig, lookup: Lookup) -> Result<Self, ConfigError> {
        let allow = Arc::new(config.allow.clone());
        let client = http::builder(
            Duration::from_millis(config.timeout_ms),
            Duration::from_millis(config.connect_timeout_ms),
            &config.user_agent,
        )
        // A proxy would resolve and reach the host itself, past the guard.
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver::new(allow.clone(), lookup)))
        .build()
        .map_err(|e| ConfigError::Http(e.to_string()))?;
        Ok(WebhookChannel { client, allow })
    }

    /// POSTs `msg` to a [`Recipient::Webhook`]; any other recipient fails.
    pub async fn deliver(&self, msg: &Message, recipient: &Recipient) -> Outcome {
        let Recipient::Webhook {
            url,
            secret,
            format,
        } = recipient
        else {
            return Outcome::failed(
                Reason::InvalidRecipient,
                format!(
                    "the webhook channel cannot deliver to a {} recipient",
                    recipient.kind()
                ),
            );
        };
        if let Err(e) = recipient.validate() {
            return Outcome::failed(Reason::InvalidRecipient, e.to_string());
        }
        let parsed = match reqwest::Url::parse(url.trim()) {
            Ok(u) => u,
            Err(e) => return Outcome::failed(Reason::InvalidRecipient, e.to_string()),
        };
        // IP-literal hosts are not looked up, so the resolver never sees them.
        if let Err(e) = check_literal_host(&parsed, &self.allow) {
            return Outcome::failed(Reason::RefusedPrivateAddress, e.to_string());
        }
        let body: Vec<u8> = match format {
            WebhookFormat::Cap => msg.cap_xml.clone().into_bytes(),
            WebhookFormat::Json => match serde_json::to_vec(&msg.json) {
                Ok(b) => b,
                Err(e) => {
                    return Outcome::failed(
                        Reason::MessageError,
                        format!("cannot serialise JSON: {e}"),
                    )
                }
            },
        };
        let signature = sign(secret.as_bytes(), &body);
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let request = self
            .client
            .post(parsed)
            .header(reqwest::header::CONTENT_TYPE, format.content_type())
            .header(SIGNATURE_HEADER, signature)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(
                IDEMPOTENCY_HEADER,
                idempotency_key(&msg.identifier, recipient),
            )
            .header(ALERT_HEADER, header_safe(&msg.identifier))
            .body(body);
        let resp = match request.send().await {
            Ok(r) => r,
            Err(e) => return http::transport_error(&e),
        };
        let status = resp.status().as_u16();
        let retry_after = http::retry_after(resp.headers());
        // The body is the receiver's to say: it is neither kept nor shown.
        drop(resp);
        http::classify_status(status, retry_after.as_deref(), SystemTime::now(), "")
    }
}

/// The identifier as a header value: CAP identifiers are visible ASCII
/// without spaces; any other character is replaced by `_`.
fn header_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .collect()
}

type HmacSha256 = Hmac<Sha256>;

/// A HMAC-SHA256 keyed with `key`.
fn keyed(key: &[u8]) -> HmacSha256 {
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC takes a key of any length (RFC 2104 §2: a longer one is
        // hashed first, a shorter one padded); `Hmac` never refuses one.
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    }
}

/// HMAC-SHA256 (RFC 2104) of `body` keyed with `key`.
pub fn hmac_sha256(key: &[u8], body: &[u8]) -> [u8; 32] {
    keyed(key).chain_update(body).finalize().into_bytes().into()
}

/// The `X-Yingji-Signature` value for `body`: `sha256=` and the lower-case
/// hex HMAC-SHA256 of the body keyed with `secret`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    format!("sha256={}", hex::encode(hmac_sha256(secret, body)))
}

/// For receivers: whether `header` (the `X-Yingji-Signature` value) is the
/// signature of `body` under `secret`. The hex may be upper or lower case;
/// the comparison takes constant time for a given length.
///
/// ```
/// use yingji_channels::{sign, verify_signature};
/// let header = sign(b"s3cret", b"<alert/>");
/// assert!(verify_signature(b"s3cret", b"<alert/>", &header));
/// assert!(!verify_signature(b"other", b"<alert/>", &header));
/// ```
pub fn verify_signature(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(hex_part) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(given) = hex::decode(hex_part) else {
        return false;
    };
    keyed(secret)
        .chain_update(body)
        .verify_slice(&given)
        .is_ok()
}
