//! The typed CAP 1.2 model: [`Alert`] → [`Info`] → [`Resource`] / [`Area`].
//!
//! Field names follow the CAP element names in Rust case (`msgType` →
//! `msg_type`); repeated elements are `Vec`s with plural names (`category` →
//! `categories`). Optional elements are `Option`s. Element order when written
//! is always the schema order, whatever order the fields were filled in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::datetime::DateTime;

macro_rules! cap_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in the order the schema lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The CAP text of this value.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Reads the exact CAP text of a value.
            pub fn from_cap(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                $name::from_cap(s).ok_or_else(|| UnknownValue {
                    element: stringify!($name),
                    value: s.to_string(),
                })
            }
        }
    };
}

/// A text that is not one of an enumeration's CAP values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a CAP {element} value")]
pub struct UnknownValue {
    /// The Rust name of the enumeration.
    pub element: &'static str,
    /// The text that was given.
    pub value: String,
}

cap_enum! {
    /// `alert/status`: the appropriate handling of the message.
    Status {
        /// Actionable by all targeted recipients.
        Actual = "Actual",
        /// Actionable only by designated exercise participants.
        Exercise = "Exercise",
        /// For messages that support alert network internal functions.
        System = "System",
        /// Technical testing only; all recipients disregard.
        Test = "Test",
        /// A preliminary template or draft, not actionable in its current form.
        Draft = "Draft",
    }
}

cap_enum! {
    /// `alert/msgType`: the nature of the message.
    MsgType {
        /// Initial information requiring attention by targeted recipients.
        Alert = "Alert",
        /// Updates and supersedes the earlier message(s) in `references`.
        Update = "Update",
        /// Cancels the earlier message(s) in `references`.
        Cancel = "Cancel",
        /// Acknowledges receipt and acceptance of the message(s) in `references`.
        Ack = "Ack",
        /// Indicates rejection of the message(s) in `references`.
        Error = "Error",
    }
}

cap_enum! {
    /// `alert/scope`: the intended distribution.
    Scope {
        /// For general dissemination to unrestricted audiences.
        Public = "Public",
        /// For dissemination only to users with a known operational requirement (see `restriction`).
        Restricted = "Restricted",
        /// For dissemination only to the specified `addresses`.
        Private = "Private",
    }
}

cap_enum! {
    /// `info/category`: the category of the subject event.
    Category {
        /// Geophysical (including landslide).
        Geo = "Geo",
        /// Meteorological (including flood).
        Met = "Met",
        /// General emergency and public safety.
        Safety = "Safety",
        /// Law enforcement, military, homeland and local/private security.
        Security = "Security",
        /// Rescue and recovery.
        Rescue = "Rescue",
        /// Fire suppression and rescue.
        Fire = "Fire",
        /// Medical and public health.
        Health = "Health",
        /// Pollution and other environmental.
        Env = "Env",
        /// Public and private transportation.
        Transport = "Transport",
        /// Utility, telecommunication, other non-transport infrastructure.
        Infra = "Infra",
        /// Chemical, biological, radiological, nuclear or high-yield explosive threat or attack.
        Cbrne = "CBRNE",
        /// Other events.
        Other = "Other",
    }
}

cap_enum! {
    /// `info/responseType`: the recommended type of action.
    ResponseType {
        /// Take shelter in place.
        Shelter = "Shelter",
        /// Relocate as instructed.
        Evacuate = "Evacuate",
        /// Make preparations.
        Prepare = "Prepare",
        /// Execute a pre-planned activity.
        Execute = "Execute",
        /// Avoid the subject event (new in CAP 1.2).
        Avoid = "Avoid",
        /// Attend to information sources.
        Monitor = "Monitor",
        /// Evaluate the information in this message (not for public warnings).
        Assess = "Assess",
        /// The subject event no longer poses a threat (new in CAP 1.2).
        AllClear = "AllClear",
        /// No action recommended.
        None = "None",
    }
}

