//! Errors of reading a CAP message.

use crate::report::Problem;

/// Why bytes could not be read as a CAP alert.
///
/// Every variant but [`ParseError::Invalid`] is *fatal*: the input is not
/// well-formed, is hostile or exceeds a [`crate::Limits`] bound, so nothing
/// after the failure point was looked at. [`crate::validate`] turns these into a
/// one-problem [`crate::Report`] whose code is [`ParseError::code`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The input is bigger than [`crate::Limits::max_bytes`].
    #[error("input is {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// The input's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The input has a document type declaration; DTDs are never processed.
    #[error("document type declarations (<!DOCTYPE …>) are not accepted: CAP needs none and they enable entity attacks")]
    Doctype,
    /// The input refers to an entity other than the five predefined ones.
    #[error("entity reference &{0}; is not allowed (only &lt; &gt; &amp; &apos; &quot; and character references)")]
    Entity(String),
    /// Elements nest deeper than [`crate::Limits::max_depth`].
    #[error("elements nest deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// More elements than [`crate::Limits::max_elements`].
    #[error("more than {limit} elements")]
    TooManyElements {
        /// The limit.
        limit: usize,
    },
    /// An element's text is longer than [`crate::Limits::max_text_bytes`].
    #[error("an element's text is longer than {limit} bytes")]
    TextTooLong {
        /// The limit.
        limit: usize,
    },
    /// An element has more attributes than [`crate::Limits::max_attributes`].
    #[error("an element has more than {limit} attributes")]
    TooManyAttributes {
        /// The limit.
        limit: usize,
    },
    /// The declared encoding is unknown or not supported.
    #[error("unsupported character encoding {0:?}")]
    UnsupportedEncoding(String),
    /// The bytes are not valid in the (declared or detected) encoding.
    #[error("input is not valid {encoding}")]
    Decode {
        /// The encoding the input was read as.
        encoding: String,
    },
    /// The input is not well-formed XML.
    #[error("malformed XML at line {line}, column {column}: {message}")]
    Xml {
        /// 1-based line.
        line: usize,
        /// 1-based column, in bytes of the decoded text.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The root element is not a CAP `alert`.
    #[error("root element is <{found}>, not a CAP <alert>")]
    NotCap {
        /// The root's name, with `{namespace}` when it has one.
        found: String,
    },
    /// A CAP version this crate does not read (CAP 1.0).
    #[error("unsupported CAP version (namespace {0})")]
    UnsupportedVersion(String),
    /// Well-formed CAP, but values the typed model needs are missing or unreadable.
    #[error("alert cannot be read: {}", summarize(.0))]
    Invalid(Vec<Problem>),
}

fn summarize(problems: &[Problem]) -> String {
    match problems {
        [] => "no details".to_string(),
        [p] => p.to_string(),
        [p, rest @ ..] => format!("{p} (and {} more)", rest.len()),
    }
}

impl ParseError {
    /// A stable, kebab-case code for reports and JSON.
    pub fn code(&self) -> &'static str {
        match self {
            ParseError::TooLarge { .. } => "too-large",
            ParseError::Doctype => "doctype-forbidden",
            ParseError::Entity(_) => "entity-forbidden",
            ParseError::TooDeep { .. } => "too-deep",
            ParseError::TooManyElements { .. } => "too-many-elements",
            ParseError::TextTooLong { .. } => "text-too-long",
            ParseError::TooManyAttributes { .. } => "too-many-attributes",
            ParseError::UnsupportedEncoding(_) => "unsupported-encoding",
            ParseError::Decode { .. } => "bad-encoding",
            ParseError::Xml { .. } => "malformed-xml",
            ParseError::NotCap { .. } => "not-cap",
            ParseError::UnsupportedVersion(_) => "unsupported-version",
            ParseError::Invalid(_) => "invalid",
        }
    }

    /// Whether the input was refused as hostile or over a limit (as opposed to
    /// merely malformed or invalid).
    pub fn is_hostile(&self) -> bool {
        matches!(
            self,
            ParseError::TooLarge { .. }
                | ParseError::Doctype
                | ParseError::Entity(_)
                | ParseError::TooDeep { .. }
                | ParseError::TooManyElements { .. }
                | ParseError::TextTooLong { .. }
                | ParseError::TooManyAttributes { .. }
        )
    }
}
