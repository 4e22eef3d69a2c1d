//! A readable multi-line rendering of an alert (for `yingji cap show`).

use std::fmt::Write as _;

use crate::china::WarningLevel;
use crate::model::{Alert, Area, Info};

/// Renders `alert` as plain multi-line text: the envelope, then each info
/// block with its event, urgency/severity/certainty, times, texts, areas and
/// resources. Chinese-language info blocks also show the warning colour and
/// level (蓝/黄/橙/红, Ⅳ–Ⅰ).
pub fn summary(alert: &Alert) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "CAP alert {}", alert.identifier);
    line(&mut s, 1, "Sender", &alert.sender);
    line(&mut s, 1, "Sent", &alert.sent.to_string());
    line(
        &mut s,
        1,
        "Type",
        &format!("{} {} ({})", alert.status, alert.msg_type, alert.scope),
    );
    opt(&mut s, 1, "Source", alert.source.as_deref());
    opt(&mut s, 1, "Restriction", alert.restriction.as_deref());
    if !alert.addresses.is_empty() {
        line(&mut s, 1, "Addresses", &alert.addresses.join(", "));
    }
    if !alert.codes.is_empty() {
        line(&mut s, 1, "Codes", &alert.codes.join(", "));
    }
    opt(&mut s, 1, "Note", alert.note.as_deref());
    for r in &alert.references {
        line(&mut s, 1, "References", &r.to_string());
    }
    if !alert.incidents.is_empty() {
        line(&mut s, 1, "Incidents", &alert.incidents.join(", "));
    }
    if alert.infos.is_empty() {
        let _ = writeln!(s, "  (no info blocks)");
    }
    let n = alert.infos.len();
    for (i, info) in alert.infos.iter().enumerate() {
        info_summary(&mut s, info, i + 1, n);
    }
    s
}

fn info_summary(s: &mut String, info: &Info, k: usize, n: usize) {
    let _ = writeln!(
        s,
        "Info {k}/{n} [{}]: {}",
        info.language_or_default(),
        info.event.trim()
    );
    let cats: Vec<&str> = info.categories.iter().map(|c| c.as_str()).collect();
    line(s, 1, "Category", &cats.join(", "));
    if !info.response_types.is_empty() {
        let r: Vec<&str> = info.response_types.iter().map(|c| c.as_str()).collect();
        line(s, 1, "Response", &r.join(", "));
    }
    line(
        s,
        1,
        "Urgency",
        &format!(
            "{} · severity {} · certainty {}",
            info.urgency, info.severity, info.certainty
        ),
    );
    if info.language_or_default().starts_with("zh") {
        if let Some(level) = WarningLevel::from_severity(info.severity) {
            line(
                s,
                1,
                "预警级别",
                &format!(
                    "{}预警 {}级/{}",
                    level.colour_zh(),
                    level.roman(),
                    level.grade_zh()
                ),
            );
        }
    }
    for (label, t) in [
        ("Effective", info.effective),
        ("Onset", info.onset),
        ("Expires", info.expires),
    ] {
        if let Some(t) = t {
            line(s, 1, label, &t.to_string());
        }
    }
    opt(s, 1, "From", info.sender_name.as_deref());
    opt(s, 1, "Audience", info.audience.as_deref());
    opt(s, 1, "Headline", info.headline.as_deref());
    opt(s, 1, "Description", info.description.as_deref());
    opt(s, 1, "Instruction", info.instruction.as_deref());
    opt(s, 1, "Web", info.web.as_deref());
    opt(s, 1, "Contact", info.contact.as_deref());
    for p in &info.event_codes {
        line(
            s,
            1,
            "Event code",
            &format!("{} = {}", p.value_name, p.value),
        );
    }
    for p in &info.parameters {
        line(
            s,
            1,
            "Parameter",
            &format!("{} = {}", p.value_name, p.value),
        );
    }
    for r in &info.resources {
        let mut t = format!("{} ({})", r.resource_desc.trim(), r.mime_type);
        if let Some(size) = r.size {
            let _ = write!(t, ", {size} bytes");
        }
        if let Some(uri) = &r.uri {
            let _ = write!(t, " {uri}");
        }
        line(s, 1, "Resource", &t);
    }
    for a in &info.areas {
        line(s, 1, "Area", &area_line(a));
    }
}

fn area_line(a: &Area) -> String {
    let mut parts = Vec::new();
    for p in &a.polygons {
        parts.push(format!("polygon of {} points", p.points.len()));
    }
    for c in &a.circles {
        parts.push(format!("circle {} km around {}", c.radius_km, c.center));
    }
    for g in &a.geocodes {
        parts.push(format!("{} {}", g.value_name, g.value));
    }
    match (a.altitude, a.ceiling) {
        (Some(lo), Some(hi)) => parts.push(format!("{lo}–{hi} ft")),
        (Some(lo), None) => parts.push(format!("at {lo} ft")),
        _ => {}
    }
    if parts.is_empty() {
        a.area_desc.trim().to_string()
    } else {
        format!("{} ({})", a.area_desc.trim(), parts.join("; "))
    }
}

fn opt(s: &mut String, depth: usize, label: &str, value: Option<&str>) {
    if let Some(v) = value {
        if !v.trim().is_empty() {
            line(s, depth, label, v);
        }
    }
}

/// `label: value`, continuation lines of a multi-line value indented under it.
fn line(s: &mut String, depth: usize, label: &str, value: &str) {
    let pad = "  ".repeat(depth);
    let mut lines = value.trim().lines();
    let _ = writeln!(s, "{pad}{label}: {}", lines.next().unwrap_or("").trim_end());
    for l in lines {
        let _ = writeln!(s, "{pad}    {}", l.trim_end());
    }
}
