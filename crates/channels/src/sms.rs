//! SMS through a configurable HTTP SMS-gateway API.
//!
//! Gateways differ (a JSON or form body, a token header, a `code` field that
//! says whether the message was accepted), so the request is a template:
//!
//! ```toml
//! url = "https://sms.example.cn/api/send"
//! auth_header = "Authorization"
//! auth_token = "Bearer …"
//! sign = "北京应急"
//! body = { format = "json", template = { mobile = "{phone}", content = "{text}", outId = "{key}" } }
//! success = { pointer = "/code", equals = "0", retry_values = ["500"], rate_limited_values = ["isv.BUSINESS_LIMIT_CONTROL"], message_pointer = "/msg" }
//! ```
//!
//! Placeholders in every string of the template: `{phone}` (normalised
//! number), `{text}` (the message text, prefixed with the signature
//! `【sign】` unless `sign_in_text = false`), `{sign}` (the bare signature),
//! `{key}` (the idempotency key) and `{identifier}` (the CAP identifier).
//! Substitution is one pass over the template's strings after it is parsed,
//! so a text containing `"` or `{phone}` cannot change the request's shape.
//!
//! Classification of the gateway's answer:
//! - transport errors and timeouts → retry;
//! - HTTP 408, 5xx → retry, 429 → retry (rate-limited), with `Retry-After`;
//!   other non-2xx → failed;
//! - 2xx without a `success.pointer` → delivered;
//! - 2xx with a pointer: the value there equal to `success.equals` →
//!   delivered; in `retry_values` → retry; in `rate_limited_values` → retry
//!   (rate-limited); any other value, or no such field → failed; a body that
//!   is not JSON → retry (a proxy's error page answered, not the gateway).
//!
//! Values compare as JSON, except that a string and a number or boolean
//! compare by text: `"0"` matches both `"0"` and `0`.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ConfigError, RecipientError};
use crate::http;
use crate::message::{idempotency_key, truncate_chars, Message, Recipient};
use crate::outcome::{ErrorClass, Outcome, Reason};

/// HTTP method for the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum SmsMethod {
    /// `POST` (the default).
    #[default]
    Post,
    /// `PUT`.
    Put,
}

/// The request body template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "format", content = "template", rename_all = "lowercase")]
pub enum SmsBody {
    /// A JSON document (`application/json`), any shape; placeholders are
    /// replaced in its string values.
    Json(Value),
    /// Form fields (`application/x-www-form-urlencoded`).
    Form(BTreeMap<String, String>),
}

/// When a 2xx answer means the gateway accepted the message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsSuccess {
    /// A JSON pointer (RFC 6901) into the response, e.g. `/code`. Unset: any
    /// 2xx is success.
    pub pointer: Option<String>,
    /// The value at `pointer` that means success, e.g. `"0"`. Required with
    /// `pointer`.
    pub equals: Option<Value>,
    /// Values at `pointer` that mean "try again later" (retry, transient).
    pub retry_values: Vec<Value>,
    /// Values at `pointer` that mean "throttled" (retry, rate-limited).
    pub rate_limited_values: Vec<Value>,
    /// A JSON pointer to the gateway's human-readable message (e.g. `/msg`),
    /// quoted in failure reasons.
    pub message_pointer: Option<String>,
}

fn default_max_chars() -> usize {
    500
}

fn default_timeout_ms() -> u64 {
    10_000
}

fn default_auth_header() -> String {
    "Authorization".to_string()
}

fn default_true() -> bool {
    true
}

/// SMS gateway settings.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    /// The gateway endpoint (`http://` or `https://`).
    pub url: String,
    /// `POST` (default) or `PUT`.
    #[serde(default)]
    pub method: SmsMethod,
    /// The header carrying `auth_token`. Default `Authorization`.
    #[serde(default = "default_auth_header")]
    pub auth_header: String,
    /// The credential sent in `auth_header`, verbatim (`Bearer …`, an API
    /// key …). Unset: no auth header.
    #[serde(default)]
    pub auth_token: Option<String>,
    /// Further headers to send.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body template.
    pub body: SmsBody,
    /// The SMS signature (短信签名) registered with the carrier, without the
    /// brackets (`北京应急`; `【北京应急】` is accepted too).
    pub sign: String,
    /// Whether `{text}` starts with `【sign】` (default true). Set false when
    /// the gateway adds the signature itself from a `{sign}` field.
    #[serde(default = "default_true")]
    pub sign_in_text: bool,
    /// Longest `{text}` in characters, signature included; longer texts are
    /// cut with `…`. Default 500 (a long SMS of about 7 parts).
    #[serde(default = "default_max_chars")]
    pub max_chars: usize,
    /// When a 2xx answer is a success.
    #[serde(default)]
    pub success: SmsSuccess,
    /// Whole-request timeout in milliseconds. Default 10 000.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

