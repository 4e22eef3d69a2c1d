//! The public CAP feed: an Atom 1.0 index (RFC 4287) whose entries link to
//! each alert's CAP XML.
//!
//! Each entry has an `id`, `title`, `updated` (and `published`), an optional
//! `summary`, a `link rel="alternate" type="application/cap+xml"` to the
//! alert, `category` elements for the CAP severity
//! (`scheme="urn:oasis:names:tc:emergency:cap:1.2#severity"`), the warning
//! colour (`scheme="urn:yingji:warning-colour"`, `label` in Chinese) and the
//! CAP `msgType`, and a few CAP elements in the CAP namespace
//! (`cap:identifier`, `cap:sender`, `cap:sent`, `cap:status`, `cap:msgType`,
//! `cap:event`, `cap:severity`, `cap:expires`, `cap:areaDesc`) for
//! aggregators that read them. Dates use RFC 3339 (`Z` for UTC).
//!
//! Text is XML-escaped, and characters XML 1.0 cannot carry (C0 controls
//! other than tab/newline/return, U+FFFE, U+FFFF) are dropped.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use yingji_cap::china::WarningLevel;
use yingji_cap::{Alert, DateTime, MsgType, Severity, Status};

/// The CAP 1.2 namespace.
pub const CAP_NS: &str = "urn:oasis:names:tc:emergency:cap:1.2";
/// The Atom namespace.
pub const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
/// Category scheme for CAP severities.
pub const SEVERITY_SCHEME: &str = "urn:oasis:names:tc:emergency:cap:1.2#severity";
/// Category scheme for CAP message types.
pub const MSG_TYPE_SCHEME: &str = "urn:oasis:names:tc:emergency:cap:1.2#msgType";
/// Category scheme for warning colours (`blue` … `red`).
pub const COLOUR_SCHEME: &str = "urn:yingji:warning-colour";

/// The feed itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedInfo {
    /// A permanent IRI for the feed (its URL or a `urn:uuid:…`).
    pub id: String,
    /// The feed title (`北京市突发事件预警信息`).
    pub title: String,
    /// An optional subtitle.
    #[serde(default)]
    pub subtitle: Option<String>,
    /// Where this feed is served (`link rel="self"`).
    pub self_url: String,
    /// An HTML page for people (`link rel="alternate" type="text/html"`).
    #[serde(default)]
    pub html_url: Option<String>,
    /// The publisher (`author/name`).
    pub author_name: String,
    /// The publisher's e-mail (`author/email`).
    #[serde(default)]
    pub author_email: Option<String>,
    /// The publisher's web site (`author/uri`).
    #[serde(default)]
    pub author_uri: Option<String>,
    /// The feed language (`xml:lang`), e.g. `zh-CN`.
    #[serde(default)]
    pub language: Option<String>,
    /// When the feed last changed. Default: the latest entry `updated`, or
    /// the Unix epoch for an empty feed (set it for an empty feed).
    #[serde(default)]
    pub updated: Option<DateTime>,
}

/// One alert in the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEntry {
    /// A permanent IRI for the entry ([`FeedEntry::from_alert`] uses the
    /// CAP URL).
    pub id: String,
    /// The CAP identifier.
    pub identifier: String,
    /// The CAP sender.
    pub sender: String,
    /// The CAP `sent` time (also `published`).
    pub sent: DateTime,
    /// When the entry last changed (usually `sent`).
    pub updated: DateTime,
    /// The title (headline or event).
    pub title: String,
    /// A short summary (description), if any.
    pub summary: Option<String>,
    /// Where the CAP XML is served.
    pub cap_url: String,
    /// CAP `status`.
    pub status: Status,
    /// CAP `msgType`.
    pub msg_type: MsgType,
    /// The event (`暴雨`).
    pub event: Option<String>,
    /// The CAP severity.
    pub severity: Option<Severity>,
    /// When the alert expires.
    pub expires: Option<DateTime>,
    /// The areas, joined by `、` (Chinese) or `, `.
    pub area_desc: Option<String>,
}

