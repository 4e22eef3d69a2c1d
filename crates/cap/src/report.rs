//! Validation reports: every [`Problem`] found, each with its element path.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

/// The CAP version of a message, from its root element's namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CapVersion {
    /// `http://www.incident.com/cap/1.0` (recognised, not supported).
    #[serde(rename = "1.0")]
    V1_0,
    /// `urn:oasis:names:tc:emergency:cap:1.1` (read and converted to 1.2).
    #[serde(rename = "1.1")]
    V1_1,
    /// `urn:oasis:names:tc:emergency:cap:1.2`.
    #[serde(rename = "1.2")]
    V1_2,
    /// Not determined: no or an unknown namespace, or the input could not be read.
    #[serde(rename = "unknown")]
    Unknown,
}

impl CapVersion {
    /// The namespace URI of CAP 1.2.
    pub const NS_1_2: &'static str = "urn:oasis:names:tc:emergency:cap:1.2";
    /// The namespace URI of CAP 1.1.
    pub const NS_1_1: &'static str = "urn:oasis:names:tc:emergency:cap:1.1";
    /// The namespace URI of CAP 1.0.
    pub const NS_1_0: &'static str = "http://www.incident.com/cap/1.0";

    /// The version a namespace URI names.
    pub fn from_namespace(ns: Option<&str>) -> Self {
        match ns {
            Some(Self::NS_1_2) => CapVersion::V1_2,
            Some(Self::NS_1_1) => CapVersion::V1_1,
            Some(Self::NS_1_0) => CapVersion::V1_0,
            _ => CapVersion::Unknown,
        }
    }

    /// `"1.2"`, `"1.1"`, `"1.0"` or `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CapVersion::V1_0 => "1.0",
            CapVersion::V1_1 => "1.1",
            CapVersion::V1_2 => "1.2",
            CapVersion::Unknown => "unknown",
        }
    }
}

impl fmt::Display for CapVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The message does not conform to CAP (schema or a §3 MUST).
    Error,
    /// Conforming, but questionable (e.g. UTC written `+00:00`, `Update` without
    /// `references`). Does not make a report invalid.
    Warning,
}

/// One problem: where (`path`), what (`code`, stable and kebab-case), and a
/// sentence for people (`message`).
///
/// Paths name elements from the root, 0-based indices on elements that may
/// repeat: `alert/info[0]/area[1]/polygon[0]`. A missing element's path is where
/// it should be (`alert/scope`); a problem with the whole document has path `""`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Problem {
    /// Element path, e.g. `alert/info[0]/area[1]/polygon[0]`.
    pub path: String,
    /// Stable code, e.g. `missing-element`, `polygon-not-closed`.
    pub code: String,
    /// Error or warning.
    pub level: Level,
    /// Human-readable explanation.
    pub message: String,
}

impl Problem {
    /// An error-level problem.
    pub fn error(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            code: code.to_string(),
            level: Level::Error,
            message: message.into(),
        }
    }

    /// A warning-level problem.
    pub fn warning(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Problem {
            level: Level::Warning,
            ..Problem::error(path, code, message)
        }
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let path = if self.path.is_empty() {
            "(document)"
        } else {
            &self.path
        };
        write!(f, "{level} [{}] {path}: {}", self.code, self.message)
    }
}

/// The outcome of validation: the detected version and every problem found.
///
/// Serialises (for `--json`) as
/// `{"version":"1.2","valid":false,"errors":1,"warnings":0,"problems":[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Report {
    /// The version the message declared (its namespace).
    pub version: CapVersion,
    /// All problems, errors and warnings mixed, in the order found: a
    /// depth-first walk of the document, where an element's own §3 rules come
    /// after the problems of its children.
    pub problems: Vec<Problem>,
}

impl Report {
    /// True when no problem is an error (warnings allowed).
    pub fn is_valid(&self) -> bool {
        !self.problems.iter().any(Problem::is_error)
    }

    /// The error-level problems.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }

    /// The warning-level problems.
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| !p.is_error())
    }

    /// Whether some problem has this code.
    pub fn has(&self, code: &str) -> bool {
        self.problems.iter().any(|p| p.code == code)
    }
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            version: CapVersion,
            valid: bool,
            errors: usize,
            warnings: usize,
            problems: &'a [Problem],
        }
        Out {
            version: self.version,
            valid: self.is_valid(),
            errors: self.errors().count(),
            warnings: self.warnings().count(),
            problems: &self.problems,
        }
        .serialize(s)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.is_valid() { "valid" } else { "INVALID" };
        writeln!(
            f,
            "CAP {}: {verdict} ({} errors, {} warnings)",
            self.version,
            self.errors().count(),
            self.warnings().count()
        )?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}