cap_enum! {
    /// `info/urgency`: the urgency of the subject event.
    Urgency {
        /// Responsive action should be taken immediately.
        Immediate = "Immediate",
        /// Responsive action should be taken soon (within the next hour).
        Expected = "Expected",
        /// Responsive action should be taken in the near future.
        Future = "Future",
        /// Responsive action is no longer required.
        Past = "Past",
        /// Urgency not known.
        Unknown = "Unknown",
    }
}

cap_enum! {
    /// `info/severity`: the severity of the subject event.
    Severity {
        /// Extraordinary threat to life or property.
        Extreme = "Extreme",
        /// Significant threat to life or property.
        Severe = "Severe",
        /// Possible threat to life or property.
        Moderate = "Moderate",
        /// Minimal to no known threat to life or property.
        Minor = "Minor",
        /// Severity unknown.
        Unknown = "Unknown",
    }
}

cap_enum! {
    /// `info/certainty`: the certainty of the subject event.
    ///
    /// CAP 1.1's deprecated `Very Likely` is read as [`Certainty::Likely`].
    Certainty {
        /// Determined to have occurred or to be ongoing.
        Observed = "Observed",
        /// Likely (p > ~50%).
        Likely = "Likely",
        /// Possible but not likely (p <= ~50%).
        Possible = "Possible",
        /// Not expected to occur (p ~ 0).
        Unlikely = "Unlikely",
        /// Certainty unknown.
        Unknown = "Unknown",
    }
}

/// A `valueName` / `value` pair: `eventCode`, `parameter` and `geocode`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ValuePair {
    /// The user-assigned name of the code or parameter (`valueName`).
    pub value_name: String,
    /// The value (`value`).
    pub value: String,
}

impl ValuePair {
    /// A pair from its name and value.
    pub fn new(value_name: impl Into<String>, value: impl Into<String>) -> Self {
        ValuePair {
            value_name: value_name.into(),
            value: value.into(),
        }
    }
}

/// A WGS 84 point, in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Latitude, −90 … 90.
    pub lat: f64,
    /// Longitude, −180 … 180.
    pub lon: f64,
}

impl Point {
    /// Whether both coordinates are finite and in range.
    pub fn in_range(&self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", self.lat, self.lon)
    }
}

/// `area/polygon`: a closed ring of at least four points, first = last.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Polygon {
    /// The ring's points in order; a valid polygon repeats the first point last.
    pub points: Vec<Point>,
}

impl Polygon {
    /// A polygon from its points (not checked: see [`crate::validate_alert`]).
    pub fn new(points: Vec<Point>) -> Self {
        Polygon { points }
    }
}

impl fmt::Display for Polygon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.points.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// `area/circle`: a centre point and a radius in kilometres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Circle {
    /// The centre.
    pub center: Point,
    /// The radius in kilometres (0 for a point).
    pub radius_km: f64,
}

impl fmt::Display for Circle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.center, self.radius_km)
    }
}

/// One entry of `alert/references`: `sender,identifier,sent` of an earlier message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reference {
    /// The earlier message's `sender`.
    pub sender: String,
    /// The earlier message's `identifier`.
    pub identifier: String,
    /// The earlier message's `sent`.
    pub sent: DateTime,
}

impl Reference {
    /// The reference to `alert` (its `sender,identifier,sent`).
    pub fn to(alert: &Alert) -> Self {
        Reference {
            sender: alert.sender.clone(),
            identifier: alert.identifier.clone(),
            sent: alert.sent,
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{},{}", self.sender, self.identifier, self.sent)
    }
}

/// `info/resource`: a digital asset (image, audio …) supplementing the info block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// Human-readable description of the type and content (`resourceDesc`).
    pub resource_desc: String,
    /// MIME type (`mimeType`; required in CAP 1.2, `application/octet-stream`
    /// is filled in when a CAP 1.1 message omits it).
    pub mime_type: String,
    /// Size in bytes (`size`).
    pub size: Option<u64>,
    /// Where to fetch the resource, or a name for the `deref_uri` content (`uri`).
    pub uri: Option<String>,
    /// The resource content, base64-encoded (`derefUri`).
    pub deref_uri: Option<String>,
    /// SHA-1 digest of the resource, hexadecimal (`digest`).
    pub digest: Option<String>,
}

