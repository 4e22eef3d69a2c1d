//! The validator: the CAP XML schema (structure, order, cardinality, value
//! types, enumerations) and the CAP §3 rules the schema cannot express, all
//! checked on the element tree so that every problem is reported, not just
//! the first.
//!
//! # Problem codes
//!
//! Schema: `missing-element`, `unknown-element`, `foreign-element`,
//! `out-of-order`, `too-many`, `unexpected-text`, `unexpected-child`,
//! `unexpected-attribute`, `invalid-enum`, `invalid-datetime`,
//! `datetime-z`, `invalid-decimal`, `invalid-integer`, `invalid-language`,
//! `missing-namespace`.
//!
//! §3 rules: `empty-value`, `forbidden-character`, `restriction-required`,
//! `restriction-not-allowed`, `addresses-required`, `list-format`,
//! `references-empty`, `reference-format`, `web-not-absolute`,
//! `invalid-size`, `digest-format`, `deref-uri-format`, `polygon-format`,
//! `polygon-too-few-points`, `polygon-not-closed`, `coordinate-out-of-range`,
//! `circle-format`, `circle-radius`, `ceiling-without-altitude`,
//! `ceiling-below-altitude`; for typed alerts ([`crate::validate_alert`]) also
//! `invalid-character` (a character XML cannot carry).
//!
//! Warnings: `utc-plus-zero` (UTC written `+00:00`; §3.3.2 asks for `-00:00`),
//! `deprecated-value` (CAP 1.1 `Very Likely`), `references-missing`
//! (`Update`/`Cancel`/`Ack`/`Error` without `references`),
//! `expires-before-effective`, `expires-before-onset`, `mime-type-format`,
//! `digest-not-sha1`, `uri-relative`.
//!
//! Fatal reading errors appear as a single problem with the code of
//! [`crate::ParseError::code`] (`doctype-forbidden`, `too-large`, …).

use std::collections::HashMap;

use crate::datetime::{DateTime, DateTimeError};
use crate::model::{split_quoted_list, Point};
use crate::report::{CapVersion, Problem};
use crate::values::{
    forbidden_id_char, has_scheme, is_base64, is_language, parse_circle, parse_decimal,
    parse_integer, parse_polygon,
};
use crate::xml::Element;

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
const XMLDSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const XMLENC: &str = "http://www.w3.org/2001/04/xmlenc#";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum EnumKind {
    Status,
    MsgType,
    Scope,
    Category,
    ResponseType,
    Urgency,
    Severity,
    Certainty,
}

