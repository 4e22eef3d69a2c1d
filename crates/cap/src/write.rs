//! Canonical CAP 1.2 output: UTF-8, default namespace, schema order, two-space
//! indentation, UTC written `-00:00`, numbers in shortest round-trip form.
//!
//! Text is escaped (`&`, `<`, `>`; `\r` as `&#13;` so it survives reading).
//! Characters XML 1.0 cannot carry at all (most C0 controls, U+FFFE, U+FFFF)
//! are dropped; [`crate::validate_alert`] reports them.

use std::fmt::Write as _;

use crate::model::{join_quoted_list, Alert, Area, Info, Resource, ValuePair};
use crate::report::CapVersion;

/// Whether `c` may appear in an XML 1.0 document.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

struct W {
    out: String,
    depth: usize,
}

impl W {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn text(&mut self, name: &str, value: &str) {
        self.indent();
        let _ = write!(self.out, "<{name}>");
        escape_into(&mut self.out, value);
        let _ = writeln!(self.out, "</{name}>");
    }

    fn opt(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.text(name, v);
        }
    }

    fn open(&mut self, name: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{name}>");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    fn pair(&mut self, name: &str, p: &ValuePair) {
        self.open(name);
        self.text("valueName", &p.value_name);
        self.text("value", &p.value);
        self.close(name);
    }
}

/// Writes `alert` as a canonical CAP 1.2 document (with XML declaration).
pub fn to_xml(alert: &Alert) -> String {
    let mut w = W {
        out: String::with_capacity(2048),
        depth: 0,
    };
    w.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(w.out, "<alert xmlns=\"{}\">", CapVersion::NS_1_2);
    w.depth = 1;
    w.text("identifier", &alert.identifier);
    w.text("sender", &alert.sender);
    w.text("sent", &alert.sent.to_string());
    w.text("status", alert.status.as_str());
    w.text("msgType", alert.msg_type.as_str());
    w.opt("source", alert.source.as_deref());
    w.text("scope", alert.scope.as_str());
    w.opt("restriction", alert.restriction.as_deref());
    if !alert.addresses.is_empty() {
        w.text("addresses", &join_quoted_list(&alert.addresses));
    }
    for c in &alert.codes {
        w.text("code", c);
    }
    w.opt("note", alert.note.as_deref());
    if !alert.references.is_empty() {
        let refs: Vec<String> = alert.references.iter().map(ToString::to_string).collect();
        w.text("references", &refs.join(" "));
    }
    if !alert.incidents.is_empty() {
        w.text("incidents", &join_quoted_list(&alert.incidents));
    }
    for info in &alert.infos {
        write_info(&mut w, info);
    }
    w.out.push_str("</alert>\n");
    w.out
}

fn write_info(w: &mut W, info: &Info) {
    w.open("info");
    w.opt("language", info.language.as_deref());
    for c in &info.categories {
        w.text("category", c.as_str());
    }
    w.text("event", &info.event);
    for r in &info.response_types {
        w.text("responseType", r.as_str());
    }
    w.text("urgency", info.urgency.as_str());
    w.text("severity", info.severity.as_str());
    w.text("certainty", info.certainty.as_str());
    w.opt("audience", info.audience.as_deref());
    for p in &info.event_codes {
        w.pair("eventCode", p);
    }
    for (name, t) in [
        ("effective", info.effective),
        ("onset", info.onset),
        ("expires", info.expires),
    ] {
        if let Some(t) = t {
            w.text(name, &t.to_string());
        }
    }
    w.opt("senderName", info.sender_name.as_deref());
    w.opt("headline", info.headline.as_deref());
    w.opt("description", info.description.as_deref());
    w.opt("instruction", info.instruction.as_deref());
    w.opt("web", info.web.as_deref());
    w.opt("contact", info.contact.as_deref());
    for p in &info.parameters {
        w.pair("parameter", p);
    }
    for r in &info.resources {
        write_resource(w, r);
    }
    for a in &info.areas {
        write_area(w, a);
    }
    w.close("info");
}

fn write_resource(w: &mut W, r: &Resource) {
    w.open("resource");
    w.text("resourceDesc", &r.resource_desc);
    w.text("mimeType", &r.mime_type);
    if let Some(s) = r.size {
        w.text("size", &s.to_string());
    }
    w.opt("uri", r.uri.as_deref());
    w.opt("derefUri", r.deref_uri.as_deref());
    w.opt("digest", r.digest.as_deref());
    w.close("resource");
}

fn write_area(w: &mut W, a: &Area) {
    w.open("area");
    w.text("areaDesc", &a.area_desc);
    for p in &a.polygons {
        w.text("polygon", &p.to_string());
    }
    for c in &a.circles {
        w.text("circle", &c.to_string());
    }
    for g in &a.geocodes {
        w.pair("geocode", g);
    }
    if let Some(x) = a.altitude {
        w.text("altitude", &x.to_string());
    }
    if let Some(x) = a.ceiling {
        w.text("ceiling", &x.to_string());
    }
    w.close("area");
}
