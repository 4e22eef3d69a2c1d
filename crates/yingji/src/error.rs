//! Errors every layer shares: a problem with one field of an input, found
//! by a rule, a store or an import. A leaf: it imports nothing of the crate,
//! so rules can report problems without knowing about HTTP.

use serde::Serialize;

/// The values a message names, by name, for the UI's translation of a code.
pub type Params = serde_json::Map<String, serde_json::Value>;

/// One problem with one field (and, for imports, one row).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    pub field: String,
    /// A stable code for the problem (`required`, `too_long`, …) that the
    /// UI translates; `invalid` when the rule gave none.
    pub code: &'static str,
    /// The values the message names (limits, allowed values), for the UI's
    /// translation of `code`.
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    #[schema(value_type = Object)]
    pub params: Params,
    /// The message in Chinese, the platform's first language.
    pub message: String,
    /// Where on the map (a GeoJSON geometry), for problems of drawn areas.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub at: Option<Box<serde_json::Value>>,
    /// The CAP element path, for problems found in a composed CAP message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_path: Option<Box<str>>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            row: None,
            field: field.into(),
            code: "invalid",
            params: Params::new(),
            message: message.into(),
            at: None,
            cap_path: None,
        }
    }
    /// The same problem with a stable code for the UI.
    pub fn code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }
    /// A value the message names, for the UI's translation.
    pub fn param(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
        self.params.insert(name.into(), value.into());
        self
    }
    pub fn at(mut self, geometry: serde_json::Value) -> Self {
        self.at = Some(Box::new(geometry));
        self
    }
    pub fn cap_path(mut self, path: impl Into<String>) -> Self {
        self.cap_path = Some(path.into().into_boxed_str());
        self
    }
    pub fn at_row(mut self, row: usize) -> Self {
        self.row = Some(u32::try_from(row).unwrap_or(u32::MAX));
        self
    }
    /// The field is missing or empty (`required`).
    pub fn required(field: impl Into<String>) -> Self {
        FieldError::new(field, "必填").code("required")
    }
    /// The field's text is longer than `max` characters (`too_long`).
    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        FieldError::new(field, format!("最多 {max} 字"))
            .code("too_long")
            .param("max", max)
    }
}

/// A text field of an input: trimmed, at most `max` characters, and not
/// empty when `required`. The one text check of the modules' rules.
pub fn text(name: &str, v: &str, max: usize, required: bool) -> Result<String, FieldError> {
    let t = v.trim();
    if required && t.is_empty() {
        return Err(FieldError::required(name));
    }
    if t.chars().count() > max {
        return Err(FieldError::too_long(name, max));
    }
    Ok(t.to_string())
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why a rule refuses a step (the record's state does not allow it, or this
/// user may not take it): a stable `code` the UI translates (i18n
/// `refusal.<code>`), the values the message names, and the message in
/// Chinese. Write the code as the first argument of `Refusal::new` (the
/// web's test finds the codes there and fails when one has no translation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Every refusal has one: there is no conversion from a bare message.
    pub code: &'static str,
    pub params: Params,
    pub message: String,
}

impl Refusal {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            code,
            params: Params::new(),
            message: message.into(),
        }
    }
    /// A value the message names, for the UI's translation.
    pub fn param(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
        self.params.insert(name.into(), value.into());
        self
    }
}

/// Why a module's rule does not take a step: the record's state does not
/// allow it (409), a field of the input is wrong (422), or this user may not
/// (403). The one error of the modules' rules (`http::ApiError` converts it).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    /// Not possible in the record's current state (409).
    #[error("{0}")]
    State(Refusal),
    /// A field is wrong (422).
    #[error("{}: {}", .0.field, .0.message)]
    Field(FieldError),
    /// This user may not take the step (403).
    #[error("{0}")]
    Forbidden(Refusal),
}

impl From<FieldError> for RuleError {
    fn from(e: FieldError) -> Self {
        RuleError::Field(e)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
