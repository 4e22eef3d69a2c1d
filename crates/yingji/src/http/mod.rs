//! The HTTP toolkit every module's `api.rs` uses: problem JSON errors,
//! the JSON and query extractors that name the bad field, rate limits. A
//! leaf: it knows no module's routes (those are assembled in `server`).

pub mod error;
pub mod limit;

pub use error::{ApiError, Json, Query};

/// A command body `{"version": …, "kind": …, …}`: the version the user read
/// and the command (a `#[serde(tag = "kind", deny_unknown_fields)]` enum).
/// Bodies declare `#[serde(try_from = "JsonMap")]` and call this, because
/// `#[serde(flatten)]` would silently accept unknown fields.
pub fn versioned_command<C: serde::de::DeserializeOwned>(
    mut body: JsonMap,
) -> Result<(i64, C), String> {
    let version = match body.remove("version") {
        None => return Err("missing field `version`".into()),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| format!("version 应为整数（读取时的版本号），而不是 {v}"))?,
    };
    let command =
        serde_json::from_value(serde_json::Value::Object(body)).map_err(|e| e.to_string())?;
    Ok((version, command))
}

pub type JsonMap = serde_json::Map<String, serde_json::Value>;