impl Resource {
    /// A resource with its description and MIME type.
    pub fn new(resource_desc: impl Into<String>, mime_type: impl Into<String>) -> Self {
        Resource {
            resource_desc: resource_desc.into(),
            mime_type: mime_type.into(),
            size: None,
            uri: None,
            deref_uri: None,
            digest: None,
        }
    }
}

/// `info/area`: a geographic area the info block applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    /// Text description of the area (`areaDesc`).
    pub area_desc: String,
    /// Polygons (`polygon`).
    pub polygons: Vec<Polygon>,
    /// Circles (`circle`).
    pub circles: Vec<Circle>,
    /// Geographic codes (`geocode`), e.g. Chinese division codes.
    pub geocodes: Vec<ValuePair>,
    /// Altitude in feet above mean sea level (`altitude`).
    pub altitude: Option<f64>,
    /// Maximum altitude in feet; only with `altitude` (`ceiling`).
    pub ceiling: Option<f64>,
}

impl Area {
    /// An area with only its description.
    pub fn new(area_desc: impl Into<String>) -> Self {
        Area {
            area_desc: area_desc.into(),
            polygons: Vec::new(),
            circles: Vec::new(),
            geocodes: Vec::new(),
            altitude: None,
            ceiling: None,
        }
    }
}

/// `alert/info`: the event, its urgency, severity and certainty, and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Info {
    /// RFC 3066 language (`language`); `None` means the default `en-US`.
    pub language: Option<String>,
    /// Categories (`category`, at least one).
    pub categories: Vec<Category>,
    /// The type of the subject event (`event`).
    pub event: String,
    /// Recommended actions (`responseType`).
    pub response_types: Vec<ResponseType>,
    /// `urgency`.
    pub urgency: Urgency,
    /// `severity`.
    pub severity: Severity,
    /// `certainty`.
    pub certainty: Certainty,
    /// The intended audience (`audience`).
    pub audience: Option<String>,
    /// System-specific event codes (`eventCode`).
    pub event_codes: Vec<ValuePair>,
    /// When the information becomes effective (`effective`).
    pub effective: Option<DateTime>,
    /// Expected beginning of the subject event (`onset`).
    pub onset: Option<DateTime>,
    /// Expiry of the information (`expires`).
    pub expires: Option<DateTime>,
    /// Human-readable name of the issuing agency (`senderName`).
    pub sender_name: Option<String>,
    /// Brief headline (`headline`).
    pub headline: Option<String>,
    /// Extended description of the event (`description`).
    pub description: Option<String>,
    /// Recommended action (`instruction`).
    pub instruction: Option<String>,
    /// Absolute URI for additional information (`web`).
    pub web: Option<String>,
    /// Contact for follow-up (`contact`).
    pub contact: Option<String>,
    /// System-specific parameters (`parameter`).
    pub parameters: Vec<ValuePair>,
    /// Supplementary resources (`resource`).
    pub resources: Vec<Resource>,
    /// Affected areas (`area`).
    pub areas: Vec<Area>,
}

impl Info {
    /// An info block with its required elements and one category.
    pub fn new(
        category: Category,
        event: impl Into<String>,
        urgency: Urgency,
        severity: Severity,
        certainty: Certainty,
    ) -> Self {
        Info {
            language: None,
            categories: vec![category],
            event: event.into(),
            response_types: Vec::new(),
            urgency,
            severity,
            certainty,
            audience: None,
            event_codes: Vec::new(),
            effective: None,
            onset: None,
            expires: None,
            sender_name: None,
            headline: None,
            description: None,
            instruction: None,
            web: None,
            contact: None,
            parameters: Vec::new(),
            resources: Vec::new(),
            areas: Vec::new(),
        }
    }

    /// The language, with CAP's default `en-US` when absent.
    pub fn language_or_default(&self) -> &str {
        self.language.as_deref().unwrap_or("en-US")
    }
}