impl std::fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsConfig")
            .field("url", &self.url)
            .field("method", &self.method)
            .field("auth_header", &self.auth_header)
            .field(
                "auth_token",
                &self.auth_token.as_ref().map(|_| "<redacted>"),
            )
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body", &self.body)
            .field("sign", &self.sign)
            .field("sign_in_text", &self.sign_in_text)
            .field("max_chars", &self.max_chars)
            .field("success", &self.success)
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

/// The SMS adapter.
#[derive(Debug, Clone)]
pub struct SmsChannel {
    client: reqwest::Client,
    config: SmsConfig,
    url: reqwest::Url,
    headers: reqwest::header::HeaderMap,
}

impl SmsChannel {
    /// Checks the configuration and builds the HTTP client.
    pub fn new(config: &SmsConfig) -> Result<Self, ConfigError> {
        let url = http::endpoint(&config.url, ConfigError::Sms)?;
        if config.success.pointer.is_some() != config.success.equals.is_some() {
            return Err(ConfigError::Sms(
                "success.pointer and success.equals go together".to_string(),
            ));
        }
        for p in [&config.success.pointer, &config.success.message_pointer]
            .into_iter()
            .flatten()
        {
            if !(p.is_empty() || p.starts_with('/')) {
                return Err(ConfigError::Sms(format!(
                    "{p:?} is not a JSON pointer (it must start with '/')"
                )));
            }
        }
        if sign_text(&config.sign).is_empty() && config.sign_in_text {
            return Err(ConfigError::Sms(
                "sign is empty (carriers reject unsigned messages)".to_string(),
            ));
        }
        let mut headers = reqwest::header::HeaderMap::new();
        let mut add = |name: &str, value: &str| -> Result<(), ConfigError> {
            let n = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| ConfigError::Sms(format!("header name {name:?}: {e}")))?;
            let mut v = reqwest::header::HeaderValue::from_str(value)
                .map_err(|e| ConfigError::Sms(format!("header {name:?} value: {e}")))?;
            v.set_sensitive(true);
            headers.insert(n, v);
            Ok(())
        };
        for (k, v) in &config.headers {
            add(k, v)?;
        }
        if let Some(token) = &config.auth_token {
            add(&config.auth_header, token)?;
        }
        Ok(SmsChannel {
            client: http::client(
                Duration::from_millis(config.timeout_ms),
                Duration::from_millis(config.timeout_ms.min(5_000)),
                http::USER_AGENT,
            )?,
            config: config.clone(),
            url,
            headers,
        })
    }

    /// The `{text}` value for `msg`: `【sign】` and the text, cut to
    /// `max_chars`.
    pub fn text_for(&self, msg: &Message) -> String {
        signed_text(
            &self.config.sign,
            &msg.text,
            self.config.sign_in_text,
            self.config.max_chars,
        )
    }

    /// Sends `msg` to a [`Recipient::Sms`]; any other recipient fails.
    pub async fn deliver(&self, msg: &Message, recipient: &Recipient) -> Outcome {
        let Recipient::Sms { phone } = recipient else {
            return Outcome::failed(
                Reason::InvalidRecipient,
                format!(
                    "the sms channel cannot deliver to a {} recipient",
                    recipient.kind()
                ),
            );
        };
        let phone = match normalize_phone(phone) {
            Ok(p) => p,
            Err(e) => return Outcome::failed(Reason::InvalidRecipient, e.to_string()),
        };
        let key = idempotency_key(&msg.identifier, recipient);
        let text = self.text_for(msg);
        let sign = sign_text(&self.config.sign);
        let vars = Vars {
            phone: &phone,
            text: &text,
            sign,
            key: &key,
            identifier: &msg.identifier,
        };
        let method = match self.config.method {
            SmsMethod::Post => reqwest::Method::POST,
            SmsMethod::Put => reqwest::Method::PUT,
        };
        let mut request = self
            .client
            .request(method, self.url.clone())
            .headers(self.headers.clone());
        request = match &self.config.body {
            SmsBody::Json(t) => match serde_json::to_vec(&render_json(t, &vars)) {
                Ok(b) => request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(b),
                Err(e) => {
                    return Outcome::failed(
                        Reason::MessageError,
                        format!("cannot serialise body: {e}"),
                    )
                }
            },
            SmsBody::Form(fields) => {
                let rendered: BTreeMap<&str, String> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), render(v, &vars)))
                    .collect();
                request.form(&rendered)
            }
        };
        let resp = match request.send().await {
            Ok(r) => r,
            Err(e) => return http::transport_error(&e),
        };
        let status = resp.status().as_u16();
        let retry_after = http::retry_after(resp.headers());
        let body = http::read_body(resp).await;
        classify_response(
            &self.config.success,
            status,
            retry_after.as_deref(),
            &body,
            SystemTime::now(),
        )
    }
}

