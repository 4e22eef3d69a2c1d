//! # yingji-cap — CAP 1.2 for yingji
//!
//! A self-contained engine for the OASIS **Common Alerting Protocol**, version
//! 1.2 (with CAP 1.1 read and converted): a typed model, a hardened reader, a
//! canonical writer, a validator that reports *every* problem with its element
//! path, a human summary, and helpers for the Chinese national profile
//! (GB/T 35965.1-2018). It knows nothing about the platform that calls it.
//!
//! ```
//! use yingji_cap::{parse, validate, to_xml};
//!
//! let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
//! <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
//!   <identifier>11010241600000_20240729153126_0</identifier>
//!   <sender>bjmb@cma.gov.cn</sender>
//!   <sent>2024-07-29T15:31:26+08:00</sent>
//!   <status>Actual</status>
//!   <msgType>Alert</msgType>
//!   <scope>Public</scope>
//!   <info>
//!     <language>zh-CN</language>
//!     <category>Met</category>
//!     <event>暴雨</event>
//!     <urgency>Expected</urgency>
//!     <severity>Minor</severity>
//!     <certainty>Likely</certainty>
//!     <area><areaDesc>西城区</areaDesc></area>
//!   </info>
//! </alert>"#;
//!
//! let report = validate(xml.as_bytes());
//! assert!(report.is_valid(), "{report}");
//!
//! let doc = parse(xml.as_bytes())?;
//! assert_eq!(doc.alert.infos[0].event, "暴雨");
//! let again = parse(to_xml(&doc.alert).as_bytes())?;
//! assert_eq!(again.alert, doc.alert);
//! # Ok::<(), yingji_cap::ParseError>(())
//! ```
//!
//! ## Reading
//!
//! [`parse`] reads CAP 1.2 and CAP 1.1 with any namespace prefix, in UTF-8,
//! UTF-16 (with byte-order mark) or a declared legacy encoding (ISO-8859-1,
//! GBK, GB2312, GB18030, Big5, Shift_JIS, windows-125x …). It is *lenient*: it
//! builds the [`Alert`] whenever the values the model needs are present and
//! readable, ignoring order and unknown elements. [`validate`] is *strict*.
//!
//! ## Safety
//!
//! No DTD is ever processed: a `<!DOCTYPE` is refused outright, so external
//! entities, parameter entities and entity expansion bombs cannot work. Only
//! the five predefined entities and character references are expanded.
//! Input size, nesting depth, element count, attributes per element and text
//! length are bounded ([`Limits`]); the reader is a single linear pass
//! (quick-xml), so hostile input fails fast and memory stays proportional to
//! the (bounded) input.
//!
//! ## Validating
//!
//! [`validate`] checks the CAP 1.2 schema (or 1.1 for 1.1 messages): required
//! elements, order, cardinality, enumerations, value types, and the §3 rules
//! the schema cannot express (date-time offsets without `Z`, polygons and
//! circles, references, restriction/addresses versus scope, ceiling versus
//! altitude, identifier characters …). See [`rules`] for the
//! list of problem codes. [`validate_alert`] checks an already-typed alert.
//!
//! ## Writing
//!
//! [`to_xml`] writes canonical CAP 1.2 in schema order; [`summary`] renders a
//! readable multi-line text; [`Report`] serialises to JSON.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod china;
mod datetime;
mod error;
mod model;
mod read;
mod report;
pub mod rules;
mod summary;
mod values;
mod write;
mod xml;

pub use datetime::{DateTime, DateTimeError};
pub use error::ParseError;
pub use model::{
    join_quoted_list, split_quoted_list, Alert, Area, Category, Certainty, Circle, Info, MsgType,
    Point, Polygon, Reference, Resource, ResponseType, Scope, Severity, Status, UnknownValue,
    Urgency, ValuePair,
};
pub use report::{CapVersion, Level, Problem, Report};
pub use summary::summary;
pub use write::to_xml;
pub use xml::Limits;

use xml::{read_tree, Tree};

/// A CAP message read from bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The version the message declared (CAP 1.1 content is converted to 1.2).
    pub version: CapVersion,
    /// The character encoding the bytes were decoded from (`"UTF-8"`, `"GBK"` …).
    pub encoding: &'static str,
    /// The alert.
    pub alert: Alert,
}

