//! The upstream module's records, typed: times are `UtcText` (a point in
//! time; stored as RFC 3339 text), the state an enum. `sent` stays the CAP
//! text as the sender wrote it: with sender and identifier it is the alert's
//! key, compared as written.

use serde::Serialize;
use serde_json::Value;

use crate::db::UtcText;

/// What became of an upstream alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UpstreamState {
    Active,
    /// An upstream Update replaced it.
    Superseded,
    /// An upstream Cancel withdrew it (or it is itself a Cancel).
    Cancelled,
    /// Invalid CAP: kept to show why.
    Rejected,
}

impl UpstreamState {
    pub const ALL: [UpstreamState; 4] = [
        UpstreamState::Active,
        UpstreamState::Superseded,
        UpstreamState::Cancelled,
        UpstreamState::Rejected,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            UpstreamState::Active => "active",
            UpstreamState::Superseded => "superseded",
            UpstreamState::Cancelled => "cancelled",
            UpstreamState::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

impl std::fmt::Display for UpstreamState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An upstream alert as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UpstreamAlert {
    pub id: i64,
    /// The configured source's name.
    pub source: String,
    /// The URL or file path it was read from.
    pub origin: String,
    pub sha256: String,
    pub valid: bool,
    /// `[{path, code, level, message}]`.
    #[schema(value_type = Vec<Object>)]
    pub problems: Value,
    pub identifier: String,
    pub sender: String,
    /// CAP `sent`, as written by the sender.
    pub sent: String,
    pub msg_type: String,
    pub state: UpstreamState,
    /// [`super::Summary`] as JSON (`{}` when the message could not be read).
    #[schema(value_type = Object)]
    pub summary: Value,
    /// When known.
    pub expires_at: Option<UtcText>,
    /// Division-code prefix the alert concerns (see `super::jurisdiction_of`).
    pub jurisdiction: String,
    /// The message exactly as received.
    #[serde(skip)]
    pub raw: Vec<u8>,
    pub received_at: UtcText,
    /// Local warnings that relay it.
    pub relayed_as: Vec<i64>,
}