/// Classifies a gateway answer (pure; see the module documentation).
pub fn classify_response(
    success: &SmsSuccess,
    status: u16,
    retry_after: Option<&str>,
    body: &str,
    now: SystemTime,
) -> Outcome {
    let excerpt = http::excerpt(body);
    if !(200..=299).contains(&status) {
        return http::classify_status(status, retry_after, now, &excerpt);
    }
    let (Some(pointer), Some(expected)) = (&success.pointer, &success.equals) else {
        return Outcome::delivered(Reason::Http(status), format!("HTTP {status}: {excerpt}"));
    };
    let doc: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(_) => {
            return Outcome::retry(
                Reason::GatewayUnreadable,
                format!("HTTP {status} with a body that is not JSON: {excerpt}"),
            )
        }
    };
    let message = success
        .message_pointer
        .as_deref()
        .and_then(|p| doc.pointer(p))
        .map(value_text)
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    let Some(actual) = doc.pointer(pointer) else {
        return Outcome::failed(
            Reason::GatewayUnreadable,
            format!("gateway answer has no {pointer}{message}: {excerpt}"),
        );
    };
    let shown = value_text(actual);
    if values_match(actual, expected) {
        Outcome::delivered(
            Reason::Http(status),
            format!("HTTP {status}, {pointer} = {shown}: {excerpt}"),
        )
    } else if success
        .rate_limited_values
        .iter()
        .any(|v| values_match(actual, v))
    {
        Outcome::Retry {
            after: retry_after.and_then(|v| crate::retry::parse_retry_after(v, now)),
            reason: format!("gateway throttled: {pointer} = {shown}{message}"),
            class: ErrorClass::RateLimited,
            code: Reason::GatewayBusy,
        }
    } else if success.retry_values.iter().any(|v| values_match(actual, v)) {
        Outcome::Retry {
            after: retry_after.and_then(|v| crate::retry::parse_retry_after(v, now)),
            reason: format!("gateway asked to retry: {pointer} = {shown}{message}"),
            class: ErrorClass::Transient,
            code: Reason::GatewayBusy,
        }
    } else {
        Outcome::failed(
            Reason::GatewayRefused,
            format!("gateway refused: {pointer} = {shown}{message}"),
        )
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// JSON equality, except that a string matches a number or boolean with the
/// same text.
fn values_match(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::String(a), Value::Number(_) | Value::Bool(_)) => {
            a.as_str() == expected.to_string().as_str()
        }
        (Value::Number(_) | Value::Bool(_), Value::String(e)) => {
            actual.to_string().as_str() == e.as_str()
        }
        _ => actual == expected,
    }
}

/// The signature without surrounding `【】` and whitespace.
fn sign_text(sign: &str) -> &str {
    let s = sign.trim();
    let s = s.strip_prefix('【').unwrap_or(s);
    let s = s.strip_suffix('】').unwrap_or(s);
    s.trim()
}

/// `【sign】text` (or the bare text), at most `max_chars` characters; only
/// the text part is cut.
pub fn signed_text(sign: &str, text: &str, sign_in_text: bool, max_chars: usize) -> String {
    let sign = sign_text(sign);
    if !sign_in_text || sign.is_empty() {
        return truncate_chars(text, max_chars);
    }
    let prefix = format!("【{sign}】");
    let room = max_chars.saturating_sub(prefix.chars().count());
    format!("{prefix}{}", truncate_chars(text, room))
}