impl EnumKind {
    fn values(self, version: CapVersion) -> &'static [&'static str] {
        match self {
            EnumKind::Status => &["Actual", "Exercise", "System", "Test", "Draft"],
            EnumKind::MsgType => &["Alert", "Update", "Cancel", "Ack", "Error"],
            EnumKind::Scope => &["Public", "Restricted", "Private"],
            EnumKind::Category => &[
                "Geo",
                "Met",
                "Safety",
                "Security",
                "Rescue",
                "Fire",
                "Health",
                "Env",
                "Transport",
                "Infra",
                "CBRNE",
                "Other",
            ],
            EnumKind::ResponseType if version == CapVersion::V1_1 => &[
                "Shelter", "Evacuate", "Prepare", "Execute", "Monitor", "Assess", "None",
            ],
            EnumKind::ResponseType => &[
                "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess",
                "AllClear", "None",
            ],
            EnumKind::Urgency => &["Immediate", "Expected", "Future", "Past", "Unknown"],
            EnumKind::Severity => &["Extreme", "Severe", "Moderate", "Minor", "Unknown"],
            EnumKind::Certainty if version == CapVersion::V1_1 => &[
                "Observed",
                "Likely",
                "Possible",
                "Unlikely",
                "Unknown",
                "Very Likely",
            ],
            EnumKind::Certainty => &["Observed", "Likely", "Possible", "Unlikely", "Unknown"],
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Ty {
    Text,
    DateTime,
    Enum(EnumKind),
    Decimal,
    Integer,
    AnyUri,
    Language,
    Complex(&'static [Particle]),
}

#[derive(Clone, Copy, Debug)]
struct Particle {
    name: &'static str,
    min: u8,
    many: bool,
    ty: Ty,
}

const fn one(name: &'static str, ty: Ty) -> Particle {
    Particle {
        name,
        min: 1,
        many: false,
        ty,
    }
}
const fn opt(name: &'static str, ty: Ty) -> Particle {
    Particle {
        name,
        min: 0,
        many: false,
        ty,
    }
}
const fn any(name: &'static str, ty: Ty) -> Particle {
    Particle {
        name,
        min: 0,
        many: true,
        ty,
    }
}

const PAIR: &[Particle] = &[one("valueName", Ty::Text), one("value", Ty::Text)];

const RESOURCE: &[Particle] = &[
    one("resourceDesc", Ty::Text),
    one("mimeType", Ty::Text),
    opt("size", Ty::Integer),
    opt("uri", Ty::AnyUri),
    opt("derefUri", Ty::Text),
    opt("digest", Ty::Text),
];

const AREA: &[Particle] = &[
    one("areaDesc", Ty::Text),
    any("polygon", Ty::Text),
    any("circle", Ty::Text),
    any("geocode", Ty::Complex(PAIR)),
    opt("altitude", Ty::Decimal),
    opt("ceiling", Ty::Decimal),
];

const INFO: &[Particle] = &[
    opt("language", Ty::Language),
    Particle {
        name: "category",
        min: 1,
        many: true,
        ty: Ty::Enum(EnumKind::Category),
    },
    one("event", Ty::Text),
    any("responseType", Ty::Enum(EnumKind::ResponseType)),
    one("urgency", Ty::Enum(EnumKind::Urgency)),
    one("severity", Ty::Enum(EnumKind::Severity)),
    one("certainty", Ty::Enum(EnumKind::Certainty)),
    opt("audience", Ty::Text),
    any("eventCode", Ty::Complex(PAIR)),
    opt("effective", Ty::DateTime),
    opt("onset", Ty::DateTime),
    opt("expires", Ty::DateTime),
    opt("senderName", Ty::Text),
    opt("headline", Ty::Text),
    opt("description", Ty::Text),
    opt("instruction", Ty::Text),
    opt("web", Ty::AnyUri),
    opt("contact", Ty::Text),
    any("parameter", Ty::Complex(PAIR)),
    any("resource", Ty::Complex(RESOURCE)),
    any("area", Ty::Complex(AREA)),
];

const ALERT: &[Particle] = &[
    one("identifier", Ty::Text),
    one("sender", Ty::Text),
    one("sent", Ty::DateTime),
    one("status", Ty::Enum(EnumKind::Status)),
    one("msgType", Ty::Enum(EnumKind::MsgType)),
    opt("source", Ty::Text),
    one("scope", Ty::Enum(EnumKind::Scope)),
    opt("restriction", Ty::Text),
    opt("addresses", Ty::Text),
    any("code", Ty::Text),
    opt("note", Ty::Text),
    opt("references", Ty::Text),
    opt("incidents", Ty::Text),
    any("info", Ty::Complex(INFO)),
];

/// Names of repeatable CAP elements (indexed in paths).
pub(crate) fn is_repeatable(name: &str) -> bool {
    matches!(
        name,
        "code"
            | "info"
            | "category"
            | "responseType"
            | "eventCode"
            | "parameter"
            | "resource"
            | "area"
            | "polygon"
            | "circle"
            | "geocode"
    )
}

/// The path of the `index`th `name` child under `parent`.
pub(crate) fn child_path(parent: &str, name: &str, index: usize) -> String {
    if is_repeatable(name) || index > 0 {
        format!("{parent}/{name}[{index}]")
    } else {
        format!("{parent}/{name}")
    }
}

/// Validates a CAP tree whose root has already been recognised as `alert`.
pub(crate) fn validate_tree(root: &Element, version: CapVersion) -> Vec<Problem> {
    let mut v = Validator {
        ns: root.ns_id,
        version,
        problems: Vec::new(),
    };
    if root.ns.is_none() {
        v.problems.push(Problem::error(
            "alert",
            "missing-namespace",
            format!(
                "<alert> has no namespace; CAP 1.2 requires xmlns=\"{}\"",
                CapVersion::NS_1_2
            ),
        ));
    }
    v.element(root, "alert", Ty::Complex(ALERT));
    v.problems
}

struct Validator {
    ns: u32,
    version: CapVersion,
    problems: Vec<Problem>,
}

/// Text of an element with leading/trailing whitespace removed.
fn val(el: &Element) -> &str {
    el.text.trim()
}

impl Validator {
    fn err(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.problems.push(Problem::error(path, code, message));
    }

    fn warn(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.problems.push(Problem::warning(path, code, message));
    }

    fn is_cap(&self, el: &Element) -> bool {
        el.in_ns(self.ns)
    }

    /// The first CAP child called `name`.
    fn first<'e>(&self, el: &'e Element, name: &str) -> Option<&'e Element> {
        el.children
            .iter()
            .find(|c| c.name == name && self.is_cap(c))
    }

    /// The CAP children called `name`.
    fn all<'e>(&self, el: &'e Element, name: &str) -> Vec<&'e Element> {
        el.children
            .iter()
            .filter(|c| c.name == name && self.is_cap(c))
            .collect()
    }

    fn element(&mut self, el: &Element, path: &str, ty: Ty) {
        for a in &el.attrs {
            if a.ns.as_deref() != Some(XSI) {
                self.err(
                    path,
                    "unexpected-attribute",
                    format!("attribute {:?} is not allowed on <{}>", a.name, el.name),
                );
            }
        }
        match ty {
            Ty::Complex(particles) => {
                if !el.text.trim().is_empty() {
                    self.err(
                        path,
                        "unexpected-text",
                        format!("<{}> holds elements only, but has text", el.name),
                    );
                }
                self.sequence(el, path, particles);
                match el.name.as_str() {
                    "alert" => self.alert_rules(el, path),
                    "info" => self.info_rules(el, path),
                    "resource" => self.resource_rules(el, path),
                    "area" => self.area_rules(el, path),
                    _ => {}
                }
            }
            simple => {
                let mut seen: HashMap<&str, usize> = HashMap::new();
                for c in &el.children {
                    let i = seen.entry(c.name.as_str()).or_default();
                    self.err(
                        child_path(path, &c.name, *i),
                        "unexpected-child",
                        format!("<{}> holds text only, but contains <{}>", el.name, c.name),
                    );
                    *i += 1;
                }
                self.simple(el, path, simple);
            }
        }
    }

    fn simple(&mut self, el: &Element, path: &str, ty: Ty) {
        let v = val(el);
        match ty {
            Ty::DateTime => self.datetime(v, path, &el.name),
            Ty::Enum(kind) => {
                let allowed = kind.values(self.version);
                if !allowed.contains(&v) {
                    self.err(
                        path,
                        "invalid-enum",
                        format!(
                            "{v:?} is not a valid <{}>; expected one of {}",
                            el.name,
                            allowed.join(", ")
                        ),
                    );
                } else if v == "Very Likely" {
                    self.warn(
                        path,
                        "deprecated-value",
                        "certainty \"Very Likely\" is deprecated (read as \"Likely\")",
                    );
                }
            }
            Ty::Decimal => {
                if parse_decimal(v).is_none() {
                    self.err(
                        path,
                        "invalid-decimal",
                        format!("<{}> {v:?} is not a decimal number", el.name),
                    );
                }
            }
            Ty::Integer => {
                if parse_integer(v).is_none() {
                    self.err(
                        path,
                        "invalid-integer",
                        format!("<{}> {v:?} is not an integer", el.name),
                    );
                }
            }
            Ty::Language => {
                if !is_language(v) {
                    self.err(
                        path,
                        "invalid-language",
                        format!("{v:?} is not an RFC 3066 language tag such as \"zh-CN\""),
                    );
                }
            }
            Ty::Text | Ty::AnyUri | Ty::Complex(_) => {}
        }
    }

    fn datetime(&mut self, v: &str, path: &str, name: &str) {
        match DateTime::parse(v) {
            Ok(dt) => {
                if dt.offset_minutes == 0 && v.ends_with("+00:00") {
                    self.warn(
                        path,
                        "utc-plus-zero",
                        format!(
                            "<{name}> writes UTC as \"+00:00\"; CAP §3.3.2 asks for \"-00:00\""
                        ),
                    );
                }
            }
            Err(DateTimeError::ZuluDesignator) => self.err(
                path,
                "datetime-z",
                format!("<{name}> {v:?} uses \"Z\"; CAP §3.3.2 requires \"-00:00\" for UTC"),
            ),
            Err(e) => self.err(path, "invalid-datetime", format!("<{name}> {v:?} {e}")),
        }
    }

    fn sequence(&mut self, el: &Element, path: &str, particles: &[Particle]) {
        // Names present anywhere among the children: a required element that
        // is merely out of order is reported as such, not also as missing.
        let present: Vec<&str> = el
            .children
            .iter()
            .filter(|c| self.is_cap(c))
            .map(|c| c.name.as_str())
            .collect();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut idx = 0usize;
        let mut count = 0usize;
        let mut after_cap = false; // inside the trailing xmldsig/xmlenc wildcard
        for c in &el.children {
            let i = {
                let n = seen.entry(c.name.as_str()).or_default();
                *n += 1;
                *n - 1
            };
            let cpath = child_path(path, &c.name, i);
            if !self.is_cap(c) {
                let sig_ns = matches!(c.ns.as_deref(), Some(XMLDSIG))
                    || (self.version == CapVersion::V1_1
                        && matches!(c.ns.as_deref(), Some(XMLENC)));
                if el.name == "alert" && path == "alert" && sig_ns {
                    // The schema's trailing <any namespace="xmldsig"> wildcard.
                    self.missing_from(path, particles, idx, count, &present);
                    idx = particles.len();
                    count = 0;
                    after_cap = true;
                } else {
                    let ns = c.ns.as_deref().unwrap_or("no namespace");
                    self.err(
                        cpath,
                        "foreign-element",
                        format!("<{}> ({ns}) is not allowed inside <{}>", c.name, el.name),
                    );
                }
                continue;
            }
            let Some(j) = particles.iter().position(|p| p.name == c.name) else {
                self.err(
                    cpath,
                    "unknown-element",
                    format!(
                        "<{}> is not a CAP element allowed inside <{}>",
                        c.name, el.name
                    ),
                );
                continue;
            };
            let p = particles[j];
            if after_cap || j < idx {
                let expected_before = particles.get(idx).map_or("the signature", |p| p.name);
                self.err(
                    &cpath,
                    "out-of-order",
                    format!(
                        "<{}> is out of order: the schema puts it before <{expected_before}>",
                        c.name
                    ),
                );
            } else if j == idx {
                count += 1;
                if count > 1 && !p.many {
                    self.err(
                        &cpath,
                        "too-many",
                        format!("<{}> may appear only once in <{}>", c.name, el.name),
                    );
                }
            } else {
                self.missing_from(path, &particles[..j], idx, count, &present);
                idx = j;
                count = 1;
            }
            self.element(c, &cpath, p.ty);
        }
        self.missing_from(path, particles, idx, count, &present);
    }

    /// Reports required particles from `idx` to the end of `particles` that
    /// were not seen (`count` is how often `particles[idx]` was).
    fn missing_from(
        &mut self,
        path: &str,
        particles: &[Particle],
        idx: usize,
        count: usize,
        present: &[&str],
    ) {
        for (k, p) in particles.iter().enumerate().skip(idx) {
            let seen = if k == idx { count } else { 0 };
            let min = if p.name == "mimeType" && self.version == CapVersion::V1_1 {
                0
            } else {
                usize::from(p.min)
            };
            if seen < min && !(seen == 0 && present.contains(&p.name)) {
                let parent = path.rsplit('/').next().unwrap_or(path);
                let parent = parent.split('[').next().unwrap_or(parent);
                self.err(
                    format!("{path}/{}", p.name),
                    "missing-element",
                    format!("required element <{}> is missing from <{parent}>", p.name),
                );
            }
        }
    }

    fn id_like(&mut self, el: &Element, path: &str, name: &str) {
        if let Some(e) = self.first(el, name) {
            let v = e.text.trim();
            let p = format!("{path}/{name}");
            if v.is_empty() {
                self.err(p, "empty-value", format!("<{name}> is empty"));
            } else if let Some(c) = forbidden_id_char(v) {
                self.err(
                    p,
                    "forbidden-character",
                    format!("<{name}> must not contain spaces, commas, '<' or '&' (found {c:?})"),
                );
            }
        }
    }

    fn non_blank(&mut self, el: &Element, path: &str, name: &str) {
        if let Some(e) = self.first(el, name) {
            if e.text.trim().is_empty() {
                self.err(
                    format!("{path}/{name}"),
                    "empty-value",
                    format!("<{name}> is empty"),
                );
            }
        }
    }

    fn alert_rules(&mut self, el: &Element, path: &str) {
        self.id_like(el, path, "identifier");
        self.id_like(el, path, "sender");
        let scope = self.first(el, "scope").map(val);
        let restriction = self
            .first(el, "restriction")
            .map(val)
            .filter(|s| !s.is_empty());
        match (scope, restriction) {
            (Some("Restricted"), None) => self.err(
                format!("{path}/restriction"),
                "restriction-required",
                "<scope> is Restricted, so <restriction> is required",
            ),
            (Some(s), Some(_)) if s != "Restricted" => self.err(
                format!("{path}/restriction"),
                "restriction-not-allowed",
                format!("<restriction> is used only when <scope> is Restricted (it is {s})"),
            ),
            _ => {}
        }
        let addresses = self.first(el, "addresses").map(val);
        if scope == Some("Private") && addresses.is_none_or(str::is_empty) {
            self.err(
                format!("{path}/addresses"),
                "addresses-required",
                "<scope> is Private, so <addresses> is required",
            );
        }
        for name in ["addresses", "incidents"] {
            if let Some(v) = self.first(el, name).map(val) {
                if split_quoted_list(v).is_none() {
                    self.err(
                        format!("{path}/{name}"),
                        "list-format",
                        format!("<{name}> has an unbalanced double quote"),
                    );
                }
            }
        }
        match self.first(el, "references").map(val) {
            Some("") => self.err(
                format!("{path}/references"),
                "references-empty",
                "<references> is present but empty; omit it or list sender,identifier,sent triples",
            ),
            Some(refs) => {
                for (i, r) in refs.split_whitespace().enumerate() {
                    if let Err(m) = check_reference(r) {
                        self.err(
                            format!("{path}/references"),
                            "reference-format",
                            format!("reference {} {r:?}: {m}", i + 1),
                        );
                    }
                }
            }
            None => {
                if let Some(mt) = self.first(el, "msgType").map(val) {
                    if matches!(mt, "Update" | "Cancel" | "Ack" | "Error") {
                        self.warn(
                            format!("{path}/references"),
                            "references-missing",
                            format!(
                                "<msgType> {mt} should name the earlier message(s) in <references>"
                            ),
                        );
                    }
                }
            }
        }
    }

    fn info_rules(&mut self, el: &Element, path: &str) {
        self.non_blank(el, path, "event");
        // A warning, not an error: the XSD types <web> `anyURI` (which an
        // empty or relative value satisfies) and real national feeds carry
        // such values; the message is still readable without the link.
        if let Some(web) = self.first(el, "web") {
            let v = val(web);
            if !has_scheme(v) || v.chars().any(char::is_whitespace) {
                self.warn(
                    format!("{path}/web"),
                    "web-not-absolute",
                    format!("<web> {v:?} is not a full absolute URI"),
                );
            }
        }
        let time = |name: &str| {
            self.first(el, name)
                .and_then(|e| DateTime::parse(val(e)).ok())
                .map(|d| d.unix_seconds())
        };
        let (effective, onset, expires) = (time("effective"), time("onset"), time("expires"));
        if let Some(x) = expires {
            if effective.is_some_and(|e| x < e) {
                self.warn(
                    format!("{path}/expires"),
                    "expires-before-effective",
                    "<expires> is earlier than <effective>",
                );
            }
            if onset.is_some_and(|o| x < o) {
                self.warn(
                    format!("{path}/expires"),
                    "expires-before-onset",
                    "<expires> is earlier than <onset>",
                );
            }
        }
    }

    fn resource_rules(&mut self, el: &Element, path: &str) {
        self.non_blank(el, path, "resourceDesc");
        if let Some(m) = self.first(el, "mimeType").map(val) {
            if m.is_empty() {
                self.err(
                    format!("{path}/mimeType"),
                    "empty-value",
                    "<mimeType> is empty",
                );
            } else if !is_mime(m) {
                self.warn(
                    format!("{path}/mimeType"),
                    "mime-type-format",
                    format!("<mimeType> {m:?} is not of the form type/subtype (RFC 2046)"),
                );
            }
        }
        if let Some(n) = self.first(el, "size").and_then(|e| parse_integer(val(e))) {
            if n < 0 {
                self.err(format!("{path}/size"), "invalid-size", "<size> is negative");
            }
        }
        if let Some(d) = self.first(el, "digest").map(val) {
            if d.is_empty() || !d.bytes().all(|b| b.is_ascii_hexdigit()) {
                self.err(
                    format!("{path}/digest"),
                    "digest-format",
                    "<digest> must be a hexadecimal SHA-1 hash",
                );
            } else if d.len() != 40 {
                self.warn(
                    format!("{path}/digest"),
                    "digest-not-sha1",
                    format!("<digest> has {} hex digits; a SHA-1 hash has 40", d.len()),
                );
            }
        }
        let deref = self.first(el, "derefUri");
        if let Some(d) = deref {
            if !is_base64(&d.text) {
                self.err(
                    format!("{path}/derefUri"),
                    "deref-uri-format",
                    "<derefUri> must hold base64-encoded content",
                );
            }
        }
        if let Some(u) = self.first(el, "uri").map(val) {
            if deref.is_none() && !has_scheme(u) {
                self.warn(
                    format!("{path}/uri"),
                    "uri-relative",
                    format!("<uri> {u:?} is relative but there is no <derefUri>"),
                );
            }
        }
    }

    fn area_rules(&mut self, el: &Element, path: &str) {
        self.non_blank(el, path, "areaDesc");
        for (i, e) in self.all(el, "polygon").into_iter().enumerate() {
            let text = &e.text;
            let p = format!("{path}/polygon[{i}]");
            match parse_polygon(text) {
                Err(m) => self.err(p, "polygon-format", m),
                Ok(points) => {
                    if points.len() < 4 {
                        self.err(
                            &p,
                            "polygon-too-few-points",
                            format!(
                                "a polygon needs at least 4 lat,lon pairs (has {})",
                                points.len()
                            ),
                        );
                    }
                    if points.first() != points.last() {
                        self.err(
                            &p,
                            "polygon-not-closed",
                            "the first and last lat,lon pairs of a polygon must be the same",
                        );
                    }
                    self.ranges(&p, &points);
                }
            }
        }
        for (i, e) in self.all(el, "circle").into_iter().enumerate() {
            let text = &e.text;
            let p = format!("{path}/circle[{i}]");
            match parse_circle(text) {
                Err(m) => self.err(p, "circle-format", m),
                Ok(c) => {
                    self.ranges(&p, &[c.center]);
                    if c.radius_km < 0.0 {
                        self.err(p, "circle-radius", "a circle's radius must not be negative");
                    }
                }
            }
        }
        let altitude = self.first(el, "altitude").map(|e| parse_decimal(val(e)));
        if let Some(c) = self.first(el, "ceiling").map(|e| parse_decimal(val(e))) {
            match altitude {
                None => self.err(
                    format!("{path}/ceiling"),
                    "ceiling-without-altitude",
                    "<ceiling> is allowed only together with <altitude>",
                ),
                Some(Some(a)) => {
                    if c.is_some_and(|c| c < a) {
                        self.err(
                            format!("{path}/ceiling"),
                            "ceiling-below-altitude",
                            "<ceiling> must not be lower than <altitude>",
                        );
                    }
                }
                Some(None) => {}
            }
        }
    }

    fn ranges(&mut self, path: &str, points: &[Point]) {
        if let Some(bad) = points.iter().find(|p| !p.in_range()) {
            self.err(
                path,
                "coordinate-out-of-range",
                format!(
                    "{},{} is out of range (latitude −90…90, longitude −180…180)",
                    bad.lat, bad.lon
                ),
            );
        }
    }
}

