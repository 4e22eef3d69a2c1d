//! The HTTP toolkit every module's `api.rs` uses: problem JSON errors,
//! the JSON and query extractors that name the bad field, rate limits. A
//! leaf: it knows no module's routes (those are assembled in `server`).

pub mod error;
pub mod geojson;
pub mod limit;

pub use error::{ApiError, Json, Query};

/// A calendar day from a query or body field (`YYYY-MM-DD`, 1900–2199), or
/// a 422 naming the field.
pub fn date_param(s: &str, field: &str) -> Result<time::Date, ApiError> {
    crate::clock::parse_date(s).ok_or_else(|| {
        ApiError::from(
            crate::error::FieldError::new(field, "日期应为 YYYY-MM-DD（1900–2199 年）")
                .code("not_a_date"),
        )
    })
}

/// A command body `{"version": …, "kind": …, …}`: the version the user read
/// and the command (a `#[serde(tag = "kind", deny_unknown_fields)]` enum).
/// Bodies ([`command_body!`]) read themselves through this, because
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

/// Declares a command body: `{version, …command}` where the command is a
/// `kind`-tagged enum, read through [`versioned_command`] (unknown fields
/// refused) and shown in the OpenAPI document as the command's union plus
/// `version`.
///
/// ```ignore
/// command_body! {
///     /// A step of the life cycle.
///     #[schema(as = IncidentEventBody)]
///     pub struct EventBody { command: IncidentCommand }
/// }
/// ```
macro_rules! command_body {
    ($(#[$m:meta])* $vis:vis struct $name:ident { $field:ident: $ty:ty }) => {
        #[derive(serde::Deserialize, utoipa::ToSchema)]
        $(#[$m])*
        #[serde(try_from = "crate::http::JsonMap")]
        $vis struct $name {
            /// The version the user read.
            pub version: i64,
            #[serde(flatten)]
            pub $field: $ty,
        }

        impl TryFrom<crate::http::JsonMap> for $name {
            type Error = String;
            fn try_from(body: crate::http::JsonMap) -> Result<Self, String> {
                let (version, $field) = crate::http::versioned_command(body)?;
                Ok($name { version, $field })
            }
        }
    };
}
pub(crate) use command_body;