struct Vars<'a> {
    phone: &'a str,
    text: &'a str,
    sign: &'a str,
    key: &'a str,
    identifier: &'a str,
}

/// Replaces the placeholders in one pass (replacements are not rescanned).
fn render(template: &str, vars: &Vars<'_>) -> String {
    let mut out = String::with_capacity(template.len() + vars.text.len());
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let found = [
            ("{phone}", vars.phone),
            ("{text}", vars.text),
            ("{sign}", vars.sign),
            ("{key}", vars.key),
            ("{identifier}", vars.identifier),
        ]
        .into_iter()
        .find(|(p, _)| tail.starts_with(p));
        match found {
            Some((p, v)) => {
                out.push_str(v);
                rest = &tail[p.len()..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn render_json(template: &Value, vars: &Vars<'_>) -> Value {
    match template {
        Value::String(s) => Value::String(render(s, vars)),
        Value::Array(items) => Value::Array(items.iter().map(|v| render_json(v, vars)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), render_json(v, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Validates and normalises a phone number for SMS.
///
/// Spaces and `-` are ignored. Accepted:
/// - a mainland mobile number: 11 digits `1[3-9]xxxxxxxxx`, returned as is;
/// - the same with `+86` or `0086` in front, returned as the 11 digits;
/// - any other E.164 number: `+`, a non-zero digit, 7–15 digits in all,
///   returned as `+digits`.
///
/// ```
/// use yingji_channels::normalize_phone;
/// assert_eq!(normalize_phone("+86 138-0013-8000").unwrap(), "13800138000");
/// assert!(normalize_phone("12800138000").is_err());
/// ```
pub fn normalize_phone(phone: &str) -> Result<String, RecipientError> {
    let bad = || RecipientError::Phone(phone.to_string());
    let compact: String = phone
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let is_mainland_mobile = |s: &str| {
        let b = s.as_bytes();
        b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
    };
    if let Some(rest) = compact
        .strip_prefix("+86")
        .or_else(|| compact.strip_prefix("0086"))
    {
        return if is_mainland_mobile(rest) {
            Ok(rest.to_string())
        } else {
            Err(bad())
        };
    }
    if is_mainland_mobile(&compact) {
        return Ok(compact);
    }
    if let Some(digits) = compact.strip_prefix('+') {
        let b = digits.as_bytes();
        if (7..=15).contains(&b.len())
            && b.iter().all(u8::is_ascii_digit)
            && b.first() != Some(&b'0')
        {
            return Ok(compact);
        }
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars<'static> {
        Vars {
            phone: "13800138000",
            text: "【北京应急】暴雨{phone}\"",
            sign: "北京应急",
            key: "k",
            identifier: "id1",
        }
    }

    #[test]
    fn render_is_one_pass() {
        assert_eq!(
            render("to={phone}&t={text}&s={sign}&{unknown}&{", &vars()),
            "to=13800138000&t=【北京应急】暴雨{phone}\"&s=北京应急&{unknown}&{"
        );
    }

    #[test]
    fn render_json_keeps_shape() {
        let t = serde_json::json!({"to": ["{phone}"], "msg": "{text}", "n": 1, "id": "{identifier}-{key}"});
        let v = render_json(&t, &vars());
        assert_eq!(
            v,
            serde_json::json!({"to": ["13800138000"], "msg": "【北京应急】暴雨{phone}\"", "n": 1, "id": "id1-k"})
        );
    }

    #[test]
    fn values_match_text_and_numbers() {
        use serde_json::json;
        assert!(values_match(&json!(0), &json!("0")));
        assert!(values_match(&json!("0"), &json!(0)));
        assert!(values_match(&json!("OK"), &json!("OK")));
        assert!(!values_match(&json!("ok"), &json!("OK")));
        assert!(values_match(&json!(true), &json!("true")));
        assert!(!values_match(&json!(null), &json!("null")));
    }

    #[test]
    fn signed_text_counts_the_signature() {
        assert_eq!(
            signed_text("【北京应急】", "暴雨", true, 100),
            "【北京应急】暴雨"
        );
        assert_eq!(
            signed_text("北京应急", "暴雨蓝色预警", true, 10),
            "【北京应急】暴雨蓝…"
        );
        assert_eq!(signed_text("北京应急", "暴雨蓝色预警", false, 4), "暴雨蓝…");
    }
}
