//! 通讯录 — the directory (issue #19): the phones of the people and lines a
//! duty officer calls, in one searchable list. Its records are the
//! registries' own: the `contact` kind (departments, command members,
//! township duty rooms, utilities …, imported from XLSX like any registry)
//! and the responsible persons and duty phones of teams, experts,
//! enterprises, shelters, warehouses and villages. Each reader sees the
//! kinds and jurisdiction `authorize` gives them, with personal data masked
//! exactly as in the registries; a masked number is shown, never dialled.
//!
//! Rules here are pure: a record → its directory entry, and the search.

pub mod api;

use serde::Serialize;

use crate::registry::Item;

/// The registry kinds whose records carry phones, in directory order.
pub const KINDS: [&str; 7] = [
    "contact",
    "team",
    "expert",
    "enterprise",
    "shelter",
    "warehouse",
    "settlement",
];

/// What a number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Line {
    /// 办公电话 / the record's phone
    Office,
    /// 手机
    Mobile,
    /// 值班电话
    Duty,
}

/// One number of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = DirectoryPhone)]
pub struct Phone {
    pub line: Line,
    /// As the reader may see it (`138****5678` when masked).
    pub number: String,
    /// Masked for this reader: shown, not dialled.
    pub masked: bool,
}

/// One line of the directory.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = DirectoryEntry)]
pub struct Entry {
    /// The registry kind the entry comes from (`contact`, `team` …).
    pub kind: String,
    pub id: i64,
    /// The record's name (a contact's: the person or the office).
    pub name: String,
    /// Who answers: a contact's own name, else the record's responsible
    /// person (masked where the reader may not see it).
    pub person: String,
    /// A contact's organisation and position; for other kinds, empty.
    pub organisation: String,
    pub position: String,
    /// A contact's group (`command`, `department` …); for other kinds, the
    /// kind itself.
    pub group: String,
    pub division: String,
    pub division_name: String,
    pub phones: Vec<Phone>,
    pub email: String,
}

