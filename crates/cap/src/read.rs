//! Tree → typed model, leniently: element order and unknown elements are
//! ignored, blank optional values are treated as absent, `Z` and fractional
//! seconds are accepted in date-times, and CAP 1.1 is converted to 1.2
//! (`Very Likely` → `Likely`, a missing resource `mimeType` →
//! `application/octet-stream`). What the model cannot hold (a missing required
//! element, an unknown enumeration value, an unreadable date-time, number,
//! polygon or circle) is collected as [`Problem`]s with the validator's paths.

use std::str::FromStr;

use crate::datetime::DateTime;
use crate::model::{
    split_quoted_list, Alert, Area, Category, Certainty, Info, MsgType, Polygon, Reference,
    Resource, ResponseType, Scope, Severity, Status, Urgency, ValuePair,
};
use crate::report::{CapVersion, Problem};
use crate::rules::child_path;
use crate::values::{parse_circle, parse_decimal, parse_integer, parse_polygon};
use crate::xml::Element;

pub(crate) fn alert_from_tree(root: &Element, version: CapVersion) -> Result<Alert, Vec<Problem>> {
    let mut r = Reader {
        ns: root.ns_id,
        version,
        problems: Vec::new(),
    };
    let alert = r.alert(root, "alert");
    if r.problems.is_empty() {
        alert.ok_or_else(Vec::new)
    } else {
        Err(r.problems)
    }
}

struct Reader {
    ns: u32,
    version: CapVersion,
    problems: Vec<Problem>,
}