/// Reports characters in `alert`'s text that XML 1.0 cannot carry (they are
/// dropped by [`crate::to_xml`]).
pub(crate) fn illegal_chars(alert: &crate::Alert) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut check = |path: String, s: &str| {
        if let Some(c) = s.chars().find(|&c| !crate::write::is_xml_char(c)) {
            out.push(Problem::error(
                path,
                "invalid-character",
                format!("character U+{:04X} cannot be written in XML", u32::from(c)),
            ));
        }
    };
    let a = "alert";
    check(format!("{a}/identifier"), &alert.identifier);
    check(format!("{a}/sender"), &alert.sender);
    for (name, v) in [
        ("source", &alert.source),
        ("restriction", &alert.restriction),
        ("note", &alert.note),
    ] {
        if let Some(v) = v {
            check(format!("{a}/{name}"), v);
        }
    }
    for v in &alert.addresses {
        check(format!("{a}/addresses"), v);
    }
    for v in &alert.incidents {
        check(format!("{a}/incidents"), v);
    }
    for r in &alert.references {
        check(format!("{a}/references"), &r.sender);
        check(format!("{a}/references"), &r.identifier);
    }
    for (i, c) in alert.codes.iter().enumerate() {
        check(format!("{a}/code[{i}]"), c);
    }
    for (i, info) in alert.infos.iter().enumerate() {
        let ip = format!("{a}/info[{i}]");
        check(format!("{ip}/event"), &info.event);
        for (name, v) in [
            ("language", &info.language),
            ("audience", &info.audience),
            ("senderName", &info.sender_name),
            ("headline", &info.headline),
            ("description", &info.description),
            ("instruction", &info.instruction),
            ("web", &info.web),
            ("contact", &info.contact),
        ] {
            if let Some(v) = v {
                check(format!("{ip}/{name}"), v);
            }
        }
        for (name, pairs) in [
            ("eventCode", &info.event_codes),
            ("parameter", &info.parameters),
        ] {
            for (j, p) in pairs.iter().enumerate() {
                check(format!("{ip}/{name}[{j}]/valueName"), &p.value_name);
                check(format!("{ip}/{name}[{j}]/value"), &p.value);
            }
        }
        for (j, r) in info.resources.iter().enumerate() {
            let rp = format!("{ip}/resource[{j}]");
            check(format!("{rp}/resourceDesc"), &r.resource_desc);
            check(format!("{rp}/mimeType"), &r.mime_type);
            for (name, v) in [
                ("uri", &r.uri),
                ("derefUri", &r.deref_uri),
                ("digest", &r.digest),
            ] {
                if let Some(v) = v {
                    check(format!("{rp}/{name}"), v);
                }
            }
        }
        for (j, area) in info.areas.iter().enumerate() {
            let ap = format!("{ip}/area[{j}]");
            check(format!("{ap}/areaDesc"), &area.area_desc);
            for (k, g) in area.geocodes.iter().enumerate() {
                check(format!("{ap}/geocode[{k}]/valueName"), &g.value_name);
                check(format!("{ap}/geocode[{k}]/value"), &g.value);
            }
        }
    }
    out
}