/// Reads a CAP 1.2 or 1.1 message with the default [`Limits`].
///
/// Fails on hostile or malformed input, on a root that is not a CAP `alert`,
/// and when a value the typed model needs is missing or unreadable
/// ([`ParseError::Invalid`], listing those problems). Passing `parse` does not
/// mean the message is valid: use [`validate`] or [`analyze`] for that.
pub fn parse(bytes: &[u8]) -> Result<Document, ParseError> {
    parse_with(bytes, &Limits::default())
}

/// [`parse`] with explicit limits.
pub fn parse_with(bytes: &[u8], limits: &Limits) -> Result<Document, ParseError> {
    let tree = read_tree(bytes, limits)?;
    let version = root_version(&tree)?;
    document(&tree, version)
}

/// Validates a CAP message with the default [`Limits`], reporting every problem.
pub fn validate(bytes: &[u8]) -> Report {
    validate_with(bytes, &Limits::default())
}

/// [`validate`] with explicit limits.
pub fn validate_with(bytes: &[u8], limits: &Limits) -> Report {
    let fatal = |version: CapVersion, e: ParseError| Report {
        version,
        problems: vec![Problem::error("", e.code(), e.to_string())],
    };
    let tree = match read_tree(bytes, limits) {
        Ok(t) => t,
        Err(e) => return fatal(CapVersion::Unknown, e),
    };
    match root_version(&tree) {
        Ok(version) => Report {
            version,
            problems: rules::validate_tree(&tree.root, version),
        },
        Err(e) => fatal(CapVersion::from_namespace(tree.root.ns.as_deref()), e),
    }
}

/// Both outcomes of one reading: the validation report and, when the typed
/// model could be built, the document.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Every problem found.
    pub report: Report,
    /// The document, or why it could not be built.
    pub document: Result<Document, ParseError>,
}

/// Reads and validates in one pass (what `parse` + `validate` do, with the
/// XML read once).
pub fn analyze(bytes: &[u8]) -> Analysis {
    analyze_with(bytes, &Limits::default())
}

/// [`analyze`] with explicit limits.
pub fn analyze_with(bytes: &[u8], limits: &Limits) -> Analysis {
    let fatal = |version: CapVersion, e: ParseError| Analysis {
        report: Report {
            version,
            problems: vec![Problem::error("", e.code(), e.to_string())],
        },
        document: Err(e),
    };
    let tree = match read_tree(bytes, limits) {
        Ok(t) => t,
        Err(e) => return fatal(CapVersion::Unknown, e),
    };
    let version = match root_version(&tree) {
        Ok(v) => v,
        Err(e) => {
            let v = CapVersion::from_namespace(tree.root.ns.as_deref());
            return fatal(v, e);
        }
    };
    let problems = rules::validate_tree(&tree.root, version);
    Analysis {
        report: Report { version, problems },
        document: document(&tree, version),
    }
}

/// Validates an already-typed alert as the CAP 1.2 it would be written as.
///
/// Paths and codes are those [`validate`] gives for `to_xml(alert)`; in
/// addition, characters that XML cannot carry are reported (`invalid-character`).
pub fn validate_alert(alert: &Alert) -> Report {
    let mut problems = rules::illegal_chars(alert);
    let xml = to_xml(alert);
    match read_tree(xml.as_bytes(), &Limits::default()) {
        Ok(tree) => problems.extend(rules::validate_tree(&tree.root, CapVersion::V1_2)),
        Err(e) => problems.push(Problem::error("", e.code(), e.to_string())),
    }
    Report {
        version: CapVersion::V1_2,
        problems,
    }
}

fn root_version(tree: &Tree) -> Result<CapVersion, ParseError> {
    let root = &tree.root;
    let version = CapVersion::from_namespace(root.ns.as_deref());
    if root.name != "alert" || (version == CapVersion::Unknown && root.ns.is_some()) {
        let found = match root.ns.as_deref() {
            Some(ns) => format!("{{{ns}}}{}", root.name),
            None => root.name.clone(),
        };
        return Err(ParseError::NotCap { found });
    }
    if version == CapVersion::V1_0 {
        return Err(ParseError::UnsupportedVersion(
            CapVersion::NS_1_0.to_string(),
        ));
    }
    Ok(version)
}

fn document(tree: &Tree, version: CapVersion) -> Result<Document, ParseError> {
    read::alert_from_tree(&tree.root, version)
        .map(|alert| Document {
            version,
            encoding: tree.encoding,
            alert,
        })
        .map_err(ParseError::Invalid)
}