impl FeedEntry {
    /// An entry for `alert` served at `cap_url`, with texts from the info
    /// block in `language` (else the first one); `id` is `cap_url`.
    pub fn from_alert(alert: &Alert, cap_url: &str, language: &str) -> FeedEntry {
        let info = alert.info_in(language).or_else(|| alert.infos.first());
        let zh = info.is_some_and(|i| {
            i.language_or_default()
                .to_ascii_lowercase()
                .starts_with("zh")
        });
        let nonempty = |s: Option<&String>| {
            s.map(|t| crate::message::one_line(t))
                .filter(|t| !t.is_empty())
        };
        let event = nonempty(info.map(|i| &i.event));
        let title = nonempty(info.and_then(|i| i.headline.as_ref()))
            .or_else(|| event.clone())
            .unwrap_or_else(|| alert.identifier.clone());
        let summary = nonempty(info.and_then(|i| i.description.as_ref()))
            .map(|s| crate::message::truncate_chars(&s, 500));
        let areas: Vec<String> = info
            .map(|i| {
                i.areas
                    .iter()
                    .map(|a| crate::message::one_line(&a.area_desc))
                    .filter(|a| !a.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let area_desc = if areas.is_empty() {
            None
        } else {
            Some(areas.join(if zh { "、" } else { ", " }))
        };
        FeedEntry {
            id: cap_url.to_string(),
            identifier: alert.identifier.clone(),
            sender: alert.sender.clone(),
            sent: alert.sent,
            updated: alert.sent,
            title,
            summary,
            cap_url: cap_url.to_string(),
            status: alert.status,
            msg_type: alert.msg_type,
            event,
            severity: info.map(|i| i.severity),
            expires: info.and_then(|i| i.expires),
            area_desc,
        }
    }
}

/// The Atom 1.0 document for `feed` with `entries` (in the order given;
/// newest first is customary).
pub fn atom_index(feed: &FeedInfo, entries: &[FeedEntry]) -> String {
    let updated = feed
        .updated
        .or_else(|| {
            entries
                .iter()
                .map(|e| e.updated)
                .max_by_key(|d| d.unix_seconds())
        })
        .map(|d| atom_date(&d))
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
    let mut s = String::with_capacity(1024 + entries.len() * 1024);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = write!(s, "<feed xmlns=\"{ATOM_NS}\" xmlns:cap=\"{CAP_NS}\"");
    if let Some(lang) = feed.language.as_deref().filter(|l| !l.is_empty()) {
        let _ = write!(s, " xml:lang=\"{}\"", esc(lang));
    }
    s.push_str(">\n");
    element(&mut s, 1, "id", &feed.id);
    element(&mut s, 1, "title", &feed.title);
    if let Some(sub) = &feed.subtitle {
        element(&mut s, 1, "subtitle", sub);
    }
    element(&mut s, 1, "updated", &updated);
    s.push_str("  <author>\n");
    element(&mut s, 2, "name", &feed.author_name);
    if let Some(e) = &feed.author_email {
        element(&mut s, 2, "email", e);
    }
    if let Some(u) = &feed.author_uri {
        element(&mut s, 2, "uri", u);
    }
    s.push_str("  </author>\n");
    link(&mut s, 1, "self", "application/atom+xml", &feed.self_url);
    if let Some(h) = &feed.html_url {
        link(&mut s, 1, "alternate", "text/html", h);
    }
    let _ = writeln!(
        s,
        "  <generator version=\"{}\">yingji</generator>",
        env!("CARGO_PKG_VERSION")
    );
    for e in entries {
        entry(&mut s, e);
    }
    s.push_str("</feed>\n");
    s
}

fn entry(s: &mut String, e: &FeedEntry) {
    s.push_str("  <entry>\n");
    element(s, 2, "id", &e.id);
    element(s, 2, "title", &e.title);
    element(s, 2, "updated", &atom_date(&e.updated));
    element(s, 2, "published", &atom_date(&e.sent));
    if let Some(sum) = &e.summary {
        element(s, 2, "summary", sum);
    }
    link(s, 2, "alternate", "application/cap+xml", &e.cap_url);
    if let Some(sev) = e.severity {
        category(s, SEVERITY_SCHEME, sev.as_str(), None);
        if let Some(level) = WarningLevel::from_severity(sev) {
            let label = format!("{}预警", level.colour_zh());
            category(
                s,
                COLOUR_SCHEME,
                &level.colour_en().to_ascii_lowercase(),
                Some(&label),
            );
        }
    }
    category(s, MSG_TYPE_SCHEME, e.msg_type.as_str(), None);
    element(s, 2, "cap:identifier", &e.identifier);
    element(s, 2, "cap:sender", &e.sender);
    element(s, 2, "cap:sent", &e.sent.to_string());
    element(s, 2, "cap:status", e.status.as_str());
    element(s, 2, "cap:msgType", e.msg_type.as_str());
    if let Some(ev) = &e.event {
        element(s, 2, "cap:event", ev);
    }
    if let Some(sev) = e.severity {
        element(s, 2, "cap:severity", sev.as_str());
    }
    if let Some(x) = &e.expires {
        element(s, 2, "cap:expires", &x.to_string());
    }
    if let Some(a) = &e.area_desc {
        element(s, 2, "cap:areaDesc", a);
    }
    s.push_str("  </entry>\n");
}

fn indent(s: &mut String, level: usize) {
    for _ in 0..level {
        s.push_str("  ");
    }
}

fn element(s: &mut String, level: usize, name: &str, text: &str) {
    indent(s, level);
    let _ = writeln!(s, "<{name}>{}</{name}>", esc(text));
}

fn link(s: &mut String, level: usize, rel: &str, media: &str, href: &str) {
    indent(s, level);
    let _ = writeln!(
        s,
        "<link rel=\"{rel}\" type=\"{media}\" href=\"{}\"/>",
        esc(href)
    );
}

fn category(s: &mut String, scheme: &str, term: &str, label: Option<&str>) {
    indent(s, 2);
    let _ = write!(
        s,
        "<category scheme=\"{}\" term=\"{}\"",
        esc(scheme),
        esc(term)
    );
    if let Some(l) = label {
        let _ = write!(s, " label=\"{}\"", esc(l));
    }
    s.push_str("/>\n");
}

/// RFC 3339 for Atom: the CAP form, with `Z` for UTC.
fn atom_date(d: &DateTime) -> String {
    let t = d.to_string();
    if d.offset_minutes == 0 {
        format!("{}Z", &t[..t.len().saturating_sub(6)])
    } else {
        t
    }
}

/// Whether XML 1.0 can carry `c`.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Escapes text for element content and attribute values (`&`, `<`, `>`,
/// `"`, `'`), dropping characters XML 1.0 cannot carry (also the platform's
/// .docx writer's escaping, as `yingji_channels::xml_escape`).
pub fn esc(text: &str) -> String {
    let clean: String = text.chars().filter(|c| is_xml_char(*c)).collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
}