/// `alert`: the CAP message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Unique identifier assigned by the sender (`identifier`).
    pub identifier: String,
    /// Globally unique identifier of the sender (`sender`).
    pub sender: String,
    /// When the message was sent (`sent`).
    pub sent: DateTime,
    /// `status`.
    pub status: Status,
    /// `msgType`.
    pub msg_type: MsgType,
    /// The particular source of the message, e.g. an operator (`source`).
    pub source: Option<String>,
    /// `scope`.
    pub scope: Scope,
    /// Rule for restricted distribution; only with [`Scope::Restricted`] (`restriction`).
    pub restriction: Option<String>,
    /// Intended recipients; required with [`Scope::Private`] (`addresses`,
    /// written space-separated, quoted when an address has a space).
    pub addresses: Vec<String>,
    /// Special handling codes (`code`).
    pub codes: Vec<String>,
    /// Explanation of the message's purpose or status (`note`).
    pub note: Option<String>,
    /// Earlier messages this one refers to (`references`).
    pub references: Vec<Reference>,
    /// Related incidents (`incidents`, written like `addresses`).
    pub incidents: Vec<String>,
    /// Info blocks, e.g. one per language (`info`).
    pub infos: Vec<Info>,
}

impl Alert {
    /// An alert with its required elements and nothing else.
    pub fn new(
        identifier: impl Into<String>,
        sender: impl Into<String>,
        sent: DateTime,
        status: Status,
        msg_type: MsgType,
        scope: Scope,
    ) -> Self {
        Alert {
            identifier: identifier.into(),
            sender: sender.into(),
            sent,
            status,
            msg_type,
            source: None,
            scope,
            restriction: None,
            addresses: Vec::new(),
            codes: Vec::new(),
            note: None,
            references: Vec::new(),
            incidents: Vec::new(),
            infos: Vec::new(),
        }
    }

    /// The highest severity over all info blocks (`Unknown` counts lowest).
    pub fn max_severity(&self) -> Option<Severity> {
        self.infos
            .iter()
            .map(|i| i.severity)
            .min_by_key(|s| match s {
                Severity::Extreme => 0,
                Severity::Severe => 1,
                Severity::Moderate => 2,
                Severity::Minor => 3,
                Severity::Unknown => 4,
            })
    }

    /// The first info block in `language` (exact, ASCII case-insensitive match).
    pub fn info_in(&self, language: &str) -> Option<&Info> {
        self.infos
            .iter()
            .find(|i| i.language_or_default().eq_ignore_ascii_case(language))
    }
}

/// Splits a CAP list (`addresses`, `incidents`): space-separated, with
/// double-quoted items for those containing spaces. Returns `None` when a
/// quote is left open.
pub fn split_quoted_list(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&c) = chars.peek() else { break };
        let mut item = String::new();
        if c == '"' {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some(ch) => item.push(ch),
                    None => return None,
                }
            }
        } else {
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() {
                    break;
                }
                if ch == '"' {
                    return None;
                }
                item.push(ch);
                chars.next();
            }
        }
        out.push(item);
    }
    Some(out)
}

/// Joins a CAP list, quoting items that contain whitespace.
pub fn join_quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|a| {
            if a.is_empty() || a.chars().any(char::is_whitespace) {
                format!("\"{a}\"")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_lists() {
        let v = split_quoted_list(r#"a "b c"  d"#).unwrap();
        assert_eq!(v, vec!["a", "b c", "d"]);
        assert_eq!(join_quoted_list(&v), r#"a "b c" d"#);
        assert!(split_quoted_list(r#"a "b"#).is_none());
        assert!(split_quoted_list("").unwrap().is_empty());
    }

    #[test]
    fn enums() {
        assert_eq!(Category::from_cap("CBRNE"), Some(Category::Cbrne));
        assert_eq!(
            "AllClear".parse::<ResponseType>(),
            Ok(ResponseType::AllClear)
        );
        assert!("allclear".parse::<ResponseType>().is_err());
        assert_eq!(Status::ALL.len(), 5);
        assert_eq!(Category::ALL.len(), 12);
        assert_eq!(ResponseType::ALL.len(), 9);
    }
}