fn is_mime(m: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_graphic() && !"()<>@,;:\\\"/[]?=".contains(c))
    };
    let base = m.split(';').next().unwrap_or("").trim();
    match base.split_once('/') {
        Some((t, s)) => token(t) && token(s),
        None => false,
    }
}

fn check_reference(r: &str) -> Result<(), String> {
    let parts: Vec<&str> = r.split(',').collect();
    let [sender, identifier, sent] = parts.as_slice() else {
        return Err(format!(
            "must be sender,identifier,sent (has {} comma-separated parts)",
            parts.len()
        ));
    };
    if sender.is_empty() || identifier.is_empty() {
        return Err("sender and identifier must not be empty".to_string());
    }
    DateTime::parse(sent)
        .map(|_| ())
        .map_err(|e| format!("sent {sent:?} {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert!(check_reference("a,b,2012-05-02T21:45:05-00:00").is_ok());
        assert!(check_reference("a,b").is_err());
        assert!(check_reference("a,b,c,d").is_err());
        assert!(check_reference("a,b,2012-05-02T21:45:05Z").is_err());
        assert!(check_reference(",b,2012-05-02T21:45:05-00:00").is_err());
    }

    #[test]
    fn mime() {
        assert!(is_mime("image/jpeg"));
        assert!(is_mime("text/plain; charset=utf-8"));
        assert!(!is_mime("jpeg"));
    }

    #[test]
    fn paths() {
        assert_eq!(child_path("alert", "info", 0), "alert/info[0]");
        assert_eq!(child_path("alert", "scope", 0), "alert/scope");
        assert_eq!(child_path("alert", "scope", 1), "alert/scope[1]");
    }
}