fn attr(item: &Item, key: &str) -> String {
    item.attrs
        .0
        .get(key)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A number as shown: masked numbers carry `*` ([`Item::mask_personal`]).
fn phone(line: Line, number: &str) -> Option<Phone> {
    let number = number.trim();
    (!number.is_empty()).then(|| Phone {
        line,
        number: number.to_string(),
        masked: number.contains('*'),
    })
}

/// The directory entry of a registry record as the reader may see it
/// (already masked); `None` when it has no number at all.
pub fn entry(item: &Item) -> Option<Entry> {
    let contact = item.kind == "contact";
    let phones: Vec<Phone> = [
        phone(Line::Office, &item.phone),
        contact
            .then(|| phone(Line::Mobile, &attr(item, "mobile")))
            .flatten(),
        phone(Line::Duty, &item.duty_phone),
    ]
    .into_iter()
    .flatten()
    .collect();
    if phones.is_empty() {
        return None;
    }
    Some(Entry {
        kind: item.kind.clone(),
        id: item.id,
        name: item.name.clone(),
        person: if contact {
            item.name.clone()
        } else {
            item.responsible.clone()
        },
        organisation: if contact {
            attr(item, "organisation")
        } else {
            String::new()
        },
        position: if contact {
            attr(item, "position")
        } else {
            String::new()
        },
        group: if contact {
            attr(item, "group")
        } else {
            item.kind.clone()
        },
        division: item.division.clone(),
        division_name: item.division_name.clone(),
        phones,
        email: if contact {
            attr(item, "email")
        } else {
            String::new()
        },
    })
}

/// Whether an entry answers a search: every word of `q` (split on spaces)
/// is found, case-insensitively, in its name, person, organisation,
/// position, division name or a number as shown. An empty `q` matches
/// everything.
pub fn matches(e: &Entry, q: &str) -> bool {
    let hay = {
        let mut h = [
            e.name.as_str(),
            &e.person,
            &e.organisation,
            &e.position,
            &e.division_name,
        ]
        .join("\u{1}");
        for p in &e.phones {
            h.push('\u{1}');
            h.push_str(&p.number);
        }
        h.to_lowercase()
    };
    q.split_whitespace()
        .all(|w| hay.contains(&w.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(
        kind: &str,
        name: &str,
        responsible: &str,
        phone: &str,
        duty: &str,
        attrs: serde_json::Value,
    ) -> Item {
        Item {
            id: 7,
            kind: kind.into(),
            name: name.into(),
            division: "140213".into(),
            division_name: "平城区".into(),
            lon: 113.3,
            lat: 40.08,
            address: String::new(),
            responsible: responsible.into(),
            phone: phone.into(),
            duty_phone: duty.into(),
            status: "available".into(),
            category: String::new(),
            attrs: crate::db::JsonText(attrs.as_object().cloned().unwrap_or_default()),
            version: 1,
            updated_at: crate::db::UtcText(time::OffsetDateTime::UNIX_EPOCH),
            org: String::new(),
        }
    }

    /// Which numbers an entry gets, and whether it is in the directory.
    #[test]
    fn entries_from_records() {
        let contact = item(
            "contact",
            "王主任",
            "",
            "0352-2021234",
            "0352-2020000",
            json!({ "group": "command", "organisation": "大同市公安局", "position": "副局长", "mobile": "139****0001", "email": "w@example.cn" }),
        );
        let e = entry(&contact).unwrap();
        assert_eq!(e.person, "王主任");
        assert_eq!(e.organisation, "大同市公安局");
        assert_eq!(e.group, "command");
        assert_eq!(
            e.phones
                .iter()
                .map(|p| (p.line, p.number.as_str(), p.masked))
                .collect::<Vec<_>>(),
            vec![
                (Line::Office, "0352-2021234", false),
                (Line::Mobile, "139****0001", true),
                (Line::Duty, "0352-2020000", false),
            ]
        );
        // (kind, responsible, phone, duty, numbers, group)
        type Row<'a> = (&'a str, &'a str, &'a str, &'a str, Option<usize>, &'a str);
        let table: &[Row] = &[
            ("team", "李队长", "13900000001", "", Some(1), "team"),
            ("shelter", "", "", "0352-1234567", Some(1), "shelter"),
            ("warehouse", "赵", "", "", None, ""),
            // a mobile attr counts only for contacts
            ("expert", "钱", "  ", "", None, ""),
        ];
        for &(kind, resp, ph, duty, n, group) in table {
            let it = item(
                kind,
                "某",
                resp,
                ph,
                duty,
                json!({ "mobile": "13900000009" }),
            );
            let e = entry(&it);
            assert_eq!(e.as_ref().map(|e| e.phones.len()), n, "{kind}");
            if let Some(e) = e {
                assert_eq!(e.person, resp, "{kind}");
                assert_eq!(e.group, group, "{kind}");
                assert!(e.organisation.is_empty(), "{kind}");
            }
        }
    }

    #[test]
    fn search_words_all_match_anywhere() {
        let e = entry(&item(
            "contact",
            "王主任",
            "",
            "0352-2021234",
            "",
            json!({ "group": "command", "organisation": "大同市公安局", "position": "副局长" }),
        ))
        .unwrap();
        // (query, matches)
        let table = [
            ("", true),
            ("公安", true),
            ("公安 副局长", true),
            ("公安 消防", false),
            ("2021234", true),
            ("平城", true),
            ("王", true),
            ("  王   公安 ", true),
            ("气象", false),
        ];
        for (q, want) in table {
            assert_eq!(matches(&e, q), want, "{q:?}");
        }
        let en = entry(&item(
            "team",
            "Blue Sky Rescue",
            "Li",
            "13900000001",
            "",
            json!({}),
        ))
        .unwrap();
        assert!(matches(&en, "blue SKY"), "case-insensitive");
    }
}