impl Reader {
    fn kids<'e>(
        &self,
        el: &'e Element,
        name: &'static str,
    ) -> impl Iterator<Item = &'e Element> + use<'e> {
        let ns = self.ns;
        el.children
            .iter()
            .filter(move |c| c.name == name && c.in_ns(ns))
    }

    fn first<'e>(&self, el: &'e Element, name: &'static str) -> Option<&'e Element> {
        self.kids(el, name).next()
    }

    fn missing(&mut self, path: &str, name: &str) {
        let parent = path.rsplit('/').next().unwrap_or(path);
        let parent = parent.split('[').next().unwrap_or(parent);
        self.problems.push(Problem::error(
            format!("{path}/{name}"),
            "missing-element",
            format!("required element <{name}> is missing from <{parent}>"),
        ));
    }

    /// A required text element, raw (`trim` = false) or trimmed.
    fn req_text(&mut self, el: &Element, path: &str, name: &'static str, trim: bool) -> String {
        match self.first(el, name) {
            Some(e) if trim => e.text.trim().to_string(),
            Some(e) => e.text.clone(),
            None => {
                self.missing(path, name);
                String::new()
            }
        }
    }

    /// An optional text element; blank counts as absent.
    fn opt_text(&self, el: &Element, name: &'static str, trim: bool) -> Option<String> {
        let e = self.first(el, name)?;
        if e.text.trim().is_empty() {
            None
        } else if trim {
            Some(e.text.trim().to_string())
        } else {
            Some(e.text.clone())
        }
    }

    fn req_enum<T: FromStr>(&mut self, el: &Element, path: &str, name: &'static str) -> Option<T> {
        let Some(e) = self.first(el, name) else {
            self.missing(path, name);
            return None;
        };
        self.enum_value(e, &format!("{path}/{name}"))
    }

    fn enum_value<T: FromStr>(&mut self, e: &Element, path: &str) -> Option<T> {
        let v = e.text.trim();
        let v = if v == "Very Likely" && self.version != CapVersion::V1_2 {
            "Likely"
        } else {
            v
        };
        match v.parse::<T>() {
            Ok(t) => Some(t),
            Err(_) => {
                self.problems.push(Problem::error(
                    path,
                    "invalid-enum",
                    format!("{v:?} is not a valid <{}>", e.name),
                ));
                None
            }
        }
    }

    fn datetime(&mut self, e: &Element, path: &str) -> Option<DateTime> {
        let v = e.text.trim();
        match DateTime::parse_lenient(v) {
            Ok(d) => Some(d),
            Err(err) => {
                self.problems.push(Problem::error(
                    path,
                    "invalid-datetime",
                    format!("<{}> {v:?} {err}", e.name),
                ));
                None
            }
        }
    }

    fn opt_datetime(&mut self, el: &Element, path: &str, name: &'static str) -> Option<DateTime> {
        let e = self.first(el, name)?;
        if e.text.trim().is_empty() {
            return None;
        }
        self.datetime(e, &format!("{path}/{name}"))
    }

    fn opt_decimal(&mut self, el: &Element, path: &str, name: &'static str) -> Option<f64> {
        let e = self.first(el, name)?;
        let v = e.text.trim();
        if v.is_empty() {
            return None;
        }
        let d = parse_decimal(v);
        if d.is_none() {
            self.problems.push(Problem::error(
                format!("{path}/{name}"),
                "invalid-decimal",
                format!("<{name}> {v:?} is not a decimal number"),
            ));
        }
        d
    }

    fn pairs(&mut self, el: &Element, path: &str, name: &'static str) -> Vec<ValuePair> {
        let kids: Vec<&Element> = self.kids(el, name).collect();
        kids.into_iter()
            .enumerate()
            .map(|(i, e)| {
                let p = child_path(path, name, i);
                ValuePair {
                    value_name: self.req_text(e, &p, "valueName", false),
                    value: self.req_text(e, &p, "value", false),
                }
            })
            .collect()
    }

    fn alert(&mut self, el: &Element, path: &str) -> Option<Alert> {
        let identifier = self.req_text(el, path, "identifier", true);
        let sender = self.req_text(el, path, "sender", true);
        let sent = match self.first(el, "sent") {
            Some(e) => self.datetime(e, &format!("{path}/sent")),
            None => {
                self.missing(path, "sent");
                None
            }
        };
        let status: Option<Status> = self.req_enum(el, path, "status");
        let msg_type: Option<MsgType> = self.req_enum(el, path, "msgType");
        let scope: Option<Scope> = self.req_enum(el, path, "scope");
        let list = |r: &mut Self, name: &'static str| -> Vec<String> {
            let Some(v) = r.opt_text(el, name, true) else {
                return Vec::new();
            };
            split_quoted_list(&v).unwrap_or_else(|| {
                r.problems.push(Problem::error(
                    format!("{path}/{name}"),
                    "list-format",
                    format!("<{name}> has an unbalanced double quote"),
                ));
                Vec::new()
            })
        };
        let addresses = list(self, "addresses");
        let incidents = list(self, "incidents");
        let mut references = Vec::new();
        if let Some(refs) = self.opt_text(el, "references", true) {
            for r in refs.split_whitespace() {
                let parts: Vec<&str> = r.split(',').collect();
                let parsed = match parts.as_slice() {
                    [s, i, t] => DateTime::parse_lenient(t).ok().map(|sent| Reference {
                        sender: (*s).to_string(),
                        identifier: (*i).to_string(),
                        sent,
                    }),
                    _ => None,
                };
                match parsed {
                    Some(r) => references.push(r),
                    None => self.problems.push(Problem::error(
                        format!("{path}/references"),
                        "reference-format",
                        format!("reference {r:?} is not sender,identifier,sent"),
                    )),
                }
            }
        }
        let codes = self.kids(el, "code").map(|e| e.text.clone()).collect();
        let info_els: Vec<&Element> = self.kids(el, "info").collect();
        let mut infos = Vec::new();
        for (i, e) in info_els.into_iter().enumerate() {
            if let Some(info) = self.info(e, &child_path(path, "info", i)) {
                infos.push(info);
            }
        }
        Some(Alert {
            identifier,
            sender,
            sent: sent?,
            status: status?,
            msg_type: msg_type?,
            source: self.opt_text(el, "source", false),
            scope: scope?,
            restriction: self.opt_text(el, "restriction", false),
            addresses,
            codes,
            note: self.opt_text(el, "note", false),
            references,
            incidents,
            infos,
        })
    }

    fn info(&mut self, el: &Element, path: &str) -> Option<Info> {
        let cat_els: Vec<&Element> = self.kids(el, "category").collect();
        if cat_els.is_empty() {
            self.missing(path, "category");
        }
        let categories: Vec<Category> = cat_els
            .into_iter()
            .enumerate()
            .filter_map(|(i, e)| self.enum_value(e, &child_path(path, "category", i)))
            .collect();
        let event = self.req_text(el, path, "event", false);
        let rt_els: Vec<&Element> = self.kids(el, "responseType").collect();
        let response_types: Vec<ResponseType> = rt_els
            .into_iter()
            .enumerate()
            .filter_map(|(i, e)| self.enum_value(e, &child_path(path, "responseType", i)))
            .collect();
        let urgency: Option<Urgency> = self.req_enum(el, path, "urgency");
        let severity: Option<Severity> = self.req_enum(el, path, "severity");
        let certainty: Option<Certainty> = self.req_enum(el, path, "certainty");
        let event_codes = self.pairs(el, path, "eventCode");
        let effective = self.opt_datetime(el, path, "effective");
        let onset = self.opt_datetime(el, path, "onset");
        let expires = self.opt_datetime(el, path, "expires");
        let parameters = self.pairs(el, path, "parameter");
        let res_els: Vec<&Element> = self.kids(el, "resource").collect();
        let mut resources = Vec::new();
        for (i, e) in res_els.into_iter().enumerate() {
            resources.push(self.resource(e, &child_path(path, "resource", i)));
        }
        let area_els: Vec<&Element> = self.kids(el, "area").collect();
        let mut areas = Vec::new();
        for (i, e) in area_els.into_iter().enumerate() {
            if let Some(a) = self.area(e, &child_path(path, "area", i)) {
                areas.push(a);
            }
        }
        Some(Info {
            language: self.opt_text(el, "language", true),
            categories,
            event,
            response_types,
            urgency: urgency?,
            severity: severity?,
            certainty: certainty?,
            audience: self.opt_text(el, "audience", false),
            event_codes,
            effective,
            onset,
            expires,
            sender_name: self.opt_text(el, "senderName", false),
            headline: self.opt_text(el, "headline", false),
            description: self.opt_text(el, "description", false),
            instruction: self.opt_text(el, "instruction", false),
            web: self.opt_text(el, "web", true),
            contact: self.opt_text(el, "contact", false),
            parameters,
            resources,
            areas,
        })
    }

    fn resource(&mut self, el: &Element, path: &str) -> Resource {
        let resource_desc = self.req_text(el, path, "resourceDesc", false);
        let mime_type = match self.opt_text(el, "mimeType", true) {
            Some(m) => m,
            None if self.version == CapVersion::V1_1 => "application/octet-stream".to_string(),
            None => self.req_text(el, path, "mimeType", true),
        };
        let size = self.first(el, "size").and_then(|e| {
            let v = e.text.trim();
            if v.is_empty() {
                return None;
            }
            let n = parse_integer(v).and_then(|n| u64::try_from(n).ok());
            if n.is_none() {
                self.problems.push(Problem::error(
                    format!("{path}/size"),
                    "invalid-integer",
                    format!("<size> {v:?} is not a non-negative integer"),
                ));
            }
            n
        });
        Resource {
            resource_desc,
            mime_type,
            size,
            uri: self.opt_text(el, "uri", true),
            deref_uri: self.opt_text(el, "derefUri", true),
            digest: self.opt_text(el, "digest", true),
        }
    }

    fn area(&mut self, el: &Element, path: &str) -> Option<Area> {
        let area_desc = self.req_text(el, path, "areaDesc", false);
        let mut polygons = Vec::new();
        let poly_els: Vec<&Element> = self.kids(el, "polygon").collect();
        for (i, e) in poly_els.into_iter().enumerate() {
            if e.text.trim().is_empty() {
                continue;
            }
            match parse_polygon(&e.text) {
                Ok(points) => polygons.push(Polygon { points }),
                Err(m) => self.problems.push(Problem::error(
                    child_path(path, "polygon", i),
                    "polygon-format",
                    m,
                )),
            }
        }
        let mut circles = Vec::new();
        let circle_els: Vec<&Element> = self.kids(el, "circle").collect();
        for (i, e) in circle_els.into_iter().enumerate() {
            if e.text.trim().is_empty() {
                continue;
            }
            match parse_circle(&e.text) {
                Ok(c) => circles.push(c),
                Err(m) => self.problems.push(Problem::error(
                    child_path(path, "circle", i),
                    "circle-format",
                    m,
                )),
            }
        }
        let geocodes = self.pairs(el, path, "geocode");
        let altitude = self.opt_decimal(el, path, "altitude");
        let ceiling = self.opt_decimal(el, path, "ceiling");
        Some(Area {
            area_desc,
            polygons,
            circles,
            geocodes,
            altitude,
            ceiling,
        })
    }
}
